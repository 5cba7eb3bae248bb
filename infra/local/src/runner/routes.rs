//! HTTP API routes as API Gateway matches them: `METHOD /path/{param}/{greedy+}`, the most
//! specific route winning, `ANY` matching every method.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

#[derive(Debug, Clone)]
pub struct CompiledRoute {
    pub method: String,
    pub path: String,
    segments: Vec<Segment>,
    pub function: String,
    pub authorizer: Option<String>,
    /// The route's authorization scopes: the token must carry one (empty: no check).
    pub scopes: Vec<String>,
}

impl CompiledRoute {
    pub fn new(method: &str, path: &str, function: &str, authorizer: Option<String>) -> Self {
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => match name.strip_suffix('+') {
                        Some(greedy) => Segment::Greedy(greedy.to_string()),
                        None => Segment::Param(name.to_string()),
                    },
                    None => Segment::Literal(s.to_string()),
                },
            )
            .collect();
        CompiledRoute {
            method: method.to_uppercase(),
            path: path.to_string(),
            segments,
            function: function.to_string(),
            authorizer,
            scopes: Vec::new(),
        }
    }

    pub fn with_scopes(mut self, scopes: Vec<String>) -> Self {
        self.scopes = scopes;
        self
    }

    /// The token's scopes that let it take this route, as API Gateway checks them: `None`
    /// means 403 (the route wants scopes and the token's `scope` claim has none of them).
    pub fn granted_scopes(&self, claims: &HashMap<String, String>) -> Option<Vec<String>> {
        if self.scopes.is_empty() {
            return Some(Vec::new());
        }
        let held: Vec<String> = ["scope", "scp"]
            .iter()
            .filter_map(|n| claims.get(*n))
            .flat_map(|raw| {
                raw.trim_matches(|c| c == '[' || c == ']')
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        self.scopes.iter().any(|s| held.contains(s)).then_some(held)
    }

    pub fn route_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn matches(&self, method: &str, path: &str) -> Option<HashMap<String, String>> {
        if self.method != "ANY" && self.method != method {
            return None;
        }
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut params = HashMap::new();
        let mut i = 0;
        for segment in &self.segments {
            match segment {
                Segment::Literal(lit) => {
                    if parts.get(i) != Some(&lit.as_str()) {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    let value = parts.get(i)?;
                    params.insert(name.clone(), percent_decode(value));
                }
                Segment::Greedy(name) => {
                    if i >= parts.len() {
                        return None;
                    }
                    params.insert(name.clone(), parts[i..].join("/"));
                    return Some(params);
                }
            }
            i += 1;
        }
        (i == parts.len()).then_some(params)
    }

    /// Higher is more specific: literals beat parameters, parameters beat greedy paths,
    /// a named method beats ANY.
    fn specificity(&self) -> (usize, usize, bool) {
        let literals = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        let non_greedy = self
            .segments
            .iter()
            .filter(|s| !matches!(s, Segment::Greedy(_)))
            .count();
        (literals, non_greedy, self.method != "ANY")
    }
}

/// The best route for a request, with its path parameters.
pub fn find<'a>(
    routes: &'a [CompiledRoute],
    method: &str,
    path: &str,
) -> Option<(&'a CompiledRoute, HashMap<String, String>)> {
    routes
        .iter()
        .filter_map(|r| r.matches(method, path).map(|p| (r, p)))
        .max_by_key(|(r, _)| r.specificity())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Vec<CompiledRoute> {
        vec![
            CompiledRoute::new("GET", "/admin/sources/{id}", "admin", None),
            CompiledRoute::new("POST", "/admin/sources/{id}/rotate", "admin", None),
            CompiledRoute::new("GET", "/admin/sources/special", "other", None),
            CompiledRoute::new("ANY", "/files/{path+}", "files", None),
        ]
    }

    #[test]
    fn a_route_with_scopes_should_want_one_of_them_in_the_token() {
        let route = CompiledRoute::new("GET", "/api/x", "f", Some("Site".into()))
            .with_scopes(vec!["liaison/referrals".into()]);
        let claims = |k: &str, v: &str| HashMap::from([(k.to_string(), v.to_string())]);
        assert!(route
            .granted_scopes(&claims("scope", "openid liaison/referrals"))
            .is_some());
        assert!(route
            .granted_scopes(&claims("scope", "liaison/referrals.read"))
            .is_none());
        assert!(route
            .granted_scopes(&claims("cognito:groups", "[liaison-admin]"))
            .is_none());
        let open = CompiledRoute::new("GET", "/admin/x", "f", Some("Staff".into()));
        assert!(open.granted_scopes(&HashMap::new()).is_some());
    }

    #[test]
    fn parameters_should_be_extracted_and_decoded() {
        let r = routes();
        let (route, params) = find(&r, "GET", "/admin/sources/src%5F1").unwrap();
        assert_eq!(route.route_key(), "GET /admin/sources/{id}");
        assert_eq!(params["id"], "src_1");
    }

    #[test]
    fn the_most_specific_route_should_win() {
        let r = routes();
        assert_eq!(
            find(&r, "GET", "/admin/sources/special")
                .unwrap()
                .0
                .function,
            "other"
        );
        let (route, params) = find(&r, "DELETE", "/files/a/b/c").unwrap();
        assert_eq!(route.function, "files");
        assert_eq!(params["path"], "a/b/c");
    }

    #[test]
    fn wrong_method_or_extra_segments_should_not_match() {
        let r = routes();
        assert!(find(&r, "POST", "/admin/sources/x").is_none());
        assert!(find(&r, "GET", "/admin/sources/x/y").is_none());
        assert!(find(&r, "GET", "/admin").is_none());
        assert!(find(&r, "GET", "/files").is_none());
    }
}
