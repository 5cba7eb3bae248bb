use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::kit::clock::Clock;
use shared::kit::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::kit::telemetry::init_function("referrals");
    let deps = referrals::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<referrals::Invocation>| async {
            Ok::<_, Error>(referrals::handle(&deps, event.payload).await)
        },
    ))
    .await
}
