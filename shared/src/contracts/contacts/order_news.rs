//! Order news by direct message: a person who wrote to the brand's X account can send
//! `START` (`SUIVI` in French) to get the news of their orders there (placed, shipped with
//! its tracking link, delivered), in the language of the word they sent; `STOP` (`ARRET`,
//! `ARRÊT`) ends it at once. The subscription is one item of the contact's partition
//! (`keys::order_news_key`): where to write (the source and the person's account on it),
//! in which language, and whether it still holds.
//!
//! A later word wins over an earlier one whatever order the messages are processed in: the
//! item only moves forward in time (`said_at`), so a START redelivered after a STOP does
//! not undo it.

use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::sources::Platform;
use crate::kit::dynamo;
use crate::Error;

/// The languages order news is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Fr,
}

/// What a direct message asks of order news, if it is one of the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    Start(Language),
    Stop(Language),
}

/// The word a direct message is, if it is one: the whole message, in any case, with or
/// without accents and surrounding punctuation.
pub fn word(text: &str) -> Option<Word> {
    let folded: String = text
        .trim()
        .trim_matches(|c: char| c.is_ascii_punctuation())
        .to_uppercase()
        .replace('Ê', "E");
    match folded.as_str() {
        "START" => Some(Word::Start(Language::En)),
        "SUIVI" => Some(Word::Start(Language::Fr)),
        "STOP" => Some(Word::Stop(Language::En)),
        "ARRET" => Some(Word::Stop(Language::Fr)),
        _ => None,
    }
}

/// Whether a contact gets order news, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub platform: Platform,
    /// The source whose login writes to the person (the brand's account there).
    pub source_id: String,
    /// The person's id on the platform (who the messages go to). Never logged.
    pub recipient: String,
    pub language: Language,
    /// `false` once they said STOP.
    pub active: bool,
    /// When they said the word this item holds.
    pub said_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct OrderNews {
    pub client: Client,
    pub table: String,
}

impl OrderNews {
    pub async fn get(&self, contact_id: &str) -> Result<Option<Subscription>, Error> {
        dynamo::get(
            &self.client,
            &self.table,
            super::keys::order_news_key(contact_id),
            "order news subscription",
        )
        .await
    }

    /// Records what the contact said, unless they said something later already: `true`
    /// when this word is now the one that holds.
    pub async fn record(&self, contact_id: &str, said: &Subscription) -> Result<bool, Error> {
        let mut item = dynamo::encode(said, "order news subscription")?;
        item.extend(super::keys::order_news_key(contact_id));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR said_at <= :said")
            .expression_attribute_values(":said", dynamo::s(crate::kit::clock::stamp(said.said_at)))
            .send()
            .await;
        dynamo::condition_held(put, "PutItem order news")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_should_be_read_in_both_languages_and_nothing_else() {
        assert_eq!(word(" start "), Some(Word::Start(Language::En)));
        assert_eq!(word("Suivi"), Some(Word::Start(Language::Fr)));
        assert_eq!(word("STOP!"), Some(Word::Stop(Language::En)));
        assert_eq!(word("arrêt"), Some(Word::Stop(Language::Fr)));
        assert_eq!(word("ARRET."), Some(Word::Stop(Language::Fr)));
        assert_eq!(word("please stop sending"), None);
        assert_eq!(word("where is my order?"), None);
    }
}
