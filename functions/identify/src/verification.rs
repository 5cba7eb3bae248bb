//! Asking an unverified commenter, gently, to confirm their email: one message with a
//! signed link valid 7 days (`/t/verify/{token}`, served by `tracking`). At most one per
//! address per week (a conditional write on the email's lookup is the claim, naming the
//! event that made it, so that the same event retried can still send), at most
//! `VERIFICATIONS_PER_SOURCE_PER_HOUR` per source (a counter per source and hour), never to a
//! suppressed address, and only while the identity is unverified. Every email goes through
//! the SES configuration set whose bounces and complaints ses-events turns into suppressions.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::contracts::contacts::verification;
use shared::contracts::emails;
use shared::Error;

use std::collections::HashMap;
use std::sync::Arc;

use shared::contracts::templates::{self, EmailTemplate, VERIFICATION};

use crate::identity::Identity;
use crate::settings::Cached;

/// What the link carries: ids only, never the address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyLink {
    pub contact_id: String,
    pub lookup_key: String,
}

pub const TOKEN_PURPOSE: &str = "verify-email";
pub const LINK_VALIDITY_DAYS: i64 = 7;
pub const ASK_AT_MOST_EVERY_DAYS: i64 = 7;

pub struct Verifier {
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// SES from the brand's sender, through the configuration set whose feedback reaches
    /// ses-events.
    pub outbox: shared::contracts::plain_email::Outbox,
    pub contacts_table: String,
    pub suppression_table: String,
    /// `https://…` where `/t/verify/{token}` is served.
    pub link_base: String,
    /// Signs the `/t/verify/{token}` links.
    pub link_keys: shared::contracts::tokens::Keyring,
    /// The lookup key of the keyed hashes.
    pub hash_key: Vec<u8>,
    pub templates: TemplateBook,
    /// Where each email sent is recorded for the contact's timeline.
    pub emails_table: String,
    /// How many confirmation emails one source may cause in an hour: a flood of signed
    /// comments typing strangers' addresses stops there.
    pub per_source_per_hour: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Sent,
    Suppressed,
    /// Asked less than a week ago, or verified meanwhile.
    NotNow,
    /// The source has caused its hour's worth of confirmation emails.
    SourceLimit,
}

impl Verifier {
    /// Asks once for `event_id`: a retry of the same message (after a crash, or an SDK
    /// retry whose first response was lost) finds its own claim and sends, unless its email
    /// already went.
    #[allow(clippy::too_many_arguments)]
    pub async fn ask(
        &self,
        event_id: &str,
        source_id: &str,
        contact_id: &str,
        email: &Identity,
        name: Option<&str>,
        french: bool,
        now: DateTime<Utc>,
    ) -> Result<Asked, Error> {
        let key = email.lookup_key(&self.hash_key);
        if shared::contracts::suppression::contains(&self.dynamodb, &self.suppression_table, &key)
            .await?
        {
            return Ok(Asked::Suppressed);
        }
        let (db, table) = (&self.dynamodb, self.contacts_table.as_str());
        let every = Duration::days(ASK_AT_MOST_EVERY_DAYS);
        if !verification::claim(db, table, &key, contact_id, event_id, now, every).await? {
            return Ok(Asked::NotNow);
        }
        let give_back = || verification::give_back(db, table, &key, event_id);
        if !self.take_source_slot(source_id, now).await? {
            give_back().await;
            tracing::warn!(
                source_id,
                "verification emails: this source's hourly limit is reached"
            );
            return Ok(Asked::SourceLimit);
        }
        let token = self.link_keys.sign(
            TOKEN_PURPOSE,
            &VerifyLink {
                contact_id: contact_id.to_string(),
                lookup_key: key.clone(),
            },
            now + Duration::days(LINK_VALIDITY_DAYS),
        );
        let link = format!("{}/t/verify/{token}", self.link_base.trim_end_matches('/'));
        let sent = self.send(&email.value, name, &link, french).await;
        if let Err(err) = sent {
            give_back().await;
            return Err(err);
        }
        if let Ok(subject) = &sent {
            self.record_email(event_id, contact_id, &email.value, subject, now)
                .await;
        }
        // Sent: a retry of this message must not send again. If this mark is lost, a retry
        // sends a second email; the claim still holds off every other message for a week.
        if let Err(e) = verification::mark_delivered(db, table, &key, event_id).await {
            tracing::warn!(error = %e, "verification email sent but not marked");
        }
        Ok(Asked::Sent)
    }

    /// The email on the contact's timeline (`EmailsTable`), one item per event whatever the
    /// retries. Best effort: the email went; a missing line in the timeline is logged.
    async fn record_email(
        &self,
        event_id: &str,
        contact_id: &str,
        to: &str,
        subject: &str,
        now: DateTime<Utc>,
    ) {
        let recorded = emails::record_verification(
            &self.dynamodb,
            &self.emails_table,
            event_id,
            contact_id,
            to,
            subject,
            now,
        );
        if let Err(e) = recorded.await {
            tracing::warn!(error = %e, "verification email not recorded");
        }
    }

    /// One of the source's confirmation emails for this hour, if any is left: a counter
    /// item per (source, hour) in the contacts table, incremented under a condition, expiring
    /// with the table's TTL.
    async fn take_source_slot(&self, source_id: &str, now: DateTime<Utc>) -> Result<bool, Error> {
        verification::take_source_slot(
            &self.dynamodb,
            &self.contacts_table,
            source_id,
            self.per_source_per_hour,
            now,
        )
        .await
    }

    /// Sends the email; its subject, for the record.
    async fn send(
        &self,
        to: &str,
        name: Option<&str>,
        link: &str,
        french: bool,
    ) -> Result<String, Error> {
        let language = if french { "fr" } else { "en" };
        let saved = self.templates.current().await?;
        let (subject, body) = message(saved.get(&VERIFICATION.sk(language)), language, name, link);
        self.outbox.send(to, &subject, &body).await?;
        Ok(subject)
    }
}

/// The longest display name a verification email greets by, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// The most words a display name may have to be used.
pub const MAX_NAME_WORDS: usize = 4;

/// The author's display name as the email may show it, or `None` to greet without one. A
/// stranger writes the name, and the brand's address sends it to whatever address they typed:
/// anything beyond a plain name (a link, a domain, an address, a phone number, a sentence)
/// would let them put their words in the brand's mail, so such a name is not used at all.
pub fn safe_name(name: &str) -> Option<String> {
    if name.chars().any(char::is_control) {
        return None;
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let plain_word = |w: &str| {
        let core = w.trim_end_matches(['.', ',']);
        !core.is_empty()
            && core
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
    };
    let name = words.join(" ");
    let usable = !words.is_empty()
        && words.len() <= MAX_NAME_WORDS
        && name.chars().count() <= MAX_NAME_CHARS
        && words.iter().all(|w| plain_word(w));
    usable.then_some(name)
}

/// The verification email in `language` with these values: the brand's template when it
/// has one that renders, else the default.
pub fn message(
    stored: Option<&EmailTemplate>,
    language: &str,
    name: Option<&str>,
    link: &str,
) -> (String, String) {
    let name = name.and_then(safe_name);
    let values = serde_json::json!({ "name": name, "link": link });
    if let Some(template) = stored {
        match templates::render(template, &values) {
            Ok(rendered) => return rendered,
            Err(e) => {
                tracing::warn!(error = %e, language, "the verification template does not render; the default is sent")
            }
        }
    }
    let default = VERIFICATION.default_for(language);
    // The defaults are tested to render (shared::contracts::templates); an empty message is never sent.
    templates::render(&default, &values)
        .unwrap_or_else(|_| (default.subject.clone(), format!("{link}\n")))
}

/// The templates staff saved (`/admin/templates`), by settings key.
pub struct TemplateBook {
    cached: Cached<HashMap<String, EmailTemplate>>,
}

impl TemplateBook {
    pub fn new(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        ttl: std::time::Duration,
    ) -> Self {
        TemplateBook {
            cached: Cached::new(client, table, shared::contracts::settings::TEMPLATES, ttl),
        }
    }

    pub async fn current(&self) -> Result<Arc<HashMap<String, EmailTemplate>>, Error> {
        self.cached
            .get(|items| {
                items
                    .into_iter()
                    .filter_map(|mut item| {
                        let sk = item.remove("sk")?.as_s().ok()?.clone();
                        item.remove("pk");
                        let template: EmailTemplate =
                            serde_dynamo::from_item(stored_fields(item)).ok()?;
                        Some((sk, template))
                    })
                    .collect()
            })
            .await
    }
}

/// The template's own fields of a stored item (which also says who saved it, and when).
fn stored_fields(mut item: crate::settings::Item) -> crate::settings::Item {
    item.retain(|k, _| k == "subject" || k == "text");
    item
}

/// A rough guess good enough to choose the wording: common French words.
pub fn looks_french(text: &str, language: Option<&str>) -> bool {
    if let Some(lang) = language {
        return lang.to_ascii_lowercase().starts_with("fr");
    }
    let folded = crate::classify::text::fold(text);
    let french = [
        " le ",
        " la ",
        " les ",
        " je ",
        " est ",
        " une ",
        " pour ",
        " merci ",
        " bonjour ",
        " et ",
    ];
    let english = [
        " the ", " is ", " and ", " my ", " for ", " thanks ", " hello ", " it ",
    ];
    let count = |words: &[&str]| words.iter().filter(|w| folded.contains(*w)).count();
    count(&french) >= count(&english)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_should_carry_the_link_and_greet_by_name() {
        let (subject, body) = message(None, "fr", Some("Marie"), "https://x/t/verify/abc");
        assert!(subject.contains("confirmer"));
        assert!(body.starts_with("Bonjour Marie,") && body.contains("https://x/t/verify/abc"));
        let (_, body) = message(None, "en", Some("  "), "https://x/t/verify/abc");
        assert!(body.starts_with("Hello,"));
    }

    #[test]
    fn a_name_that_is_more_than_a_name_should_not_be_in_the_email() {
        for name in [
            "Your account is locked, call 0800 123 456",
            "Marie https://evil.example/login",
            "evil.example",
            "support@brand-help.example",
            "Jean\nClick here",
            "Ana <b>",
            &"Verylongname".repeat(5),
        ] {
            assert_eq!(safe_name(name), None, "{name}");
            let (subject, body) = message(None, "en", Some(name), "https://x/t/verify/abc");
            assert!(body.starts_with("Hello,"), "{body}");
            for word in ["evil", "0800", "locked", "brand-help", "Click"] {
                assert!(
                    !body.contains(word) && !subject.contains(word),
                    "{name}: {body}"
                );
            }
        }
        for name in [
            "Marie",
            "Jean-Pierre O'Neil",
            "J. R. R. Tolkien",
            "Hélène Dupont",
            "Zoë",
        ] {
            assert_eq!(safe_name(name).as_deref(), Some(name));
        }
    }

    #[test]
    fn a_saved_template_should_be_used_and_a_broken_one_replaced_by_the_default() {
        let saved = EmailTemplate {
            subject: "Un petit clic, {{ name }} ?".into(),
            text: "Cliquez : {{ link }}".into(),
        };
        let (subject, body) = message(Some(&saved), "fr", Some("Marie"), "https://l");
        assert_eq!(
            (subject.as_str(), body.as_str()),
            ("Un petit clic, Marie ?", "Cliquez : https://l")
        );
        let broken = EmailTemplate {
            subject: "x".into(),
            text: "{{ missing }}".into(),
        };
        let (_, body) = message(Some(&broken), "en", None, "https://l");
        assert!(body.starts_with("Hello,") && body.contains("https://l"));
    }

    #[test]
    fn the_language_should_be_guessed_when_not_given() {
        assert!(looks_french("Bonjour, ma commande est arrivée", None));
        assert!(!looks_french(
            "Hello, my order is late and the box is damaged",
            None
        ));
        assert!(!looks_french("Bonjour", Some("en")));
    }
}
