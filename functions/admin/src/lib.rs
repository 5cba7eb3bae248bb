//! AdminFunction: the staff API under `/admin`, behind API Gateway's JWT authorizer.
//! The function checks the caller's group for each route.

pub mod answers;
pub mod audiences;
pub mod callbacks;
pub mod campaigns;
pub mod classifier;
pub mod contacts;
pub mod corrections;
pub mod endpoints;
pub mod inbox_filters;
pub mod listing;
pub mod merge;
pub mod moderation;
pub mod platforms;
pub mod programmes;
pub mod reports;
pub mod response_times;
pub mod revenue;
pub mod rules;
pub mod sources;
pub mod stats;
pub mod templates;
pub mod work;

use audiences::Audiences;
use callbacks::Callbacks;
use campaigns::Campaigns;
use chrono::Duration;
use contacts::Contacts;
use moderation::ModerationDesk;
use reports::Reports;
use response_times::ResponseTimes;
use rules::Rules;
use shared::contracts::deliveries::{EventQueue, EventType};
use shared::contracts::ignored::IgnoredStore;
use shared::contracts::moderation::CallbackQueue;
use shared::contracts::received::ReceivedLog;
use shared::contracts::sources::SourceStore;
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::kit::http::{self, Request, Response};
use shared::Error;
use stats::Stats;
use templates::Templates;
use work::WorkItems;

use shared::kit::auth::{Caller, Group};

pub struct Deps {
    pub answers: answers::Answers,
    pub endpoints: endpoints::Endpoints,
    pub sources: SourceStore,
    pub ignored: IgnoredStore,
    pub received: ReceivedLog,
    pub contacts: Contacts,
    pub cases: WorkItems,
    pub opportunities: WorkItems,
    /// Questions, for customer service or marketing (their `owner`).
    pub questions: WorkItems,
    pub rules: Rules,
    pub moderation: ModerationDesk,
    pub corrections: corrections::Corrections,
    pub reports: Reports,
    pub response_times: ResponseTimes,
    pub revenue: revenue::Revenue,
    pub templates: Templates,
    pub campaigns: Campaigns,
    pub stats: Stats,
    pub audiences: Audiences,
    pub callbacks: Callbacks,
    /// The hosted classifier's setting and report.
    pub classifier: classifier::Classifier,
    /// The brand's programme lists (partners, affiliates, testers...).
    pub programmes: programmes::ProgrammeLists,
    pub groups_claim: String,
    pub rotation_grace: Duration,
    /// Set when a custom domain fronts the API; else the URL the request came in on.
    pub public_base_url: Option<String>,
    /// `OUTBOUND_ALLOW_PRIVATE`: staff may register loopback and plain-HTTP URLs (the local
    /// stack's platform doubles); never in AWS.
    pub allow_private_outbound: bool,
    pub clock: Clock,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let table = config::required(env, "SOURCES_TABLE")?;
        let ignored_table = config::required(env, "IGNORED_TABLE")?;
        let received_table = config::required(env, "RECEIVED_TABLE")?;
        let grace_seconds: i64 = config::parsed_or(env, "ROTATION_GRACE_SECONDS", 3600)?;
        let sdk = shared::kit::aws::sdk_config(env).await;
        let dynamodb = shared::kit::aws::dynamodb(&sdk, env);
        let secrets = shared::contracts::secrets::Secrets::load(&sdk, env).await?;
        let hash_key = secrets.lookup_key()?;
        let sealer = secrets.sealer()?;
        let deliveries_table = config::required(env, "DELIVERIES_TABLE")?;
        let events = EventQueue {
            sqs: shared::kit::aws::sqs(&sdk, env),
            queue_url: config::required(env, "EVENTS_QUEUE_URL")?,
        };
        let deliveries = endpoints::Deliveries {
            store: shared::contracts::deliveries::store::DeliveryStore {
                client: dynamodb.clone(),
                table: deliveries_table.clone(),
            },
            endpoints: shared::contracts::deliveries::endpoints::EndpointStore {
                client: dynamodb.clone(),
                table: deliveries_table,
                sealer: sealer.clone(),
            },
            events: events.clone(),
        };
        let contacts = Contacts {
            deliveries: deliveries.clone(),
            client: dynamodb.clone(),
            contacts_table: config::required(env, "CONTACTS_TABLE")?,
            contributions_table: config::required(env, "CONTRIBUTIONS_TABLE")?,
            cases_table: config::required(env, "CASES_TABLE")?,
            opportunities_table: config::required(env, "OPPORTUNITIES_TABLE")?,
            questions_table: config::required(env, "QUESTIONS_TABLE")?,
            emails_table: config::required(env, "EMAILS_TABLE")?,
            carts_table: config::required(env, "CARTS_TABLE")?,
            callbacks_table: config::required(env, "CALLBACKS_TABLE")?,
            answers_table: config::required(env, "ANSWERS_TABLE")?,
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            settings_table: config::required(env, "SETTINGS_TABLE")?,
            referrals: shared::contracts::referrals::erasure::ReferralData {
                client: dynamodb.clone(),
                connections_table: config::required(env, "CONNECTIONS_TABLE")?,
                suggestions_table: config::required(env, "SUGGESTIONS_TABLE")?,
                referrals_table: config::required(env, "REFERRALS_TABLE")?,
            },
            hash_key,
            clock: clock.clone(),
        };
        let corrections = corrections::Corrections {
            contributions: shared::contracts::contributions::ContributionStore::new(
                dynamodb.clone(),
                config::required(env, "CONTRIBUTIONS_TABLE")?,
                config::required(env, "REPORTS_TABLE")?,
            ),
            clock: clock.clone(),
        };
        let cases = WorkItems {
            client: dynamodb.clone(),
            table: config::required(env, "CASES_TABLE")?,
            order_by: "due_at",
            noun: "cases",
            singular: "case",
            events: events.clone(),
            updated: Some(EventType::CaseUpdated),
            closed: EventType::CaseClosed,
            by_owner: false,
            corrections: corrections.clone(),
            clock: clock.clone(),
        };
        let opportunities = WorkItems {
            client: dynamodb.clone(),
            table: config::required(env, "OPPORTUNITIES_TABLE")?,
            order_by: "opened_at",
            noun: "opportunities",
            singular: "opportunity",
            events: events.clone(),
            updated: None,
            closed: EventType::OpportunityClosed,
            by_owner: false,
            corrections: corrections.clone(),
            clock: clock.clone(),
        };
        let questions = WorkItems {
            client: dynamodb.clone(),
            table: config::required(env, "QUESTIONS_TABLE")?,
            order_by: "due_at",
            noun: "questions",
            singular: "question",
            events: events.clone(),
            updated: None,
            closed: EventType::QuestionClosed,
            by_owner: true,
            corrections: corrections.clone(),
            clock: clock.clone(),
        };
        let rules = Rules {
            client: dynamodb.clone(),
            table: config::required(env, "SETTINGS_TABLE")?,
            clock: clock.clone(),
        };
        let moderation = ModerationDesk {
            corrections: corrections.clone(),
            client: dynamodb.clone(),
            contributions_table: config::required(env, "CONTRIBUTIONS_TABLE")?,
            callbacks: CallbackQueue {
                sqs: shared::kit::aws::sqs(&sdk, env),
                queue_url: config::required(env, "MODERATION_CALLBACKS_QUEUE_URL")?,
                answers: shared::contracts::answers::JobQueue {
                    sqs: shared::kit::aws::sqs(&sdk, env),
                    queue_url: config::required(env, "ANSWERS_QUEUE_URL")?,
                },
                sources: SourceStore::new(dynamodb.clone(), table.clone())
                    .with_sealer(sealer.clone()),
            },
            clock: clock.clone(),
        };
        let response_times = ResponseTimes {
            client: dynamodb.clone(),
            cases_table: config::required(env, "CASES_TABLE")?,
            clock: clock.clone(),
        };
        let reports = Reports {
            client: dynamodb.clone(),
            table: config::required(env, "REPORTS_TABLE")?,
        };
        let templates = Templates {
            client: dynamodb.clone(),
            table: config::required(env, "SETTINGS_TABLE")?,
            clock: clock.clone(),
        };
        let campaign_store = shared::relaunch::campaigns::store::CampaignStore {
            client: dynamodb.clone(),
            table: config::required(env, "CAMPAIGNS_TABLE")?,
        };
        let stats = Stats {
            client: dynamodb.clone(),
            table: config::required(env, "STATS_TABLE")?,
            campaigns: campaign_store.clone(),
        };
        let revenue = revenue::Revenue {
            client: dynamodb.clone(),
            opportunities_table: config::required(env, "OPPORTUNITIES_TABLE")?,
            stats_table: config::required(env, "STATS_TABLE")?,
            referrals_table: config::required(env, "REFERRALS_TABLE")?,
            campaigns: campaign_store.clone(),
        };
        let audiences = Audiences {
            client: dynamodb.clone(),
            carts_table: config::required(env, "CARTS_TABLE")?,
            contacts_table: config::required(env, "CONTACTS_TABLE")?,
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            hash_key: contacts.hash_key.clone(),
            campaigns: campaign_store.clone(),
        };
        let callbacks = Callbacks {
            client: dynamodb.clone(),
            table: config::required(env, "CALLBACKS_TABLE")?,
            clock: clock.clone(),
        };
        let campaigns = Campaigns {
            store: campaign_store,
            carts_table: config::required(env, "CARTS_TABLE")?,
            clock: clock.clone(),
        };
        let answers = answers::Answers {
            store: shared::contracts::answers::AnswerStore {
                client: dynamodb.clone(),
                table: config::required(env, "ANSWERS_TABLE")?,
                reports_table: config::required(env, "REPORTS_TABLE")?,
                cases_table: config::required(env, "CASES_TABLE")?,
            },
            contributions: shared::contracts::contributions::ContributionStore::new(
                dynamodb.clone(),
                config::required(env, "CONTRIBUTIONS_TABLE")?,
                config::required(env, "REPORTS_TABLE")?,
            ),
            sources: SourceStore::new(dynamodb.clone(), table.clone()).with_sealer(sealer.clone()),
            client: dynamodb.clone(),
            cases_table: config::required(env, "CASES_TABLE")?,
            jobs: shared::contracts::answers::JobQueue {
                sqs: shared::kit::aws::sqs(&sdk, env),
                queue_url: config::required(env, "ANSWERS_QUEUE_URL")?,
            },
            clock: clock.clone(),
        };
        let endpoints = endpoints::Endpoints {
            store: deliveries.endpoints.clone(),
            deliveries: deliveries.store.clone(),
            events,
            lanes: shared::contracts::deliveries::LaneQueue {
                sqs: shared::kit::aws::sqs(&sdk, env),
                queue_url: config::required(env, "DELIVERIES_QUEUE_URL")?,
            },
            allow_private: shared::contracts::outbound::allow_private(env),
            clock: clock.clone(),
        };
        let classifier = classifier::Classifier {
            client: dynamodb.clone(),
            settings_table: config::required(env, "SETTINGS_TABLE")?,
            reports_table: config::required(env, "REPORTS_TABLE")?,
            model_id: config::required(env, "HOSTED_MODEL_ID")?,
            clock: clock.clone(),
        };
        let programmes = programmes::ProgrammeLists {
            client: dynamodb.clone(),
            settings_table: config::required(env, "SETTINGS_TABLE")?,
            hash_key: contacts.hash_key.clone(),
            clock: clock.clone(),
        };
        Ok(Deps {
            classifier,
            programmes,
            answers,
            endpoints,
            allow_private_outbound: shared::contracts::outbound::allow_private(env),
            campaigns,
            stats,
            audiences,
            callbacks,
            templates,
            contacts,
            cases,
            opportunities,
            questions,
            rules,
            moderation,
            corrections,
            reports,
            response_times,
            revenue,
            sources: SourceStore::new(dynamodb.clone(), table).with_sealer(sealer),
            ignored: IgnoredStore::new(dynamodb.clone(), ignored_table),
            received: ReceivedLog::new(dynamodb, received_table),
            groups_claim: env
                .var("JWT_GROUPS_CLAIM")
                .unwrap_or_else(|| "cognito:groups".into()),
            rotation_grace: Duration::seconds(grace_seconds),
            public_base_url: env.var("PUBLIC_BASE_URL"),
            clock,
        })
    }
}

pub async fn handle(deps: &Deps, req: Request) -> Response {
    http::respond(route(deps, &req).await, "admin")
}

async fn route(deps: &Deps, req: &Request) -> Result<Response, Error> {
    let caller = Caller::from_request(req, &deps.groups_claim)?;
    let route_key = req.route_key.clone().unwrap_or_default();
    let id = http::path_param(req, "id").unwrap_or_default().to_string();
    let param = |name| http::path_param(req, name).unwrap_or_default();
    match route_key.as_str() {
        "GET /admin/sources" => {
            caller.require(&[Group::Admin])?;
            sources::list(deps, req).await
        }
        "POST /admin/sources" => {
            caller.require(&[Group::Admin])?;
            sources::create(deps, req).await
        }
        "GET /admin/sources/{id}" => {
            caller.require(&[Group::Admin])?;
            sources::get(deps, req, &id).await
        }
        "DELETE /admin/sources/{id}" => {
            caller.require(&[Group::Admin])?;
            sources::delete(deps, &id).await
        }
        "POST /admin/sources/{id}/rotate" => {
            caller.require(&[Group::Admin])?;
            sources::rotate(deps, req, &id).await
        }
        "PUT /admin/sources/{id}/credentials" => {
            caller.require(&[Group::Admin])?;
            sources::update_access(deps, req, &id).await
        }
        "POST /admin/cases/{id}/answers" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.answers.answer_case(req, &id, &caller).await
        }
        "GET /admin/cases/{id}/answers" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.answers.case_thread(&id).await
        }
        "POST /admin/contributions/{id}/answers" => {
            caller.require(&[Group::Admin, Group::Support, Group::Sales])?;
            deps.answers.answer(req, &id, &caller).await
        }
        "POST /admin/contributions/{id}/label" => {
            caller.require(&[Group::Admin, Group::Support, Group::Sales])?;
            deps.corrections.relabel(req, &id, &caller).await
        }
        "GET /admin/contributions/{id}/answers" => {
            caller.require(&[Group::Admin, Group::Support, Group::Sales])?;
            deps.answers.thread(&id).await
        }
        "GET /admin/sources/{id}/ignored" => {
            caller.require(&[Group::Admin])?;
            sources::ignored(deps, req, &id).await
        }
        "GET /admin/sources/{id}/received" => {
            caller.require(&[Group::Admin])?;
            sources::received(deps, req, &id).await
        }
        "GET /admin/contacts" => {
            caller.require(&[Group::Admin, Group::Support, Group::Sales])?;
            deps.contacts.find(req).await
        }
        "GET /admin/contacts/{id}" => {
            caller.require(&[Group::Admin, Group::Support, Group::Sales])?;
            deps.contacts.show(req, &id).await
        }
        "PATCH /admin/contacts/{id}" => {
            caller.require(&[Group::Admin, Group::Support, Group::Sales])?;
            deps.contacts.set_type(req, &id, &caller).await
        }
        // A type detection proposed, dismissed (confirmed: PATCH with that type).
        "DELETE /admin/contacts/{id}/proposed-type" => {
            caller.require(&[Group::Admin, Group::Support, Group::Sales])?;
            deps.contacts.dismiss_proposed_type(&id).await
        }
        // Partner, affiliate, tester, press and association programmes: marketing runs them.
        "GET /admin/programmes" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.programmes.get().await
        }
        "PUT /admin/programmes" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.programmes.put(req, &caller).await
        }
        // Privacy rights: the administrators' call.
        "GET /admin/contacts/{id}/export" => {
            caller.require(&[Group::Admin])?;
            deps.contacts.export(req, &id).await
        }
        "POST /admin/contacts/{id}/merge" => {
            caller.require(&[Group::Admin])?;
            deps.contacts.merge(req, &id, &caller).await
        }
        "POST /admin/contacts/{id}/merges/{merge_id}/undo" => {
            caller.require(&[Group::Admin])?;
            let merge_id = http::path_param(req, "merge_id").unwrap_or_default();
            deps.contacts.undo_merge(&id, merge_id).await
        }
        "DELETE /admin/contacts/{id}" => {
            caller.require(&[Group::Admin])?;
            deps.contacts.erase(&id).await
        }
        "GET /admin/rules" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.rules.list().await
        }
        "POST /admin/rules" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.rules.create(req, &caller).await
        }
        "GET /admin/rules/{id}" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.rules.get(&id).await
        }
        "PUT /admin/rules/{id}" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.rules.replace(req, &id, &caller).await
        }
        "DELETE /admin/rules/{id}" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.rules.delete(&id).await
        }
        "GET /admin/moderation" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.moderation.list(req).await
        }
        "PUT /admin/moderation/{id}" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.moderation.decide(req, &id, &caller).await
        }
        // Relaunch campaigns: the marketers'.
        "GET /admin/campaigns" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.campaigns.list().await
        }
        "POST /admin/campaigns" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.campaigns.create(req, &caller).await
        }
        "GET /admin/campaigns/{id}" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.campaigns.get(&id).await
        }
        "PUT /admin/campaigns/{id}" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.campaigns.replace(req, &id, &caller).await
        }
        "DELETE /admin/campaigns/{id}" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.campaigns.delete(&id).await
        }
        "GET /admin/campaigns/{id}/stats" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.stats.get(&id).await
        }
        // Remarketing: the consenting people with an open cart, as hashed emails.
        "GET /admin/audiences/abandoned" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.audiences.abandoned(req).await
        }
        "POST /admin/campaigns/{id}/{action}" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            match param("action") {
                "preview" => deps.campaigns.preview(req, &id).await,
                "duplicate" => deps.campaigns.duplicate(&id, &caller).await,
                action @ ("schedule" | "pause" | "resume" | "end") => {
                    deps.campaigns.transition(&id, action, &caller).await
                }
                other => Err(Error::NotFound(format!("no campaign action {other}"))),
            }
        }
        // The wording of emails: marketers' and administrators'.
        "GET /admin/templates/{name}" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.templates.get(param("name")).await
        }
        "POST /admin/templates/{name}/preview" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.templates.preview(req, param("name")).await
        }
        "PUT /admin/templates/{name}/{language}" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.templates
                .put(req, param("name"), param("language"), &caller)
                .await
        }
        "DELETE /admin/templates/{name}/{language}" => {
            caller.require(&[Group::Admin, Group::Marketer])?;
            deps.templates
                .delete(param("name"), param("language"))
                .await
        }
        // Every staff member reads the reports.
        "GET /admin/reports/corrections" => {
            caller.require(&[Group::Admin, Group::Marketer, Group::Support, Group::Sales])?;
            deps.corrections.report().await
        }
        "GET /admin/reports/contributions" => {
            caller.require(&[Group::Admin, Group::Marketer, Group::Support, Group::Sales])?;
            deps.reports.contributions(req).await
        }
        "GET /admin/reports/answers" => {
            caller.require(&[Group::Admin, Group::Marketer, Group::Support, Group::Sales])?;
            deps.reports.answers(req).await
        }
        "GET /admin/reports/classifier" => {
            caller.require(&[Group::Admin, Group::Marketer, Group::Support, Group::Sales])?;
            deps.classifier.report(req).await
        }
        // Whether text leaves AWS for a hosted model, and at what cost: administrators'.
        "GET /admin/classifier" => {
            caller.require(&[Group::Admin])?;
            deps.classifier.get().await
        }
        "PUT /admin/classifier" => {
            caller.require(&[Group::Admin])?;
            deps.classifier.put(req, &caller).await
        }
        "GET /admin/reports/response-times" => {
            caller.require(&[Group::Admin, Group::Marketer, Group::Support, Group::Sales])?;
            deps.response_times.report(req).await
        }
        "GET /admin/reports/revenue" => {
            caller.require(&[Group::Admin, Group::Marketer, Group::Support, Group::Sales])?;
            let (from, to) = reports::range(req, revenue::MAX_DAYS)?;
            let cost = serde_json::json!({
                "answers_published": deps.reports.answers_published(from, to).await?,
                "cases": deps.response_times.between(from, to).await?,
            });
            deps.revenue.report(from, to, cost).await
        }
        // "Call me back" requests from relaunch emails: the sales team's.
        "GET /admin/callbacks" => {
            caller.require(&[Group::Admin, Group::Sales])?;
            deps.callbacks.list(req).await
        }
        "PATCH /admin/callbacks/{id}" => {
            caller.require(&[Group::Admin, Group::Sales])?;
            deps.callbacks.update(req, &id, &caller).await
        }
        "POST /admin/cases/{id}/close" => {
            caller.require(&[Group::Admin, Group::Support])?;
            deps.answers
                .close_case(req, &id, &caller, &deps.cases)
                .await
        }
        // Webhook endpoints receive personal data and hold secrets: administrators'.
        "GET /admin/endpoints" => {
            caller.require(&[Group::Admin])?;
            deps.endpoints.list().await
        }
        "POST /admin/endpoints" => {
            caller.require(&[Group::Admin])?;
            deps.endpoints.create(req).await
        }
        "GET /admin/endpoints/{id}" => {
            caller.require(&[Group::Admin])?;
            deps.endpoints.get(&id).await
        }
        "PATCH /admin/endpoints/{id}" => {
            caller.require(&[Group::Admin])?;
            deps.endpoints.change(req, &id).await
        }
        "DELETE /admin/endpoints/{id}" => {
            caller.require(&[Group::Admin])?;
            deps.endpoints.delete(&id).await
        }
        "GET /admin/endpoints/{id}/deliveries" => {
            caller.require(&[Group::Admin])?;
            deps.endpoints.deliveries(req, &id).await
        }
        "POST /admin/endpoints/{id}/{action}" => {
            caller.require(&[Group::Admin])?;
            match param("action") {
                "secret" => deps.endpoints.rotate(&id).await,
                "test" => deps.endpoints.test(&id).await,
                "replay" => deps.endpoints.replay(req, &id).await,
                other => Err(Error::NotFound(format!("no endpoint action {other}"))),
            }
        }
        "GET /admin/cases"
        | "GET /admin/cases/{id}"
        | "POST /admin/cases/{id}/assign"
        | "POST /admin/cases/{id}/notes" => {
            caller.require(&[Group::Admin, Group::Support])?;
            work(&deps.cases, &route_key, req, &id, &caller).await
        }
        "GET /admin/opportunities"
        | "GET /admin/opportunities/{id}"
        | "POST /admin/opportunities/{id}/assign"
        | "POST /admin/opportunities/{id}/notes"
        | "POST /admin/opportunities/{id}/close" => {
            caller.require(&[Group::Admin, Group::Sales])?;
            work(&deps.opportunities, &route_key, req, &id, &caller).await
        }
        // Questions: customer service's and marketing's (each lists its own with ?owner=).
        "GET /admin/questions"
        | "GET /admin/questions/{id}"
        | "POST /admin/questions/{id}/assign"
        | "POST /admin/questions/{id}/notes"
        | "POST /admin/questions/{id}/close" => {
            caller.require(&[Group::Admin, Group::Support, Group::Marketer])?;
            work(&deps.questions, &route_key, req, &id, &caller).await
        }
        "PATCH /admin/opportunities/{id}" => {
            caller.require(&[Group::Admin, Group::Sales])?;
            deps.opportunities.value(req, &id, &caller).await
        }
        _ => Err(Error::NotFound(format!("no admin route {route_key}"))),
    }
}

/// The five routes of a work table, by the last part of the route key.
async fn work(
    items: &WorkItems,
    route_key: &str,
    req: &Request,
    id: &str,
    caller: &Caller,
) -> Result<Response, Error> {
    match route_key.rsplit('/').next().unwrap_or_default() {
        "cases" | "opportunities" | "questions" => items.list(req).await,
        "{id}" => items.get(id).await,
        "assign" => items.assign(req, id, caller).await,
        "notes" => items.note(req, id, caller).await,
        _ => items.close(req, id, caller).await,
    }
}
