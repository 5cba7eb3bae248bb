//! `for_platform(Platform::Shopify).parse` on the fuzzed body, once per topic.
#![no_main]

use std::sync::LazyLock;

use aws_lambda_events::http::HeaderMap;
use liaison_fuzz::{headers, parse, source};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::{Platform, Source};

static SOURCE: LazyLock<Source> = LazyLock::new(|| source(Platform::Shopify));
static HEADERS: LazyLock<Vec<HeaderMap>> = LazyLock::new(|| {
    vec![
        headers(&[
            ("x-shopify-shop-domain", "maison-lumiere.myshopify.com"),
            ("x-shopify-topic", "checkouts/update"),
            ("x-shopify-event-id", "98880550-7158-44d4-b7cd-2c97c8a091b5"),
        ]),
        headers(&[
            ("x-shopify-shop-domain", "maison-lumiere.myshopify.com"),
            ("x-shopify-topic", "orders/create"),
            ("x-shopify-event-id", "98880550-7158-44d4-b7cd-2c97c8a091b5"),
        ]),
        headers(&[
            ("x-shopify-shop-domain", "maison-lumiere.myshopify.com"),
            ("x-shopify-topic", "customers/create"),
            (
                "x-shopify-webhook-id",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            ),
        ]),
    ]
});

fuzz_target!(|body: &[u8]| {
    for h in HEADERS.iter() {
        parse(Platform::Shopify, &SOURCE, h, body);
    }
});
