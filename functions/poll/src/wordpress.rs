//! WordPress comments through the REST API (`/wp-json/wp/v2/comments?context=edit`, an
//! application password): approved and held comments since the cursor, oldest first, to
//! catch what the WP Webhooks plugin (which never retries) missed. The mapping and the
//! dedupe key are the connector's, so a comment seen both ways is queued once, and a
//! comment approved later is a new state, hence a new event.

use chrono::{DateTime, Utc};
use ingest::connectors::wordpress::{normalise, WpComment};
use ingest::connectors::Normalised;
use serde::Deserialize;
use shared::events::{ContributionAction, Event};

use crate::fetch::Fetcher;
use crate::wp_rest::{self, Login, Window};
use crate::{Batch, Failure};

#[derive(Deserialize)]
struct RestComment {
    id: u64,
    #[serde(default)]
    post: u64,
    #[serde(default)]
    parent: u64,
    #[serde(default)]
    author: u64,
    #[serde(default)]
    author_name: Option<String>,
    #[serde(default)]
    author_email: Option<String>,
    #[serde(default)]
    author_url: Option<String>,
    date_gmt: String,
    #[serde(default)]
    content: Content,
    status: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize, Default)]
struct Content {
    #[serde(default)]
    raw: Option<String>,
    #[serde(default)]
    rendered: Option<String>,
}

const STATUSES: [&str; 2] = ["approve", "hold"];

pub async fn poll(
    fetcher: &Fetcher,
    site_url: &str,
    login: &Login<'_>,
    window: &Window,
) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    let mut newest = window.cursor;
    let mut complete = true;
    let after = window.after();
    let url = format!("{}/wp-json/wp/v2/comments", site_url.trim_end_matches('/'));
    for status in STATUSES {
        let query = [
            ("context", "edit"),
            ("status", status),
            ("after", after.as_str()),
            ("orderby", "date_gmt"),
            ("order", "asc"),
        ];
        complete &= wp_rest::pages(
            fetcher,
            &url,
            login,
            &query,
            window,
            &mut batch,
            |comment: RestComment, batch| match map(comment, site_url) {
                Ok((at, normalised)) => {
                    newest = newest.max(at);
                    batch.events.push(normalised);
                }
                Err(detail) => batch.skipped.push(detail),
            },
        )
        .await?;
    }
    batch.new_cursor = complete.then_some(newest);
    Ok(batch)
}

fn map(c: RestComment, site_url: &str) -> Result<(DateTime<Utc>, Normalised), String> {
    let some = |n: u64| (n != 0).then(|| n.to_string());
    let comment = WpComment {
        id: c.id.to_string(),
        post_id: some(c.post),
        comment_author: c.author_name,
        comment_author_email: c.author_email,
        comment_author_url: c.author_url,
        // `raw` is what the database holds, as the plugin sends it: the same dedupe key.
        comment_content: c.content.raw.or(c.content.rendered).unwrap_or_default(),
        comment_date_gmt: Some(c.date_gmt),
        comment_approved: c.status,
        comment_parent: some(c.parent),
        user_id: some(c.author),
        comment_type: c.kind,
    };
    let (key, contribution) = normalise(comment, ContributionAction::Created, Some(site_url))
        .map_err(|(reason, detail)| format!("{reason}: {detail}"))?;
    Ok((
        contribution.created_at,
        Normalised {
            dedupe_key: key,
            event: Event::Contribution(contribution),
        },
    ))
}
