//! Who is calling. API Gateway's JWT authorizers have already verified the token (issuer,
//! audience, signature, expiry) and hand us its claims; we only decide whether the caller
//! may take the route.
//!
//! - Staff (`StaffJwt`): people, by their groups ([`Caller`]).
//! - The brand's site (`SiteJwt`): a machine client (OAuth 2 client credentials), by the
//!   scope its access token carries ([`require_site_scope`]). API Gateway checks the
//!   route's `AuthorizationScopes` first; checking again here means a route wired to the
//!   wrong authorizer still refuses a staff token.

use crate::kit::http::{self, Request};
use crate::Error;

/// The scope the site's access token must carry for `/api/referrals/...`.
pub const SITE_REFERRALS_SCOPE: &str = "liaison/referrals";

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

/// 401 without a verified token, 403 unless its `scope` (or `scp`) claim holds `scope`.
pub fn require_site_scope(req: &Request, scope: &str) -> Result<(), Error> {
    let claims = http::jwt_claims(req)
        .ok_or_else(|| Error::Unauthorized("a valid site token is required".into()))?;
    let granted = ["scope", "scp"]
        .iter()
        .filter_map(|name| claims.get(*name))
        .flat_map(|raw| parse_groups(raw))
        .any(|s| s == scope);
    if granted {
        Ok(())
    } else {
        Err(Error::Forbidden(format!("this needs the scope {scope}")))
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

    fn site_request(claims: &[(&str, &str)]) -> Request {
        let claims: std::collections::HashMap<&str, &str> = claims.iter().copied().collect();
        serde_json::from_value(serde_json::json!({
            "requestContext": {
                "http": {"method": "GET", "path": "/api/x", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": ""},
                "authorizer": {"jwt": {"claims": claims, "scopes": null}}
            }
        }))
        .unwrap()
    }

    #[test]
    fn a_site_token_should_need_the_scope() {
        let ok = site_request(&[("scope", "liaison/referrals openid")]);
        assert!(require_site_scope(&ok, SITE_REFERRALS_SCOPE).is_ok());
        let scp = site_request(&[("scp", "[liaison/referrals]")]);
        assert!(require_site_scope(&scp, SITE_REFERRALS_SCOPE).is_ok());
        // A staff token, whatever its groups, carries no such scope.
        let staff = site_request(&[("cognito:groups", "[liaison-admin]")]);
        assert_eq!(
            require_site_scope(&staff, SITE_REFERRALS_SCOPE)
                .unwrap_err()
                .status(),
            403
        );
        let prefix = site_request(&[("scope", "liaison/referrals.read")]);
        assert!(require_site_scope(&prefix, SITE_REFERRALS_SCOPE).is_err());
        assert_eq!(
            require_site_scope(&Request::default(), SITE_REFERRALS_SCOPE)
                .unwrap_err()
                .status(),
            401
        );
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
