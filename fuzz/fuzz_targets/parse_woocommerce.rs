//! `for_platform(Platform::WooCommerce).parse` on the fuzzed body.
#![no_main]

use std::sync::LazyLock;

use aws_lambda_events::http::HeaderMap;
use liaison_fuzz::{headers, parse, source};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::{Platform, Source};

static SOURCE: LazyLock<Source> = LazyLock::new(|| source(Platform::WooCommerce));
static HEADERS: LazyLock<Vec<HeaderMap>> = LazyLock::new(|| {
    vec![headers(&[
        ("x-wc-webhook-topic", "order.updated"),
        ("x-wc-webhook-delivery-id", "6f1b2e9c"),
    ])]
});

fuzz_target!(|body: &[u8]| {
    for h in HEADERS.iter() {
        parse(Platform::WooCommerce, &SOURCE, h, body);
    }
});
