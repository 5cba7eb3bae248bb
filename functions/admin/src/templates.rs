//! `/admin/templates/{name}`: the emails staff may reword (`shared::contracts::templates`), per
//! language. A saved template is checked first (it parses, renders within its budget and
//! keeps its required variables); deleting it brings the default back. Identify reads them
//! through its settings cache, so a change applies within a minute.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde_json::{json, Value};
use shared::contracts::templates::{self, EmailTemplate, Kind, LANGUAGES};
use shared::kit::http::{self, Request, Response};
use shared::Error;

use shared::kit::auth::Caller;

pub struct Templates {
    pub client: Client,
    pub table: String,
    pub clock: shared::kit::clock::Clock,
}

fn kind(name: &str) -> Result<&'static Kind, Error> {
    templates::kind(name).ok_or_else(|| Error::NotFound(format!("no email template {name}")))
}

fn language(name: &str) -> Result<&'static str, Error> {
    LANGUAGES
        .into_iter()
        .find(|l| *l == name)
        .ok_or_else(|| Error::NotFound(format!("no language {name}; one of fr, en")))
}

impl Templates {
    /// Each language's wording (saved or default) and the variables it may use.
    pub async fn get(&self, name: &str) -> Result<Response, Error> {
        let kind = kind(name)?;
        let mut body = json!({
            "name": kind.name,
            "variables": kind.variables.iter().map(|(v, sample, required)| json!({"name": v, "sample": sample, "required": required})).collect::<Vec<_>>(),
        });
        for language in LANGUAGES {
            let out = self
                .client
                .get_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(templates::PK.into()))
                .key("sk", AttributeValue::S(kind.sk(language)))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| Error::from_sdk("GetItem template", e))?;
            body[language] = match out.item {
                Some(mut item) => {
                    item.remove("pk");
                    item.remove("sk");
                    let mut saved: Value = serde_dynamo::from_item(item)
                        .map_err(|e| Error::caused("decode template", e))?;
                    saved["custom"] = json!(true);
                    saved
                }
                None => {
                    let mut default = json!(kind.default_for(language));
                    default["custom"] = json!(false);
                    default
                }
            };
        }
        Ok(http::json(200, &body))
    }

    pub async fn put(
        &self,
        req: &Request,
        name: &str,
        lang: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let kind = kind(name)?;
        let lang = language(lang)?;
        let template: EmailTemplate = http::json_body(req)?;
        kind.validate(&template)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(templates::PK.into()))
            .item("sk", AttributeValue::S(kind.sk(lang)))
            .item("subject", AttributeValue::S(template.subject.clone()))
            .item("text", AttributeValue::S(template.text.clone()))
            .item(
                "updated_at",
                AttributeValue::S(self.clock.now().to_rfc3339()),
            )
            .item("updated_by", AttributeValue::S(caller.subject.clone()))
            .send()
            .await
            .map_err(|e| Error::from_sdk("PutItem template", e))?;
        tracing::info!(
            template = kind.name,
            language = lang,
            "email template saved"
        );
        Ok(http::json(
            200,
            &json!({"name": kind.name, "language": lang, "subject": template.subject, "text": template.text, "custom": true}),
        ))
    }

    /// Back to the default wording.
    pub async fn delete(&self, name: &str, lang: &str) -> Result<Response, Error> {
        let kind = kind(name)?;
        let lang = language(lang)?;
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(templates::PK.into()))
            .key("sk", AttributeValue::S(kind.sk(lang)))
            .send()
            .await
            .map_err(|e| Error::from_sdk("DeleteItem template", e))?;
        tracing::info!(
            template = kind.name,
            language = lang,
            "email template reset"
        );
        Ok(http::empty(204))
    }
}
