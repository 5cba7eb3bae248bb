//! Discourse's API, as the brand's user (the source's `instance_url`; credentials `api_key`
//! and `api_username`, sent as the `Api-Key` and `Api-Username` headers). A contribution's
//! `external_id` is the Discourse post's id and its `thread_id` the topic's.
//!
//! Every answer first reads the post (`GET /posts/{id}.json`): a reply needs its post
//! *number*, a private message its author's `username`, and a deleted post (404, or
//! `deleted_at` when the key is staff's) is refused with Discourse's reason.
//! - A public reply: the visible tags are added to the topic's own first (`GET /t/{id}.json`,
//!   then `PUT /t/-/{id}.json` with `tags`, only when one is missing), since setting tags is
//!   idempotent and a retried answer so never half-publishes; then `POST /posts.json` with
//!   `topic_id`, `raw` and `reply_to_post_number`. Hidden tags never leave Liaison.
//! - A private message: `POST /posts.json` with `archetype: private_message`,
//!   `target_recipients` = the author's username, `title` = "Re: " and the topic's title
//!   (shortened), and `raw`: the private thread where the author and the brand talk.
//!
//! Only the final `POST /posts.json` writes something that must not be written twice: a
//! read or a tag update that fails without an answer is retried, never `unknown`.
//!
//! Moderation decisions (staff's in Liaison; Discourse takes one flag per user and post, so
//! the post's `hidden` and the brand user's own flags in `actions_summary` are read first and
//! nothing is sent when the decision already holds: the same decision twice has one effect):
//! - Hold: the staff "queue for review" flag, `POST /post_actions` with `id`,
//!   `post_action_type_id` 4 (inappropriate) and `queue_for_review: true`: Discourse hides
//!   the post at once (its topic too, for a first post) and puts it in its review queue,
//!   where its moderators see it (`PostActionCreator`, `queued_by_staff`).
//! - Spam: the same with `post_action_type_id` 8 (spam): hidden, in the review queue as
//!   potential spam, and counted by Discourse's spam rules against the author. A post the
//!   brand's user already flagged (held first) stays flagged as it was, hidden.
//! - Approve: `PUT /posts/{id}/unhide` when the post is hidden; nothing when it shows. A flag
//!   still pending in Discourse's review queue stays there for its moderators.
//!
//! An `unknown` public reply is read back ([`find`]): the answered post (`GET /posts/{id}.json`)
//! gives its topic and number, then `GET /t/{topic_id}/posts.json` with `post_number` and
//! `asc=true` (the posts after it, `TopicsController#posts`), `username_filters` (the brand
//! user's) and `include_raw` lists the brand user's next 20 posts with their text: the reply
//! is the one whose `reply_to_post_number` is the answered post's and whose `raw` is the
//! answer's as Discourse stores it (`PostCreator` turns Unicode spaces into spaces and strips
//! the end).
//!
//! Errors are Discourse's `{"errors":[...],"error_type":...}`, read by `call::json`; a rate
//! limit (429) comes with `Retry-After`; a bad key is 403 `invalid_access`.

use serde::Deserialize;
use serde_json::{json, Value};
use shared::contracts::answers::{Answer, Channel, Published};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Source;

use crate::call::{self, Call};
use crate::Deps;

/// Discourse's post action types (`PostActionType.types`).
pub const INAPPROPRIATE: u64 = 4;
pub const SPAM: u64 = 8;
/// The flag types (`notify_flag_types`: off-topic, inappropriate, notify moderators, spam,
/// illegal): a user may put one of them on a post.
const FLAG_TYPES: [u64; 5] = [3, 4, 7, 8, 10];
/// Discourse's `max_topic_title_length` is 255; a shorter title reads better in an inbox.
const MAX_TITLE_CHARS: usize = 120;

/// A forum and the login that acts on it.
pub struct Forum<'a> {
    url: &'a str,
    key: &'a str,
    username: &'a str,
}

impl<'a> Forum<'a> {
    /// The forum of a source, or what it lacks.
    pub fn of(deps: &Deps, source: &'a Source) -> Result<Forum<'a>, String> {
        match (
            source.setting("instance_url"),
            source.credentials.get("api_key"),
            source.credentials.get("api_username"),
        ) {
            (Some(url), Some(key), Some(username)) => Ok(Forum {
                url: crate::staff_url(deps, "instance_url", url)?.trim_end_matches('/'),
                key,
                username,
            }),
            _ => Err("the source needs its instance_url, api_key and api_username to answer on Discourse".into()),
        }
    }

    fn request(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        http.request(method, format!("{}{path}", self.url))
            .header("Api-Key", self.key)
            .header("Api-Username", self.username)
            .header("accept", "application/json")
    }

    /// Where a post shows: `/t/{slug}/{topic_id}/{post_number}` (`-` when the slug is not
    /// known: Discourse redirects to the right one).
    pub fn permalink(&self, slug: Option<&str>, topic_id: u64, post_number: u64) -> String {
        let slug = slug.filter(|s| !s.is_empty()).unwrap_or("-");
        format!("{}/t/{slug}/{topic_id}/{post_number}", self.url)
    }
}

/// What Liaison reads of a post (`PostSerializer`).
#[derive(Debug, Clone, Deserialize)]
pub struct Post {
    pub id: u64,
    pub post_number: u64,
    pub topic_id: u64,
    #[serde(default)]
    pub topic_slug: Option<String>,
    #[serde(default)]
    pub topic_title: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub deleted_at: Option<String>,
    /// Withdrawn by its author.
    #[serde(default)]
    pub user_deleted: bool,
    #[serde(default)]
    pub actions_summary: Vec<ActionSummary>,
}

/// One post action type on a post; `acted` when the API user took it.
#[derive(Debug, Clone, Deserialize)]
pub struct ActionSummary {
    pub id: u64,
    #[serde(default)]
    pub acted: bool,
}

impl Post {
    fn deleted(&self) -> bool {
        self.deleted_at.is_some() || self.user_deleted
    }

    fn flagged_by_us(&self, kind: Option<u64>) -> bool {
        self.actions_summary
            .iter()
            .any(|a| a.acted && FLAG_TYPES.contains(&a.id) && kind.is_none_or(|kind| kind == a.id))
    }
}

/// Publishes `answer` as a reply under its post, or a private message to its author.
pub async fn answer(deps: &Deps, source: &Source, answer: &Answer) -> Call<Published> {
    let forum = match Forum::of(deps, source) {
        Ok(forum) => forum,
        Err(why) => return Call::refused(why),
    };
    let now = deps.clock.now();
    publish(&deps.http, &forum, answer)
        .await
        .and_then(|created| {
            Call::Done(Published {
                platform_id: created.id.to_string(),
                permalink: Some(forum.permalink(
                    created.topic_slug.as_deref(),
                    created.topic_id,
                    created.post_number,
                )),
                at: now,
            })
        })
}

async fn publish(http: &reqwest::Client, forum: &Forum<'_>, answer: &Answer) -> Call<Post> {
    let post = match done(read_post(http, forum, &answer.target.external_id).await) {
        Ok(post) => post,
        Err(call) => return call,
    };
    if post.deleted() {
        return Call::refused("the post was deleted on Discourse");
    }
    match answer.channel {
        Channel::PublicReply => {
            if let Err(call) =
                done(tag_topic(http, forum, post.topic_id, &answer.tags.visible).await)
            {
                return call;
            }
            let body = json!({
                "topic_id": post.topic_id,
                "raw": answer.text,
                "reply_to_post_number": post.post_number,
            });
            create_post(http, forum, &body).await
        }
        Channel::PrivateMessage => {
            let Some(username) = post.username.clone() else {
                return Call::refused("Discourse did not say who wrote the post");
            };
            let topic_title = match &post.topic_title {
                Some(title) => Some(title.clone()),
                None => match done(read_topic(http, forum, post.topic_id).await) {
                    Ok(topic) => topic.title,
                    Err(call) => return call,
                },
            };
            let body = json!({
                "title": message_title(topic_title.as_deref()),
                "raw": answer.text,
                "archetype": "private_message",
                "target_recipients": username,
            });
            create_post(http, forum, &body).await
        }
        Channel::Email => Call::refused("an email is not sent through Discourse"),
    }
}

/// The brand user's reply to the answered post whose text is `answer`'s, if Discourse shows
/// one (an `unknown` answer read back; see the module's doc for the calls).
pub async fn find(deps: &Deps, source: &Source, answer: &Answer) -> Call<Option<Published>> {
    let forum = match Forum::of(deps, source) {
        Ok(forum) => forum,
        Err(why) => return Call::refused(why),
    };
    let post = match done(show_post(&deps.http, &forum, &answer.target.external_id).await) {
        Ok(post) => post,
        Err(call) => return call,
    };
    let path = format!("/t/{}/posts.json", post.topic_id);
    let request = forum
        .request(&deps.http, reqwest::Method::GET, &path)
        .query(&[
            ("post_number", post.post_number.to_string().as_str()),
            ("asc", "true"),
            ("username_filters", forum.username),
            ("include_raw", "true"),
        ]);
    let now = deps.clock.now();
    call::json(request).await.and_then(|listed| {
        let Some(posts) = listed
            .pointer("/post_stream/posts")
            .and_then(Value::as_array)
        else {
            return Call::Unknown {
                reason: "Discourse listed the topic's posts in a form Liaison cannot read".into(),
            };
        };
        let Some(reply) = brand_reply(posts, forum.username, post.post_number, &answer.text) else {
            return Call::Done(None);
        };
        match serde_json::from_value::<Post>(reply.clone()) {
            Ok(reply) => Call::Done(Some(Published {
                platform_id: reply.id.to_string(),
                permalink: Some(forum.permalink(
                    reply.topic_slug.as_deref().or(post.topic_slug.as_deref()),
                    reply.topic_id,
                    reply.post_number,
                )),
                at: now,
            })),
            Err(_) => Call::Unknown {
                reason: "Discourse listed the reply without its id, number and topic".into(),
            },
        }
    })
}

/// Among a topic's `posts` (as `TopicViewPostsSerializer` lists them, with `raw`), the one
/// `username` wrote in reply to post number `post_number` with `text`.
pub fn brand_reply<'a>(
    posts: &'a [Value],
    username: &str,
    post_number: u64,
    text: &str,
) -> Option<&'a Value> {
    let raw = as_stored(text);
    posts.iter().find(|p| {
        let by = p.get("username").and_then(Value::as_str);
        // Discourse's usernames are case-insensitive (`username_lower`).
        by.is_some_and(|by| by.to_lowercase() == username.to_lowercase())
            && p.get("reply_to_post_number").and_then(Value::as_u64) == Some(post_number)
            && p.get("raw").and_then(Value::as_str) == Some(raw.as_str())
    })
}

/// `text` as Discourse stores a post's `raw` (`PostCreator#setup_post`:
/// `TextCleaner.normalize_whitespaces(raw).rstrip`): Unicode spaces become spaces, and the
/// end is stripped.
pub fn as_stored(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| match c {
            '\u{00A0}'
            | '\u{1680}'
            | '\u{180E}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    // Ruby's `rstrip`: ASCII whitespace (vertical tab included) and NUL.
    spaced
        .trim_end_matches(|c: char| c.is_ascii_whitespace() || c == '\u{0B}' || c == '\0')
        .to_string()
}

/// Applies `decision` to post `id` (see the module's doc for what each becomes).
pub async fn moderate(deps: &Deps, source: &Source, id: &str, decision: Decision) -> Call<()> {
    let forum = match Forum::of(deps, source) {
        Ok(forum) => forum,
        Err(why) => return Call::refused(why),
    };
    let post = match done(read_post(&deps.http, &forum, id).await) {
        Ok(post) => post,
        // Gone already (a login that cannot see deleted posts): what a deletion wants.
        Err(Call::Refused { reason, .. })
            if decision == Decision::Delete && reason.starts_with("404") =>
        {
            return Call::Done(())
        }
        Err(call) => return call,
    };
    match plan(decision, &post) {
        Step::Nothing => Call::Done(()),
        Step::Refuse(why) => Call::refused(why),
        Step::Flag(kind) => {
            let body = json!({
                "id": post.id,
                "post_action_type_id": kind,
                "flag_topic": false,
                "queue_for_review": true,
            });
            let request = forum
                .request(&deps.http, reqwest::Method::POST, "/post_actions.json")
                .json(&body);
            call::json(request).await.and_then(|_| Call::Done(()))
        }
        Step::Delete => {
            let path = format!("/posts/{}.json", post.id);
            let request = forum.request(&deps.http, reqwest::Method::DELETE, &path);
            // Deleting a deleted post changes nothing (the plan skips it): safe to repeat.
            send(request).await.and_then(|_| Call::Done(()))
        }
        Step::Unhide => {
            let path = format!("/posts/{}/unhide.json", post.id);
            let request = forum.request(&deps.http, reqwest::Method::PUT, &path);
            // Unhiding twice is still one effect: an unknown outcome may be tried again.
            send(request).await.and_then(|_| Call::Done(()))
        }
    }
}

/// What a decision needs on Discourse, given the post as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// It already holds.
    Nothing,
    /// Flag with this post action type, queued for review (hides the post).
    Flag(u64),
    Unhide,
    /// `DELETE /posts/{id}.json`: Discourse soft-deletes it (staff can still see it).
    Delete,
    Refuse(String),
}

pub fn plan(decision: Decision, post: &Post) -> Step {
    const FLAGGED_AND_SHOWN: &str = "the brand's user already flagged this post and it was made visible again since; Discourse takes one flag per user: hide it from Discourse's review queue";
    match decision {
        Decision::Approve if post.deleted() => {
            Step::Refuse("the post was deleted on Discourse".into())
        }
        Decision::Approve if post.hidden => Step::Unhide,
        Decision::Approve => Step::Nothing,
        // A deleted post is out of sight already.
        Decision::Hold | Decision::Spam if post.deleted() => Step::Nothing,
        Decision::Hold if post.hidden => Step::Nothing,
        Decision::Hold if post.flagged_by_us(None) => Step::Refuse(FLAGGED_AND_SHOWN.into()),
        Decision::Hold => Step::Flag(INAPPROPRIATE),
        Decision::Spam if !post.flagged_by_us(None) => Step::Flag(SPAM),
        Decision::Spam if post.hidden => Step::Nothing,
        Decision::Spam => Step::Refuse(FLAGGED_AND_SHOWN.into()),
        Decision::Delete if post.deleted() => Step::Nothing,
        Decision::Delete => Step::Delete,
    }
}

/// `GET /posts/{id}.json`, before a write: a lost answer is retried.
async fn read_post(http: &reqwest::Client, forum: &Forum<'_>, id: &str) -> Call<Post> {
    read(show_post(http, forum, id).await)
}

/// `GET /posts/{id}.json`.
async fn show_post(http: &reqwest::Client, forum: &Forum<'_>, id: &str) -> Call<Post> {
    let Ok(id) = id.parse::<u64>() else {
        return Call::refused("the contribution's id is not a Discourse post id");
    };
    let request = forum.request(http, reqwest::Method::GET, &format!("/posts/{id}.json"));
    call::json(request)
        .await
        .and_then(|body| parsed(body, "the post"))
}

/// What Liaison reads of a topic.
#[derive(Debug, Clone, Deserialize)]
pub struct Topic {
    #[serde(default)]
    pub title: Option<String>,
    /// Names, or `{name}` objects in the versions that serialise tags as objects.
    #[serde(default)]
    pub tags: Vec<Value>,
}

impl Topic {
    pub fn tag_names(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter_map(|t| match t {
                Value::String(name) => Some(name.clone()),
                other => other
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
            .collect()
    }
}

/// `GET /t/{id}.json`.
async fn read_topic(http: &reqwest::Client, forum: &Forum<'_>, topic_id: u64) -> Call<Topic> {
    let request = forum.request(http, reqwest::Method::GET, &format!("/t/{topic_id}.json"));
    read(call::json(request).await).and_then(|body| parsed(body, "the topic"))
}

/// Adds `visible` to the topic's tags (`PUT /t/-/{id}.json` with all of them: Discourse sets
/// the list it is given), only when one is missing.
async fn tag_topic(
    http: &reqwest::Client,
    forum: &Forum<'_>,
    topic_id: u64,
    visible: &[String],
) -> Call<()> {
    if visible.is_empty() {
        return Call::Done(());
    }
    let topic = match done(read_topic(http, forum, topic_id).await) {
        Ok(topic) => topic,
        Err(call) => return call,
    };
    let Some(tags) = with_tags(&topic.tag_names(), visible) else {
        return Call::Done(());
    };
    let request = forum
        .request(http, reqwest::Method::PUT, &format!("/t/-/{topic_id}.json"))
        .json(&json!({ "tags": tags }));
    // Setting the same tags again changes nothing: a lost answer is tried again.
    read(call::json(request).await).and_then(|_| Call::Done(()))
}

/// The topic's tags with `visible` added, or `None` when it has them all (Discourse keeps
/// tags lowercase).
pub fn with_tags(existing: &[String], visible: &[String]) -> Option<Vec<String>> {
    let mut tags = existing.to_vec();
    for tag in visible {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !tags.iter().any(|t| t.to_lowercase() == tag) {
            tags.push(tag);
        }
    }
    (tags.len() > existing.len()).then_some(tags)
}

/// `POST /posts.json`: the one call that writes.
async fn create_post(http: &reqwest::Client, forum: &Forum<'_>, body: &Value) -> Call<Post> {
    let request = forum
        .request(http, reqwest::Method::POST, "/posts.json")
        .json(body);
    call::json(request)
        .await
        .and_then(|created| match serde_json::from_value::<Post>(created) {
            Ok(post) => Call::Done(post),
            Err(_) => Call::Unknown {
                reason: "Discourse answered without the post's id, number and topic".into(),
            },
        })
}

/// The title of a private message about a post in topic `title`.
pub fn message_title(title: Option<&str>) -> String {
    match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(title) if title.chars().count() > MAX_TITLE_CHARS => {
            let short: String = title.chars().take(MAX_TITLE_CHARS - 1).collect();
            format!("Re: {}…", short.trim_end())
        }
        Some(title) => format!("Re: {title}"),
        None => "About your post".to_string(),
    }
}

/// A read (or an idempotent write) that got no answer changed nothing that matters: it is
/// retried rather than left `unknown`.
fn read<T>(call: Call<T>) -> Call<T> {
    match call {
        Call::Unknown { reason } => Call::Retry {
            after: None,
            reason: format!("{reason} (nothing was published)"),
        },
        other => other,
    }
}

fn parsed<T: serde::de::DeserializeOwned>(body: Value, what: &str) -> Call<T> {
    match serde_json::from_value(body) {
        Ok(value) => Call::Done(value),
        Err(_) => Call::Retry {
            after: None,
            reason: format!("Discourse described {what} in a form Liaison cannot read"),
        },
    }
}

/// The value of a call that was done, or the call to return as it is.
fn done<T, U>(call: Call<T>) -> Result<T, Call<U>> {
    match call {
        Call::Done(value) => Ok(value),
        Call::Retry { after, reason } => Err(Call::Retry { after, reason }),
        Call::Refused {
            reason,
            credentials,
        } => Err(Call::Refused {
            reason,
            credentials,
        }),
        Call::Unknown { reason } => Err(Call::Unknown { reason }),
    }
}

/// Sends a request whose success has no body (`PUT /posts/{id}/unhide` answers 200 and
/// nothing), reading failures as `call::json` does.
async fn send(request: reqwest::RequestBuilder) -> Call<()> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return call::from_transport(e.is_connect(), e.without_url().to_string()),
    };
    let status = response.status().as_u16();
    if (200..=299).contains(&status) {
        return Call::Done(());
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let message = response
        .bytes()
        .await
        .map(|b| call::platform_message(&b))
        .unwrap_or_default();
    call::from_status(status, retry_after.as_deref(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(hidden: bool, acted: &[u64]) -> Post {
        serde_json::from_value(json!({
            "id": 18342, "post_number": 3, "topic_id": 1204, "topic_slug": "kettle",
            "username": "jdupont", "hidden": hidden, "deleted_at": null,
            "actions_summary": acted.iter().map(|id| json!({"id": id, "count": 1, "acted": true})).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    #[test]
    fn each_decision_should_become_its_discourse_step_once() {
        assert_eq!(
            plan(Decision::Hold, &post(false, &[])),
            Step::Flag(INAPPROPRIATE)
        );
        assert_eq!(
            plan(Decision::Hold, &post(true, &[INAPPROPRIATE])),
            Step::Nothing
        );
        assert_eq!(plan(Decision::Spam, &post(false, &[])), Step::Flag(SPAM));
        assert_eq!(plan(Decision::Spam, &post(true, &[SPAM])), Step::Nothing);
        // Hidden by another's flags: still marked as spam, for Discourse's spam rules.
        assert_eq!(plan(Decision::Spam, &post(true, &[])), Step::Flag(SPAM));
        // Held, then spam: Discourse takes one flag per user; it stays hidden.
        assert_eq!(
            plan(Decision::Spam, &post(true, &[INAPPROPRIATE])),
            Step::Nothing
        );
        assert_eq!(plan(Decision::Approve, &post(true, &[SPAM])), Step::Unhide);
        assert_eq!(plan(Decision::Approve, &post(false, &[])), Step::Nothing);
        assert!(matches!(
            plan(Decision::Hold, &post(false, &[INAPPROPRIATE])),
            Step::Refuse(_)
        ));
    }

    #[test]
    fn a_like_should_not_count_as_a_flag() {
        assert_eq!(
            plan(Decision::Hold, &post(false, &[2])),
            Step::Flag(INAPPROPRIATE)
        );
    }

    #[test]
    fn a_deleted_post_should_be_out_of_sight_but_not_approvable() {
        let mut deleted = post(false, &[]);
        deleted.deleted_at = Some("2026-12-06T10:00:00.000Z".into());
        assert_eq!(plan(Decision::Spam, &deleted), Step::Nothing);
        assert!(matches!(plan(Decision::Approve, &deleted), Step::Refuse(_)));
        assert!(deleted.deleted());
    }

    #[test]
    fn visible_tags_should_be_added_to_the_topics_own_once() {
        let existing = vec!["kettles".to_string()];
        assert_eq!(
            with_tags(&existing, &["Delivery".into(), "kettles".into()]),
            Some(vec!["kettles".to_string(), "delivery".to_string()])
        );
        assert_eq!(with_tags(&existing, &["KETTLES".into()]), None);
        assert_eq!(with_tags(&[], &[]), None);
    }

    #[test]
    fn tags_should_be_read_as_names_or_objects() {
        let topic: Topic = serde_json::from_value(
            json!({"title": "T", "tags": ["a", {"id": 2, "name": "b", "slug": "b"}]}),
        )
        .unwrap();
        assert_eq!(topic.tag_names(), vec!["a", "b"]);
    }

    #[test]
    fn a_message_title_should_answer_the_topic_and_stay_short() {
        assert_eq!(message_title(Some("Our new kettle")), "Re: Our new kettle");
        assert_eq!(message_title(None), "About your post");
        let long = "k".repeat(300);
        let title = message_title(Some(&long));
        assert_eq!(title.chars().count(), 4 + MAX_TITLE_CHARS);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn a_permalink_should_name_the_topic_and_post_number() {
        let forum = Forum {
            url: "https://forum.example",
            key: "k",
            username: "brand",
        };
        assert_eq!(
            forum.permalink(Some("kettle"), 1204, 4),
            "https://forum.example/t/kettle/1204/4"
        );
        assert_eq!(
            forum.permalink(None, 1204, 4),
            "https://forum.example/t/-/1204/4"
        );
    }

    #[test]
    fn the_reply_found_should_be_the_brands_to_the_post_with_the_answers_text() {
        let text = "We are sorry: a new kettle is on its way.";
        let post = |id: u64, username: &str, to: Option<u64>, raw: &str| {
            json!({"id": id, "post_number": id - 100, "topic_id": 1204, "topic_slug": "kettle",
                "username": username, "reply_to_post_number": to, "raw": raw})
        };
        let posts = vec![
            post(101, "alice", None, "First"),
            // The brand's answer to another post, its text to another post, someone's quote.
            post(104, "brand_support", Some(2), text),
            post(105, "brand_support", Some(3), "Another answer"),
            post(106, "jdupont", Some(3), text),
            post(107, "Brand_Support", Some(3), text),
        ];
        let found = brand_reply(&posts, "brand_support", 3, text).map(|p| p["id"].clone());
        assert_eq!(found, Some(json!(107)));
        assert!(brand_reply(&posts, "brand_support", 4, text).is_none());
        assert!(brand_reply(&posts, "brand_support", 3, "Something else").is_none());
        // Stored stripped: typed with a trailing line, still found.
        assert!(brand_reply(&posts, "brand_support", 3, &format!("{text}\n\n")).is_some());
    }

    #[test]
    fn an_answer_should_be_compared_as_discourse_stores_it() {
        assert_eq!(as_stored("Hello\u{00A0}there \n\t"), "Hello there");
        assert_eq!(as_stored("  indented\nkept"), "  indented\nkept");
        assert_eq!(as_stored("a\u{3000}b\u{200B}"), "a b\u{200B}");
    }

    #[test]
    fn a_lost_read_should_be_retried_not_unknown() {
        let lost: Call<()> = Call::Unknown {
            reason: "502: Bad gateway".into(),
        };
        assert!(matches!(read(lost), Call::Retry { after: None, .. }));
    }
}
