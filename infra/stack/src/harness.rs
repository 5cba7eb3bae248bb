//! Test support: one set of emulators per test process, started on free ports the first
//! time a test asks and stopped when the process ends; and, per test, its own uniquely
//! named tables and queues, so that tests run in parallel without seeing each other.
//!
//! Set `LIAISON_TEST_DYNAMODB_ENDPOINT` and `LIAISON_TEST_MOTO_ENDPOINT` to use emulators
//! that are already running instead.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use aws_sdk_dynamodb::types::AttributeValue;

use crate::provision::{provision, Clients, Provisioned};
use crate::stack::{repo_root, Emulators, Ports};
use crate::template::Template;

struct Shared {
    env: HashMap<String, String>,
    iam: crate::iam::Gateway,
    // Kept alive for the life of the process; the watchdogs stop the emulators at exit.
    _emulators: Option<Mutex<Emulators>>,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn shared_stack() -> &'static Shared {
    SHARED.get_or_init(|| {
        let reuse = (
            std::env::var("LIAISON_TEST_DYNAMODB_ENDPOINT"),
            std::env::var("LIAISON_TEST_MOTO_ENDPOINT"),
        );
        if let (Ok(dynamodb), Ok(moto)) = reuse {
            return Shared {
                iam: gateway(&dynamodb, &moto),
                env: crate::base_env(&dynamodb, &moto),
                _emulators: None,
            };
        }
        let ports = Ports::free().unwrap_or_else(|e| panic!("test stack: {e}"));
        let emulators = Emulators::start(ports).unwrap_or_else(|e| panic!("test stack: {e}"));
        Shared {
            iam: gateway(&emulators.dynamodb_endpoint, &emulators.moto_endpoint),
            env: crate::base_env(&emulators.dynamodb_endpoint, &emulators.moto_endpoint),
            _emulators: Some(Mutex::new(emulators)),
        }
    })
}

fn gateway(dynamodb: &str, moto: &str) -> crate::iam::Gateway {
    crate::iam::Gateway::start(dynamodb, moto, crate::iam::Scope::local())
        .unwrap_or_else(|e| panic!("test stack: {e}"))
}

/// The IAM gateway every function of this process's tests reaches the emulators through.
pub fn iam() -> crate::iam::Gateway {
    shared_stack().iam.clone()
}

/// The environment (region, credentials, endpoints) of this process's emulators.
pub fn env() -> HashMap<String, String> {
    shared_stack().env.clone()
}

/// A prefix no other test of any process uses.
pub fn unique_prefix() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("t{}-{n}-{:x}", std::process::id(), nanos & 0xffff)
}

pub fn template() -> Template {
    Template::load(&repo_root().join("template.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

pub fn parameters(template: &Template) -> BTreeMap<String, String> {
    crate::local_parameters(template, &repo_root()).unwrap_or_else(|e| panic!("{e}"))
}

/// The secrets every test stack gets (infra/local-secrets.json).
pub fn secrets() -> BTreeMap<String, String> {
    crate::local_secrets(&repo_root()).unwrap_or_else(|e| panic!("{e}"))
}

/// The local lookup key, for a test that computes a keyed hash itself.
pub fn lookup_key() -> Vec<u8> {
    secrets()
        .remove("lookup-key")
        .expect("infra/local-secrets.json has a lookup-key")
        .into_bytes()
}

/// The local credentials key's sealer (infra/local-secrets.json), as the functions that
/// read sources' credentials have it.
pub fn sealer() -> shared::contracts::sealed::Sealer {
    let key = secrets()
        .remove("credentials-key")
        .expect("infra/local-secrets.json has a credentials-key");
    shared::contracts::sealed::Sealer::new(key.as_bytes()).expect("a long enough local key")
}

/// This test's own copy of every table and queue of template.yaml.
pub struct TestResources {
    pub env: HashMap<String, String>,
    pub clients: Clients,
    pub provisioned: Provisioned,
    pub template: Template,
    pub parameters: BTreeMap<String, String>,
    pub iam: crate::iam::Gateway,
}

impl TestResources {
    pub fn table(&self, logical_id: &str) -> String {
        self.provisioned.tables[logical_id].clone()
    }

    /// This test's sources table, credentials sealed and opened as the functions do.
    pub fn sources(&self) -> shared::contracts::sources::SourceStore {
        shared::contracts::sources::SourceStore::new(
            self.clients.dynamodb.clone(),
            self.table("SourcesTable"),
        )
        .with_sealer(sealer())
    }

    pub fn queue_url(&self, logical_id: &str) -> String {
        self.provisioned.queues[logical_id].url.clone()
    }

    /// Every message now visible in a queue (received, then made visible again at once).
    /// Each call counts as a receive of each message: use [`Self::queue_depth`] to count.
    pub async fn peek_queue(&self, logical_id: &str) -> Vec<aws_sdk_sqs::types::Message> {
        let url = self.queue_url(logical_id);
        let mut all = Vec::new();
        for _ in 0..10 {
            let out = self
                .clients
                .sqs
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .visibility_timeout(0)
                .message_attribute_names("All")
                .send()
                .await
                .unwrap_or_else(|e| panic!("ReceiveMessage: {}", e.into_service_error()));
            let messages = out.messages.unwrap_or_default();
            let last_page = messages.len() < 10;
            let fresh: Vec<_> = messages
                .into_iter()
                .filter(|m| {
                    !all.iter().any(|seen: &aws_sdk_sqs::types::Message| {
                        seen.message_id() == m.message_id()
                    })
                })
                .collect();
            let done = fresh.is_empty() || last_page;
            all.extend(fresh);
            if done {
                break;
            }
        }
        all
    }

    /// The events of type `kind` (`case.opened`...) published on the `events` queue: those
    /// the deliveries function (the runner's) numbered already, else those still queued. Each
    /// once, as its JSON text, to search. Waits up to 5 s for a first one (one being fanned
    /// out is in neither place for a moment). The queue is read once, when the table has
    /// none: each read counts as a receive towards the queue's maxReceiveCount.
    pub async fn published_events(&self, kind: &str) -> Vec<String> {
        let mut found: std::collections::BTreeMap<String, String> = Default::default();
        for round in 0..50 {
            let recorded = self
                .clients
                .dynamodb
                .scan()
                .table_name(self.table("DeliveriesTable"))
                .filter_expression("begins_with(pk, :event) AND #type = :kind")
                .expression_attribute_names("#type", "type")
                .expression_attribute_values(":event", AttributeValue::S("event#".into()))
                .expression_attribute_values(":kind", AttributeValue::S(kind.into()))
                .send()
                .await
                .unwrap_or_else(|e| panic!("Scan: {}", e.into_service_error()));
            for item in recorded.items.unwrap_or_default() {
                let text = |name: &str| {
                    item.get(name)
                        .and_then(|v| v.as_s().ok())
                        .cloned()
                        .unwrap_or_default()
                };
                found.insert(text("id"), text("payload"));
            }
            if found.is_empty() && round == 0 {
                for message in self.peek_queue("EventsQueue").await {
                    let body = message.body().unwrap_or_default().to_string();
                    let event: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                    if event["type"] == kind {
                        found.insert(event["id"].as_str().unwrap_or_default().into(), body);
                    }
                }
            }
            if !found.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        found.into_values().collect()
    }

    /// How many messages a queue holds, without receiving them: a receive counts towards
    /// the redrive policy's maxReceiveCount, as in AWS, so repeated peeks would move
    /// messages to the dead-letter queue.
    pub async fn queue_depth(&self, logical_id: &str) -> usize {
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let out = self
            .clients
            .sqs
            .get_queue_attributes()
            .queue_url(self.queue_url(logical_id))
            .attribute_names(A::ApproximateNumberOfMessages)
            .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetQueueAttributes: {}", e.into_service_error()));
        let attrs = out.attributes.unwrap_or_default();
        [
            A::ApproximateNumberOfMessages,
            A::ApproximateNumberOfMessagesNotVisible,
        ]
        .iter()
        .filter_map(|a| attrs.get(a).and_then(|v| v.parse::<usize>().ok()))
        .sum()
    }

    /// Messages sent to a queue with a delay that has not passed yet.
    pub async fn delayed_messages(&self, logical_id: &str) -> usize {
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let out = self
            .clients
            .sqs
            .get_queue_attributes()
            .queue_url(self.queue_url(logical_id))
            .attribute_names(A::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetQueueAttributes: {}", e.into_service_error()));
        out.attributes
            .unwrap_or_default()
            .get(&A::ApproximateNumberOfMessagesDelayed)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Every email moto's SES recorded (`SendEmail` and `SendRawEmail`), as its state store
    /// shows them: shared by the tests of one process, so filter by recipient or subject.
    pub async fn sent_emails(&self) -> Vec<serde_json::Value> {
        let url = format!("{}/moto-api/data.json", self.env["AWS_ENDPOINT_URL_SES"]);
        let data: serde_json::Value = reqwest::get(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let ses = &data["ses"];
        ["Message", "RawMessage"]
            .iter()
            .flat_map(|kind| ses[*kind].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// The environment template.yaml gives the function built from `binary`, resolved
    /// against this test's resources: to build its `Deps` directly in a test.
    pub fn function_env(&self, binary: &str) -> HashMap<String, String> {
        let resolver = crate::resolve::Resolver {
            template: &self.template,
            parameters: &self.parameters,
            provisioned: &self.provisioned,
        };
        let def = self
            .template
            .functions
            .iter()
            .find(|f| f.binary == binary)
            .unwrap_or_else(|| panic!("no function {binary} in template.yaml"));
        crate::function_env(def, &resolver, &self.env, &self.iam)
            .unwrap_or_else(|e| panic!("{binary}: {e}"))
    }

    /// Number of items in a table (a Scan: fine in a test, never on a request path).
    pub async fn count_items(&self, logical_id: &str) -> usize {
        let out = self
            .clients
            .dynamodb
            .scan()
            .table_name(self.table(logical_id))
            .send()
            .await
            .unwrap_or_else(|e| panic!("Scan: {}", e.into_service_error()));
        out.items.unwrap_or_default().len()
    }
}

/// Creates this test's tables and queues from template.yaml.
pub async fn resources() -> TestResources {
    resources_from(template()).await
}

pub async fn resources_from(template: Template) -> TestResources {
    resources_with(template, &[]).await
}

/// With some template parameters set for this test alone (over infra/local-parameters.json).
pub async fn resources_with(template: Template, overrides: &[(&str, &str)]) -> TestResources {
    let env = env();
    let clients = crate::clients(&env).await;
    let mut parameters = parameters(&template);
    for (name, value) in overrides {
        parameters.insert(name.to_string(), value.to_string());
    }
    let prefix = unique_prefix();
    let provisioned = provision(
        &template,
        &parameters,
        &secrets(),
        &clients,
        &prefix,
        crate::REGION,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    TestResources {
        env,
        clients,
        provisioned,
        template,
        parameters,
        iam: iam(),
    }
}
