//! An `audience_measured` event: a platform's measure of an author's audience taken apart
//! from any contribution (the poller reads a Discourse member's likes and posts once a week).
//! It goes to the contact the author's strongest known identity names, as
//! `ContactStore::measure_reach` keeps it (fresh, dated, with its basis), and their influence
//! follows. Nobody is created for it: a member not known yet is measured again, once their
//! first contribution has made them a contact.

use shared::contracts::contacts::identity;
use shared::contracts::events::{AudienceMeasured, Message};
use shared::kit::batch::RecordError;

use crate::Deps;

pub async fn apply(
    deps: &Deps,
    message: &Message,
    measured: &AudienceMeasured,
) -> Result<(), RecordError> {
    let identities = identity::identities(message.platform, &message.source_id, &measured.author);
    let known = deps.contacts.lookup(&identities).await?;
    let contact = identities
        .iter()
        .zip(&known)
        .filter_map(|(identity, found)| Some((identity.strength(), found.as_ref()?)))
        .max_by_key(|(strength, _)| *strength)
        .map(|(_, found)| found.contact_id.clone());
    let Some(contact) = contact else {
        tracing::info!(event_id = %message.id, "audience of an author not known yet; not kept");
        return Ok(());
    };
    let changed = deps
        .contacts
        .measure_reach(
            &contact,
            &measured.author.audience,
            message.platform,
            // Dated when kept: the scores' own clock, which only moves forward.
            deps.clock.now(),
        )
        .await?;
    // Ids only: never the handle.
    tracing::info!(event_id = %message.id, contact_id = %contact, changed, "audience measured");
    Ok(())
}
