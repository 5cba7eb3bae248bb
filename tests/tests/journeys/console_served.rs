//! The console as `make dev` serves it: its built files at /console/ (every other path under
//! it answered with the app's index.html), its config.json pointing at the runner's own
//! OpenID Connect provider, and on every answer the headers CloudFront adds in AWS: a
//! Content-Security-Policy without 'unsafe-inline', no framing, no sniffing. `make test`
//! builds the console before the Rust tests.

use liaison_local::harness;
use serde_json::Value;

#[tokio::test]
async fn the_console_should_be_served_with_its_config_and_a_strict_policy() {
    let system = harness::system().await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(system.url(path)).send();

    let config = get("/console/config.json").await.unwrap();
    assert_eq!(config.status(), 200);
    let policy = config.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"));
    assert_eq!(config.headers()["x-frame-options"], "DENY");
    let config: Value = config.json().await.unwrap();
    assert_eq!(
        config["clientId"],
        system.resources.parameters["JwtAudience"]
    );
    assert_eq!(config["authorizeUrl"], "/oidc/authorize");
    assert_eq!(config["tokenUrl"], "/oidc/token");

    let page = get("/console/inbox").await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "the console is not built: cd console && npm ci && npm run build (make test does)"
    );
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<style") && !html.contains(" style="),
        "no inline style"
    );
    let script = html
        .split("src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|src| src.starts_with("/console/") && src.ends_with(".js"))
        .expect("the app's script, from /console/")
        .to_string();
    for tag in html.split("<script").skip(1) {
        let opening = tag.split('>').next().unwrap_or_default();
        assert!(opening.contains("src="), "every script is a file: {html}");
    }
    let js = get(&script).await.unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(js.headers()["x-content-type-options"], "nosniff");
}
