//! A type proposed for a contact: identify's detection (`identify::types`) reads what a
//! contribution says of its author (a media domain, a blog, the brand's partner list...) and
//! proposes a type with its reason; staff confirm it (`PATCH /admin/contacts/{id}` with that
//! type: `super::profile::set_type` removes the proposal and recomputes the influence) or
//! dismiss it (`DELETE /admin/contacts/{id}/proposed-type`: the type is remembered and never
//! proposed again for this contact). Nothing is proposed over a type staff set.
//!
//! Profile attributes (the profile item, `super::keys::profile_key`):
//!
//! | attribute | value |
//! | --- | --- |
//! | `proposed_type` | `{type, reason, strength, at}` ([`Proposed`]) |
//! | `dismissed_types` | the types staff dismissed, a list |
//!
//! A proposal is one conditional `UpdateItem`: a redelivery of the same contribution, or the
//! next contribution saying the same, changes nothing; a stronger signal replaces a weaker
//! one (the brand's tester list over a blog URL), never the other way round.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys;
use super::standing::ContactType;
use crate::kit::dynamo::{self, condition_held, is_condition_failure, s, Item};
use crate::Error;

/// What detection proposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    #[serde(rename = "type")]
    pub contact_type: ContactType,
    /// Why, for staff: `email domain acme.fr is a partner domain`.
    pub reason: String,
    /// How telling the signal is, 1 (a link's `ref=`) to 5 (the brand's tester list).
    pub strength: u8,
}

/// A proposal as the profile keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposed {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub at: DateTime<Utc>,
}

/// What a profile says that proposals and routing depend on: the type and who set it, the
/// proposal and the dismissed types, and the reach kept (with its basis and date).
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub contact_type: ContactType,
    /// Set when staff chose the type (`PATCH /admin/contacts/{id}`).
    pub type_set_by: Option<String>,
    pub proposed: Option<Proposed>,
    pub dismissed: Vec<ContactType>,
    /// 0 to 100, before the type (`super::scores`), when measured.
    pub reach: Option<f64>,
    /// What it was measured from (`youtube subscribers 120000`).
    pub reach_basis: Option<String>,
    pub reach_at: Option<DateTime<Utc>>,
}

impl Facts {
    /// Whether `proposal` is worth writing: staff did not set the type, it is not the type
    /// already, nor one staff dismissed, and no proposal as strong stands (the same type
    /// proposed again is no news). The write's condition says the same.
    pub fn welcomes(&self, proposal: &Proposal) -> bool {
        let t = proposal.contact_type;
        self.type_set_by.is_none()
            && self.contact_type != t
            && !self.dismissed.contains(&t)
            && self.proposed.as_ref().is_none_or(|p| {
                p.proposal.contact_type != t && p.proposal.strength < proposal.strength
            })
    }

    /// Whether staff have not settled the type: detection may speak for it.
    pub fn unsettled(&self) -> bool {
        self.type_set_by.is_none()
    }

    fn of(item: &Item) -> Facts {
        let time = |name: &str| dynamo::text(item, name).and_then(|t| t.parse().ok());
        Facts {
            contact_type: dynamo::text(item, "type")
                .and_then(ContactType::parse)
                .unwrap_or(ContactType::Prospect),
            type_set_by: dynamo::text(item, "type_set_by").map(str::to_string),
            proposed: item
                .get("proposed_type")
                .and_then(|v| serde_dynamo::from_attribute_value(v.clone()).ok()),
            dismissed: item
                .get("dismissed_types")
                .and_then(|v| v.as_l().ok())
                .map(|list| {
                    list.iter()
                        .filter_map(|v| v.as_s().ok().and_then(|t| ContactType::parse(t)))
                        .collect()
                })
                .unwrap_or_default(),
            reach: item
                .get("reach")
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok()),
            reach_basis: dynamo::text(item, "reach_basis").map(str::to_string),
            reach_at: time("reach_at"),
        }
    }
}

/// The facts of `contact_id`'s profile (`None`: no profile).
pub async fn facts(client: &Client, table: &str, contact_id: &str) -> Result<Option<Facts>, Error> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(keys::profile_key(contact_id)))
        .projection_expression(
            "#type, type_set_by, proposed_type, dismissed_types, reach, reach_basis, reach_at",
        )
        .expression_attribute_names("#type", "type")
        .send()
        .await
        .map_err(|e| Error::from_sdk("GetItem profile facts", e))?;
    Ok(out.item.as_ref().map(Facts::of))
}

/// Writes `proposal` on `contact_id`'s profile when [`Facts::welcomes`] it as the profile is
/// now: `false` when it did not (staff set the type meanwhile, the same was proposed...).
pub async fn propose(
    client: &Client,
    table: &str,
    contact_id: &str,
    proposal: &Proposal,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let proposed = Proposed {
        proposal: proposal.clone(),
        at: now,
    };
    let written = client
        .update_item()
        .table_name(table)
        .set_key(Some(keys::profile_key(contact_id)))
        .update_expression("SET proposed_type = :p")
        .condition_expression(
            "attribute_exists(pk) AND attribute_not_exists(type_set_by) AND #type <> :t \
             AND (attribute_not_exists(dismissed_types) OR NOT contains(dismissed_types, :t)) \
             AND (attribute_not_exists(proposed_type) \
                  OR (proposed_type.#type <> :t AND proposed_type.strength < :strength))",
        )
        .expression_attribute_names("#type", "type")
        .expression_attribute_values(
            ":p",
            AttributeValue::M(dynamo::encode(&proposed, "proposed type")?),
        )
        .expression_attribute_values(":t", s(proposal.contact_type.as_str()))
        .expression_attribute_values(":strength", dynamo::n(proposal.strength))
        .send()
        .await;
    condition_held(written, "UpdateItem proposed type")
}

/// Dismisses the type proposed for `contact_id`: the proposal goes, its type is remembered
/// so that it is not proposed again. The type dismissed; `None` when nothing was proposed
/// (or there is no such contact).
pub async fn dismiss(
    client: &Client,
    table: &str,
    contact_id: &str,
) -> Result<Option<ContactType>, Error> {
    for _ in 0..3 {
        let read =
            dynamo::get_item(client, table, keys::profile_key(contact_id), "profile").await?;
        let Some(proposed) = read.as_ref().and_then(|item| Facts::of(item).proposed) else {
            return Ok(None);
        };
        let t = proposed.proposal.contact_type;
        let update = client
            .update_item()
            .table_name(table)
            .set_key(Some(keys::profile_key(contact_id)))
            .update_expression(
                "REMOVE proposed_type \
                 SET dismissed_types = list_append(if_not_exists(dismissed_types, :none), :t)",
            )
            .condition_expression("proposed_type.#type = :type")
            .expression_attribute_names("#type", "type")
            .expression_attribute_values(":none", AttributeValue::L(vec![]))
            .expression_attribute_values(":t", AttributeValue::L(vec![s(t.as_str())]))
            .expression_attribute_values(":type", s(t.as_str()))
            .send()
            .await;
        match update {
            Ok(_) => return Ok(Some(t)),
            // Another proposal came meanwhile: dismiss what is there now.
            Err(e) if is_condition_failure(&e) => continue,
            Err(e) => return Err(Error::from_sdk("UpdateItem dismiss proposed type", e)),
        }
    }
    Err(Error::Transient(
        "the proposed type changed meanwhile; retry".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(t: ContactType, strength: u8) -> Proposal {
        Proposal {
            contact_type: t,
            reason: "why".into(),
            strength,
        }
    }

    fn facts(t: ContactType) -> Facts {
        Facts {
            contact_type: t,
            type_set_by: None,
            proposed: None,
            dismissed: vec![],
            reach: None,
            reach_basis: None,
            reach_at: None,
        }
    }

    #[test]
    fn a_proposal_should_never_go_over_a_type_staff_set_nor_repeat_what_is_there() {
        let partner = proposal(ContactType::Partner, 4);
        assert!(facts(ContactType::Prospect).welcomes(&partner));
        assert!(facts(ContactType::Customer).welcomes(&partner));
        let set = Facts {
            type_set_by: Some("camille".into()),
            ..facts(ContactType::Customer)
        };
        assert!(!set.welcomes(&partner), "staff decided");
        assert!(
            !facts(ContactType::Partner).welcomes(&partner),
            "already one"
        );
        let dismissed = Facts {
            dismissed: vec![ContactType::Partner],
            ..facts(ContactType::Prospect)
        };
        assert!(!dismissed.welcomes(&partner), "staff said no");
        let at = "2026-11-23T10:00:00Z".parse().unwrap();
        let proposed = |p: Proposal| Facts {
            proposed: Some(Proposed { proposal: p, at }),
            ..facts(ContactType::Prospect)
        };
        assert!(
            !proposed(partner.clone()).welcomes(&partner),
            "a redelivery"
        );
        // A stronger signal replaces a weaker one, never the other way round.
        let blogger = proposal(ContactType::Blogger, 2);
        assert!(proposed(blogger.clone()).welcomes(&partner));
        assert!(!proposed(partner).welcomes(&blogger));
    }

    #[test]
    fn facts_should_read_what_the_profile_keeps() {
        let proposed = Proposed {
            proposal: proposal(ContactType::Blogger, 2),
            at: "2026-11-23T10:00:00Z".parse().unwrap(),
        };
        let item: Item = [
            ("type".to_string(), s("customer")),
            (
                "proposed_type".to_string(),
                AttributeValue::M(dynamo::encode(&proposed, "p").unwrap()),
            ),
            (
                "dismissed_types".to_string(),
                AttributeValue::L(vec![s("journalist"), s("nonsense")]),
            ),
            ("reach".to_string(), dynamo::n(15)),
            ("reach_basis".to_string(), s("blog https://lumiere.blog")),
            ("reach_at".to_string(), s("2026-11-20T10:00:00+00:00")),
        ]
        .into();
        let read = Facts::of(&item);
        assert_eq!(read.contact_type, ContactType::Customer);
        assert_eq!(read.proposed, Some(proposed));
        assert_eq!(read.dismissed, vec![ContactType::Journalist]);
        assert_eq!(read.reach, Some(15.0));
        assert_eq!(
            read.reach_basis.as_deref(),
            Some("blog https://lumiere.blog")
        );
        assert!(read.reach_at.is_some() && read.unsettled());
        // The map as the API shows it.
        let json = serde_json::to_value(&read.proposed).unwrap();
        assert_eq!(json["type"], "blogger");
        assert_eq!(json["at"], "2026-11-23T10:00:00Z");
    }
}
