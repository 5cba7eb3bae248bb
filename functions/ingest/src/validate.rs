//! The checks every generic-envelope field goes through (a text's length, an address's
//! shape), in one place for the envelope and the social events alike. Errors name the field.

use shared::Error;

pub fn required_text(field: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    optional_text(field, Some(value), max)
}

pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<(), Error> {
    match value {
        Some(v) if v.len() > max => Err(Error::validation(field, format!("at most {max} bytes"))),
        _ => Ok(()),
    }
}

/// A plausible address: one `@`, something on each side, a dot in the domain, no spaces.
/// Deliverability is proven later by the verification email, not guessed here.
pub fn email_address(field: &str, value: &str) -> Result<(), Error> {
    let v = value.trim();
    let valid = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(())
    } else {
        Err(Error::validation(field, "must be an email address"))
    }
}

pub fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
