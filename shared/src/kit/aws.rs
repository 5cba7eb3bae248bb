//! SDK configuration and clients.
//!
//! Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL`
//! variables, read through [`Env`] so that the local runner can give each function the
//! environment it would have on Lambda. Function code never knows whether it runs locally.

pub use aws_config::SdkConfig;
use aws_config::{BehaviorVersion, Region};

use crate::kit::config::Env;

/// Loads the shared SDK configuration. Region and static credentials are taken from `env`
/// when present (the local stack, tests); otherwise the default provider chain applies.
pub async fn sdk_config(env: &dyn Env) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = env
        .var("AWS_REGION")
        .or_else(|| env.var("AWS_DEFAULT_REGION"))
    {
        loader = loader.region(Region::new(region));
    }
    if let (Some(key), Some(secret)) = (
        env.var("AWS_ACCESS_KEY_ID"),
        env.var("AWS_SECRET_ACCESS_KEY"),
    ) {
        loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            key,
            secret,
            env.var("AWS_SESSION_TOKEN"),
            None,
            "environment",
        ));
    }
    loader.load().await
}

/// The endpoint override for one service (`AWS_ENDPOINT_URL_DYNAMODB`, ...), if any.
pub fn endpoint(env: &dyn Env, service_env_suffix: &str) -> Option<String> {
    env.var(&format!("AWS_ENDPOINT_URL_{service_env_suffix}"))
        .or_else(|| env.var("AWS_ENDPOINT_URL"))
}

pub fn dynamodb(sdk: &SdkConfig, env: &dyn Env) -> aws_sdk_dynamodb::Client {
    let mut conf = aws_sdk_dynamodb::config::Builder::from(sdk);
    if let Some(url) = endpoint(env, "DYNAMODB") {
        conf = conf.endpoint_url(url);
    }
    aws_sdk_dynamodb::Client::from_conf(conf.build())
}

pub fn sqs(sdk: &SdkConfig, env: &dyn Env) -> aws_sdk_sqs::Client {
    let mut conf = aws_sdk_sqs::config::Builder::from(sdk);
    if let Some(url) = endpoint(env, "SQS") {
        conf = conf.endpoint_url(url);
    }
    aws_sdk_sqs::Client::from_conf(conf.build())
}

pub fn ses(sdk: &SdkConfig, env: &dyn Env) -> aws_sdk_ses::Client {
    let mut conf = aws_sdk_ses::config::Builder::from(sdk);
    if let Some(url) = endpoint(env, "SES") {
        conf = conf.endpoint_url(url);
    }
    aws_sdk_ses::Client::from_conf(conf.build())
}

pub fn ssm(sdk: &SdkConfig, env: &dyn Env) -> aws_sdk_ssm::Client {
    let mut conf = aws_sdk_ssm::config::Builder::from(sdk);
    if let Some(url) = endpoint(env, "SSM") {
        conf = conf.endpoint_url(url);
    }
    aws_sdk_ssm::Client::from_conf(conf.build())
}
