use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::kit::clock::Clock;
use shared::kit::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::kit::telemetry::init_function("poll");
    let deps = ingest::poll::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<ingest::poll::Trigger>| async {
            Ok::<_, Error>(ingest::poll::handle(&deps, event.payload).await)
        },
    ))
    .await
}
