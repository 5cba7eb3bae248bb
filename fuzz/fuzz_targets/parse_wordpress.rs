//! `for_platform(Platform::WordPress).parse` on the fuzzed body, once per trigger.
#![no_main]

use std::sync::LazyLock;

use aws_lambda_events::http::HeaderMap;
use liaison_fuzz::{headers, parse, source};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::{Platform, Source};

static SOURCE: LazyLock<Source> = LazyLock::new(|| source(Platform::WordPress));
static HEADERS: LazyLock<Vec<HeaderMap>> = LazyLock::new(|| {
    vec![
        headers(&[("x-wp-webhook-name", "create_comment")]),
        headers(&[("x-wp-webhook-name", "update_comment")]),
    ]
});

fuzz_target!(|body: &[u8]| {
    for h in HEADERS.iter() {
        parse(Platform::WordPress, &SOURCE, h, body);
    }
});
