//! `/admin/endpoints`: the brand's webhook receivers (`shared::contracts::deliveries`), for
//! administrators: register one (its secret shown once), change what it receives, rotate
//! its secret, send it a test, read its delivery log, enable it again and replay what was
//! given up. A connector (`"kind": "zendesk"`) is registered the same way with the tool's
//! API base as `url`, its login (`account`) and API `token`, which is never shown again.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::contracts::deliveries::endpoints::{Changes, Endpoint, EndpointStore, Kind, New};
use shared::contracts::deliveries::store::{DeliveryStore, Status};
use shared::contracts::deliveries::{Event, EventQueue, EventType, LaneQueue};
use shared::kit::clock::Clock;
use shared::kit::http::{self, Request, Response};
use shared::Error;

const MAX_URL: usize = 2000;
const MAX_DESCRIPTION: usize = 200;
const MAX_ACCOUNT: usize = 254;
/// The deliveries a contact's export lists at most (30 days are kept).
const SENT_IN_EXPORT: usize = 200;
const MAX_TOKEN: usize = 500;

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
    #[serde(default)]
    kind: Option<String>,
    /// Every kind's but an email's.
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: String,
    /// A webhook's, required; a connector's, all it handles when absent.
    #[serde(default)]
    types: Option<Vec<String>>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    currency: Option<String>,
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
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    currency: Option<String>,
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

    /// What was told about contact `id`, where and when (for their export): each delivery
    /// with its endpoint's kind and where it goes (a chat hook's origin only).
    pub async fn sent_about(&self, id: &str) -> Result<Vec<serde_json::Value>, Error> {
        let endpoints = self.endpoints.list().await?;
        let logged = self.store.sent_about(id, SENT_IN_EXPORT).await?;
        logged
            .into_iter()
            .map(|item| {
                let entry = shared::kit::pages::to_json(item)?;
                let endpoint = endpoints
                    .iter()
                    .find(|e| Some(e.id.as_str()) == entry["endpoint_id"].as_str());
                Ok(json!({
                    "event_id": entry["event_id"],
                    "type": entry["type"],
                    "endpoint_id": entry["endpoint_id"],
                    "kind": endpoint.map(|e| e.kind.as_str()),
                    "to": endpoint.map(|e| e.url.clone()),
                    "status": entry["status"],
                    "attempts": entry["attempts"],
                    "sent_at": entry["last_attempt"]["at"],
                }))
            })
            .collect()
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
    /// shown this once. A connector: `{"kind": "zendesk", "url", "account", "token"}`.
    pub async fn create(&self, req: &Request) -> Result<Response, Error> {
        let registration: Registration = http::json_body(req)?;
        let kind = match registration.kind.as_deref() {
            None => Kind::Webhook,
            Some(name) => Kind::parse(name).ok_or_else(|| {
                let kinds: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                Error::validation("kind", format!("must be one of {}", kinds.join(", ")))
            })?,
        };
        let types = match registration.types {
            Some(names) => types(kind, &names)?,
            None if kind != Kind::Webhook => kind.handles().to_vec(),
            None => return Err(Error::validation("types", "required for a webhook")),
        };
        let given = Login {
            account: registration.account,
            token: registration.token,
            currency: registration.currency,
        };
        let Login {
            account,
            token,
            currency,
        } = login(kind, given, true)?;
        let (url, hook) = self.place(kind, registration.url, account.as_deref())?;
        let new = New {
            kind,
            url: url.ok_or_else(|| Error::validation("url", "required"))?,
            description: description(registration.description)?,
            types,
            account,
            token: hook.or(token),
            currency,
        };
        let (endpoint, secret) = self.store.create(new, self.clock.now()).await?;
        tracing::info!(endpoint_id = %endpoint.id, kind = kind.as_str(), "endpoint registered");
        let mut body = endpoint.view();
        if let Some(secret) = secret {
            body["secret"] = json!(secret);
        }
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
        let kind = self.kind_of(id).await?;
        let given = Login {
            account: patch.account,
            token: patch.token,
            currency: patch.currency,
        };
        let Login {
            account,
            token,
            currency,
        } = login(kind, given, false)?;
        let (url, hook) = match patch.url {
            Some(url) => self.place(kind, Some(url), None)?,
            None => (None, None),
        };
        let changes = Changes {
            url,
            description: patch.description.map(description).transpose()?,
            types: patch.types.map(|t| types(kind, &t)).transpose()?,
            enabled: patch.enabled,
            account,
            token: hook.or(token),
            currency,
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
        if self.kind_of(id).await? != Kind::Webhook {
            return Err(Error::Conflict(
                "a connector signs nothing: change its token with PATCH instead".into(),
            ));
        }
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

    /// Where a `kind` endpoint's deliveries go, from the `url` given: the URL to store, and
    /// a chat hook's full URL to seal as its token (the stored URL is then its origin). An
    /// email's is its address.
    fn place(
        &self,
        kind: Kind,
        url: Option<String>,
        account: Option<&str>,
    ) -> Result<(Option<String>, Option<String>), Error> {
        match (kind, url) {
            (Kind::Email, None) => Ok((account.map(|a| format!("mailto:{a}")), None)),
            (Kind::Email, Some(_)) => Err(Error::validation(
                "url",
                "an email endpoint has an account (the address), not a URL",
            )),
            (_, None) => Err(Error::validation("url", "required")),
            (kind, Some(url)) if kind.secret_url() => {
                let url = self.url(url)?;
                let origin = shared::contracts::outbound::origin(&url)
                    .ok_or_else(|| Error::validation("url", "not a URL"))?;
                Ok((Some(origin), Some(url)))
            }
            (_, Some(url)) => Ok((Some(self.url(url)?), None)),
        }
    }

    async fn kind_of(&self, id: &str) -> Result<Kind, Error> {
        let endpoint: Endpoint = self.store.get(id).await?.ok_or_else(not_found)?;
        Ok(endpoint.kind)
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

/// A connector's login (its account, token and, for a CRM, currency), checked: all given
/// at registration (and none for a webhook); any alone in a change.
#[derive(Debug, Default, PartialEq)]
struct Login {
    account: Option<String>,
    token: Option<String>,
    currency: Option<String>,
}

fn login(kind: Kind, given: Login, registering: bool) -> Result<Login, Error> {
    let trim = |v: Option<String>| v.map(|v| v.trim().to_string());
    let login = Login {
        account: trim(given.account),
        token: trim(given.token),
        currency: trim(given.currency).map(|c| c.to_ascii_uppercase()),
    };
    let what = match kind {
        Kind::Webhook => {
            if login != Login::default() {
                return Err(Error::validation(
                    "token",
                    "a webhook has a signing secret, not an account, a token or a currency",
                ));
            }
            return Ok(login);
        }
        Kind::Slack | Kind::Teams => {
            if login != Login::default() {
                return Err(Error::validation(
                    "token",
                    "a chat's incoming webhook URL is all it takes: give it as url",
                ));
            }
            return Ok(login);
        }
        Kind::Zendesk => "the agent's email and its API token",
        Kind::HubSpot => {
            "the portal (hub) id, a private app's access token and the company currency"
        }
        Kind::Email => "the address to write to",
    };
    if kind == Kind::Email && login.token.is_some() {
        return Err(Error::validation("token", "an email endpoint has no token"));
    }
    if registering {
        let missing = [
            ("account", login.account.is_none()),
            ("token", kind != Kind::Email && login.token.is_none()),
            (
                "currency",
                kind == Kind::HubSpot && login.currency.is_none(),
            ),
        ];
        if let Some((field, _)) = missing.iter().find(|(_, missing)| *missing) {
            return Err(Error::validation(
                *field,
                format!("required for {}: {what}", kind.as_str()),
            ));
        }
    }
    if let Some(account) = &login.account {
        let valid = match kind {
            Kind::Zendesk | Kind::Email => {
                (3..=MAX_ACCOUNT).contains(&account.len())
                    && !account.contains(char::is_whitespace)
                    && account
                        .split_once('@')
                        .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
            }
            _ => (1..=20).contains(&account.len()) && account.bytes().all(|b| b.is_ascii_digit()),
        };
        if !valid {
            let expected = match kind {
                Kind::Zendesk => "must be the agent's email",
                Kind::Email => "must be an email address",
                _ => "must be the HubSpot portal (hub) id, digits",
            };
            return Err(Error::validation("account", expected));
        }
    }
    if let Some(token) = &login.token {
        let printable = token.bytes().all(|b| b.is_ascii_graphic());
        if token.is_empty() || token.len() > MAX_TOKEN || !printable {
            return Err(Error::validation(
                "token",
                format!("must be 1 to {MAX_TOKEN} printable characters"),
            ));
        }
    }
    if let Some(currency) = &login.currency {
        if kind != Kind::HubSpot {
            return Err(Error::validation("currency", "only a CRM has a currency"));
        }
        shared::contracts::work::money("0", currency)?;
    }
    Ok(login)
}

fn types(kind: Kind, names: &[String]) -> Result<Vec<EventType>, Error> {
    let handled = || {
        kind.handles()
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if names.is_empty() {
        return Err(Error::validation(
            "types",
            format!("name at least one of {}", handled()),
        ));
    }
    let mut types = names
        .iter()
        .map(|name| {
            EventType::parse(name)
                .filter(|t| kind.handles().contains(t))
                .ok_or_else(|| {
                    Error::validation("types", format!("{name} is not one of {}", handled()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn given(account: Option<&str>, token: Option<&str>, currency: Option<&str>) -> Login {
        Login {
            account: account.map(str::to_string),
            token: token.map(str::to_string),
            currency: currency.map(str::to_string),
        }
    }

    #[test]
    fn a_connector_should_need_its_login_and_a_webhook_refuse_one() {
        let zendesk = Kind::Zendesk;
        let agent = Some("agent@brand.example");
        assert!(login(zendesk, given(None, Some("tok"), None), true).is_err());
        assert!(login(zendesk, given(agent, None, None), true).is_err());
        assert!(login(
            zendesk,
            given(Some("not an email"), Some("tok"), None),
            true
        )
        .is_err());
        assert!(login(zendesk, given(agent, Some("tok en"), None), true).is_err());
        assert!(login(zendesk, given(agent, Some("tok"), Some("EUR")), true).is_err());
        assert_eq!(
            login(
                zendesk,
                given(Some(" agent@brand.example "), Some("tok"), None),
                true
            )
            .unwrap(),
            given(agent, Some("tok"), None)
        );
        // A change may give either alone.
        assert_eq!(
            login(zendesk, given(None, Some("new"), None), false).unwrap(),
            given(None, Some("new"), None)
        );
        let hubspot = Kind::HubSpot;
        assert!(login(hubspot, given(Some("62515"), Some("pat-eu1-x"), None), true).is_err());
        assert!(login(hubspot, given(agent, Some("pat-eu1-x"), Some("EUR")), true).is_err());
        assert!(login(
            hubspot,
            given(Some("62515"), Some("pat-eu1-x"), Some("euro")),
            true
        )
        .is_err());
        assert_eq!(
            login(
                hubspot,
                given(Some("62515"), Some("pat-eu1-x"), Some("eur")),
                true
            )
            .unwrap(),
            given(Some("62515"), Some("pat-eu1-x"), Some("EUR"))
        );
        assert!(login(Kind::Webhook, given(None, Some("tok"), None), true).is_err());
        assert_eq!(
            login(Kind::Webhook, Login::default(), true).unwrap(),
            Login::default()
        );
    }

    #[test]
    fn a_connector_should_take_only_the_events_it_handles() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(types(Kind::Zendesk, &names(&["case.opened", "case.closed"])).is_ok());
        let refused = types(Kind::Zendesk, &names(&["referral.converted"])).unwrap_err();
        assert!(refused
            .to_string()
            .contains("case.opened, case.closed, contact.erased"));
        assert!(types(Kind::Webhook, &names(&["referral.converted"])).is_ok());
        assert!(types(Kind::Webhook, &[]).is_err());
    }
}
