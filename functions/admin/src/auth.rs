//! Who is calling. API Gateway's JWT authorizer has already verified the token (issuer,
//! audience, signature, expiry) and hands us its claims; we only decide whether the
//! caller's groups allow the route.

use shared::http::{self, Request};
use shared::Error;

/// Staff groups, as configured in the identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Admin,
    Marketer,
    Support,
    Sales,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Admin => "liaison-admin",
            Group::Marketer => "liaison-marketer",
            Group::Support => "liaison-support",
            Group::Sales => "liaison-sales",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: String,
    pub groups: Vec<String>,
}

impl Caller {
    /// The caller from the authorizer's claims; no claims means no valid token (401).
    pub fn from_request(req: &Request, groups_claim: &str) -> Result<Self, Error> {
        let claims = http::jwt_claims(req)
            .ok_or_else(|| Error::Unauthorized("a valid staff token is required".into()))?;
        let subject = claims.get("sub").cloned().unwrap_or_default();
        let groups = claims
            .get(groups_claim)
            .map(|raw| parse_groups(raw))
            .unwrap_or_default();
        Ok(Caller { subject, groups })
    }

    /// 403 unless the caller is in one of `allowed`.
    pub fn require(&self, allowed: &[Group]) -> Result<(), Error> {
        if allowed
            .iter()
            .any(|g| self.groups.iter().any(|mine| mine == g.name()))
        {
            Ok(())
        } else {
            let names: Vec<&str> = allowed.iter().map(|g| g.name()).collect();
            Err(Error::Forbidden(format!(
                "this needs one of the groups: {}",
                names.join(", ")
            )))
        }
    }
}

/// API Gateway flattens array claims to `[a b]`; other issuers send `a,b` or one value.
pub fn parse_groups(raw: &str) -> Vec<String> {
    let inner = raw.trim();
    let inner = inner
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(inner);
    inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|g| g.trim_matches('"'))
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_should_parse_in_every_form_issuers_use() {
        assert_eq!(
            parse_groups("[liaison-admin liaison-marketer]"),
            ["liaison-admin", "liaison-marketer"]
        );
        assert_eq!(
            parse_groups("liaison-admin,liaison-sales"),
            ["liaison-admin", "liaison-sales"]
        );
        assert_eq!(parse_groups("liaison-admin"), ["liaison-admin"]);
        assert_eq!(parse_groups(r#"["a","b"]"#), ["a", "b"]);
        assert!(parse_groups("[]").is_empty());
    }

    #[test]
    fn a_caller_without_the_group_should_be_forbidden() {
        let caller = Caller {
            subject: "u".into(),
            groups: vec!["liaison-marketer".into()],
        };
        assert_eq!(caller.require(&[Group::Admin]).unwrap_err().status(), 403);
        assert!(caller.require(&[Group::Admin, Group::Marketer]).is_ok());
    }
}
