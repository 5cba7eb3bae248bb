use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::kit::clock::Clock;
use shared::kit::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::kit::telemetry::init_function("relaunch-scheduler");
    let deps = relaunch_scheduler::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<serde_json::Value>| async {
        Ok::<_, Error>(relaunch_scheduler::handle(&deps).await)
    }))
    .await
}
