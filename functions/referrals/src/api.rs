//! The referrals HTTP API.
//!
//! For the brand's site (`SiteJwt`, scope `liaison/referrals`: a machine client, not staff):
//! - `GET /api/referrals/{contact_id}/suggestions`: whom this customer could invite, best
//!   first, with reasons and their personal referral link. Dismissed ones are left out, and
//!   so is anyone who has since become a customer, been suppressed or opted out.
//! - `PATCH /api/referrals/{contact_id}/suggestions/{code}` `{"status": "sent"|"dismissed"}`:
//!   the customer shared their link, or dismissed the suggestion (cooldown and fatigue read
//!   it).
//!
//! `{contact_id}` is Liaison's contact id, or `customer:{id}` with the site's own customer
//! id as its `social.connected` events name it.
//!
//! For staff (`StaffJwt`):
//! - `GET /admin/referrals/{contact_id}/suggestions`: the same suggestions, all of them,
//!   with scores, visits and the candidate's contact.
//! - `GET /admin/referrals/conversions[?state=pending|approved|flagged|rejected|paid]`:
//!   referral conversions and their rewards, newest first, paged.
//! - `PATCH /admin/referrals/conversions/{conversion_id}`
//!   `{"decision": "clear"|"reject"|"paid", "reason"}`.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use shared::contracts::contacts::identity::{Identity, IdentityKind};
use shared::contracts::sources::Platform;
use shared::kit::auth::{self, Caller, Group};
use shared::kit::http::{self, Request, Response};
use shared::Error;

use crate::conversions::{self, Conversion, Decision, RewardState};
use crate::suggestions::{self, Status, Stored};
use crate::Deps;

/// A decision's reason, at most this long.
const MAX_REASON: usize = 500;

pub async fn handle(deps: &Deps, req: Request) -> Response {
    http::respond(route(deps, &req).await, "referrals")
}

async fn route(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let route_key = req.route_key.clone().unwrap_or_default();
    let param = |name| http::path_param(req, name).unwrap_or_default();
    match route_key.as_str() {
        "GET /api/referrals/{contact_id}/suggestions" => {
            auth::require_site_scope(req, auth::SITE_REFERRALS_SCOPE)?;
            let contact = contact(deps, param("contact_id")).await?;
            site_suggestions(deps, req, &contact).await
        }
        "PATCH /api/referrals/{contact_id}/suggestions/{code}" => {
            auth::require_site_scope(req, auth::SITE_REFERRALS_SCOPE)?;
            let contact = contact(deps, param("contact_id")).await?;
            mark(deps, req, &contact, param("code")).await
        }
        "GET /admin/referrals/{contact_id}/suggestions" => {
            staff(deps, req)?.require(&[
                Group::Admin,
                Group::Marketer,
                Group::Sales,
                Group::Support,
            ])?;
            let contact = contact(deps, param("contact_id")).await?;
            staff_suggestions(deps, req, &contact).await
        }
        "GET /admin/referrals/conversions" => {
            staff(deps, req)?.require(&[Group::Admin, Group::Marketer, Group::Sales])?;
            list_conversions(deps, req).await
        }
        "PATCH /admin/referrals/conversions/{conversion_id}" => {
            let caller = staff(deps, req)?;
            caller.require(&[Group::Admin, Group::Marketer])?;
            decide(deps, req, &caller, param("conversion_id")).await
        }
        _ => Err(Error::NotFound("no such route".into())),
    }
}

fn staff(deps: &Deps, req: &Request) -> Result<Caller, Error> {
    Caller::from_request(req, &deps.groups_claim)
}

/// The contact a path names: Liaison's id, or `customer:{id}` the site's own; 404 unless
/// the contact exists.
async fn contact(deps: &Deps, raw: &str) -> Result<String, Error> {
    let not_found = || Error::NotFound("no such contact".into());
    let id = match raw.strip_prefix("customer:") {
        Some(site_id) => {
            let site_id = site_id.trim();
            if site_id.is_empty() || site_id.len() > 256 {
                return Err(Error::validation("contact_id", "customer:{id} needs an id"));
            }
            let identity = Identity {
                kind: IdentityKind::Account,
                value: format!("{}:{site_id}", Platform::StandardWebhooks.as_str()),
                verified: true,
            };
            deps.contacts
                .lookup(&[identity])
                .await?
                .into_iter()
                .flatten()
                .next()
                .map(|k| k.contact_id)
                .ok_or_else(not_found)?
        }
        None => raw.to_string(),
    };
    if id.is_empty() || id.len() > 64 {
        return Err(not_found());
    }
    deps.contacts.standing(&id).await?.ok_or_else(not_found)?;
    Ok(id)
}

/// Why a suggestion is no longer shown: its candidate has become a customer, was
/// suppressed, or opted out since.
async fn now_excluded(deps: &Deps, suggestion: &Stored) -> Result<Option<&'static str>, Error> {
    let Some(contact) = &suggestion.contact_id else {
        return Ok(None);
    };
    // Only what excludes: not the carts and contributions ranking reads.
    let Some(standing) = deps.facts().standing(contact).await? else {
        // Erased or merged away: nobody to invite under that name any more.
        return Ok(Some("gone"));
    };
    Ok(crate::rank::contact_exclusion(
        standing.contact_type,
        standing.suppressed,
        standing.opted_out,
    ))
}

fn link(deps: &Deps, req: &Request, code: &str) -> String {
    let base = http::public_base_url(deps.public_base_url.as_deref(), req);
    format!("{}/r/{code}", base.trim_end_matches('/'))
}

/// Suggestions in the order the customer should see them: newest week first, best first.
fn ordered(mut stored: Vec<Stored>) -> Vec<Stored> {
    stored.sort_by(|a, b| {
        b.suggested_at
            .date_naive()
            .cmp(&a.suggested_at.date_naive())
            .then(b.score.total_cmp(&a.score))
            .then(a.code.cmp(&b.code))
    });
    stored
}

async fn site_suggestions(deps: &Deps, req: &Request, contact: &str) -> Result<Response, Error> {
    let now = deps.clock.now();
    let stored = deps.suggestions().of(contact).await?;
    let used = suggestions::this_week(&stored, now);
    let mut out = Vec::new();
    for s in ordered(stored) {
        if s.status == Status::Dismissed || now_excluded(deps, &s).await?.is_some() {
            continue;
        }
        // What the customer may see: never the candidate's contact id or score.
        out.push(json!({
            "code": s.code,
            "handle": s.handle,
            "name": s.name,
            "reasons": s.reasons,
            "link": link(deps, req, &s.code),
            "status": s.status,
            "suggested_at": s.suggested_at,
        }));
    }
    Ok(http::json(
        200,
        &json!({
            "contact_id": contact,
            "suggestions": out,
            "this_week": {"limit": deps.policy.per_week, "used": used},
        }),
    ))
}

async fn staff_suggestions(deps: &Deps, req: &Request, contact: &str) -> Result<Response, Error> {
    let mut out = Vec::new();
    for s in ordered(deps.suggestions().of(contact).await?) {
        let excluded = now_excluded(deps, &s).await?;
        let mut item =
            serde_json::to_value(&s).map_err(|e| Error::caused("encode suggestion", e))?;
        item["link"] = link(deps, req, &s.code).into();
        item["now_excluded"] = excluded.into();
        out.push(item);
    }
    Ok(http::json(
        200,
        &json!({"contact_id": contact, "suggestions": out}),
    ))
}

#[derive(Deserialize)]
struct MarkBody {
    status: String,
}

async fn mark(deps: &Deps, req: &Request, contact: &str, code: &str) -> Result<Response, Error> {
    let body: MarkBody = http::json_body(req)?;
    let to = Status::parse(&body.status)
        .filter(|s| *s != Status::Suggested)
        .ok_or_else(|| Error::validation("status", "must be sent or dismissed"))?;
    let not_found = || Error::NotFound("no such suggestion for this contact".into());
    let store = deps.suggestions();
    let (referrer, seen) = store.by_code(code).await?.ok_or_else(not_found)?;
    // Another customer's code answers as if it did not exist.
    if referrer != contact {
        return Err(not_found());
    }
    if seen.status != to {
        if !suggestions::may_mark(seen.status, to) {
            return Err(Error::Conflict(format!(
                "this suggestion is {}: its link was shared and cannot be dismissed",
                seen.status.as_str()
            )));
        }
        if !store.mark(&referrer, &seen, to, deps.clock.now()).await? {
            return Err(Error::Conflict(
                "this suggestion changed meanwhile; read it again".into(),
            ));
        }
    }
    Ok(http::json(200, &json!({"code": code, "status": to})))
}

/// A conversion as staff see it: its state read at `now`, without the IP's hash.
fn conversion_json(mut item: Value, now: DateTime<Utc>) -> Value {
    if let Ok(c) = serde_json::from_value::<Conversion>(item.clone()) {
        item["state"] = c.state(now).as_str().into();
    }
    if let Some(map) = item.as_object_mut() {
        for internal in ["pk", "sk", "kind", "ip_key", "reward_state"] {
            map.remove(internal);
        }
    }
    item
}

async fn list_conversions(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let now = deps.clock.now();
    let store = deps.conversions();
    let mut query = store.list();
    if let Some(raw) = http::query_param(req, "state") {
        let state = RewardState::parse(raw).ok_or_else(|| {
            Error::validation(
                "state",
                "must be pending, approved, flagged, rejected or paid",
            )
        })?;
        let stamp = AttributeValue::S(shared::kit::clock::stamp(now));
        query = match state {
            RewardState::Pending => query
                .filter_expression("reward_state = :s AND approve_at > :now")
                .expression_attribute_values(":now", stamp),
            RewardState::Approved => query
                .filter_expression("reward_state = :s AND approve_at <= :now")
                .expression_attribute_values(":now", stamp),
            _ => query.filter_expression("reward_state = :s"),
        };
        let stored = match state {
            RewardState::Approved => RewardState::Pending,
            other => other,
        };
        query = query.expression_attribute_values(":s", AttributeValue::S(stored.as_str().into()));
    }
    let (items, next) = shared::kit::pages::page(
        req,
        query,
        &["pk", "sk", "kind", "placed_at"],
        "Query conversions",
    )
    .await?;
    let items: Vec<Value> = items.into_iter().map(|i| conversion_json(i, now)).collect();
    Ok(http::json(
        200,
        &json!({"conversions": items, "next": next}),
    ))
}

#[derive(Deserialize)]
struct DecideBody {
    decision: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn decide(deps: &Deps, req: &Request, caller: &Caller, id: &str) -> Result<Response, Error> {
    let body: DecideBody = http::json_body(req)?;
    if body.reason.as_ref().is_some_and(|r| r.len() > MAX_REASON) {
        return Err(Error::validation(
            "reason",
            format!("at most {MAX_REASON} bytes"),
        ));
    }
    let now = deps.clock.now();
    let store = deps.conversions();
    let seen = store
        .get(id)
        .await?
        .ok_or_else(|| Error::NotFound("no such conversion".into()))?;
    let next = conversions::next_state(seen.state(now), &body.decision)?;
    let decision = Decision {
        state: next,
        by: caller.subject.clone(),
        at: now,
        reason: body.reason.filter(|r| !r.trim().is_empty()),
    };
    if !store.decide(&seen, next, decision).await? {
        return Err(Error::Conflict(
            "this reward changed meanwhile; read it again".into(),
        ));
    }
    tracing::info!(conversion = %id, decision = %body.decision, state = next.as_str(), "reward decided");
    let updated = store
        .get(id)
        .await?
        .ok_or_else(|| Error::NotFound("no such conversion".into()))?;
    let item = serde_json::to_value(&updated).map_err(|e| Error::caused("encode conversion", e))?;
    Ok(http::json(200, &conversion_json(item, now)))
}
