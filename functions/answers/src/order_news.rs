//! Order news by direct message (`shared::contracts::contacts::order_news` says who gets it):
//! each piece of news becomes an answer in the contact's `order-news#` thread, under an id
//! derived from the news itself, then goes through the same claim, one call and outcome as
//! staff's answers, so it is sent once whatever the redeliveries, retried on a rate limit,
//! `unknown` when the connection dropped.
//!
//! News about an order is sent only while the subscription holds: a STOP received after the
//! news was queued still stops it (checked again right before the call). The confirmation
//! of a START or a STOP answers the message the person just sent, so it always goes.

use aws_lambda_events::sqs::SqsMessage;
use shared::contracts::answers::{order_news_thread, Answer, Channel, News, Notice, Tags, Target};
use shared::contracts::contacts::order_news::{Language, Subscription};
use shared::kit::batch::RecordError;
use shared::kit::ids;
use shared::Error;

use crate::Deps;

/// The hidden tag order news carries in the answers' reports.
pub const TAG: &str = "order-news";

pub async fn run(
    deps: &Deps,
    record: &SqsMessage,
    contact_id: &str,
    news: &News,
) -> Result<(), RecordError> {
    let Some(subscription) = deps.order_news.get(contact_id).await? else {
        tracing::info!(
            contact_id,
            "order news for a contact who never said START; dropped"
        );
        return Ok(());
    };
    if matches!(news, News::Order { .. }) && !subscription.active {
        tracing::info!(contact_id, "order news after STOP; dropped");
        return Ok(());
    }
    let answer = notice(deps, contact_id, news, &subscription)?;
    match deps.answers.create(&answer, false).await {
        Ok(_) => {}
        // An earlier delivery stored it: the claim decides whether it is still to send.
        Err(Error::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    crate::publish::run(deps, record, &answer.contribution_id, &answer.id).await
}

/// The answer that tells `news` to the contact where they subscribed.
fn notice(
    deps: &Deps,
    contact_id: &str,
    news: &News,
    subscription: &Subscription,
) -> Result<Answer, Error> {
    let now = deps.clock.now();
    let key = news.key();
    let target = Target {
        source_id: subscription.source_id.clone(),
        platform: subscription.platform,
        external_id: key.clone(),
        thread_id: None,
        author_id: Some(subscription.recipient.clone()),
        written_at: now,
    };
    Ok(Answer {
        text: text(news, subscription.language),
        tags: Tags {
            visible: vec![],
            hidden: vec![TAG.into()],
        },
        author: "liaison".into(),
        contact_id: Some(contact_id.to_string()),
        notice: Some(Notice {
            contact_id: contact_id.to_string(),
            news: news.clone(),
        }),
        ..Answer::queued(
            ids::derived("ntc", contact_id, &key),
            order_news_thread(contact_id),
            Channel::PrivateMessage,
            target,
            now,
        )
    })
}

/// Why a claimed notice must not go now (the person said STOP since it was queued).
pub async fn stopped_since(deps: &Deps, answer: &Answer) -> Result<Option<String>, Error> {
    let Some(Notice {
        contact_id,
        news: News::Order { .. },
    }) = &answer.notice
    else {
        return Ok(None);
    };
    Ok(match deps.order_news.get(contact_id).await? {
        Some(subscription) if subscription.active => None,
        _ => Some("the person said STOP before it was sent".into()),
    })
}

/// The message, in the subscriber's language.
pub fn text(news: &News, language: Language) -> String {
    use Language::*;
    match (news, language) {
        (News::Subscribed { .. }, En) => {
            "You will get the news of your orders here. Reply STOP to end it at any time.".into()
        }
        (News::Subscribed { .. }, Fr) => {
            "Vous recevrez ici les nouvelles de vos commandes. Répondez ARRET pour ne plus les recevoir.".into()
        }
        (News::Stopped { .. }, En) => {
            "Done: no more order news here. Send START to get it again.".into()
        }
        (News::Stopped { .. }, Fr) => {
            "C'est fait : plus de nouvelles de commande ici. Envoyez SUIVI pour les recevoir de nouveau.".into()
        }
        (
            News::Order {
                order_id,
                order_name,
                status,
                tracking_url,
                carrier,
                ..
            },
            language,
        ) => {
            let name = order_name.clone().unwrap_or_else(|| format!("#{order_id}"));
            order_text(&name, status, tracking_url.as_deref(), carrier.as_deref(), language)
        }
    }
}

fn order_text(
    name: &str,
    status: &str,
    tracking_url: Option<&str>,
    carrier: Option<&str>,
    language: Language,
) -> String {
    let (with, follow, stop) = match language {
        Language::En => (" with", "Follow it:", "Reply STOP to end these messages."),
        Language::Fr => (
            " avec",
            "Suivez-la :",
            "Répondez ARRET pour ne plus les recevoir.",
        ),
    };
    let by = carrier.map(|c| format!("{with} {c}")).unwrap_or_default();
    let track = tracking_url
        .map(|url| format!(" {follow} {url}"))
        .unwrap_or_default();
    let news = match (status, language) {
        ("placed", Language::En) => {
            format!("Your order {name} is confirmed. We will tell you here when it ships.")
        }
        ("placed", Language::Fr) => {
            format!("Votre commande {name} est confirmée. Nous vous dirons ici quand elle partira.")
        }
        ("delivered", Language::En) => format!("Your order {name} has been delivered. Enjoy!"),
        ("delivered", Language::Fr) => format!("Votre commande {name} a été livrée. Profitez-en !"),
        (_, Language::En) => format!("Your order {name} has shipped{by}.{track}"),
        (_, Language::Fr) => format!("Votre commande {name} est expédiée{by}.{track}"),
    };
    format!("{news} {stop}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> News {
        News::Order {
            order_id: "820982911946154508".into(),
            order_name: Some("#1001".into()),
            shipment_id: Some("123456".into()),
            status: "shipped".into(),
            tracking_url: Some("https://www.ups.com/track?n=1Z".into()),
            carrier: Some("UPS".into()),
        }
    }

    #[test]
    fn order_news_should_be_told_in_the_subscribers_language_with_how_to_stop() {
        assert_eq!(
            text(&shipped(), Language::En),
            "Your order #1001 has shipped with UPS. Follow it: https://www.ups.com/track?n=1Z Reply STOP to end these messages."
        );
        assert_eq!(
            text(&shipped(), Language::Fr),
            "Votre commande #1001 est expédiée avec UPS. Suivez-la : https://www.ups.com/track?n=1Z Répondez ARRET pour ne plus les recevoir."
        );
        let placed = News::Order {
            order_id: "42".into(),
            order_name: None,
            shipment_id: None,
            status: "placed".into(),
            tracking_url: None,
            carrier: None,
        };
        assert!(text(&placed, Language::En).starts_with("Your order #42 is confirmed."));
        assert!(text(
            &News::Stopped {
                event_id: "evt_1".into()
            },
            Language::Fr
        )
        .contains("SUIVI"));
    }

    #[test]
    fn the_same_news_should_have_the_same_key_and_another_shipment_another() {
        let News::Order { .. } = shipped() else {
            unreachable!()
        };
        let mut other = shipped();
        if let News::Order { shipment_id, .. } = &mut other {
            *shipment_id = Some("123457".into());
        }
        assert_eq!(shipped().key(), shipped().key());
        assert_ne!(shipped().key(), other.key());
    }
}
