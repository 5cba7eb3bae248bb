//! `ingest::text::html_to_text` on the fuzzed text (invalid UTF-8 replaced).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let _ = std::hint::black_box(ingest::text::html_to_text(&html));
});
