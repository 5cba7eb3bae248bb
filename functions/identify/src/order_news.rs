//! The words that start and stop order news by direct message (`START`/`SUIVI`,
//! `STOP`/`ARRET`), heard in a direct message to the brand's account: the contact's
//! subscription is recorded (`shared::contracts::contacts::order_news`) and the answers
//! function confirms it to the person. The message itself is still recorded as any other.

use shared::contracts::answers::{Job, News};
use shared::contracts::contacts::order_news::{word, Subscription, Word};
use shared::contracts::events::{Contribution, ContributionAction, ContributionKind, Message};
use shared::contracts::sources::Platform;
use shared::Error;

use crate::Deps;

/// The platforms whose direct messages Liaison hears and can answer: X.
fn writes_back(platform: Platform) -> bool {
    platform == Platform::X
}

/// Records what `contribution` asks of order news, if it is one of the words.
pub async fn heard(
    deps: &Deps,
    message: &Message,
    contribution: &Contribution,
    contact_id: Option<&str>,
) -> Result<(), Error> {
    if contribution.kind != ContributionKind::DirectMessage
        || contribution.action != ContributionAction::Created
        || !writes_back(message.platform)
    {
        return Ok(());
    }
    let Some(said) = word(&contribution.text) else {
        return Ok(());
    };
    let (Some(contact_id), Some(recipient)) =
        (contact_id, contribution.author.platform_user_id.as_deref())
    else {
        return Ok(());
    };
    let (active, language, news) = match said {
        Word::Start(language) => (
            true,
            language,
            News::Subscribed {
                event_id: message.id.clone(),
            },
        ),
        Word::Stop(language) => (
            false,
            language,
            News::Stopped {
                event_id: message.id.clone(),
            },
        ),
    };
    let subscription = Subscription {
        platform: message.platform,
        source_id: message.source_id.clone(),
        recipient: recipient.to_string(),
        language,
        active,
        said_at: contribution.created_at,
    };
    if !deps.order_news.record(contact_id, &subscription).await? {
        tracing::info!(event_id = %message.id, "order news word older than the one that holds; kept");
        return Ok(());
    }
    tracing::info!(event_id = %message.id, contact_id, active, "order news subscription");
    deps.callbacks
        .answers
        .send(Job::OrderNews {
            contact_id: contact_id.to_string(),
            news,
        })
        .await
}
