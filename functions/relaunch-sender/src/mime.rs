//! A relaunch email as MIME for SES `SendRawEmail`: `multipart/alternative` (text, then
//! HTML) with the one-click unsubscribe headers of RFC 8058, which Gmail and Yahoo require
//! of bulk senders.

use chrono::{DateTime, Utc};
use mail_builder::headers::raw::Raw;
use mail_builder::MessageBuilder;
use shared::relaunch::campaigns::render::Rendered;
use shared::Error;

pub struct Envelope<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub to_name: Option<&'a str>,
    pub unsubscribe_url: &'a str,
    /// Names the message (`<{email_id}@liaison>`) the same on every attempt.
    pub email_id: &'a str,
    pub date: DateTime<Utc>,
}

pub fn build(envelope: &Envelope<'_>, email: &Rendered) -> Result<Vec<u8>, Error> {
    let to = match envelope.to_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => mail_builder::headers::address::Address::new_address(
            Some(name.to_string()),
            envelope.to.to_string(),
        ),
        None => mail_builder::headers::address::Address::new_address(
            None::<String>,
            envelope.to.to_string(),
        ),
    };
    MessageBuilder::new()
        .from(envelope.from)
        .to(to)
        .subject(email.subject.as_str())
        .message_id(format!("{}@liaison", envelope.email_id))
        .date(envelope.date.timestamp())
        .header(
            "List-Unsubscribe",
            Raw::new(format!("<{}>", envelope.unsubscribe_url)),
        )
        .header(
            "List-Unsubscribe-Post",
            Raw::new("List-Unsubscribe=One-Click"),
        )
        .text_body(email.text.as_str())
        .html_body(email.html.as_str())
        .write_to_vec()
        .map_err(|e| Error::caused("build MIME", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_should_carry_both_bodies_and_the_one_click_headers() {
        let bytes = build(
            &Envelope {
                from: "shop@brand.example",
                to: "camille@example.com",
                to_name: Some("Camille Dupré"),
                unsubscribe_url: "https://l.example/t/u/TOKEN",
                email_id: "eml_rl_1",
                date: "2026-11-23T10:00:00Z".parse().unwrap(),
            },
            &Rendered {
                subject: "Votre panier vous attend, Camille".into(),
                html: "<p>Bonjour <b>Camille</b></p>".into(),
                text: "Bonjour Camille".into(),
            },
        )
        .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("List-Unsubscribe: <https://l.example/t/u/TOKEN>\r\n"),
            "{text}"
        );
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("text/plain") && text.contains("text/html"));
        assert!(text.contains("Message-ID: <eml_rl_1@liaison>"));
    }
}
