//! A function's role, as IAM evaluates it: the inline statements of template.yaml, resolved
//! against the local resources, then matched action by action and resource by resource.
//!
//! The evaluation is IAM's for identity-based policies: an explicit `Deny` wins, then any
//! `Allow` whose action and resource patterns both match, else the implicit deny. Action
//! patterns match without regard to case (`dynamodb:getitem` is `dynamodb:GetItem`);
//! resource patterns with case. `*` matches any run of characters and `?` one, in both.

use serde_json::Value;

use crate::resolve::{ResolveError, Resolver};

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("statement {index}: {message}")]
    Statement { index: usize, message: String },
    #[error("statement {index}: {source}")]
    Resolve {
        index: usize,
        #[source]
        source: ResolveError,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone)]
struct Statement {
    effect: Effect,
    actions: Vec<String>,
    resources: Vec<String>,
}

/// One function's permissions: what its role's statements allow.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    statements: Vec<Statement>,
}

/// One request an AWS service authorises: an action on a resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Check {
    pub action: String,
    pub resource: String,
}

impl Check {
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        Check {
            action: action.into(),
            resource: resource.into(),
        }
    }
}

fn strings(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    }
}

impl Policy {
    /// Compiles template statements (long-form intrinsics) against the local resources.
    pub fn compile(statements: &[Value], resolver: &Resolver<'_>) -> Result<Self, PolicyError> {
        let mut compiled = Vec::with_capacity(statements.len());
        for (index, statement) in statements.iter().enumerate() {
            let fail = |message: &str| PolicyError::Statement {
                index,
                message: message.to_string(),
            };
            for unsupported in ["NotAction", "NotResource", "Condition", "Principal"] {
                if statement.get(unsupported).is_some() {
                    return Err(fail(&format!(
                        "{unsupported} is not evaluated locally: write the grant without it"
                    )));
                }
            }
            let effect = match statement.get("Effect").and_then(Value::as_str) {
                Some("Allow") => Effect::Allow,
                Some("Deny") => Effect::Deny,
                _ => return Err(fail("Effect must be Allow or Deny")),
            };
            let actions: Vec<String> = strings(statement.get("Action"))
                .into_iter()
                .map(|a| a.as_str().map(str::to_ascii_lowercase))
                .collect::<Option<_>>()
                .ok_or_else(|| fail("Action must be a string or a list of strings"))?;
            let resources = strings(statement.get("Resource"))
                .into_iter()
                .map(|r| resolver.resolve(r))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| PolicyError::Resolve { index, source })?;
            if actions.is_empty() || resources.is_empty() {
                return Err(fail("needs an Action and a Resource"));
            }
            compiled.push(Statement {
                effect,
                actions,
                resources,
            });
        }
        Ok(Policy {
            statements: compiled,
        })
    }

    /// Whether the role may perform this check.
    pub fn allows(&self, check: &Check) -> bool {
        let action = check.action.to_ascii_lowercase();
        let matching = |s: &&Statement| {
            s.actions.iter().any(|p| wildcard_match(p, &action))
                && s.resources
                    .iter()
                    .any(|p| wildcard_match(p, &check.resource))
        };
        let mut allowed = false;
        for statement in self.statements.iter().filter(matching) {
            match statement.effect {
                Effect::Deny => return false,
                Effect::Allow => allowed = true,
            }
        }
        allowed
    }

    /// The statements' (action pattern, resource pattern) pairs that allow something, to
    /// report grants that no call used.
    pub fn grants(&self) -> Vec<Check> {
        self.statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
            .flat_map(|s| {
                s.actions.iter().flat_map(move |a| {
                    s.resources
                        .iter()
                        .map(move |r| Check::new(a.clone(), r.clone()))
                })
            })
            .collect()
    }
}

/// IAM's pattern matching: `*` any run of characters (none included), `?` exactly one.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::Provisioned;
    use crate::template::Template;
    use std::collections::BTreeMap;

    fn provisioned() -> Provisioned {
        Provisioned {
            prefix: "p".into(),
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
            tables: BTreeMap::from([("T".to_string(), "p-T".to_string())]),
            queues: BTreeMap::new(),
            email_identities: Vec::new(),
        }
    }

    /// Compiles `statements` against a stack with one table, `T`.
    fn compile(statements: Value) -> Result<Policy, PolicyError> {
        let template = Template::parse("Resources: {}").unwrap_or_else(|e| panic!("{e}"));
        let provisioned = provisioned();
        let parameters = BTreeMap::new();
        let resolver = Resolver {
            template: &template,
            parameters: &parameters,
            provisioned: &provisioned,
        };
        let list = statements.as_array().cloned().unwrap_or_default();
        Policy::compile(&list, &resolver)
    }

    fn policy(statements: Value) -> Policy {
        compile(statements).unwrap_or_else(|e| panic!("{e}"))
    }

    const TABLE: &str = "arn:aws:dynamodb:eu-west-1:123456789012:table/p-T";

    #[test]
    fn an_allowed_action_on_its_table_should_pass_and_its_index_should_not() {
        let p = policy(serde_json::json!([
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
             "Resource": {"Fn::GetAtt": ["T", "Arn"]}}
        ]));
        assert!(p.allows(&Check::new("dynamodb:GetItem", TABLE)));
        assert!(p.allows(&Check::new("dynamodb:getitem", TABLE)));
        assert!(!p.allows(&Check::new("dynamodb:PutItem", TABLE)));
        assert!(!p.allows(&Check::new(
            "dynamodb:Query",
            format!("{TABLE}/index/ByKind")
        )));
    }

    #[test]
    fn an_explicit_deny_should_win_over_a_wildcard_allow() {
        let p = policy(serde_json::json!([
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": {"Fn::Sub": "${T.Arn}*"}},
            {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"}
        ]));
        assert!(p.allows(&Check::new(
            "dynamodb:Query",
            format!("{TABLE}/index/ByKind")
        )));
        assert!(!p.allows(&Check::new("dynamodb:DeleteItem", TABLE)));
    }

    #[test]
    fn a_condition_should_be_refused_rather_than_ignored() {
        let statement = serde_json::json!([{"Effect": "Allow", "Action": "sqs:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]);
        assert!(compile(statement).is_err());
    }

    #[test]
    fn wildcards_should_match_as_iam_does() {
        assert!(wildcard_match("a*c", "abbbc"));
        assert!(wildcard_match("a*c", "ac"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(!wildcard_match("table/x", "table/x/index/y"));
        assert!(wildcard_match("*", ""));
    }
}
