//! Differential: the fast readers of `eds_verifier::cms` (the borrowed SignerInfo reader and
//! the encapContentInfo / certificates-set shortcuts taken with a warm [`cms::ParseCache`]) give
//! exactly what the general path (the `cms` crate's decoders, no cache) gives, for any input:
//! the same signer infos, the same content, the same certificates, or the same error; and the
//! timestamp token reader with a cache gives what it gives without one.
//!
//! Two caches: one warmed by this input alone (so a failure reproduces from its artifact), and
//! one kept across the whole run (heads and certificate sets of earlier inputs meet mutated
//! later ones). Seeds: the verifier's test signatures (`seeds/verifier_cms`):
//! `cargo fuzz run verifier_cms_fast corpus/verifier_cms_fast seeds/verifier_cms`.
#![no_main]

use std::sync::OnceLock;

use eds_verifier::cms::{self, ParseCache};
use libfuzzer_sys::fuzz_target;

static RUN_CACHE: OnceLock<ParseCache> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let general = cms::parse(data);
    // Cold, then warm with what this input itself left in the cache.
    let own = ParseCache::default();
    assert_eq!(cms::parse_cached(data, Some(&own)), general, "cold cache");
    assert_eq!(cms::parse_cached(data, Some(&own)), general, "warm cache");
    // Warm with every input of the run so far.
    let run = RUN_CACHE.get_or_init(ParseCache::default);
    assert_eq!(cms::parse_cached(data, Some(run)), general, "run cache");
    assert_eq!(cms::parse_cached(data, Some(run)), general, "run cache, again");
    // The timestamp token reader takes the same shortcuts through the cache.
    let token = cms::read_timestamp_token(data);
    assert_eq!(
        cms::read_timestamp_token_cached(data, Some(&own)),
        token,
        "token, warm cache"
    );
    assert_eq!(
        cms::read_timestamp_token_cached(data, Some(run)),
        token,
        "token, run cache"
    );
});
