//! ReferralsFunction (SQS `referrals`, partial batch failures): whom a customer could
//! invite, ranked by affinity, never intrusive.
//!
//! - A `social.connected` part (ingest splits a connection list into parts of at most 400)
//!   ties the customer to a contact, matches each connection to a known contact by its
//!   platform account or handle, stores the edges minimally ([`graph`]), and ranks this
//!   part's connections ([`rank`], pure) with what the brand knows of them ([`facts`]), their
//!   mutual connections in the brand's graph, and the rules spanning referrers (cooldown,
//!   fatigue). New suggestions join the customer's ([`suggestions`]) up to K a week. The work
//!   is incremental: a part ranks its own connections, never the whole list again.
//! - A `social.disconnected` forgets the account's edges at once.
//! - Liaison never writes to a candidate: the customer is shown the suggestion and shares
//!   their own referral link ([`api`] serves the suggestions to the site and to staff).
//! - Every order comes on from the carts function: [`attribution`] makes it a referral
//!   conversion when it carries a code or answers an invitation, with a pending reward,
//!   flagged by [`fraud`] rules ([`conversions`] keeps them).

pub mod api;
pub mod attribution;
pub mod conversions;
pub mod facts;
pub mod fraud;
pub mod graph;
pub mod rank;
pub mod suggestions;

use std::collections::HashMap;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::contracts::contacts::identity::{Identity, IdentityKind};
use shared::contracts::contacts::{ContactStore, Provenance};
use shared::contracts::events::{
    CommerceEvent, Connected, Disconnected, Event, Message, SiteCustomer, SocialEvent,
};
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::kit::http::{Request, Response};
use shared::Error;

use graph::{account_key, Graph};
use rank::{Candidate, Policy};
use suggestions::Suggestions;

pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub contacts: ContactStore,
    pub contacts_table: String,
    pub connections_table: String,
    pub suggestions_table: String,
    pub suppression_table: String,
    pub carts_table: String,
    pub contributions_table: String,
    pub referrals_table: String,
    pub hash_key: Vec<u8>,
    pub policy: Policy,
    pub terms: attribution::Terms,
    pub groups_claim: String,
    pub public_base_url: Option<String>,
    pub dead_letters: DeadLetters,
    /// What the brand's endpoints are told: `referral.converted`.
    pub events: shared::contracts::deliveries::EventQueue,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        let dynamodb = shared::kit::aws::dynamodb(&sdk, env);
        let hash_key = shared::contracts::secrets::lookup_key(&sdk, env).await?;
        let contacts_table = config::required(env, "CONTACTS_TABLE")?;
        let policy = Policy {
            per_week: config::parsed_or(env, "REFERRALS_PER_WEEK", 5)?,
            ..Policy::default()
        };
        Ok(Deps {
            contacts: ContactStore::new(dynamodb.clone(), contacts_table.clone(), hash_key.clone()),
            contacts_table,
            connections_table: config::required(env, "CONNECTIONS_TABLE")?,
            suggestions_table: config::required(env, "SUGGESTIONS_TABLE")?,
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            carts_table: config::required(env, "CARTS_TABLE")?,
            contributions_table: config::required(env, "CONTRIBUTIONS_TABLE")?,
            referrals_table: config::required(env, "REFERRALS_TABLE")?,
            terms: attribution::Terms::from_env(env)?,
            groups_claim: env
                .var("JWT_GROUPS_CLAIM")
                .unwrap_or_else(|| "cognito:groups".into()),
            public_base_url: env.var("PUBLIC_BASE_URL"),
            dead_letters: DeadLetters::new(
                shared::kit::aws::sqs(&sdk, env),
                config::required(env, "REFERRALS_DLQ_URL")?,
            ),
            events: shared::contracts::deliveries::EventQueue {
                sqs: shared::kit::aws::sqs(&sdk, env),
                queue_url: config::required(env, "EVENTS_QUEUE_URL")?,
            },
            hash_key,
            policy,
            dynamodb,
            clock,
        })
    }

    fn graph(&self) -> Graph<'_> {
        Graph {
            client: &self.dynamodb,
            table: &self.connections_table,
        }
    }

    fn suggestions(&self) -> Suggestions<'_> {
        Suggestions {
            client: &self.dynamodb,
            table: &self.suggestions_table,
        }
    }

    fn conversions(&self) -> conversions::Conversions<'_> {
        conversions::Conversions {
            client: &self.dynamodb,
            table: &self.referrals_table,
        }
    }

    fn facts(&self) -> facts::Facts<'_> {
        facts::Facts {
            client: &self.dynamodb,
            contacts_table: &self.contacts_table,
            suppression_table: &self.suppression_table,
            carts_table: &self.carts_table,
            contributions_table: &self.contributions_table,
        }
    }
}

/// What invokes the function: its queue, or API Gateway (the suggestions API).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Invocation {
    Queue(SqsEvent),
    Http(Box<Request>),
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum Output {
    Queue(SqsBatchResponse),
    Http(Box<Response>),
}

pub async fn handle(deps: &Deps, invocation: Invocation) -> Output {
    match invocation {
        Invocation::Queue(event) => Output::Queue(handle_queue(deps, event).await),
        Invocation::Http(req) => Output::Http(Box::new(api::handle(deps, *req).await)),
    }
}

/// One batch of the referrals queue.
pub async fn handle_queue(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    batch::process(event, &deps.dead_letters, |record| process(deps, record)).await
}

async fn process(deps: &Deps, record: SqsMessage) -> Result<(), RecordError> {
    let message = Message::decode(record.body.as_deref().unwrap_or_default())?;
    match &message.event {
        Event::Social(SocialEvent::Connected(connected)) => {
            connect(deps, &message, connected).await?
        }
        Event::Social(SocialEvent::Disconnected(gone)) => disconnect(deps, &message, gone).await?,
        // Orders come on from the carts function, for attribution.
        Event::Commerce(CommerceEvent::Order(order)) => {
            attribution::order(deps, &message, order).await?
        }
        _ => {
            return Err(RecordError::reject(format!(
                "event {} is neither a social event nor an order",
                message.id
            )))
        }
    }
    Ok(())
}

/// The contact the site's customer is (the site authenticated them: their identities are
/// verified), with their social account linked.
async fn customer_contact(
    deps: &Deps,
    message: &Message,
    customer: &SiteCustomer,
    platform: &str,
    account_id: &str,
) -> Result<String, RecordError> {
    let mut identities = shared::contracts::contacts::identity::of_customer(
        customer.email.as_deref(),
        customer.id.as_deref(),
        message.platform.as_str(),
        true,
    );
    // In the namespace connections are matched in, so this customer is recognised when
    // they appear in another customer's list (an Instagram account is a `meta:` identity).
    identities.push(Identity {
        kind: IdentityKind::Account,
        value: format!("{}:{account_id}", identity_namespace(platform)),
        verified: true,
    });
    let provenance = Provenance {
        event_id: message.id.clone(),
        source_id: message.source_id.clone(),
        platform: message.platform.as_str().to_string(),
    };
    deps.contacts
        .resolve(&identities, &provenance, deps.clock.now())
        .await?
        .ok_or_else(|| RecordError::reject(format!("event {}: no customer identity", message.id)))
}

/// Where a social platform's people are known in Liaison: Instagram and Facebook users
/// arrive through the Meta connector, so their identities are `meta:`.
pub fn identity_namespace(social_platform: &str) -> &str {
    match social_platform {
        "instagram" | "facebook" | "threads" => "meta",
        other => other,
    }
}

/// The known contact behind each connection (same order), by account, then by handle.
async fn known_contacts(
    deps: &Deps,
    platform: &str,
    connected: &Connected,
) -> Result<Vec<Option<String>>, Error> {
    let platform = identity_namespace(platform);
    let mut out = Vec::with_capacity(connected.connections.len());
    // Two lookups a connection, 100 keys a BatchGetItem.
    for chunk in connected.connections.chunks(50) {
        let identities: Vec<Identity> = chunk
            .iter()
            .flat_map(|c| {
                let handle = c
                    .handle
                    .as_deref()
                    .and_then(|h| shared::contracts::lookup::normalise_handle(platform, h))
                    .unwrap_or_default();
                [
                    Identity {
                        kind: IdentityKind::Account,
                        value: format!("{platform}:{}", c.id),
                        verified: false,
                    },
                    Identity {
                        kind: IdentityKind::Handle,
                        value: handle,
                        verified: false,
                    },
                ]
            })
            .collect();
        let found = deps.contacts.lookup(&identities).await?;
        for (i, c) in chunk.iter().enumerate() {
            let by_account = found.get(2 * i).cloned().flatten();
            let by_handle = c
                .handle
                .as_ref()
                .and_then(|_| found.get(2 * i + 1).cloned().flatten());
            out.push(by_account.or(by_handle).map(|k| k.contact_id));
        }
    }
    Ok(out)
}

async fn connect(deps: &Deps, message: &Message, connected: &Connected) -> Result<(), RecordError> {
    let now = deps.clock.now();
    let platform = connected.account.platform.as_str();
    let customer = customer_contact(
        deps,
        message,
        &connected.customer,
        platform,
        &connected.account.id,
    )
    .await?;
    let account = account_key(&deps.hash_key, platform, &connected.account.id);
    let known = known_contacts(deps, platform, connected).await?;
    let edges: Vec<(
        String,
        &shared::contracts::events::Connection,
        Option<String>,
    )> = connected
        .connections
        .iter()
        .zip(known)
        .map(|(c, contact)| (account_key(&deps.hash_key, platform, &c.id), c, contact))
        // A connection that is the customer themself (another of their accounts) is no one
        // to invite.
        .filter(|(_, _, contact)| contact.as_deref() != Some(customer.as_str()))
        .collect();
    let graph = deps.graph();
    graph
        .put_edges(&customer, &account, platform, &edges, now)
        .await?;
    let part = format!("{}/{}", connected.chunk.index, connected.part.index);
    graph
        .count_part(&customer, &account, &part, edges.len())
        .await?;

    let candidates = candidates(deps, &customer, &edges, now).await?;
    let store = deps.suggestions();
    let stored = store.of(&customer).await?;
    let already: std::collections::HashSet<&str> =
        stored.iter().map(|s| s.candidate.as_str()).collect();
    let fresh: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| !already.contains(c.key.as_str()))
        .collect();
    let ranked = rank::rank(
        &customer,
        &fresh,
        suggestions::this_week(&stored, now),
        &deps.policy,
        now,
    );
    let mut added = 0;
    for suggestion in &ranked {
        let code = shared::kit::ids::new_id("r")?;
        if store.add(&customer, suggestion, &code, now).await? {
            added += 1;
        }
    }
    // Ids and counts only: never a handle or a name.
    tracing::info!(
        event_id = %message.id,
        contact_id = %customer,
        connections = edges.len(),
        considered = fresh.len(),
        suggested = added,
        "connections ranked"
    );
    Ok(())
}

/// This part's connections as ranking reads them: what the brand knows of those who are
/// contacts, mutual connections in the brand's graph (Adamic–Adar degrees), and the
/// history spanning referrers.
async fn candidates(
    deps: &Deps,
    customer: &str,
    edges: &[(
        String,
        &shared::contracts::events::Connection,
        Option<String>,
    )],
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>, Error> {
    let graph = deps.graph();
    let store = deps.suggestions();
    let facts = deps.facts();
    let fatigue_start = now - Duration::days(deps.policy.fatigue_days.max(0));
    let mut degrees: HashMap<(String, String), Option<u32>> = HashMap::new();
    let mut out = Vec::with_capacity(edges.len());
    // Where the customer spoke, read once a part: the interactions with each candidate.
    let customer_thread = match edges.iter().any(|(_, _, contact)| contact.is_some()) {
        true => facts.thread(customer).await?,
        false => facts::Thread::default(),
    };
    for (key, connection, contact) in edges {
        let (known, interactions) = match contact {
            Some(id) => match facts.known(id, now).await? {
                Some((known, thread)) => {
                    (Some(known), facts::interactions(&customer_thread, &thread))
                }
                None => (None, 0),
            },
            None => (None, 0),
        };
        let mut mutual_degrees = Vec::new();
        for (referrer, their_account) in graph.referrers_of(key).await? {
            if referrer == customer {
                continue;
            }
            // A mutual connection: another customer connected to the candidate, whom the
            // customer is connected to as well.
            if !graph.has_edge(customer, &their_account).await? {
                continue;
            }
            let entry = (referrer.clone(), their_account.clone());
            let degree = match degrees.get(&entry) {
                Some(d) => *d,
                None => {
                    let d = graph.degree(&referrer, &their_account).await?;
                    degrees.insert(entry, d);
                    d
                }
            };
            mutual_degrees.push(degree.unwrap_or(2));
        }
        let history = store.history(key, fatigue_start).await?;
        out.push(Candidate {
            key: key.clone(),
            handle: connection.handle.clone(),
            name: connection.name.clone(),
            relation: connection.relation,
            strength: connection.strength,
            contact: known,
            mutual_degrees,
            interactions,
            last_suggested_at: history.last_suggested_at,
            recent_referrers: history.recent_referrers,
        });
    }
    Ok(out)
}

async fn disconnect(
    deps: &Deps,
    message: &Message,
    gone: &Disconnected,
) -> Result<(), RecordError> {
    let platform = gone.account.platform.as_str();
    let customer =
        customer_contact(deps, message, &gone.customer, platform, &gone.account.id).await?;
    let account = account_key(&deps.hash_key, platform, &gone.account.id);
    let forgotten = deps.graph().forget(&customer, &account).await?;
    tracing::info!(event_id = %message.id, contact_id = %customer, forgotten, "account disconnected");
    Ok(())
}
