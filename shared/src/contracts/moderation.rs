//! Moderation decisions on contributions that arrived held (a pending WordPress comment, a
//! hidden Discourse post), and the callback that tells the platform.
//!
//! Identify decides first (`decided_by = "liaison"`); staff change it through
//! `/admin/moderation`. Either way, when the source has a `moderation_callback_url`, a
//! [`CallbackMessage`] goes to the `moderation-callbacks` queue and that function delivers it
//! as a signed Standard Webhooks request. Its `webhook-id` derives from the contribution and
//! the decision's time, so every retry and every re-send of one decision carries the same
//! id: the receiver applies a decision once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::contracts::sources::SourceStore;
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    /// A person must look: an incident (answer it privately before it is published), or a
    /// label the classifier is unsure of.
    Hold,
    Spam,
    /// Staff remove it from the platform (never Liaison's own decision).
    Delete,
}

impl Decision {
    pub const ALL: [Decision; 4] = [
        Decision::Approve,
        Decision::Hold,
        Decision::Spam,
        Decision::Delete,
    ];

    /// The name serde writes (and the `ByModeration` index key).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Hold => "hold",
            Decision::Spam => "spam",
            Decision::Delete => "delete",
        }
    }

    pub fn parse(name: &str) -> Option<Decision> {
        Self::ALL.into_iter().find(|d| d.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moderation {
    pub decision: Decision,
    pub reasons: Vec<String>,
    pub decided_at: DateTime<Utc>,
    /// `liaison` for the automatic decision; a staff member's id when changed.
    pub decided_by: String,
}

/// The source setting that turns callbacks on, and the credential that signs them.
/// Earlier decisions kept on a contribution (inside its item, which DynamoDB caps at 400 KB).
pub const MAX_HISTORY: usize = 20;

/// Replaces contribution `id`'s decision `current` (whose `decided_at` was read as `read`)
/// with `changed`, keeping `current` in its history: `false` when the decision changed
/// meanwhile (two staff deciding at once: the second is told, not silently overwritten) or
/// the history holds [`MAX_HISTORY`] already.
pub async fn change_decision(
    client: &aws_sdk_dynamodb::Client,
    contributions_table: &str,
    id: &str,
    read: aws_sdk_dynamodb::types::AttributeValue,
    current: &Moderation,
    changed: &Moderation,
) -> Result<bool, Error> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let encode = |m: &Moderation| {
        serde_dynamo::to_attribute_value::<_, AttributeValue>(m)
            .map_err(|e| Error::caused("encode moderation", e))
    };
    let updated = client
        .update_item()
        .table_name(contributions_table)
        .key("id", AttributeValue::S(id.into()))
        .condition_expression(
            "moderation.decided_at = :read AND \
             (attribute_not_exists(moderation_history) OR size(moderation_history) < :most)",
        )
        .expression_attribute_values(":most", AttributeValue::N(MAX_HISTORY.to_string()))
        .update_expression(
            "SET moderation = :m, moderation_status = :d, \
             moderation_history = list_append(if_not_exists(moderation_history, :none), :previous)",
        )
        .expression_attribute_values(":read", read)
        .expression_attribute_values(":m", encode(changed)?)
        .expression_attribute_values(":d", AttributeValue::S(changed.decision.as_str().into()))
        .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
        .expression_attribute_values(":previous", AttributeValue::L(vec![encode(current)?]))
        .send()
        .await;
    crate::kit::dynamo::condition_held(updated, "UpdateItem moderation")
}

pub const CALLBACK_URL_SETTING: &str = "moderation_callback_url";
pub const CALLBACK_SECRET_CREDENTIAL: &str = "moderation_callback_secret";

/// What the moderation-callbacks function delivers (its queue's body, versioned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackMessage {
    pub v: u32,
    pub source_id: String,
    /// The Standard Webhooks `webhook-id`: the same for every delivery of this decision.
    pub webhook_id: String,
    /// The JSON body the receiver gets.
    pub payload: serde_json::Value,
}

pub const CALLBACK_VERSION: u32 = 1;

/// What a contribution's decision is about, for the receiver.
pub struct Decided<'a> {
    pub contribution_id: &'a str,
    pub source_id: &'a str,
    pub platform: &'a str,
    /// The platform's own id of the comment or post, to act on it there.
    pub external_id: &'a str,
    pub moderation: &'a Moderation,
}

impl Decided<'_> {
    /// The queue message for this decision. Ids and the decision only: never the text.
    pub fn callback(&self) -> CallbackMessage {
        let m = self.moderation;
        let digest = Sha256::digest(
            format!("{}|{}", self.contribution_id, m.decided_at.to_rfc3339()).as_bytes(),
        );
        CallbackMessage {
            v: CALLBACK_VERSION,
            source_id: self.source_id.to_string(),
            webhook_id: format!("msg_{}", hex::encode(&digest[..16])),
            payload: serde_json::json!({
                "type": "contribution.moderated",
                "timestamp": m.decided_at,
                "data": {
                    "contribution_id": self.contribution_id,
                    "external_id": self.external_id,
                    "platform": self.platform,
                    "decision": m.decision,
                    "reasons": m.reasons,
                    "decided_at": m.decided_at,
                    "decided_by": m.decided_by,
                }
            }),
        }
    }
}

/// Where identify and admin send decisions so that the platform applies them: the
/// `answers` queue when Liaison moderates the source by its API
/// ([`crate::contracts::answers::moderates_by_api`]), the `moderation-callbacks` queue when
/// the source has a callback URL (both, when it has both).
pub struct CallbackQueue {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    /// The `answers` queue.
    pub answers: crate::contracts::answers::JobQueue,
    /// Where the decided contribution's source says how it wants decisions.
    pub sources: SourceStore,
}

impl CallbackQueue {
    /// Queues `decided` for its platform; `false` when the source wants no decisions (or
    /// is gone).
    pub async fn enqueue(&self, decided: &Decided<'_>) -> Result<bool, Error> {
        let Some(source) = self.sources.get(decided.source_id).await? else {
            return Ok(false);
        };
        let mut queued = false;
        if crate::contracts::answers::moderates_by_api(&source) {
            let job = crate::contracts::answers::Job::Moderate {
                contribution_id: decided.contribution_id.to_string(),
                source_id: decided.source_id.to_string(),
                external_id: decided.external_id.to_string(),
                decision: decided.moderation.decision,
                decided_at: decided.moderation.decided_at,
            };
            self.answers.send(job).await?;
            queued = true;
        }
        if source.setting(CALLBACK_URL_SETTING).is_some() {
            crate::kit::batch::send_json(
                &self.sqs,
                &self.queue_url,
                "moderation-callbacks",
                &decided.callback(),
            )
            .await?;
            queued = true;
        }
        Ok(queued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decision_should_always_carry_the_same_webhook_id() {
        let moderation = Moderation {
            decision: Decision::Spam,
            reasons: vec!["classified spam".into()],
            decided_at: "2026-11-23T10:00:00Z".parse().unwrap(),
            decided_by: "liaison".into(),
        };
        let decided = |m: &Moderation| {
            Decided {
                contribution_id: "evt_1",
                source_id: "src_1",
                platform: "wordpress",
                external_id: "18842",
                moderation: m,
            }
            .callback()
        };
        let first = decided(&moderation);
        assert_eq!(first, decided(&moderation));
        assert_eq!(first.payload["data"]["decision"], "spam");
        let changed = Moderation {
            decided_at: "2026-11-23T11:00:00Z".parse().unwrap(),
            ..moderation
        };
        assert_ne!(decided(&changed).webhook_id, first.webhook_id);
        for d in Decision::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
    }
}
