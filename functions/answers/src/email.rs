//! An answer by email: a service message to the author about what they wrote, from the
//! brand's sender address, through the configuration set whose bounces and complaints reach
//! the suppression list. It needs no marketing consent (it answers the person), so an address
//! that only unsubscribed from marketing still gets it; one that bounced or complained does
//! not.

use aws_sdk_ses::error::ProvideErrorMetadata;
use aws_sdk_ses::types::{Body, Content, Destination, Message};
use shared::contracts::answers::{Answer, Published};
use shared::contracts::suppression;
use shared::kit::config::{self, Env};
use shared::Error;

use crate::call::Call;
use crate::Deps;

pub struct Mailer {
    /// Retries off: SES may have sent an email whose answer was lost, and an answer is
    /// never sent twice (throttling is retried by the job instead).
    pub ses: aws_sdk_ses::Client,
    pub sender: String,
    pub configuration_set: String,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub suppression_table: String,
    pub hash_key: Vec<u8>,
}

impl Mailer {
    pub fn from_env(
        sdk: &shared::kit::aws::SdkConfig,
        env: &dyn Env,
        dynamodb: aws_sdk_dynamodb::Client,
        hash_key: Vec<u8>,
    ) -> Result<Self, Error> {
        let ses = shared::kit::aws::ses(sdk, env);
        let ses = aws_sdk_ses::Client::from_conf(
            ses.config()
                .to_builder()
                .retry_config(aws_sdk_ses::config::retry::RetryConfig::disabled())
                .build(),
        );
        Ok(Mailer {
            ses,
            sender: config::required(env, "SENDER_EMAIL")?,
            configuration_set: config::required(env, "SES_CONFIGURATION_SET")?,
            suppression_table: config::required(env, "SUPPRESSION_TABLE")?,
            hash_key,
            dynamodb,
        })
    }
}

/// The longest part of the person's own message quoted under the answer, in characters.
const QUOTED_CHARS: usize = 1_000;

pub async fn send(deps: &Deps, answer: &Answer) -> Call<Published> {
    let mailer = &deps.email;
    let record = match deps.contributions.get(&answer.contribution_id).await {
        Ok(Some(record)) => record,
        Ok(None) => return Call::refused("the contribution answered is gone"),
        Err(e) => return Call::not_yet(e),
    };
    let contribution = &record.contribution;
    let Some(address) = contribution.author.email.as_deref() else {
        return Call::refused("no email address is known for the author");
    };
    let Some(key) = suppression::email_key(&mailer.hash_key, address) else {
        return Call::refused("the author's email address is not an address");
    };
    match suppression::reason(&mailer.dynamodb, &mailer.suppression_table, &key).await {
        Ok(Some(reason)) if reason != suppression::UNSUBSCRIBE => {
            return Call::refused(format!("the author's address is suppressed ({reason})"));
        }
        Ok(_) => {}
        Err(e) => return Call::not_yet(e),
    }
    let (subject, body) = message(
        contribution.thread_title.as_deref(),
        &answer.text,
        &contribution.text,
    );
    let content = |data: String| Content::builder().data(data).charset("UTF-8").build();
    let (Ok(subject), Ok(body)) = (content(subject), content(body)) else {
        return Call::refused("the email could not be built");
    };
    let sent = mailer
        .ses
        .send_email()
        .source(&mailer.sender)
        .configuration_set_name(&mailer.configuration_set)
        .destination(Destination::builder().to_addresses(address).build())
        .message(
            Message::builder()
                .subject(subject)
                .body(Body::builder().text(body).build())
                .build(),
        )
        .send()
        .await;
    match sent {
        Ok(out) => Call::Done(Published {
            platform_id: out.message_id,
            permalink: None,
            at: deps.clock.now(),
        }),
        Err(aws_sdk_ses::error::SdkError::ServiceError(e)) if e.raw().status().as_u16() < 500 => {
            let code = e.err().code().unwrap_or("unknown").to_string();
            let reason = format!("SES {code}: {}", e.err().message().unwrap_or_default());
            if matches!(code.as_str(), "Throttling" | "ThrottlingException") {
                Call::Retry {
                    after: None,
                    reason,
                }
            } else {
                Call::refused(reason)
            }
        }
        Err(aws_sdk_ses::error::SdkError::DispatchFailure(e)) if e.is_io() => {
            crate::call::from_transport(true, "SES unreachable".into())
        }
        Err(e) => Call::Unknown {
            reason: format!("SES: {}", Error::from_sdk("SendEmail", e)),
        },
    }
}

/// The subject and the text of an answer by email: the answer, then the person's own words.
pub fn message(thread: Option<&str>, answer: &str, theirs: &str) -> (String, String) {
    let about: String = thread.unwrap_or("your message").chars().take(150).collect();
    let subject = format!("Re: {about}");
    let mut quoted: String = theirs.chars().take(QUOTED_CHARS).collect();
    if theirs.chars().count() > QUOTED_CHARS {
        quoted.push('…');
    }
    let quoted: Vec<String> = quoted.lines().map(|line| format!("> {line}")).collect();
    (subject, format!("{answer}\n\n{}\n", quoted.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_should_answer_then_quote_the_persons_words() {
        let (subject, body) = message(Some("Our new kettle"), "We are sorry.", "It leaks\nbadly");
        assert_eq!(subject, "Re: Our new kettle");
        assert_eq!(body, "We are sorry.\n\n> It leaks\n> badly\n");
        let long = "a".repeat(2_000);
        let (subject, body) = message(None, "Thanks", &long);
        assert_eq!(subject, "Re: your message");
        assert!(body.ends_with("a…\n"));
    }
}
