//! `for_platform(Platform::Trustpilot).parse` on the fuzzed body.
#![no_main]

use std::sync::LazyLock;

use aws_lambda_events::http::HeaderMap;
use liaison_fuzz::{headers, parse, source};
use libfuzzer_sys::fuzz_target;
use shared::source::{Platform, Source};

static SOURCE: LazyLock<Source> = LazyLock::new(|| source(Platform::Trustpilot));
static HEADERS: LazyLock<Vec<HeaderMap>> = LazyLock::new(|| vec![HeaderMap::new()]);

fuzz_target!(|body: &[u8]| {
    for h in HEADERS.iter() {
        parse(Platform::Trustpilot, &SOURCE, h, body);
    }
});
