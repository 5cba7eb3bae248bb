//! Composing a relaunch email, pure: from the cart and the campaign as read now, the email
//! a step sends (its id, subject and MIME bytes with tracked links and one-click
//! unsubscribe), or why it cannot be sent. Nothing here reads or writes a table or calls SES.

use chrono::{DateTime, Utc};
use shared::contracts::carts::CartRecord;
use shared::relaunch::campaigns::render::{self, Values};
use shared::relaunch::campaigns::Campaign;
use shared::relaunch::email_id;
use shared::relaunch::links::{self, Link, Links};
use shared::Error;

use crate::mime;

/// What composing needs besides the cart and the campaign.
pub struct Composer<'a> {
    pub links: &'a Links,
    /// The lookup key, for the unsubscribe link's keyed address.
    pub hash_key: &'a [u8],
    pub sender: &'a str,
}

/// One email, ready for SES.
#[derive(Debug)]
pub struct Composed {
    pub email_id: String,
    pub contact_id: String,
    pub subject: String,
    pub raw: Vec<u8>,
}

/// Why a step has no email: the skip reason the stats count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsendable {
    /// No address or no contact on the cart.
    NotSendable,
    /// The campaign no longer has this step.
    StepRemoved,
    /// The step's template fails on this cart.
    TemplateError,
}

impl Unsendable {
    pub fn reason(self) -> &'static str {
        match self {
            Unsendable::NotSendable => "not_sendable",
            Unsendable::StepRemoved => "step_removed",
            Unsendable::TemplateError => "template_error",
        }
    }
}

/// Step `step` of `campaign` for `cart`, in `variant`, as sent at `now`.
pub fn compose(
    composer: &Composer<'_>,
    cart: &CartRecord,
    campaign: &Campaign,
    step_index: usize,
    variant: &str,
    now: DateTime<Utc>,
) -> Result<Result<Composed, Unsendable>, Error> {
    let (Some(to), Some(contact_id)) = (cart.email.as_deref(), cart.contact_id.as_deref()) else {
        return Ok(Err(Unsendable::NotSendable));
    };
    let Some(step) = campaign.spec.steps.get(step_index) else {
        return Ok(Err(Unsendable::StepRemoved));
    };
    let content = match (&step.variant_b, variant) {
        (Some(b), "B") => &b.content,
        _ => &step.content,
    };
    let email = email_id(&cart.id, step_index);
    let link = |url: Option<&str>| Link {
        email_id: email.clone(),
        contact_id: contact_id.to_string(),
        url: url.map(str::to_string),
        email_key: None,
    };
    let unsubscribe = Link {
        email_key: shared::contracts::suppression::email_key(composer.hash_key, to),
        ..link(None)
    };
    let unsubscribe_url = composer.links.url(links::UNSUBSCRIBE, &unsubscribe, now);
    let values = Values::for_cart(
        cart,
        step.incentive_code.clone(),
        unsubscribe_url.clone(),
        composer.links.url(links::CALLBACK, &link(None), now),
    );
    let utm = campaign.spec.utm.as_ref();
    let track = |url: &str| {
        // The unsubscribe and callback links are Liaison's own: not wrapped again.
        if url.starts_with(composer.links.base()) {
            return url.to_string();
        }
        let target = links::with_utm(url, utm);
        composer.links.url(links::CLICK, &link(Some(&target)), now)
    };
    let rendered = match render::render(content, &values, &track) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(cart = %cart.id, step = step_index, error = %e, "relaunch template failed at send time");
            return Ok(Err(Unsendable::TemplateError));
        }
    };
    let raw = mime::build(
        &mime::Envelope {
            from: composer.sender,
            to,
            to_name: cart.first_name.as_deref(),
            unsubscribe_url: &unsubscribe_url,
            email_id: &email,
            date: now,
        },
        &rendered,
    )?;
    Ok(Ok(Composed {
        email_id: email,
        contact_id: contact_id.to_string(),
        subject: rendered.subject,
        raw,
    }))
}
