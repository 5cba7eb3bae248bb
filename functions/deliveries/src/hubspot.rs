//! The HubSpot connector (CRM v3, developers.hubspot.com/docs/api/crm): what a HubSpot
//! endpoint does with each event it takes. Its `account` is the portal (hub) id, its
//! `currency` the portal's company currency, its token a private app's (`crm.objects.*`
//! scopes), sent as `Authorization: Bearer`.
//!
//! - The author of what it is told of becomes a contact, when the platform vouched for their
//!   email: `POST /crm/v3/objects/contacts/batch/upsert` by email, once per Liaison contact
//!   (linked afterwards, so later events make no call for it).
//! - `opportunity.opened` → a deal in the default pipeline (`appointmentscheduled`) on that
//!   contact, with `liaison_opportunity_id` (a deal property the brand creates, see
//!   docs/webhooks.md): `POST /crm/v3/objects/deals`. A retry first searches the deals by that
//!   property, so a lost answer does not make two. The deal is linked both ways: the way back
//!   is how HubSpot's webhook finds the opportunity.
//! - `opportunity.closed` (by staff) → `PATCH /crm/v3/objects/deals/{id}`: `closedwon` with
//!   the amount, or `closedlost`; nothing when HubSpot closed it.
//! - `contribution.classified` → a note on the contact's timeline (`POST
//!   /crm/v3/objects/notes`, association type 202), with the label, the text, the permalink and
//!   the Liaison event id. HubSpot has no idempotency key for notes: an answer lost after
//!   HubSpot wrote one leaves a second, which the event id names as the same.
//! - `contact.erased` → `POST /crm/v3/objects/contacts/gdpr-delete` (the contact and its
//!   content, for good).
//! - `consent.changed` → `PATCH /crm/v3/objects/contacts/{id}`: `liaison_email_consent`
//!   (`unsubscribed`, `suppressed`) and `liaison_email_consent_at`, contact properties the
//!   brand creates, which its HubSpot workflows read to stop emailing the person. Only a
//!   contact Liaison gave HubSpot: none is created to say so.
//! - `webhook.test` → a deals search of one: the token works.
//!
//! A `429` waits for its `Retry-After`; the lane's schedule does the rest.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shared::contracts::deliveries::endpoints::Endpoint;
use shared::contracts::deliveries::links::{DealOrigin, Link, Linked, Links};
use shared::contracts::deliveries::store::{Pending, Recorded};
use shared::contracts::deliveries::EventType;

use crate::api::{id_of, success, text, transient, Api, Failure};
use crate::attempt::Tried;
use crate::Deps;

/// HubSpot's default association type ids.
const NOTE_TO_CONTACT: u32 = 202;
const DEAL_TO_CONTACT: u32 = 3;
/// The deal property that names the opportunity.
const OPPORTUNITY_PROPERTY: &str = "liaison_opportunity_id";
/// The first stage of the default pipeline.
const FIRST_STAGE: &str = "appointmentscheduled";
/// A note's body and a deal's name, at most (HubSpot takes 65,536 for a note).
const NOTE_CHARS: usize = 60_000;
const NAME_CHARS: usize = 80;

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
    let mut api = Api::new(
        &deps.http,
        &endpoint.url,
        Some(format!("Bearer {token}")),
        now,
    );
    let done = match crate::api::payload(event) {
        Ok(payload) => {
            let call = Call {
                links: &deps.links,
                endpoint,
                event,
                data: &payload["data"],
                retry: head.attempts > 0,
                now,
            };
            match event.kind {
                EventType::OpportunityOpened => call.open_deal(&mut api).await,
                EventType::OpportunityClosed => call.close_deal(&mut api).await,
                EventType::ContributionClassified => call.add_note(&mut api).await,
                EventType::ContactErased => call.erase_contact(&mut api).await,
                EventType::ConsentChanged => call.consent(&mut api).await,
                EventType::WebhookTest => call.check_login(&mut api).await,
                other => Ok(format!(
                    "{} is not for HubSpot: nothing done",
                    other.as_str()
                )),
            }
        }
        Err(unreadable) => Err(unreadable),
    };
    api.tried(done)
}

/// One event's work for one HubSpot endpoint.
struct Call<'a> {
    links: &'a Links,
    endpoint: &'a Endpoint,
    event: &'a Recorded,
    data: &'a Value,
    /// An earlier attempt may have acted before its answer was lost.
    retry: bool,
    now: DateTime<Utc>,
}

impl Call<'_> {
    async fn open_deal(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let opportunity = &self.data["opportunity"];
        let id = text(opportunity, "id")?;
        if let Some(link) = self.link(Linked::Opportunity, id).await? {
            return Ok(format!("deal {} (created before)", link.external_id));
        }
        let contact = self.contact(api).await?;
        if self.retry {
            let found = success(
                api.call(
                    Method::POST,
                    "/crm/v3/objects/deals/search",
                    Some(&search(id)),
                )
                .await?,
            )?;
            if let Some(deal) = found.body["results"].as_array().and_then(|r| r.first()) {
                return self.opened(id, deal).await;
            }
        }
        let created = api
            .call(
                Method::POST,
                "/crm/v3/objects/deals",
                Some(&deal(opportunity, contact.as_deref())),
            )
            .await?;
        let created = success(created)?;
        self.opened(id, &created.body).await
    }

    /// Links the opportunity and `deal`, both ways.
    async fn opened(&self, opportunity_id: &str, deal: &Value) -> Result<String, Failure> {
        let deal_id = id_of(&deal["id"])
            .ok_or_else(|| Failure::refused("HubSpot answered without a deal id"))?;
        let origin = DealOrigin {
            opportunity_id: opportunity_id.to_string(),
            currency: self.endpoint.currency.clone().unwrap_or_default(),
            linked_at: self.now,
        };
        let account = self.endpoint.account.as_deref().unwrap_or_default();
        self.links
            .put_deal("hubspot", account, &deal_id, &origin)
            .await
            .map_err(transient)?;
        self.put_link(Linked::Opportunity, opportunity_id, &deal_id)
            .await?;
        Ok(format!("deal {deal_id}"))
    }

    async fn close_deal(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        if self.data["by"].as_str() == Some("hubspot") {
            return Ok("closed in HubSpot: nothing to tell it".into());
        }
        let opportunity = &self.data["opportunity"];
        let Some(link) = self
            .link(Linked::Opportunity, text(opportunity, "id")?)
            .await?
        else {
            return Ok("no deal was created for this opportunity".into());
        };
        let won = opportunity["outcome"].as_str() == Some("won");
        let mut properties = json!({ "dealstage": if won { "closedwon" } else { "closedlost" } });
        // The amount, when it is in the portal's currency (HubSpot's `amount` is in it).
        if let (Some(amount), true) = (
            opportunity["amount"].as_str(),
            opportunity["currency"].as_str() == self.endpoint.currency.as_deref(),
        ) {
            properties["amount"] = json!(amount);
        }
        let path = format!("/crm/v3/objects/deals/{}", link.external_id);
        let reply = api
            .call(
                Method::PATCH,
                &path,
                Some(&json!({ "properties": properties })),
            )
            .await?;
        match reply.status {
            404 => Ok(format!("deal {} no longer exists", link.external_id)),
            _ => success(reply).map(|_| {
                format!(
                    "deal {} {}",
                    link.external_id,
                    if won { "won" } else { "lost" }
                )
            }),
        }
    }

    async fn add_note(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let Some(contact) = self.contact(api).await? else {
            return Ok(
                "no HubSpot contact for its author (no email the platform vouched for)".into(),
            );
        };
        let contribution = &self.data["contribution"];
        let mut body = format!(
            "{} on {}: {}",
            self.data["label"].as_str().unwrap_or("contribution"),
            contribution["platform"].as_str().unwrap_or("a platform"),
            contribution["text"].as_str().unwrap_or_default(),
        );
        if let Some(link) = contribution["permalink"].as_str() {
            body.push_str(&format!("\n{link}"));
        }
        body.push_str(&format!("\n(Liaison {})", self.event.id));
        let body: String = body.chars().take(NOTE_CHARS).collect();
        let at = contribution["created_at"]
            .as_str()
            .map_or_else(|| self.event.occurred_at.to_rfc3339(), str::to_string);
        let note = json!({
            "properties": {"hs_timestamp": at, "hs_note_body": body},
            "associations": [association(&contact, NOTE_TO_CONTACT)],
        });
        let created = success(
            api.call(Method::POST, "/crm/v3/objects/notes", Some(&note))
                .await?,
        )?;
        Ok(format!(
            "note {} on contact {contact}",
            id_of(&created.body["id"]).unwrap_or_default()
        ))
    }

    async fn erase_contact(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let contact_id = text(self.data, "contact_id")?;
        let Some(link) = self.link(Linked::Contact, contact_id).await? else {
            return Ok("HubSpot holds no contact Liaison gave it for this person".into());
        };
        let request = json!({ "objectId": link.external_id });
        let reply = api
            .call(
                Method::POST,
                "/crm/v3/objects/contacts/gdpr-delete",
                Some(&request),
            )
            .await?;
        if reply.status != 404 {
            success(reply)?;
        }
        self.links
            .forget(&self.endpoint.id, Linked::Contact, contact_id)
            .await
            .map_err(transient)?;
        Ok(format!(
            "contact {} deleted for good (GDPR)",
            link.external_id
        ))
    }

    async fn consent(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let Some(contact_id) = self.event.contact_id.as_deref() else {
            return Ok("about no contact: nothing to tell HubSpot".into());
        };
        let Some(link) = self.link(Linked::Contact, contact_id).await? else {
            return Ok("HubSpot holds no contact Liaison gave it for this person".into());
        };
        let consent = self.data["consent"].as_str().unwrap_or("unsubscribed");
        let change = json!({"properties": {
            "liaison_email_consent": consent,
            "liaison_email_consent_at": self.event.occurred_at.to_rfc3339(),
        }});
        let path = format!("/crm/v3/objects/contacts/{}", link.external_id);
        let reply = api.call(Method::PATCH, &path, Some(&change)).await?;
        match reply.status {
            404 => Ok(format!("contact {} no longer exists", link.external_id)),
            _ => success(reply).map(|_| format!("contact {} {consent}", link.external_id)),
        }
    }

    async fn check_login(&self, api: &mut Api<'_>) -> Result<String, Failure> {
        let probe = json!({ "limit": 1 });
        success(
            api.call(Method::POST, "/crm/v3/objects/deals/search", Some(&probe))
                .await?,
        )?;
        Ok("the token reads the CRM's deals".into())
    }

    /// The author's HubSpot contact: the one linked to their Liaison contact, or upserted by
    /// their email (when the platform vouched for it) and linked; `None` without either.
    async fn contact(&self, api: &mut Api<'_>) -> Result<Option<String>, Failure> {
        let Some(contact_id) = self.event.contact_id.as_deref() else {
            return Ok(None);
        };
        if let Some(link) = self.link(Linked::Contact, contact_id).await? {
            return Ok(Some(link.external_id));
        }
        let Some(email) = self.data["author"]["email"].as_str() else {
            return Ok(None);
        };
        let mut properties = json!({ "email": email });
        if let Some(name) = self.data["author"]["name"].as_str() {
            let (first, last) = name.trim().split_once(' ').unwrap_or((name.trim(), ""));
            properties["firstname"] = json!(first);
            if !last.is_empty() {
                properties["lastname"] = json!(last.trim());
            }
        }
        let upsert =
            json!({"inputs": [{"idProperty": "email", "id": email, "properties": properties}]});
        let reply = success(
            api.call(
                Method::POST,
                "/crm/v3/objects/contacts/batch/upsert",
                Some(&upsert),
            )
            .await?,
        )?;
        let id = id_of(&reply.body["results"][0]["id"])
            .ok_or_else(|| Failure::refused("HubSpot answered without a contact id"))?;
        self.put_link(Linked::Contact, contact_id, &id).await?;
        Ok(Some(id))
    }

    async fn link(&self, what: Linked, id: &str) -> Result<Option<Link>, Failure> {
        crate::api::linked(self.links, &self.endpoint.id, what, id).await
    }

    async fn put_link(&self, what: Linked, id: &str, external: &str) -> Result<(), Failure> {
        crate::api::link(
            self.links,
            &self.endpoint.id,
            (what, id),
            external,
            self.now,
        )
        .await
    }
}

/// The deal for `opportunity`, on `contact` when there is one.
fn deal(opportunity: &Value, contact: Option<&str>) -> Value {
    let text = opportunity["text"].as_str().unwrap_or_default();
    let first_line: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(NAME_CHARS)
        .collect();
    let platform = opportunity["platform"].as_str().unwrap_or("a platform");
    let mut properties = json!({
        "dealname": format!("{platform}: {first_line}"),
        "pipeline": "default",
        "dealstage": FIRST_STAGE,
        OPPORTUNITY_PROPERTY: opportunity["id"],
    });
    if let Some(amount) = opportunity["amount"].as_str() {
        properties["amount"] = json!(amount);
    }
    let associations: Vec<Value> = contact
        .map(|c| association(c, DEAL_TO_CONTACT))
        .into_iter()
        .collect();
    json!({ "properties": properties, "associations": associations })
}

fn association(to: &str, type_id: u32) -> Value {
    json!({"to": {"id": to}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]})
}

/// The deals search for the one of `opportunity_id`.
fn search(opportunity_id: &str) -> Value {
    json!({
        "filterGroups": [{"filters": [{"propertyName": OPPORTUNITY_PROPERTY, "operator": "EQ", "value": opportunity_id}]}],
        "properties": [OPPORTUNITY_PROPERTY, "dealstage"],
        "limit": 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opportunity_should_become_a_deal_on_its_contact_named_by_its_id() {
        let opportunity = json!({"id": "opp_1", "platform": "x", "text": "Do you ship the blue one to Lyon?\nThanks"});
        let deal = deal(&opportunity, Some("51001"));
        assert_eq!(
            deal["properties"]["dealname"],
            "x: Do you ship the blue one to Lyon?"
        );
        assert_eq!(deal["properties"]["dealstage"], "appointmentscheduled");
        assert_eq!(deal["properties"]["liaison_opportunity_id"], "opp_1");
        assert!(deal["properties"].get("amount").is_none());
        assert_eq!(deal["associations"][0]["to"]["id"], "51001");
        assert_eq!(deal["associations"][0]["types"][0]["associationTypeId"], 3);
        let alone = super::deal(&opportunity, None);
        assert_eq!(alone["associations"], json!([]));
    }
}
