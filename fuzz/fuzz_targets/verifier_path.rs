//! Path validation on hostile certificates: the input is split into certificates (each a
//! 2-byte big-endian length and its bytes; the first byte chooses the §6.1.1 policy inputs),
//! then `path::validate` from the first through the rest to the last as trust anchor, and the
//! checks after the signatures (`path::fuzz_evaluate`: profile, basic constraints, name
//! constraints, the policy tree, validity) on the certificates as one chain.
//!
//! Seeds: NIST PKITS chains (`seeds/verifier_path`, made by `seeds/make-verifier-path-seeds.sh`).
//!
//! Beyond "no panic": a path found ends at the anchor given and starts at the leaf given.
#![no_main]

use eds_verifier::cert::Cert;
use eds_verifier::path::{self, PathOptions, PolicyOptions};
use eds_verifier::trust::TrustList;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let mut certs = Vec::new();
    while rest.len() >= 2 && certs.len() < 12 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let Some(body) = rest.get(2..2 + len) else {
            break;
        };
        if let Ok(cert) = Cert::from_der(body) {
            certs.push(cert);
        }
        rest = &rest[2 + len..];
    }
    let (Some(leaf), Some(anchor)) = (certs.first(), certs.last()) else {
        return;
    };
    // 2015-01-01T00:00:00Z, inside the PKITS certificates' validity.
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(1_420_070_400) else {
        return;
    };
    let mut opts = PathOptions::at(at);
    opts.policy = PolicyOptions {
        initial_policy_set: if flags & 1 == 1 {
            vec![der::asn1::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.1")]
        } else {
            Vec::new()
        },
        initial_policy_mapping_inhibit: flags & 2 == 2,
        initial_explicit_policy: flags & 4 == 4,
        initial_any_policy_inhibit: flags & 8 == 8,
    };
    if let Ok(trust) = TrustList::from_certs(vec![anchor.clone()]) {
        let inters = certs.get(1..certs.len().saturating_sub(1)).unwrap_or_default();
        if let Ok(found) = path::validate(leaf, inters, &trust, &opts) {
            assert_eq!(found.chain.first(), Some(leaf));
            assert_eq!(found.chain.last(), Some(anchor));
        }
    }
    let _ = path::fuzz_evaluate(&certs, &opts);
});
