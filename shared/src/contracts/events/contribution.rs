//! A normalised contribution: a comment, reply, post, review, mention or direct message,
//! whatever platform it came from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub action: ContributionAction,
    pub kind: ContributionKind,
    /// The platform's id for this contribution (kept as a string: ids beyond 2^53 exist).
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    pub author: Author,
    /// Plain text (HTML already converted by the connector).
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    pub moderation: ModerationState,
    /// For reviews: 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Author {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// As given by the platform or typed by the author; normalised later by `identify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_user_id: Option<String>,
    /// What the platform says of the author's audience. Flattened: `followers` stays where
    /// it always was in queue messages and stored contributions, beside the newer facts.
    #[serde(flatten)]
    pub audience: Audience,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What the author says of themselves on their profile (X's `description`, a YouTube
    /// channel's), cut to [`BIO_LIMIT`] characters: read for their type ("journaliste",
    /// "blogger", an association), never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// True when the platform authenticated this identity (a shop's customer, a logged-in
    /// forum user); false for what anyone can type (the email under a blog comment).
    #[serde(default)]
    pub verified: bool,
}

/// The characters of a profile's bio kept: X allows 160, YouTube 1,000; a type shows in the
/// first words.
pub const BIO_LIMIT: usize = 300;

/// A profile's bio as kept: trimmed, cut to [`BIO_LIMIT`] characters, `None` when empty.
pub fn bio(text: Option<String>) -> Option<String> {
    let text = text?;
    let kept: String = text.trim().chars().take(BIO_LIMIT).collect();
    (!kept.is_empty()).then_some(kept)
}

/// The facts a platform gives about how many people an author reaches, each as the
/// platform counts it; `scores::reach` turns them into one reach (0 to 100). Every field is
/// optional: a platform gives one or two, most give none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// Followers (X, Instagram, a Standard Webhooks sender).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    /// A YouTube channel's subscribers (absent when the channel hides them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<u64>,
    /// A Discourse member's trust level, 0 (new) to 4 (leader).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_level: Option<u8>,
    /// Likes a Discourse member's posts received, all time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes_received: Option<u64>,
    /// Posts a Discourse member wrote, all time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts: Option<u64>,
    /// Reviews a Trustpilot consumer wrote, all businesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviews_written: Option<u64>,
    /// The blog behind a commenter's website field (a blog's readers, count unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blog_url: Option<String>,
}

impl Audience {
    /// Whether the platform said anything about the audience.
    pub fn is_empty(&self) -> bool {
        *self == Audience::default()
    }
}

/// A platform's measure of an author's audience, taken apart from any contribution (a forum's
/// user API read by the poller): identify applies it to the contact the author's identities
/// name, if one is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceMeasured {
    /// The author's identities (account id, handle) and their `audience`.
    pub author: Author,
    pub measured_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionAction {
    Created,
    Updated,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    Comment,
    Reply,
    Post,
    Review,
    Mention,
    DirectMessage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationState {
    Published,
    Pending,
    Spam,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bio_should_be_trimmed_cut_and_absent_when_empty() {
        assert_eq!(
            bio(Some("  Blogueuse déco \n".into())).as_deref(),
            Some("Blogueuse déco")
        );
        assert_eq!(bio(Some("   ".into())), None);
        assert_eq!(bio(None), None);
        let long = "é".repeat(BIO_LIMIT + 40);
        assert_eq!(bio(Some(long)).map(|b| b.chars().count()), Some(BIO_LIMIT));
    }

    #[test]
    fn audience_facts_should_sit_beside_the_author_and_read_what_older_messages_wrote() {
        let author = Author {
            handle: Some("lumiere".into()),
            audience: Audience {
                subscribers: Some(120_000),
                trust_level: Some(3),
                ..Audience::default()
            },
            ..Author::default()
        };
        let json = serde_json::to_value(&author).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"handle": "lumiere", "subscribers": 120000, "trust_level": 3, "verified": false})
        );
        assert_eq!(serde_json::from_value::<Author>(json).unwrap(), author);
        // A message queued before audiences existed: its followers are read where they were.
        let older: Author =
            serde_json::from_str(r#"{"handle": "ada", "followers": 50000}"#).unwrap();
        assert_eq!(older.audience.followers, Some(50_000));
        // And as DynamoDB keeps a recorded contribution (numbers as strings).
        let item: serde_dynamo::Item = serde_dynamo::to_item(&author).unwrap();
        let back: Author = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back, author);
    }
}
