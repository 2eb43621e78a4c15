//! `eds_verifier::cert::Cert::from_der` on any bytes, then every accessor of the parsed
//! certificate (names, validity, serial, extensions decoded one by one, URLs), and
//! `Cert::all_from_pem_or_der`.
//!
//! Seeds: the national center's certificates as DER (`seeds/holder`):
//! `cargo fuzz run verifier_cert corpus/verifier_cert seeds/holder`.
//!
//! Beyond "no panic": a parsed certificate's DER is the input, its fingerprint is the SHA-256 of
//! the input, the same bytes parse again to an equal certificate, and the validity window
//! contains its own start and end.
#![no_main]

use eds_verifier::cert::Cert;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = Cert::from_der(data) {
        assert_eq!(cert.der(), data);
        assert_eq!(
            cert.sha256().as_slice(),
            ring::digest::digest(&ring::digest::SHA256, data).as_ref()
        );
        assert_eq!(Cert::from_der(data).unwrap(), cert);
        let _ = (
            cert.x509(),
            cert.subject_der(),
            cert.issuer_der(),
            cert.spki_der(),
        );
        let _ = (
            cert.public_key_bytes(),
            cert.public_key_algorithm(),
            cert.serial_hex(),
        );
        let _ = (cert.subject(), cert.issuer(), cert.is_self_issued());
        if cert.not_before() <= cert.not_after() {
            assert!(cert.is_valid_at(cert.not_before()));
            assert!(cert.is_valid_at(cert.not_after()));
        }
        let _ = (cert.subject_key_id(), cert.authority_key_id());
        let _ = (
            cert.basic_constraints(),
            cert.key_usage(),
            cert.extended_key_usage(),
        );
        let _ = (
            cert.policies(),
            cert.crl_urls(),
            cert.ocsp_urls(),
            cert.ca_issuer_urls(),
        );
        let _ = format!("{cert:?}");
    }
    let _ = Cert::all_from_pem_or_der(data);
});
