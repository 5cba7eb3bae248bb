//! Discourse members' audience, for forums whose source has an API login (`api_key`,
//! `api_username`, the `instance_url` setting). Posts arrive by webhook with their author's
//! trust level; what a member's posts weigh on the forum (likes received, posts written) is
//! only in Discourse's user API, and a call to the forum has no place in the webhook's path:
//! a slow forum would slow, or lose, a delivery. So the poller reads it, at most once a week
//! per member:
//! - `GET /posts.json` (`PostsController#latest`: the forum's latest public posts, newest
//!   first, 50 a page; `before` = a post id for older ones) until the cursor, for who wrote
//!   lately and their trust level (`PostSerializer#trust_level`);
//! - `GET /u/{username}/summary.json` for each author not measured this week
//!   (`user_summary.likes_received`, `post_count`), and `GET /u/{username}.json`
//!   (`user.trust_level`) when the post did not say it.
//!
//! Each member measured is an `audience_measured` event (deduplicated per member and day)
//! that identify applies to the contact their forum account names. One unit per call, within
//! the source's daily budget; a member whose profile is hidden or gone (403, 404) is skipped
//! for the week; a rate limit or a failing forum stops the run where it is, the cursor
//! unmoved, the members measured so far kept.

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

/// Posts `/posts.json` gives a page (`LatestPostsQuery`'s limit).
const LATEST_PAGE: usize = 50;

/// A forum and the login that reads it.
pub struct Forum<'a> {
    pub url: &'a str,
    pub key: &'a str,
    pub username: &'a str,
}

#[derive(Deserialize)]
struct Latest {
    #[serde(default)]
    latest_posts: Vec<LatestPost>,
}

#[derive(Deserialize)]
struct LatestPost {
    id: u64,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    user_id: Option<i64>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    trust_level: Option<u64>,
}

#[derive(Deserialize)]
struct Summary {
    user_summary: UserSummary,
}

#[derive(Deserialize)]
struct UserSummary {
    #[serde(default)]
    likes_received: Option<u64>,
    #[serde(default)]
    post_count: Option<u64>,
}

#[derive(Deserialize)]
struct UserEnvelope {
    user: User,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    trust_level: Option<u64>,
}

/// A member who wrote since the cursor, as the latest posts tell of them.
struct Writer {
    user_id: String,
    username: String,
    trust_level: Option<u8>,
}

pub async fn poll(
    fetcher: &Fetcher,
    forum: &Forum<'_>,
    window: &Window,
    state: &PollState,
    now: DateTime<Utc>,
) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    let fail = |error: FetchError, units: u32| Failure { error, units };
    // The login goes only to a public HTTPS address.
    fetcher
        .destination(forum.url)
        .map_err(|error| fail(error, 0))?;
    let base = forum.url.trim_end_matches('/');
    let (writers, complete, newest) = writers(fetcher, forum, base, window, &mut batch).await?;
    let measurer = Members {
        fetcher,
        forum,
        base,
        now,
    };
    let all = each_due(&measurer, &writers, &mut batch, window, state, now).await;
    batch.new_cursor = (complete && all).then_some(newest);
    Ok(batch)
}

/// Who wrote since the window's cursor, newest first, each once (not the brand's own login,
/// nor Discourse's `system` and anonymous authors); whether every post since the cursor was
/// read; the newest post's time.
async fn writers(
    fetcher: &Fetcher,
    forum: &Forum<'_>,
    base: &str,
    window: &Window,
    batch: &mut Batch,
) -> Result<(Vec<Writer>, bool, DateTime<Utc>), Failure> {
    let mut found: Vec<Writer> = Vec::new();
    let mut newest = window.cursor;
    let mut before: Option<u64> = None;
    for page in 1.. {
        if !window.may_fetch(batch.units, page) {
            return Ok((found, false, newest));
        }
        let mut request = authed(fetcher.get(&format!("{base}/posts.json")), forum);
        if let Some(before) = before {
            request = request.query(&[("before", before.to_string())]);
        }
        batch.units += 1;
        let posts = fetcher
            .json::<Latest>(request)
            .await
            .map_err(|error| Failure {
                error,
                units: batch.units,
            })?
            .body
            .latest_posts;
        let Some(oldest) = posts.iter().map(|p| p.id).min() else {
            return Ok((found, true, newest));
        };
        for post in &posts {
            if post.created_at <= window.cursor {
                continue;
            }
            newest = newest.max(post.created_at);
            let (Some(username), Some(user_id)) = (&post.username, post.user_id) else {
                continue;
            };
            // Negative ids are Discourse's own (`system` is -1), not members.
            let ours = username.eq_ignore_ascii_case(forum.username);
            if user_id <= 0 || ours || found.iter().any(|w| &w.username == username) {
                continue;
            }
            found.push(Writer {
                user_id: user_id.to_string(),
                username: username.clone(),
                trust_level: post.trust_level.and_then(|l| u8::try_from(l).ok()),
            });
        }
        // Past the cursor, or a page short of full: the end of what is new.
        if posts.len() < LATEST_PAGE || posts.iter().any(|p| p.created_at <= window.cursor) {
            return Ok((found, true, newest));
        }
        before = Some(oldest);
    }
    Ok((found, false, newest))
}

/// The forum's members, measured from its user API.
struct Members<'a> {
    fetcher: &'a Fetcher,
    forum: &'a Forum<'a>,
    base: &'a str,
    now: DateTime<Utc>,
}

impl Measurer for Members<'_> {
    type Author = Writer;
    const API: &'static str = "discourse user API";

    fn key(writer: &Writer) -> String {
        writer.user_id.clone()
    }

    /// The summary, and the user when the post did not say their level.
    fn calls(writer: &Writer) -> u32 {
        if writer.trust_level.is_some() {
            1
        } else {
            2
        }
    }

    async fn measure(
        &self,
        writer: &Writer,
        batch: &mut Batch,
    ) -> Result<Option<Normalised>, FetchError> {
        let audience = measure(self.fetcher, self.forum, self.base, writer, batch).await?;
        Ok(audience.map(|audience| measured(writer, audience, self.now)))
    }
}

/// The member's audience from the user API: `None` when their profile cannot be read
/// (hidden, suspended, gone); `Err` when the forum refused or failed (the run stops).
async fn measure(
    fetcher: &Fetcher,
    forum: &Forum<'_>,
    base: &str,
    writer: &Writer,
    batch: &mut Batch,
) -> Result<Option<Audience>, FetchError> {
    let user = path_segment(&writer.username);
    let request = authed(fetcher.get(&format!("{base}/u/{user}/summary.json")), forum);
    batch.units += 1;
    let summary = match fetcher.json::<Summary>(request).await {
        Ok(page) => page.body.user_summary,
        Err(e) if unreadable_profile(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let trust_level = match writer.trust_level {
        Some(level) => Some(level),
        None => {
            let request = authed(fetcher.get(&format!("{base}/u/{user}.json")), forum);
            batch.units += 1;
            match fetcher.json::<UserEnvelope>(request).await {
                Ok(page) => page
                    .body
                    .user
                    .trust_level
                    .and_then(|l| u8::try_from(l).ok()),
                Err(e) if unreadable_profile(&e) => None,
                Err(e) => return Err(e),
            }
        }
    };
    Ok(Some(Audience {
        trust_level,
        likes_received: summary.likes_received,
        posts: summary.post_count,
        ..Audience::default()
    }))
}

/// A profile Discourse will not show this login (hidden: 403) or that is gone (404).
fn unreadable_profile(error: &FetchError) -> bool {
    matches!(error, FetchError::Unauthorized(StatusCode::FORBIDDEN))
        || matches!(error, FetchError::Status(StatusCode::NOT_FOUND))
}

fn authed(request: reqwest::RequestBuilder, forum: &Forum<'_>) -> reqwest::RequestBuilder {
    request
        .header("Api-Key", forum.key)
        .header("Api-Username", forum.username)
        .header("Accept", "application/json")
}

/// A username as one path segment: Discourse allows letters, digits, `_`, `.` and `-` (and
/// Unicode letters, percent-encoded here).
fn path_segment(username: &str) -> String {
    url::form_urlencoded::byte_serialize(username.as_bytes()).collect()
}

/// The event that carries a member's audience to identify: their forum identities (the
/// same the webhook's posts carry) and what was measured, once per member and day.
fn measured(writer: &Writer, audience: Audience, now: DateTime<Utc>) -> Normalised {
    Normalised {
        dedupe_key: format!(
            "audience:{}:{}",
            writer.user_id,
            now.date_naive().format("%Y-%m-%d")
        ),
        event: Event::AudienceMeasured(AudienceMeasured {
            author: Author {
                handle: Some(writer.username.clone()),
                platform_user_id: Some(writer.user_id.clone()),
                // The forum authenticated the account, as on its posts.
                verified: true,
                audience,
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
    use liaison_stack::doubles::discourse::{self, Member};
    use liaison_stack::doubles::Served;

    const KEY: &str = "discourse-api-key-0123456789";
    const LOGIN: &str = "maison_lumiere";

    fn window(units_left: u32) -> Window {
        Window {
            cursor: Utc::now() - Duration::days(1),
            units_left,
            max_pages: 10,
            deadline: std::time::Instant::now() + std::time::Duration::from_secs(30),
        }
    }

    fn member(user_id: i64, username: &str, trust_level: u8, likes: u64, posts: u64) -> Member {
        Member {
            user_id,
            username: username.into(),
            name: format!("Member {user_id}"),
            trust_level,
            likes_received: likes,
            post_count: posts,
            hidden: false,
        }
    }

    /// A forum where `jdupont` (level 3) and `ada` (level 1) wrote, and the brand answered.
    async fn forum() -> (Served, std::sync::Arc<discourse::Forum>) {
        let (served, forum) = discourse::start(KEY, LOGIN).await.unwrap();
        forum.add_topic(1204, "Variateur pour la Lampe Atelier ?", "variateur", &[]);
        forum.add_member(member(412, "jdupont", 3, 2_500, 400));
        forum.add_member(member(311, "ada", 1, 12, 9));
        forum.add_post(18340, 1204, 1, "ada");
        forum.add_post(18341, 1204, 2, "jdupont");
        forum.add_post(18342, 1204, 3, "jdupont");
        forum.add_post(18343, 1204, 4, LOGIN);
        (served, forum)
    }

    async fn run(served: &Served, state: &PollState, units_left: u32) -> Batch {
        let fetcher = Fetcher::new(std::time::Duration::from_secs(5), true).unwrap();
        let login = Forum {
            url: &served.url,
            key: KEY,
            username: LOGIN,
        };
        match poll(&fetcher, &login, &window(units_left), state, Utc::now()).await {
            Ok(batch) => batch,
            Err(failure) => panic!("{}", failure.error),
        }
    }

    fn audiences(batch: &Batch) -> Vec<(String, Audience)> {
        batch
            .events
            .iter()
            .map(|n| match &n.event {
                Event::AudienceMeasured(m) => (
                    m.author.platform_user_id.clone().unwrap_or_default(),
                    m.author.audience.clone(),
                ),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn each_member_who_wrote_should_be_measured_once_a_week() {
        let (served, _forum) = forum().await;
        let batch = run(&served, &PollState::default(), 100).await;
        let mut found = audiences(&batch);
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let measure = |level, likes, posts| Audience {
            trust_level: Some(level),
            likes_received: Some(likes),
            posts: Some(posts),
            ..Audience::default()
        };
        assert_eq!(
            found,
            [
                ("311".to_string(), measure(1, 12, 9)),
                ("412".to_string(), measure(3, 2_500, 400)),
            ]
        );
        // One page of latest posts, one summary per member (their level came with the posts);
        // the brand's own login is nobody to measure.
        assert_eq!(batch.units, 3);
        let asked: Vec<String> = served
            .recorder
            .requests()
            .iter()
            .map(|r| r.path.clone())
            .collect();
        assert!(!asked.iter().any(|p| p.contains(LOGIN)), "{asked:?}");
        assert!(served
            .recorder
            .requests()
            .iter()
            .all(|r| r.header("api-key") == Some(KEY) && r.header("api-username") == Some(LOGIN)));
        assert!(batch.new_cursor.is_some());
        assert!(batch.events[0].dedupe_key.starts_with("audience:"));

        // The same members a day later: not measured again this week.
        let mut state = PollState::default();
        super::super::state::record_measured(&mut state, &batch.measured, Utc::now());
        let again = run(&served, &state, 100).await;
        assert!(again.events.is_empty());
        assert_eq!(again.units, 1);
    }

    #[tokio::test]
    async fn a_hidden_or_gone_profile_should_be_skipped_and_a_rate_limit_should_stop_the_run() {
        let (served, forum) = forum().await;
        forum.add_member(Member {
            hidden: true,
            ..member(500, "discret", 2, 3, 3)
        });
        forum.add_post(18344, 1204, 5, "discret");
        let batch = run(&served, &PollState::default(), 100).await;
        let ids: Vec<String> = audiences(&batch).into_iter().map(|(id, _)| id).collect();
        assert!(!ids.contains(&"500".to_string()), "{ids:?}");
        // Skipped for the week, not asked again every run.
        assert!(batch.measured.contains(&"500".to_string()));

        let (served, _forum) = self::forum().await;
        served.recorder.fail_next_to(
            reqwest::Method::GET,
            "/u/jdupont/summary.json",
            discourse::rate_limited(30),
        );
        let limited = run(&served, &PollState::default(), 100).await;
        // jdupont wrote last: the run stops at them, nobody measured, the cursor unmoved.
        assert!(limited.events.is_empty(), "{:?}", audiences(&limited));
        assert_eq!(limited.new_cursor, None);
    }

    #[tokio::test]
    async fn a_spent_budget_should_stop_before_the_next_member() {
        let (served, _forum) = forum().await;
        let batch = run(&served, &PollState::default(), 2).await;
        assert_eq!(audiences(&batch).len(), 1);
        assert_eq!(batch.units, 2);
        assert_eq!(batch.new_cursor, None);
    }
}
