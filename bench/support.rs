//! What the benchmarks share.

/// A fixed-seed xorshift generator: the same data on every run, with no dependency.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed.max(1);
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
