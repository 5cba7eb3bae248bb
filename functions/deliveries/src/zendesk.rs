//! The Zendesk Support connector (developer.zendesk.com/api-reference/ticketing): what a
//! Zendesk endpoint does with each event it takes.
//!
//! - `case.opened` → `POST /api/v2/tickets.json`: the requester (the author; their email
//!   only when the platform vouched for it), the contribution as a private first comment
//!   with its permalink, the case's priority (P1 urgent, P2 high, P3 normal) and due time,
//!   its tags, and the case id as `external_id`. One call; a retry (the previous attempt
//!   may have created it before its answer was lost) first looks the ticket up by
//!   `external_id`. The ticket's id and its requester's are linked to the case and the
//!   contact ([`Links`]).
//! - `case.closed` → `PUT /api/v2/tickets/{id}.json` with `status: solved` and the
//!   resolution as a private comment; not when Zendesk closed it (its own webhook did).
//! - `contact.erased` → `DELETE /api/v2/users/{id}.json` then
//!   `DELETE /api/v2/deleted_users/{id}.json`: the requester is erased for good.
//! - `webhook.test` → `GET /api/v2/users/me.json`: the login works.
//!
//! Every call carries `Authorization: Basic {email}/token:{api token}`. A `429` waits for
//! its `Retry-After`; the lane's schedule does the rest, as for webhooks.

use base64::Engine;
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shared::contracts::deliveries::endpoints::Endpoint;
use shared::contracts::deliveries::links::{Link, Linked, Links};
use shared::contracts::deliveries::store::{Pending, Recorded};
use shared::contracts::deliveries::EventType;

use crate::api::{id_of, success, text, transient, Api, Failure, Reply};
use crate::attempt::Tried;
use crate::Deps;

/// The longest subject Liaison writes (Zendesk takes more; an agent's list shows less).
const SUBJECT_CHARS: usize = 80;

pub async fn deliver(
    deps: &Deps,
    endpoint: &Endpoint,
    head: &Pending,
    event: &Recorded,
    now: DateTime<Utc>,
) -> Tried {
    let token = match crate::api::credential(deps, endpoint, "API token", now) {
        Ok(token) => token,
        Err(refused) => return refused,
    };
    let account = endpoint.account.as_deref().unwrap_or_default();
    let login =
        base64::engine::general_purpose::STANDARD.encode(format!("{account}/token:{token}"));
    let mut api = Api::new(
        &deps.http,
        &endpoint.url,
        Some(format!("Basic {login}")),
        now,
    );
    let done = match crate::api::payload(event) {
        Ok(payload) => {
            let call = Call {
                links: &deps.links,
                endpoint_id: &endpoint.id,
                data: &payload["data"],
                retry: head.attempts > 0,
                now,
            };
            match event.kind {
                EventType::CaseOpened => call.open_ticket(&mut api).await,
                EventType::CaseClosed => call.solve_ticket(&mut api).await,
                EventType::ContactErased => call.erase_requester(&mut api).await,
                EventType::WebhookTest => call.check_login(&mut api).await,
                other => Ok(format!(
                    "{} is not for Zendesk: nothing done",
                    other.as_str()
                )),
            }
        }
        Err(unreadable) => Err(unreadable),
    };
    api.tried(done)
}

/// One event's work for one Zendesk endpoint.
struct Call<'a> {
    links: &'a Links,
    endpoint_id: &'a str,
    data: &'a Value,
    /// An earlier attempt may have acted before its answer was lost.
    retry: bool,
    now: DateTime<Utc>,
}

impl Call<'_> {
    async fn open_ticket(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let case = &self.data["case"];
        let case_id = text(case, "id")?;
        if let Some(link) = self.link(Linked::Case, case_id).await? {
            return Ok(format!("ticket {} (opened before)", link.external_id));
        }
        if self.retry {
            let found = api
                .call(
                    Method::GET,
                    &format!(
                        "/api/v2/tickets.json?external_id={}",
                        crate::api::encode(case_id)
                    ),
                    None,
                )
                .await?;
            let found = success(found)?;
            if let Some(ticket) = found.body["tickets"].as_array().and_then(|t| t.first()) {
                return self.opened(case, ticket).await;
            }
        }
        let created = api
            .call(
                Method::POST,
                "/api/v2/tickets.json",
                Some(&ticket(case, &self.data["author"])),
            )
            .await?;
        let created = success(created)?;
        self.opened(case, &created.body["ticket"]).await
    }

    /// Links the case to `ticket`, and the contact to its requester.
    async fn opened(&self, case: &Value, ticket: &Value) -> Result<String, Failure> {
        let ticket_id = id_of(&ticket["id"])
            .ok_or_else(|| Failure::refused("Zendesk answered without a ticket id"))?;
        self.put_link(Linked::Case, text(case, "id")?, &ticket_id)
            .await?;
        if let (Some(contact), Some(requester)) =
            (case["contact_id"].as_str(), id_of(&ticket["requester_id"]))
        {
            self.put_link(Linked::Contact, contact, &requester).await?;
        }
        Ok(format!("ticket {ticket_id}"))
    }

    async fn solve_ticket(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        if self.data["by"].as_str() == Some("zendesk") {
            return Ok("solved in Zendesk: nothing to tell it".into());
        }
        let case = &self.data["case"];
        let Some(link) = self.link(Linked::Case, text(case, "id")?).await? else {
            return Ok("no ticket was opened for this case".into());
        };
        let resolution = case["resolution"].as_str().unwrap_or_default();
        let note = match resolution.is_empty() {
            true => "Closed in Liaison.".to_string(),
            false => format!("Closed in Liaison: {resolution}"),
        };
        let body =
            json!({"ticket": {"status": "solved", "comment": {"body": note, "public": false}}});
        let path = format!("/api/v2/tickets/{}.json", link.external_id);
        let reply = api.call(Method::PUT, &path, Some(&body)).await?;
        match reply.status {
            // Deleted in Zendesk, or closed there (a closed ticket takes no update).
            404 => Ok(format!("ticket {} no longer exists", link.external_id)),
            422 if is_closed(&reply) => Ok(format!("ticket {} was closed", link.external_id)),
            _ => success(reply).map(|_| format!("ticket {} solved", link.external_id)),
        }
    }

    async fn erase_requester(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let contact = text(self.data, "contact_id")?;
        let Some(link) = self.link(Linked::Contact, contact).await? else {
            return Ok("Zendesk holds no requester for this contact".into());
        };
        let user = &link.external_id;
        // Soft delete, then permanent deletion (Zendesk's order); a 404 at either step is
        // an earlier attempt's work, or an agent's.
        for path in [
            format!("/api/v2/users/{user}.json"),
            format!("/api/v2/deleted_users/{user}.json"),
        ] {
            let reply = api.call(Method::DELETE, &path, None).await?;
            if reply.status != 404 {
                success(reply)?;
            }
        }
        self.links
            .forget(self.endpoint_id, Linked::Contact, contact)
            .await
            .map_err(transient)?;
        Ok(format!("user {user} deleted for good"))
    }

    async fn check_login(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let me = success(api.call(Method::GET, "/api/v2/users/me.json", None).await?)?;
        match id_of(&me.body["user"]["id"]) {
            Some(id) => Ok(format!("signed in as user {id}")),
            None => Err(Failure::refused(
                "Zendesk did not recognise the account and token",
            )),
        }
    }

    async fn link(&self, what: Linked, id: &str) -> Result<Option<Link>, Failure> {
        crate::api::linked(self.links, self.endpoint_id, what, id).await
    }

    async fn put_link(&self, what: Linked, id: &str, external: &str) -> Result<(), Failure> {
        crate::api::link(self.links, self.endpoint_id, (what, id), external, self.now).await
    }
}

/// The ticket for `case`, written by `author`.
fn ticket(case: &Value, author: &Value) -> Value {
    let text = case["text"].as_str().unwrap_or_default();
    let platform = case["platform"].as_str().unwrap_or("a platform");
    let priority = case["priority"].as_str().unwrap_or("P3");
    let first_line: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(SUBJECT_CHARS)
        .collect();
    let mut body = text.to_string();
    body.push_str("\n\n---\n");
    if let Some(link) = case["permalink"].as_str() {
        body.push_str(&format!("Where: {link}\n"));
    }
    body.push_str(&format!(
        "Platform: {platform}\nPriority: {priority}, due {}\nLiaison case: {}\n",
        case["due_at"].as_str().unwrap_or("-"),
        case["id"].as_str().unwrap_or("-"),
    ));
    let name = ["name", "handle"]
        .iter()
        .find_map(|k| author[*k].as_str().filter(|s| !s.trim().is_empty()))
        .unwrap_or("Unknown author");
    let mut requester = json!({ "name": name });
    if let Some(email) = author["email"].as_str() {
        requester["email"] = json!(email);
    }
    let mut tags = vec!["liaison".to_string(), format!("liaison_{platform}")];
    if let Some(given) = case["tags"].as_array() {
        tags.extend(given.iter().filter_map(Value::as_str).map(tag));
    }
    json!({"ticket": {
        "subject": format!("[{priority}] {platform}: {first_line}"),
        "comment": {"body": body, "public": false},
        "requester": requester,
        "priority": match priority { "P1" => "urgent", "P2" => "high", _ => "normal" },
        "type": "incident",
        "tags": tags,
        "external_id": case["id"],
    }})
}

/// A Zendesk tag: no spaces (they split tags), lower case.
fn tag(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == ',' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Zendesk's refusal to update a closed ticket.
fn is_closed(reply: &Reply) -> bool {
    reply.text.to_lowercase().contains("closed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_should_become_a_private_ticket_with_its_priority_and_no_typed_email() {
        let case = json!({"id": "case_x", "platform": "wordpress", "priority": "P1",
            "due_at": "2026-12-07T10:00:00Z", "permalink": "https://blog.example/p/1#comment-7",
            "tags": ["VIP customer"], "text": "My order arrived broken\nPlease help"});
        let typed = json!({"name": "Hélène", "email": null, "verified": false});
        let ticket = ticket(&case, &typed);
        assert_eq!(ticket["ticket"]["priority"], "urgent");
        assert_eq!(ticket["ticket"]["external_id"], "case_x");
        assert_eq!(ticket["ticket"]["comment"]["public"], false);
        assert_eq!(ticket["ticket"]["requester"], json!({"name": "Hélène"}));
        assert_eq!(
            ticket["ticket"]["subject"],
            "[P1] wordpress: My order arrived broken"
        );
        assert!(ticket["ticket"]["comment"]["body"]
            .as_str()
            .unwrap()
            .contains("Where: https://blog.example/p/1#comment-7"));
        assert_eq!(
            ticket["ticket"]["tags"],
            json!(["liaison", "liaison_wordpress", "vip_customer"])
        );
        let vouched = json!({"name": null, "handle": "helene", "email": "h@example.com"});
        let ticket = super::ticket(&case, &vouched);
        assert_eq!(
            ticket["ticket"]["requester"],
            json!({"name": "helene", "email": "h@example.com"})
        );
    }
}
