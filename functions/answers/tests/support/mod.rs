//! What the answers function's tests share: a source of any platform with its login, a
//! contribution under it, answers to it, and the function run on one job, all against the
//! local stack (DynamoDB Local, moto's SQS and SES through the real SDK), with the platforms'
//! API hosts pointed at doubles.

#![allow(dead_code)] // each test binary uses its part

use std::collections::HashMap;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use liaison_stack::harness::{self, TestResources};
use serde_json::Value;
use shared::contracts::answers::{
    Answer, AnswerStore, Channel, Created, Job, JobMessage, Tags, Target,
};
use shared::contracts::contributions::{Classification, ContributionRecord, ContributionStore};
use shared::contracts::events::{
    Author, Contribution, ContributionAction, ContributionKind, ModerationState,
};
use shared::contracts::moderation::{Decision, Moderation};
use shared::contracts::rules::Label;
use shared::contracts::sources::{Platform, SigningSecret, Source, SourceStore, KIND};
use shared::kit::clock::Clock;

/// The source and the contribution a test answers.
pub struct Seed {
    pub platform: Platform,
    pub settings: Vec<(&'static str, Value)>,
    pub credentials: Vec<(&'static str, String)>,
    /// The platform's id of the contribution.
    pub external_id: String,
    /// Its post, topic, video or media.
    pub thread_id: Option<String>,
    /// Its author's platform id, and email address.
    pub author_id: Option<String>,
    pub author_email: Option<String>,
    pub written_at: DateTime<Utc>,
    /// The decision current on it, for moderation jobs.
    pub moderation: Option<Moderation>,
}

impl Seed {
    /// The login `base`, with `over` replacing or adding credentials (a test's variation:
    /// an expired token, a revoked refresh token).
    pub fn login(&mut self, base: &[(&'static str, &str)], over: &[(&'static str, &str)]) {
        self.credentials = base.iter().map(|(n, v)| (*n, v.to_string())).collect();
        for (name, value) in over {
            self.credentials.retain(|(n, _)| n != name);
            self.credentials.push((name, value.to_string()));
        }
    }

    pub fn new(platform: Platform, external_id: &str) -> Self {
        Seed {
            platform,
            settings: vec![],
            credentials: vec![],
            external_id: external_id.into(),
            thread_id: None,
            author_id: None,
            author_email: None,
            written_at: Utc::now(),
            moderation: None,
        }
    }
}

pub struct Fixture {
    pub resources: TestResources,
    pub deps: ::answers::Deps,
    pub store: AnswerStore,
    pub sources: SourceStore,
    pub contribution_id: String,
    pub source_id: String,
    pub target: Target,
}

/// Seeds `seed` and builds the function's dependencies from its template environment, with
/// `env` over it (the doubles' API hosts: `META_GRAPH_API_BASE`, `X_API_BASE`, ...).
pub async fn fixture(seed: Seed, env: &[(&str, String)]) -> Fixture {
    let resources = harness::resources().await;
    let db = resources.clients.dynamodb.clone();
    let now = Utc::now();
    let unique = format!("{}{}", now.timestamp_micros(), rand_suffix());
    let source_id = format!("src_{unique}");
    let source = Source {
        id: source_id.clone(),
        platform: seed.platform,
        name: "Brand".into(),
        created_at: now,
        secrets: vec![SigningSecret {
            value: "s3cret-s3cret".into(),
            created_at: now,
            expires_at: None,
        }],
        settings: seed
            .settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        credentials: shared::contracts::sources::Credentials(
            seed.credentials
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    };
    let sources = resources.sources();
    sources.create(&source).await.expect("source stored");
    let contribution_id = format!("evt_{unique}");
    let record = ContributionRecord {
        id: contribution_id.clone(),
        source_id: source_id.clone(),
        platform: seed.platform,
        received_at: now,
        classified_at: now,
        contact_id: None,
        classification: Classification {
            label: Label::Incident,
            confidence: 0.9,
            cues: vec![],
            source: Default::default(),
        },
        tags: vec![],
        rules: vec![],
        moderation_status: seed
            .moderation
            .as_ref()
            .map(|m| m.decision.as_str().to_string()),
        moderation: seed.moderation.clone(),
        contribution: Contribution {
            action: ContributionAction::Created,
            kind: ContributionKind::Comment,
            external_id: seed.external_id.clone(),
            thread_id: seed.thread_id.clone(),
            thread_title: Some("Our new kettle".into()),
            parent_id: None,
            permalink: None,
            author: Author {
                email: seed.author_email.clone(),
                platform_user_id: seed.author_id.clone(),
                ..Author::default()
            },
            text: "My kettle leaks".into(),
            language: None,
            created_at: seed.written_at,
            updated_at: None,
            moderation: ModerationState::Pending,
            rating: None,
        },
        correction: None,
        author_type: None,
    };
    ContributionStore::new(
        db.clone(),
        resources.table("ContributionsTable"),
        resources.table("ReportsTable"),
    )
    .record(&record)
    .await
    .expect("contribution stored");
    let mut function_env: HashMap<String, String> = resources.function_env("answers");
    for (name, value) in env {
        function_env.insert(name.to_string(), value.clone());
    }
    let deps = ::answers::Deps::from_env(&function_env, Clock::system())
        .await
        .expect("answers deps");
    let store = AnswerStore {
        client: db,
        table: resources.table("AnswersTable"),
        reports_table: resources.table("ReportsTable"),
        cases_table: resources.table("CasesTable"),
    };
    let target = Target {
        source_id: source_id.clone(),
        platform: seed.platform,
        external_id: seed.external_id,
        thread_id: seed.thread_id,
        author_id: seed.author_id,
        written_at: seed.written_at,
    };
    Fixture {
        resources,
        deps,
        store,
        sources,
        contribution_id,
        source_id,
        target,
    }
}

fn rand_suffix() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

impl Fixture {
    /// Stores a `queued` answer by `channel` with `text` and `tags`, as the staff API would
    /// (a private reply takes the comment's one private reply); `None` when it was taken.
    pub async fn write(&self, channel: Channel, text: &str, tags: Tags) -> Option<Answer> {
        let now = Utc::now();
        let answer = Answer {
            text: text.to_string(),
            tags,
            author: "agent-1".into(),
            ..Answer::queued(
                format!("ans_{}{}", now.timestamp_micros(), rand_suffix()),
                self.contribution_id.clone(),
                channel,
                self.target.clone(),
                now,
            )
        };
        let once = channel == Channel::PrivateMessage;
        match self
            .store
            .create(&answer, once)
            .await
            .expect("answer stored")
        {
            Created::New => Some(answer),
            Created::PrivateReplyTaken => None,
        }
    }

    /// [`Fixture::write`] with a plain text and no tags.
    pub async fn answer(&self, channel: Channel) -> Answer {
        self.write(
            channel,
            "We are sorry: a new kettle is on its way.",
            Tags::default(),
        )
        .await
        .expect("not a second private reply")
    }

    /// Runs the function on one job; the number of records it gave back to the queue.
    pub async fn run(&self, job: Job) -> usize {
        let mut record = SqsMessage::default();
        record.message_id = Some("m-1".into());
        record.body = Some(serde_json::to_string(&JobMessage::new(job)).expect("job"));
        let mut event = SqsEvent::default();
        event.records = vec![record];
        ::answers::handle(&self.deps, event)
            .await
            .batch_item_failures
            .len()
    }

    /// Runs the answer's job; what the function gave back, and the answer as stored after.
    pub async fn publish(&self, answer: &Answer) -> (usize, Answer) {
        let failures = self
            .run(Job::Answer {
                contribution_id: answer.contribution_id.clone(),
                answer_id: answer.id.clone(),
            })
            .await;
        (failures, self.stored(answer).await)
    }

    pub async fn stored(&self, answer: &Answer) -> Answer {
        self.store
            .get(&answer.contribution_id, &answer.id)
            .await
            .expect("answer read")
            .expect("answer exists")
    }

    /// Runs the moderation job of the decision current on the contribution.
    pub async fn moderate(&self, decided_at: DateTime<Utc>, decision: Decision) -> usize {
        self.run(Job::Moderate {
            contribution_id: self.contribution_id.clone(),
            source_id: self.source_id.clone(),
            external_id: self.target.external_id.clone(),
            decision,
            decided_at,
        })
        .await
    }

    /// The source as stored now (refreshed tokens, for one).
    pub async fn source(&self) -> Source {
        self.sources
            .get(&self.source_id)
            .await
            .expect("source read")
            .expect("source exists")
    }
}

/// A decision taken a minute ago by an agent, to seed as the current one.
pub fn decided(decision: Decision) -> Moderation {
    Moderation {
        decision,
        reasons: vec![],
        decided_at: Utc::now() - chrono::Duration::minutes(1),
        decided_by: "agent".into(),
    }
}
