//! The inbox's filters, on every queue it shows (cases, opportunities, questions and held
//! contributions): `?source=` (a source's id), `?platform=`, `?label=`, `?tag=` (one of the
//! brand's rule tags) and, on the work queues, `?assignee=` (`none`: nobody yet) and, on
//! questions, `?owner=`. They become one DynamoDB filter expression on the queue's Query,
//! which `shared::kit::pages::page` reads on until the page is full.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::contracts::rules::{Label, Team};
use shared::contracts::sources::Platform;
use shared::kit::http::{self, Request};
use shared::Error;

/// The queue being filtered: where its items keep their label, and what else they have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Cases and opportunities: an assignee, the label at `label`.
    Work,
    /// Questions: the same, and an owner team.
    Questions,
    /// Held contributions: the label inside `classification`, no assignee.
    Contributions,
}

const MAX_VALUE: usize = 200;

/// What a request asks to keep, as a filter expression and its names and values.
#[derive(Debug, Default, PartialEq)]
pub struct Filters {
    clauses: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Filters {
    pub fn from_request(req: &Request, queue: Queue) -> Result<Self, Error> {
        let mut filters = Filters::default();
        if let Some(source) = param(req, "source")? {
            filters.equal("source_id", "source", source);
        }
        if let Some(platform) = param(req, "platform")? {
            let platform = Platform::parse(platform).ok_or_else(|| {
                Error::validation(
                    "platform",
                    "not a platform Liaison knows (see /admin/sources)",
                )
            })?;
            filters.equal("platform", "platform", platform.as_str());
        }
        if let Some(label) = param(req, "label")? {
            let label = Label::parse(label).ok_or_else(|| {
                Error::validation(
                    "label",
                    "one of incident, purchase_intent, question, praise, spam, other",
                )
            })?;
            let path = match queue {
                Queue::Contributions => "classification.label",
                Queue::Work | Queue::Questions => "label",
            };
            filters.equal(path, "label", label.as_str());
        }
        if let Some(tag) = param(req, "tag")? {
            filters.names.insert("#tags".into(), "tags".into());
            filters
                .values
                .insert(":tag".into(), AttributeValue::S(tag.into()));
            filters.clauses.push("contains(#tags, :tag)".into());
        }
        if let Some(assignee) = param(req, "assignee")? {
            if queue == Queue::Contributions {
                return Err(Error::validation(
                    "assignee",
                    "held contributions have no assignee",
                ));
            }
            filters.names.insert("#assignee".into(), "assignee".into());
            if assignee == "none" {
                filters
                    .clauses
                    .push("attribute_not_exists(#assignee)".into());
            } else {
                let value = AttributeValue::S(assignee.into());
                filters.values.insert(":assignee".into(), value);
                filters.clauses.push("#assignee = :assignee".into());
            }
        }
        if let Some(owner) = param(req, "owner")? {
            let team = Team::parse(owner)
                .filter(|_| queue == Queue::Questions)
                .ok_or_else(|| {
                    Error::validation(
                        "owner",
                        match queue {
                            Queue::Questions => "must be support, marketing or press",
                            _ => "only questions have an owner",
                        },
                    )
                })?;
            filters.equal("owner", "owner", team.as_str());
        }
        Ok(filters)
    }

    /// `#name = :name` on the attribute at `path` (dotted: a map's member).
    fn equal(&mut self, path: &str, name: &str, value: &str) {
        let mut placeholders = Vec::new();
        for (i, part) in path.split('.').enumerate() {
            let placeholder = format!("#{name}{i}");
            self.names.insert(placeholder.clone(), part.to_string());
            placeholders.push(placeholder);
        }
        let value_name = format!(":{name}");
        self.values
            .insert(value_name.clone(), AttributeValue::S(value.to_string()));
        self.clauses
            .push(format!("{} = {value_name}", placeholders.join(".")));
    }

    /// `query` keeping only the items every filter accepts (unchanged without filters).
    pub fn apply(self, query: QueryFluentBuilder) -> QueryFluentBuilder {
        if self.clauses.is_empty() {
            return query;
        }
        let mut query = query.filter_expression(self.clauses.join(" AND "));
        for (placeholder, name) in self.names {
            query = query.expression_attribute_names(placeholder, name);
        }
        for (placeholder, value) in self.values {
            query = query.expression_attribute_values(placeholder, value);
        }
        query
    }
}

/// The trimmed value of `?name=`, `None` when absent or empty, refused when too long.
fn param<'r>(req: &'r Request, name: &str) -> Result<Option<&'r str>, Error> {
    match http::query_param(req, name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) if value.chars().count() > MAX_VALUE => Err(Error::validation(
            name,
            format!("at most {MAX_VALUE} characters"),
        )),
        Some(value) => Ok(Some(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str) -> Request {
        let mut req = Request::default();
        let pairs: HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        req.query_string_parameters = pairs.into();
        req
    }

    #[test]
    fn every_filter_should_become_one_clause_of_one_expression() {
        let filters = Filters::from_request(
            &request("source=src_1&platform=discourse&label=incident&tag=vip&assignee=none"),
            Queue::Work,
        )
        .unwrap();
        assert_eq!(
            filters.clauses,
            [
                "#source0 = :source",
                "#platform0 = :platform",
                "#label0 = :label",
                "contains(#tags, :tag)",
                "attribute_not_exists(#assignee)",
            ]
        );
        assert!(!filters.values.contains_key(":assignee"));
    }

    #[test]
    fn a_held_contribution_label_should_be_read_inside_its_classification() {
        let filters = Filters::from_request(&request("label=spam"), Queue::Contributions).unwrap();
        assert_eq!(filters.clauses, ["#label0.#label1 = :label"]);
        assert_eq!(filters.names["#label0"], "classification");
        assert_eq!(filters.names["#label1"], "label");
    }

    #[test]
    fn unknown_values_and_misplaced_filters_should_be_refused_by_name() {
        for (query, queue, field) in [
            ("platform=myspace", Queue::Work, "platform"),
            ("label=rant", Queue::Work, "label"),
            ("assignee=ann", Queue::Contributions, "assignee"),
            ("owner=support", Queue::Work, "owner"),
            ("owner=sales", Queue::Questions, "owner"),
        ] {
            match Filters::from_request(&request(query), queue) {
                Err(Error::Validation { field: f, .. }) => {
                    assert_eq!(f.as_deref(), Some(field), "{query}")
                }
                other => panic!("{query}: {other:?}"),
            }
        }
        let long = format!("tag={}", "x".repeat(201));
        assert!(Filters::from_request(&request(&long), Queue::Work).is_err());
    }

    #[test]
    fn no_filter_should_leave_the_query_as_it_was() {
        let filters = Filters::from_request(&request("status=open&source="), Queue::Work).unwrap();
        assert_eq!(filters, Filters::default());
    }
}
