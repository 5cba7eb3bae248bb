//! The YouTube Data API v3, as the channel's owner with a Google OAuth 2.0 token (scope
//! `https://www.googleapis.com/auth/youtube.force-ssl`):
//! - a public reply is `comments.insert`: `POST /comments?part=snippet` with
//!   `snippet.parentId` (the top-level comment: YouTube threads one level deep, so a reply to
//!   a reply `{parent}.{reply}` goes under `{parent}`) and `snippet.textOriginal` → 200 with
//!   the comment resource;
//! - a moderation decision is `comments.setModerationStatus`:
//!   `POST /comments/setModerationStatus?id=..&moderationStatus=published|heldForReview|rejected`
//!   → 204;
//! - an `unknown` reply is read back with `comments.list`:
//!   `GET /comments?part=snippet&parentId=..&maxResults=100&textFormat=plainText` (1 unit a
//!   page, `nextPageToken` followed up to [`MAX_PAGES`]): the channel's reply is the one whose
//!   `snippet.authorChannelId.value` is the source's `channel_id` and whose
//!   `snippet.textOriginal` (returned to the comment's author) is the answer's text.
//!
//! Google's errors are `{"error":{"code","message","errors":[{"reason","domain","message"}]}}`.
//! A 403 is read by its reason: `quotaExceeded` is the project's daily quota (10,000 units; a
//! write costs 50), which comes back at midnight Pacific time, not a refused login.

use chrono::{DateTime, Datelike, Duration as Span, NaiveDate, TimeZone, Utc, Weekday};
use serde_json::{json, Value};
use shared::contracts::answers::{Answer, Channel, Published};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Source;

use crate::call::{self, Call, Response};
use crate::oauth::{self, Attempt, Provider};
use crate::Deps;

/// Publishes `answer` as the channel's reply under the comment.
pub async fn answer(deps: &Deps, source: &Source, answer: &Answer) -> Call<Published> {
    if answer.channel != Channel::PublicReply {
        return Call::refused("YouTube has no private messages");
    }
    let parent = top_level(&answer.target.external_id);
    if !is_id(parent) {
        return Call::refused("the comment's id is not a YouTube comment id");
    }
    let url = format!("{}/comments?part=snippet", deps.apis.youtube);
    let body = json!({"snippet": {"parentId": parent, "textOriginal": answer.text}});
    let now = deps.clock.now();
    let video = answer.target.thread_id.as_deref();
    authorised(deps, source, |token| {
        deps.http.post(&url).bearer_auth(token).json(&body)
    })
    .await
    .and_then(|comment| published(&comment, video, now))
}

/// Pages of replies read back under one comment (100 a page) before giving up.
pub const MAX_PAGES: usize = 5;

/// The channel's reply under the answered comment whose text is `answer`'s, if YouTube shows
/// one (an `unknown` answer read back; see the module's doc).
pub async fn find(deps: &Deps, source: &Source, answer: &Answer) -> Call<Option<Published>> {
    let parent = top_level(&answer.target.external_id);
    if !is_id(parent) {
        return Call::refused("the comment's id is not a YouTube comment id");
    }
    let Some(channel) = source.setting("channel_id") else {
        return Call::refused("the source needs its channel_id to read YouTube's replies back");
    };
    let url = format!("{}/comments", deps.apis.youtube);
    let video = answer.target.thread_id.as_deref();
    let now = deps.clock.now();
    let mut page: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let listed = authorised(deps, source, |token| {
            let mut query = vec![
                ("part", "snippet"),
                ("parentId", parent),
                ("maxResults", "100"),
                ("textFormat", "plainText"),
            ];
            if let Some(page) = page.as_deref() {
                query.push(("pageToken", page));
            }
            deps.http.get(&url).query(&query).bearer_auth(token)
        })
        .await;
        let listed = match listed {
            Call::Done(listed) => listed,
            other => return other.and_then(|_| Call::Done(None)),
        };
        if let Some(reply) = channel_reply(&listed, channel, &answer.text) {
            return published(reply, video, now).and_then(|p| Call::Done(Some(p)));
        }
        match listed.get("nextPageToken").and_then(Value::as_str) {
            Some(next) => page = Some(next.to_string()),
            None => return Call::Done(None),
        }
    }
    Call::refused(format!(
        "more than {} replies under the comment: the answer was not among the first",
        MAX_PAGES * 100
    ))
}

/// In a `commentListResponse`, the reply `channel` wrote with `text` (YouTube keeps the text
/// as typed; only its ends are not held to).
pub fn channel_reply<'a>(listed: &'a Value, channel: &str, text: &str) -> Option<&'a Value> {
    listed
        .get("items")
        .and_then(Value::as_array)?
        .iter()
        .find(|item| {
            let by = item
                .pointer("/snippet/authorChannelId/value")
                .and_then(Value::as_str);
            let said = item
                .pointer("/snippet/textOriginal")
                .and_then(Value::as_str);
            by == Some(channel) && said.map(str::trim) == Some(text.trim())
        })
}

/// Applies `decision` to comment `id` (a top-level comment or a reply, on the channel's
/// videos).
pub async fn moderate(deps: &Deps, source: &Source, id: &str, decision: Decision) -> Call<()> {
    if !is_id(id) {
        return Call::refused("the comment's id is not a YouTube comment id");
    }
    let url = format!("{}/comments/setModerationStatus", deps.apis.youtube);
    let status = moderation_status(decision);
    authorised(deps, source, |token| {
        deps.http
            .post(&url)
            .query(&[("id", id), ("moderationStatus", status)])
            .bearer_auth(token)
            // Google answers 411 to a POST without a length, and an empty body is sent without one.
            .header(reqwest::header::CONTENT_LENGTH, "0")
    })
    .await
    .and_then(|_| Call::Done(()))
}

/// One authorised call to the Data API, its 401 refreshed once and its errors read.
async fn authorised<F>(deps: &Deps, source: &Source, request: F) -> Call<Value>
where
    F: Fn(String) -> reqwest::RequestBuilder,
{
    oauth::authorised(deps, source, Provider::Google, |token| {
        let request = request(token);
        let now = deps.clock.now();
        async move {
            match call::send(request).await {
                Ok(response) => read_response(response, now),
                Err(call) => Attempt::Finished(call),
            }
        }
    })
    .await
}

/// YouTube's moderation status for a decision.
pub fn moderation_status(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "published",
        Decision::Hold => "heldForReview",
        Decision::Spam => "rejected",
        // The Data API deletes only the channel's own comments; `rejected` takes a viewer's
        // off the video for everyone.
        Decision::Delete => "rejected",
    }
}

/// The top-level comment a comment is under (itself when it is one).
pub fn top_level(id: &str) -> &str {
    id.split_once('.').map_or(id, |(parent, _)| parent)
}

/// Comment ids are URL-safe base64 (`Ugx...`), a reply's with a `.` and its own part.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// What one answer from the Data API means at `now`.
pub fn read_response(response: Response, now: DateTime<Utc>) -> Attempt<Value> {
    if response.status == 401 {
        return Attempt::Unauthorised(reason(&response));
    }
    if response.status != 403 {
        return Attempt::Finished(response.outcome());
    }
    let body = response.json();
    let why = body
        .pointer("/error/errors/0/reason")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Attempt::Finished(match why {
        "quotaExceeded" | "dailyLimitExceeded" => Call::Retry {
            after: (quota_reset(now) - now).to_std().ok(),
            reason: reason(&response),
        },
        "rateLimitExceeded" | "userRateLimitExceeded" => Call::Retry {
            after: response.after,
            reason: reason(&response),
        },
        // What was asked, not the login: comments turned off, a video the account may not
        // comment on.
        "commentsDisabled" | "operationNotSupported" | "processingFailure" => Call::Refused {
            reason: reason(&response),
            credentials: false,
        },
        _ => Call::Refused {
            reason: reason(&response),
            credentials: true,
        },
    })
}

fn reason(response: &Response) -> String {
    format!(
        "{}: {}",
        response.status,
        call::platform_message(&response.body)
    )
}

/// The comment YouTube created, at `now`; its page is the video's with the comment
/// highlighted, when the video is known.
fn published(comment: &Value, video: Option<&str>, now: DateTime<Utc>) -> Call<Published> {
    let Some(id) = comment.get("id").and_then(Value::as_str) else {
        return Call::Unknown {
            reason: "YouTube answered without the comment's id".into(),
        };
    };
    let video = comment
        .pointer("/snippet/videoId")
        .and_then(Value::as_str)
        .or(video);
    Call::Done(Published {
        platform_id: id.to_string(),
        permalink: video.map(|v| format!("https://www.youtube.com/watch?v={v}&lc={id}")),
        at: now,
    })
}

/// When the YouTube Data API's daily quota next resets: midnight in Pacific time (UTC−8,
/// or UTC−7 while US daylight saving time runs).
pub fn quota_reset(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now + pacific_offset(now);
    let next_midnight = local.date_naive().succ_opt().unwrap_or(local.date_naive());
    let midnight = Utc.from_utc_datetime(&next_midnight.and_time(chrono::NaiveTime::MIN));
    // The offset at that midnight (the clocks may change between now and then; they change
    // at 2:00, so a midnight is never in doubt).
    let guess = midnight - pacific_offset(now);
    midnight - pacific_offset(guess)
}

/// Pacific time's offset from UTC at `at`: daylight saving from the second Sunday of March,
/// 2:00 PST, to the first Sunday of November, 2:00 PDT (US rules since 2007).
fn pacific_offset(at: DateTime<Utc>) -> Span {
    let year = at.year();
    let starts = sunday(year, 3, 2).map(|d| d.and_hms_opt(10, 0, 0));
    let ends = sunday(year, 11, 1).map(|d| d.and_hms_opt(9, 0, 0));
    let naive = at.naive_utc();
    match (starts.flatten(), ends.flatten()) {
        (Some(starts), Some(ends)) if naive >= starts && naive < ends => Span::hours(-7),
        _ => Span::hours(-8),
    }
}

/// The `nth` Sunday of `month` in `year`.
fn sunday(year: i32, month: u32, nth: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, nth as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("a time")
    }

    fn google_error(status: u16, reason: &str, message: &str) -> Response {
        Response {
            status,
            after: None,
            body: json!({"error": {"code": status, "message": message, "errors": [{"message": message, "domain": "youtube.quota", "reason": reason}]}})
                .to_string()
                .into_bytes(),
        }
    }

    #[test]
    fn the_quota_should_reset_at_midnight_pacific_time_summer_and_winter() {
        // Winter: PST, midnight is 08:00 UTC.
        assert_eq!(
            quota_reset(at("2025-01-15T20:00:00Z")),
            at("2025-01-16T08:00:00Z")
        );
        assert_eq!(
            quota_reset(at("2025-01-16T07:59:00Z")),
            at("2025-01-16T08:00:00Z")
        );
        // Summer: PDT, midnight is 07:00 UTC.
        assert_eq!(
            quota_reset(at("2025-07-04T12:00:00Z")),
            at("2025-07-05T07:00:00Z")
        );
        // The night the clocks go forward (9 March 2025, 2:00 PST): the next midnight is PDT.
        assert_eq!(
            quota_reset(at("2025-03-09T09:30:00Z")),
            at("2025-03-10T07:00:00Z")
        );
        // And back (2 November 2025, 2:00 PDT): the next midnight is PST.
        assert_eq!(
            quota_reset(at("2025-11-02T08:30:00Z")),
            at("2025-11-03T08:00:00Z")
        );
    }

    #[test]
    fn an_exceeded_quota_should_wait_for_its_reset_not_blame_the_login() {
        let now = at("2025-01-15T20:00:00Z");
        let exceeded = google_error(
            403,
            "quotaExceeded",
            "The request cannot be completed because you have exceeded your quota.",
        );
        assert_eq!(
            read_response(exceeded, now),
            Attempt::Finished(Call::Retry {
                after: Some(std::time::Duration::from_secs(12 * 3600)),
                reason:
                    "403: The request cannot be completed because you have exceeded your quota."
                        .into()
            })
        );
    }

    #[test]
    fn a_forbidden_or_expired_login_should_be_told_from_what_was_asked() {
        let now = at("2025-01-15T20:00:00Z");
        assert!(matches!(
            read_response(
                google_error(
                    403,
                    "forbidden",
                    "The comment cannot be created due to insufficient permissions."
                ),
                now
            ),
            Attempt::Finished(Call::Refused {
                credentials: true,
                ..
            })
        ));
        assert!(matches!(
            read_response(
                google_error(403, "commentsDisabled", "The video has disabled comments."),
                now
            ),
            Attempt::Finished(Call::Refused {
                credentials: false,
                ..
            })
        ));
        assert_eq!(
            read_response(google_error(401, "authError", "Invalid Credentials"), now),
            Attempt::Unauthorised("401: Invalid Credentials".into())
        );
        assert!(matches!(
            read_response(
                google_error(
                    404,
                    "parentCommentNotFound",
                    "The parent comment could not be found."
                ),
                now
            ),
            Attempt::Finished(Call::Refused {
                credentials: false,
                ..
            })
        ));
    }

    #[test]
    fn a_reply_to_a_reply_should_go_under_its_top_level_comment() {
        assert_eq!(
            top_level("UgzDE2tasfmrYLyNkGt4AaABAg"),
            "UgzDE2tasfmrYLyNkGt4AaABAg"
        );
        assert_eq!(
            top_level("UgzDE2tasfmrYLyNkGt4AaABAg.8wWQ3tdGdQ08wWQ6-jIVtH"),
            "UgzDE2tasfmrYLyNkGt4AaABAg"
        );
        assert!(!is_id("Ugz/../x?y"));
    }

    #[test]
    fn the_reply_found_should_be_the_channels_with_the_answers_text() {
        let reply = |id: &str, channel: &str, text: &str| {
            json!({"kind": "youtube#comment", "id": id, "snippet": {
                "parentId": "Ugz", "textDisplay": text, "textOriginal": text,
                "authorChannelId": {"value": channel}}})
        };
        let text = "We are sorry: a new kettle is on its way.";
        let listed = json!({"kind": "youtube#commentListResponse", "items": [
            reply("Ugz.a", "UCfan", text),
            reply("Ugz.b", "UCbrand", "Another answer"),
            reply("Ugz.c", "UCbrand", &format!("{text}\n")),
        ]});
        let found = channel_reply(&listed, "UCbrand", text).map(|r| r["id"].clone());
        assert_eq!(found, Some(json!("Ugz.c")));
        assert!(channel_reply(&listed, "UCother", text).is_none());
        assert!(channel_reply(&listed, "UCbrand", "Not said").is_none());
        assert!(channel_reply(&json!({"items": []}), "UCbrand", text).is_none());
        assert!(channel_reply(&Value::Null, "UCbrand", text).is_none());
    }

    #[test]
    fn each_decision_should_have_its_youtube_status() {
        assert_eq!(moderation_status(Decision::Approve), "published");
        assert_eq!(moderation_status(Decision::Hold), "heldForReview");
        assert_eq!(moderation_status(Decision::Spam), "rejected");
        assert_eq!(moderation_status(Decision::Delete), "rejected");
    }

    #[test]
    fn a_created_comment_should_give_its_id_and_where_it_shows() {
        let now = at("2025-01-15T20:00:00Z");
        let comment = json!({"kind": "youtube#comment", "id": "Ugz.Ab1", "snippet": {"parentId": "Ugz", "textOriginal": "On it."}});
        let Call::Done(p) = published(&comment, Some("dQw4w9WgXcQ"), now) else {
            panic!("not done");
        };
        assert_eq!(p.platform_id, "Ugz.Ab1");
        assert_eq!(
            p.permalink.as_deref(),
            Some("https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=Ugz.Ab1")
        );
        assert!(matches!(
            published(&Value::Null, None, now),
            Call::Unknown { .. }
        ));
    }
}
