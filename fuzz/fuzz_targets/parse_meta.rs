//! `for_platform(Platform::Meta).parse` on the fuzzed body.
#![no_main]

use std::sync::LazyLock;

use aws_lambda_events::http::HeaderMap;
use liaison_fuzz::{parse, source};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::{Platform, Source};

static SOURCE: LazyLock<Source> = LazyLock::new(|| source(Platform::Meta));
static HEADERS: LazyLock<HeaderMap> = LazyLock::new(HeaderMap::new);

fuzz_target!(|body: &[u8]| {
    parse(Platform::Meta, &SOURCE, &HEADERS, body);
});
