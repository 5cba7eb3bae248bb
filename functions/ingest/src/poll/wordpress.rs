//! WordPress comments through the REST API (`/wp-json/wp/v2/comments?context=edit`, an
//! application password): approved and held comments since the cursor, oldest first, to
//! catch what the WP Webhooks plugin (which never retries) missed. The mapping and the
//! dedupe key are the connector's, so a comment seen both ways is queued once, and a
//! comment approved later is a new state, hence a new event.

use crate::connectors::wordpress::{normalise, WpComment};
use crate::request::Normalised;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::contracts::events::{ContributionAction, Event};

use super::fetch::Fetcher;
use super::wp_rest::{self, Login, Window};
use super::{Batch, Failure};

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
    let after = window.after();
    let url = format!("{}/wp-json/wp/v2/comments", site_url.trim_end_matches('/'));
    // Each status gets its share of the run's pages, so that a backlog of one never keeps
    // the other (and so the cursor) from moving.
    let share = Window {
        max_pages: (window.max_pages / STATUSES.len() as u32).max(1),
        ..*window
    };
    let mut reads = Vec::new();
    for status in STATUSES {
        let query = [
            ("context", "edit"),
            ("status", status),
            ("after", after.as_str()),
            ("orderby", "date_gmt"),
            ("order", "asc"),
        ];
        let mut newest = window.cursor;
        let complete = wp_rest::pages(
            fetcher,
            &url,
            login,
            &query,
            &share,
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
        reads.push((complete, newest));
    }
    batch.new_cursor = Some(progress(window.cursor, &reads));
    Ok(batch)
}

/// Where the cursor may move after a run that read, for each status, every page (`true`) or
/// the pages up to its `newest` item (oldest first, so everything before it was read): to the
/// least advanced of the statuses left unfinished, or the newest item of all when none was.
/// Never back. Pure.
pub fn progress(old: DateTime<Utc>, reads: &[(bool, DateTime<Utc>)]) -> DateTime<Utc> {
    let unfinished = reads
        .iter()
        .filter(|(complete, _)| !complete)
        .map(|r| r.1)
        .min();
    let reached = unfinished.unwrap_or_else(|| reads.iter().map(|r| r.1).max().unwrap_or(old));
    reached.max(old)
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

#[cfg(test)]
mod tests {
    use super::progress;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_cursor_should_move_to_what_every_status_has_read() {
        let old = at("2026-11-01T00:00:00Z");
        // Both read to the end: the newest item of all.
        let done = [
            (true, at("2026-11-03T00:00:00Z")),
            (true, at("2026-11-02T00:00:00Z")),
        ];
        assert_eq!(progress(old, &done), at("2026-11-03T00:00:00Z"));
        // Approved comments stopped at the page limit on the 2nd: no further than that, even
        // though held ones were read to the 3rd; the next run goes on from there.
        let backlog = [
            (false, at("2026-11-02T00:00:00Z")),
            (true, at("2026-11-03T00:00:00Z")),
        ];
        assert_eq!(progress(old, &backlog), at("2026-11-02T00:00:00Z"));
        // Nothing read: it stays.
        assert_eq!(progress(old, &[(false, old), (true, old)]), old);
    }
}
