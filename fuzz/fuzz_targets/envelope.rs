//! `ingest::envelope::parse` on the fuzzed bytes (Liaison's generic envelope).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = std::hint::black_box(ingest::envelope::parse(body));
});
