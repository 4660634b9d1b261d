//! Fuzzes the `$filter` and `$orderby` parser and checker with the future-actions property
//! list. It compiles the very files the server uses (`src/api/filter.rs` and
//! `src/api/properties.rs`), with nothing else of Stratus. The check itself is
//! `check.rs`, which the integration tests also run over the seeds and corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/api/filter.rs"]
#[allow(dead_code)]
mod filter;
#[path = "../../src/api/properties.rs"]
#[allow(dead_code)]
mod properties;
#[path = "check.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
