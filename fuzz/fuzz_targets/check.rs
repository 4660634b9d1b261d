//! The fuzz target's check, one input at a time: it compiles inside the fuzz target
//! (`fuzz_targets/filter.rs`) and inside the integration tests (`tests/it/fuzz_corpus.rs`,
//! which runs it over `fuzz/seeds` and `fuzz/corpus` on stable Rust in every CI run).
//! The parent module provides `filter` and `properties` (the server's own files).
//!
//! Any panic, overflow or unbounded recursion is a crash; an error must say something
//! and point inside the input (at most at its end).

use super::{filter, properties};

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let length = text.chars().count();
    for result in [
        filter::parse_filter(text, properties::FUTURE_ACTIONS).map(|_| ()),
        filter::parse_order_by(text, properties::FUTURE_ACTIONS).map(|_| ()),
    ] {
        if let Err(error) = result {
            assert!(!error.message.is_empty(), "an error without a message for {text:?}");
            if let Some(position) = error.position {
                assert!(position <= length, "position {position} past the input ({length} characters): {text:?}");
            }
        }
    }
}
