use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::kit::clock::Clock;
use shared::kit::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::kit::telemetry::init_function("admin");
    let deps = admin::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<ApiGatewayV2httpRequest>| async {
            Ok::<_, Error>(admin::handle(&deps, event.payload).await)
        },
    ))
    .await
}
