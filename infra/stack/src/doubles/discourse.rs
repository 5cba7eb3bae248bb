//! A double of Discourse's API for what Liaison does on a forum, from Discourse's routes and
//! controllers (`config/routes.rb`, `PostsController`, `TopicsController`,
//! `PostActionsController`, `PostActionCreator`):
//! - `GET /posts/{id}.json` → the post (`id`, `post_number`, `topic_id`, `topic_slug`,
//!   `username`, `hidden`, `deleted_at`, `actions_summary`); a deleted post is 404;
//! - `GET /t/{id}.json` → the topic (`id`, `title`, `slug`, `tags`, `archetype`);
//! - `GET /t/{id}/posts.json` (`TopicsController#posts`) → `{"post_stream":{"posts":[...]},
//!   "id"}`: the first 20 posts, or with `post_number` and `asc=true` the 20 after that one
//!   (`TopicView#filter_posts_by_post_number`); `username_filters` keeps the first post and
//!   those users' (`TopicView#setup_filtered_posts`); `include_raw` adds each post's `raw`;
//!   deleted posts are left out;
//! - `PUT /t/-/{id}.json` with `tags` → sets the topic's tags, `{"basic_topic":{...}}`;
//! - `POST /posts.json` with `topic_id`, `raw` (and `reply_to_post_number`) → a reply; with
//!   `archetype: private_message`, `title`, `target_recipients` → a private message in a new
//!   topic; 200 with the new post. `raw` under 20 characters is 422 (`min_post_length`); it
//!   is stored as `PostCreator` does (Unicode spaces made spaces, the end stripped);
//! - `POST /post_actions.json` with `id`, `post_action_type_id` (and `queue_for_review`) → a
//!   flag, which hides the post when queued for review or spam; one flag per user and post
//!   (another is 403 `invalid_access`, as `PostActionCreator` answers);
//! - `PUT /posts/{id}/unhide.json` → 200 with no body;
//! - `GET /posts.json` (`PostsController#latest`) → `{"latest_posts":[...]}`: the latest 50
//!   public posts, newest first, each with its author's `username`, `user_id` and
//!   `trust_level` (`PostSerializer`), `raw`, `created_at`; `before` = a post id gives older
//!   ones;
//! - `GET /u/{username}.json` → `{"user":{id, username, name, trust_level, ...}}`, and
//!   `GET /u/{username}/summary.json` → `{"user_summary":{likes_received, post_count, ...}}`
//!   (`UsersController#show`, `#summary`) of a member ([`Forum::add_member`]); an unknown one
//!   is 404, a hidden profile's summary 403 (`ensure_can_see_profile!`).
//!
//! Every call that acts needs the `Api-Key` and `Api-Username` headers; others get 403
//! `invalid_access`. The public reads (latest posts, users) are open to anyone, but a wrong
//! key is refused there too, as Discourse refuses it everywhere. Errors are
//! `{"errors":[...],"error_type":...}`.
//!
//! A test cuts the one call that writes, after the reads before it, with
//! `Recorder::fail_next_to(POST, "/posts.json", ..)`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::{json, Value};

use super::{error, serve, Fault, Served};

/// Discourse's `min_post_length`.
pub const MIN_POST_LENGTH: usize = 20;
const FLAG_TYPES: [u64; 5] = [3, 4, 7, 8, 10];
const SPAM: u64 = 8;

/// A post as the forum has it.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: u64,
    pub topic_id: u64,
    pub post_number: u64,
    pub username: String,
    pub raw: String,
    pub reply_to_post_number: Option<u64>,
    pub hidden: bool,
    pub deleted: bool,
    /// The post action types the API user took on it.
    pub acted: Vec<u64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A forum member, as its user API tells of them.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    /// 0 (new) to 4 (leader).
    pub trust_level: u8,
    pub likes_received: u64,
    pub post_count: u64,
    /// The member hides their profile: its summary is refused.
    pub hidden: bool,
}

/// A topic, or a private message's topic (`archetype` `private_message`).
#[derive(Debug, Clone)]
pub struct Topic {
    pub id: u64,
    pub title: String,
    pub slug: String,
    pub tags: Vec<String>,
    pub archetype: String,
    /// A private message's recipients (besides its author).
    pub recipients: Vec<String>,
}

/// What the double holds: the login it accepts, its users, topics and posts.
pub struct Forum {
    pub api_key: String,
    pub api_username: String,
    pub users: Mutex<Vec<String>>,
    pub topics: Mutex<BTreeMap<u64, Topic>>,
    pub posts: Mutex<BTreeMap<u64, Post>>,
    /// Members by lowercase username.
    members: Mutex<BTreeMap<String, Member>>,
    next_id: Mutex<u64>,
}

impl Forum {
    /// Adds a topic.
    pub fn add_topic(&self, id: u64, title: &str, slug: &str, tags: &[&str]) {
        self.topics.lock().expect("forum lock").insert(
            id,
            Topic {
                id,
                title: title.into(),
                slug: slug.into(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                archetype: "regular".into(),
                recipients: vec![],
            },
        );
    }

    /// Adds post `id`, number `post_number` of topic `topic_id`, written by `username`.
    pub fn add_post(&self, id: u64, topic_id: u64, post_number: u64, username: &str) {
        self.users.lock().expect("forum lock").push(username.into());
        self.posts.lock().expect("forum lock").insert(
            id,
            Post {
                id,
                topic_id,
                post_number,
                username: username.into(),
                raw: "My kettle leaks, what now?".into(),
                reply_to_post_number: None,
                hidden: false,
                deleted: false,
                acted: vec![],
                created_at: chrono::Utc::now(),
            },
        );
    }

    /// A member the user API knows (their posts carry their id and trust level).
    pub fn add_member(&self, member: Member) {
        self.members
            .lock()
            .expect("forum lock")
            .insert(member.username.to_lowercase(), member);
    }

    fn member(&self, username: &str) -> Option<Member> {
        self.members
            .lock()
            .expect("forum lock")
            .get(&username.to_lowercase())
            .cloned()
    }

    pub fn delete_post(&self, id: u64) {
        if let Some(post) = self.posts.lock().expect("forum lock").get_mut(&id) {
            post.deleted = true;
        }
    }

    pub fn post(&self, id: u64) -> Option<Post> {
        self.posts.lock().expect("forum lock").get(&id).cloned()
    }

    pub fn topic(&self, id: u64) -> Option<Topic> {
        self.topics.lock().expect("forum lock").get(&id).cloned()
    }

    /// The posts of topic `topic_id`, by number.
    pub fn posts_in(&self, topic_id: u64) -> Vec<Post> {
        let mut posts: Vec<Post> = self
            .posts
            .lock()
            .expect("forum lock")
            .values()
            .filter(|p| p.topic_id == topic_id)
            .cloned()
            .collect();
        posts.sort_by_key(|p| p.post_number);
        posts
    }

    /// The private messages' topics.
    pub fn messages(&self) -> Vec<Topic> {
        self.topics
            .lock()
            .expect("forum lock")
            .values()
            .filter(|t| t.archetype == "private_message")
            .cloned()
            .collect()
    }

    fn next(&self) -> u64 {
        let mut next = self.next_id.lock().expect("forum lock");
        *next += 1;
        *next
    }
}

/// Starts the double of a forum whose API accepts `api_key` for `api_username`.
pub async fn start(api_key: &str, api_username: &str) -> std::io::Result<(Served, Arc<Forum>)> {
    let forum = Arc::new(Forum {
        api_key: api_key.into(),
        api_username: api_username.into(),
        users: Mutex::new(vec![api_username.into()]),
        topics: Mutex::new(BTreeMap::new()),
        posts: Mutex::new(BTreeMap::new()),
        members: Mutex::new(BTreeMap::new()),
        next_id: Mutex::new(50_000),
    });
    let router = Router::new()
        .route("/posts.json", post(create_post).get(latest_posts))
        .route("/u/{file}", get(show_user))
        .route("/u/{username}/{file}", get(user_summary))
        .route("/posts/{file}", get(show_post).delete(destroy_post))
        .route("/posts/{id}/{action}", put(unhide))
        .route("/t/{file}", get(show_topic))
        .route("/t/{id}/posts.json", get(topic_posts))
        .route("/t/-/{file}", put(update_topic))
        .route("/post_actions.json", post(create_post_action))
        .with_state(forum.clone());
    Ok((serve(router).await?, forum))
}

fn errors(status: u16, error_type: &str, message: &str) -> Response {
    error(
        status,
        json!({"errors": [message], "error_type": error_type}),
    )
}

fn not_found() -> Response {
    errors(
        404,
        "not_found",
        "The requested URL or resource could not be found.",
    )
}

fn invalid_access() -> Response {
    errors(
        403,
        "invalid_access",
        "You are not permitted to view the requested resource. The API username or key is invalid.",
    )
}

fn forbidden() -> Response {
    errors(
        403,
        "invalid_access",
        "You are not permitted to view the requested resource.",
    )
}

/// The login check every call starts with: the refusal, if the login is not the forum's.
fn refusal(forum: &Forum, headers: &HeaderMap) -> Option<Response> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("api-key") == Some(forum.api_key.as_str())
        && header("api-username") == Some(forum.api_username.as_str())
    {
        None
    } else {
        Some(invalid_access())
    }
}

/// A public read: anyone may, but a key that is not the forum's is refused.
fn public_refusal(forum: &Forum, headers: &HeaderMap) -> Option<Response> {
    match headers.get("api-key") {
        None => None,
        Some(_) => refusal(forum, headers),
    }
}

/// `GET /posts.json`: the latest public posts, newest first.
async fn latest_posts(
    State(forum): State<Arc<Forum>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = public_refusal(&forum, &headers) {
        return refused;
    }
    let before = query
        .get("before")
        .and_then(|b| b.parse::<u64>().ok())
        .filter(|b| *b > 0);
    let topics = forum.topics.lock().expect("forum lock").clone();
    let posts: Vec<Post> = forum
        .posts
        .lock()
        .expect("forum lock")
        .values()
        .rev()
        .filter(|p| !p.deleted && before.is_none_or(|b| p.id < b))
        .filter(|p| {
            topics
                .get(&p.topic_id)
                .is_none_or(|t| t.archetype != "private_message")
        })
        .take(50)
        .cloned()
        .collect();
    let latest: Vec<Value> = posts
        .iter()
        .map(|p| {
            let topic = topics.get(&p.topic_id);
            let mut json = post_json(p, topic);
            json["raw"] = json!(p.raw);
            json["topic_title"] = json!(topic.map(|t| t.title.clone()));
            // Who wrote it, as `PostSerializer` adds (Discourse's own login is -1, `system`).
            let member = forum.member(&p.username);
            json["user_id"] = json!(member.as_ref().map_or(-1, |m| m.user_id));
            json["trust_level"] = json!(member.as_ref().map_or(4, |m| m.trust_level));
            if let Some(m) = &member {
                json["name"] = json!(m.name);
            }
            json
        })
        .collect();
    axum::Json(json!({"latest_posts": latest})).into_response()
}

/// `GET /u/{username}.json`.
async fn show_user(
    State(forum): State<Arc<Forum>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = public_refusal(&forum, &headers) {
        return refused;
    }
    let Some(member) = file.strip_suffix(".json").and_then(|u| forum.member(u)) else {
        return not_found();
    };
    axum::Json(json!({
        "user_badges": [],
        "user": {
            "id": member.user_id,
            "username": member.username,
            "name": member.name,
            "avatar_template": format!("/user_avatar/forum/{}/{{size}}/1_2.png", member.username.to_lowercase()),
            "trust_level": member.trust_level,
            "moderator": false,
            "admin": false,
            "title": Value::Null,
            "badge_count": 0,
            "profile_hidden": member.hidden,
        }
    }))
    .into_response()
}

/// `GET /u/{username}/summary.json`.
async fn user_summary(
    State(forum): State<Arc<Forum>>,
    Path((username, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = public_refusal(&forum, &headers) {
        return refused;
    }
    if file != "summary.json" {
        return not_found();
    }
    let Some(member) = forum.member(&username) else {
        return not_found();
    };
    if member.hidden {
        return forbidden();
    }
    axum::Json(json!({
        "topics": [],
        "badges": [],
        "user_summary": {
            "likes_given": 0,
            "likes_received": member.likes_received,
            "topics_entered": 0,
            "posts_read_count": 0,
            "days_visited": 1,
            "topic_count": 0,
            "post_count": member.post_count,
            "time_read": 0,
            "recent_time_read": 0,
            "bookmark_count": 0,
            "can_see_summary_stats": true,
            "topic_ids": [],
            "post_ids": []
        }
    }))
    .into_response()
}

/// `{id}.json` → `id`.
fn json_id(file: &str) -> Option<u64> {
    file.strip_suffix(".json")?.parse().ok()
}

fn post_json(post: &Post, topic: Option<&Topic>) -> Value {
    let actions: Vec<Value> = post
        .acted
        .iter()
        .map(|id| json!({"id": id, "count": 1, "acted": true, "can_undo": false}))
        .collect();
    let created_at = post
        .created_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({
        "id": post.id,
        "name": post.username,
        "username": post.username,
        "created_at": created_at,
        "cooked": format!("<p>{}</p>", post.raw),
        "post_number": post.post_number,
        "post_type": 1,
        "updated_at": created_at,
        "reply_to_post_number": post.reply_to_post_number,
        "topic_id": post.topic_id,
        "topic_slug": topic.map(|t| t.slug.clone()),
        "hidden": post.hidden,
        "deleted_at": Value::Null,
        "user_deleted": false,
        "actions_summary": actions,
    })
}

/// `GET /posts/{id}.json`.
async fn show_post(
    State(forum): State<Arc<Forum>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    let Some(post) = json_id(&file).and_then(|id| forum.post(id)) else {
        return not_found();
    };
    if post.deleted {
        return not_found();
    }
    let topic = forum.topic(post.topic_id);
    axum::Json(post_json(&post, topic.as_ref())).into_response()
}

/// `DELETE /posts/{id}.json`: staff delete it (Discourse keeps it, marked deleted).
async fn destroy_post(
    State(forum): State<Arc<Forum>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    match json_id(&file) {
        Some(id) => change_post(&forum, id, |post| post.deleted = true),
        None => not_found(),
    }
}

/// `GET /t/{id}.json`.
async fn show_topic(
    State(forum): State<Arc<Forum>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    let Some(topic) = json_id(&file).and_then(|id| forum.topic(id)) else {
        return not_found();
    };
    axum::Json(json!({
        "id": topic.id,
        "title": topic.title,
        "fancy_title": topic.title,
        "slug": topic.slug,
        "archetype": topic.archetype,
        "tags": topic.tags,
        "posts_count": forum.posts_in(topic.id).len(),
    }))
    .into_response()
}

/// How many posts `TopicView` gives at once (`chunk_size`).
const CHUNK_SIZE: usize = 20;

/// `GET /t/{id}/posts.json`.
async fn topic_posts(
    State(forum): State<Arc<Forum>>,
    Path(id): Path<u64>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    let Some(topic) = forum.topic(id) else {
        return not_found();
    };
    let usernames: Vec<String> = query
        .get("username_filters")
        .map(|u| u.split(',').map(str::to_lowercase).collect())
        .unwrap_or_default();
    let shown = forum.posts_in(id).into_iter().filter(|p| {
        !p.deleted
            && (usernames.is_empty()
                || p.post_number == 1
                || usernames.contains(&p.username.to_lowercase()))
    });
    let after = query.get("post_number").and_then(|n| n.parse::<u64>().ok());
    let asc = query.get("asc").map(String::as_str) == Some("true");
    let posts: Vec<Post> = match after {
        Some(number) if asc => shown
            .filter(|p| p.post_number > number)
            .take(CHUNK_SIZE)
            .collect(),
        Some(number) => {
            let mut before: Vec<Post> = shown.filter(|p| p.post_number < number).collect();
            before.reverse();
            before.truncate(CHUNK_SIZE);
            before
        }
        None => shown.take(CHUNK_SIZE).collect(),
    };
    let include_raw = query.contains_key("include_raw");
    let posts: Vec<Value> = posts
        .iter()
        .map(|p| {
            let mut json = post_json(p, Some(&topic));
            if include_raw {
                json["raw"] = json!(p.raw);
            }
            json
        })
        .collect();
    axum::Json(json!({"post_stream": {"posts": posts}, "id": topic.id})).into_response()
}

/// `PUT /t/-/{id}.json` with `tags`.
async fn update_topic(
    State(forum): State<Arc<Forum>>,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(tags) = body.get("tags").and_then(Value::as_array) else {
        return errors(
            400,
            "invalid_parameters",
            "param is missing or the value is empty: tags",
        );
    };
    let tags: Vec<String> = tags
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let Some(id) = json_id(&file) else {
        return not_found();
    };
    let mut topics = forum.topics.lock().expect("forum lock");
    let Some(topic) = topics.get_mut(&id) else {
        return not_found();
    };
    topic.tags = tags;
    axum::Json(json!({"basic_topic": {
        "id": topic.id, "title": topic.title, "fancy_title": topic.title, "slug": topic.slug,
    }}))
    .into_response()
}

/// `POST /posts.json`: a reply, or a private message.
async fn create_post(State(forum): State<Arc<Forum>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let raw = body.get("raw").and_then(Value::as_str).map(stored);
    let Some(raw) = raw.as_deref().filter(|r| !r.trim().is_empty()) else {
        return errors(
            400,
            "invalid_parameters",
            "param is missing or the value is empty: raw",
        );
    };
    if raw.trim().chars().count() < MIN_POST_LENGTH {
        return error(
            422,
            json!({"action": "create_post", "errors": [format!("Body is too short (minimum is {MIN_POST_LENGTH} characters)")]}),
        );
    }
    let created = if body.get("archetype").and_then(Value::as_str) == Some("private_message") {
        private_message(&forum, &body, raw)
    } else {
        reply(&forum, &body, raw)
    };
    match created {
        Ok(post) => {
            let topic = forum.topic(post.topic_id);
            axum::Json(post_json(&post, topic.as_ref())).into_response()
        }
        Err(Refused(status, body)) => error(status, body),
    }
}

/// `raw` as `PostCreator#setup_post` keeps it: `TextCleaner.normalize_whitespaces(raw).rstrip`.
fn stored(raw: &str) -> String {
    let spaced: String = raw
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
    spaced
        .trim_end_matches(|c: char| c.is_ascii_whitespace() || c == '\u{0B}' || c == '\0')
        .to_string()
}

/// A post Discourse would not create: its status and error body.
struct Refused(u16, Value);

impl Refused {
    fn errors(status: u16, error_type: &str, message: &str) -> Self {
        Refused(
            status,
            json!({"errors": [message], "error_type": error_type}),
        )
    }

    /// `PostCreator`'s validation errors, as `posts#create` answers them.
    fn invalid(message: &str) -> Self {
        Refused(422, json!({"action": "create_post", "errors": [message]}))
    }
}

fn reply(forum: &Forum, body: &Value, raw: &str) -> Result<Post, Refused> {
    let Some(topic_id) = body.get("topic_id").and_then(Value::as_u64) else {
        return Err(Refused::invalid("Title can't be blank"));
    };
    let existing = forum.posts_in(topic_id);
    if forum.topic(topic_id).is_none() {
        return Err(Refused::errors(
            404,
            "not_found",
            "The requested URL or resource could not be found.",
        ));
    }
    let reply_to = body.get("reply_to_post_number").and_then(Value::as_u64);
    if let Some(number) = reply_to {
        if !existing.iter().any(|p| p.post_number == number) {
            return Err(Refused::invalid(&format!(
                "There is no post number {number} in this topic"
            )));
        }
    }
    let post = Post {
        id: forum.next(),
        topic_id,
        post_number: existing.iter().map(|p| p.post_number).max().unwrap_or(0) + 1,
        username: forum.api_username.clone(),
        raw: raw.into(),
        reply_to_post_number: reply_to,
        hidden: false,
        deleted: false,
        acted: vec![],
        created_at: chrono::Utc::now(),
    };
    forum
        .posts
        .lock()
        .expect("forum lock")
        .insert(post.id, post.clone());
    Ok(post)
}

fn private_message(forum: &Forum, body: &Value, raw: &str) -> Result<Post, Refused> {
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| t.trim().chars().count() >= 2);
    let Some(title) = title else {
        return Err(Refused::invalid(
            "Title is too short (minimum is 2 characters)",
        ));
    };
    let recipients: Vec<String> = body
        .get("target_recipients")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    let users = forum.users.lock().expect("forum lock").clone();
    if recipients.is_empty() || recipients.iter().any(|r| !users.contains(r)) {
        return Err(Refused::invalid("You must choose a valid user."));
    }
    let topic_id = forum.next();
    forum.topics.lock().expect("forum lock").insert(
        topic_id,
        Topic {
            id: topic_id,
            title: title.into(),
            slug: title
                .to_lowercase()
                .replace(|c: char| !c.is_alphanumeric(), "-"),
            tags: vec![],
            archetype: "private_message".into(),
            recipients,
        },
    );
    let post = Post {
        id: forum.next(),
        topic_id,
        post_number: 1,
        username: forum.api_username.clone(),
        raw: raw.into(),
        reply_to_post_number: None,
        hidden: false,
        deleted: false,
        acted: vec![],
        created_at: chrono::Utc::now(),
    };
    forum
        .posts
        .lock()
        .expect("forum lock")
        .insert(post.id, post.clone());
    Ok(post)
}

/// `POST /post_actions.json`: a flag by the API user.
async fn create_post_action(
    State(forum): State<Arc<Forum>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (Some(id), Some(kind)) = (
        body.get("id").and_then(Value::as_u64),
        body.get("post_action_type_id").and_then(Value::as_u64),
    ) else {
        return errors(
            400,
            "invalid_parameters",
            "param is missing or the value is empty: post_action_type_id",
        );
    };
    let queue_for_review = body.get("queue_for_review").and_then(Value::as_bool) == Some(true);
    let mut posts = forum.posts.lock().expect("forum lock");
    let Some(post) = posts.get_mut(&id).filter(|p| !p.deleted) else {
        return not_found();
    };
    let is_flag = FLAG_TYPES.contains(&kind);
    if post.acted.contains(&kind) || (is_flag && post.acted.iter().any(|a| FLAG_TYPES.contains(a)))
    {
        return forbidden();
    }
    post.acted.push(kind);
    if is_flag && (queue_for_review || kind == SPAM) {
        post.hidden = true;
    }
    let post = post.clone();
    drop(posts);
    let topic = forum.topic(post.topic_id);
    axum::Json(post_json(&post, topic.as_ref())).into_response()
}

/// `PUT /posts/{id}/unhide.json`: 200, no body.
async fn unhide(
    State(forum): State<Arc<Forum>>,
    Path((id, action)): Path<(u64, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&forum, &headers) {
        return refused;
    }
    if action != "unhide" && action != "unhide.json" {
        return not_found();
    }
    change_post(&forum, id, |post| post.hidden = false)
}

/// Makes `change` to post `id` if it is there and not deleted: 200 with no body, as
/// Discourse answers a staff action on a post; else its 404.
fn change_post(forum: &Forum, id: u64, change: impl FnOnce(&mut Post)) -> Response {
    let mut posts = forum.posts.lock().expect("forum lock");
    match posts.get_mut(&id).filter(|p| !p.deleted) {
        Some(post) => {
            change(post);
            StatusCode::OK.into_response()
        }
        None => not_found(),
    }
}

/// Discourse's rate limit answer: 429, `Retry-After`, `extras.wait_seconds`.
pub fn rate_limited(seconds: u64) -> Fault {
    Fault::Status {
        status: 429,
        body: json!({
            "errors": [format!("You’ve performed this action too many times. Please wait {seconds} seconds before trying again.")],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": seconds, "time_left": format!("{seconds} seconds")},
        }),
        retry_after: Some(seconds),
    }
}
