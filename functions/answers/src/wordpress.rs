//! WordPress's REST API, as the brand's user with an application password (the source's
//! `username` and `application_password`, its `site_url`):
//! - a public reply is `POST /wp/v2/comments` with `post`, `parent` and `content`;
//! - a moderation decision is `POST /wp/v2/comments/{id}` with `status`.
//!
//! Routes go through `?rest_route=`, which every WordPress serves whatever its permalink
//! settings (`/wp-json/` needs pretty permalinks).

use serde_json::{json, Value};
use shared::contracts::answers::{Answer, Channel, Published};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Source;

use crate::call::{self, Call};
use crate::Deps;

/// Comments are stored in a MySQL `TEXT` column: 65,535 bytes, HTML escapes included.
pub const MAX_REPLY_BYTES: usize = 65_000;

/// A site and the login that acts on it.
pub struct Site<'a> {
    url: &'a str,
    user: &'a str,
    password: &'a str,
}

impl<'a> Site<'a> {
    /// The site of a source, or what it lacks.
    pub fn of(deps: &Deps, source: &'a Source) -> Result<Site<'a>, String> {
        match (
            source.setting("site_url"),
            source.credentials.get("username"),
            source.credentials.get("application_password"),
        ) {
            (Some(url), Some(user), Some(password)) => Ok(Site {
                url: crate::staff_url(deps, "site_url", url)?.trim_end_matches('/'),
                user,
                password,
            }),
            _ => Err("the source needs its site_url, username and application_password to answer on WordPress".into()),
        }
    }

    fn route(&self, route: &str) -> String {
        format!("{}/?rest_route={route}", self.url)
    }
}

/// Publishes `answer` (a public reply: WordPress has no private messages).
pub async fn answer(deps: &Deps, source: &Source, answer: &Answer) -> Call<Published> {
    if answer.channel != Channel::PublicReply {
        return Call::refused("WordPress has no private messages");
    }
    let site = match Site::of(deps, source) {
        Ok(site) => site,
        Err(why) => return Call::refused(why),
    };
    let Some(post) = answer.target.thread_id.as_deref() else {
        return Call::refused("the comment's post is not known");
    };
    let now = deps.clock.now();
    reply(
        &deps.http,
        &site,
        post,
        &answer.target.external_id,
        &answer.text,
    )
    .await
    .and_then(|comment| {
        Call::Done(Published {
            platform_id: comment.id,
            permalink: comment.link,
            at: now,
        })
    })
}

/// Applies `decision` to comment `id`.
pub async fn moderate(deps: &Deps, source: &Source, id: &str, decision: Decision) -> Call<()> {
    match Site::of(deps, source) {
        Ok(site) => set_status(&deps.http, &site, id, decision).await,
        Err(why) => Call::refused(why),
    }
}

/// The brand user's reply to the answered comment whose text is `answer`'s, if WordPress
/// has one (an `unknown` answer read back): `GET /wp/v2/users/me` says who the brand's user
/// is, `GET /wp/v2/comments?parent=&author=&context=edit` lists its replies there with their
/// raw text.
pub async fn find(deps: &Deps, source: &Source, answer: &Answer) -> Call<Option<Published>> {
    let site = match Site::of(deps, source) {
        Ok(site) => site,
        Err(why) => return Call::refused(why),
    };
    let Ok(parent) = answer.target.external_id.parse::<u64>() else {
        return Call::refused("the comment's id is not a WordPress id");
    };
    let me = call::json(
        deps.http
            .get(site.route("/wp/v2/users/me"))
            .basic_auth(site.user, Some(site.password)),
    )
    .await;
    let Call::Done(me) = me else {
        return me.and_then(|_| Call::Done(None));
    };
    let Some(user) = me.get("id").and_then(Value::as_u64) else {
        return Call::Unknown {
            reason: "WordPress did not say who the brand's user is".into(),
        };
    };
    let route = format!("/wp/v2/comments&parent={parent}&author={user}&context=edit&per_page=100");
    let text = html(&answer.text);
    let now = deps.clock.now();
    call::json(
        deps.http
            .get(site.route(&route))
            .basic_auth(site.user, Some(site.password)),
    )
    .await
    .and_then(|listed| {
        let found = listed.as_array().and_then(|replies| {
            replies
                .iter()
                .find(|r| r.pointer("/content/raw").and_then(Value::as_str) == Some(&text))
        });
        Call::Done(found.and_then(|reply| match comment(reply) {
            Call::Done(c) => Some(Published {
                platform_id: c.id,
                permalink: c.link,
                at: now,
            }),
            _ => None,
        }))
    })
}

/// What WordPress says a published comment is: its id and where it shows.
pub struct Comment {
    pub id: String,
    pub link: Option<String>,
}

/// Publishes `text` as the brand's reply to comment `parent` under post `post`.
pub async fn reply(
    http: &reqwest::Client,
    site: &Site<'_>,
    post: &str,
    parent: &str,
    text: &str,
) -> Call<Comment> {
    let (Ok(post), Ok(parent)) = (post.parse::<u64>(), parent.parse::<u64>()) else {
        return Call::refused("the comment's post or id is not a WordPress id");
    };
    let request = http
        .post(site.route("/wp/v2/comments"))
        .basic_auth(site.user, Some(site.password))
        .json(&json!({ "post": post, "parent": parent, "content": html(text) }));
    call::json(request).await.and_then(|body| comment(&body))
}

/// Sets comment `id`'s status to what `decision` is on WordPress.
pub async fn set_status(
    http: &reqwest::Client,
    site: &Site<'_>,
    id: &str,
    decision: Decision,
) -> Call<()> {
    if id.parse::<u64>().is_err() {
        return Call::refused("the comment's id is not a WordPress id");
    }
    let request = http
        .post(site.route(&format!("/wp/v2/comments/{id}")))
        .basic_auth(site.user, Some(site.password))
        .json(&json!({ "status": status(decision) }));
    call::json(request).await.and_then(|_| Call::Done(()))
}

/// WordPress's comment status for a decision.
pub fn status(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "approved",
        Decision::Hold => "hold",
        Decision::Spam => "spam",
        // To the bin, where WordPress keeps it 30 days (`EMPTY_TRASH_DAYS`).
        Decision::Delete => "trash",
    }
}

fn comment(body: &Value) -> Call<Comment> {
    let id = body.get("id").and_then(|id| match id {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    });
    match id {
        Some(id) => Call::Done(Comment {
            id,
            link: body.get("link").and_then(Value::as_str).map(str::to_string),
        }),
        None => Call::Unknown {
            reason: "WordPress answered without the comment's id".into(),
        },
    }
}

/// Staff write plain text: escaped, so that the brand's account (which may post raw HTML)
/// publishes exactly what was typed; WordPress turns the line breaks into paragraphs.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_markup_should_be_published_as_text() {
        assert_eq!(
            html("Use <b>code</b> & see\nline two"),
            "Use &lt;b&gt;code&lt;/b&gt; &amp; see\nline two"
        );
    }

    #[test]
    fn a_published_comment_should_give_its_id_and_link() {
        let Call::Done(c) =
            comment(&json!({"id": 42, "link": "https://blog.example/?p=1#comment-42"}))
        else {
            panic!("not done");
        };
        assert_eq!(
            (c.id.as_str(), c.link.as_deref()),
            ("42", Some("https://blog.example/?p=1#comment-42"))
        );
        assert!(matches!(
            comment(&json!({"status": "approved"})),
            Call::Unknown { .. }
        ));
    }

    #[test]
    fn each_decision_should_have_its_wordpress_status() {
        assert_eq!(status(Decision::Approve), "approved");
        assert_eq!(status(Decision::Hold), "hold");
        assert_eq!(status(Decision::Spam), "spam");
        assert_eq!(status(Decision::Delete), "trash");
    }
}
