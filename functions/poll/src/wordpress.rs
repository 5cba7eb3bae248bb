//! WordPress comments through the REST API (`/wp-json/wp/v2/comments?context=edit`, an
//! application password): approved and held comments since the cursor, oldest first, to
//! catch what the WP Webhooks plugin (which never retries) missed. The mapping and the
//! dedupe key are the connector's, so a comment seen both ways is queued once, and a
//! comment approved later is a new state, hence a new event.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ingest::connectors::wordpress::{normalise, WpComment};
use ingest::connectors::Normalised;
use serde::Deserialize;
use shared::events::{ContributionAction, Event};

use crate::fetch::Fetcher;
use crate::{total_pages, Batch, Failure};

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

pub struct Params<'a> {
    pub site_url: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub cursor: DateTime<Utc>,
    pub units_left: u32,
    pub max_pages: u32,
}

const STATUSES: [&str; 2] = ["approve", "hold"];

pub async fn poll(fetcher: &Fetcher, p: &Params<'_>) -> Result<Batch, Failure> {
    let mut batch = Batch::default();
    let mut newest = p.cursor;
    let mut complete = true;
    // One second of overlap: `after` is exclusive and dates have second precision.
    let after = (p.cursor - Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let url = format!(
        "{}/wp-json/wp/v2/comments",
        p.site_url.trim_end_matches('/')
    );
    for status in STATUSES {
        let mut page = 1u32;
        loop {
            if batch.units >= p.units_left || page > p.max_pages {
                complete = false;
                break;
            }
            let page_text = page.to_string();
            let request = fetcher
                .get(&url)
                .basic_auth(p.username, Some(p.password))
                .query(&[
                    ("context", "edit"),
                    ("status", status),
                    ("after", after.as_str()),
                    ("orderby", "date_gmt"),
                    ("order", "asc"),
                    ("per_page", "100"),
                    ("page", page_text.as_str()),
                ]);
            batch.units += 1;
            let response = fetcher
                .json::<Vec<RestComment>>(request)
                .await
                .map_err(|error| Failure {
                    error,
                    units: batch.units,
                })?;
            for comment in response.body {
                match map(comment, p.site_url) {
                    Ok((at, normalised)) => {
                        newest = newest.max(at);
                        batch.events.push(normalised);
                    }
                    Err(detail) => batch.skipped.push(detail),
                }
            }
            if page >= total_pages(&response.headers) {
                break;
            }
            page += 1;
        }
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
