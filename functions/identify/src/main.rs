use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use shared::clock::Clock;
use shared::config::ProcessEnv;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init_function("identify");
    let deps = identify::Deps::from_env(&ProcessEnv, Clock::system()).await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async {
        Ok::<_, Error>(identify::handle(&deps, event.payload).await)
    }))
    .await
}
