//! NIST PKITS (fixtures/pkits) through path validation: every case of the suite whose outcome
//! does not depend on revocation, with the RFC 5280 §6.1.1 inputs the PKITS document gives, at
//! its documented result. The revocation cases (sections 4.4, 4.5 with CRLs, 4.7.4-4.7.5, 4.14,
//! 4.15) are run with CRLs in `crl_scope.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use der::asn1::ObjectIdentifier;
use eds_verifier::cert::Cert;
use eds_verifier::path::{PathFailure, PathOptions, PolicyOptions, validate};
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::SubIndication;
use time::macros::datetime;

use eds_fixtures::pkits::{CASES, Case};

fn load(name: &str) -> Cert {
    try_load(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn try_load(name: &str) -> Result<Cert, String> {
    let der = std::fs::read(eds_fixtures::pkits::cert_path(name)).map_err(|e| e.to_string())?;
    Cert::from_der(&der).map_err(|e| e.to_string())
}

/// Whether a case's invalidity is a matter of revocation (CRL processing), not of the path.
fn revocation_only(case: &Case) -> bool {
    let section = &case.id[..3];
    // 4.5.8's fault is in the path (its CA key lacks keyCertSign), the rest of 4.5 is about CRLs.
    (matches!(section, "404" | "405" | "414" | "415") && case.id != "40508")
        || matches!(case.id, "40704" | "40705")
}

/// The DSA cases: valid in PKITS, refused here by algorithm policy (DSA is withdrawn by
/// FIPS 186-5), which must come out as a crypto-constraints failure and never as a forgery.
const DSA: [&str; 2] = ["40104", "40105"];

/// Cases the verifier gets wrong today, each with why; the test fails if the list is not exact,
/// so a fix shows up as a failure asking to shorten it. Empty: every case comes out right.
const KNOWN_WRONG: [(&str, &str); 0] = [];

fn options(case: &Case) -> PathOptions {
    let mut opts = PathOptions::at(datetime!(2015-01-01 00:00 UTC));
    opts.max_signature_checks = 100;
    opts.policy = PolicyOptions {
        initial_policy_set: case
            .policy_set
            .iter()
            .map(|p| ObjectIdentifier::new_unwrap(p))
            .collect(),
        initial_policy_mapping_inhibit: case.inhibit_mapping,
        initial_explicit_policy: case.explicit,
        initial_any_policy_inhibit: case.inhibit_any,
    };
    opts
}

#[test]
fn pkits_paths_at_their_documented_results() {
    let trust = TrustList::from_certs(vec![load(eds_fixtures::pkits::ANCHOR)]).unwrap();
    let mut wrong: Vec<String> = Vec::new();
    let mut known_seen = Vec::new();
    let mut ran = 0;
    for case in CASES {
        let loaded = try_load(case.ee).and_then(|ee| {
            let inters: Vec<Cert> = case
                .inters
                .iter()
                .map(|n| try_load(n))
                .collect::<Result<_, _>>()?;
            Ok((ee, inters))
        });
        let result = match &loaded {
            Ok((ee, inters)) => validate(ee, inters, &trust, &options(case)),
            Err(e) => Err(PathFailure::Malformed {
                index: 0,
                detail: e.clone(),
            }),
        };
        let settings = format!(
            "policy set {:?}, explicit {}, inhibit mapping {}, inhibit any {}",
            case.policy_set, case.explicit, case.inhibit_mapping, case.inhibit_any
        );
        if DSA.contains(&case.id) {
            match &result {
                Err(f @ PathFailure::UnsupportedAlgorithm { .. })
                    if f.sub_indication() == SubIndication::CryptoConstraintsFailure => {}
                other => wrong.push(format!("{} {} (DSA): {other:?}", case.id, case.ee)),
            }
            ran += 1;
            continue;
        }
        if KNOWN_WRONG.iter().any(|(id, _)| *id == case.id) {
            known_seen.push((case.id, result.is_ok() == case.valid));
        }
        match (&result, case.valid) {
            (Ok(_), true) => {}
            (Err(_), false) => {}
            (Ok(_), false) if revocation_only(case) => {}
            (Ok(_), false) => wrong.push(format!(
                "{} {} [{settings}]: accepted, PKITS says invalid",
                case.id, case.ee
            )),
            (Err(e), true) => wrong.push(format!(
                "{} {} [{settings}]: refused ({e}), PKITS says valid",
                case.id, case.ee
            )),
        }
        ran += 1;
    }
    assert_eq!(ran, CASES.len());
    for (id, right) in &known_seen {
        assert!(
            !right,
            "PKITS {id} now comes out right: remove it from KNOWN_WRONG"
        );
    }
    wrong.retain(|w| !KNOWN_WRONG.iter().any(|(id, _)| w.starts_with(id)));
    assert!(
        wrong.is_empty(),
        "{} of {} PKITS cases wrong:\n{}",
        wrong.len(),
        CASES.len(),
        wrong.join("\n")
    );
}

/// The failure names the rule and the certificate: PKITS 4.13.2 (the end entity's subject is
/// outside the CA's permitted directoryName subtree) is a name-constraints failure at the end
/// entity, 4.8.4 (the end entity asserts a policy its CA does not) a policy failure at it, and
/// 4.6.2 (an intermediate with cA FALSE) a not-a-CA failure at the intermediate.
#[test]
fn fail_pkits_failures_name_the_rule_and_the_certificate() {
    let trust = TrustList::from_certs(vec![load(eds_fixtures::pkits::ANCHOR)]).unwrap();
    let run = |id: &str| {
        let case = CASES.iter().find(|c| c.id == id).unwrap();
        let inters: Vec<Cert> = case.inters.iter().map(|n| load(n)).collect();
        validate(&load(case.ee), &inters, &trust, &options(case))
    };
    let ee = |id: &str| load(CASES.iter().find(|c| c.id == id).unwrap().ee).subject();
    match run("41302") {
        Err(PathFailure::NameConstraints {
            index: 0,
            subject,
            detail,
        }) => {
            assert_eq!(subject, ee("41302"));
            assert!(detail.contains("directoryName"), "{detail}");
        }
        other => panic!("4.13.2: {other:?}"),
    }
    match run("40804") {
        Err(PathFailure::Policy {
            index: 0, subject, ..
        }) => assert_eq!(subject, ee("40804")),
        other => panic!("4.8.4: {other:?}"),
    }
    assert!(
        matches!(run("40602"), Err(PathFailure::NotCa { index: 1, .. })),
        "4.6.2: {:?}",
        run("40602")
    );
}
