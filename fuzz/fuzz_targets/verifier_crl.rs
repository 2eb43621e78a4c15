//! `eds_verifier::crl::Crl::parse` (the one-pass DER walk and index) on any bytes, then lookups,
//! freshness and the signature check against the national center's RSA test CA.
//!
//! Seeds: the national center's CRLs: `cargo fuzz run verifier_crl corpus/verifier_crl
//! ../fixtures/nca/crl`.
//!
//! Beyond "no panic": a CRL that parses parses again from its PEM form to the same issuer, times
//! and entry count; a lookup of the empty serial finds nothing; nextUpdate, when present, makes
//! `is_fresh` true at thisUpdate exactly when thisUpdate <= nextUpdate.
#![no_main]

use eds_verifier::cert::Cert;
use eds_verifier::crl::Crl;
use libfuzzer_sys::fuzz_target;

static CA: &[u8] = include_bytes!("../../fixtures/nca/ca/nca_rsa_test.crt");

fuzz_target!(|data: &[u8]| {
    let crl = match Crl::parse(data) {
        Ok(crl) => crl,
        Err(err) => {
            let _ = err.to_string();
            return;
        }
    };
    let pem = pem::encode(&pem::Pem::new("X509 CRL", crl.der().to_vec()));
    let again = Crl::parse(pem.as_bytes()).unwrap();
    assert_eq!(again.len(), crl.len());
    assert_eq!(again.issuer_der(), crl.issuer_der());
    assert_eq!(again.this_update(), crl.this_update());
    assert_eq!(again.next_update(), crl.next_update());
    assert_eq!(crl.lookup(&[]), None);
    for serial in [&[0u8][..], &[1], &[0x47, 0x4C, 0x38, 0x69], &[0xFF; 20]] {
        let _ = crl.lookup(serial);
        let _ = crl.lookup_for(serial, crl.issuer_der());
    }
    let _ = (crl.defect(), crl.delta_base(), crl.freshest_urls(), crl.scope());
    if let Some(next) = crl.next_update() {
        assert_eq!(crl.is_fresh(crl.this_update()), crl.this_update() <= next);
    }
    let _ = crl.issuer();
    let ca = Cert::all_from_pem_or_der(CA).unwrap().remove(0);
    if let Err(err) = crl.verify(&ca) {
        let _ = err.to_string();
    }
});
