//! The test harness of [`liaison_stack::harness`] (emulators, each test's own resources),
//! and a whole system for one test: its resources and a runner on a free port.

use std::net::SocketAddr;

use shared::kit::clock::Clock;

pub use liaison_stack::harness::*;

use crate::registry::Registry;
use crate::runner::{self, RunnerConfig, RunningSystem};
use crate::template::Template;

/// A whole local system for one test: its own resources and a runner on a free port.
pub struct TestSystem {
    pub resources: TestResources,
    pub running: RunningSystem,
}

impl TestSystem {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    /// A development staff token with these groups, accepted by the runner's authorizer.
    pub fn token(&self, groups: &[&str]) -> String {
        let params = &self.resources.parameters;
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        crate::jwt::issue(
            crate::jwt::dev_keys(),
            &crate::jwt::TokenRequest {
                subject: "test-user",
                email: None,
                nonce: None,
                groups: &groups,
                groups_claim: params
                    .get("JwtGroupsClaim")
                    .map(String::as_str)
                    .unwrap_or("cognito:groups"),
                issuer: &params["JwtIssuer"],
                audience: &params["JwtAudience"],
                ttl_seconds: 3600,
                now: chrono::Utc::now().timestamp(),
            },
        )
        .unwrap_or_else(|e| panic!("token: {e}"))
    }

    /// A development token of the brand's site (machine client) with these scopes.
    pub fn site_token(&self, scope: &str) -> String {
        let params = &self.resources.parameters;
        crate::jwt::issue_site(
            crate::jwt::dev_keys(),
            &crate::jwt::SiteTokenRequest {
                client_id: &params["SiteClientId"],
                issuer: &params["JwtIssuer"],
                scope,
                ttl_seconds: 3600,
                now: chrono::Utc::now().timestamp(),
            },
        )
        .unwrap_or_else(|e| panic!("site token: {e}"))
    }
}

pub async fn system() -> TestSystem {
    system_with(template(), Registry::builtin()).await
}

/// The system without some functions (and so without their queue consumers and schedules):
/// to look at what one stage leaves in a queue before the next stage takes it.
pub async fn system_without(binaries: &[&str]) -> TestSystem {
    let mut template = template();
    template
        .functions
        .retain(|f| !binaries.contains(&f.binary.as_str()));
    system_with(template, Registry::builtin()).await
}

pub async fn system_with(template: Template, registry: Registry) -> TestSystem {
    system_with_parameters(template, registry, &[]).await
}

/// A system whose template parameters differ from the local ones for this test alone (as a
/// deployment to AWS would set them).
pub async fn system_with_parameters(
    template: Template,
    registry: Registry,
    overrides: &[(&str, &str)],
) -> TestSystem {
    let resources = resources_with(template, overrides).await;
    let running = runner::start(RunnerConfig {
        template: resources.template.clone(),
        parameters: resources.parameters.clone(),
        provisioned: resources.provisioned.clone(),
        base_env: resources.env.clone(),
        registry,
        clock: Clock::system(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        jwt_keys: crate::jwt::dev_keys(),
        iam: resources.iam.clone(),
    })
    .await
    .unwrap_or_else(|e| panic!("runner: {e}"));
    TestSystem { resources, running }
}
