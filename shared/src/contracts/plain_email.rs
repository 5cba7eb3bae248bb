//! A plain-text email from the brand's sender through the SES configuration set (so its
//! bounces and complaints reach ses-events and the suppression list): how Liaison tells
//! staff (an incident's alert, a late case or question, a notification endpoint) and asks an
//! author to confirm their address. Written once here so that every such email goes the
//! same way.

use aws_sdk_ses::types::{Body, Content, Destination, Message};
use aws_sdk_ses::Client;

use crate::Error;

/// The message: `subject` and `body`, both UTF-8.
pub fn text_message(subject: &str, body: &str) -> Result<Message, Error> {
    let content = |data: &str| {
        Content::builder()
            .data(data)
            .charset("UTF-8")
            .build()
            .map_err(|e| Error::caused("email content", e))
    };
    Ok(Message::builder()
        .subject(content(subject)?)
        .body(Body::builder().text(content(body)?).build())
        .build())
}

/// Who sends, and through which configuration set.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub ses: Client,
    pub sender: String,
    pub configuration_set: String,
}

impl Outbox {
    /// The SES request for `message` to `to`, for a caller that reads SES's own error codes.
    pub fn request(
        &self,
        to: &str,
        message: Message,
    ) -> aws_sdk_ses::operation::send_email::builders::SendEmailFluentBuilder {
        self.ses
            .send_email()
            .source(&self.sender)
            .configuration_set_name(&self.configuration_set)
            .destination(Destination::builder().to_addresses(to).build())
            .message(message)
    }

    /// Sends `subject` and `body` to `to`; a refusal is transient (the caller's message is
    /// tried again).
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), Error> {
        self.request(to, text_message(subject, body)?)
            .send()
            .await
            .map_err(|e| Error::from_sdk("SES SendEmail", e).transient())?;
        Ok(())
    }
}
