//! `eds_verifier::trust::TrustList::from_bytes` on any bytes: JSON trust lists and certificate
//! bundles (PEM or one DER certificate).
//!
//! Seeds (`seeds/verifier_trust`): a JSON list with an inline PEM certificate, periods and the
//! foreign flag; a PEM bundle of two certificates; one DER certificate; JSON with each field wrong.
//! `cargo fuzz run verifier_trust corpus/verifier_trust seeds/verifier_trust`.
//!
//! Beyond "no panic": a list that reads has at least one center, no period ending before it starts,
//! every center accredited at the start and end of its own period, a centre's certificate that
//! parses again to itself, and the same bytes read again give the same list id.
#![no_main]

use eds_verifier::cert::Cert;
use eds_verifier::trust::TrustList;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(list) = TrustList::from_bytes(data) else {
        return;
    };
    assert!(!list.is_empty());
    assert_eq!(list.len(), list.centers().len());
    for center in list.centers() {
        if let (Some(from), Some(until)) = (center.accredited_from, center.accredited_until) {
            assert!(from <= until);
        }
        if let Some(from) = center.accredited_from {
            assert!(center.accredited_at(from));
        }
        if let Some(until) = center.accredited_until {
            assert!(center.accredited_at(until));
        }
        assert!(!center.name.is_empty());
        assert_eq!(Cert::from_der(center.cert.der()).unwrap(), center.cert);
    }
    let again = TrustList::from_bytes(data).unwrap();
    assert_eq!(again.id(), list.id());
});
