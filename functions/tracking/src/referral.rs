//! `GET /r/{code}`: a customer's personal referral link, shared from their own account.
//! It counts the visit on its suggestion (a count, the first and last visit, for the site's
//! and staff's figures: never an invitation, since scanners, previews and the referrer open
//! links too) and sends the visitor to the shop with the code as `?ref=`, which the shop
//! keeps on the order (Shopify's `landing_site`, a cart attribute): that code on the order is
//! the explicit step a referral needs. Nothing about the visitor is stored. An unknown code gets a 404 page; a counter that
//! fails never costs the visitor the shop.

use shared::kit::http::Response;
use shared::Error;

use crate::{page, Deps};

/// `landing` with `ref={code}` added to its query (before any `#fragment`).
pub fn landing_url(landing: &str, code: &str) -> String {
    let (base, fragment) = match landing.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (landing, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut url = format!("{base}{separator}ref={code}");
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

pub async fn visit(deps: &Deps, code: &str) -> Result<Response, Error> {
    let Some((referrer, candidate)) =
        shared::contracts::referrals::find_code(&deps.dynamodb, &deps.suggestions_table, code)
            .await?
    else {
        return Err(Error::NotFound("this referral link does not exist".into()));
    };
    let counted = shared::contracts::referrals::count_visit(
        &deps.dynamodb,
        &deps.suggestions_table,
        &referrer,
        &candidate,
        deps.clock.now(),
    );
    match counted.await {
        Ok(true) => tracing::info!(code, "referral link visited"),
        // Erased between the read and the write: the link is gone.
        Ok(false) => return Err(Error::NotFound("this referral link does not exist".into())),
        Err(e) => tracing::warn!(code, error = %e, "referral visit not counted"),
    }
    page::redirect(&landing_url(&deps.referral_landing_url, code))
        .ok_or_else(|| Error::Internal("REFERRAL_LANDING_URL is not a URL".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_should_join_the_landing_query() {
        assert_eq!(
            landing_url("https://shop.example/", "r_a"),
            "https://shop.example/?ref=r_a"
        );
        assert_eq!(
            landing_url("https://shop.example/?utm_source=referral", "r_a"),
            "https://shop.example/?utm_source=referral&ref=r_a"
        );
        assert_eq!(
            landing_url("https://shop.example/p#top", "r_a"),
            "https://shop.example/p?ref=r_a#top"
        );
    }
}
