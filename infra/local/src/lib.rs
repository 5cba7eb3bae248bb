//! The local runner: serves every function of template.yaml on one port, as API Gateway,
//! SQS event sources and schedules would (`make dev`, and the end-to-end tests through
//! [`harness::system`]). It links every function through [`registry`]; what it runs on, the
//! emulators, provisioning and the IAM gateway, is `liaison-stack`, re-exported here.

pub use liaison_stack::{
    base_env, clients, faults, function_env, iam, jwt, local_parameters, local_secrets,
    placeholder_resources, provision, resolve, stack, template, ParameterError, REGION,
};

pub mod harness;
pub mod registry;
pub mod runner;
