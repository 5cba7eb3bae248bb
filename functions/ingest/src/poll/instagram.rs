//! Instagram commenters' audience, for Meta sources with the brand's Instagram professional
//! account (`settings.instagram_account_id`) and a Page access token. Comments arrive by
//! webhook with their author's username only; how many follow an author is in the Graph
//! API's business discovery, for business and creator accounts alone, and a call to Meta has
//! no place in the webhook's path. So the poller reads it, at most once a week per author:
//! - `GET /{ig-user-id}/media?fields=id,timestamp,comments_count` (the account's newest
//!   posts, [`MEDIA_READ`] of them) and, for each with comments, `GET /{media-id}/comments
//!   ?fields=id,username,timestamp,from` (the newest [`COMMENTS_READ`]) for who commented
//!   since the cursor;
//! - `GET /{ig-user-id}?fields=business_discovery.username({username}){followers_count,
//!   media_count}` for each author not measured this week.
//!
//! Each author measured is an `audience_measured` event (deduplicated per author and day)
//! that identify applies to the contact their Instagram username names. A personal account
//! (Meta's code 110, "Invalid user id": business discovery does not show it) is skipped for
//! the week. Every Graph error is HTTP 400; its `code` says which: 190, 102, 10 and 200-299
//! are the brand's login, 4, 17, 32 and 613 rate limits (the run stops, its cursor unmoved,
//! the authors measured so far kept). One unit per call, within the source's daily budget.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::Deserialize;
use shared::contracts::events::{Audience, AudienceMeasured, Author, Event};

use super::fetch::{FetchError, Fetcher};
use super::measure::{each_due, Measurer};
use super::state::PollState;
use super::wp_rest::Window;
use super::{Batch, Failure};
use crate::request::Normalised;

/// The account's newest posts read for their comments.
pub const MEDIA_READ: usize = 10;
/// The newest comments read on each post.
pub const COMMENTS_READ: usize = 50;

/// The brand's Instagram account and the Page token that reads it.
pub struct Account<'a> {
    /// The Graph API with its version (`https://graph.facebook.com/v21.0`).
    pub graph: &'a str,
    pub id: &'a str,
    pub token: &'a str,
}

#[derive(Deserialize)]
struct Listed<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
}

#[derive(Deserialize)]
struct Media {
    id: String,
    #[serde(default)]
    comments_count: Option<u64>,
}

#[derive(Deserialize)]
struct Comment {
    #[serde(default)]
    username: Option<String>,
    timestamp: DateTime<Utc>,
    #[serde(default)]
    from: Option<From>,
}

#[derive(Deserialize)]
struct From {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Discovered {
    business_discovery: Business,
}

#[derive(Deserialize)]
struct Business {
    #[serde(default)]
    followers_count: Option<u64>,
}

#[derive(Deserialize)]
struct GraphError {
    error: GraphErrorBody,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    #[serde(default)]
    code: u32,
}

pub async fn poll(
    fetcher: &Fetcher,
    account: &Account<'_>,
    window: &Window,
    state: &PollState,
    now: DateTime<Utc>,
) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    let (authors, complete, newest) = commenters(fetcher, account, window, &mut batch).await?;
    let measurer = Commenters {
        fetcher,
        account,
        now,
    };
    let all = each_due(&measurer, &authors, &mut batch, window, state, now).await;
    batch.new_cursor = (complete && all).then_some(newest);
    Ok(batch)
}

/// Who commented on the account's newest posts since the window's cursor, newest first, each
/// once (not the account itself); whether every post with comments was read; the newest
/// comment's time.
async fn commenters(
    fetcher: &Fetcher,
    account: &Account<'_>,
    window: &Window,
    batch: &mut Batch,
) -> Result<(Vec<String>, bool, DateTime<Utc>), Failure> {
    let path = format!("{}/media", account.id);
    let fields = "id,timestamp,comments_count";
    let media: Listed<Media> = list(fetcher, account, &path, fields, MEDIA_READ, batch).await?;
    let mut newest = window.cursor;
    let mut seen: Vec<(DateTime<Utc>, String)> = Vec::new();
    for post in media.data.iter().filter(|m| m.comments_count != Some(0)) {
        if batch.units >= window.units_left || std::time::Instant::now() >= window.deadline {
            // The posts left unread keep the cursor where it is.
            return Ok((by_newest(seen), false, newest));
        }
        let path = format!("{}/comments", post.id);
        let fields = "id,username,timestamp,from";
        let comments: Listed<Comment> =
            list(fetcher, account, &path, fields, COMMENTS_READ, batch).await?;
        for comment in comments.data {
            if comment.timestamp <= window.cursor {
                continue;
            }
            newest = newest.max(comment.timestamp);
            let ours = comment
                .from
                .as_ref()
                .and_then(|f| f.id.as_deref())
                .is_some_and(|id| id == account.id);
            match comment.username {
                Some(name) if !ours && !name.is_empty() => seen.push((comment.timestamp, name)),
                _ => {}
            }
        }
    }
    Ok((by_newest(seen), true, newest))
}

/// One page of an edge (`{id}/media`, `{id}/comments`) with `fields`, `limit` items: a unit.
async fn list<T: serde::de::DeserializeOwned>(
    fetcher: &Fetcher,
    account: &Account<'_>,
    path: &str,
    fields: &str,
    limit: usize,
    batch: &mut Batch,
) -> Result<Listed<T>, Failure> {
    let request = authed(fetcher.get(&format!("{}/{path}", account.graph)), account)
        .query(&[("fields", fields), ("limit", &limit.to_string())]);
    batch.units += 1;
    graph_json(fetcher, request).await.map_err(|error| Failure {
        error,
        units: batch.units,
    })
}

/// The usernames, newest comment first, each once.
fn by_newest(mut seen: Vec<(DateTime<Utc>, String)>) -> Vec<String> {
    seen.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut found: Vec<String> = Vec::new();
    for (_, name) in seen {
        if !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

/// The account's commenters, measured by business discovery.
struct Commenters<'a> {
    fetcher: &'a Fetcher,
    account: &'a Account<'a>,
    now: DateTime<Utc>,
}

impl Measurer for Commenters<'_> {
    type Author = String;
    const API: &'static str = "instagram business discovery";

    fn key(username: &String) -> String {
        format!("ig:{username}")
    }

    fn calls(_: &String) -> u32 {
        1
    }

    async fn measure(
        &self,
        username: &String,
        batch: &mut Batch,
    ) -> Result<Option<Normalised>, FetchError> {
        batch.units += 1;
        // A personal account (`None`): not there to measure this week.
        let followers = followers(self.fetcher, self.account, username).await?;
        Ok(followers.map(|n| measured(username, n, self.now)))
    }
}

/// The author's followers from business discovery: `None` for a personal account.
async fn followers(
    fetcher: &Fetcher,
    account: &Account<'_>,
    username: &str,
) -> Result<Option<u64>, FetchError> {
    // Instagram usernames are letters, digits, `.` and `_`: anything else is not one, and
    // would change the field expansion it is written into.
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        return Ok(None);
    }
    let fields = format!("business_discovery.username({username}){{followers_count,media_count}}");
    let request = authed(
        fetcher.get(&format!("{}/{}", account.graph, account.id)),
        account,
    )
    .query(&[("fields", fields.as_str())]);
    match graph_json::<Discovered>(fetcher, request).await {
        Ok(found) => Ok(found.business_discovery.followers_count),
        Err(FetchError::Status(status)) if status == NOT_A_BUSINESS => Ok(None),
        Err(error) => Err(error),
    }
}

/// The status [`graph_json`] gives Meta's code 110: business discovery cannot show the
/// username (a personal account, or none).
const NOT_A_BUSINESS: StatusCode = StatusCode::NOT_FOUND;

/// A Graph API answer decoded, or its error read from the body's `code` (Meta answers 400
/// whatever the error is): the brand's login, a rate limit, a personal account (as 404), or
/// any other refusal.
async fn graph_json<T: serde::de::DeserializeOwned>(
    fetcher: &Fetcher,
    request: reqwest::RequestBuilder,
) -> Result<T, FetchError> {
    let (status, bytes) = fetcher.exchange(request).await?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| FetchError::Body(e.to_string()));
    }
    let code = serde_json::from_slice::<GraphError>(&bytes)
        .map(|e| e.error.code)
        .unwrap_or_default();
    Err(match code {
        190 | 102 | 10 | 200..=299 => FetchError::Unauthorized(status),
        4 | 17 | 32 | 613 => FetchError::RateLimited(status, None),
        110 => FetchError::Status(NOT_A_BUSINESS),
        _ => FetchError::Status(status),
    })
}

fn authed(request: reqwest::RequestBuilder, account: &Account<'_>) -> reqwest::RequestBuilder {
    request.bearer_auth(account.token)
}

/// The event that carries an author's audience to identify: their Instagram username (the
/// identity the comments' webhook gives) and their followers, once per author and day.
fn measured(username: &str, followers: u64, now: DateTime<Utc>) -> Normalised {
    Normalised {
        dedupe_key: format!(
            "audience:ig:{username}:{}",
            now.date_naive().format("%Y-%m-%d")
        ),
        event: Event::AudienceMeasured(AudienceMeasured {
            author: Author {
                handle: Some(username.to_string()),
                // Instagram authenticated the account, as on its comments.
                verified: true,
                audience: Audience {
                    followers: Some(followers),
                    ..Audience::default()
                },
                ..Author::default()
            },
            measured_at: now,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use liaison_stack::doubles::meta::{self, Graph, Post, PostComment, INSTAGRAM_ACCOUNT};
    use liaison_stack::doubles::Served;
    use std::sync::Arc;

    const TOKEN: &str = "EAAGpagetoken0123456789";

    fn window(units_left: u32) -> Window {
        Window {
            cursor: Utc::now() - Duration::days(1),
            units_left,
            max_pages: 10,
            deadline: std::time::Instant::now() + std::time::Duration::from_secs(30),
        }
    }

    fn comment(id: &str, username: &str, hours_ago: i64) -> PostComment {
        PostComment {
            id: id.into(),
            username: username.into(),
            from_id: format!("igsid-{username}"),
            timestamp: Utc::now() - Duration::hours(hours_ago),
        }
    }

    /// Two posts: a creator (48,000 followers) and a personal account commented lately, an
    /// old comment is past the cursor, and the brand answered under its own post.
    async fn account() -> (Served, Arc<Graph>) {
        let (served, graph) = meta::start("104857", TOKEN).await.unwrap();
        let mut own = comment("c4", "maison.lumiere", 1);
        own.from_id = INSTAGRAM_ACCOUNT.into();
        graph.posts.lock().unwrap().extend([
            Post {
                id: "17900000000000001".into(),
                timestamp: Utc::now() - Duration::hours(5),
                comments: vec![
                    comment("c1", "lea.deco", 3),
                    own,
                    comment("c2", "tom_perso", 2),
                ],
            },
            Post {
                id: "17900000000000002".into(),
                timestamp: Utc::now() - Duration::days(3),
                comments: vec![comment("c3", "lea.deco", 4), comment("c0", "ancien", 60)],
            },
        ]);
        graph
            .businesses
            .lock()
            .unwrap()
            .insert("lea.deco".into(), 48_000);
        (served, graph)
    }

    async fn run(served: &Served, state: &PollState, units_left: u32) -> Result<Batch, Failure> {
        let fetcher = Fetcher::new(std::time::Duration::from_secs(5), true).unwrap();
        let graph = format!("{}/v21.0", served.url);
        let account = Account {
            graph: &graph,
            id: INSTAGRAM_ACCOUNT,
            token: TOKEN,
        };
        poll(&fetcher, &account, &window(units_left), state, Utc::now()).await
    }

    fn followers(batch: &Batch) -> Vec<(String, Option<u64>)> {
        batch
            .events
            .iter()
            .map(|n| match &n.event {
                Event::AudienceMeasured(m) => (
                    m.author.handle.clone().unwrap_or_default(),
                    m.author.audience.followers,
                ),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn a_business_commenter_should_be_measured_and_a_personal_one_skipped_for_the_week() {
        let (served, _graph) = account().await;
        let batch = run(&served, &PollState::default(), 100).await.unwrap();
        assert_eq!(followers(&batch), [("lea.deco".to_string(), Some(48_000))]);
        assert_eq!(
            batch.events[0]
                .dedupe_key
                .split(':')
                .take(3)
                .collect::<Vec<_>>(),
            ["audience", "ig", "lea.deco"]
        );
        // Both commenters are done for the week; the brand and the old comment are nobody.
        // Newest comment first.
        assert_eq!(batch.measured, ["ig:tom_perso", "ig:lea.deco"]);
        // The media, two posts' comments, two discoveries.
        assert_eq!(batch.units, 5);
        let asked = served.recorder.requests();
        assert!(asked
            .iter()
            .all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
        let discovery: Vec<String> = asked
            .iter()
            .filter(|r| r.path == format!("/v21.0/{INSTAGRAM_ACCOUNT}"))
            .flat_map(|r| r.query_pairs())
            .filter(|(k, _)| k == "fields")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            discovery,
            [
                "business_discovery.username(tom_perso){followers_count,media_count}",
                "business_discovery.username(lea.deco){followers_count,media_count}"
            ]
        );
        assert!(!discovery
            .iter()
            .any(|f| f.contains("maison.lumiere") || f.contains("ancien")));
        assert!(batch.new_cursor.is_some());

        // A day later: nobody is asked again this week.
        let mut state = PollState::default();
        super::super::state::record_measured(&mut state, &batch.measured, Utc::now());
        let again = run(&served, &state, 100).await.unwrap();
        assert!(again.events.is_empty());
        assert_eq!(again.units, 3);
    }

    #[tokio::test]
    async fn a_rate_limit_should_stop_measuring_and_a_refused_token_should_fail_the_run() {
        let (served, _graph) = account().await;
        served.recorder.fail_next_to(
            reqwest::Method::GET,
            &format!("/v21.0/{INSTAGRAM_ACCOUNT}"),
            meta::rate_limited(),
        );
        let limited = run(&served, &PollState::default(), 100).await.unwrap();
        // The first discovery is refused: the run stops there, nobody measured, the cursor
        // unmoved.
        assert!(limited.events.is_empty(), "{:?}", followers(&limited));
        assert!(limited.measured.is_empty());
        assert_eq!(limited.new_cursor, None);

        // A budget that covers the reading but not one discovery, or not even the second
        // post's comments: the same.
        for units in [3, 2] {
            let short = run(&served, &PollState::default(), units).await.unwrap();
            assert!(short.events.is_empty());
            assert_eq!(short.units, units);
            assert_eq!(short.new_cursor, None, "{units} units");
        }

        let fetcher = Fetcher::new(std::time::Duration::from_secs(5), true).unwrap();
        let graph = format!("{}/v21.0", served.url);
        let stale = Account {
            graph: &graph,
            id: INSTAGRAM_ACCOUNT,
            token: "an-expired-token",
        };
        let failed = poll(
            &fetcher,
            &stale,
            &window(100),
            &PollState::default(),
            Utc::now(),
        )
        .await
        .err()
        .expect("a refused token fails the run");
        assert!(
            matches!(failed.error, FetchError::Unauthorized(_)),
            "{}",
            failed.error
        );
        assert_eq!(failed.units, 1);
    }

    #[tokio::test]
    async fn a_name_that_is_no_instagram_username_should_never_reach_the_field_expansion() {
        let (served, graph) = account().await;
        graph.posts.lock().unwrap()[0]
            .comments
            .push(comment("c9", "x){id}", 1));
        let batch = run(&served, &PollState::default(), 100).await.unwrap();
        assert!(batch.measured.contains(&"ig:x){id}".to_string()));
        assert!(!served
            .recorder
            .requests()
            .iter()
            .flat_map(|r| r.query_pairs())
            .any(|(_, v)| v.contains("x){id}")));
    }
}
