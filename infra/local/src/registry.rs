//! The functions the runner can serve, by the cargo binary template.yaml names for them.
//! Each entry builds the function's dependencies from its environment and calls the same
//! `handle` entry point its Lambda `main.rs` calls; events go in and out as JSON, exactly as
//! the Lambda Runtime API carries them.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use shared::kit::clock::Clock;

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
/// One invocation: the event as JSON in, the response as JSON out; `Err` is an invocation
/// error (what Lambda reports when a handler fails).
pub type Invoke = Arc<dyn Fn(Value) -> BoxFuture<Result<Value, String>> + Send + Sync>;
/// Builds a function from the environment template.yaml gives it and the shared clock.
pub type Factory =
    Arc<dyn Fn(HashMap<String, String>, Clock) -> BoxFuture<Result<Invoke, String>> + Send + Sync>;

#[derive(Clone, Default)]
pub struct Registry {
    factories: BTreeMap<String, Factory>,
}

impl Registry {
    /// Every function of this workspace.
    pub fn builtin() -> Self {
        let mut registry = Registry::default();
        registry.register(
            "ingest",
            factory(
                |env, clock| async move { ingest::Deps::from_env(&env, clock).await },
                |deps, event| async move { ingest::handle(&deps, event).await },
            ),
        );
        registry.register(
            "admin",
            factory(
                |env, clock| async move { admin::Deps::from_env(&env, clock).await },
                |deps, event| async move { admin::handle(&deps, event).await },
            ),
        );
        registry.register(
            "identify",
            factory(
                |env, clock| async move { identify::Deps::from_env(&env, clock).await },
                |deps, event| async move { identify::handle(&deps, event).await },
            ),
        );
        registry.register(
            "tracking",
            factory(
                |env, clock| async move { tracking::Deps::from_env(&env, clock).await },
                |deps, event| async move { tracking::handle(&deps, event).await },
            ),
        );
        registry.register(
            "moderation-callbacks",
            factory(
                |env, clock| async move { moderation_callbacks::Deps::from_env(&env, clock).await },
                |deps, event| async move { moderation_callbacks::handle(&deps, event).await },
            ),
        );
        registry.register(
            "deliveries",
            factory(
                |env, clock| async move { deliveries::Deps::from_env(&env, clock).await },
                |deps, event| async move { deliveries::run(&deps, event).await },
            ),
        );
        registry.register(
            "answers",
            factory(
                |env, clock| async move { answers::Deps::from_env(&env, clock).await },
                |deps, event| async move { answers::handle(&deps, event).await },
            ),
        );
        registry.register(
            "carts",
            factory(
                |env, clock| async move { carts::Deps::from_env(&env, clock).await },
                |deps, event| async move { carts::handle(&deps, event).await },
            ),
        );
        registry.register(
            "relaunch-scheduler",
            factory(
                |env, clock| async move { relaunch_scheduler::Deps::from_env(&env, clock).await },
                |deps, _event: Value| async move { relaunch_scheduler::handle(&deps).await },
            ),
        );
        registry.register(
            "relaunch-sender",
            factory(
                |env, clock| async move { relaunch_sender::Deps::from_env(&env, clock).await },
                |deps, event| async move { relaunch_sender::handle(&deps, event).await },
            ),
        );
        registry.register(
            "ses-events",
            factory(
                |env, clock| async move { ses_events::Deps::from_env(&env, clock).await },
                |deps, event| async move { ses_events::handle(&deps, event).await },
            ),
        );
        registry.register(
            "referrals",
            factory(
                |env, clock| async move { referrals::Deps::from_env(&env, clock).await },
                |deps, event| async move { referrals::handle(&deps, event).await },
            ),
        );
        registry.register(
            "poll",
            factory(
                |env, clock| async move { ingest::poll::Deps::from_env(&env, clock).await },
                |deps, event| async move { ingest::poll::handle(&deps, event).await },
            ),
        );
        registry
    }

    pub fn register(&mut self, binary: &str, factory: Factory) {
        self.factories.insert(binary.to_string(), factory);
    }

    pub fn get(&self, binary: &str) -> Option<&Factory> {
        self.factories.get(binary)
    }

    pub fn binaries(&self) -> impl Iterator<Item = &str> {
        self.factories.keys().map(String::as_str)
    }
}

/// Adapts a function crate's `Deps::from_env` and `handle` into a [`Factory`].
pub fn factory<D, E, R, Err, MF, MFut, HF, HFut>(make: MF, handle: HF) -> Factory
where
    D: Send + Sync + 'static,
    E: DeserializeOwned + Send + 'static,
    R: Serialize + 'static,
    Err: std::fmt::Display,
    MF: Fn(HashMap<String, String>, Clock) -> MFut + Send + Sync + 'static,
    MFut: Future<Output = Result<D, Err>> + Send + 'static,
    HF: Fn(Arc<D>, E) -> HFut + Send + Sync + Clone + 'static,
    HFut: Future<Output = R> + Send + 'static,
{
    let make = Arc::new(make);
    Arc::new(move |env, clock| {
        let make = make.clone();
        let handle = handle.clone();
        Box::pin(async move {
            let deps = Arc::new(
                make(env, clock)
                    .await
                    .map_err(|e| format!("init failed: {e}"))?,
            );
            let invoke: Invoke = Arc::new(move |event: Value| {
                let deps = deps.clone();
                let handle = handle.clone();
                Box::pin(async move {
                    let event: E = serde_json::from_value(event)
                        .map_err(|e| format!("event does not deserialise: {e}"))?;
                    let output = handle(deps, event).await;
                    serde_json::to_value(output)
                        .map_err(|e| format!("response does not serialise: {e}"))
                })
            });
            Ok(invoke)
        })
    })
}
