//! Schemathesis (PyPI, installed by `make deps`) against the local stack, from
//! docs/openapi.yaml: requests generated from every operation's description (valid ones,
//! and the edges and wrong ones its coverage phase derives), each answer checked for a 5xx
//! and against the response schema the description gives. The staff routes run with an
//! administrator's token, the site's with the site's; the webhook route is left to the
//! connectors' own tests (its bodies are each platform's, signed). A fixed seed keeps a
//! failure reproducible (`schemathesis run ... --seed`).

use liaison_local::harness::{self, TestSystem};
use liaison_stack::stack::repo_root;

/// Runs Schemathesis on the operations `filter` selects, with `token`; its report on failure.
async fn schemathesis(system: &TestSystem, filter: [&str; 2], token: &str) -> Result<(), String> {
    let root = repo_root();
    let binary = root.join(".local/schemathesis/bin/schemathesis");
    assert!(
        binary.is_file(),
        "{} is missing: run make deps",
        binary.display()
    );
    let output = tokio::process::Command::new(binary)
        .current_dir(std::env::temp_dir())
        .args(["run", root.join("docs/openapi.yaml").to_str().unwrap()])
        .args(["--url", &system.url("")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "not_a_server_error,response_schema_conformance"])
        .args(["--phases", "coverage,fuzzing"])
        .args(["--max-examples", "10", "--seed", "7"])
        // One worker: CPython's parser is not safe under Hypothesis's deep recursion from
        // several threads (a SystemError seen with two).
        .args(["--workers", "1"])
        .args(filter)
        .env("NO_COLOR", "1")
        .output()
        .await
        .map_err(|e| format!("schemathesis: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

#[tokio::test]
async fn no_generated_request_should_get_a_5xx_or_an_answer_outside_the_description() {
    let system = harness::system().await;
    let admin = system.token(&["liaison-admin"]);
    let staff = schemathesis(&system, ["--exclude-path-regex", "^/(hooks|api)/"], &admin).await;
    let site_token = system.site_token(shared::kit::auth::SITE_REFERRALS_SCOPE);
    let site = schemathesis(&system, ["--include-path-regex", "^/api/"], &site_token).await;
    let failures: Vec<String> = [staff, site].into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
