//! Delivery through SES `SendRawEmail`: what SES did with an email (sent, refused, or
//! unknown: it may have gone), retrying throttling only.

use aws_sdk_ses::types::{MessageTag, RawMessage};
use shared::relaunch::EMAIL_TAG;
use shared::Error;

use crate::{build, Deps};

/// What SES did with an email.
pub enum Delivery {
    Sent(String),
    /// SES answered with a 4xx (throttling that outlasted the retries, a rejection):
    /// nothing was sent.
    Refused(String),
    /// No answer, or a 5xx: it may have been sent.
    Unknown(String),
}

/// How many times a throttled email is tried in one invocation (then it is deferred).
const THROTTLED_ATTEMPTS: u32 = 3;

fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "Throttling" | "ThrottlingException" | "TooManyRequestsException"
    )
}

/// Calls `SendRawEmail`, retrying throttling only. The client has the SDK's retries
/// turned off ([`Deps::from_env`]): they would also retry a 5xx or a timeout, after
/// which SES may already have sent the email, and a relaunch is never sent twice.
pub async fn deliver(deps: &Deps, raw: Vec<u8>, email: &str) -> Result<Delivery, Error> {
    let message = build(
        RawMessage::builder()
            .data(aws_smithy_types::Blob::new(raw))
            .build(),
    )?;
    let tag = build(MessageTag::builder().name(EMAIL_TAG).value(email).build())?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = deps
            .ses
            .send_raw_email()
            .raw_message(message.clone())
            .configuration_set_name(&deps.configuration_set)
            .tags(tag.clone())
            .send()
            .await;
        let err = match sent {
            Ok(out) => return Ok(Delivery::Sent(out.message_id)),
            Err(e) => e,
        };
        match &err {
            aws_sdk_ses::error::SdkError::ServiceError(e) if e.raw().status().as_u16() < 500 => {
                let code = aws_sdk_ses::error::ProvideErrorMetadata::code(e.err())
                    .unwrap_or("unknown")
                    .to_string();
                if is_throttling(&code) && attempt < THROTTLED_ATTEMPTS {
                    let pause = 200 * 2u64.pow(attempt);
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                    continue;
                }
                return Ok(Delivery::Refused(code));
            }
            aws_sdk_ses::error::SdkError::ConstructionFailure(_) => {
                return Err(Error::from_sdk("SendRawEmail request", err));
            }
            _ => return Ok(Delivery::Unknown(format!("{err:?}"))),
        }
    }
}
