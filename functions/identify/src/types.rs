//! Contact types detected and proposed: what a contribution says of its author (their name,
//! their email's domain, their site, the links they post) read against the brand's
//! programmes (`shared::contracts::programmes`: partner, reseller, affiliate, media and
//! association domains, affiliate ids, testers) and a few well-known signs (a media domain,
//! a blog platform, `.asso.fr`, affiliate parameters in links). The strongest sign gives a
//! proposal with its reason, written on the profile for staff to confirm or dismiss
//! (`shared::contracts::contacts::proposals`); nothing is proposed over a type staff set.
//!
//! Strength, strongest first: the brand's tester list (5); the brand's partner, reseller
//! and affiliate domains and affiliate ids (4); a media or association domain (3); the
//! name's and the profile bio's words and a blog URL (2); an affiliate parameter in a link
//! (2, `ref=` alone 1).
//!
//! A reseller is proposed as a `partner` (reason `reseller: ...`): there is no reseller type.
//! A bio comes from X (the user's `description`) and YouTube (the channel's, through the
//! poller's `channels.list`); Discourse, WordPress, Meta and Trustpilot send none.
//!
//! Detection is pure ([`detect`]); [`Programmes`] does the I/O: the lists through the
//! settings cache, the profile's facts (one `GetItem`, only when there is something to
//! propose or the author is a voice routing cares for), the proposal's conditional write.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shared::contracts::contacts::identity::Identity;
use shared::contracts::contacts::proposals::{self, Facts, Proposal};
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::events::{Author, Contribution, ContributionAction};
use shared::contracts::programmes::{self, is_under, Lists, MEDIA_DOMAINS};
use shared::contracts::rules::Label;
use shared::contracts::sources::Platform;
use shared::contracts::work::AuthorAudience;
use shared::Error;

use crate::routing::Voice;
use crate::settings::Cached;

/// The brand's lists, ready to match.
#[derive(Debug, Default)]
pub struct Book {
    partner: Vec<String>,
    reseller: Vec<String>,
    affiliate: Vec<String>,
    affiliate_ids: HashSet<String>,
    /// The built-in media domains and the brand's.
    media: Vec<String>,
    association: Vec<String>,
    testers: HashSet<String>,
}

impl Book {
    pub fn new(lists: Lists) -> Book {
        let mut media: Vec<String> = MEDIA_DOMAINS.iter().map(|d| d.to_string()).collect();
        media.extend(lists.media_domains);
        Book {
            partner: lists.partner_domains,
            reseller: lists.reseller_domains,
            affiliate: lists.affiliate_domains,
            affiliate_ids: lists.affiliate_ids.into_iter().collect(),
            media,
            association: lists.association_domains,
            testers: lists.testers.into_iter().collect(),
        }
    }
}

/// What detection reads of a contribution.
pub struct Seen<'a> {
    pub author: &'a Author,
    pub text: &'a str,
    /// The lookup keys (keyed hashes) of the author's identities, for the tester list.
    pub identity_keys: &'a [String],
}

/// Blog platforms: an author whose site is there writes a blog.
const BLOG_HOSTS: [&str; 10] = [
    "wordpress.com",
    "blogspot.com",
    "substack.com",
    "medium.com",
    "over-blog.com",
    "canalblog.com",
    "hautetfort.com",
    "tumblr.com",
    "ghost.io",
    "hashnode.dev",
];

/// Words in a name that say its author writes for the press (folded: no accents).
const PRESS_WORDS: [&str; 11] = [
    "journaliste",
    "journalistes",
    "journalist",
    "journalists",
    "redaction",
    "redacteur",
    "redactrice",
    "editor",
    "reporter",
    "reporters",
    "newsroom",
];

/// Words in a name that say an association speaks.
const ASSOCIATION_WORDS: [&str; 10] = [
    "association",
    "asso",
    "federation",
    "club",
    "foundation",
    "fondation",
    "charity",
    "ngo",
    "ong",
    "collectif",
];

/// Words in a bio that say its author writes a blog ("blogueuse mode", "tech blogger").
const BLOG_WORDS: [&str; 7] = [
    "blog",
    "blogger",
    "bloggeuse",
    "blogueuse",
    "blogueur",
    "blogeuse",
    "vlogger",
];

/// Link parameters that carry an affiliate's id, and how telling each is.
const AFFILIATE_PARAMETERS: [(&str, u8); 5] = [
    ("aff", 2),
    ("affiliate", 2),
    ("aff_id", 2),
    ("affid", 2),
    ("ref", 1),
];

/// The strongest sign of what the author is, with its reason; `None`: nothing telling.
/// Of equal strength, the first found in the order of the module's list.
pub fn detect(book: &Book, seen: &Seen<'_>) -> Option<Proposal> {
    let mut found: Vec<Proposal> = Vec::new();
    let mut say = |contact_type, strength, reason: String| {
        found.push(Proposal {
            contact_type,
            reason,
            strength,
        })
    };
    if seen.identity_keys.iter().any(|k| book.testers.contains(k)) {
        say(ContactType::Tester, 5, "on the tester list".into());
    }
    let places = places(seen.author);
    for (what, host) in &places {
        let on = |list: &[String]| list.iter().find(|d| is_under(host, d)).cloned();
        if let Some(d) = on(&book.partner) {
            say(
                ContactType::Partner,
                4,
                format!("{what} {d} is a partner domain"),
            );
        }
        if let Some(d) = on(&book.reseller) {
            say(
                ContactType::Partner,
                4,
                format!("reseller: {what} {d} is a reseller domain"),
            );
        }
        if let Some(d) = on(&book.affiliate) {
            say(
                ContactType::Affiliate,
                4,
                format!("{what} {d} is an affiliate domain"),
            );
        }
    }
    let links = links(seen.text);
    for link in &links {
        for (name, value) in &link.parameters {
            if book.affiliate_ids.contains(value.as_str()) {
                say(
                    ContactType::Affiliate,
                    4,
                    format!("link carries affiliate id {value} ({name}=)"),
                );
            }
        }
    }
    for (what, host) in &places {
        if let Some(d) = book.media.iter().find(|d| is_under(host, d)) {
            say(
                ContactType::Journalist,
                3,
                format!("{what} {d} is a media domain"),
            );
        }
        if let Some(d) = book.association.iter().find(|d| is_under(host, d)) {
            say(
                ContactType::Association,
                3,
                format!("{what} {d} is an association's domain"),
            );
        } else if is_under(host, "asso.fr") {
            say(
                ContactType::Association,
                3,
                format!("{what} {host} is an association's (.asso.fr)"),
            );
        }
    }
    let name_words = words(seen.author.name.as_deref().unwrap_or_default());
    if let Some((written, _)) = name_words
        .iter()
        .find(|(_, f)| PRESS_WORDS.contains(&f.as_str()))
    {
        say(ContactType::Journalist, 2, format!("name says '{written}'"));
    }
    if let Some((written, _)) = name_words
        .iter()
        .find(|(_, f)| ASSOCIATION_WORDS.contains(&f.as_str()))
    {
        say(
            ContactType::Association,
            2,
            format!("name says '{written}'"),
        );
    }
    if let Some(bio) = seen.author.bio.as_deref() {
        let bio_words = words(bio);
        let said = |list: &[&str]| {
            bio_words
                .iter()
                .find(|(_, f)| list.contains(&f.as_str()))
                .map(|(written, _)| written.clone())
        };
        if let Some(written) = said(&PRESS_WORDS) {
            say(ContactType::Journalist, 2, format!("bio says '{written}'"));
        }
        // "Book club", "fan club": a bio's club is a pastime, not the author's association.
        let associations: Vec<&str> = ASSOCIATION_WORDS
            .iter()
            .copied()
            .filter(|w| *w != "club")
            .collect();
        if let Some(written) = said(&associations) {
            say(ContactType::Association, 2, format!("bio says '{written}'"));
        }
        if let Some(written) = said(&BLOG_WORDS) {
            say(ContactType::Blogger, 2, format!("bio says '{written}'"));
        }
    }
    if let Some(host) = blog(seen.author) {
        say(
            ContactType::Blogger,
            2,
            format!("author URL {host} is a blog"),
        );
    }
    for link in &links {
        if let Some((name, value, strength)) = affiliate_parameter(link) {
            say(
                ContactType::Affiliate,
                strength,
                format!("link carries an affiliate parameter ({name}={value})"),
            );
        }
    }
    // The first of the strongest.
    let best = found.iter().map(|p| p.strength).max()?;
    found.into_iter().find(|p| p.strength == best)
}

/// Where the author writes from: their email's domain and their site's host (the URL they
/// gave, and the blog a connector found behind it).
fn places(author: &Author) -> Vec<(&'static str, String)> {
    let mut places = Vec::new();
    if let Some(domain) = author
        .email
        .as_deref()
        .and_then(|e| e.trim().rsplit_once('@'))
        .map(|(_, d)| d.trim_end_matches('.').to_lowercase())
        .filter(|d| d.contains('.'))
    {
        places.push(("email domain", domain));
    }
    for url in [author.url.as_deref(), author.audience.blog_url.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(link) = Link::parse(url) {
            if !places.iter().any(|(_, h)| *h == link.host) {
                places.push(("author URL", link.host));
            }
        }
    }
    places
}

/// The blog the author writes, by its host: a blog platform's site, or the site a
/// connector found to be a blog (`Audience::blog_url`).
fn blog(author: &Author) -> Option<String> {
    if let Some(link) = author.audience.blog_url.as_deref().and_then(Link::parse) {
        return Some(link.host);
    }
    let link = author.url.as_deref().and_then(Link::parse)?;
    BLOG_HOSTS
        .iter()
        .any(|b| is_under(&link.host, b) || link.host.contains(".blogspot."))
        .then_some(link.host)
}

/// The words of a name: as written (lower case) and folded (no accents).
fn words(name: &str) -> Vec<(String, String)> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let written = w.to_lowercase();
            let folded = crate::classify::text::fold(&written).trim().to_string();
            (written, folded)
        })
        .collect()
}

/// A link's parameter that marks it an affiliate's: `aff=`, `affiliate=`, `aff_id=`,
/// `ref=`, `utm_medium=affiliate`, Amazon's `tag=`.
fn affiliate_parameter(link: &Link) -> Option<(String, String, u8)> {
    let amazon = link.host.starts_with("amazon.") || link.host.contains(".amazon.");
    let mut best: Option<(String, String, u8)> = None;
    for (name, value) in &link.parameters {
        let strength = match name.as_str() {
            "utm_medium" if value == "affiliate" => 2,
            "tag" if amazon => 2,
            other => AFFILIATE_PARAMETERS
                .iter()
                .find(|(n, _)| *n == other)
                .map_or(0, |(_, s)| *s),
        };
        if strength > 0 && best.as_ref().is_none_or(|(_, _, s)| strength > *s) {
            best = Some((name.clone(), value.clone(), strength));
        }
    }
    best
}

/// A link as detection reads it: its host and its query's parameters (names and values in
/// lower case; values as written otherwise).
#[derive(Debug, PartialEq)]
struct Link {
    host: String,
    parameters: Vec<(String, String)>,
}

impl Link {
    /// `https://user@www.Shop.fr:443/p?aff=ABC&x#top`: host `shop.fr`, `[(aff, abc), (x, "")]`.
    /// A bare `www.` link is read too; anything else is not a link.
    fn parse(raw: &str) -> Option<Link> {
        let raw = raw.trim();
        let lower = raw.to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &raw[8..]
        } else if lower.starts_with("http://") {
            &raw[7..]
        } else if lower.starts_with("www.") {
            raw
        } else {
            return None;
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host.split(':').next().unwrap_or_default();
        let host = host.trim_end_matches('.').to_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
        if !host.contains('.')
            || host
                .chars()
                .any(|c| !(c.is_alphanumeric() || c == '.' || c == '-'))
        {
            return None;
        }
        let query = rest[end..]
            .split_once('?')
            .map(|(_, q)| q.split('#').next().unwrap_or_default())
            .unwrap_or_default();
        let parameters = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (name, value) = p.split_once('=').unwrap_or((p, ""));
                (name.to_lowercase(), value.to_lowercase())
            })
            .collect();
        Some(Link { host, parameters })
    }
}

/// Every link in a text: `http(s)://` or `www.` up to the next space, without the
/// punctuation a sentence puts after it.
fn links(text: &str) -> Vec<Link> {
    text.split(char::is_whitespace)
        .filter_map(|word| {
            let start = word
                .to_ascii_lowercase()
                .find("http://")
                .or_else(|| word.to_ascii_lowercase().find("https://"))
                .or_else(|| word.to_ascii_lowercase().find("www."))?;
            let word = &word[start..];
            Link::parse(
                word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '"', '\'', '>']),
            )
        })
        .take(20)
        .collect()
}

/// How routing hears the author: a blogger's or an association's voice. Their type says so;
/// while staff have not settled it, so does this contribution's detected type (never a
/// journalist's: the press owner takes over only once staff confirm, so that no customer
/// loses a case on a guess).
pub fn voice_of(facts: &Facts, detected: Option<&Proposal>) -> Option<Voice> {
    let of = |t: ContactType| match t {
        ContactType::Blogger => Some(Voice::Blogger),
        ContactType::Association => Some(Voice::Association),
        _ => None,
    };
    match facts.contact_type {
        ContactType::Blogger | ContactType::Association => of(facts.contact_type),
        ContactType::Prospect | ContactType::Customer | ContactType::Visitor
            if facts.unsettled() =>
        {
            detected
                .filter(|p| !facts.dismissed.contains(&p.contact_type))
                .and_then(|p| of(p.contact_type))
        }
        _ => None,
    }
}

/// The author's audience for their items: the reach their profile keeps, or what this
/// contribution measures, the larger.
pub fn audience_of(
    facts: &Facts,
    author: &Author,
    platform: Platform,
    now: DateTime<Utc>,
) -> AuthorAudience {
    let kept = AuthorAudience {
        reach: facts.reach.unwrap_or(0.0),
        basis: facts.reach_basis.clone(),
        measured_at: facts.reach_at,
    };
    match shared::contracts::contacts::scores::reach(&author.audience, platform) {
        Some(m) if m.reach > kept.reach => AuthorAudience {
            reach: (m.reach * 100.0).round() / 100.0,
            basis: Some(m.basis),
            measured_at: Some(now),
        },
        _ => kept,
    }
}

/// What [`Programmes::consider`] found: how routing hears the author, and their audience
/// for the items they open.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Heard {
    pub voice: Option<Voice>,
    pub audience: Option<AuthorAudience>,
}

/// The brand's programme lists (through the settings cache) and the profiles they propose
/// types on.
pub struct Programmes {
    lists: Cached<Book>,
    client: aws_sdk_dynamodb::Client,
    contacts_table: String,
    hash_key: Vec<u8>,
}

impl Programmes {
    pub fn new(
        client: aws_sdk_dynamodb::Client,
        settings_table: impl Into<String>,
        contacts_table: impl Into<String>,
        hash_key: Vec<u8>,
        ttl: Duration,
    ) -> Programmes {
        Programmes {
            lists: Cached::new(client.clone(), settings_table, programmes::PK, ttl),
            client,
            contacts_table: contacts_table.into(),
            hash_key,
        }
    }

    pub async fn book(&self) -> Result<Arc<Book>, Error> {
        self.lists
            .get(|items| Book::new(programmes::from_partition(items)))
            .await
    }

    /// Proposes a type for `contact_id` when `contribution` says more of them than their
    /// profile does (not for spam, nor a deletion), and tells how routing hears them.
    #[allow(clippy::too_many_arguments)]
    pub async fn consider(
        &self,
        contact_id: Option<&str>,
        current: Option<ContactType>,
        platform: Platform,
        contribution: &Contribution,
        identities: &[Identity],
        label: Label,
        now: DateTime<Utc>,
    ) -> Result<Heard, Error> {
        let Some(contact_id) = contact_id else {
            return Ok(Heard::default());
        };
        if contribution.action == ContributionAction::Deleted || label == Label::Spam {
            return Ok(Heard::default());
        }
        let book = self.book().await?;
        let keys: Vec<String> = identities
            .iter()
            .map(|i| i.lookup_key(&self.hash_key))
            .collect();
        let seen = Seen {
            author: &contribution.author,
            text: &contribution.text,
            identity_keys: &keys,
        };
        let detected = detect(&book, &seen).filter(|p| Some(p.contact_type) != current);
        let voiced = matches!(
            current,
            Some(ContactType::Blogger | ContactType::Association | ContactType::Journalist)
        );
        if detected.is_none() && !voiced {
            return Ok(Heard::default());
        }
        let table = &self.contacts_table;
        let Some(facts) = proposals::facts(&self.client, table, contact_id).await? else {
            return Ok(Heard::default());
        };
        if let Some(proposal) = detected.as_ref().filter(|p| facts.welcomes(p)) {
            if proposals::propose(&self.client, table, contact_id, proposal, now).await? {
                // The type and its strength only: a reason may name a domain.
                tracing::info!(
                    contact_id,
                    proposed_type = proposal.contact_type.as_str(),
                    strength = proposal.strength,
                    "contact type proposed"
                );
            }
        }
        let voice = voice_of(&facts, detected.as_ref());
        let audience = (voice.is_some() || facts.contact_type == ContactType::Journalist)
            .then(|| audience_of(&facts, &contribution.author, platform, now));
        Ok(Heard { voice, audience })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::contracts::events::Audience;

    fn book() -> Book {
        Book::new(Lists {
            partner_domains: vec!["acme-distrib.fr".into()],
            reseller_domains: vec!["lampes-shop.fr".into()],
            affiliate_domains: vec!["bons-plans.fr".into()],
            affiliate_ids: vec!["lum42".into()],
            media_domains: vec!["deco-mag.fr".into()],
            association_domains: vec!["amis-du-luminaire.org".into()],
            testers: vec!["email#tester".into()],
        })
    }

    fn author(name: Option<&str>, email: Option<&str>, url: Option<&str>) -> Author {
        Author {
            name: name.map(str::to_string),
            email: email.map(str::to_string),
            url: url.map(str::to_string),
            ..Author::default()
        }
    }

    fn detected(author: &Author, text: &str, keys: &[&str]) -> Option<(ContactType, String, u8)> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let seen = Seen {
            author,
            text,
            identity_keys: &keys,
        };
        detect(&book(), &seen).map(|p| (p.contact_type, p.reason, p.strength))
    }

    fn of(author: Author, text: &str) -> Option<(ContactType, String)> {
        detected(&author, text, &[]).map(|(t, r, _)| (t, r))
    }

    #[test]
    fn a_bio_should_say_a_journalist_a_blogger_or_an_association_but_not_a_pastime() {
        let with_bio = |bio: &str| Author {
            name: Some("Camille".into()),
            bio: Some(bio.into()),
            ..Author::default()
        };
        assert_eq!(
            of(
                with_bio("Journaliste conso @ un quotidien régional. Avis perso."),
                "hi"
            ),
            Some((ContactType::Journalist, "bio says 'journaliste'".into()))
        );
        assert_eq!(
            of(with_bio("Blogueuse déco et DIY 🌿 | Lyon"), "hi"),
            Some((ContactType::Blogger, "bio says 'blogueuse'".into()))
        );
        assert_eq!(
            of(with_bio("Association de consommateurs du Nord"), "hi"),
            Some((ContactType::Association, "bio says 'association'".into()))
        );
        // A book club is a pastime; a bio of nothing telling proposes nothing.
        assert_eq!(
            of(with_bio("Mum of two, book club, tea addict"), "hi"),
            None
        );
        // A stronger sign still wins: the brand's partner domain over the bio's words.
        let partner = Author {
            email: Some("jo@acme-distrib.fr".into()),
            ..with_bio("tech blogger")
        };
        assert_eq!(
            of(partner, "hi").map(|(t, _)| t),
            Some(ContactType::Partner)
        );
    }

    #[test]
    fn the_tester_list_should_propose_a_tester_whatever_else_is_said() {
        let writer = author(Some("Ada, rédaction"), Some("ada@acme-distrib.fr"), None);
        assert_eq!(
            detected(&writer, "hello", &["email#other", "email#tester"]),
            Some((ContactType::Tester, "on the tester list".into(), 5))
        );
    }

    #[test]
    fn the_brands_domains_should_propose_partners_resellers_and_affiliates() {
        assert_eq!(
            of(author(None, Some("Jean@Acme-Distrib.fr"), None), "hi"),
            Some((
                ContactType::Partner,
                "email domain acme-distrib.fr is a partner domain".into()
            ))
        );
        // A subdomain is the domain's; a reseller is a partner, said so.
        assert_eq!(
            of(author(None, Some("a@mail.lampes-shop.fr"), None), "hi"),
            Some((
                ContactType::Partner,
                "reseller: email domain lampes-shop.fr is a reseller domain".into()
            ))
        );
        assert_eq!(
            of(
                author(None, None, Some("https://www.bons-plans.fr/luminaires")),
                "hi"
            ),
            Some((
                ContactType::Affiliate,
                "author URL bons-plans.fr is an affiliate domain".into()
            ))
        );
        // A lookalike is nobody.
        assert_eq!(
            of(author(None, Some("a@notacme-distrib.fr"), None), "hi"),
            None
        );
    }

    #[test]
    fn a_link_with_the_brands_affiliate_id_or_an_affiliate_parameter_should_propose_an_affiliate() {
        let text = "Super lampe ! https://shop.example/lampe?utm_source=blog&aff=LUM42, foncez.";
        assert_eq!(
            detected(&author(None, None, None), text, &[]),
            Some((
                ContactType::Affiliate,
                "link carries affiliate id lum42 (aff=)".into(),
                4
            ))
        );
        let generic = |text: &str| detected(&author(None, None, None), text, &[]);
        assert_eq!(
            generic("voir https://shop.example/p?affiliate=zz9"),
            Some((
                ContactType::Affiliate,
                "link carries an affiliate parameter (affiliate=zz9)".into(),
                2
            ))
        );
        assert_eq!(
            generic("https://shop.example/p?aff_id=7").map(|d| d.2),
            Some(2)
        );
        assert_eq!(
            generic("https://shop.example/p?utm_medium=affiliate&utm_source=x").map(|d| d.2),
            Some(2)
        );
        assert_eq!(
            generic("(https://www.amazon.fr/dp/B0?tag=lumi-21)").map(|d| d.1),
            Some("link carries an affiliate parameter (tag=lumi-21)".into())
        );
        // `ref=` alone says little; `tag=` off Amazon and `utm_medium=social` nothing.
        assert_eq!(
            generic("https://shop.example/?ref=bob").map(|d| d.2),
            Some(1)
        );
        assert_eq!(
            generic("https://shop.example/?tag=summer&utm_medium=social"),
            None
        );
        assert_eq!(generic("no link at all, ref=bob"), None);
    }

    #[test]
    fn a_media_domain_built_in_or_the_brands_should_propose_a_journalist() {
        assert_eq!(
            of(author(Some("Ines"), Some("ines@lemonde.fr"), None), "hi"),
            Some((
                ContactType::Journalist,
                "email domain lemonde.fr is a media domain".into()
            ))
        );
        assert_eq!(
            of(
                author(None, None, Some("http://redaction.deco-mag.fr")),
                "hi"
            ),
            Some((
                ContactType::Journalist,
                "author URL deco-mag.fr is a media domain".into()
            ))
        );
    }

    #[test]
    fn the_names_words_should_propose_a_journalist_or_an_association() {
        for (name, word) in [
            ("Ines Martin - Rédaction", "rédaction"),
            ("Paul, journaliste indépendant", "journaliste"),
            ("Rédacteur en chef", "rédacteur"),
            ("Tech Editor", "editor"),
            ("Field reporter", "reporter"),
        ] {
            assert_eq!(
                of(author(Some(name), None, None), "hi"),
                Some((ContactType::Journalist, format!("name says '{word}'"))),
                "{name}"
            );
        }
        for (name, word) in [
            ("Association Les Amis du Luminaire", "association"),
            ("Asso Quartier Nord", "asso"),
            ("Fédération française de la lumière", "fédération"),
            ("Club photo de Lyon", "club"),
            ("Light Foundation", "foundation"),
            ("Kids Charity", "charity"),
        ] {
            assert_eq!(
                of(author(Some(name), None, None), "hi"),
                Some((ContactType::Association, format!("name says '{word}'"))),
                "{name}"
            );
        }
        // Inside another word, nothing.
        assert_eq!(
            of(
                author(Some("Assorted Editorials Clubhouse"), None, None),
                "hi"
            ),
            None
        );
    }

    #[test]
    fn an_associations_domain_should_propose_an_association() {
        assert_eq!(
            of(
                author(None, Some("contact@lumiere-nord.asso.fr"), None),
                "hi"
            ),
            Some((
                ContactType::Association,
                "email domain lumiere-nord.asso.fr is an association's (.asso.fr)".into()
            ))
        );
        assert_eq!(
            of(
                author(None, None, Some("https://amis-du-luminaire.org/")),
                "hi"
            ),
            Some((
                ContactType::Association,
                "author URL amis-du-luminaire.org is an association's domain".into()
            ))
        );
    }

    #[test]
    fn a_blog_url_should_propose_a_blogger() {
        for (url, host) in [
            ("https://lumiere.substack.com/p/1", "lumiere.substack.com"),
            ("https://lumiere.wordpress.com", "lumiere.wordpress.com"),
            ("http://lumiere.blogspot.fr/", "lumiere.blogspot.fr"),
            ("https://medium.com/@lumiere", "medium.com"),
        ] {
            assert_eq!(
                of(author(None, None, Some(url)), "hi"),
                Some((ContactType::Blogger, format!("author URL {host} is a blog"))),
                "{url}"
            );
        }
        // A commenter's website a connector found to be a blog (WordPress).
        let commenter = Author {
            url: Some("https://maison-lumiere.fr/".into()),
            audience: Audience {
                blog_url: Some("https://maison-lumiere.fr/".into()),
                ..Audience::default()
            },
            ..Author::default()
        };
        assert_eq!(
            of(commenter, "hi"),
            Some((
                ContactType::Blogger,
                "author URL maison-lumiere.fr is a blog".into()
            ))
        );
        // Any other site is not a blog on its own.
        assert_eq!(
            of(author(None, None, Some("https://maison-lumiere.fr")), "hi"),
            None
        );
    }

    #[test]
    fn the_strongest_sign_should_win() {
        // A journalist's address beats a blog; the brand's partner list beats a media domain.
        let both = author(
            Some("Ines"),
            Some("ines@lemonde.fr"),
            Some("https://ines.substack.com"),
        );
        assert_eq!(of(both, "hi").map(|d| d.0), Some(ContactType::Journalist));
        let partner = author(None, Some("a@acme-distrib.fr"), Some("https://lemonde.fr"));
        assert_eq!(of(partner, "hi").map(|d| d.0), Some(ContactType::Partner));
        assert_eq!(
            of(
                author(Some("Ada"), Some("ada@gmail.com"), None),
                "Super lampe"
            ),
            None
        );
    }

    fn facts(t: ContactType, set_by: Option<&str>) -> Facts {
        Facts {
            contact_type: t,
            type_set_by: set_by.map(str::to_string),
            proposed: None,
            dismissed: vec![],
            reach: None,
            reach_basis: None,
            reach_at: None,
        }
    }

    #[test]
    fn a_type_staff_set_should_never_be_proposed_over_nor_routed_by_detection() {
        let partner = of(author(None, Some("a@acme-distrib.fr"), None), "hi").unwrap();
        let proposal = Proposal {
            contact_type: partner.0,
            reason: partner.1,
            strength: 4,
        };
        assert!(facts(ContactType::Prospect, None).welcomes(&proposal));
        assert!(!facts(ContactType::Customer, Some("camille")).welcomes(&proposal));
        let blogger = Proposal {
            contact_type: ContactType::Blogger,
            reason: "author URL x.substack.com is a blog".into(),
            strength: 2,
        };
        assert!(!facts(ContactType::Prospect, Some("camille")).welcomes(&blogger));
        assert_eq!(
            voice_of(
                &facts(ContactType::Prospect, Some("camille")),
                Some(&blogger)
            ),
            None
        );
    }

    #[test]
    fn bloggers_and_associations_should_be_heard_as_such_and_a_guessed_journalist_not() {
        let proposed = |t| Proposal {
            contact_type: t,
            reason: "r".into(),
            strength: 2,
        };
        let prospect = facts(ContactType::Prospect, None);
        assert_eq!(
            voice_of(&facts(ContactType::Blogger, Some("camille")), None),
            Some(Voice::Blogger)
        );
        assert_eq!(
            voice_of(&facts(ContactType::Association, None), None),
            Some(Voice::Association)
        );
        assert_eq!(
            voice_of(&prospect, Some(&proposed(ContactType::Blogger))),
            Some(Voice::Blogger)
        );
        assert_eq!(
            voice_of(
                &facts(ContactType::Customer, None),
                Some(&proposed(ContactType::Association))
            ),
            Some(Voice::Association)
        );
        assert_eq!(
            voice_of(&prospect, Some(&proposed(ContactType::Journalist))),
            None
        );
        assert_eq!(voice_of(&prospect, None), None);
        assert_eq!(
            voice_of(
                &facts(ContactType::Partner, None),
                Some(&proposed(ContactType::Blogger))
            ),
            None
        );
        let dismissed = Facts {
            dismissed: vec![ContactType::Blogger],
            ..prospect
        };
        assert_eq!(
            voice_of(&dismissed, Some(&proposed(ContactType::Blogger))),
            None
        );
    }

    #[test]
    fn the_audience_should_be_the_profiles_or_this_contributions_the_larger() {
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let kept = Facts {
            reach: Some(40.0),
            reach_basis: Some("discourse trust_level 4".into()),
            reach_at: Some(now),
            ..facts(ContactType::Blogger, None)
        };
        let blog = Author {
            audience: Audience {
                blog_url: Some("https://lumiere.blog".into()),
                ..Audience::default()
            },
            ..Author::default()
        };
        let shown = audience_of(&kept, &blog, Platform::WordPress, now);
        assert_eq!(
            (shown.reach, shown.basis.as_deref()),
            (40.0, Some("discourse trust_level 4"))
        );
        let unmeasured = facts(ContactType::Blogger, None);
        let shown = audience_of(&unmeasured, &blog, Platform::WordPress, now);
        assert!(shown.reach > 0.0);
        assert_eq!(shown.basis.as_deref(), Some("blog https://lumiere.blog"));
        let nothing = audience_of(&unmeasured, &Author::default(), Platform::WordPress, now);
        assert_eq!((nothing.reach, nothing.basis), (0.0, None));
    }

    #[test]
    fn links_should_be_read_without_their_sentence() {
        let read = links("Vu sur https://User@WWW.Shop.fr:443/p?Aff=ABC&x#top. Et (www.autre.fr/a?ref=1), ou rien://pas.ça");
        assert_eq!(
            read,
            vec![
                Link {
                    host: "shop.fr".into(),
                    parameters: vec![("aff".into(), "abc".into()), ("x".into(), "".into())],
                },
                Link {
                    host: "autre.fr".into(),
                    parameters: vec![("ref".into(), "1".into())],
                },
            ]
        );
    }
}
