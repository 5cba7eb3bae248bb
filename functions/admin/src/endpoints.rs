//! `/admin/endpoints`: the brand's webhook receivers (`shared::contracts::deliveries`), for
//! administrators: register one (its secret shown once), change what it receives, rotate
//! its secret, send it a test, read its delivery log, enable it again and replay what was
//! given up.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::contracts::deliveries::endpoints::{Changes, EndpointStore};
use shared::contracts::deliveries::store::{DeliveryStore, Status};
use shared::contracts::deliveries::{Event, EventQueue, EventType, LaneQueue};
use shared::kit::clock::Clock;
use shared::kit::http::{self, Request, Response};
use shared::Error;

const MAX_URL: usize = 2000;
const MAX_DESCRIPTION: usize = 200;

pub struct Endpoints {
    pub store: EndpointStore,
    pub deliveries: DeliveryStore,
    pub events: EventQueue,
    pub lanes: LaneQueue,
    /// `OUTBOUND_ALLOW_PRIVATE`: loopback and plain-HTTP URLs, for the local stack only.
    pub allow_private: bool,
    pub clock: Clock,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Registration {
    url: String,
    #[serde(default)]
    description: String,
    types: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Patch {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    types: Option<Vec<String>>,
    #[serde(default)]
    enabled: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Replay {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    since: Option<DateTime<Utc>>,
}

/// What the contact routes need of the deliveries: to tell of a merge or an erasure, and to
/// forget what was kept to tell.
#[derive(Clone)]
pub struct Deliveries {
    pub store: DeliveryStore,
    pub endpoints: EndpointStore,
    pub events: EventQueue,
}

impl Deliveries {
    /// Erases what `DeliveriesTable` holds about contact `id`, then publishes
    /// `contact.erased` (ids only) for the endpoints to erase too.
    pub async fn forget_contact(&self, id: &str, at: DateTime<Utc>) -> Result<(), Error> {
        let endpoints: Vec<String> = self
            .endpoints
            .list()
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        self.store.purge_contact(id, &endpoints).await?;
        self.events
            .publish(&Event::new(
                EventType::ContactErased,
                id,
                at,
                Some(id),
                json!({ "contact_id": id }),
            ))
            .await
    }

    /// Publishes `contact.merged`: `from` now lives on as `into`.
    pub async fn merged(
        &self,
        merge_id: &str,
        from: &str,
        into: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.events
            .publish(&Event::new(
                EventType::ContactMerged,
                merge_id,
                at,
                Some(into),
                json!({ "merge_id": merge_id, "from": from, "into": into }),
            ))
            .await
    }
}

fn event_types() -> Vec<&'static str> {
    EventType::SUBSCRIBABLE.iter().map(|t| t.as_str()).collect()
}

impl Endpoints {
    /// Every endpoint, and the event types one may subscribe to.
    pub async fn list(&self) -> Result<Response, Error> {
        let endpoints: Vec<_> = self.store.list().await?.iter().map(|e| e.view()).collect();
        Ok(http::json(
            200,
            &json!({ "endpoints": endpoints, "event_types": event_types() }),
        ))
    }

    /// `{"url", "description", "types": [...]}`: 201 with the endpoint and its `secret`,
    /// shown this once.
    pub async fn create(&self, req: &Request) -> Result<Response, Error> {
        let registration: Registration = http::json_body(req)?;
        let url = self.url(registration.url)?;
        let description = description(registration.description)?;
        let types = types(&registration.types)?;
        let (endpoint, secret) = self
            .store
            .create(url, description, types, self.clock.now())
            .await?;
        tracing::info!(endpoint_id = %endpoint.id, "endpoint registered");
        let mut body = endpoint.view();
        body["secret"] = json!(secret);
        Ok(http::json(201, &body))
    }

    pub async fn get(&self, id: &str) -> Result<Response, Error> {
        let endpoint = self.store.get(id).await?.ok_or_else(not_found)?;
        Ok(http::json(200, &endpoint.view()))
    }

    /// `{"url", "description", "types", "enabled"}`, each optional. Enabling an endpoint
    /// starts its waiting deliveries.
    pub async fn change(&self, req: &Request, id: &str) -> Result<Response, Error> {
        let patch: Patch = http::json_body(req)?;
        let changes = Changes {
            url: patch.url.map(|u| self.url(u)).transpose()?,
            description: patch.description.map(description).transpose()?,
            types: patch.types.as_deref().map(types).transpose()?,
            enabled: patch.enabled,
        };
        let enabling = changes.enabled == Some(true);
        let endpoint = self
            .store
            .change(id, changes, self.clock.now())
            .await?
            .ok_or_else(not_found)?;
        if enabling {
            let lanes = self.deliveries.pending_lanes(id).await?;
            self.lanes.start(&lanes).await?;
        }
        Ok(http::json(200, &endpoint.view()))
    }

    /// Deletes the endpoint; its pending deliveries are dropped (logged as given up).
    pub async fn delete(&self, id: &str) -> Result<Response, Error> {
        if !self.store.delete(id).await? {
            return Err(not_found());
        }
        let lanes = self.deliveries.pending_lanes(id).await?;
        self.lanes.start(&lanes).await?;
        tracing::info!(endpoint_id = %id, "endpoint deleted");
        Ok(http::empty(204))
    }

    /// A new secret, shown this once; the previous one keeps signing for a day.
    pub async fn rotate(&self, id: &str) -> Result<Response, Error> {
        let now = self.clock.now();
        let secret = self.store.rotate(id, now).await?.ok_or_else(not_found)?;
        let endpoint = self.store.get(id).await?.ok_or_else(not_found)?;
        let mut body = endpoint.view();
        body["secret"] = json!(secret);
        Ok(http::json(200, &body))
    }

    /// Sends the endpoint a `webhook.test` event through the same path as every event:
    /// 202 with its id; its delivery shows in the log within seconds.
    pub async fn test(&self, id: &str) -> Result<Response, Error> {
        self.store.get(id).await?.ok_or_else(not_found)?;
        let now = self.clock.now();
        let mut event = Event::new(
            EventType::WebhookTest,
            &format!("{id}#{}", now.timestamp_micros()),
            now,
            None,
            json!({ "endpoint_id": id, "message": "A test from Liaison: this endpoint receives its events." }),
        );
        event.endpoint_id = Some(id.to_string());
        self.events.publish(&event).await?;
        Ok(http::json(
            202,
            &json!({ "event_id": event.id, "log": format!("/admin/endpoints/{id}/deliveries") }),
        ))
    }

    /// The endpoint's deliveries, newest first: `?status=`, `?limit=`, `?after=`.
    pub async fn deliveries(&self, req: &Request, id: &str) -> Result<Response, Error> {
        let status = http::query_param(req, "status")
            .map(|s| {
                Status::parse(s).ok_or_else(|| {
                    Error::validation("status", "must be pending, delivered, refused or dead")
                })
            })
            .transpose()?;
        self.store.get(id).await?.ok_or_else(not_found)?;
        let query = self.deliveries.log(id, status);
        let (items, next) =
            crate::listing::page(req, query, &DeliveryStore::LOG_KEYS, "Query log").await?;
        let deliveries: Vec<_> = items.into_iter().map(delivery_view).collect();
        Ok(http::json(
            200,
            &json!({ "deliveries": deliveries, "next": next }),
        ))
    }

    /// `{"status": "dead" (default) | "refused", "since": RFC 3339}`: those deliveries
    /// again, each at its place in its contact's order, with three new days of retries; the
    /// endpoint is enabled again.
    pub async fn replay(&self, req: &Request, id: &str) -> Result<Response, Error> {
        let replay: Replay = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            Replay::default()
        } else {
            http::json_body(req)?
        };
        let status = match replay.status.as_deref().unwrap_or("dead") {
            "dead" => Status::Dead,
            "refused" => Status::Refused,
            _ => return Err(Error::validation("status", "must be dead or refused")),
        };
        let now = self.clock.now();
        let enabled = Changes {
            enabled: Some(true),
            ..Changes::default()
        };
        self.store
            .change(id, enabled, now)
            .await?
            .ok_or_else(not_found)?;
        let (replayed, mut lanes) = self
            .deliveries
            .replay(id, status, replay.since, now)
            .await?;
        lanes.extend(self.deliveries.pending_lanes(id).await?);
        lanes.sort();
        lanes.dedup();
        self.lanes.start(&lanes).await?;
        tracing::info!(endpoint_id = %id, replayed, "deliveries replayed");
        Ok(http::json(200, &json!({ "replayed": replayed })))
    }

    fn url(&self, url: String) -> Result<String, Error> {
        let url = url.trim().to_string();
        if url.len() > MAX_URL {
            return Err(Error::validation(
                "url",
                format!("at most {MAX_URL} characters"),
            ));
        }
        shared::contracts::outbound::check_url(&url, self.allow_private)
            .map_err(|why| Error::validation("url", why))?;
        Ok(url)
    }
}

fn description(text: String) -> Result<String, Error> {
    let text = text.trim().to_string();
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(Error::validation(
            "description",
            format!("at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(text)
}

fn types(names: &[String]) -> Result<Vec<EventType>, Error> {
    if names.is_empty() {
        return Err(Error::validation(
            "types",
            format!("name at least one of {}", event_types().join(", ")),
        ));
    }
    let mut types = names
        .iter()
        .map(|name| {
            EventType::parse(name).ok_or_else(|| {
                Error::validation(
                    "types",
                    format!("{name} is not one of {}", event_types().join(", ")),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    types.sort();
    types.dedup();
    Ok(types)
}

/// A log item as staff read it: without the table's keys and lane bookkeeping.
fn delivery_view(mut item: serde_json::Value) -> serde_json::Value {
    if let Some(object) = item.as_object_mut() {
        for key in ["pk", "sk", "lane_pk", "lane_sk", "ttl"] {
            object.remove(key);
        }
    }
    item
}

fn not_found() -> Error {
    Error::NotFound("no such endpoint".into())
}
