//! Webhook sources: one platform account that sends webhooks (a shop, a blog, a forum, a
//! social account), with the secrets that authenticate it.
//!
//! Table `SourcesTable` (docs/data-model.md): partition key `id`; GSI `ByKind` (`kind`,
//! `created_at`) lists sources newest first without a Scan. Written by `admin`, read by
//! `ingest` on every webhook.

use std::collections::BTreeMap;

use crate::contracts::sealed::Sealer;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kit::dynamo::{condition_held, is_condition_failure};
use crate::kit::error::{Error, Result};

/// The platforms Liaison has a connector for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// The Standard Webhooks signing scheme, with Liaison's generic envelope as payload.
    StandardWebhooks,
    Shopify,
    #[serde(rename = "woocommerce")]
    WooCommerce,
    /// WordPress with the WP Webhooks plugin (and its REST API for polling).
    #[serde(rename = "wordpress")]
    WordPress,
    Discourse,
    /// Facebook Pages and Instagram, through one Meta app's webhooks.
    Meta,
    /// X (Twitter) Account Activity.
    X,
    /// YouTube: WebSub for videos, the Data API (polled) for comments.
    #[serde(rename = "youtube")]
    YouTube,
    Trustpilot,
    /// Zendesk Support: not a place people speak, but the helpdesk handed Liaison's cases,
    /// whose signed event webhooks say when an agent solved one.
    Zendesk,
    /// HubSpot: the CRM handed Liaison's opportunities, whose signed webhooks (v3) say when
    /// a deal's stage or amount changed.
    #[serde(rename = "hubspot")]
    HubSpot,
}

impl Platform {
    pub const ALL: &'static [Platform] = &[
        Platform::StandardWebhooks,
        Platform::Shopify,
        Platform::WooCommerce,
        Platform::WordPress,
        Platform::Discourse,
        Platform::Meta,
        Platform::X,
        Platform::YouTube,
        Platform::Trustpilot,
        Platform::Zendesk,
        Platform::HubSpot,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::StandardWebhooks => "standard-webhooks",
            Platform::Shopify => "shopify",
            Platform::WooCommerce => "woocommerce",
            Platform::WordPress => "wordpress",
            Platform::Discourse => "discourse",
            Platform::Meta => "meta",
            Platform::X => "x",
            Platform::YouTube => "youtube",
            Platform::Trustpilot => "trustpilot",
            Platform::Zendesk => "zendesk",
            Platform::HubSpot => "hubspot",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == name)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One version of a source's signing secret. After a rotation the previous version keeps
/// working until `expires_at`, because platforms switch to a new secret gradually.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningSecret {
    pub value: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningSecret")
            .field("value", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// When a source's OAuth access token expires (RFC 3339): written by the answers function
/// when it refreshes the token; a new `access_token` given by staff drops it.
pub const ACCESS_TOKEN_EXPIRES_AT: &str = "access_token_expires_at";

/// Named secrets (`verify_token`, `api_key`, ...): stored with the source, never returned
/// after creation, never logged (Debug shows the names only).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credentials(pub BTreeMap<String, String>);

impl Credentials {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl SigningSecret {
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

pub const KIND: &str = "source";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub platform: Platform,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Newest first. Never returned by the admin API after creation, never logged.
    /// Empty when read from the `ByKind` index, which does not project secrets.
    #[serde(default)]
    pub secrets: Vec<SigningSecret>,
    /// Non-secret per-source settings (callback URLs, options), returned by the admin API.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Other secrets a platform needs besides the signing secret (Meta's verify token, the
    /// API keys and application passwords the poller uses). Same rules as `secrets`.
    #[serde(default, skip_serializing_if = "Credentials::is_empty")]
    pub credentials: Credentials,
    /// Optimistic-locking counter: every update is conditional on it.
    #[serde(default)]
    pub version: u64,
    /// GSI partition for listing (`ByKind`): always [`KIND`].
    #[serde(default = "default_kind")]
    pub kind: String,
    /// When the poller last asked a WebSub hub to (re)subscribe this source: the hub's
    /// verification GET is confirmed only shortly after (see `SourceStore::mark_websub_request`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websub_requested_at: Option<DateTime<Utc>>,
}

/// How long after Liaison asks a hub to subscribe its verification is confirmed.
pub const WEBSUB_VERIFY_WINDOW_MINUTES: i64 = 15;

fn default_kind() -> String {
    KIND.to_string()
}

impl Source {
    /// A string setting, if set and not blank.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The secrets that verify a signature at `now`.
    pub fn active_secrets(&self, now: DateTime<Utc>) -> impl Iterator<Item = &str> {
        self.secrets
            .iter()
            .filter(move |s| s.is_valid_at(now))
            .map(|s| s.value.as_str())
    }

    /// Puts `new_secret` first; the secrets still valid keep working for `grace` at most;
    /// expired ones are dropped.
    pub fn rotated(
        &self,
        new_secret: String,
        now: DateTime<Utc>,
        grace: Duration,
    ) -> Vec<SigningSecret> {
        let grace_end = now + grace;
        let mut secrets = vec![SigningSecret {
            value: new_secret,
            created_at: now,
            expires_at: None,
        }];
        secrets.extend(
            self.secrets
                .iter()
                .filter(|s| s.is_valid_at(now))
                .map(|s| SigningSecret {
                    value: s.value.clone(),
                    created_at: s.created_at,
                    expires_at: Some(s.expires_at.map_or(grace_end, |at| at.min(grace_end))),
                }),
        );
        secrets
    }
}

/// Access to `SourcesTable`. With a [`Sealer`] (the functions given the credentials key),
/// credential values are sealed as they are written and opened as they are read; without
/// one, they are read sealed (their names tell which exist) and cannot be written.
#[derive(Debug, Clone)]
pub struct SourceStore {
    client: Client,
    table: String,
    sealer: Option<Sealer>,
}

pub const BY_KIND_INDEX: &str = "ByKind";

impl SourceStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            sealer: None,
        }
    }

    /// The same store, sealing and opening credentials with `sealer`.
    pub fn with_sealer(mut self, sealer: Sealer) -> Self {
        self.sealer = Some(sealer);
        self
    }

    /// `credentials` of source `id` as they are stored: sealed.
    fn sealed(&self, id: &str, credentials: &Credentials) -> Result<Credentials> {
        match &self.sealer {
            Some(sealer) => sealer.seal_all(id, credentials),
            None if credentials.is_empty() => Ok(Credentials::default()),
            None => Err(Error::Internal(
                "credentials are written only with the credentials key (CREDENTIALS_KEY_PARAMETER)"
                    .into(),
            )),
        }
    }

    /// A stored source, its credentials opened when this store can.
    fn opened(&self, item: Item) -> Result<Source> {
        let mut source = from_item(item)?;
        if let Some(sealer) = &self.sealer {
            source.credentials = sealer.open_all(&source.id, &source.credentials)?;
        }
        Ok(source)
    }

    /// Strongly consistent: a source is usable the moment its creation is acknowledged.
    pub async fn get(&self, id: &str) -> Result<Option<Source>> {
        let key = crate::kit::dynamo::key("id", id);
        let item = crate::kit::dynamo::get_item(&self.client, &self.table, key, "source").await?;
        item.map(|item| self.opened(item)).transpose()
    }

    pub async fn create(&self, source: &Source) -> Result<()> {
        let stored = Source {
            credentials: self.sealed(&source.id, &source.credentials)?,
            ..source.clone()
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&stored)?))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await
            .map_err(|e| {
                if is_condition_failure(&e) {
                    Error::Conflict(format!("source {} already exists", source.id))
                } else {
                    Error::from_sdk("PutItem source", e)
                }
            })?;
        Ok(())
    }

    /// Newest first, `limit` at a time; `after` is the opaque cursor of the previous page.
    pub async fn list(
        &self,
        limit: i32,
        after: Option<&str>,
    ) -> Result<(Vec<Source>, Option<String>)> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_KIND_INDEX)
            .key_condition_expression("kind = :kind")
            .expression_attribute_values(":kind", AttributeValue::S(KIND.into()))
            .scan_index_forward(false)
            .limit(limit);
        if let Some(cursor) = after {
            query = query.set_exclusive_start_key(Some(crate::kit::pages::decode_cursor(
                cursor,
                &["id", "kind", "created_at"],
            )?));
        }
        let out = query
            .send()
            .await
            .map_err(|e| Error::from_sdk("Query sources", e))?;
        let sources = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| self.opened(item))
            .collect::<Result<Vec<_>>>()?;
        let next = out
            .last_evaluated_key
            .map(|k| crate::kit::pages::encode_cursor(&k));
        Ok((sources, next))
    }

    /// Deletes the source; `false` when there was none.
    pub async fn delete(&self, id: &str) -> Result<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| Error::from_sdk("DeleteItem source", e))?;
        Ok(out.attributes.is_some())
    }

    /// Notes that the poller is about to ask a WebSub hub to subscribe `id`, before it asks
    /// (a hub may verify before it answers). Not a change of the source: its version stays.
    pub async fn mark_websub_request(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .update_expression("SET websub_requested_at = :at")
            .condition_expression("attribute_exists(id)")
            .expression_attribute_values(":at", AttributeValue::S(crate::kit::clock::stamp(at)))
            .send()
            .await;
        condition_held(update, "UpdateItem source websub").map(|_| ())
    }

    /// Replaces the credentials and settings if nobody changed the source since
    /// `expected_version` was read.
    pub async fn replace_access(
        &self,
        id: &str,
        expected_version: u64,
        credentials: &Credentials,
        settings: &BTreeMap<String, serde_json::Value>,
    ) -> Result<()> {
        let credentials_av = serde_dynamo::to_attribute_value(self.sealed(id, credentials)?)
            .map_err(|e| Error::caused("encode credentials", e))?;
        let settings_av = serde_dynamo::to_attribute_value(settings)
            .map_err(|e| Error::caused("encode settings", e))?;
        self.versioned_update(
            id,
            expected_version,
            "SET credentials = :credentials, settings = :settings, version = :next",
            vec![(":credentials", credentials_av), (":settings", settings_av)],
            "UpdateItem source credentials",
        )
        .await
    }

    /// Replaces the secrets if nobody changed the source since `expected_version` was read.
    pub async fn replace_secrets(
        &self,
        id: &str,
        expected_version: u64,
        secrets: &[SigningSecret],
    ) -> Result<()> {
        let secrets_av = serde_dynamo::to_attribute_value(secrets)
            .map_err(|e| Error::caused("encode secrets", e))?;
        self.versioned_update(
            id,
            expected_version,
            "SET secrets = :secrets, version = :next",
            vec![(":secrets", secrets_av)],
            "UpdateItem source secrets",
        )
        .await
    }

    /// `update` (which sets `version = :next`) if the source is still at `expected_version`.
    async fn versioned_update(
        &self,
        id: &str,
        expected_version: u64,
        update: &str,
        values: Vec<(&str, AttributeValue)>,
        operation: &str,
    ) -> Result<()> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .update_expression(update)
            .condition_expression("attribute_exists(id) AND version = :expected")
            .expression_attribute_values(
                ":next",
                AttributeValue::N((expected_version + 1).to_string()),
            )
            .expression_attribute_values(
                ":expected",
                AttributeValue::N(expected_version.to_string()),
            );
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        request.send().await.map_err(|e| {
            if is_condition_failure(&e) {
                Error::Conflict(format!(
                    "source {id} changed meanwhile or was deleted; retry"
                ))
            } else {
                Error::from_sdk(operation, e)
            }
        })?;
        Ok(())
    }
}

type Item = std::collections::HashMap<String, AttributeValue>;

fn to_item(source: &Source) -> Result<Item> {
    crate::kit::dynamo::encode(source, "source")
}

fn from_item(item: Item) -> Result<Source> {
    crate::kit::dynamo::decode(item, "source")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn source(secrets: Vec<SigningSecret>) -> Source {
        Source {
            id: "src_1".into(),
            platform: Platform::StandardWebhooks,
            name: "Blog".into(),
            created_at: at("2026-01-01T00:00:00Z"),
            secrets,
            settings: BTreeMap::new(),
            credentials: Default::default(),
            version: 0,
            kind: KIND.into(),
            websub_requested_at: None,
        }
    }

    #[test]
    fn after_rotation_both_secrets_should_verify_until_the_grace_ends() {
        let now = at("2026-06-01T12:00:00Z");
        let old = SigningSecret {
            value: "old".into(),
            created_at: at("2026-01-01T00:00:00Z"),
            expires_at: None,
        };
        let rotated = Source {
            secrets: source(vec![old]).rotated("new".into(), now, Duration::hours(1)),
            ..source(vec![])
        };
        let during: Vec<_> = rotated
            .active_secrets(now + Duration::minutes(59))
            .collect();
        assert_eq!(during, ["new", "old"]);
        let after: Vec<_> = rotated
            .active_secrets(now + Duration::minutes(60))
            .collect();
        assert_eq!(after, ["new"]);
    }

    #[test]
    fn a_second_rotation_should_drop_expired_and_never_extend_a_grace() {
        let t0 = at("2026-06-01T12:00:00Z");
        let s = source(vec![SigningSecret {
            value: "a".into(),
            created_at: t0,
            expires_at: None,
        }]);
        let s1 = Source {
            secrets: s.rotated("b".into(), t0, Duration::hours(1)),
            ..s.clone()
        };
        // 30 minutes later: "a" must still expire at t0 + 1h, not t0 + 1h30.
        let t1 = t0 + Duration::minutes(30);
        let s2 = Source {
            secrets: s1.rotated("c".into(), t1, Duration::hours(1)),
            ..s.clone()
        };
        let a = s2.secrets.iter().find(|x| x.value == "a").unwrap();
        assert_eq!(a.expires_at, Some(t0 + Duration::hours(1)));
        // Two hours later, rotating again keeps only the new one and the one it supersedes.
        let t2 = t0 + Duration::hours(2);
        let s3 = s2.rotated("d".into(), t2, Duration::hours(1));
        let values: Vec<_> = s3.iter().map(|x| x.value.as_str()).collect();
        assert_eq!(values, ["d", "c"]);
    }

    #[test]
    fn debug_output_should_never_show_a_secret() {
        let mut s = source(vec![SigningSecret {
            value: "whsec_topsecret".into(),
            created_at: at("2026-01-01T00:00:00Z"),
            expires_at: None,
        }]);
        s.credentials
            .0
            .insert("api_key".into(), "AIzaTOPSECRET".into());
        let shown = format!("{s:?}");
        assert!(!shown.contains("topsecret") && !shown.contains("TOPSECRET"));
        assert!(shown.contains("api_key"));
    }

    #[test]
    fn platform_names_should_round_trip() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Some(*p));
            // serde and as_str must agree: the name is stored and put on the queue.
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Platform::parse("myspace"), None);
    }
}
