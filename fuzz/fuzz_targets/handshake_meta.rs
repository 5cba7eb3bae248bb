//! Meta's verification GET: the input's lines are `hub.mode`, `hub.verify_token` and
//! `hub.challenge`.
#![no_main]

use liaison_fuzz::{handshake, query};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::Platform;

fuzz_target!(|data: &[u8]| {
    let q = query(&["hub.mode", "hub.verify_token", "hub.challenge"], data);
    handshake(Platform::Meta, "GET", &q, b"");
});
