//! `liaison-local iam-report LOG`: what a test run's IAM log (`LIAISON_IAM_LOG`) says of the
//! template's grants. A *missing* grant is a call the gateway refused that template.yaml still
//! refuses (a test that removed a grant on purpose does not count); an *unused* grant is an
//! (action, resource) pair of a function's statements that no call of the run needed.
//!
//! Every test names its resources `{prefix}-{LogicalId}`; the log's ARNs are brought back to a
//! single stack name before they are compared.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::policy::{wildcard_match, Check, Policy};
use crate::resolve::Resolver;
use crate::template::Template;

const STACK: &str = "stack";

#[derive(Debug, Default)]
pub struct Report {
    /// function → checks refused that the template refuses too.
    pub missing: BTreeMap<String, BTreeSet<Check>>,
    /// function → grants no call used.
    pub unused: BTreeMap<String, BTreeSet<Check>>,
    /// How many distinct (function, check) calls the log holds.
    pub calls: usize,
}

/// `…:table/t1234-5-ab12-ContactsTable/index/X` is `…:table/stack-ContactsTable/index/X`.
/// `…:parameter/t1234-5-ab12/lookup-key` (a secret under the stack's path) is
/// `…:parameter/stack/lookup-key`.
fn normalise(resource: &str, logical_ids: &[String]) -> String {
    if let Some((head, path)) = resource.split_once(":parameter/") {
        let rest = path.split_once('/').map_or("", |(_, rest)| rest);
        return format!("{head}:parameter/{STACK}/{rest}");
    }
    for id in logical_ids {
        let marker = format!("-{id}");
        if let Some(at) = resource.find(&marker) {
            let end = at + marker.len();
            let boundary = resource[end..]
                .chars()
                .next()
                .is_none_or(|c| c == '/' || c == ':');
            let start = resource[..at].rfind(['/', ':']).map_or(0, |i| i + 1);
            if boundary {
                return format!("{}{STACK}-{id}{}", &resource[..start], &resource[end..]);
            }
        }
    }
    resource.to_string()
}

pub fn report(template: &Template, parameters: &BTreeMap<String, String>, log: &str) -> Report {
    let provisioned = crate::placeholder_resources(template, STACK);
    let resolver = Resolver {
        template,
        parameters,
        provisioned: &provisioned,
    };
    // Every resource's name carries its logical id (tables, queues, configuration sets...).
    let mut ids: Vec<String> = template.resource_types.keys().cloned().collect();
    // Longest first: `SendsDeadLetterQueue` before `SendsQueue`'s prefix could match.
    ids.sort_by_key(|id| std::cmp::Reverse(id.len()));
    let policies: BTreeMap<&str, Policy> = template
        .functions
        .iter()
        .filter_map(|f| {
            Policy::compile(&f.statements, &resolver)
                .ok()
                .map(|p| (f.logical_id.as_str(), p))
        })
        .collect();

    let mut used: BTreeMap<String, BTreeSet<Check>> = BTreeMap::new();
    let mut missing: BTreeMap<String, BTreeSet<Check>> = BTreeMap::new();
    for line in log.lines() {
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let function = entry["function"].as_str().unwrap_or_default().to_string();
        let Some(policy) = policies.get(function.as_str()) else {
            continue; // a test's own template, not template.yaml
        };
        let check = Check::new(
            entry["action"].as_str().unwrap_or_default(),
            normalise(entry["resource"].as_str().unwrap_or_default(), &ids),
        );
        match entry["kind"].as_str() {
            Some("used") => {
                used.entry(function).or_default().insert(check);
            }
            Some("denied") if !policy.allows(&check) => {
                missing.entry(function).or_default().insert(check);
            }
            _ => {}
        }
    }
    let mut unused: BTreeMap<String, BTreeSet<Check>> = BTreeMap::new();
    for (function, policy) in &policies {
        let calls = used.get(*function);
        for grant in policy.grants() {
            let needed = calls.is_some_and(|calls| {
                calls.iter().any(|c| {
                    wildcard_match(&grant.action, &c.action.to_ascii_lowercase())
                        && wildcard_match(&grant.resource, &c.resource)
                })
            });
            if !needed {
                unused
                    .entry(function.to_string())
                    .or_default()
                    .insert(grant);
            }
        }
    }
    Report {
        missing,
        unused,
        calls: used.values().map(BTreeSet::len).sum(),
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = |m: &BTreeMap<String, BTreeSet<Check>>| m.values().map(BTreeSet::len).sum();
        let (missing, unused): (usize, usize) = (count(&self.missing), count(&self.unused));
        writeln!(
            f,
            "{} distinct calls; {missing} missing grants; {unused} unused grants",
            self.calls
        )?;
        for (title, map) in [("missing", &self.missing), ("unused", &self.unused)] {
            for (function, checks) in map {
                for c in checks {
                    writeln!(
                        f,
                        "  {title:8} {function:28} {:28} {}",
                        c.action, c.resource
                    )?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn a_tests_prefix_should_become_the_stack_name() {
        let ids = vec!["SendsDeadLetterQueue".to_string(), "SendsQueue".to_string()];
        assert_eq!(
            normalise("arn:aws:sqs:eu-west-1:1:t99-3-ab12-SendsQueue", &ids),
            "arn:aws:sqs:eu-west-1:1:stack-SendsQueue"
        );
        assert_eq!(
            normalise(
                "arn:aws:dynamodb:r:1:table/liaison-SendsQueue/index/ByX",
                &ids
            ),
            "arn:aws:dynamodb:r:1:table/stack-SendsQueue/index/ByX"
        );
    }
}
