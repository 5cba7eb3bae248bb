//! What the functions log about refused input: the code and the field, never the input
//! itself. Alone in its test binary: tracing's per-callsite interest is global to the
//! process, so a subscriber scoped to one test thread can miss events when other tests run
//! beside it.

use e2e::{create_source, deliver};
use liaison_local::harness;

/// What the functions log while a test runs on this thread (the runner and every function
/// run on the test's own single-threaded runtime).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn a_refused_payload_should_be_named_in_the_log_never_quoted() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "blog").await;
    let body = serde_json::json!({
        "type": "contribution.created",
        "data": {"id": "c1", "kind": "victim.secret@example.com", "text": "Hello",
                 "created_at": "2026-11-23T10:00:00Z"}
    })
    .to_string();
    let resp = deliver(&system, &source, "msg_quoted", body.as_bytes()).await;
    let status = resp.status().as_u16();
    let error = resp.text().await.unwrap_or_default();
    assert_eq!(status, 400, "{error}");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("webhook refused"), "{log}");
    assert!(log.contains("data.kind"), "{log}");
    assert!(!log.contains("victim"), "{log}");
}
