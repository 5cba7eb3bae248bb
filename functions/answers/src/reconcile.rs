//! Reading back what an `unknown` answer became. An answer whose call may have reached the
//! platform (a connection cut after sending, a 5xx) is never sent again blindly; where the
//! platform lets Liaison read the thread, a `reconcile` job comes a minute later and looks
//! for the brand's reply with the answer's text under the contribution:
//! - found: the answer is `published`, with the platform's id and link (and counted, and
//!   its echo known), as if the call had answered;
//! - not there: the answer is `failed` with that reason: it was not published, and staff
//!   may answer again;
//! - the platform cannot be read now: the job comes back (at most [`MAX_READS`] times),
//!   then the answer stays `unknown` for staff to check.
//!
//! Public replies on WordPress, Meta (Facebook, Instagram), Discourse and YouTube can be read
//! back; private messages, emails and X posts cannot (their APIs show no thread to Liaison's
//! login).

use aws_lambda_events::sqs::SqsMessage;
use shared::contracts::answers::{Answer, Channel, Outcome, Published, State};
use shared::contracts::sources::{Platform, Source};
use shared::kit::batch::{self, RecordError};

use crate::call::Call;
use crate::Deps;

/// How long after an unknown outcome the thread is read: what the platform wrote shows.
pub const DELAY_SECONDS: i32 = 60;
/// Reads of a thread that failed before the answer is left `unknown`.
pub const MAX_READS: u32 = 5;

/// Whether `answer` can be found again by reading its thread.
pub fn can_read_back(answer: &Answer) -> bool {
    answer.channel == Channel::PublicReply
        && answer.notice.is_none()
        && matches!(
            answer.target.platform,
            Platform::WordPress | Platform::Meta | Platform::Discourse | Platform::YouTube
        )
}

pub async fn run(
    deps: &Deps,
    record: &SqsMessage,
    contribution_id: &str,
    answer_id: &str,
) -> Result<(), RecordError> {
    let Some(answer) = deps.answers.get(contribution_id, answer_id).await? else {
        return Ok(());
    };
    if answer.state != State::Unknown || !can_read_back(&answer) {
        return Ok(());
    }
    let Some(source) = deps.sources.get(&answer.target.source_id).await? else {
        tracing::info!(answer_id, "source deleted; the answer stays unknown");
        return Ok(());
    };
    let platform = answer.target.platform;
    let (after, reason) = match find(deps, &source, &answer).await {
        Call::Done(found) => {
            let outcome = match found {
                Some(published) => Outcome::Published(published),
                None => Outcome::Failed {
                    reason: format!(
                        "not on {platform} when its thread was read back: it was not published; answer again to send it"
                    ),
                },
            };
            deps.answers
                .settle_from(&answer, State::Unknown, &outcome, deps.clock.now())
                .await?;
            if let Outcome::Published(published) = &outcome {
                deps.announce(&answer, published).await?;
            }
            tracing::info!(
                answer_id,
                platform = platform.as_str(),
                outcome = outcome.state().as_str(),
                "unknown answer read back"
            );
            return Ok(());
        }
        Call::Refused { .. } => {
            tracing::warn!(
                answer_id,
                platform = platform.as_str(),
                "the thread cannot be read back; the answer stays unknown"
            );
            return Ok(());
        }
        Call::Retry { after, reason } => (after, reason),
        Call::Unknown { reason } => (None, reason),
    };
    if batch::receive_count(record) >= MAX_READS {
        tracing::warn!(
            answer_id,
            platform = platform.as_str(),
            "the thread could not be read back; the answer stays unknown"
        );
        return Ok(());
    }
    deps.hold_back(record, after).await;
    Err(RecordError::retry(format!(
        "the thread could not be read back: {reason}"
    )))
}

/// The brand's reply with the answer's text under the contribution, if the platform shows
/// one.
async fn find(deps: &Deps, source: &Source, answer: &Answer) -> Call<Option<Published>> {
    match answer.target.platform {
        Platform::WordPress => crate::wordpress::find(deps, source, answer).await,
        Platform::Meta => crate::meta::find(deps, source, answer).await,
        Platform::Discourse => crate::discourse::find(deps, source, answer).await,
        Platform::YouTube => crate::youtube::find(deps, source, answer).await,
        other => Call::refused(format!("{other} cannot be read back")),
    }
}
