//! IdentifyFunction (SQS `contributions`, partial batch failures): who wrote a contribution,
//! what it is, moderation, routing, scores.
//!
//! Built so far: every contribution's author is resolved to a contact (`identity`,
//! `contacts`: keyed-hash lookups, a new prospect for unknown identities, merge candidates
//! instead of automatic merges), the contribution is classified (`classify`: label,
//! confidence, cues) and recorded once in `ContributionsTable` with its contact.
//! Verification emails, moderation, routing and scores build on this next.
//!
//! A `handoff` message is what the brand's helpdesk says back (a Zendesk ticket solved):
//! [`handoffs`] applies it to its case.
//!
//! A message of an unknown version or an invalid body goes to the dead-letter queue with
//! its reason, without failing its batch; a DynamoDB failure is retried by SQS.

pub mod audience;
pub mod cases;
pub mod classify;
pub mod handoffs;
pub mod hosted;
pub mod learning;
// The contacts table's home is shared (carts and referrals resolve contacts too).
pub use shared::contracts::contacts::{self, identity, scores};
// So is the contributions table's (admin and referrals read it).
pub use shared::contracts::contributions as store;
pub mod moderation;
pub mod order_news;
pub mod routing;
pub mod rules;
pub mod settings;
pub mod types;
pub mod verification;

#[cfg(test)]
mod test_support;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::events::{Event, Message};
use shared::contracts::moderation::{CallbackQueue, Decided};
use shared::contracts::sources::SourceStore;
use shared::kit::batch::{self, DeadLetters, RecordError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::Error;

use cases::{Routing, Subject};
use classify::{Classification, Input};
use contacts::{ContactStore, Provenance};
use routing::Route;
use rules::RuleBook;
use store::{ContributionRecord, ContributionStore, Recorded};
use verification::Verifier;

pub struct Deps {
    pub contributions: ContributionStore,
    /// The way back from a CRM's deal to its opportunity (`DeliveriesTable`'s links).
    pub links: shared::contracts::deliveries::links::Links,
    /// Where the brand's own published answers are known by their platform id.
    pub answers: shared::contracts::answers::AnswerStore,
    pub callbacks: CallbackQueue,
    pub rules: RuleBook,
    /// The brand's word model, from its staff's corrections.
    pub learning: learning::Learning,
    /// The hosted model (Amazon Bedrock), where the brand turned it on.
    pub hosted: hosted::Hosted,
    pub contacts: ContactStore,
    /// Who said START or STOP to order news.
    pub order_news: shared::contracts::contacts::order_news::OrderNews,
    pub routing: Routing,
    /// The brand's programme lists, which propose contact types (`types`).
    pub programmes: types::Programmes,
    pub verifier: Verifier,
    pub dead_letters: DeadLetters,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let sdk = shared::kit::aws::sdk_config(env).await;
        Self::with_sdk(env, &sdk, clock).await
    }

    /// With an sdk configuration of the caller's (tests inject faults through it).
    pub async fn with_sdk(
        env: &dyn Env,
        sdk: &shared::kit::aws::SdkConfig,
        clock: Clock,
    ) -> Result<Self, Error> {
        let table = config::required(env, "CONTRIBUTIONS_TABLE")?;
        let dlq = config::required(env, "CONTRIBUTIONS_DLQ_URL")?;
        let contacts_table = config::required(env, "CONTACTS_TABLE")?;
        let secrets = shared::contracts::secrets::Secrets::load(sdk, env).await?;
        let hash_key = secrets.lookup_key()?;
        let dynamodb = shared::kit::aws::dynamodb(sdk, env);
        let outbox = shared::contracts::plain_email::Outbox {
            ses: shared::kit::aws::ses(sdk, env),
            sender: config::required(env, "SENDER_EMAIL")?,
            configuration_set: config::required(env, "SES_CONFIGURATION_SET")?,
        };
        let routing = Routing {
            dynamodb: dynamodb.clone(),
            outbox: outbox.clone(),
            cases_table: config::required(env, "CASES_TABLE")?,
            opportunities_table: config::required(env, "OPPORTUNITIES_TABLE")?,
            questions_table: config::required(env, "QUESTIONS_TABLE")?,
            events: shared::contracts::deliveries::EventQueue {
                sqs: shared::kit::aws::sqs(sdk, env),
                queue_url: config::required(env, "EVENTS_QUEUE_URL")?,
            },
            support_address: config::required(env, "SUPPORT_ALERT_EMAIL")?,
        };
        let settings_ttl =
            std::time::Duration::from_secs(config::parsed_or(env, "SETTINGS_CACHE_SECONDS", 60)?);
        let link_base = config::link_base(env)?;
        let verifier = Verifier {
            dynamodb: dynamodb.clone(),
            outbox,
            contacts_table: contacts_table.clone(),
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            link_base,
            link_keys: secrets.link_keys()?,
            hash_key: hash_key.clone(),
            emails_table: config::required(env, "EMAILS_TABLE")?,
            per_source_per_hour: config::parsed_or(env, "VERIFICATIONS_PER_SOURCE_PER_HOUR", 20)?,
            templates: verification::TemplateBook::new(
                dynamodb.clone(),
                config::required(env, "SETTINGS_TABLE")?,
                settings_ttl,
            ),
        };
        let contributions = ContributionStore::new(
            dynamodb.clone(),
            table,
            config::required(env, "REPORTS_TABLE")?,
        );
        Ok(Deps {
            links: shared::contracts::deliveries::links::Links {
                client: dynamodb.clone(),
                table: config::required(env, "DELIVERIES_TABLE")?,
            },
            answers: shared::contracts::answers::AnswerStore {
                client: dynamodb.clone(),
                table: config::required(env, "ANSWERS_TABLE")?,
                reports_table: config::required(env, "REPORTS_TABLE")?,
                cases_table: config::required(env, "CASES_TABLE")?,
            },
            verifier,
            routing,
            programmes: types::Programmes::new(
                dynamodb.clone(),
                config::required(env, "SETTINGS_TABLE")?,
                contacts_table.clone(),
                hash_key.clone(),
                settings_ttl,
            ),
            learning: learning::Learning::new(contributions.clone(), settings_ttl),
            hosted: hosted::Hosted::from_env(env, sdk, dynamodb.clone(), settings_ttl)?,
            contributions,
            callbacks: CallbackQueue {
                sqs: shared::kit::aws::sqs(sdk, env),
                queue_url: config::required(env, "MODERATION_CALLBACKS_QUEUE_URL")?,
                answers: shared::contracts::answers::JobQueue {
                    sqs: shared::kit::aws::sqs(sdk, env),
                    queue_url: config::required(env, "ANSWERS_QUEUE_URL")?,
                },
                sources: SourceStore::new(
                    dynamodb.clone(),
                    config::required(env, "SOURCES_TABLE")?,
                ),
            },
            rules: RuleBook::new(
                dynamodb.clone(),
                config::required(env, "SETTINGS_TABLE")?,
                settings_ttl,
            ),
            order_news: shared::contracts::contacts::order_news::OrderNews {
                client: dynamodb.clone(),
                table: contacts_table.clone(),
            },
            contacts: ContactStore::new(dynamodb, contacts_table, hash_key),
            dead_letters: DeadLetters::new(shared::kit::aws::sqs(sdk, env), dlq),
            clock,
        })
    }
}

pub async fn handle(deps: &Deps, event: SqsEvent) -> SqsBatchResponse {
    batch::process(event, &deps.dead_letters, |record| process(deps, record)).await
}

async fn process(deps: &Deps, record: SqsMessage) -> Result<(), RecordError> {
    let message = Message::decode(record.body.as_deref().unwrap_or_default())?;
    let contribution = match &message.event {
        Event::Contribution(contribution) => contribution,
        Event::Handoff(handoff) => return handoffs::apply(deps, &message, handoff).await,
        Event::AudienceMeasured(measured) => {
            return audience::apply(deps, &message, measured).await
        }
        _ => {
            return Err(RecordError::reject(format!(
                "event {} is not a contribution",
                message.id
            )))
        }
    };
    if is_own_answer(deps, &message, contribution).await? {
        return Ok(());
    }
    let identities =
        identity::identities(message.platform, &message.source_id, &contribution.author);
    let contact_id = resolve_author(deps, &message, &identities).await?;
    order_news::heard(deps, &message, contribution, contact_id.as_deref()).await?;
    // A deletion is recorded (the timeline shows it) but asks nothing of anyone: no
    // confirmation email, no case (routing), no moderation decision.
    let deleted = contribution.action == shared::contracts::events::ContributionAction::Deleted;
    let standing = match contact_id.as_deref() {
        Some(contact) => deps.contacts.standing(contact).await?,
        None => None,
    };
    if let Some(contact) = contact_id.as_deref() {
        tell_if_created(deps, &message, contact, standing.as_ref()).await?;
    }
    let influence = standing.as_ref().map_or(0.0, |s| s.influence);
    let folded = classify::text::fold(&contribution.text);
    let rule_book = deps.rules.current().await?;
    let ruled = rules::apply(
        &rule_book,
        &rules::Facts {
            text: &contribution.text,
            folded: &folded,
            platform: message.platform,
            influence,
        },
    );
    let classification = label_of(deps, contribution, &ruled).await?;
    let now = deps.clock.now();
    let heard = deps
        .programmes
        .consider(
            contact_id.as_deref(),
            standing.as_ref().map(|s| s.contact_type),
            message.platform,
            contribution,
            &identities,
            classification.label,
            now,
        )
        .await?;
    let subject = Subject {
        message: &message,
        contribution,
        contact_id: contact_id.as_deref(),
        contact_type: standing.as_ref().map(|s| s.contact_type),
        audience: heard.audience.as_ref(),
        tags: &ruled.tags,
        label: classification.label,
    };
    let author = routing::Writer {
        influence,
        reach: routing::reach(
            contribution,
            message.platform,
            standing.as_ref().map_or(0.0, |s| s.reach),
        ),
        journalist: subject.contact_type == Some(ContactType::Journalist),
        voice: heard.voice,
    };
    let route = routing::route(&classification, contribution, author, &ruled, now);
    // Where it goes, by id, before it goes there: derived, as the case's and the
    // opportunity's ids are.
    let routed = match &route {
        Route::Case { .. } => Some(cases::id_for(
            "case",
            &message.source_id,
            &contribution.external_id,
        )),
        Route::Opportunity => Some(cases::id_for(
            "opp",
            &message.source_id,
            &contribution.external_id,
        )),
        Route::Question { .. } => Some(cases::id_for(
            "qst",
            &message.source_id,
            &contribution.external_id,
        )),
        Route::Nothing => None,
    };
    // Dated when the contribution arrived, not now: every retry makes the same decision,
    // and so the same callback id.
    let moderation = match deleted {
        true => None,
        false => moderation::decide(contribution, &classification, message.received_at),
    };
    // Told first, so that the brand's systems number it before the case or the opportunity
    // it opens.
    deps.routing
        .events
        .publish(&classified(
            &message,
            contribution,
            &classification,
            &ruled.tags,
            contact_id.as_deref(),
            moderation.as_ref(),
            routed.as_deref(),
        ))
        .await?;
    match route {
        Route::Case { priority, due_at } => {
            deps.routing
                .open_case(&subject, &classification, priority, due_at, now)
                .await?;
        }
        Route::Opportunity => {
            deps.routing.open_opportunity(&subject, now).await?;
        }
        Route::Question {
            owner,
            priority,
            due_at,
        } => {
            deps.routing
                .open_question(&subject, owner, priority, due_at, now)
                .await?;
        }
        Route::Nothing => {}
    }
    if let Some(decision) = &moderation {
        tell_the_platform(deps, &message, contribution, decision).await?;
    }
    // Only a contribution the public can see, and not spam, asks its author to confirm the
    // address they typed: the brand's sender must not write to any address a stranger types
    // under a comment nobody will publish.
    if let (Some(contact), true) = (
        &contact_id,
        !deleted && worth_a_confirmation(contribution, &classification),
    ) {
        ask_to_verify(deps, contact, &message, contribution, &identities).await?;
    }
    // Recorded last: once it is there, every effect before it has happened.
    let recorded = deps
        .contributions
        .record(&ContributionRecord {
            id: message.id.clone(),
            source_id: message.source_id.clone(),
            platform: message.platform,
            received_at: message.received_at,
            classified_at: deps.clock.now(),
            contact_id: contact_id.clone(),
            author_type: standing.as_ref().map(|s| s.contact_type),
            classification: classification.clone(),
            tags: ruled.tags.clone(),
            rules: ruled.matched.clone(),
            moderation_status: moderation.as_ref().map(|m| m.decision.as_str().to_string()),
            moderation: moderation.clone(),
            contribution: contribution.clone(),
            correction: None,
        })
        .await?;
    if recorded == Recorded::New {
        shared::kit::metrics::count(
            "ContributionsClassified",
            1,
            &[("Label", classification.label.as_str())],
            now,
        );
    }
    // Scores count a contribution once: only when this delivery recorded it. They are not
    // worth a retry (which would skip them anyway): a failure is logged, the message is done.
    if let (Recorded::New, Some(contact)) = (recorded, contact_id.as_deref()) {
        if let Err(err) = deps
            .contacts
            .add_to_scores(
                contact,
                contacts::Scored {
                    kind: contribution.kind,
                    audience: &contribution.author.audience,
                    platform: message.platform,
                    praise: classification.label == shared::contracts::rules::Label::Praise,
                },
                now,
            )
            .await
        {
            tracing::warn!(event_id = %message.id, error = %err, "scores not updated");
        }
    }
    // Ids, the label and the confidence only: never the text, names or emails.
    tracing::info!(
        event_id = %message.id,
        source_id = %message.source_id,
        correlation_id = %message.correlation_id,
        contact_id = contact_id.as_deref().unwrap_or("-"),
        routed_to = routed.as_deref().unwrap_or("-"),
        moderation = moderation.as_ref().map_or("-", |m| m.decision.as_str()),
        label = classification.label.as_str(),
        confidence = classification.confidence,
        duplicate = recorded == Recorded::AlreadyThere,
        "contribution classified"
    );
    Ok(())
}

/// What a contribution is: the brand's rules first; then the built-in classifier with what
/// the brand's staff taught it (`learning`).
async fn label_of(
    deps: &Deps,
    contribution: &shared::contracts::events::Contribution,
    ruled: &rules::Outcome,
) -> Result<Classification, Error> {
    if let Some((label, rule_id)) = &ruled.label {
        return Ok(Classification {
            label: *label,
            confidence: 1.0,
            cues: vec![format!("rule:{rule_id}")],
            source: classify::LabelSource::Rule,
        });
    }
    let learned = deps.learning.current().await?;
    // The hosted model, where the brand turned it on; on any fall-back, the built-in.
    let rule_book = deps.rules.current().await?;
    let ask = hosted::Ask {
        text: &contribution.text,
        rating: contribution.rating,
        rules: &rule_book,
        examples: learned.few_shots(),
    };
    if let Some(hosted) = deps.hosted.classify(&ask, deps.clock.now()).await? {
        return Ok(hosted);
    }
    Ok(learned.classify(Input {
        text: &contribution.text,
        rating: contribution.rating,
    }))
}

/// `contribution.classified`: what it is, where, by whom, and what Liaison did with it.
fn classified(
    message: &Message,
    contribution: &shared::contracts::events::Contribution,
    classification: &Classification,
    tags: &[String],
    contact_id: Option<&str>,
    moderation: Option<&shared::contracts::moderation::Moderation>,
    routed_to: Option<&str>,
) -> shared::contracts::deliveries::Event {
    shared::contracts::deliveries::Event::new(
        shared::contracts::deliveries::EventType::ContributionClassified,
        &message.id,
        message.received_at,
        contact_id,
        serde_json::json!({
            "contribution": {
                "id": message.id,
                "source_id": message.source_id,
                "platform": message.platform.as_str(),
                "external_id": contribution.external_id,
                "kind": contribution.kind,
                "permalink": contribution.permalink,
                "text": contribution.text,
                "rating": contribution.rating,
                "created_at": contribution.created_at,
            },
            "author": cases::author_of(&contribution.author),
            "label": classification.label.as_str(),
            "confidence": classification.confidence,
            "tags": tags,
            "moderation": moderation.map(|m| m.decision.as_str()),
            "routed_to": routed_to,
        }),
    )
}

/// The contact the author's `identities` name (`ContactStore::resolve`).
async fn resolve_author(
    deps: &Deps,
    message: &Message,
    identities: &[identity::Identity],
) -> Result<Option<String>, Error> {
    let provenance = Provenance {
        event_id: message.id.clone(),
        source_id: message.source_id.clone(),
        platform: message.platform.as_str().to_string(),
    };
    deps.contacts
        .resolve(identities, &provenance, deps.clock.now())
        .await
}

/// Tells the brand's systems of a contact this event created (`contact.created`, ids only:
/// the profile is the brand's to read through admin). Known from the profile's `created_by`,
/// so that a redelivery after a lost answer tells it too, under the same event id.
async fn tell_if_created(
    deps: &Deps,
    message: &Message,
    contact_id: &str,
    standing: Option<&contacts::Standing>,
) -> Result<(), Error> {
    if standing.and_then(|s| s.created_by.as_deref()) != Some(message.id.as_str()) {
        return Ok(());
    }
    deps.routing
        .events
        .publish(&shared::contracts::deliveries::Event::new(
            shared::contracts::deliveries::EventType::ContactCreated,
            contact_id,
            message.received_at,
            Some(contact_id),
            serde_json::json!({ "contact": {
                "id": contact_id,
                "source_id": message.source_id,
                "platform": message.platform.as_str(),
                "event_id": message.id,
            }}),
        ))
        .await
}

/// Whether the platform sent back an answer Liaison published (the brand's reply under a
/// comment): it is linked to that answer and goes no further, neither a contribution nor a
/// case. Only a reply can be one, so only a reply costs the lookup.
async fn is_own_answer(
    deps: &Deps,
    message: &Message,
    contribution: &shared::contracts::events::Contribution,
) -> Result<bool, Error> {
    if contribution.parent_id.is_none() {
        return Ok(false);
    }
    let Some((answered, answer_id)) = deps
        .answers
        .published_as(&message.source_id, &contribution.external_id)
        .await?
    else {
        // The person answering the brand's answer: the case's conversation goes on.
        if let Some(parent) = contribution.parent_id.as_deref() {
            if let Some((answered, answer_id)) = deps
                .answers
                .published_as(&message.source_id, parent)
                .await?
            {
                deps.answers
                    .add_follow_up(&answered, &answer_id, &message.id, contribution.created_at)
                    .await?;
                tracing::info!(event_id = %message.id, answer_id, "a reply to the brand's answer; in its thread");
                return Ok(false);
            }
        }
        // The platform may tell of the brand's reply before the call that made it has
        // answered: while an answer under the same parent is being sent, this may be it,
        // so it comes back once that answer is recorded.
        if let Some(parent) = contribution.parent_id.as_deref() {
            let sent = deps
                .answers
                .last_sent_under(&message.source_id, parent)
                .await?;
            if sent.is_some_and(|a| a.state == shared::contracts::answers::State::Sending) {
                return Err(Error::Transient(
                    "an answer under the same parent is being published: this may be its echo"
                        .into(),
                ));
            }
        }
        return Ok(false);
    };
    let first = deps
        .answers
        .link_echo(&answered, &answer_id, &message.id)
        .await?;
    tracing::info!(event_id = %message.id, answer_id, first, "the platform echoed a published answer; linked");
    Ok(true)
}

/// Queues the moderation decision for the source's callback URL, if it has one. Before the
/// record: a retry after a failure queues it again, with the same webhook id.
async fn tell_the_platform(
    deps: &Deps,
    message: &Message,
    contribution: &shared::contracts::events::Contribution,
    moderation: &moderation::Moderation,
) -> Result<(), Error> {
    let decided = Decided {
        contribution_id: &message.id,
        source_id: &message.source_id,
        platform: message.platform.as_str(),
        external_id: &contribution.external_id,
        moderation,
    };
    if deps.callbacks.enqueue(&decided).await? {
        tracing::info!(event_id = %message.id, decision = moderation.decision.as_str(), "moderation callback queued");
    }
    Ok(())
}

/// Published on the platform and not spam. A held comment asks nothing, even one Liaison
/// approves: the decision may never be applied (a source without a callback), and the
/// author's next published comment asks anyway.
fn worth_a_confirmation(
    contribution: &shared::contracts::events::Contribution,
    classification: &Classification,
) -> bool {
    contribution.moderation == shared::contracts::events::ModerationState::Published
        && classification.label != classify::Label::Spam
}

/// An email typed under a contribution, not yet verified: ask its owner to confirm it
/// (at most once a week, never a suppressed address).
async fn ask_to_verify(
    deps: &Deps,
    contact_id: &str,
    message: &Message,
    contribution: &shared::contracts::events::Contribution,
    identities: &[identity::Identity],
) -> Result<(), Error> {
    let unverified_email = identities
        .iter()
        .find(|i| i.kind == identity::IdentityKind::Email && !i.verified);
    let Some(email) = unverified_email else {
        return Ok(());
    };
    let french = verification::looks_french(&contribution.text, contribution.language.as_deref());
    let asked = deps
        .verifier
        .ask(
            &message.id,
            &message.source_id,
            contact_id,
            email,
            contribution.author.name.as_deref(),
            french,
            deps.clock.now(),
        )
        .await?;
    tracing::info!(event_id = %message.id, contact_id, asked = ?asked, "email verification");
    Ok(())
}
