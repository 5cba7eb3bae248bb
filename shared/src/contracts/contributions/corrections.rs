//! Staff's corrections of labels: what a person said a contribution really is, kept on the
//! contribution's own item, so that an author's erasure erases their examples with it.
//!
//! A correction comes from a relabel, a moderation decision (spam, or approved), a case
//! closed as "not an incident" or an opportunity closed as "not a purchase intent". It keeps
//! what Liaison had said (`was`), so that the corrections measure the classifier
//! (`/admin/reports/corrections`), and the text, so that identify's word model learns from
//! it (`functions/identify/src/learning.rs`).
//!
//! A sparse index, `ByCorrection` (`learned` = `correction`, `corrected_at`), lists them
//! newest first with their text and nothing else of the contribution. One contribution holds
//! one correction: the newest; a person's relabel is not replaced by what a decision implies.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Label, LabelSource};
use crate::Error;

pub const BY_CORRECTION_INDEX: &str = "ByCorrection";
/// The index's one partition key value.
const LEARNED: &str = "correction";
/// The newest examples the word model and the report read: at a few hundred bytes each,
/// one or two Query pages.
pub const MAX_EXAMPLES: usize = 5_000;

/// How staff said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionKind {
    /// A person chose the label.
    Relabel,
    /// A moderation decision: spam, or approved (not spam).
    Moderation,
    /// A case closed with the label its contribution really had.
    Case,
    /// An opportunity closed with the label its contribution really had.
    Opportunity,
    /// A question closed with the label its contribution really had.
    Question,
}

/// What staff said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Is(Label),
    /// Approved on moderation: whatever it is, not spam. Liaison's label stands if it was
    /// not spam; else `other`, until someone relabels it.
    NotSpam,
}

impl Verdict {
    fn label(self, was: Label) -> Label {
        match self {
            Verdict::Is(label) => label,
            Verdict::NotSpam if was == Label::Spam => Label::Other,
            Verdict::NotSpam => was,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// What the contribution is, as staff said.
    pub label: Label,
    /// What Liaison had said.
    pub was: Label,
    /// What had decided it.
    pub was_source: LabelSource,
    pub how: CorrectionKind,
    /// The staff member (the token's subject).
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Correction {
    /// Whether Liaison was wrong (else it is a confirmation).
    pub fn changed(&self) -> bool {
        self.label != self.was
    }
}

/// A correction with its text, as the index gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub contribution_id: String,
    pub text: String,
    pub correction: Correction,
}

/// What `ContributionStore::correct` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Corrected {
    Kept(Correction),
    /// A person's relabel stands: what a decision implies does not replace it.
    RelabelStands(Correction),
}

impl super::ContributionStore {
    /// Records what staff said contribution `id` is, with `how` and `by`, against the label
    /// the record holds. `NotFound` if there is no such contribution.
    pub async fn correct(
        &self,
        id: &str,
        verdict: Verdict,
        how: CorrectionKind,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Corrected, Error> {
        let record = self
            .get(id)
            .await?
            .ok_or_else(|| Error::NotFound("no such contribution".into()))?;
        if let Some(existing) = record.correction.as_ref() {
            if existing.how == CorrectionKind::Relabel && how != CorrectionKind::Relabel {
                return Ok(Corrected::RelabelStands(existing.clone()));
            }
        }
        let was = record.classification.label;
        let correction = Correction {
            label: verdict.label(was),
            was,
            was_source: record.classification.source,
            how,
            by: by.to_string(),
            at: now,
        };
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .update_expression(
                "SET correction = :c, learned = :learned, corrected_at = :at, example_text = :text",
            )
            .expression_attribute_values(
                ":c",
                AttributeValue::M(crate::kit::dynamo::encode(&correction, "correction")?),
            )
            .expression_attribute_values(":learned", AttributeValue::S(LEARNED.into()))
            .expression_attribute_values(":at", AttributeValue::S(now.to_rfc3339()))
            .expression_attribute_values(
                ":text",
                AttributeValue::S(record.contribution.text.clone()),
            );
        // Not over a relabel made meanwhile (a decision's implied label never replaces a
        // person's), and never onto an item erased meanwhile.
        update = if how == CorrectionKind::Relabel {
            update.condition_expression("attribute_exists(id)")
        } else {
            update
                .condition_expression(
                    "attribute_exists(id) AND (attribute_not_exists(correction) OR correction.how <> :relabel)",
                )
                .expression_attribute_values(":relabel", AttributeValue::S("relabel".into()))
        };
        match update.send().await {
            Ok(_) => Ok(Corrected::Kept(correction)),
            Err(e) if crate::kit::dynamo::is_condition_failure(&e) => {
                match self.get(id).await?.and_then(|r| r.correction) {
                    Some(existing) => Ok(Corrected::RelabelStands(existing)),
                    None => Err(Error::NotFound("no such contribution".into())),
                }
            }
            Err(e) => Err(Error::from_sdk("UpdateItem correction", e)),
        }
    }

    /// The newest corrections, newest first, at most [`MAX_EXAMPLES`].
    pub async fn examples(&self) -> Result<Vec<Example>, Error> {
        let mut examples = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(BY_CORRECTION_INDEX)
                .key_condition_expression("learned = :learned")
                .expression_attribute_values(":learned", AttributeValue::S(LEARNED.into()))
                .scan_index_forward(false)
                .limit((MAX_EXAMPLES - examples.len()).min(1000) as i32)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| Error::from_sdk("Query ByCorrection", e))?;
            for item in out.items.unwrap_or_default() {
                if let Some(example) = example_of(item) {
                    examples.push(example);
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() || examples.len() >= MAX_EXAMPLES {
                return Ok(examples);
            }
        }
    }
}

/// An index item made an example; one that no longer reads (a label since removed) is
/// skipped, never a reason to stop learning.
fn example_of(mut item: crate::kit::dynamo::Item) -> Option<Example> {
    let id = item.remove("id")?.as_s().ok()?.clone();
    let text = item.remove("example_text")?.as_s().ok()?.clone();
    let correction = match item.remove("correction")? {
        AttributeValue::M(map) => crate::kit::dynamo::decode(map, "correction").ok()?,
        _ => return None,
    };
    Some(Example {
        contribution_id: id,
        text,
        correction,
    })
}
