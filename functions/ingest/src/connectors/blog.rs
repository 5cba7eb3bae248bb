//! Whether the website a commenter typed is a blog: its readers are an audience
//! (`Audience::blog_url`, a modest reach and a `blog` basis that type detection can use).
//!
//! Nothing is fetched: a delivery is never slowed by a stranger's site. A website is taken
//! for a blog unless it is a profile on a network or a marketplace (whose audience is that
//! platform's, measured there), the brand's own site, an address without a public name, or
//! not a web page at all. What is kept is the site without query or fragment (tracking
//! parameters say nothing of the blog) and without credentials.

use url::{Host, Url};

/// Hosts whose pages are profiles or shops, not blogs (subdomains included).
const NOT_BLOGS: [&str; 30] = [
    "facebook.com",
    "fb.com",
    "instagram.com",
    "x.com",
    "twitter.com",
    "youtube.com",
    "youtu.be",
    "tiktok.com",
    "linkedin.com",
    "pinterest.com",
    "threads.net",
    "bsky.app",
    "snapchat.com",
    "reddit.com",
    "twitch.tv",
    "discord.com",
    "discord.gg",
    "t.me",
    "wa.me",
    "linktr.ee",
    "github.com",
    "google.com",
    "gmail.com",
    "amazon.com",
    "amazon.fr",
    "ebay.com",
    "etsy.com",
    "leboncoin.fr",
    "vinted.fr",
    "trustpilot.com",
];

fn is_under(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// The blog behind `typed` (a commenter's website field), `None` when it is not one.
/// `own_site`: the brand's site (the source's `site_url`), never counted as a blog.
pub fn blog_url(typed: &str, own_site: Option<&str>) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() || typed.len() > 2_000 {
        return None;
    }
    let url = Url::parse(typed)
        .or_else(|_| Url::parse(&format!("https://{typed}")))
        .ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    // An IP address or a single label (`localhost`) is nobody's public blog.
    let Some(Host::Domain(host)) = url.host() else {
        return None;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if !host.contains('.') {
        return None;
    }
    let bare = host.strip_prefix("www.").unwrap_or(&host);
    if NOT_BLOGS.iter().any(|d| is_under(bare, d)) {
        return None;
    }
    let own = own_site
        .and_then(|s| Url::parse(s.trim()).ok())
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()));
    if own.is_some_and(|own| own.strip_prefix("www.").unwrap_or(&own) == bare) {
        return None;
    }
    let path = url.path().trim_end_matches('/');
    Some(format!("{}://{host}{path}", url.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_personal_site_should_count_as_a_blog_without_its_tracking() {
        assert_eq!(
            blog_url("https://Lumiere.Blog/", None).as_deref(),
            Some("https://lumiere.blog")
        );
        assert_eq!(
            blog_url("  http://carnet.example.fr/deco/?utm_source=x#top ", None).as_deref(),
            Some("http://carnet.example.fr/deco")
        );
        assert_eq!(
            blog_url("maisondeclaire.wordpress.com", None).as_deref(),
            Some("https://maisondeclaire.wordpress.com")
        );
        assert_eq!(
            blog_url("https://user:pass@blog.example.org/", None).as_deref(),
            Some("https://blog.example.org")
        );
    }

    #[test]
    fn profiles_shops_the_brand_and_non_web_addresses_should_not() {
        for typed in [
            "https://www.instagram.com/helene.lumiere",
            "https://m.facebook.com/helene",
            "https://x.com/ada",
            "https://www.youtube.com/@lumiere",
            "https://www.etsy.com/shop/lumiere",
            "mailto:ada@example.com",
            "javascript:alert(1)",
            "http://192.168.1.10/",
            "http://localhost:8080/",
            "",
            "not a url at all",
        ] {
            assert_eq!(blog_url(typed, None), None, "{typed}");
        }
        let own = Some("https://maison-lumiere.fr");
        assert_eq!(blog_url("https://www.maison-lumiere.fr/blog", own), None);
        // A look-alike is not the brand, nor a subdomain of a network.
        assert!(blog_url("https://notinstagram.com/ada", own).is_some());
    }
}
