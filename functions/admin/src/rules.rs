//! `/admin/rules`: the brand's own rules, applied by identify before the built-in
//! classifier (`shared::contracts::rules` says what a rule is; `identify::rules` applies them).
//! Stored in `SettingsTable` under `pk = "rule"`, one item per rule.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde_json::json;
use shared::contracts::rules::{Rule, RuleSpec};
use shared::kit::dynamo::{condition_held, is_condition_failure};
use shared::kit::http::{self, Request, Response};
use shared::Error;

use shared::kit::auth::Caller;

/// Every message is matched against every rule: a bound keeps that cheap.
pub const MAX_RULES: usize = 200;
const PK: &str = "rule";

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
        if !self.put(&rule, "attribute_not_exists(pk)").await? {
            return Err(Error::Conflict(
                "a rule with this id exists; try again".into(),
            ));
        }
        tracing::info!(rule_id = %rule.id, "rule created");
        Ok(http::json(201, &rule))
    }

    pub async fn get(&self, id: &str) -> Result<Response, Error> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(PK.into()))
            .key("sk", AttributeValue::S(id.into()))
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem rule", e))?;
        let item = out
            .item
            .ok_or_else(|| Error::NotFound("no such rule".into()))?;
        Ok(http::json(200, &decode(item)?))
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
        if !self.put(&rule, "attribute_exists(pk)").await? {
            return Err(Error::NotFound("no such rule".into()));
        }
        tracing::info!(rule_id = %rule.id, "rule replaced");
        Ok(http::json(200, &rule))
    }

    pub async fn delete(&self, id: &str) -> Result<Response, Error> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(PK.into()))
            .key("sk", AttributeValue::S(id.into()))
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        match deleted {
            Ok(_) => {
                tracing::info!(rule_id = %id, "rule deleted");
                Ok(http::empty(204))
            }
            Err(e) if is_condition_failure(&e) => Err(Error::NotFound("no such rule".into())),
            Err(e) => Err(Error::from_sdk("DeleteItem rule", e)),
        }
    }

    /// `condition`: the rule must not exist yet (create) or must exist (replace); `false`
    /// when it does not hold.
    async fn put(&self, rule: &Rule, condition: &str) -> Result<bool, Error> {
        let mut item: Item =
            serde_dynamo::to_item(rule).map_err(|e| Error::caused("encode rule", e))?;
        item.insert("pk".into(), AttributeValue::S(PK.into()));
        item.insert("sk".into(), AttributeValue::S(rule.id.clone()));
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .send()
            .await;
        condition_held(written, "PutItem rule")
    }

    async fn all(&self) -> Result<Vec<Rule>, Error> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(PK.into()))
            .consistent_read(true);
        shared::kit::pages::query_all(query, "Query rules")
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }
}

fn decode(mut item: Item) -> Result<Rule, Error> {
    item.remove("pk");
    item.remove("sk");
    serde_dynamo::from_item(item).map_err(|e| Error::caused("decode rule", e))
}
