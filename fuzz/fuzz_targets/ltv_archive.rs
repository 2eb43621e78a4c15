//! The CAdES-LT/LTA readers on any input: `ltv::archive_tokens` for every signer the CMS reader
//! finds (the raw TLV walk of the message, the ATSHashIndexV3 and the stamped data), and the
//! signer's `archive::archive_input` and `lt::covered_certificates` over the same bytes.
//!
//! Beyond "no panic": rebuilt stamped data starts with the eContentType's DER (an OBJECT
//! IDENTIFIER), and an archive input ends with the index it returns.
#![no_main]

use eds_signer::cms::{archive, lt};
use eds_verifier::{cms, ltv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = cms::parse(data) {
        for signer in &doc.signers {
            if let Ok(tokens) = ltv::archive_tokens(data, signer, None) {
                for token in tokens {
                    if let Ok(stamped) = token.stamped {
                        assert_eq!(stamped.first(), Some(&0x06), "eContentType first");
                    }
                }
            }
            if let Ok(input) = archive::archive_input(data, &signer.signature, None) {
                assert!(input.data.ends_with(&input.hash_index));
            }
        }
    }
    let _ = lt::covered_certificates(data);
});
