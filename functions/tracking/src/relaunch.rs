//! The links of relaunch emails (`shared::relaunch::links`):
//!
//! - `GET /t/c/{token}`: counts the click (once per email, with its step's stats) and
//!   redirects to the link signed in the token. The destination comes only from the
//!   signature, never from the request: no open redirect.
//! - `GET /t/u/{token}`: a plain page with one button; `POST /t/u/{token}` unsubscribes,
//!   which is also the RFC 8058 one-click request mail clients send
//!   (`List-Unsubscribe=One-Click`). A GET changes nothing, because mail scanners follow
//!   links.
//! - `GET /t/b/{token}` asks to confirm; `POST /t/b/{token}` opens a "call me back" task
//!   for sales (`/admin/callbacks`), one per email however often it is sent.

use shared::contracts::contacts::profile;
use shared::contracts::tokens::TokenError;
use shared::kit::http::{self, Request, Response};
use shared::relaunch::callbacks::{self, Reach, Slot};
use shared::relaunch::engagement::{self, Engagement};
use shared::relaunch::links::{self, Link};
use shared::Error;

use crate::{page, Deps};
use shared::contracts::deliveries::{Event, EventType};

fn read(deps: &Deps, purpose: &str, token: &str) -> Result<Link, Error> {
    deps.links
        .read(purpose, token, deps.clock.now())
        .map_err(|e| match e {
            TokenError::Expired => Error::Gone("this link has expired".into()),
            other => Error::validation("token", other.to_string()),
        })
}

/// Records `what` for the email, if it is still on record; never fails the visitor's
/// request for a counter.
async fn count(deps: &Deps, link: &Link, what: Engagement) {
    let now = deps.clock.now();
    let outcome = async {
        let Some(email) =
            engagement::email(&deps.dynamodb, &deps.emails_table, &link.email_id).await?
        else {
            return Ok(false);
        };
        engagement::record(
            &deps.dynamodb,
            &deps.emails_table,
            &deps.stats_table,
            &link.email_id,
            &email,
            what,
            now,
        )
        .await
    }
    .await;
    match outcome {
        Ok(first) => {
            tracing::info!(email = %link.email_id, what = what.counter(), first, "relaunch engagement")
        }
        Err(e) => {
            tracing::warn!(email = %link.email_id, error = %e, "relaunch engagement not recorded")
        }
    }
}

pub async fn click(deps: &Deps, token: &str) -> Result<Response, Error> {
    let link = read(deps, links::CLICK, token)?;
    let target = link
        .url
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| Error::validation("token", "this link has no destination"))?
        .to_string();
    count(deps, &link, Engagement::Clicked).await;
    page::redirect(&target)
        .ok_or_else(|| Error::validation("token", "this link's destination is not a URL"))
}

pub fn unsubscribe_page(deps: &Deps, token: &str) -> Result<Response, Error> {
    read(deps, links::UNSUBSCRIBE, token)?;
    Ok(page::form(
        "Se désabonner / Unsubscribe",
        "Vous ne recevrez plus nos relances de panier. / You will no longer receive our cart reminders.",
        "Me désabonner / Unsubscribe me",
    ))
}

pub async fn unsubscribe(deps: &Deps, token: &str) -> Result<Response, Error> {
    let link = read(deps, links::UNSUBSCRIBE, token)?;
    let now = deps.clock.now();
    let unsubscribed =
        profile::unsubscribe(&deps.dynamodb, &deps.contacts_table, &link.contact_id, now).await?;
    // An erased contact has nothing left to unsubscribe: the page says done all the same.
    if unsubscribed {
        count(deps, &link, Engagement::Unsubscribed).await;
    }
    // The address itself goes on the suppression list: a merge or a new contact with the
    // same address does not undo the unsubscribe. (Links sent before the key was in them
    // unsubscribe the contact only.)
    if let Some(key) = &link.email_key {
        shared::contracts::suppression::add(
            &deps.dynamodb,
            &deps.suppression_table,
            key,
            shared::contracts::suppression::UNSUBSCRIBE,
            now,
        )
        .await?;
    }
    // The brand's other systems stop writing too (published at every click: one event).
    deps.events
        .publish(&Event::new(
            EventType::ConsentChanged,
            &format!("{}#unsubscribed", link.contact_id),
            now,
            Some(&link.contact_id),
            serde_json::json!({
                "contact_id": link.contact_id,
                "consent": "unsubscribed",
                "channel": "email",
                "source": "relaunch email",
            }),
        ))
        .await?;
    tracing::info!(contact_id = %link.contact_id, "unsubscribed from relaunches");
    Ok(page::page(
        200,
        "Désabonnement confirmé / Unsubscribed",
        "Vous ne recevrez plus nos relances de panier. / You will no longer receive our cart reminders.",
    ))
}

pub fn callback_page(deps: &Deps, token: &str) -> Result<Response, Error> {
    read(deps, links::CALLBACK, token)?;
    Ok(page::callback_form(None, "", Slot::Morning))
}

/// The form's answer: the number read as E.164 in the brand's country, and the slot.
/// A number no one can dial gets the form again, with why, and nothing is recorded.
pub async fn callback(deps: &Deps, token: &str, req: &Request) -> Result<Response, Error> {
    let link = read(deps, links::CALLBACK, token)?;
    let body = http::raw_body(req)?;
    let mut phone = String::new();
    let mut slot = Slot::Morning;
    for (name, value) in url::form_urlencoded::parse(&body) {
        match name.as_ref() {
            "phone" => phone = value.into_owned(),
            "slot" => slot = Slot::parse(&value).unwrap_or(Slot::Morning),
            _ => {}
        }
    }
    let reach = match crate::phone::e164(&phone, deps.phone_region) {
        Ok(e164) => Reach { phone: e164, slot },
        Err(why) => return Ok(page::callback_form(Some(why), &phone, slot)),
    };
    let Some(email) = engagement::email(&deps.dynamodb, &deps.emails_table, &link.email_id).await?
    else {
        return Err(Error::NotFound("this email is no longer on record".into()));
    };
    let now = deps.clock.now();
    let created = callbacks::request(
        &deps.dynamodb,
        &deps.callbacks_table,
        &link.email_id,
        &email,
        &reach,
        now,
    )
    .await?;
    let id = callbacks::id_for(&link.email_id);
    deps.events
        .publish(&Event::new(
            EventType::CallbackRequested,
            &id,
            now,
            Some(&email.contact_id),
            serde_json::json!({ "callback": {
                "id": id,
                "contact_id": email.contact_id,
                "campaign_id": email.campaign_id,
                "cart_id": email.cart_id,
                "email_id": link.email_id,
                "step": email.step,
                "phone": reach.phone,
                "slot": reach.slot.as_str(),
            }}),
        ))
        .await?;
    tracing::info!(email = %link.email_id, created, "call-me-back requested");
    Ok(page::page(
        200,
        "Demande enregistrée / Request received",
        "Merci ! Un conseiller vous rappelle très vite. / Thank you: an adviser will call you back soon.",
    ))
}
