//! Random identifiers and secrets, from the operating system's CSPRNG.

use base64::Engine;

/// `n` random bytes. The OS generator does not fail on Linux; if it ever did, refusing to
/// go on is the only safe answer, so the error is surfaced to the caller.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], crate::Error> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)
        .map_err(|e| crate::Error::Internal(format!("random generator failed: {e}")))?;
    Ok(buf)
}

/// An unguessable identifier such as `src_4k2m...`: 128 random bits in lowercase base32,
/// so that a source id in a webhook URL can also serve as a bearer token where a platform
/// signs nothing.
pub fn new_id(prefix: &str) -> Result<String, crate::Error> {
    let bytes = random_bytes::<16>()?;
    Ok(format!("{prefix}_{}", base32_lower(&bytes)))
}

/// The id of a platform's object under one source: `{prefix}_` and 32 hex of
/// SHA-256(`source_id` NUL `local_id`). The same object always gets the same id, which is
/// what makes a redelivery or a replay write where the first delivery wrote (events,
/// carts, cases, referral conversions).
pub fn derived(prefix: &str, source_id: &str, local_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(source_id.as_bytes())
        .chain_update([0u8])
        .chain_update(local_id.as_bytes())
        .finalize();
    format!("{prefix}_{}", hex::encode(&digest[..16]))
}

/// A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes.
pub fn new_whsec() -> Result<String, crate::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// A plain secret for platforms that take any string (WooCommerce, Discourse, a URL token):
/// 256 random bits, base64url without padding, safe in a form field and in a query string.
pub fn new_secret() -> Result<String, crate::Error> {
    let bytes = random_bytes::<32>()?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_id_should_hash_the_source_and_the_local_id_apart() {
        use sha2::{Digest, Sha256};
        let expected = hex::encode(&Sha256::digest(b"src_1\0order-9")[..16]);
        assert_eq!(derived("rc", "src_1", "order-9"), format!("rc_{expected}"));
        // The NUL keeps ("s1", "o") and ("s", "1o") apart.
        assert_ne!(derived("x", "s1", "o"), derived("x", "s", "1o"));
    }

    #[test]
    fn ids_should_be_prefixed_url_safe_and_distinct() {
        let a = new_id("src").unwrap();
        let b = new_id("src").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("src_"));
        assert_eq!(a.len(), 4 + 26);
        assert!(a[4..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }

    #[test]
    fn whsec_should_decode_to_32_bytes() {
        let s = new_whsec().unwrap();
        let key = base64::engine::general_purpose::STANDARD
            .decode(s.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(key.len(), 32);
    }

    #[test]
    fn base32_should_match_rfc4648_lowercased() {
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
    }
}
