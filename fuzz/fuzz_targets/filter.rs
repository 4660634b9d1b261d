//! Fuzzes the `$filter` and `$orderby` parser and checker with the future-actions property
//! list. It compiles the very files the server uses (`src/api/filter.rs` and
//! `src/api/properties.rs`), with nothing else of Stratus. Any panic, overflow or
//! unbounded recursion is a crash; errors must point inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/api/filter.rs"]
#[allow(dead_code)]
mod filter;
#[path = "../../src/api/properties.rs"]
#[allow(dead_code)]
mod properties;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let length = text.chars().count();
    for result in [
        filter::parse_filter(text, properties::FUTURE_ACTIONS).map(|_| ()),
        filter::parse_order_by(text, properties::FUTURE_ACTIONS).map(|_| ()),
    ] {
        if let Err(error) = result {
            assert!(!error.message.is_empty());
            if let Some(position) = error.position {
                assert!(position <= length.max(filter::MAX_LENGTH), "position {position} past the input ({length})");
            }
        }
    }
});
