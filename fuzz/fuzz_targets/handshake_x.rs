//! X's CRC check: the input is `crc_token`.
#![no_main]

use aws_lambda_events::query_map::QueryMap;
use liaison_fuzz::handshake;
use libfuzzer_sys::fuzz_target;
use shared::contracts::sources::Platform;

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data).into_owned();
    let q = QueryMap::from(std::collections::HashMap::from([(
        "crc_token".to_string(),
        token,
    )]));
    handshake(Platform::X, "GET", &q, b"");
});
