//! `for_platform(Platform::Discourse).parse` on the fuzzed body.
#![no_main]

use std::sync::LazyLock;

use aws_lambda_events::http::HeaderMap;
use liaison_fuzz::{headers, parse, source};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::{Platform, Source};

static SOURCE: LazyLock<Source> = LazyLock::new(|| source(Platform::Discourse));
static HEADERS: LazyLock<Vec<HeaderMap>> = LazyLock::new(|| {
    vec![headers(&[
        ("x-discourse-event", "post_created"),
        ("x-discourse-event-type", "post"),
        ("x-discourse-event-id", "77"),
        ("x-discourse-instance", "https://forum.example.com"),
    ])]
});

fuzz_target!(|body: &[u8]| {
    for h in HEADERS.iter() {
        parse(Platform::Discourse, &SOURCE, h, body);
    }
});
