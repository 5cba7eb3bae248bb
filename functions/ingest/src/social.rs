//! `social.connected` and `social.disconnected` of the generic envelope (docs/ingest.md): a
//! customer's connections on a social platform, sent by the brand's site, the input of
//! referral suggestions.
//!
//! Parsing is strict about the shape (a wrong type, an unknown relation or platform is a
//! 400 naming the field) and forgiving about the entries: a connection that cannot be used
//! (no id, the customer's own account, a duplicate) is dropped, a value out of range is
//! cleared, and the 202 says how many of each ([`Report`]).
//!
//! Limits: at most [`MAX_CONNECTIONS`] connections per request (a 413 beyond, counted
//! without keeping them), at most [`MAX_CHUNKS`] chunks per list; the body limit is
//! `Limits::max_social_body_bytes`. The cleaned list goes to the `referrals` queue in parts
//! of at most [`CONNECTIONS_PER_MESSAGE`] connections and [`PART_BUDGET_BYTES`] of JSON
//! ([`split`]), each with a message id derived from the event id and its part
//! ([`part_id`]).

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use shared::contracts::events::{
    Chunk, Connected, Connection, Disconnected, Event, Message, Relation, SiteCustomer,
    SocialAccount, SocialEvent, CONNECTIONS_PER_MESSAGE,
};
use shared::kit::json::from_slice;
use shared::Error;

use crate::fields;
use crate::request::{Cleared, Dropped, Report};
use crate::validate::{email_address, optional_text, required_text, truncate};

/// The most connections one request (one chunk of a list) may carry.
pub const MAX_CONNECTIONS: usize = 5_000;
/// The most chunks one list may be sent in (so 5,000,000 connections at most).
pub const MAX_CHUNKS: u32 = 1_000;
/// The platforms Liaison suggests referrals from, as `data.platform` names them.
pub const PLATFORMS: [&str; 11] = [
    "instagram",
    "facebook",
    "x",
    "tiktok",
    "youtube",
    "linkedin",
    "pinterest",
    "threads",
    "bluesky",
    "mastodon",
    "snapchat",
];
/// The most JSON bytes of connections in one queue message: with the rest of the message
/// (account, customer, ids: a few KB at most) it stays well under SQS's 256 KiB.
pub const PART_BUDGET_BYTES: usize = 200 * 1024;

/// Ids (the account's, the customer's, a connection's).
const MAX_ID: usize = 256;
/// Handles and display names.
const MAX_LABEL: usize = 256;

/// The refusal of a request with more than [`MAX_CONNECTIONS`] connections.
pub fn too_many_connections() -> Error {
    Error::PayloadTooLarge(format!(
        "at most {MAX_CONNECTIONS} connections per request: send the list in chunks (data.chunk.index / data.chunk.count)"
    ))
}

#[derive(Deserialize)]
struct ConnectedData {
    platform: String,
    account: AccountData,
    customer: CustomerData,
    connections: Entries,
    #[serde(default)]
    chunk: Option<ChunkData>,
}

#[derive(Deserialize)]
struct DisconnectedData {
    platform: String,
    account: AccountData,
    customer: CustomerData,
}

#[derive(Deserialize)]
struct AccountData {
    #[serde(deserialize_with = "fields::id")]
    id: String,
    #[serde(default)]
    handle: Option<String>,
}

#[derive(Deserialize)]
struct CustomerData {
    #[serde(default, deserialize_with = "fields::opt_id")]
    id: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct ChunkData {
    index: u32,
    count: u32,
}

#[derive(Debug, Deserialize)]
struct Entry {
    #[serde(default, deserialize_with = "fields::opt_id")]
    id: Option<String>,
    #[serde(default)]
    handle: Option<String>,
    #[serde(default)]
    name: Option<String>,
    relation: Relation,
    #[serde(default)]
    strength: Option<f64>,
}

/// The `connections` array: the first [`MAX_CONNECTIONS`] entries parsed, the rest only
/// counted (and checked to be JSON), so that an oversized list costs no memory before its
/// 413.
struct Entries {
    items: Vec<Entry>,
    total: usize,
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bounded;
        impl<'de> Visitor<'de> for Bounded {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of connections")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
                let hint = seq.size_hint().unwrap_or(0).min(MAX_CONNECTIONS);
                let mut items = Vec::with_capacity(hint);
                let mut total = 0;
                loop {
                    let more = if items.len() < MAX_CONNECTIONS {
                        seq.next_element::<Entry>()?.map(|e| items.push(e))
                    } else {
                        seq.next_element::<IgnoredAny>()?.map(|_| ())
                    };
                    if more.is_none() {
                        break;
                    }
                    total += 1;
                }
                Ok(Entries { items, total })
            }
        }
        d.deserialize_seq(Bounded)
    }
}

/// `social.connected`: the event (one part of one chunk, split later by [`split`]) and
/// what was done to its entries.
pub fn connected(data: &str) -> Result<(Event, Report), Error> {
    let d: ConnectedData = from_slice(data.as_bytes(), "data")?;
    if d.connections.total > MAX_CONNECTIONS {
        return Err(too_many_connections());
    }
    let account = account(&d.platform, d.account)?;
    let customer = customer(d.customer)?;
    let chunk = chunk(d.chunk)?;
    let (connections, mut report) = clean(&account, d.connections.items);
    report.chunk = chunk;
    let event = Event::Social(SocialEvent::Connected(Connected {
        account,
        customer,
        connections,
        chunk,
        part: Chunk { index: 0, count: 1 },
    }));
    Ok((event, report))
}

/// `social.disconnected`: the customer's account is no longer connected.
pub fn disconnected(data: &str) -> Result<Event, Error> {
    let d: DisconnectedData = from_slice(data.as_bytes(), "data")?;
    let account = account(&d.platform, d.account)?;
    let customer = customer(d.customer)?;
    Ok(Event::Social(SocialEvent::Disconnected(Disconnected {
        account,
        customer,
    })))
}

/// The platform's name as Liaison knows it: lower-cased, `twitter` is `x`.
pub fn platform(value: &str) -> Result<&'static str, Error> {
    let name = value.trim().to_ascii_lowercase();
    let name = if name == "twitter" { "x" } else { &name };
    PLATFORMS
        .iter()
        .find(|p| **p == name)
        .copied()
        .ok_or_else(|| {
            Error::validation(
                "data.platform",
                format!(
                    "unknown platform {:?}; accepted: {} (twitter is x)",
                    truncate(value.trim(), 64),
                    PLATFORMS.join(", ")
                ),
            )
        })
}

fn account(platform_name: &str, a: AccountData) -> Result<SocialAccount, Error> {
    let platform = platform(platform_name)?;
    let id = a.id.trim().to_string();
    required_text("data.account.id", &id, MAX_ID)?;
    let handle = non_empty(a.handle);
    optional_text("data.account.handle", handle.as_deref(), MAX_LABEL)?;
    Ok(SocialAccount {
        platform: platform.to_string(),
        id,
        handle,
    })
}

fn customer(c: CustomerData) -> Result<SiteCustomer, Error> {
    let id = non_empty(c.id);
    let email = non_empty(c.email);
    optional_text("data.customer.id", id.as_deref(), MAX_ID)?;
    if let Some(email) = &email {
        email_address("data.customer.email", email)?;
    }
    if id.is_none() && email.is_none() {
        return Err(Error::validation(
            "data.customer",
            "needs at least one of id or email",
        ));
    }
    Ok(SiteCustomer { id, email })
}

fn chunk(c: Option<ChunkData>) -> Result<Chunk, Error> {
    let Some(c) = c else {
        return Ok(Chunk { index: 0, count: 1 });
    };
    if c.count == 0 || c.count > MAX_CHUNKS {
        return Err(Error::validation(
            "data.chunk.count",
            format!("must be 1 to {MAX_CHUNKS}"),
        ));
    }
    if c.index >= c.count {
        return Err(Error::validation(
            "data.chunk.index",
            format!(
                "must be less than data.chunk.count ({}): chunks count from 0",
                c.count
            ),
        ));
    }
    Ok(Chunk {
        index: c.index,
        count: c.count,
    })
}

/// Trimmed; blank is none.
fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A handle compared with another: without `@`, case-insensitive.
fn handle_key(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_lowercase()
}

/// The closer of two relations to the same person. Following each other is a mutual
/// connection, which is what `friend` means.
pub fn closer(a: Relation, b: Relation) -> Relation {
    fn rank(r: Relation) -> u8 {
        match r {
            Relation::Friend => 3,
            Relation::Followed => 2,
            Relation::Follower => 1,
            Relation::Fan => 0,
        }
    }
    match (a, b) {
        (Relation::Follower, Relation::Followed) | (Relation::Followed, Relation::Follower) => {
            Relation::Friend
        }
        _ if rank(b) > rank(a) => b,
        _ => a,
    }
}

/// Drops what cannot be used, merges duplicates (first position kept), clears values out
/// of range; pure, so the same list always gives the same result.
fn clean(account: &SocialAccount, entries: Vec<Entry>) -> (Vec<Connection>, Report) {
    let mut report = Report {
        received: entries.len(),
        accepted: 0,
        dropped: Dropped::default(),
        cleared: Cleared::default(),
        chunk: Chunk { index: 0, count: 1 },
    };
    let own_handle = account.handle.as_deref().map(handle_key);
    let mut kept: Vec<Connection> = Vec::with_capacity(entries.len());
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(entries.len());
    for entry in entries {
        let id = match non_empty(entry.id) {
            Some(id) if id.len() <= MAX_ID => id,
            _ => {
                report.dropped.invalid += 1;
                continue;
            }
        };
        let handle = non_empty(entry.handle);
        let is_self = id == account.id
            || own_handle.as_ref().is_some_and(|own| {
                handle
                    .as_deref()
                    .is_some_and(|h| handle_key(h) == *own && !own.is_empty())
            });
        if is_self {
            report.dropped.self_connection += 1;
            continue;
        }
        let handle = label(handle, &mut report.cleared.handle);
        let name = label(non_empty(entry.name), &mut report.cleared.name);
        let strength = match entry.strength {
            Some(s) if s.is_finite() && (0.0..=1.0).contains(&s) => Some(s),
            Some(_) => {
                report.cleared.strength += 1;
                None
            }
            None => None,
        };
        if let Some(&at) = seen.get(&id) {
            let first = &mut kept[at];
            first.relation = closer(first.relation, entry.relation);
            first.strength = match (first.strength, strength) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            if first.handle.is_none() {
                first.handle = handle;
            }
            if first.name.is_none() {
                first.name = name;
            }
            report.dropped.duplicate += 1;
            continue;
        }
        seen.insert(id.clone(), kept.len());
        kept.push(Connection {
            id,
            handle,
            name,
            relation: entry.relation,
            strength,
        });
    }
    report.accepted = kept.len();
    (kept, report)
}

/// A handle or name over [`MAX_LABEL`] bytes is cleared (and counted).
fn label(value: Option<String>, cleared: &mut usize) -> Option<String> {
    match value {
        Some(v) if v.len() > MAX_LABEL => {
            *cleared += 1;
            None
        }
        other => other,
    }
}

/// The message id of part `index` of the event `event_id`: the same on every delivery of
/// the same webhook, so a consumer that remembers the ids it applied applies each part
/// once.
pub fn part_id(event_id: &str, index: usize) -> String {
    format!("{event_id}-{index}")
}

/// A `social.connected` message as the queue messages that carry it: parts of at most
/// [`CONNECTIONS_PER_MESSAGE`] connections and [`PART_BUDGET_BYTES`] of them, in order,
/// `part` numbered from 0 of their count, ids from [`part_id`]. An empty list is one part.
/// Any other message is returned as it is.
pub fn split(message: Message) -> Vec<Message> {
    let Event::Social(SocialEvent::Connected(connected)) = &message.event else {
        return vec![message];
    };
    let ranges = parts(
        &connected.connections,
        CONNECTIONS_PER_MESSAGE,
        PART_BUDGET_BYTES,
    );
    let count = u32::try_from(ranges.len()).unwrap_or(u32::MAX);
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| Message {
            v: message.v,
            id: part_id(&message.id, i),
            source_id: message.source_id.clone(),
            platform: message.platform,
            dedupe_key: message.dedupe_key.clone(),
            received_at: message.received_at,
            correlation_id: message.correlation_id.clone(),
            event: Event::Social(SocialEvent::Connected(Connected {
                account: connected.account.clone(),
                customer: connected.customer.clone(),
                connections: connected.connections[range].to_vec(),
                chunk: connected.chunk,
                part: Chunk {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    count,
                },
            })),
        })
        .collect()
}

/// Consecutive ranges of at most `max_count` connections whose JSON adds up to at most
/// `max_bytes` (a single connection larger than that is a part of its own).
fn parts(connections: &[Connection], max_count: usize, max_bytes: usize) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, c) in connections.iter().enumerate() {
        let size = encoded_len(c) + 1;
        if i > start && (i - start == max_count || bytes + size > max_bytes) {
            ranges.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    ranges.push(start..connections.len());
    ranges
}

fn encoded_len(c: &Connection) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // A struct of strings and numbers always serialises; a failure would count as 0.
    let _ = serde_json::to_writer(&mut counter, c);
    counter.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::contracts::events::VERSION;
    use shared::contracts::sources::Platform;

    fn body(data: serde_json::Value) -> String {
        data.to_string()
    }

    fn base(connections: serde_json::Value) -> serde_json::Value {
        json!({
            "platform": "Instagram",
            "account": {"id": "1789", "handle": "@marie.dupont"},
            "customer": {"id": "cus_2231", "email": "marie.dupont@example.fr"},
            "connections": connections,
        })
    }

    fn entries(n: usize) -> serde_json::Value {
        (0..n)
            .map(|i| json!({"id": format!("u{i}"), "handle": format!("@user{i}"), "name": format!("User {i}"), "relation": "follower", "strength": 0.5}))
            .collect()
    }

    fn connected_of(data: serde_json::Value) -> (Connected, Report) {
        let (event, report) = connected(&body(data)).unwrap();
        let Event::Social(SocialEvent::Connected(c)) = event else {
            panic!("expected social.connected")
        };
        (c, report)
    }

    fn field_of(data: serde_json::Value) -> String {
        match connected(&body(data)).unwrap_err() {
            Error::Validation { field, .. } => field.unwrap_or_default(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_connection_list_should_parse_with_defaults() {
        let (c, report) = connected_of(base(json!([
            {"id": "u1", "handle": "@paul", "name": "Paul", "relation": "friend", "strength": 0.8},
            {"id": 1876543210987654321u64, "relation": "fan"},
        ])));
        assert_eq!(c.account.platform, "instagram");
        assert_eq!(c.account.id, "1789");
        assert_eq!(c.account.handle.as_deref(), Some("@marie.dupont"));
        assert_eq!(c.customer.id.as_deref(), Some("cus_2231"));
        assert_eq!(c.chunk, Chunk { index: 0, count: 1 });
        assert_eq!(c.part, Chunk { index: 0, count: 1 });
        assert_eq!(c.connections.len(), 2);
        assert_eq!(c.connections[0].relation, Relation::Friend);
        assert_eq!(c.connections[0].strength, Some(0.8));
        // A numeric id stays exact.
        assert_eq!(c.connections[1].id, "1876543210987654321");
        assert_eq!(report.received, 2);
        assert_eq!(report.accepted, 2);
        assert_eq!(report.dropped, Dropped::default());
    }

    #[test]
    fn twitter_should_be_x_and_case_should_not_matter() {
        for name in ["twitter", "Twitter", " X ", "x"] {
            let mut data = base(json!([]));
            data["platform"] = json!(name);
            assert_eq!(connected_of(data).0.account.platform, "x", "{name}");
        }
    }

    #[test]
    fn an_unknown_platform_should_be_refused_naming_the_field_and_the_accepted_ones() {
        let mut data = base(json!([]));
        data["platform"] = json!("myspace");
        let err = connected(&body(data)).unwrap_err();
        let Error::Validation { field, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(field.as_deref(), Some("data.platform"));
        assert!(message.contains("\"myspace\""), "{message}");
        for p in PLATFORMS {
            assert!(message.contains(p), "{message} lists {p}");
        }
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn when_a_field_is_missing_or_wrong_should_name_it() {
        let mut data = base(json!([]));
        data["customer"] = json!({});
        assert_eq!(field_of(data), "data.customer");
        let mut data = base(json!([]));
        data["customer"] = json!({"email": "not-an-email"});
        assert_eq!(field_of(data), "data.customer.email");
        let mut data = base(json!([]));
        data.as_object_mut().unwrap().remove("customer");
        assert_eq!(field_of(data), "data.customer");
        let mut data = base(json!([]));
        data["account"] = json!({"id": " "});
        assert_eq!(field_of(data), "data.account.id");
        let mut data = base(json!([]));
        data.as_object_mut().unwrap().remove("connections");
        assert_eq!(field_of(data), "data.connections");
        assert_eq!(
            field_of(base(json!([{"id": "u1", "relation": "colleague"}]))),
            "data.connections[0].relation"
        );
        assert_eq!(
            field_of(base(json!([{"id": "u1", "relation": "fan"}, {"id": "u2"}]))),
            "data.connections[1].relation"
        );
        assert_eq!(
            field_of(base(
                json!([{"id": "u1", "relation": "fan", "strength": "high"}])
            )),
            "data.connections[0].strength"
        );
    }

    #[test]
    fn chunks_should_be_checked() {
        let with_chunk = |index: u32, count: u32| {
            let mut data = base(json!([]));
            data["chunk"] = json!({"index": index, "count": count});
            data
        };
        assert_eq!(
            connected_of(with_chunk(9, 10)).0.chunk,
            Chunk {
                index: 9,
                count: 10
            }
        );
        assert_eq!(field_of(with_chunk(10, 10)), "data.chunk.index");
        assert_eq!(field_of(with_chunk(0, 0)), "data.chunk.count");
        assert_eq!(field_of(with_chunk(0, 1001)), "data.chunk.count");
        assert!(connected(&body(with_chunk(999, 1000))).is_ok());
    }

    #[test]
    fn more_than_5000_connections_should_be_413_with_the_limit() {
        assert!(connected(&body(base(entries(5_000)))).is_ok());
        let err = connected(&body(base(entries(5_001)))).unwrap_err();
        assert_eq!(err.status(), 413);
        assert_eq!(
            err.to_body(),
            json!({"error": {"code": "payload_too_large", "message": "at most 5000 connections per request: send the list in chunks (data.chunk.index / data.chunk.count)"}})
        );
        // Entries past the limit are only counted, whatever they hold.
        let mut many = entries(5_000);
        many.as_array_mut()
            .unwrap()
            .push(json!({"unexpected": [1, 2]}));
        assert_eq!(connected(&body(base(many))).unwrap_err().status(), 413);
    }

    #[test]
    fn a_connection_back_to_the_customer_should_be_dropped_as_self() {
        let (c, report) = connected_of(base(json!([
            {"id": "1789", "relation": "friend"},
            {"id": "u2", "handle": "@Marie.Dupont", "relation": "follower"},
            {"id": "u3", "handle": "@paul", "relation": "follower"},
        ])));
        assert_eq!(report.dropped.self_connection, 2);
        assert_eq!(c.connections.len(), 1);
        assert_eq!(c.connections[0].id, "u3");
        assert_eq!(report.accepted, 1);
    }

    #[test]
    fn duplicates_should_merge_into_the_closest_relation_and_the_strongest_tie() {
        let (c, report) = connected_of(base(json!([
            {"id": "u1", "relation": "fan", "strength": 0.2},
            {"id": "u2", "relation": "follower"},
            {"id": " u1 ", "handle": "@one", "relation": "followed", "strength": 0.7},
            {"id": "u1", "relation": "follower", "strength": 0.4},
            {"id": "u2", "relation": "fan", "name": "Two"},
            {"id": "u3", "relation": "followed"},
            {"id": "u3", "relation": "friend"},
        ])));
        assert_eq!(report.dropped.duplicate, 4);
        assert_eq!(report.accepted, 3);
        let ids: Vec<&str> = c.connections.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2", "u3"], "first positions kept");
        // fan, then followed, then follower: following each other is mutual.
        assert_eq!(c.connections[0].relation, Relation::Friend);
        assert_eq!(c.connections[0].strength, Some(0.7));
        assert_eq!(c.connections[0].handle.as_deref(), Some("@one"));
        assert_eq!(c.connections[1].relation, Relation::Follower);
        assert_eq!(c.connections[1].name.as_deref(), Some("Two"));
        assert_eq!(c.connections[2].relation, Relation::Friend);
    }

    #[test]
    fn the_closer_relation_should_win() {
        use Relation::*;
        assert_eq!(closer(Fan, Follower), Follower);
        assert_eq!(closer(Followed, Fan), Followed);
        assert_eq!(closer(Friend, Fan), Friend);
        assert_eq!(closer(Follower, Followed), Friend);
        assert_eq!(closer(Followed, Follower), Friend);
        assert_eq!(closer(Fan, Fan), Fan);
    }

    #[test]
    fn invalid_entries_and_values_should_be_dropped_or_cleared_and_counted() {
        let long = "x".repeat(257);
        let (c, report) = connected_of(base(json!([
            {"id": "", "relation": "fan"},
            {"relation": "fan"},
            {"id": null, "relation": "fan"},
            {"id": long, "relation": "fan"},
            {"id": "u1", "relation": "fan", "strength": 1.5},
            {"id": "u2", "relation": "fan", "strength": -0.1},
            {"id": "u3", "relation": "fan", "strength": 1.0, "handle": long, "name": long},
            {"id": "u4", "relation": "fan", "strength": 0.0, "handle": " ", "name": ""},
        ])));
        assert_eq!(report.dropped.invalid, 4);
        assert_eq!(report.cleared.strength, 2);
        assert_eq!(report.cleared.handle, 1);
        assert_eq!(report.cleared.name, 1);
        assert_eq!(report.accepted, 4);
        let strengths: Vec<Option<f64>> = c.connections.iter().map(|c| c.strength).collect();
        assert_eq!(strengths, [None, None, Some(1.0), Some(0.0)]);
        assert!(c.connections[2].handle.is_none() && c.connections[2].name.is_none());
        assert!(c.connections[3].handle.is_none() && c.connections[3].name.is_none());
    }

    #[test]
    fn a_nan_strength_should_be_cleared() {
        let account = SocialAccount {
            platform: "x".into(),
            id: "me".into(),
            handle: None,
        };
        let entry = |strength: f64| Entry {
            id: Some("u1".into()),
            handle: None,
            name: None,
            relation: Relation::Fan,
            strength: Some(strength),
        };
        let (kept, report) = clean(&account, vec![entry(f64::NAN), entry(f64::INFINITY)]);
        assert_eq!(kept[0].strength, None);
        assert_eq!(report.cleared.strength, 2);
        assert_eq!(report.dropped.duplicate, 1);
    }

    #[test]
    fn the_report_should_read_as_documented() {
        let (_, report) = connected_of(base(json!([
            {"id": "1789", "relation": "friend"},
            {"id": "u1", "relation": "fan"},
            {"id": "u1", "relation": "fan"},
            {"id": "", "relation": "fan"},
        ])));
        assert_eq!(
            report.to_json(),
            json!({"received": 4, "accepted": 1,
                   "dropped": {"self": 1, "duplicate": 1, "invalid": 1},
                   "cleared": {"strength": 0, "handle": 0, "name": 0},
                   "chunk": {"index": 0, "count": 1}})
        );
    }

    #[test]
    fn disconnected_should_parse() {
        let event = disconnected(
            &json!({"platform": "TikTok", "account": {"id": "77"}, "customer": {"email": "a@b.co"}})
                .to_string(),
        )
        .unwrap();
        let Event::Social(SocialEvent::Disconnected(d)) = event else {
            panic!()
        };
        assert_eq!(d.account.platform, "tiktok");
        assert_eq!(d.customer.email.as_deref(), Some("a@b.co"));
    }

    fn message_of(connected: Connected) -> Message {
        Message {
            v: VERSION,
            id: "evt_0123".into(),
            source_id: "src_1".into(),
            platform: Platform::StandardWebhooks,
            dedupe_key: "msg_1".into(),
            received_at: "2026-11-23T10:00:00Z".parse().unwrap(),
            correlation_id: "req-1".into(),
            event: Event::Social(SocialEvent::Connected(connected)),
        }
    }

    fn connected_parts(messages: &[Message]) -> Vec<&Connected> {
        messages
            .iter()
            .map(|m| match &m.event {
                Event::Social(SocialEvent::Connected(c)) => c,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_thousand_connections_should_be_three_messages_of_at_most_400_with_stable_ids() {
        let (c, _) = connected_of(base(entries(1_000)));
        let all = c.connections.clone();
        let messages = split(message_of(c.clone()));
        assert_eq!(messages.len(), 3);
        let parts = connected_parts(&messages);
        let sizes: Vec<usize> = parts.iter().map(|p| p.connections.len()).collect();
        assert_eq!(sizes, [400, 400, 200]);
        for (i, (m, p)) in messages.iter().zip(&parts).enumerate() {
            assert_eq!(
                p.part,
                Chunk {
                    index: i as u32,
                    count: 3
                }
            );
            assert_eq!(p.chunk, Chunk { index: 0, count: 1 });
            assert_eq!(m.id, format!("evt_0123-{i}"));
            assert_eq!(m.dedupe_key, "msg_1");
            assert!(m.encode().len() < 256 * 1024);
        }
        // Nothing lost, nothing doubled, order kept.
        let rejoined: Vec<Connection> = parts.iter().flat_map(|p| p.connections.clone()).collect();
        assert_eq!(rejoined, all);
        // The same input gives the same messages.
        assert_eq!(split(message_of(c)), messages);
    }

    #[test]
    fn an_empty_list_should_still_be_one_message() {
        let (c, _) = connected_of(base(json!([])));
        let messages = split(message_of(c));
        assert_eq!(messages.len(), 1);
        assert_eq!(
            connected_parts(&messages)[0].part,
            Chunk { index: 0, count: 1 }
        );
        assert_eq!(messages[0].id, "evt_0123-0");
    }

    #[test]
    fn long_entries_should_split_by_size_too() {
        let name = "é".repeat(128);
        let list: serde_json::Value = (0..1_000)
            .map(|i| json!({"id": format!("{i:0>200}"), "handle": format!("@{}", "h".repeat(250)), "name": name, "relation": "friend", "strength": 0.123456789}))
            .collect();
        let (c, _) = connected_of(base(list));
        let messages = split(message_of(c));
        assert!(messages.len() > 3, "{} parts", messages.len());
        let total: usize = connected_parts(&messages)
            .iter()
            .map(|p| p.connections.len())
            .sum();
        assert_eq!(total, 1_000);
        for m in &messages {
            assert!(m.encode().len() <= 256 * 1024, "{} bytes", m.encode().len());
        }
    }

    #[test]
    fn other_messages_should_not_be_split() {
        let event = disconnected(
            &json!({"platform": "x", "account": {"id": "77"}, "customer": {"id": "c"}}).to_string(),
        )
        .unwrap();
        let mut message = message_of(Connected {
            account: SocialAccount {
                platform: "x".into(),
                id: "77".into(),
                handle: None,
            },
            customer: SiteCustomer::default(),
            connections: Vec::new(),
            chunk: Chunk { index: 0, count: 1 },
            part: Chunk { index: 0, count: 1 },
        });
        message.event = event;
        let out = split(message.clone());
        assert_eq!(out, vec![message]);
    }
}
