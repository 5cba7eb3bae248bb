//! `/admin/rules`: the brand's own rules, applied by identify before the built-in
//! classifier (`shared::contracts::rules` says what a rule is; `identify::rules` applies them).
//! Stored in `SettingsTable` (`shared::contracts::settings`), one item per rule.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde_json::json;
use shared::contracts::rules::{Rule, RuleSpec};
use shared::contracts::settings::{self, Expect, RULES};
use shared::kit::http::{self, Request, Response};
use shared::Error;

use shared::kit::auth::Caller;

/// Every message is matched against every rule: a bound keeps that cheap.
pub const MAX_RULES: usize = 200;

type Item = HashMap<String, AttributeValue>;

pub struct Rules {
    pub client: Client,
    pub table: String,
    pub clock: shared::kit::clock::Clock,
}

impl Rules {
    pub async fn list(&self) -> Result<Response, Error> {
        let mut rules = self.all().await?;
        rules.sort_by(|a, b| (a.spec.order, &a.id).cmp(&(b.spec.order, &b.id)));
        Ok(http::json(200, &json!({ "rules": rules })))
    }

    pub async fn create(&self, req: &Request, caller: &Caller) -> Result<Response, Error> {
        let spec: RuleSpec = http::json_body(req)?;
        spec.validate()?;
        if self.all().await?.len() >= MAX_RULES {
            return Err(Error::Conflict(format!(
                "at most {MAX_RULES} rules; delete one first"
            )));
        }
        let rule = Rule {
            id: shared::kit::ids::new_id("rule")?,
            spec,
            updated_at: self.clock.now(),
            updated_by: caller.subject.clone(),
        };
        if !self.put(&rule, Expect::Absent).await? {
            return Err(Error::Conflict(
                "a rule with this id exists; try again".into(),
            ));
        }
        tracing::info!(rule_id = %rule.id, "rule created");
        Ok(http::json(201, &rule))
    }

    pub async fn get(&self, id: &str) -> Result<Response, Error> {
        let rule: Rule = settings::get(&self.client, &self.table, RULES, id)
            .await?
            .ok_or_else(|| Error::NotFound("no such rule".into()))?;
        Ok(http::json(200, &rule))
    }

    /// Replaces the rule's conditions and actions.
    pub async fn replace(
        &self,
        req: &Request,
        id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let spec: RuleSpec = http::json_body(req)?;
        spec.validate()?;
        let rule = Rule {
            id: id.to_string(),
            spec,
            updated_at: self.clock.now(),
            updated_by: caller.subject.clone(),
        };
        if !self.put(&rule, Expect::Present).await? {
            return Err(Error::NotFound("no such rule".into()));
        }
        tracing::info!(rule_id = %rule.id, "rule replaced");
        Ok(http::json(200, &rule))
    }

    pub async fn delete(&self, id: &str) -> Result<Response, Error> {
        if !settings::delete(&self.client, &self.table, RULES, id, Expect::Present).await? {
            return Err(Error::NotFound("no such rule".into()));
        }
        tracing::info!(rule_id = %id, "rule deleted");
        Ok(http::empty(204))
    }

    /// `false` when `expect` (the rule is new, or exists) does not hold.
    async fn put(&self, rule: &Rule, expect: Expect) -> Result<bool, Error> {
        settings::put(&self.client, &self.table, RULES, &rule.id, rule, expect).await
    }

    async fn all(&self) -> Result<Vec<Rule>, Error> {
        settings::partition(&self.client, &self.table, RULES, true)
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }
}

fn decode(mut item: Item) -> Result<Rule, Error> {
    item.remove("pk");
    item.remove("sk");
    shared::kit::dynamo::decode(item, "rule")
}
