//! `ingest::connectors::youtube::read_feed` on the fuzzed bytes (the Atom pull parser).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|xml: &[u8]| {
    let _ = std::hint::black_box(ingest::connectors::youtube::read_feed(xml));
});
