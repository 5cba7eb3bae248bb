//! Authors' audience measured once a week (Discourse members, Instagram commenters): each
//! author due, one after another, within the run's budget and time. An author who cannot be
//! measured (a hidden profile, a personal account) is done for the week like one who was; a
//! failing platform stops the run there, the measures so far kept.

use chrono::{DateTime, Utc};

use super::fetch::FetchError;
use super::state::{due_for_measure, PollState};
use super::wp_rest::Window;
use super::Batch;
use crate::request::Normalised;

/// How a platform measures one of its authors.
pub trait Measurer {
    type Author;
    /// For the logs: which API failed.
    const API: &'static str;
    /// The author's key in the poll state's `measured`.
    fn key(author: &Self::Author) -> String;
    /// The calls a measure costs at most.
    fn calls(author: &Self::Author) -> u32;
    /// The measure (its calls counted on `batch`); `None`: nothing to measure this week.
    fn measure(
        &self,
        author: &Self::Author,
        batch: &mut Batch,
    ) -> impl std::future::Future<Output = Result<Option<Normalised>, FetchError>> + Send;
}

/// Measures each of `authors` due at `now`; whether every one due was (else the cursor stays
/// where it is, and the next run goes on).
pub async fn each_due<M: Measurer + Sync>(
    measurer: &M,
    authors: &[M::Author],
    batch: &mut Batch,
    window: &Window,
    state: &PollState,
    now: DateTime<Utc>,
) -> bool
where
    M::Author: Sync,
{
    for author in authors {
        let key = M::key(author);
        if !due_for_measure(state, &key, now) {
            continue;
        }
        if batch.units + M::calls(author) > window.units_left
            || std::time::Instant::now() >= window.deadline
        {
            tracing::info!(
                api = M::API,
                "budget or time spent; the other authors are measured next run"
            );
            return false;
        }
        match measurer.measure(author, batch).await {
            Ok(Some(event)) => {
                batch.events.push(event);
                batch.measured.push(key);
            }
            // Not there to measure this week: skipped, not retried every run.
            Ok(None) => batch.measured.push(key),
            Err(error) => {
                tracing::warn!(api = M::API, error = %error, "measuring stops here");
                return false;
            }
        }
    }
    true
}
