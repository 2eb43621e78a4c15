//! `eds_verifier::ocsp::check_response` (the OCSP response checker) on any bytes, as an answer
//! about the national center's RSA test signing certificate from its RSA test CA, without and
//! with a nonce, at the time the center's real answer was produced.
//!
//! Seeds: the national center's OCSP answers: `cargo fuzz run verifier_ocsp corpus/verifier_ocsp
//! ../fixtures/nca/ocsp`.
//!
//! Beyond "no panic": an accepted answer has thisUpdate no later than now plus the skew, and a
//! response accepted with a nonce echoed says so.
#![no_main]

use eds_verifier::cert::Cert;
use eds_verifier::ocsp::{CheckOptions, check_response};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

static CA: &[u8] = include_bytes!("../../fixtures/nca/ca/nca_rsa_test.crt");
static LEAF: &[u8] = include_bytes!("../../fixtures/nca/p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer");

fuzz_target!(|data: &[u8]| {
    let ca = Cert::all_from_pem_or_der(CA).unwrap().remove(0);
    let leaf = Cert::from_der(LEAF).unwrap();
    let now = datetime!(2022-09-02 17:00 UTC);
    let options = CheckOptions::default();
    for nonce in [None, Some(&[0xB5, 0xE5, 0xC9, 0xB5, 0x52, 0xCB, 0xCA, 0xC4][..])] {
        match check_response(data, &leaf, &ca, nonce, now, &options) {
            Ok(checked) => {
                assert!(checked.this_update <= now + options.skew);
                assert_eq!(checked.nonce_checked, nonce.is_some());
            }
            Err(err) => {
                let _ = err.to_string();
            }
        }
    }
});
