//! The test WordPress (`liaison_stack::wordpress`): a real WordPress on loopback, reached the
//! way Liaison reaches a brand's site, through the REST API with the brand user's application
//! password. These tests do by hand what Liaison's code does (reply under a comment, moderate
//! one) and read the outcome back through WordPress's own API.
//!
//! Needs the Debian packages `make deps` installs (wordpress, mariadb-server, php-cli,
//! php-mysql); the tests share one WordPress, a few seconds to start.

use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, Ordering};

use liaison_stack::stack::repo_root;
use liaison_stack::wordpress::{shared, WordPress};
use serde_json::{json, Value};

async fn wordpress() -> &'static WordPress {
    shared().await.unwrap_or_else(|e| panic!("{e}"))
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// WordPress refuses a comment identical to one already on the post: each text is its own.
fn unique(text: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{text} ({}-{n})", std::process::id())
}

/// What Liaison does to reply: POST a comment with its parent, as the brand user.
async fn reply(
    wp: &WordPress,
    password: &str,
    post: u64,
    parent: u64,
    content: &str,
) -> reqwest::Response {
    http()
        .post(wp.rest("/wp/v2/comments"))
        .basic_auth(&wp.user, Some(password))
        .json(&json!({ "post": post, "parent": parent, "content": content }))
        .send()
        .await
        .unwrap()
}

/// What Liaison does to moderate: POST the comment's new status, as the brand user.
async fn moderate(wp: &WordPress, comment: u64, status: &str) -> Value {
    let response = http()
        .post(wp.rest(&format!("/wp/v2/comments/{comment}")))
        .basic_auth(&wp.user, Some(&wp.application_password))
        .json(&json!({ "status": status }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "moderating {comment} to {status}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_reply_posted_with_the_application_password_should_be_threaded_under_its_comment() {
    let wp = wordpress().await;
    let post = wp.create_post("Spring launch").await.unwrap();
    let question = wp
        .create_comment(
            post,
            &unique("Is the blue one in stock?"),
            "Ann Reader",
            "ann@example.com",
            "approved",
        )
        .await
        .unwrap();

    let text = unique("Yes, it ships on Monday.");
    let response = reply(wp, &wp.application_password, post, question, &text).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_u64().unwrap();

    let read = wp.comment(id).await.unwrap();
    assert_eq!(read["parent"], question, "{read}");
    assert_eq!(read["post"], post, "{read}");
    assert_eq!(read["author"], wp.user_id(), "{read}");
    assert_eq!(read["author_name"], wp.user.as_str(), "{read}");
    assert_eq!(read["status"], "approved", "{read}");
    assert_eq!(read["content"]["raw"], text.as_str(), "{read}");

    let replies = wp.replies(question).await.unwrap();
    let ids: Vec<_> = replies.iter().map(|r| r["id"].as_u64()).collect();
    assert_eq!(ids, vec![Some(id)]);
    let visitor = wp.comment(question).await.unwrap();
    assert_eq!(
        visitor["author"], 0,
        "a visitor's comment has no user: {visitor}"
    );
    assert_eq!(visitor["author_name"], "Ann Reader");
}

#[tokio::test]
async fn a_moderation_status_set_through_rest_should_read_back() {
    let wp = wordpress().await;
    let post = wp.create_post("Moderated").await.unwrap();
    let held = wp
        .create_comment(
            post,
            &unique("First time here!"),
            "Bo Visitor",
            "bo@example.com",
            "hold",
        )
        .await
        .unwrap();
    assert_eq!(wp.comment(held).await.unwrap()["status"], "hold");

    assert_eq!(moderate(wp, held, "approved").await["status"], "approved");
    assert_eq!(wp.comment(held).await.unwrap()["status"], "approved");

    let junk = wp
        .create_comment(
            post,
            &unique("Cheap watches"),
            "Spammer",
            "spam@example.com",
            "approved",
        )
        .await
        .unwrap();
    moderate(wp, junk, "spam").await;
    assert_eq!(wp.comment(junk).await.unwrap()["status"], "spam");
    moderate(wp, junk, "trash").await;
    assert_eq!(wp.comment(junk).await.unwrap()["status"], "trash");
    moderate(wp, held, "hold").await;
    assert_eq!(wp.comment(held).await.unwrap()["status"], "hold");
}

#[tokio::test]
async fn a_wrong_application_password_should_be_refused_with_401_and_post_nothing() {
    let wp = wordpress().await;
    let post = wp.create_post("Guarded").await.unwrap();
    let question = wp
        .create_comment(
            post,
            &unique("Anyone there?"),
            "Cy Reader",
            "cy@example.com",
            "approved",
        )
        .await
        .unwrap();

    let response = reply(
        wp,
        "abcd efgh ijkl mnop qrst uvwx",
        post,
        question,
        &unique("Hi"),
    )
    .await;
    assert_eq!(response.status(), 401, "{}", response.text().await.unwrap());
    assert!(wp.replies(question).await.unwrap().is_empty());

    let moderation = http()
        .post(wp.rest(&format!("/wp/v2/comments/{question}")))
        .basic_auth(&wp.user, Some("wrong"))
        .json(&json!({ "status": "spam" }))
        .send()
        .await
        .unwrap();
    assert_eq!(moderation.status(), 401);
    assert_eq!(wp.comment(question).await.unwrap()["status"], "approved");
}

#[tokio::test]
async fn two_instances_should_keep_their_own_data_and_a_dropped_one_should_leave_nothing_running() {
    let first = wordpress().await;
    let second = WordPress::start().await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(second.base_url, first.base_url);

    // Same host (127.0.0.1), other port, other database: one's application password means
    // nothing to the other.
    let me = |wp: &WordPress, password: &str| {
        http()
            .get(wp.rest("/wp/v2/users/me"))
            .basic_auth(&wp.user, Some(password.to_string()))
            .send()
    };
    assert_eq!(
        me(&second, &second.application_password)
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        me(first, &second.application_password)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        me(&second, &first.application_password)
            .await
            .unwrap()
            .status(),
        401
    );
    let title = unique("Only on the second");
    second.create_post(&title).await.unwrap();
    let found: Value = http()
        .get(format!(
            "{}&search={}",
            first.rest("/wp/v2/posts"),
            title.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found, json!([]));

    let port: u16 = second.base_url.rsplit(':').next().unwrap().parse().unwrap();
    drop(second);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "PHP still listens on {port}"
    );
    let folder = repo_root().join(".local/wordpress").join(port.to_string());
    assert!(!folder.exists(), "{} is left behind", folder.display());
    // The shared one still serves.
    assert_eq!(
        me(first, &first.application_password)
            .await
            .unwrap()
            .status(),
        200
    );
}
