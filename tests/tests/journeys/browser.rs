//! The console in a real browser: Playwright (console/e2e/) drives Debian's Chromium against
//! the local system this test starts, the built console served with its CSP. The inbox's
//! scenes find what this test delivered first (a held incident comment, which also opens a
//! case, and a question); the campaigns', people's and setup's scenes seed their own data
//! through the API and signed webhooks (console/e2e/seed.ts). What the browser did is then
//! checked through the API: the held comment is approved, by the signed-in agent.
//! Screenshots of every screen go to target/console-e2e/screenshots/.

use e2e::{create_source, deliver, recorded, staff};
use liaison_local::harness;
use liaison_stack::stack::repo_root;
use serde_json::json;

const HELD: &str = "My lamp arrived broken and nobody answers my emails";
const QUESTION: &str = "How do I change the bulb of the desk lamp? Is there a guide somewhere?";

#[tokio::test]
async fn staff_should_work_the_inbox_in_a_real_browser() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    for (id, text, moderation) in [
        ("b-held", HELD, "pending"),
        ("b-question", QUESTION, "published"),
    ] {
        let body = json!({"type": "contribution.created", "data": {
            "id": id, "kind": "comment", "text": text, "moderation": moderation,
            "created_at": "2026-12-07T09:00:00Z",
            "author": {"name": "Dominique", "email": format!("{id}@example.com")}}});
        let resp = deliver(&system, &source, id, body.to_string().as_bytes()).await;
        assert_eq!(resp.status().as_u16(), 202);
        let event: serde_json::Value = resp.json().await.unwrap();
        recorded(&system, event["id"].as_str().unwrap())
            .await
            .expect("recorded before the browser looks");
    }

    let root = repo_root();
    let console = root.join("console");
    let playwright = console.join("node_modules/.bin/playwright");
    assert!(
        playwright.is_file(),
        "{} is missing: make console installs it",
        playwright.display()
    );
    let output_dir = root.join("target/console-e2e");
    std::fs::create_dir_all(output_dir.join("screenshots")).unwrap();
    let run = tokio::process::Command::new(&playwright)
        .arg("test")
        .current_dir(&console)
        .env("LIAISON_URL", system.url(""))
        .env("LIAISON_HELD_TEXT", HELD)
        .env("LIAISON_QUESTION_TEXT", QUESTION)
        .env("LIAISON_E2E_OUTPUT", output_dir.join("results"))
        .env("LIAISON_SCREENSHOTS", output_dir.join("screenshots"))
        .env("NO_COLOR", "1")
        .output()
        .await
        .expect("playwright runs");
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Each scene's line and the first load's timing: shown with --nocapture.
    println!("{report}");

    let (status, approved) = staff(
        &system,
        "GET",
        "/admin/moderation?decision=approve",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    let decided: Vec<&serde_json::Value> = approved["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["contribution"]["text"] == HELD)
        .collect();
    assert_eq!(decided.len(), 1, "{approved}");
    let by = decided[0]["moderation"]["decided_by"]
        .as_str()
        .unwrap_or_default();
    assert!(
        by.starts_with("dev_"),
        "decided by the signed-in agent, not by Liaison: {by}"
    );
}
