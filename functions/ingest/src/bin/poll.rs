use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::clock::Clock;
use shared::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init_function("poll");
    let deps = ingest::poll::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<ingest::poll::Trigger>| async {
            Ok::<_, Error>(ingest::poll::handle(&deps, event.payload).await)
        },
    ))
    .await
}
