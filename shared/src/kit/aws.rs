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
    loader.http_client(https_client()).load().await
}

/// The SDK's HTTPS client: hyper and rustls over ring, the crypto library the rest of the
/// bootstrap links already (the SDK's default would bring aws-lc beside it).
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The endpoint override for one service (`AWS_ENDPOINT_URL_DYNAMODB`, ...), if any.
pub fn endpoint(env: &dyn Env, service_env_suffix: &str) -> Option<String> {
    env.var(&format!("AWS_ENDPOINT_URL_{service_env_suffix}"))
        .or_else(|| env.var("AWS_ENDPOINT_URL"))
}

/// `$name(sdk, env)`: the `$sdk` client, at `AWS_ENDPOINT_URL_$suffix` when set.
macro_rules! client {
    ($name:ident, $sdk:ident, $suffix:literal) => {
        pub fn $name(sdk: &SdkConfig, env: &dyn Env) -> $sdk::Client {
            let mut conf = $sdk::config::Builder::from(sdk);
            if let Some(url) = endpoint(env, $suffix) {
                conf = conf.endpoint_url(url);
            }
            $sdk::Client::from_conf(conf.build())
        }
    };
}

client!(dynamodb, aws_sdk_dynamodb, "DYNAMODB");
client!(sqs, aws_sdk_sqs, "SQS");
client!(ses, aws_sdk_ses, "SES");
client!(ssm, aws_sdk_ssm, "SSM");
