//! A customer's social connections, sent by the brand's site when the customer connects
//! (or disconnects) a social account: the input of referral suggestions.
//!
//! One connection list may be long (a creator's followers): the site sends it in chunks
//! (`chunk`), and ingest splits each chunk further into queue messages of at most
//! [`CONNECTIONS_PER_MESSAGE`], each a [`SocialEvent::Connected`] with its part.

use serde::{Deserialize, Serialize};

/// The most connections one queue message carries (about 60 KB of JSON, well under SQS's
/// 256 KB).
pub const CONNECTIONS_PER_MESSAGE: usize = 400;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SocialEvent {
    /// The customer connected an account (or the site sends a chunk of its connections).
    Connected(Connected),
    /// The customer disconnected it: its connections are forgotten.
    Disconnected(Disconnected),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialAccount {
    /// `instagram`, `facebook`, `x`, `tiktok`, `youtube`, `linkedin`...
    pub platform: String,
    /// The platform's user id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

/// Who the customer is, as the site knows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteCustomer {
    /// The shop's customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Mutual (a friend on Facebook, a mutual follow).
    Friend,
    /// Follows the customer.
    Follower,
    /// Likes the customer's page.
    Fan,
    /// The customer follows them.
    Followed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// The platform's user id of the connection.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub relation: Relation,
    /// How much the two interact, 0 to 1, when the platform says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<f64>,
}

/// Which part of the list a message carries: `index` of `count` (both from 0 / 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connected {
    pub account: SocialAccount,
    pub customer: SiteCustomer,
    pub connections: Vec<Connection>,
    /// The site's chunk, then ingest's part of it.
    pub chunk: Chunk,
    pub part: Chunk,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disconnected {
    pub account: SocialAccount,
    pub customer: SiteCustomer,
}
