//! `eds_verifier::cms::parse` on any bytes (DER, BER or PEM), then `check_signer` on every
//! SignerInfo it finds (attached content digested, detached content missing), and
//! `read_timestamp_token` on the same bytes.
//!
//! Seeds: signatures made by the signer and by `openssl cms -sign` (BER with `-stream`), and
//! the national center's timestamp token: `cargo fuzz run verifier_cms corpus/verifier_cms
//! seeds/verifier_cms`.
//!
//! Beyond "no panic": a document that parses keeps its signers numbered 0, 1, 2… in order; a
//! signer's check reports the signer's own index; a passing signer has found a certificate, and
//! a signer whose certificate was not found has the NoSigningCertificate failure.
#![no_main]

use eds_verifier::cms::{self, SignerFailure};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = cms::parse(data) {
        for (i, signer) in doc.signers.iter().enumerate() {
            assert_eq!(signer.index, i);
            let check = cms::check_signer(&doc, signer, None, &[]);
            assert_eq!(check.index, i);
            if check.passed() {
                assert!(check.certificate.is_some());
            }
            if check.certificate.is_none() {
                assert!(
                    check
                        .failures
                        .contains(&SignerFailure::NoSigningCertificate)
                );
            }
            for failure in &check.failures {
                let _ = failure.to_string();
            }
        }
        let digests = cms::ContentDigests::of_bytes(&doc, data);
        let _ = doc.signers.first().map(|s| digests.for_signer(s));
    }
    if let Ok(token) = cms::read_timestamp_token(data) {
        let _ = token.check_imprint(data);
    }
});
