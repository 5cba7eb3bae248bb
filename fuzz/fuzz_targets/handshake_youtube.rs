//! The WebSub hub's verification GET: the input's lines are `hub.mode`, `hub.topic` and
//! `hub.challenge` (the source has `channel_id`).
#![no_main]

use liaison_fuzz::{handshake, query};
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::Platform;

fuzz_target!(|data: &[u8]| {
    let q = query(&["hub.mode", "hub.topic", "hub.challenge"], data);
    handshake(Platform::YouTube, "GET", &q, b"");
});
