use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::clock::Clock;
use shared::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init_function("relaunch-scheduler");
    let deps = relaunch_scheduler::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<serde_json::Value>| async {
        Ok::<_, Error>(relaunch_scheduler::handle(&deps).await)
    }))
    .await
}
