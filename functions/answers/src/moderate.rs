//! A moderation decision applied on the platform the contribution came from (WordPress,
//! Discourse, Meta, YouTube), as the brand's user. Only the decision still current on the contribution is
//! applied: a job overtaken by a later decision is dropped, so two quick decisions never end
//! in the first one. Setting a status twice has one effect, so a lost outcome is retried.

use aws_lambda_events::sqs::SqsMessage;
use chrono::{DateTime, Utc};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Platform;
use shared::kit::batch::RecordError;

use crate::call::Call;
use crate::{discourse, meta, wordpress, youtube, Deps};

pub struct Decided<'a> {
    pub contribution_id: &'a str,
    pub source_id: &'a str,
    pub external_id: &'a str,
    pub decision: Decision,
    pub decided_at: DateTime<Utc>,
}

pub async fn run(deps: &Deps, record: &SqsMessage, job: &Decided<'_>) -> Result<(), RecordError> {
    // Identify queues its decision just before it records the contribution.
    let Some(contribution) = deps.contributions.get(job.contribution_id).await? else {
        deps.hold_back(record, None).await;
        return Err(RecordError::retry("the contribution is not recorded yet"));
    };
    if contribution.moderation.as_ref().map(|m| m.decided_at) != Some(job.decided_at) {
        tracing::info!(
            contribution_id = job.contribution_id,
            "moderation job overtaken by a later decision; dropped"
        );
        return Ok(());
    }
    let Some(source) = deps.sources.get(job.source_id).await? else {
        tracing::info!(
            source_id = job.source_id,
            "source deleted; moderation not applied"
        );
        return Ok(());
    };
    let (id, decision) = (job.external_id, job.decision);
    let call = match source.platform {
        Platform::WordPress => wordpress::moderate(deps, &source, id, decision).await,
        Platform::Discourse => discourse::moderate(deps, &source, id, decision).await,
        Platform::Meta => meta::moderate(deps, &source, id, decision).await,
        Platform::YouTube => youtube::moderate(deps, &source, id, decision).await,
        other => {
            return Err(RecordError::reject(format!(
                "moderation is not applied on {other} by its API"
            )))
        }
    };
    let platform = source.platform.as_str();
    match call {
        Call::Done(()) => {
            tracing::info!(
                contribution_id = job.contribution_id,
                platform,
                decision = job.decision.as_str(),
                "moderation applied on the platform"
            );
            shared::kit::metrics::count(
                "ModerationApplied",
                1,
                &[("Platform", platform)],
                deps.clock.now(),
            );
            Ok(())
        }
        Call::Retry { after, reason } => {
            deps.hold_back(record, after).await;
            Err(RecordError::retry(reason))
        }
        Call::Unknown { reason } => Err(RecordError::retry(reason)),
        Call::Refused {
            reason,
            credentials,
        } => {
            if credentials {
                crate::credentials_refused(deps, platform);
            }
            Err(RecordError::reject(format!(
                "{platform} refused the decision: {reason}"
            )))
        }
    }
}
