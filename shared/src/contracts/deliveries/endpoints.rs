//! The receivers staff register (`DeliveriesTable`, partition `endpoints`, one item per
//! endpoint): where to send which event types, and the secrets to sign them with.
//!
//! Each endpoint has its own secret, shown once. Rotating it keeps the previous one valid
//! for [`ROTATION_OVERLAP`]: meanwhile every request carries both signatures
//! (`webhook-signature` is a space-separated list), so the receiver can switch when it likes.
//! Secrets are stored sealed with the credentials key, like the sources' credentials.
//!
//! An endpoint may instead be a tool Liaison speaks to in the tool's own API ([`Kind`]:
//! Zendesk), with the same lanes, retries and log: its URL is the tool's API base and its
//! token is sealed the same way, never shown again.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::EventType;
use crate::contracts::sealed::Sealer;
use crate::kit::dynamo::{self, condition_held, pk_sk, s};
use crate::Error;

const PARTITION: &str = "endpoints";

/// How long a rotated-out secret still signs.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

/// An endpoint has at most this many secrets at once (the current one and those rotated
/// out within [`ROTATION_OVERLAP`]).
const MAX_SECRETS: usize = 5;

/// The name the sealer binds each secret to.
const SEALED_NAME: &str = "signing_secret";
/// The name the sealer binds a connector's API token to.
const SEALED_TOKEN: &str = "api_token";

/// What receives an endpoint's deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Any receiver of signed Standard Webhooks requests.
    #[default]
    Webhook,
    /// Zendesk Support: a case opens a ticket, its close solves it, an erasure deletes the
    /// requester for good.
    Zendesk,
    /// HubSpot's CRM: an opportunity becomes a deal on its contact, a contribution a note
    /// on the contact's timeline, an erasure a GDPR deletion.
    #[serde(rename = "hubspot")]
    HubSpot,
    /// People told at once by email (through SES, from the brand's sender).
    Email,
    /// A Slack channel's incoming webhook.
    Slack,
    /// A Microsoft Teams channel's incoming webhook (a Workflows trigger URL).
    Teams,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Webhook,
        Kind::Zendesk,
        Kind::HubSpot,
        Kind::Email,
        Kind::Slack,
        Kind::Teams,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook",
            Kind::Zendesk => "zendesk",
            Kind::HubSpot => "hubspot",
            Kind::Email => "email",
            Kind::Slack => "slack",
            Kind::Teams => "teams",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// The events it knows what to do with (a connector, only those).
    pub fn handles(self) -> &'static [EventType] {
        match self {
            Kind::Webhook => &EventType::SUBSCRIBABLE,
            Kind::Zendesk => &[
                EventType::CaseOpened,
                EventType::CaseClosed,
                EventType::ContactErased,
            ],
            Kind::HubSpot => &[
                EventType::OpportunityOpened,
                EventType::OpportunityClosed,
                EventType::ContributionClassified,
                EventType::ContactErased,
                EventType::ConsentChanged,
            ],
            Kind::Email | Kind::Slack | Kind::Teams => &[
                EventType::OpportunityOpened,
                EventType::CallbackRequested,
                EventType::CaseOpened,
                EventType::CaseOverdue,
                EventType::QuestionOpened,
                EventType::QuestionOverdue,
            ],
        }
    }

    /// Whether it tells people (a notification), rather than a system.
    pub fn notifies(self) -> bool {
        matches!(self, Kind::Email | Kind::Slack | Kind::Teams)
    }

    /// Whether its URL is a secret (a chat's incoming webhook: whoever has it posts to the
    /// channel): sealed as its token, its origin only shown.
    pub fn secret_url(self) -> bool {
        matches!(self, Kind::Slack | Kind::Teams)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Secret {
    /// Sealed in the table, `whsec_…` once opened.
    pub value: String,
    pub created_at: DateTime<Utc>,
    /// Set when a newer secret replaced it: it signs until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    #[serde(default)]
    pub kind: Kind,
    /// A webhook's URL; a connector's API base (`https://{subdomain}.zendesk.com`).
    pub url: String,
    /// A connector's login, which its token belongs to (Zendesk: the agent's email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// A connector's API token, sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// A CRM's currency (ISO 4217), which its deals' amounts are in (HubSpot's company
    /// currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default)]
    pub description: String,
    /// What it receives.
    pub types: Vec<EventType>,
    pub enabled: bool,
    /// Why it was disabled (by Liaison after three days of failures, or by staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
    pub secrets: Vec<Secret>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by every change: a change made from a stale read is refused.
    pub version: u64,
}

impl Endpoint {
    /// Whether it wants `kind` (a test goes to its endpoint whatever it subscribes to).
    pub fn wants(&self, kind: EventType) -> bool {
        kind == EventType::WebhookTest || self.types.contains(&kind)
    }

    /// What staff see: everything but the secrets' values.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "kind": self.kind,
            "url": self.url,
            "account": self.account,
            "currency": self.currency,
            "token_set": self.token.is_some(),
            "description": self.description,
            "types": self.types,
            "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
            "disabled_at": self.disabled_at,
            "secrets": self.secrets.iter().map(|s| serde_json::json!({
                "created_at": s.created_at, "expires_at": s.expires_at,
            })).collect::<Vec<_>>(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// An endpoint to register (its types checked against what its kind handles).
#[derive(Debug, Clone)]
pub struct New {
    pub kind: Kind,
    pub url: String,
    pub description: String,
    pub types: Vec<EventType>,
    pub account: Option<String>,
    /// A connector's API token, in clear (sealed before it is stored).
    pub token: Option<String>,
    pub currency: Option<String>,
}

/// What staff change on an endpoint.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub url: Option<String>,
    pub account: Option<String>,
    /// A connector's new API token, in clear.
    pub token: Option<String>,
    pub currency: Option<String>,
    pub description: Option<String>,
    pub types: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct EndpointStore {
    pub client: Client,
    pub table: String,
    pub sealer: Sealer,
}

impl EndpointStore {
    /// Registers an endpoint: it, and a webhook's first secret in clear (shown once; a
    /// connector signs nothing).
    pub async fn create(
        &self,
        new: New,
        now: DateTime<Utc>,
    ) -> Result<(Endpoint, Option<String>), Error> {
        let id = crate::kit::ids::new_id("ep")?;
        let secret = match new.kind {
            Kind::Webhook => Some(crate::kit::ids::new_whsec()?),
            _ => None,
        };
        let endpoint = Endpoint {
            secrets: match &secret {
                Some(secret) => vec![Secret {
                    value: self.sealer.seal(&id, SEALED_NAME, secret)?,
                    created_at: now,
                    expires_at: None,
                }],
                None => vec![],
            },
            token: new
                .token
                .map(|token| self.sealer.seal(&id, SEALED_TOKEN, &token))
                .transpose()?,
            id,
            kind: new.kind,
            url: new.url,
            account: new.account,
            currency: new.currency,
            description: new.description,
            types: new.types,
            enabled: true,
            disabled_reason: None,
            disabled_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.put(&endpoint, None).await?;
        Ok((endpoint, secret))
    }

    pub async fn get(&self, id: &str) -> Result<Option<Endpoint>, Error> {
        dynamo::get(&self.client, &self.table, pk_sk(PARTITION, id), "endpoint").await
    }

    /// Every endpoint (a brand has a handful: one query, every page).
    pub async fn list(&self) -> Result<Vec<Endpoint>, Error> {
        let query = dynamo::query_eq(&self.client, &self.table, None, "pk", PARTITION)
            .consistent_read(true);
        crate::kit::pages::query_all(query, "Query endpoints")
            .await?
            .into_iter()
            .map(|item| dynamo::decode(item, "endpoint"))
            .collect()
    }

    /// Applies `changes`: the endpoint afterwards, `None` when there is none, a conflict when
    /// it changed meanwhile. Enabling clears the reason it was disabled for.
    pub async fn change(
        &self,
        id: &str,
        changes: Changes,
        now: DateTime<Utc>,
    ) -> Result<Option<Endpoint>, Error> {
        let Some(mut endpoint) = self.get(id).await? else {
            return Ok(None);
        };
        let read = endpoint.version;
        if let Some(url) = changes.url {
            endpoint.url = url;
        }
        if let Some(account) = changes.account {
            endpoint.account = Some(account);
        }
        if let Some(currency) = changes.currency {
            endpoint.currency = Some(currency);
        }
        if let Some(token) = changes.token {
            endpoint.token = Some(self.sealer.seal(id, SEALED_TOKEN, &token)?);
        }
        if let Some(description) = changes.description {
            endpoint.description = description;
        }
        if let Some(types) = changes.types {
            endpoint.types = types;
        }
        match changes.enabled {
            Some(true) => {
                endpoint.enabled = true;
                endpoint.disabled_reason = None;
                endpoint.disabled_at = None;
            }
            Some(false) if endpoint.enabled => {
                endpoint.enabled = false;
                endpoint.disabled_reason = Some("disabled by staff".into());
                endpoint.disabled_at = Some(now);
            }
            _ => {}
        }
        endpoint.updated_at = now;
        endpoint.version = read + 1;
        self.put(&endpoint, Some(read)).await?;
        Ok(Some(endpoint))
    }

    /// A new secret for endpoint `id`, in clear (shown once); the current ones keep signing
    /// for [`ROTATION_OVERLAP`], and those past their time are dropped.
    pub async fn rotate(&self, id: &str, now: DateTime<Utc>) -> Result<Option<String>, Error> {
        let Some(mut endpoint) = self.get(id).await? else {
            return Ok(None);
        };
        let read = endpoint.version;
        let secret = crate::kit::ids::new_whsec()?;
        for old in &mut endpoint.secrets {
            let until = now + ROTATION_OVERLAP;
            old.expires_at = Some(old.expires_at.map_or(until, |t| t.min(until)));
        }
        endpoint
            .secrets
            .retain(|old| old.expires_at.is_none_or(|t| t > now));
        endpoint.secrets.insert(
            0,
            Secret {
                value: self.sealer.seal(id, SEALED_NAME, &secret)?,
                created_at: now,
                expires_at: None,
            },
        );
        endpoint.secrets.truncate(MAX_SECRETS);
        endpoint.updated_at = now;
        endpoint.version = read + 1;
        self.put(&endpoint, Some(read)).await?;
        Ok(Some(secret))
    }

    /// The secrets that sign at `now`, opened, newest first.
    pub fn signing_secrets(
        &self,
        endpoint: &Endpoint,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, Error> {
        endpoint
            .secrets
            .iter()
            .filter(|s| s.expires_at.is_none_or(|t| t > now))
            .map(|s| self.sealer.open(&endpoint.id, SEALED_NAME, &s.value))
            .collect()
    }

    /// A connector's API token, opened (`None`: it has none).
    pub fn api_token(&self, endpoint: &Endpoint) -> Result<Option<String>, Error> {
        endpoint
            .token
            .as_deref()
            .map(|sealed| self.sealer.open(&endpoint.id, SEALED_TOKEN, sealed))
            .transpose()
    }

    /// Disables endpoint `id` for `reason`: `true` when this call disabled it (it was
    /// enabled), so the alarm counts an endpoint once.
    pub async fn disable(&self, id: &str, reason: &str, now: DateTime<Utc>) -> Result<bool, Error> {
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(pk_sk(PARTITION, id)))
            .condition_expression("enabled = :yes")
            .update_expression(
                "SET enabled = :no, disabled_reason = :why, disabled_at = :at, version = version + :one",
            )
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .expression_attribute_values(":why", s(reason))
            .expression_attribute_values(":at", s(now.to_rfc3339()))
            .expression_attribute_values(":one", dynamo::n(1))
            .send()
            .await;
        condition_held(updated, "UpdateItem endpoint")
    }

    /// Deletes endpoint `id`: whether there was one.
    pub async fn delete(&self, id: &str) -> Result<bool, Error> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(pk_sk(PARTITION, id)))
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        condition_held(deleted, "DeleteItem endpoint")
    }

    /// Writes `endpoint`: new (`read` is `None`) or replacing version `read`.
    async fn put(&self, endpoint: &Endpoint, read: Option<u64>) -> Result<(), Error> {
        let mut item = dynamo::encode(endpoint, "endpoint")?;
        item.extend(pk_sk(PARTITION, &endpoint.id));
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        let request = match read {
            None => request.condition_expression("attribute_not_exists(pk)"),
            Some(version) => request
                .condition_expression("version = :read")
                .expression_attribute_values(":read", dynamo::n(version)),
        };
        if condition_held(request.send().await, "PutItem endpoint")? {
            Ok(())
        } else {
            Err(Error::Conflict(format!(
                "endpoint {} changed meanwhile; read it again",
                endpoint.id
            )))
        }
    }
}
