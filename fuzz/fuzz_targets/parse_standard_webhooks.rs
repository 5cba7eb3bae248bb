//! `for_platform(Platform::StandardWebhooks).parse` on the fuzzed body (Liaison's envelope).
#![no_main]

use std::sync::LazyLock;

use aws_lambda_events::http::HeaderMap;
use liaison_fuzz::{headers, parse, source};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::{Platform, Source};

static SOURCE: LazyLock<Source> = LazyLock::new(|| source(Platform::StandardWebhooks));
static HEADERS: LazyLock<Vec<HeaderMap>> =
    LazyLock::new(|| vec![headers(&[("webhook-id", "msg_2mPq7Lk9")])]);

fuzz_target!(|body: &[u8]| {
    for h in HEADERS.iter() {
        parse(Platform::StandardWebhooks, &SOURCE, h, body);
    }
});
