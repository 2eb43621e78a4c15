//! The center's OCSP responder (`eds_ca::ocsp::Responder::answer`, what `POST /ocsp` and
//! `GET /ocsp/{base64}` of `eds serve` run) on any bytes as a request, against a real center in
//! a temporary folder (SQLite register), set up once per process.
//!
//! Seeds: OCSP requests made by OpenSSL (`fuzz/seeds/ocsp_responder`, see docs/fuzzing.md).
//!
//! Beyond "no panic": every answer is a DER `OCSPResponse` whose status is the one reported, a
//! refused request names its problem, and a request answered `successful` followed by one more
//! byte is `malformedRequest` (DER has no trailing data).
#![no_main]

use std::sync::OnceLock;

use der::Decode;
use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::ocsp::{OcspResponseStatus, Responder};
use libfuzzer_sys::fuzz_target;
use ring::rand::SystemRandom;
use time::OffsetDateTime;
use time::macros::datetime;

const PASS: &[u8] = b"fuzz passphrase";
const NOW: OffsetDateTime = datetime!(2026-06-01 10:00 UTC);

fn center() -> &'static (Center, Responder) {
    static CENTER: OnceLock<(Center, Responder)> = OnceLock::new();
    CENTER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("eds-fuzz-ocsp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let rng = SystemRandom::new();
        let config = CenterConfig {
            algorithm: KeyAlgorithm::P256,
            ..CenterConfig::default()
        };
        let center = Center::init(&dir, config, PASS, NOW - time::Duration::days(1), &rng)
            .expect("a center in a temporary folder");
        let responder = Responder::load(&center, PASS, NOW, &rng).expect("the responder");
        (center, responder)
    })
}

// The center is made (keys, PBKDF2) in libFuzzer's init hook, before its per-input timeout
// starts counting: on a loaded machine under AddressSanitizer it can take longer than one input may.
fuzz_target!(init: {
    let _ = center();
}, |data: &[u8]| {
    let (center, responder) = center();
    let answer = responder.answer(center.store(), data, NOW);
    let parsed = x509_ocsp::OcspResponse::from_der(&answer.der).expect("a DER OCSPResponse");
    assert_eq!(parsed.response_status, answer.status);
    assert_eq!(
        answer.problem.is_some(),
        answer.status != OcspResponseStatus::Successful
    );
    if answer.status == OcspResponseStatus::Successful {
        let mut longer = data.to_vec();
        longer.push(0);
        let again = responder.answer(center.store(), &longer, NOW);
        assert_eq!(again.status, OcspResponseStatus::MalformedRequest);
    }
});
