//! A value a warm function reads at most once per `ttl` (staff settings, campaigns): a
//! change applies within that time, and a message costs no read of its own.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::Error;

pub struct Cached<T> {
    ttl: Duration,
    cell: Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> Cached<T> {
    pub fn new(ttl: Duration) -> Self {
        Cached {
            ttl,
            cell: Mutex::new(None),
        }
    }

    /// The value, from the cache while it is fresh, else from `load`.
    pub async fn get<F, Fut>(&self, load: F) -> Result<Arc<T>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut cell = self.cell.lock().await;
        if let Some((read_at, value)) = cell.as_ref() {
            if read_at.elapsed() < self.ttl {
                return Ok(value.clone());
            }
        }
        let value = Arc::new(load().await?);
        *cell = Some((Instant::now(), value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fresh_value_should_not_be_loaded_again() {
        let cached = Cached::new(Duration::from_secs(60));
        let first = cached.get(|| async { Ok(1) }).await.unwrap();
        let second = cached.get(|| async { Ok(2) }).await.unwrap();
        assert_eq!((*first, *second), (1, 1));
        let stale = Cached::new(Duration::ZERO);
        stale.get(|| async { Ok(1) }).await.unwrap();
        assert_eq!(*stale.get(|| async { Ok(2) }).await.unwrap(), 2);
    }
}
