//! WooCommerce's unsigned save-time ping: the input is the POST body.
#![no_main]

use aws_lambda_events::query_map::QueryMap;
use liaison_fuzz::handshake;
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::Platform;

fuzz_target!(|body: &[u8]| {
    handshake(Platform::WooCommerce, "POST", &QueryMap::default(), body);
});
