//! `/admin/programmes`: the brand's partner, reseller and affiliate domains, affiliate ids,
//! testers, media and association domains (`shared::contracts::programmes`), from which
//! identify proposes contact types. Testers are stored as keyed hashes only: `GET` shows
//! those hashes (and how many), never an address.

use aws_sdk_dynamodb::Client;
use serde_json::json;
use shared::contracts::programmes::{self, Programmes, ProgrammesSpec};
use shared::kit::auth::Caller;
use shared::kit::http::{self, Request, Response};
use shared::Error;

pub struct ProgrammeLists {
    pub client: Client,
    pub settings_table: String,
    /// The contacts' lookup key: testers are hashed as their identities' lookups are.
    pub hash_key: Vec<u8>,
    pub clock: shared::kit::clock::Clock,
}

impl ProgrammeLists {
    pub async fn get(&self) -> Result<Response, Error> {
        let stored = programmes::get(&self.client, &self.settings_table).await?;
        Ok(http::json(200, &body(stored.as_ref())))
    }

    pub async fn put(&self, req: &Request, caller: &Caller) -> Result<Response, Error> {
        let spec: ProgrammesSpec = http::json_body(req)?;
        let stored = programmes::get(&self.client, &self.settings_table).await?;
        let lists = spec.resolve(&stored.map(|s| s.lists).unwrap_or_default(), &self.hash_key)?;
        let saved = Programmes {
            lists,
            updated_at: self.clock.now(),
            updated_by: caller.subject.clone(),
        };
        programmes::save(&self.client, &self.settings_table, &saved).await?;
        // Counts only: a domain is a business's, a tester a person.
        tracing::info!(
            partner_domains = saved.lists.partner_domains.len(),
            reseller_domains = saved.lists.reseller_domains.len(),
            affiliate_domains = saved.lists.affiliate_domains.len(),
            affiliate_ids = saved.lists.affiliate_ids.len(),
            media_domains = saved.lists.media_domains.len(),
            association_domains = saved.lists.association_domains.len(),
            testers = saved.lists.testers.len(),
            "programmes saved"
        );
        Ok(http::json(200, &body(Some(&saved))))
    }
}

/// The lists as staff see them, with the built-in media domains and the caps.
pub fn body(stored: Option<&Programmes>) -> serde_json::Value {
    let lists = stored.map(|s| s.lists.clone()).unwrap_or_default();
    json!({
        "partner_domains": lists.partner_domains,
        "reseller_domains": lists.reseller_domains,
        "affiliate_domains": lists.affiliate_domains,
        "affiliate_ids": lists.affiliate_ids,
        "media_domains": lists.media_domains,
        "association_domains": lists.association_domains,
        "testers": lists.testers,
        "built_in_media_domains": programmes::MEDIA_DOMAINS,
        "max_entries": programmes::MAX_ENTRIES,
        "max_testers": programmes::MAX_TESTERS,
        "updated_at": stored.map(|s| s.updated_at),
        "updated_by": stored.map(|s| s.updated_by.as_str()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_never_set_should_read_empty_with_the_built_in_media() {
        let shown = body(None);
        assert_eq!(shown["partner_domains"], json!([]));
        assert_eq!(shown["testers"], json!([]));
        assert!(shown["built_in_media_domains"]
            .as_array()
            .unwrap()
            .contains(&json!("lemonde.fr")));
        assert_eq!(shown["updated_at"], json!(null));
    }
}
