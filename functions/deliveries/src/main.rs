use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::kit::clock::Clock;
use shared::kit::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::kit::telemetry::init_function("deliveries");
    let deps = deliveries::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<deliveries::Trigger>| async {
            Ok::<_, Error>(deliveries::run(&deps, event.payload).await)
        },
    ))
    .await
}
