//! Staff managing sources through the admin API, behind the JWT authorizer.

use e2e::SendChecked;
use liaison_local::harness;
use reqwest::Client;
use serde_json::{json, Value};

#[tokio::test]
async fn without_a_valid_token_should_be_401_and_with_the_wrong_group_403() {
    let system = harness::system().await;
    let url = system.url("/admin/sources");
    let none = Client::new().get(&url).send_checked().await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let garbage = Client::new()
        .get(&url)
        .bearer_auth("not.a.jwt")
        .send_checked()
        .await
        .unwrap();
    assert_eq!(garbage.status().as_u16(), 401);
    let marketer = system.token(&["liaison-marketer"]);
    let resp = Client::new()
        .get(&url)
        .bearer_auth(marketer)
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn a_source_should_be_created_listed_shown_and_deleted_without_leaking_its_secret() {
    let system = harness::system().await;
    let token = system.token(&["liaison-admin"]);
    let client = Client::new();
    let resp = client
        .post(system.url("/admin/sources"))
        .bearer_auth(&token)
        .json(&json!({"platform": "standard-webhooks", "name": "Forum"}))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(created["webhook_url"], system.url(&format!("/hooks/{id}")));

    let shown = client
        .get(system.url(&format!("/admin/sources/{id}")))
        .bearer_auth(&token)
        .send_checked()
        .await
        .unwrap();
    assert_eq!(shown.status().as_u16(), 200);
    let shown_text = shown.text().await.unwrap();
    assert!(
        !shown_text.contains(secret.trim_start_matches("whsec_")),
        "a GET must not return the secret"
    );
    let listed = client
        .get(system.url("/admin/sources"))
        .bearer_auth(&token)
        .send_checked()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listed.contains(id));
    assert!(!listed.contains(secret.trim_start_matches("whsec_")));

    let deleted = client
        .delete(system.url(&format!("/admin/sources/{id}")))
        .bearer_auth(&token)
        .send_checked()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let gone = client
        .get(system.url(&format!("/admin/sources/{id}")))
        .bearer_auth(&token)
        .send_checked()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 404);
}

#[tokio::test]
async fn a_given_secret_should_be_kept_and_never_echoed() {
    let system = harness::system().await;
    let token = system.token(&["liaison-admin"]);
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let created: Value = Client::new()
        .post(system.url("/admin/sources"))
        .bearer_auth(&token)
        .json(&json!({"platform": "standard-webhooks", "name": "Site", "secret": secret}))
        .send_checked()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(created.get("secret").is_none());
}

#[tokio::test]
async fn invalid_sources_should_be_refused_naming_the_field() {
    let system = harness::system().await;
    let cases = [
        (json!({"platform": "myspace", "name": "x"}), "platform"),
        (json!({"platform": "standard-webhooks", "name": ""}), "name"),
        (json!({"name": "x"}), "platform"),
        (
            json!({"platform": "standard-webhooks", "name": "x", "secret": "plain"}),
            "secret",
        ),
    ];
    refused_naming(&system, &cases).await;
}

/// Each registration is refused with a 400 naming its field, and none is stored.
async fn refused_naming(system: &harness::TestSystem, cases: &[(Value, &str)]) {
    let token = system.token(&["liaison-admin"]);
    for (body, field) in cases {
        let resp = Client::new()
            .post(system.url("/admin/sources"))
            .bearer_auth(&token)
            .json(body)
            .send_checked()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{body}");
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["error"]["field"], *field, "{body}: {err}");
    }
    assert_eq!(system.resources.count_items("SourcesTable").await, 0);
}

#[tokio::test]
async fn rotating_or_deleting_a_missing_source_should_be_404() {
    let system = harness::system().await;
    let token = system.token(&["liaison-admin"]);
    let client = Client::new();
    let rotate = client
        .post(system.url("/admin/sources/src_missing/rotate"))
        .bearer_auth(&token)
        .send_checked()
        .await
        .unwrap();
    assert_eq!(rotate.status().as_u16(), 404);
    let delete = client
        .delete(system.url("/admin/sources/src_missing"))
        .bearer_auth(&token)
        .send_checked()
        .await
        .unwrap();
    assert_eq!(delete.status().as_u16(), 404);
}

#[tokio::test]
async fn in_aws_a_url_on_this_machine_or_a_private_network_should_be_refused() {
    // As deployed: AllowPrivateOutbound is false (the local stack sets it for its doubles).
    let system = harness::system_with_parameters(
        harness::template(),
        liaison_local::registry::Registry::builtin(),
        &[("AllowPrivateOutbound", "false")],
    )
    .await;
    let cases = [
        (
            json!({"platform": "standard-webhooks", "name": "x",
                   "settings": {"moderation_callback_url": "https://169.254.169.254/latest/meta-data/"}}),
            "settings.moderation_callback_url",
        ),
        (
            json!({"platform": "standard-webhooks", "name": "x",
                   "settings": {"moderation_callback_url": "https://localhost:9000/decide"}}),
            "settings.moderation_callback_url",
        ),
        (
            json!({"platform": "wordpress", "name": "x",
                   "settings": {"site_url": "http://blog.example"},
                   "credentials": {"user": "u", "application_password": "abcd efgh ijkl mnop qrst uvwx"}}),
            "settings.site_url",
        ),
    ];
    refused_naming(&system, &cases).await;
}
