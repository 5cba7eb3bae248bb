//! TrackingFunction: the public links in Liaison's emails.
//!
//! - [`relaunch`]: clicks, unsubscribes and "call me back" in relaunch emails.
//! - [`referral`]: `GET /r/{code}`, a customer's referral link, to the shop with its code.
//! - `/t/verify/{token}` (here) confirms an email a commenter typed: the token (signed,
//!   7 days, see `shared::contracts::tokens`) names the contact and the email's lookup key, never the
//!   address. `GET` only shows a page with a button, because mail scanners and link previews
//!   follow links: the button's `POST` marks the lookup and the contact's identity verified,
//!   in one transaction. Confirming twice is harmless.

use serde::Deserialize;
use shared::contracts::contacts::verification;
use shared::contracts::tokens::{Keyring, TokenError};
use shared::kit::clock::Clock;
use shared::kit::config::{self, Env};
use shared::kit::http::{self, Request, Response};
use shared::relaunch::links::Links;
use shared::Error;

pub mod page;
pub mod phone;
pub mod referral;
pub mod relaunch;

use page::page;

pub struct Deps {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub contacts_table: String,
    pub emails_table: String,
    pub stats_table: String,
    pub callbacks_table: String,
    pub suggestions_table: String,
    pub suppression_table: String,
    /// Where referral links land (`ReferralLandingUrl`).
    pub referral_landing_url: String,
    /// Reads the `/t/verify/{token}` links identify signs.
    pub link_keys: Keyring,
    /// Reads relaunch links (the base URL is the sender's business, not needed here).
    pub links: Links,
    /// What the brand's endpoints are told: unsubscribes, call-me-back requests.
    pub events: shared::contracts::deliveries::EventQueue,
    /// The brand's country, for phone numbers typed without `+` (`DEFAULT_PHONE_REGION`).
    pub phone_region: phonenumber::country::Id,
    pub clock: Clock,
}

/// Must match `identify::verification::TOKEN_PURPOSE`.
const VERIFY_PURPOSE: &str = "verify-email";

#[derive(Deserialize)]
struct VerifyLink {
    contact_id: String,
    lookup_key: String,
}

impl Deps {
    pub async fn from_env(env: &dyn Env, clock: Clock) -> Result<Self, Error> {
        let contacts_table = config::required(env, "CONTACTS_TABLE")?;
        let sdk = shared::kit::aws::sdk_config(env).await;
        let link_keys = shared::contracts::secrets::Secrets::load(&sdk, env)
            .await?
            .link_keys()?;
        Ok(Deps {
            dynamodb: shared::kit::aws::dynamodb(&sdk, env),
            contacts_table,
            emails_table: config::required(env, "EMAILS_TABLE")?,
            stats_table: config::required(env, "STATS_TABLE")?,
            callbacks_table: config::required(env, "CALLBACKS_TABLE")?,
            suggestions_table: config::required(env, "SUGGESTIONS_TABLE")?,
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            referral_landing_url: landing(env)?,
            phone_region: {
                let code = config::required(env, "DEFAULT_PHONE_REGION")?;
                phone::region(&code).ok_or_else(|| {
                    Error::Internal(format!(
                        "DEFAULT_PHONE_REGION {code} is not an ISO 3166 country"
                    ))
                })?
            },
            links: Links::new(link_keys.clone(), ""),
            link_keys,
            events: shared::contracts::deliveries::EventQueue {
                sqs: shared::kit::aws::sqs(&sdk, env),
                queue_url: config::required(env, "EVENTS_QUEUE_URL")?,
            },
            clock,
        })
    }
}

/// `REFERRAL_LANDING_URL`, which must be an http(s) URL: checked at start, not per visit.
fn landing(env: &dyn Env) -> Result<String, Error> {
    let url = config::required(env, "REFERRAL_LANDING_URL")?;
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || page::redirect(&url).is_none()
    {
        return Err(Error::Internal(
            "REFERRAL_LANDING_URL must be an http(s) URL".into(),
        ));
    }
    Ok(url)
}

pub async fn handle(deps: &Deps, req: Request) -> Response {
    let route = req.route_key.clone().unwrap_or_default();
    let token = http::path_param(&req, "token").unwrap_or_default();
    let code = http::path_param(&req, "code").unwrap_or_default();
    let outcome = match route.as_str() {
        "GET /t/verify/{token}" => verify_page(deps, token),
        "POST /t/verify/{token}" => verify(deps, token).await,
        "GET /t/c/{token}" => relaunch::click(deps, token).await,
        "GET /t/u/{token}" => relaunch::unsubscribe_page(deps, token),
        "POST /t/u/{token}" => relaunch::unsubscribe(deps, token).await,
        "GET /t/b/{token}" => relaunch::callback_page(deps, token),
        "POST /t/b/{token}" => relaunch::callback(deps, token, &req).await,
        "GET /r/{code}" => referral::visit(deps, code).await,
        _ => Err(Error::NotFound("no such link".into())),
    };
    match outcome {
        Ok(page) => page,
        Err(err) => {
            tracing::info!(
                code = err.code(),
                status = err.status(),
                "tracking link refused"
            );
            // A 5xx says nothing of its cause to the visitor; the log has it.
            let message = if err.status() >= 500 {
                tracing::error!(error = %err, "tracking link failed");
                "Un problème passager : réessayez dans un instant. / A passing problem: please try again in a moment.".to_string()
            } else {
                err.to_string()
            };
            page(err.status(), "Lien invalide / Invalid link", &message)
        }
    }
}

fn verify_link(deps: &Deps, token: &str) -> Result<VerifyLink, Error> {
    deps.link_keys
        .verify(VERIFY_PURPOSE, token, deps.clock.now())
        .map_err(|e| match e {
            TokenError::Expired => Error::Gone(
                "this confirmation link has expired; a new one comes with your next comment".into(),
            ),
            other => Error::validation("token", other.to_string()),
        })
}

/// What following the link shows: the question, and a button that confirms. Nothing changes.
fn verify_page(deps: &Deps, token: &str) -> Result<Response, Error> {
    verify_link(deps, token)?;
    Ok(page::form(
        "Confirmer votre adresse / Confirm your email",
        "Confirmez-vous que cette adresse est la vôtre ? / Do you confirm this email address is yours?",
        "Oui, je confirme / Yes, I confirm",
    ))
}

async fn verify(deps: &Deps, token: &str) -> Result<Response, Error> {
    let link = verify_link(deps, token)?;
    let confirmed = verification::confirm(
        &deps.dynamodb,
        &deps.contacts_table,
        &link.contact_id,
        &link.lookup_key,
        "email_link",
    )
    .await?;
    if !confirmed {
        // The contact was erased or the email moved to someone else meanwhile.
        return Err(Error::NotFound(
            "this address is no longer on record".into(),
        ));
    }
    tracing::info!(contact_id = %link.contact_id, "email verified through its link");
    Ok(page(
        200,
        "Adresse confirmée / Email confirmed",
        "Merci ! Votre adresse est confirmée. / Thank you: your email address is confirmed.",
    ))
}
