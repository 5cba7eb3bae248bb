//! The brand's programmes (`/admin/programmes`): the lists that tell who its partners,
//! resellers, affiliates and testers are, which domains are the media's and associations'.
//! Admin writes them; identify reads them (through its settings cache) to propose a type for
//! a contribution's author (`identify::types`). One `SettingsTable` item:
//!
//! | pk | sk | item |
//! | --- | --- | --- |
//! | `programme` ([`PK`]) | `lists` ([`SK`]) | [`Programmes`] |
//!
//! Testers are people: their emails and handles are never stored in clear, only as the keyed
//! hashes the contacts' lookups use (`crate::contracts::lookup`), so identify compares them
//! with the lookup keys of a contribution's identities and erasure has nothing to find here.
//! Domains and affiliate ids are businesses', kept as typed (lower case).
//!
//! Size: at most [`MAX_ENTRIES`] entries in each list of at most [`MAX_DOMAIN_LEN`] bytes, and
//! [`MAX_TESTERS`] testers of 70 bytes: under 200 KB, half of DynamoDB's item cap.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::lookup;
use crate::contracts::settings::{self, Expect};
use crate::contracts::sources::Platform;
use crate::kit::dynamo::Item;
use crate::Error;

/// `SettingsTable`'s partition of the programmes.
pub const PK: &str = "programme";
/// The one item in it.
pub const SK: &str = "lists";

/// Entries of a list of domains or ids, at most.
pub const MAX_ENTRIES: usize = 100;
/// Testers, at most.
pub const MAX_TESTERS: usize = 500;
/// A domain name's longest form (RFC 1035).
pub const MAX_DOMAIN_LEN: usize = 253;
/// An affiliate id's longest form.
pub const MAX_ID_LEN: usize = 64;

/// Well-known media domains, French and international: an author writing from one of them
/// (their email, their site) is proposed as a journalist. The brand adds its own
/// (`media_domains`): trade press, local papers.
pub const MEDIA_DOMAINS: &[&str] = &[
    "lemonde.fr",
    "lefigaro.fr",
    "liberation.fr",
    "leparisien.fr",
    "lesechos.fr",
    "latribune.fr",
    "lexpress.fr",
    "lepoint.fr",
    "nouvelobs.com",
    "humanite.fr",
    "la-croix.com",
    "mediapart.fr",
    "20minutes.fr",
    "ouest-france.fr",
    "sudouest.fr",
    "ladepeche.fr",
    "lavoixdunord.fr",
    "letelegramme.fr",
    "leprogres.fr",
    "nicematin.com",
    "franceinfo.fr",
    "francetvinfo.fr",
    "francetelevisions.fr",
    "radiofrance.fr",
    "rfi.fr",
    "france24.com",
    "arte.tv",
    "tf1.fr",
    "lci.fr",
    "bfmtv.com",
    "rtl.fr",
    "europe1.fr",
    "m6.fr",
    "challenges.fr",
    "capital.fr",
    "huffingtonpost.fr",
    "konbini.com",
    "marieclaire.fr",
    "elle.fr",
    "lesnumeriques.com",
    "01net.com",
    "numerama.com",
    "frandroid.com",
    "afp.com",
    "reuters.com",
    "apnews.com",
    "bloomberg.net",
    "bloomberg.com",
    "bbc.co.uk",
    "bbc.com",
    "theguardian.com",
    "ft.com",
    "economist.com",
    "nytimes.com",
    "washingtonpost.com",
    "wsj.com",
    "cnn.com",
    "huffpost.com",
    "theverge.com",
    "techcrunch.com",
    "wired.com",
    "forbes.com",
    "lesoir.be",
    "rtbf.be",
    "letemps.ch",
    "rts.ch",
    "lapresse.ca",
    "radio-canada.ca",
];

/// The lists as stored and as identify reads them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lists {
    /// Partners' domains: their staff write from them.
    #[serde(default)]
    pub partner_domains: Vec<String>,
    /// Resellers' domains (a reseller is proposed as a `partner`, reason "reseller").
    #[serde(default)]
    pub reseller_domains: Vec<String>,
    /// Affiliates' own sites and mail domains.
    #[serde(default)]
    pub affiliate_domains: Vec<String>,
    /// Affiliate ids as they appear in links' parameters (`?aff=abc`, `?ref=abc`, `tag=abc`).
    #[serde(default)]
    pub affiliate_ids: Vec<String>,
    /// Media domains beyond the built-in [`MEDIA_DOMAINS`].
    #[serde(default)]
    pub media_domains: Vec<String>,
    /// Associations' domains (any `.asso.fr` is one already).
    #[serde(default)]
    pub association_domains: Vec<String>,
    /// Keyed hashes of testers' emails and handles (`email#…`, `handle#…`).
    #[serde(default)]
    pub testers: Vec<String>,
}

/// The stored setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Programmes {
    #[serde(flatten)]
    pub lists: Lists,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// What staff send (`PUT /admin/programmes`): every list whole. `testers` holds the keyed
/// hashes to keep (as `GET` shows them) and new testers in clear (an email, or
/// `platform:handle`), hashed before anything is stored; `remove_testers` names testers to
/// take off in clear, the only way to find a hash without reading it back.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammesSpec {
    #[serde(default)]
    pub partner_domains: Vec<String>,
    #[serde(default)]
    pub reseller_domains: Vec<String>,
    #[serde(default)]
    pub affiliate_domains: Vec<String>,
    #[serde(default)]
    pub affiliate_ids: Vec<String>,
    #[serde(default)]
    pub media_domains: Vec<String>,
    #[serde(default)]
    pub association_domains: Vec<String>,
    #[serde(default)]
    pub testers: Vec<String>,
    #[serde(default)]
    pub remove_testers: Vec<String>,
}

impl ProgrammesSpec {
    /// The lists to store: domains and ids checked and normalised, testers hashed with
    /// `hash_key` (the contacts' lookup key); `stored`: the testers already on the list, the
    /// only hashes a request may keep. Every problem is a 400 naming its field; a tester's
    /// value is never echoed.
    pub fn resolve(&self, stored: &Lists, hash_key: &[u8]) -> Result<Lists, Error> {
        let domains = |field: &str, list: &[String]| {
            checked(field, list, MAX_ENTRIES, |raw| {
                normalise_domain(raw).map_err(|why| format!("'{}': {why}", shown(raw)))
            })
        };
        let mut testers = checked("testers", &self.testers, usize::MAX, |raw| {
            tester_entry(raw, stored, hash_key)
        })?;
        let removed = checked("remove_testers", &self.remove_testers, usize::MAX, |raw| {
            tester_key(raw, hash_key).map_err(str::to_string)
        })?;
        testers.retain(|key| !removed.contains(key));
        if testers.len() > MAX_TESTERS {
            return Err(Error::validation(
                "testers",
                format!("at most {MAX_TESTERS} testers"),
            ));
        }
        Ok(Lists {
            partner_domains: domains("partner_domains", &self.partner_domains)?,
            reseller_domains: domains("reseller_domains", &self.reseller_domains)?,
            affiliate_domains: domains("affiliate_domains", &self.affiliate_domains)?,
            affiliate_ids: checked("affiliate_ids", &self.affiliate_ids, MAX_ENTRIES, |raw| {
                normalise_affiliate_id(raw).map_err(|why| format!("'{}': {why}", shown(raw)))
            })?,
            media_domains: domains("media_domains", &self.media_domains)?,
            association_domains: domains("association_domains", &self.association_domains)?,
            testers,
        })
    }
}

/// An entry as an error may quote it: staff's own typing, cut short.
fn shown(raw: &str) -> String {
    raw.trim().chars().take(80).collect()
}

/// Each entry of `list` through `check`, duplicates dropped (first kept), at most `max`.
fn checked(
    field: &str,
    list: &[String],
    max: usize,
    check: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<String>, Error> {
    if list.len() > max {
        return Err(Error::validation(field, format!("at most {max} entries")));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        let value = check(raw)
            .map_err(|why| Error::validation(field, format!("entry {}: {why}", i + 1)))?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

/// A domain as the lists keep it: lower case, without `www.` or a final dot; refused with a
/// reason when it is not a bare domain name (a scheme, a path, a port, an address).
pub fn normalise_domain(raw: &str) -> Result<String, &'static str> {
    let typed = raw.trim().to_lowercase();
    if typed.is_empty() {
        return Err("empty");
    }
    if typed.contains("://") {
        return Err("a domain without scheme, such as example.com");
    }
    if typed.contains(['/', '@', ':', '?', '#', '\\']) || typed.chars().any(char::is_whitespace) {
        return Err("a domain alone, such as example.com (no path, port or address)");
    }
    let bare = typed.trim_end_matches('.');
    let bare = bare.strip_prefix("www.").unwrap_or(bare);
    if bare.len() > MAX_DOMAIN_LEN {
        return Err("at most 253 characters");
    }
    let labels: Vec<&str> = bare.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err("not a domain name, such as example.com");
    }
    Ok(bare.to_string())
}

/// An affiliate id as links carry it: letters, digits, `-`, `_`, `.`; compared in lower case.
pub fn normalise_affiliate_id(raw: &str) -> Result<String, &'static str> {
    let id = raw.trim().to_lowercase();
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err("1 to 64 characters");
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("letters, digits, '-', '_' or '.' only");
    }
    Ok(id)
}

/// Whether `text` is a stored tester's keyed hash (`email#` or `handle#` and 64 hex digits).
fn is_key(text: &str) -> bool {
    let hash = text
        .strip_prefix("email#")
        .or_else(|| text.strip_prefix("handle#"));
    hash.is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// A tester entry of a request: a hash already on the list, or a tester in clear, hashed.
fn tester_entry(raw: &str, stored: &Lists, hash_key: &[u8]) -> Result<String, String> {
    let raw = raw.trim();
    if is_key(raw) {
        return match stored.testers.iter().any(|t| t == raw) {
            true => Ok(raw.to_string()),
            false => {
                Err("not a tester on the list; give an email or platform:handle to add one".into())
            }
        };
    }
    tester_key(raw, hash_key).map_err(str::to_string)
}

/// The keyed hash of a tester typed in clear: an email, or `platform:handle` (`x:@ada`,
/// `instagram:ada`): the lookup key identify computes for the same identity, so a tester's
/// contribution is known without their address ever being stored.
pub fn tester_key(raw: &str, hash_key: &[u8]) -> Result<String, &'static str> {
    let raw = raw.trim();
    if let Some((prefix, handle)) = raw.split_once(':') {
        if let Some(platform) = Platform::parse(&prefix.trim().to_lowercase()) {
            if platform == Platform::StandardWebhooks {
                return Err("a generic sender's handles are its own source's: give an email");
            }
            let value = lookup::normalise_handle(platform.as_str(), handle)
                .ok_or("a handle after the platform, such as x:@ada")?;
            return Ok(lookup::lookup_key(hash_key, "handle", &value));
        }
    }
    let email = lookup::normalise_email(raw)
        .ok_or("neither an email nor platform:handle (such as x:@ada)")?;
    Ok(lookup::lookup_key(hash_key, "email", &email))
}

/// The programmes as they are now (`None`: never set).
pub async fn get(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<Option<Programmes>, Error> {
    settings::get(client, table, PK, SK).await
}

/// Saves the programmes, whatever was there.
pub async fn save(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    programmes: &Programmes,
) -> Result<(), Error> {
    settings::put(client, table, PK, SK, programmes, Expect::Any).await?;
    Ok(())
}

/// Takes an erased person's lookup keys (`keys`) off the tester list: `true` when one was on
/// it. The rest of the item is kept as it was.
pub async fn forget_testers(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    keys: &[String],
) -> Result<bool, Error> {
    let Some(mut stored) = get(client, table).await? else {
        return Ok(false);
    };
    let before = stored.lists.testers.len();
    stored.lists.testers.retain(|t| !keys.contains(t));
    if stored.lists.testers.len() == before {
        return Ok(false);
    }
    settings::put(client, table, PK, SK, &stored, Expect::Present).await
}

/// The lists among the items of partition [`PK`] (identify reads the partition whole,
/// through its cache): empty when absent; when unreadable too, said in the log.
pub fn from_partition(items: Vec<Item>) -> Lists {
    match crate::contracts::settings::among::<Programmes>(items, SK) {
        Some(Ok(programmes)) => programmes.lists,
        Some(Err(e)) => {
            tracing::warn!(error = %e, "programmes unreadable; no list applies");
            Lists::default()
        }
        None => Lists::default(),
    }
}

/// Whether `host` is `domain` or one of its subdomains (`presse.lemonde.fr` is `lemonde.fr`'s).
pub fn is_under(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test-lookup-key";

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn domains_should_be_lowercased_bare_and_refused_with_a_scheme_path_or_port() {
        assert_eq!(
            normalise_domain(" WWW.Acme-Distrib.FR. "),
            Ok("acme-distrib.fr".into())
        );
        assert_eq!(
            normalise_domain("presse.lemonde.fr"),
            Ok("presse.lemonde.fr".into())
        );
        assert_eq!(normalise_domain("asso.fr"), Ok("asso.fr".into()));
        assert_eq!(normalise_domain("café.fr"), Ok("café.fr".into()));
        for bad in [
            "https://acme.fr",
            "acme.fr/shop",
            "acme.fr:8080",
            "ada@acme.fr",
            "localhost",
            "acme..fr",
            "-acme.fr",
            "acme fr.com",
            "",
            "   ",
        ] {
            assert!(normalise_domain(bad).is_err(), "{bad}");
        }
        let long = format!("{}.fr", ["a"; 130].join("."));
        assert!(normalise_domain(&long).is_err());
    }

    #[test]
    fn a_spec_should_resolve_to_lists_deduplicated_or_name_the_field_at_fault() {
        let spec = ProgrammesSpec {
            partner_domains: strings(&["Acme.fr", "acme.fr", "partner.example"]),
            affiliate_ids: strings(&["ABC-21", "abc-21"]),
            testers: strings(&["Ada@Example.com", "x:@AdaL"]),
            ..ProgrammesSpec::default()
        };
        let lists = spec.resolve(&Lists::default(), KEY).unwrap();
        assert_eq!(
            lists.partner_domains,
            strings(&["acme.fr", "partner.example"])
        );
        assert_eq!(lists.affiliate_ids, strings(&["abc-21"]));
        // Testers as the lookup keys of the same identities, never in clear.
        assert_eq!(
            lists.testers,
            vec![
                lookup::lookup_key(KEY, "email", "ada@example.com"),
                lookup::lookup_key(KEY, "handle", "x:adal"),
            ]
        );
        assert!(lists.testers.iter().all(|t| !t.contains("ada")));

        let bad = ProgrammesSpec {
            media_domains: strings(&["lemonde.fr", "https://lefigaro.fr"]),
            ..ProgrammesSpec::default()
        };
        let err = bad.resolve(&Lists::default(), KEY).unwrap_err();
        assert_eq!(err.field(), Some("media_domains"));
        assert!(err.to_string().contains("entry 2"), "{err}");
        let too_many = ProgrammesSpec {
            reseller_domains: (0..=MAX_ENTRIES).map(|i| format!("r{i}.fr")).collect(),
            ..ProgrammesSpec::default()
        };
        let err = too_many.resolve(&Lists::default(), KEY).unwrap_err();
        assert_eq!(err.field(), Some("reseller_domains"));
        let bad_id = ProgrammesSpec {
            affiliate_ids: strings(&["a b"]),
            ..ProgrammesSpec::default()
        };
        assert_eq!(
            bad_id.resolve(&Lists::default(), KEY).unwrap_err().field(),
            Some("affiliate_ids")
        );
    }

    #[test]
    fn testers_should_be_kept_by_hash_removed_in_clear_and_never_echoed() {
        let first = ProgrammesSpec {
            testers: strings(&["ada@example.com", "bob@example.com"]),
            ..ProgrammesSpec::default()
        }
        .resolve(&Lists::default(), KEY)
        .unwrap();
        // Kept by their hashes, one added, one removed by its address.
        let next = ProgrammesSpec {
            testers: vec![
                first.testers[0].clone(),
                first.testers[1].clone(),
                "eve@example.com".into(),
            ],
            remove_testers: strings(&["BOB@example.com"]),
            ..ProgrammesSpec::default()
        }
        .resolve(&first, KEY)
        .unwrap();
        assert_eq!(
            next.testers,
            vec![
                first.testers[0].clone(),
                lookup::lookup_key(KEY, "email", "eve@example.com")
            ]
        );
        // A hash that is not on the list is not a way in.
        let forged = format!("email#{}", "0".repeat(64));
        let err = ProgrammesSpec {
            testers: vec![forged],
            ..ProgrammesSpec::default()
        }
        .resolve(&first, KEY)
        .unwrap_err();
        assert_eq!(err.field(), Some("testers"));
        let err = ProgrammesSpec {
            testers: strings(&["not-an-address"]),
            ..ProgrammesSpec::default()
        }
        .resolve(&first, KEY)
        .unwrap_err();
        assert!(!err.to_string().contains("not-an-address"), "{err}");
        assert!(tester_key("standard-webhooks:ada", KEY).is_err());
    }

    #[test]
    fn a_subdomain_should_be_under_its_domain_and_a_lookalike_not() {
        assert!(is_under("lemonde.fr", "lemonde.fr"));
        assert!(is_under("presse.lemonde.fr", "lemonde.fr"));
        assert!(!is_under("notlemonde.fr", "lemonde.fr"));
        assert!(is_under("club.asso.fr", "asso.fr"));
    }

    #[test]
    fn the_stored_item_should_read_back_and_an_absent_one_be_empty() {
        let stored = Programmes {
            lists: Lists {
                partner_domains: strings(&["acme.fr"]),
                ..Lists::default()
            },
            updated_at: "2026-11-23T10:00:00Z".parse().unwrap(),
            updated_by: "camille".into(),
        };
        let mut item = crate::kit::dynamo::encode(&stored, "programmes").unwrap();
        item.extend(crate::kit::dynamo::pk_sk(PK, SK));
        assert_eq!(from_partition(vec![item]), stored.lists);
        assert_eq!(from_partition(vec![]), Lists::default());
        assert!(MEDIA_DOMAINS
            .iter()
            .all(|d| normalise_domain(d).as_deref() == Ok(*d)));
    }
}
