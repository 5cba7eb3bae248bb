//! A notice as a Slack message (an incoming webhook: `{"text", "blocks"}`, answered `ok`)
//! or a Teams Adaptive Card (a Workflows trigger: `{"type": "message", "attachments"}`,
//! answered 202). The hook's URL is its own credential: sealed as the endpoint's token,
//! opened and checked at every call.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shared::contracts::deliveries::endpoints::{Endpoint, Kind};

use super::Notice;
use crate::api::{success, Api};
use crate::attempt::Tried;
use crate::Deps;

pub async fn post(deps: &Deps, endpoint: &Endpoint, notice: &Notice, now: DateTime<Utc>) -> Tried {
    let hook = match crate::api::credential(deps, endpoint, "hook URL", now) {
        Ok(hook) => hook,
        Err(refused) => return refused,
    };
    if let Err(why) = shared::contracts::outbound::check_url(&hook, deps.allow_private) {
        return Tried::refused(now, format!("the hook URL {why}"));
    }
    let body = match endpoint.kind {
        Kind::Teams => teams(notice),
        _ => slack(notice),
    };
    let mut api = Api::new(&deps.http, &hook, None, now);
    let done = match api.call(Method::POST, "", Some(&body)).await {
        Ok(reply) => success(reply).map(|_| format!("posted: {}", notice.title)),
        Err(failure) => Err(failure),
    };
    api.tried(done)
}

/// Slack's `mrkdwn` takes `&`, `<` and `>` escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn slack(notice: &Notice) -> Value {
    let mut blocks =
        vec![json!({"type": "header", "text": {"type": "plain_text", "text": notice.title}})];
    if let Some(quote) = &notice.quote {
        let quoted: Vec<String> = quote.lines().map(|l| format!(">{}", escape(l))).collect();
        blocks.push(
            json!({"type": "section", "text": {"type": "mrkdwn", "text": quoted.join("\n")}}),
        );
    }
    if !notice.facts.is_empty() {
        let fields: Vec<Value> = notice
            .facts
            .iter()
            .map(|(label, value)| json!({"type": "mrkdwn", "text": format!("*{label}*\n{}", escape(value))}))
            .collect();
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    if let Some(link) = &notice.link {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("<{}|Open>", escape(link))}}));
    }
    // `text` is what notifications and screen readers show.
    json!({ "text": notice.title, "blocks": blocks })
}

pub fn teams(notice: &Notice) -> Value {
    let mut body = vec![
        json!({"type": "TextBlock", "text": notice.title, "weight": "Bolder", "size": "Medium", "wrap": true}),
    ];
    if let Some(quote) = &notice.quote {
        body.push(json!({"type": "TextBlock", "text": quote, "wrap": true, "isSubtle": true}));
    }
    if !notice.facts.is_empty() {
        let facts: Vec<Value> = notice
            .facts
            .iter()
            .map(|(label, value)| json!({"title": label, "value": value}))
            .collect();
        body.push(json!({"type": "FactSet", "facts": facts}));
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    });
    if let Some(link) = &notice.link {
        card["actions"] = json!([{"type": "Action.OpenUrl", "title": "Open", "url": link}]);
    }
    json!({"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": null,
        "content": card,
    }]})
}
