//! IAM, enforced locally: each function's calls to DynamoDB, SQS and SES are checked against
//! the role template.yaml gives it, and refused with AWS's own error where AWS would refuse
//! them. A local stack more permissive than AWS hides production failures (an order whose
//! conversion transaction touched a table the carts role could not write passed every test
//! and failed in AWS); this is the check that catches them.
//!
//! - [`policy`]: a role's statements, resolved and evaluated as IAM does;
//! - [`request`]: what a request asks, part by part (transactions and batches included);
//! - [`gateway`]: the proxy in front of the emulators that puts the two together;
//! - [`report`]: a test run's missing and unused grants.

pub mod gateway;
pub mod policy;
pub mod report;
pub mod request;

use std::collections::HashMap;

pub use gateway::{Denial, Gateway, Principal};
pub use policy::{Check, Policy};
pub use request::Scope;

use crate::provision::Provisioned;
use crate::resolve::Resolver;
use crate::template::FunctionDef;

/// The access key id a function's calls are signed with: one per function and stack, as
/// Lambda gives each function its own role.
pub fn access_key(provisioned: &Provisioned, def: &FunctionDef) -> String {
    format!("{}-{}", provisioned.prefix, def.logical_id)
}

/// Compiles the function's role, registers it with the gateway and points the function's
/// SDK at the gateway with its own access key.
pub fn enroll(
    gateway: &Gateway,
    def: &FunctionDef,
    resolver: &Resolver<'_>,
    env: &mut HashMap<String, String>,
) -> Result<(), policy::PolicyError> {
    let provisioned = resolver.provisioned;
    let policy = Policy::compile(&def.statements, resolver)?;
    // The key names the function as its role's session does: `{stack}-{LogicalId}`.
    let key = access_key(provisioned, def);
    gateway.register(
        &key,
        Principal {
            function: def.logical_id.clone(),
            role_arn: format!(
                "arn:aws:sts::{}:assumed-role/{key}Role/{key}",
                provisioned.account_id
            ),
            policy,
        },
    );
    env.insert("AWS_ACCESS_KEY_ID".into(), key);
    env.insert(
        "AWS_ENDPOINT_URL_DYNAMODB".into(),
        gateway.dynamodb_endpoint().to_string(),
    );
    // Every other service the base environment points at moto (SQS, SES, SSM...): through
    // the gateway too, so that a service added there can never bypass the roles.
    let moto_services: Vec<String> = env
        .keys()
        .filter(|k| k.starts_with("AWS_ENDPOINT_URL_") && *k != "AWS_ENDPOINT_URL_DYNAMODB")
        .cloned()
        .collect();
    for name in moto_services {
        env.insert(name, gateway.moto_endpoint().to_string());
    }
    Ok(())
}
