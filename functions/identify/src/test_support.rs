//! What the unit tests of several modules build: a contribution with only the fields a
//! test cares about set.

use chrono::Utc;
use shared::contracts::events::{
    Author, Contribution, ContributionAction, ContributionKind, ModerationState,
};

pub fn contribution(
    author: Author,
    rating: Option<u8>,
    moderation: ModerationState,
) -> Contribution {
    Contribution {
        action: ContributionAction::Created,
        kind: ContributionKind::Comment,
        external_id: "c1".into(),
        thread_id: None,
        thread_title: None,
        parent_id: None,
        permalink: None,
        author,
        text: "x".into(),
        language: None,
        created_at: Utc::now(),
        updated_at: None,
        moderation,
        rating,
    }
}
