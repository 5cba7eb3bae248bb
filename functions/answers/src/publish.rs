//! One answer job: claim, one platform call, record what came of it.

use aws_lambda_events::sqs::SqsMessage;
use shared::contracts::answers::{Answer, Channel, Claim, Outcome, Published, State};
use shared::contracts::sources::Platform;
use shared::kit::batch::{self, RecordError};

use crate::call::Call;
use crate::{wordpress, Deps, MAX_ATTEMPTS};

pub async fn run(
    deps: &Deps,
    record: &SqsMessage,
    contribution_id: &str,
    answer_id: &str,
) -> Result<(), RecordError> {
    let now = deps.clock.now();
    let answer = match deps.answers.claim(contribution_id, answer_id, now).await? {
        Claim::Claimed(answer) => answer,
        Claim::InDoubt(answer) => {
            // The attempt that claimed it ended without saying how: it may be published.
            let outcome = Outcome::Unknown {
                reason: "an attempt ended without its outcome; it may have been published: check before resending".into(),
            };
            deps.answers.settle(&answer, &outcome, now).await?;
            tracing::warn!(answer_id, "answer in doubt after a lost attempt: unknown");
            return Ok(());
        }
        Claim::Settled(answer) if answer.state == State::Retrying => {
            // Back before its time (the delay could not be set): later.
            return Err(RecordError::retry("the answer's retry is not due yet"));
        }
        Claim::Settled(answer) => {
            tracing::info!(
                answer_id,
                state = answer.state.as_str(),
                "answer already settled"
            );
            return Ok(());
        }
        Claim::Missing => {
            tracing::info!(answer_id, "no such answer (erased?); dropped");
            return Ok(());
        }
    };
    let started = std::time::Instant::now();
    let call = attempt(deps, &answer).await;
    let platform = answer.target.platform.as_str();
    let channel = answer.channel.as_str();
    let (outcome, retry_in) = match call {
        Call::Done(published) => (Outcome::Published(published), None),
        Call::Retry { after, reason } if answer.attempts < MAX_ATTEMPTS => {
            let seconds = deps.retry_in(after, record);
            let at = now + chrono::Duration::seconds(i64::from(seconds));
            (Outcome::Retrying { at, reason }, Some(seconds))
        }
        Call::Retry { reason, .. } => (
            Outcome::Failed {
                reason: format!("gave up after {} attempts: {reason}", answer.attempts),
            },
            None,
        ),
        Call::Refused {
            reason,
            credentials,
        } => {
            if credentials {
                crate::credentials_refused(deps, platform);
            }
            (Outcome::Failed { reason }, None)
        }
        Call::Unknown { reason } => (Outcome::Unknown { reason }, None),
    };
    // If this write fails, the redelivered job finds the answer `sending`: unknown, not
    // sent again.
    deps.answers
        .settle(&answer, &outcome, deps.clock.now())
        .await?;
    let millis = started.elapsed().as_millis() as f64;
    shared::kit::metrics::amount(
        "AnswerCallMilliseconds",
        millis,
        &[("Platform", platform), ("Channel", channel)],
        deps.clock.now(),
    );
    tracing::info!(
        answer_id,
        platform,
        channel,
        outcome = outcome.state().as_str(),
        attempt = answer.attempts,
        millis,
        "answer attempt"
    );
    match retry_in {
        Some(seconds) => {
            batch::delay(&deps.sqs, &deps.queue_url, record, seconds).await;
            Err(RecordError::retry(format!(
                "answer to retry in {seconds} s"
            )))
        }
        None => Ok(()),
    }
}

/// The one platform call of a claimed answer.
async fn attempt(deps: &Deps, answer: &Answer) -> Call<Published> {
    let target = &answer.target;
    let source = match deps.sources.get(&target.source_id).await {
        Ok(Some(source)) => source,
        Ok(None) => return Call::refused("the source was deleted"),
        Err(e) => return Call::not_yet(e),
    };
    let now = deps.clock.now();
    match (answer.channel, target.platform) {
        (Channel::Email, _) => crate::email::send(deps, answer).await,
        (Channel::PublicReply, Platform::WordPress) => {
            let site = match wordpress::Site::of(&source) {
                Ok(site) => site,
                Err(why) => return Call::refused(why),
            };
            let Some(post) = target.thread_id.as_deref() else {
                return Call::refused("the comment's post is not known");
            };
            wordpress::reply(&deps.http, &site, post, &target.external_id, &answer.text)
                .await
                .and_then(|comment| {
                    Call::Done(Published {
                        platform_id: comment.id,
                        permalink: comment.link,
                        at: now,
                    })
                })
        }
        (channel, platform) => Call::refused(format!(
            "answering by {} on {platform} is not available",
            channel.as_str()
        )),
    }
}
