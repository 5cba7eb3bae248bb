//! What each platform takes from an answer: which channels reach people there, the longest
//! text each takes, the login a source needs to publish, and the text as it goes out (the
//! visible tags that become hashtags). The staff API refuses what this refuses, before
//! anything is stored; the answers function follows the same table.

use crate::contracts::sources::{Platform, Source};

use super::{Channel, Tags, Target};

/// The longest email answer, in characters.
pub const MAX_EMAIL_CHARS: usize = 20_000;

/// Where the brand's reply URL is kept on a Standard Webhooks source.
pub const REPLY_URL_SETTING: &str = "reply_url";

/// The two networks behind one Meta app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaNetwork {
    Facebook,
    Instagram,
}

/// Which network a Meta contribution is on, from its id: the Graph API names a Page's
/// comments and posts `{object-id}_{id}`, while Instagram's comment and media ids are bare
/// numbers.
pub fn meta_network(external_id: &str) -> MetaNetwork {
    if external_id.contains('_') {
        MetaNetwork::Facebook
    } else {
        MetaNetwork::Instagram
    }
}

/// Whether `channel` reaches the author of `target` on its platform, and the longest text it
/// takes there, in characters (hashtags included where they are added); else why not.
pub fn reach(target: &Target, channel: Channel) -> Result<usize, String> {
    use Channel::*;
    use Platform::*;
    let none = |why: &str| Err(why.to_string());
    match (target.platform, channel) {
        (_, Email) => Ok(MAX_EMAIL_CHARS),
        // A MySQL TEXT column (65,535 bytes) holds the escaped HTML: a third of it in
        // characters leaves room for any script and escape.
        (WordPress, PublicReply) => Ok(20_000),
        (WordPress, PrivateMessage) => none("WordPress has no private messages: answer by email"),
        // Discourse's default `max_post_length`.
        (Discourse, PublicReply | PrivateMessage) => Ok(32_000),
        (Meta, PublicReply) => Ok(match meta_network(&target.external_id) {
            MetaNetwork::Facebook => 8_000,
            MetaNetwork::Instagram => 2_200,
        }),
        // Messenger's text message, Instagram's direct message.
        (Meta, PrivateMessage) => Ok(match meta_network(&target.external_id) {
            MetaNetwork::Facebook => 2_000,
            MetaNetwork::Instagram => 1_000,
        }),
        (X, PublicReply) => Ok(280),
        (X, PrivateMessage) => Ok(10_000),
        (YouTube, PublicReply) => Ok(10_000),
        (YouTube, PrivateMessage) => none("YouTube has no private messages: answer by email"),
        (Trustpilot, PublicReply) => Ok(2_048),
        (Trustpilot, PrivateMessage) => none("Trustpilot has no private messages: answer by email"),
        (StandardWebhooks, PublicReply | PrivateMessage) => Ok(20_000),
        (Shopify | WooCommerce, _) => none("a store event has nothing to answer under"),
        (Zendesk | HubSpot, _) => none("a helpdesk's or a CRM's news has nothing to answer under"),
    }
}

/// How long after a comment its platform takes a private reply to it: Meta's Private
/// Replies, 7 days. Other platforms' private messages have no such window.
pub fn private_reply_window(target: &Target) -> Option<chrono::Duration> {
    (target.platform == Platform::Meta).then(|| chrono::Duration::days(7))
}

/// Why a private reply to `target` can no longer be sent at `now`, if it cannot.
pub fn private_reply_closed(target: &Target, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    let window = private_reply_window(target)?;
    let age = now - target.written_at;
    (age > window).then(|| {
        format!(
            "{} takes a private reply within {} days of the comment; this one is {} days old",
            target.platform,
            window.num_days(),
            age.num_days()
        )
    })
}

/// The settings and credentials a source needs to publish on its platform (an OAuth
/// platform's refresh token and client are optional: without them the access token is
/// used until it expires).
pub fn login(platform: Platform) -> (&'static [&'static str], &'static [&'static str]) {
    match platform {
        Platform::WordPress => (&["site_url"], &["username", "application_password"]),
        Platform::Discourse => (&["instance_url"], &["api_key", "api_username"]),
        Platform::Meta => (&["page_id"], &["page_access_token"]),
        Platform::X | Platform::YouTube => (&[], &["access_token"]),
        Platform::Trustpilot => (&["business_user_id"], &["access_token"]),
        Platform::StandardWebhooks => (
            &[REPLY_URL_SETTING],
            &[crate::contracts::moderation::CALLBACK_SECRET_CREDENTIAL],
        ),
        Platform::Shopify | Platform::WooCommerce | Platform::Zendesk | Platform::HubSpot => {
            (&[], &[])
        }
    }
}

/// Whether the source has what publishing on its platform needs (the brand's login).
pub fn can_publish(source: &Source) -> bool {
    if matches!(
        source.platform,
        Platform::Shopify | Platform::WooCommerce | Platform::Zendesk | Platform::HubSpot
    ) {
        return false;
    }
    let (settings, credentials) = login(source.platform);
    settings.iter().all(|s| source.setting(s).is_some())
        && credentials
            .iter()
            .all(|c| source.credentials.get(c).is_some())
}

/// Whether Liaison applies moderation decisions on this source's platform by its API (with
/// the brand's login); Standard Webhooks sources get the signed decision webhook instead.
pub fn moderates_by_api(source: &Source) -> bool {
    matches!(
        source.platform,
        Platform::WordPress | Platform::Discourse | Platform::Meta | Platform::YouTube
    ) && can_publish(source)
}

/// The text as it goes out on the platform: on X a public reply carries its visible tags as
/// hashtags (`-` is not a hashtag character: it becomes `_`). Elsewhere visible tags go
/// where the platform keeps tags (Discourse topic tags), or stay in Liaison.
pub fn outgoing_text(target: &Target, channel: Channel, text: &str, tags: &Tags) -> String {
    if target.platform == Platform::X && channel == Channel::PublicReply && !tags.visible.is_empty()
    {
        let hashtags: Vec<String> = tags
            .visible
            .iter()
            .map(|t| format!("#{}", t.replace('-', "_")))
            .collect();
        return format!("{text}\n\n{}", hashtags.join(" "));
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn target(platform: Platform, external_id: &str) -> Target {
        Target {
            source_id: "src_1".into(),
            platform,
            external_id: external_id.into(),
            thread_id: None,
            author_id: None,
            written_at: Utc::now(),
        }
    }

    #[test]
    fn each_platform_should_say_its_channels_and_limits() {
        let x = target(Platform::X, "1860012345678901249");
        assert_eq!(reach(&x, Channel::PublicReply), Ok(280));
        let facebook = target(Platform::Meta, "123456789_987654321");
        let instagram = target(Platform::Meta, "17858893269000001");
        assert_eq!(reach(&facebook, Channel::PublicReply), Ok(8_000));
        assert_eq!(reach(&instagram, Channel::PublicReply), Ok(2_200));
        assert_eq!(reach(&instagram, Channel::PrivateMessage), Ok(1_000));
        assert!(reach(&target(Platform::YouTube, "Ugx"), Channel::PrivateMessage).is_err());
        assert!(reach(&target(Platform::Shopify, "1"), Channel::PublicReply).is_err());
        assert_eq!(
            reach(&target(Platform::Shopify, "1"), Channel::Email),
            Ok(MAX_EMAIL_CHARS)
        );
    }

    #[test]
    fn visible_tags_should_become_hashtags_on_x_only() {
        let tags = Tags {
            visible: vec!["late-delivery".into(), "help".into()],
            hidden: vec!["courier".into()],
        };
        let x = target(Platform::X, "1");
        assert_eq!(
            outgoing_text(&x, Channel::PublicReply, "On it.", &tags),
            "On it.\n\n#late_delivery #help"
        );
        assert_eq!(
            outgoing_text(&x, Channel::PrivateMessage, "On it.", &tags),
            "On it."
        );
        let wp = target(Platform::WordPress, "7");
        assert_eq!(
            outgoing_text(&wp, Channel::PublicReply, "On it.", &tags),
            "On it."
        );
    }
}
