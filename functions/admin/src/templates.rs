//! `/admin/templates/{name}`: the emails staff may reword (`shared::contracts::templates`), per
//! language. A saved template is checked first (it parses, renders within its budget and
//! keeps its required variables); deleting it brings the default back. Identify reads them
//! through its settings cache, so a change applies within a minute.

use aws_sdk_dynamodb::Client;
use serde_json::{json, Value};
use shared::contracts::settings::{self, Expect, TEMPLATES};
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
            let saved: Option<Value> =
                settings::get(&self.client, &self.table, TEMPLATES, &kind.sk(language)).await?;
            body[language] = match saved {
                Some(mut saved) => {
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
        let saved = json!({
            "subject": template.subject,
            "text": template.text,
            "updated_at": self.clock.now().to_rfc3339(),
            "updated_by": caller.subject,
        });
        let sk = kind.sk(lang);
        settings::put(
            &self.client,
            &self.table,
            TEMPLATES,
            &sk,
            &saved,
            Expect::Any,
        )
        .await?;
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

    /// `{"subject", "text"}` as being edited, rendered with the sample values after the
    /// checks a save makes (a 400 names the part at fault): nothing is stored.
    pub async fn preview(&self, req: &Request, name: &str) -> Result<Response, Error> {
        let kind = kind(name)?;
        let template: EmailTemplate = http::json_body(req)?;
        let (subject, text) = kind.preview(&template)?;
        Ok(http::json(200, &json!({"subject": subject, "text": text})))
    }

    /// Back to the default wording.
    pub async fn delete(&self, name: &str, lang: &str) -> Result<Response, Error> {
        let kind = kind(name)?;
        let lang = language(lang)?;
        let sk = kind.sk(lang);
        settings::delete(&self.client, &self.table, TEMPLATES, &sk, Expect::Any).await?;
        tracing::info!(
            template = kind.name,
            language = lang,
            "email template reset"
        );
        Ok(http::empty(204))
    }
}
