//! Path validation on the generated test PKI and on the national center's test material; the
//! OpenSSL command line judges the same cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]

use std::path::Path;
use std::process::Command;

use der::asn1::ObjectIdentifier;
use time::{Duration, OffsetDateTime, macros::datetime};

use eds_fixtures::pki::{CertSpec, Chain, FIXED_TIME, Issued, KeyAlg, KeyUsagePurpose, TestPki};
use eds_verifier::cert::Cert;
use eds_verifier::path::{
    PathCache, PathFailure, PathOptions, PolicyOptions, ValidPath, is_accredited, validate,
};
use eds_verifier::trust::{TrustList, TrustListForm};
use eds_verifier::verdict::SubIndication;

fn cert(issued: &Issued) -> Cert {
    Cert::from_der(issued.der()).unwrap()
}

fn certs(list: &[Issued]) -> Vec<Cert> {
    list.iter().map(cert).collect()
}

fn trust_of(root: &Issued) -> TrustList {
    TrustList::from_bytes(root.pem().as_bytes()).unwrap()
}

fn run_at(chain: &Chain, at: OffsetDateTime) -> Result<ValidPath, PathFailure> {
    validate(
        &cert(&chain.leaf),
        &certs(&chain.intermediates),
        &trust_of(&chain.root),
        &PathOptions::at(at),
    )
}

fn run(chain: &Chain) -> Result<ValidPath, PathFailure> {
    run_at(chain, FIXED_TIME)
}

fn full_chain(chain: &Chain) -> Vec<Cert> {
    let mut all = vec![cert(&chain.leaf)];
    all.extend(certs(&chain.intermediates));
    all.push(cert(&chain.root));
    all
}

fn nca(rel: &str) -> Cert {
    Cert::all_from_pem_or_der(&eds_fixtures::nca_bytes(rel))
        .unwrap()
        .remove(0)
}

#[test]
fn ok_three_level_chain_for_each_algorithm() {
    for alg in KeyAlg::ALL {
        let pki = TestPki::with_alg(alg);
        for leaf in [pki.individual(), pki.head()] {
            let chain = pki.chain();
            let path = validate(
                &cert(leaf),
                &certs(pki.intermediates()),
                &trust_of(pki.root()),
                &PathOptions::at(FIXED_TIME),
            )
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            assert_eq!(
                path.chain,
                vec![cert(leaf), cert(pki.issuing()), cert(pki.root())],
                "{alg:?}"
            );
            assert_eq!(path.anchor.cert, cert(&chain.root));
            assert_eq!(path.leaf(), Some(&cert(leaf)));
        }
    }
}

#[test]
fn ok_four_levels_within_path_length() {
    let pki = TestPki::new();
    let chain = pki.path_len_within();
    assert_eq!(run(&chain).unwrap().chain, full_chain(&chain));
}

#[test]
fn ok_depth_three_builder() {
    let pki = TestPki::builder().depth(3).build();
    let path = run(&pki.chain()).unwrap();
    assert_eq!(path.chain.len(), 5);
}

#[test]
fn fail_unknown_root() {
    let pki = TestPki::new();
    let other = pki.other_root_chain();
    let result = validate(
        &cert(&other.leaf),
        &certs(&other.intermediates),
        &trust_of(pki.root()),
        &PathOptions::at(FIXED_TIME),
    );
    let issuer = cert(&other.intermediates[0]).issuer();
    let subject = cert(&other.intermediates[0]).subject();
    assert_eq!(
        result,
        Err(PathFailure::NoChain {
            detail: format!(
                "no trusted center or supplied intermediate is named \"{issuer}\" (the issuer of \"{subject}\")"
            )
        })
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::NoCertificateChainFound
    );
}

#[test]
fn fail_missing_intermediate() {
    let pki = TestPki::new();
    let leaf = cert(pki.individual());
    let result = validate(
        &leaf,
        &[],
        &trust_of(pki.root()),
        &PathOptions::at(FIXED_TIME),
    );
    assert!(
        matches!(&result, Err(PathFailure::NoChain { detail }) if detail.contains("Test Issuing CA")),
        "{result:?}"
    );
}

#[test]
fn fail_intermediate_not_ca() {
    let pki = TestPki::new();
    for chain in [
        pki.intermediate_not_ca(),
        pki.intermediate_without_basic_constraints(),
    ] {
        let result = run(&chain);
        assert_eq!(
            result,
            Err(PathFailure::NotCa {
                index: 1,
                subject: cert(&chain.intermediates[0]).subject()
            })
        );
        assert_eq!(
            result.unwrap_err().sub_indication(),
            SubIndication::ChainConstraintsFailure
        );
    }
}

#[test]
fn fail_path_length_exceeded() {
    let pki = TestPki::new();
    let chain = pki.path_len_exceeded();
    assert_eq!(
        run(&chain),
        Err(PathFailure::PathLenExceeded {
            index: 2,
            subject: cert(&chain.intermediates[1]).subject(),
            path_len: 0
        })
    );
}

#[test]
fn fail_ca_without_key_cert_sign() {
    let pki = TestPki::new();
    let chain = pki.intermediate_without_cert_sign();
    assert_eq!(
        run(&chain),
        Err(PathFailure::CaKeyUsage {
            index: 1,
            subject: cert(&chain.intermediates[0]).subject()
        })
    );
}

#[test]
fn fail_expired_and_not_yet_valid_leaf_carry_the_chain() {
    let pki = TestPki::new();
    let expired = pki.expired_leaf();
    assert_eq!(
        run(&expired),
        Err(PathFailure::Expired {
            index: 0,
            not_after: expired.leaf.not_after(),
            chain: full_chain(&expired),
        })
    );
    // The same leaf validates inside its validity.
    assert!(run_at(&expired, FIXED_TIME - Duration::days(10)).is_ok());

    let future = pki.not_yet_valid_leaf();
    let result = run(&future);
    assert_eq!(
        result,
        Err(PathFailure::NotYetValid {
            index: 0,
            not_before: future.leaf.not_before(),
            chain: full_chain(&future),
        })
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::NotYetValid
    );
}

#[test]
fn fail_expired_and_not_yet_valid_intermediate() {
    let pki = TestPki::new();
    let expired = pki.expired_intermediate();
    assert_eq!(
        run(&expired),
        Err(PathFailure::Expired {
            index: 1,
            not_after: expired.intermediates[0].not_after(),
            chain: full_chain(&expired),
        })
    );
    let future = pki.not_yet_valid_intermediate();
    assert_eq!(
        run(&future),
        Err(PathFailure::NotYetValid {
            index: 1,
            not_before: future.intermediates[0].not_before(),
            chain: full_chain(&future),
        })
    );
}

#[test]
fn fail_expired_trust_anchor() {
    let pki = TestPki::new();
    let root = pki.self_signed(&CertSpec::ca("old-root", "Test Old Root").validity(
        FIXED_TIME - Duration::days(3650),
        FIXED_TIME - Duration::days(1),
    ));
    let inter = pki.issue(
        &root,
        &CertSpec::ca("old-issuing", "Test Old Issuing").validity(
            FIXED_TIME - Duration::days(1000),
            FIXED_TIME + Duration::days(1000),
        ),
    );
    let leaf = pki.issue(&inter, &CertSpec::individual(eds_profile_purpose()));
    let chain = Chain {
        leaf,
        intermediates: vec![inter],
        root,
    };
    assert_eq!(
        run(&chain),
        Err(PathFailure::Expired {
            index: 2,
            not_after: chain.root.not_after(),
            chain: full_chain(&chain),
        })
    );
}

fn eds_profile_purpose() -> eds_profile::holder::KeyPurpose {
    eds_profile::holder::KeyPurpose::Signing
}

#[test]
fn fail_bad_certificate_signature_names_the_certificate() {
    let pki = TestPki::new();
    let chain = pki.bad_signature_leaf();
    let result = run(&chain);
    assert_eq!(
        result,
        Err(PathFailure::BadSignature {
            index: 0,
            subject: cert(&chain.leaf).subject(),
            detail: "the signature value does not verify with the public key".to_owned(),
        })
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::CertificateChainGeneralFailure
    );

    // A broken intermediate: the failure names certificate 1.
    let inter = Cert::from_der(&pki.issuing().der_with_broken_signature()).unwrap();
    let result = validate(
        &cert(pki.individual()),
        std::slice::from_ref(&inter),
        &trust_of(pki.root()),
        &PathOptions::at(FIXED_TIME),
    );
    assert_eq!(
        result,
        Err(PathFailure::BadSignature {
            index: 1,
            subject: inter.subject(),
            detail: "the signature value does not verify with the public key".to_owned(),
        })
    );
}

#[test]
fn ok_two_same_name_intermediates_one_wrong() {
    let pki = TestPki::new();
    let chain = pki.same_name_intermediates();
    assert_eq!(
        cert(&chain.intermediates[0]).subject(),
        cert(&chain.intermediates[1]).subject()
    );
    let path = run(&chain).unwrap();
    assert_eq!(path.chain[1], cert(&chain.intermediates[1]));

    // With only the impostor (same name, another key identifier), no chain: the leaf's
    // signature does not verify with its key, and nothing says it was meant to.
    let result = validate(
        &cert(&chain.leaf),
        &[cert(&chain.intermediates[0])],
        &trust_of(&chain.root),
        &PathOptions::at(FIXED_TIME),
    );
    assert!(
        matches!(&result, Err(PathFailure::NoChain { detail }) if detail.contains("has the key that signed")),
        "{result:?}"
    );
}

#[test]
fn fail_budget_exhausted() {
    let pki = TestPki::new();
    let chain = pki.chain();
    let with_budget = |n: usize| {
        let mut opts = PathOptions::at(FIXED_TIME);
        opts.max_signature_checks = n;
        validate(
            &cert(&chain.leaf),
            &certs(&chain.intermediates),
            &trust_of(&chain.root),
            &opts,
        )
    };
    assert_eq!(
        with_budget(1),
        Err(PathFailure::BudgetExceeded { limit: 1 })
    );
    assert!(with_budget(2).is_ok());

    // The impostor shares the issuing CA's name but not its key identifier: the leaf's
    // authorityKeyIdentifier puts the right issuer first, so the impostor costs nothing.
    let same = pki.same_name_intermediates();
    let mut opts = PathOptions::at(FIXED_TIME);
    for (budget, ok) in [(1, false), (2, true)] {
        opts.max_signature_checks = budget;
        let result = validate(
            &cert(&same.leaf),
            &certs(&same.intermediates),
            &trust_of(&same.root),
            &opts,
        );
        if ok {
            assert_eq!(result.unwrap().chain[1], cert(&same.intermediates[1]));
        } else {
            assert_eq!(result, Err(PathFailure::BudgetExceeded { limit: budget }));
        }
    }
}

#[test]
fn fail_unknown_critical_extension() {
    let pki = TestPki::new();
    let chain = pki.unknown_critical_extension_leaf();
    assert_eq!(
        run(&chain),
        Err(PathFailure::UnknownCriticalExtension {
            index: 0,
            oid: "1.3.6.1.4.1.55555.1".to_owned()
        })
    );
}

#[test]
fn ok_trust_list_as_pem_bundle_and_json_with_periods() {
    let pki = TestPki::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), pki.root().pem()).unwrap();
    let bundle = format!("{}{}", pki.root().pem(), pki.other_root_chain().root.pem());
    std::fs::write(dir.path().join("bundle.pem"), &bundle).unwrap();
    std::fs::write(
        dir.path().join("trust.json"),
        r#"{"version": 1, "centers": [
            {"name": "Test Root", "certificate_file": "root.pem",
             "accredited_from": "2025-01-01T00:00:00Z", "accredited_until": "2025-12-31T23:59:59Z"}
        ]}"#,
    )
    .unwrap();
    let leaf = cert(pki.individual());
    let inters = certs(pki.intermediates());
    let opts = PathOptions::at(FIXED_TIME);

    let pem = TrustList::load(&dir.path().join("bundle.pem")).unwrap();
    assert_eq!(pem.form(), TrustListForm::Certificates);
    let path = validate(&leaf, &inters, &pem, &opts).unwrap();
    assert!(is_accredited(&path, FIXED_TIME));

    let json = TrustList::load(&dir.path().join("trust.json")).unwrap();
    assert_eq!(json.form(), TrustListForm::Json);
    let path = validate(&leaf, &inters, &json, &opts).unwrap();
    assert_eq!(path.anchor.name, "Test Root");
    // The path is valid; the center's accreditation ended before the validation time.
    assert!(!is_accredited(&path, FIXED_TIME));
    assert!(is_accredited(&path, datetime!(2025-06-01 00:00 UTC)));
}

#[test]
fn eku_only_when_required() {
    let pki = TestPki::new();
    let auth = pki.auth_only_leaf();
    // Path validation does not judge the leaf's purpose.
    assert!(run(&auth).is_ok());

    let email = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
    let server = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
    let with_eku = |chain: &Chain, eku: ObjectIdentifier| {
        let mut opts = PathOptions::at(FIXED_TIME);
        opts.required_eku = Some(eku);
        validate(
            &cert(&chain.leaf),
            &certs(&chain.intermediates),
            &trust_of(&chain.root),
            &opts,
        )
    };
    assert!(with_eku(&pki.chain(), email).is_ok());
    assert_eq!(
        with_eku(&pki.chain(), server),
        Err(PathFailure::RequiredEkuMissing {
            eku: "1.3.6.1.5.5.7.3.1".to_owned()
        })
    );
    assert_eq!(
        with_eku(&auth, email),
        Err(PathFailure::RequiredEkuMissing {
            eku: "1.3.6.1.5.5.7.3.4".to_owned()
        })
    );
}

#[test]
fn policies_only_when_required() {
    let pki = TestPki::new();
    let chain = pki.chain();
    let policy = ObjectIdentifier::new_unwrap("1.2.398.3.3.2");
    // The defaults of RFC 5280 §6.1.1: any policy, none explicitly required.
    assert!(run(&chain).is_ok());
    let mut opts = PathOptions::at(FIXED_TIME);
    opts.policy = PolicyOptions {
        initial_policy_set: vec![policy],
        initial_explicit_policy: true,
        ..PolicyOptions::default()
    };
    // The issuing CA asserts no policy: the tree is empty from it on (§6.1.3 (e), (f)).
    let result = validate(
        &cert(&chain.leaf),
        &certs(&chain.intermediates),
        &trust_of(&chain.root),
        &opts,
    );
    assert!(
        matches!(&result, Err(PathFailure::Policy { index: 1, subject, .. }) if *subject == cert(pki.issuing()).subject()),
        "{result:?}"
    );
    // An issuing CA with anyPolicy and a leaf with the policy pass.
    let inter = pki.issue(
        pki.root(),
        &CertSpec::ca("any-policy", "Test AnyPolicy CA").policies(vec![vec![2, 5, 29, 32, 0]]),
    );
    let leaf = pki.issue(
        &inter,
        &CertSpec::individual(eds_profile_purpose()).policies(vec![vec![1, 2, 398, 3, 3, 2]]),
    );
    assert!(validate(&cert(&leaf), &[cert(&inter)], &trust_of(pki.root()), &opts).is_ok());
}

#[test]
fn ok_cache_answers_repeats_inside_the_window() {
    let pki = TestPki::new();
    let chain = pki.chain();
    let cache = PathCache::new(16);
    let leaf = cert(&chain.leaf);
    let inters = certs(&chain.intermediates);
    let trust = trust_of(&chain.root);
    let first = cache
        .validate(&leaf, &inters, &trust, &PathOptions::at(FIXED_TIME))
        .unwrap();
    for i in 0..10 {
        let at = FIXED_TIME + Duration::hours(i);
        assert_eq!(
            cache.validate(&leaf, &inters, &trust, &PathOptions::at(at)),
            Ok(first.clone())
        );
    }
    assert_eq!((cache.hits(), cache.misses(), cache.len()), (10, 1, 1));
    // Outside the window the cache does not answer, and the failure is the uncached one.
    let late = FIXED_TIME + Duration::days(400);
    assert!(matches!(
        cache.validate(&leaf, &inters, &trust, &PathOptions::at(late)),
        Err(PathFailure::Expired { index: 0, .. })
    ));
    assert_eq!(cache.misses(), 2);
}

/// The cache compares its last path's key before hashing one: any other leaf, intermediates
/// list or requirement misses it (a leaf differing in one byte of its signature too, and that
/// one fails validation), and the repeat of the last one hits.
#[test]
fn fail_cache_last_path_misses_on_any_changed_input() {
    let pki = TestPki::new();
    let chain = pki.chain();
    let cache = PathCache::new(16);
    let leaf = cert(&chain.leaf);
    let inters = certs(&chain.intermediates);
    let trust = trust_of(&chain.root);
    let opts = PathOptions::at(FIXED_TIME);
    let first = cache.validate(&leaf, &inters, &trust, &opts).unwrap();
    assert_eq!(
        cache.validate(&leaf, &inters, &trust, &opts),
        Ok(first.clone())
    );
    assert_eq!((cache.hits(), cache.misses()), (1, 1));

    let mut der = chain.leaf.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let changed = Cert::from_der(&der).unwrap();
    assert!(matches!(
        cache.validate(&changed, &inters, &trust, &opts),
        Err(PathFailure::BadSignature { index: 0, .. })
    ));
    assert_eq!(cache.misses(), 2, "a leaf changed in one byte");

    let twice = [inters.clone(), inters.clone()].concat();
    assert_eq!(
        cache.validate(&leaf, &twice, &trust, &opts),
        Ok(first.clone())
    );
    assert_eq!(cache.misses(), 3, "another intermediates list");

    let mut eku = PathOptions::at(FIXED_TIME);
    eku.required_eku = Some(ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4"));
    let with_eku = cache.validate(&leaf, &inters, &trust, &eku);
    assert_eq!(cache.misses(), 4, "another required EKU");
    assert_eq!(
        with_eku,
        validate(&leaf, &inters, &trust, &eku),
        "the uncached answer"
    );

    // The first key is still in the map: a hit, with the same path.
    assert_eq!(cache.validate(&leaf, &inters, &trust, &opts), Ok(first));
    assert_eq!((cache.hits(), cache.misses()), (2, 4));
}

#[test]
fn ok_national_center_rsa_chain_inside_its_validity() {
    let ca = nca("ca/nca_rsa_test.crt");
    let leaf = nca("certs/individual_valid_sign_2004_rsa.cer");
    let trust = TrustList::from_certs(vec![ca.clone()]).unwrap();
    let at = datetime!(2022-06-01 00:00 UTC);
    let path = validate(&leaf, &[], &trust, &PathOptions::at(at)).unwrap();
    assert_eq!(path.chain, vec![leaf.clone(), ca.clone()]);
    let auth = nca("certs/individual_valid_sign_2004_rsa_auth.cer");
    assert!(validate(&auth, &[], &trust, &PathOptions::at(at)).is_ok());

    // Today both have expired; the leaf first.
    assert_eq!(
        validate(&leaf, &[], &trust, &PathOptions::at(FIXED_TIME)),
        Err(PathFailure::Expired {
            index: 0,
            not_after: leaf.not_after(),
            chain: vec![leaf.clone(), ca],
        })
    );
}

/// The national center's 2004 GOST chain (ST RK 34.310-2004, verified through `eds-gost`).
#[test]
fn ok_national_center_gost_2004_chain_validates() {
    let ca = nca("ca/nca_gost_test.crt");
    let leaf = nca("certs/ceo_valid_sign_2004_gost.cer");
    let trust = TrustList::from_certs(vec![ca.clone()]).unwrap();
    let result = validate(
        &leaf,
        &[],
        &trust,
        &PathOptions::at(datetime!(2022-06-01 00:00 UTC)),
    );
    let Ok(path) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(path.chain, vec![leaf, ca]);
}

/// `openssl verify -attime` on the same files: both pass, or both fail for the same reason at the
/// same certificate (OpenSSL's depth is our chain index).
#[test]
fn openssl_agrees_on_the_matrix() {
    let pki = TestPki::new();
    let mut cases: Vec<(&str, Chain, OffsetDateTime)> = vec![
        ("ok", pki.chain(), FIXED_TIME),
        (
            "ok head",
            pki.leaf(&CertSpec::head(eds_profile_purpose())),
            FIXED_TIME,
        ),
        ("ok pathlen within", pki.path_len_within(), FIXED_TIME),
        ("ok same-name", pki.same_name_intermediates(), FIXED_TIME),
        ("ok auth only", pki.auth_only_leaf(), FIXED_TIME),
        ("not a CA", pki.intermediate_not_ca(), FIXED_TIME),
        (
            "no basic constraints",
            pki.intermediate_without_basic_constraints(),
            FIXED_TIME,
        ),
        (
            "no keyCertSign",
            pki.intermediate_without_cert_sign(),
            FIXED_TIME,
        ),
        ("pathlen exceeded", pki.path_len_exceeded(), FIXED_TIME),
        ("expired leaf", pki.expired_leaf(), FIXED_TIME),
        ("not yet valid leaf", pki.not_yet_valid_leaf(), FIXED_TIME),
        (
            "expired intermediate",
            pki.expired_intermediate(),
            FIXED_TIME,
        ),
        (
            "future intermediate",
            pki.not_yet_valid_intermediate(),
            FIXED_TIME,
        ),
        ("bad signature", pki.bad_signature_leaf(), FIXED_TIME),
        (
            "unknown critical",
            pki.unknown_critical_extension_leaf(),
            FIXED_TIME,
        ),
        (
            "expired at a later time",
            pki.chain(),
            FIXED_TIME + Duration::days(400),
        ),
        (
            "before everything",
            pki.chain(),
            FIXED_TIME - Duration::days(3000),
        ),
    ];
    for alg in [KeyAlg::P384, KeyAlg::Ed25519, KeyAlg::Rsa2048] {
        let other = TestPki::with_alg(alg);
        cases.push(("ok other algorithm", other.chain(), FIXED_TIME));
        cases.push(("expired, other algorithm", other.expired_leaf(), FIXED_TIME));
        cases.push((
            "bad signature, other algorithm",
            other.bad_signature_leaf(),
            FIXED_TIME,
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    let mut compare = |name: &str,
                       at: OffsetDateTime,
                       ours: Result<ValidPath, PathFailure>,
                       theirs: Option<(u32, usize)>| {
        let agree = match (&ours, theirs) {
            (Ok(_), None) => true,
            (Err(failure), Some((code, depth))) => {
                let (codes, index): (&[u32], Option<usize>) = match failure {
                    PathFailure::NoChain { .. } => (&[2, 20], None),
                    PathFailure::NotCa { index, .. } => (&[24, 79], Some(*index)),
                    PathFailure::CaKeyUsage { index, .. } => (&[32, 79], Some(*index)),
                    PathFailure::PathLenExceeded { index, .. } => (&[25], Some(*index)),
                    // OpenSSL reports the first invalid certificate from the anchor, we the
                    // first from the leaf: both must be outside their validity.
                    PathFailure::Expired { chain, .. } => (
                        &[10],
                        chain
                            .get(depth)
                            .filter(|c| at > c.not_after())
                            .map(|_| depth),
                    ),
                    PathFailure::NotYetValid { chain, .. } => (
                        &[9],
                        chain
                            .get(depth)
                            .filter(|c| at < c.not_before())
                            .map(|_| depth),
                    ),
                    PathFailure::BadSignature { index, .. } => (&[7], Some(*index)),
                    PathFailure::UnknownCriticalExtension { index, .. } => (&[34], Some(*index)),
                    _ => (&[], None),
                };
                let time = matches!(
                    failure,
                    PathFailure::Expired { .. } | PathFailure::NotYetValid { .. }
                );
                codes.contains(&code)
                    && if time {
                        index == Some(depth)
                    } else {
                        index.is_none_or(|i| i == depth)
                    }
            }
            _ => false,
        };
        if !agree {
            disagreements.push(format!("{name}: ours {ours:?}, openssl {theirs:?}"));
        }
    };
    for (i, (name, chain, at)) in cases.iter().enumerate() {
        let theirs = openssl_verify(dir.path(), i, &chain.root, chain, *at);
        compare(name, *at, run_at(chain, *at), theirs);
    }
    // Unknown root: trust this PKI's root, present the other chain.
    let other = pki.other_root_chain();
    let ours = validate(
        &cert(&other.leaf),
        &certs(&other.intermediates),
        &trust_of(pki.root()),
        &PathOptions::at(FIXED_TIME),
    );
    compare(
        "unknown root",
        FIXED_TIME,
        ours,
        openssl_verify(dir.path(), 999, pki.root(), &other, FIXED_TIME),
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// `None` when OpenSSL accepts the chain, else its first error's code and depth.
fn openssl_verify(
    dir: &Path,
    i: usize,
    root: &Issued,
    chain: &Chain,
    at: OffsetDateTime,
) -> Option<(u32, usize)> {
    let root_path = dir.join(format!("root-{i}.pem"));
    let inter_path = dir.join(format!("inter-{i}.pem"));
    let leaf_path = dir.join(format!("leaf-{i}.pem"));
    std::fs::write(&root_path, root.pem()).unwrap();
    let inters: String = chain.intermediates.iter().map(Issued::pem).collect();
    std::fs::write(&inter_path, inters).unwrap();
    std::fs::write(&leaf_path, chain.leaf.pem()).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.arg("verify")
        .arg("-attime")
        .arg(at.unix_timestamp().to_string())
        .arg("-CAfile")
        .arg(&root_path);
    if !chain.intermediates.is_empty() {
        cmd.arg("-untrusted").arg(&inter_path);
    }
    let out = cmd
        .arg(&leaf_path)
        .output()
        .expect("openssl must be installed: it is the outside judge of these tests");
    if out.status.success() {
        return None;
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // "error 10 at 0 depth lookup: certificate has expired"
    let line = text
        .lines()
        .find(|l| l.starts_with("error ") && l.contains(" depth lookup"));
    let parsed = line.and_then(|l| {
        let mut words = l.split_whitespace();
        let code = words.nth(1)?.parse().ok()?;
        let depth = words.nth(1)?.parse().ok()?;
        Some((code, depth))
    });
    Some(parsed.unwrap_or_else(|| panic!("unexpected openssl output: {text}")))
}

#[test]
fn ca_key_usage_rule_can_be_met() {
    // A CA with keyCertSign among other bits passes the key usage rule.
    let pki = TestPki::new();
    let inter = pki.issue(
        pki.root(),
        &CertSpec::ca("ku-plus", "Test KU Plus CA").key_usages(vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ]),
    );
    let leaf = pki.issue(&inter, &CertSpec::individual(eds_profile_purpose()));
    assert!(
        validate(
            &cert(&leaf),
            &[cert(&inter)],
            &trust_of(pki.root()),
            &PathOptions::at(FIXED_TIME)
        )
        .is_ok()
    );
}

#[test]
fn ok_leaf_root_and_duplicates_among_the_supplied_certificates() {
    // A CMS certificate set often carries the leaf, the root and repeats.
    let pki = TestPki::new();
    let leaf = cert(pki.individual());
    let inter = cert(pki.issuing());
    let root = cert(pki.root());
    let supplied = vec![leaf.clone(), inter.clone(), root.clone(), inter.clone()];
    let path = validate(
        &leaf,
        &supplied,
        &trust_of(pki.root()),
        &PathOptions::at(FIXED_TIME),
    )
    .unwrap();
    assert_eq!(path.chain, vec![leaf, inter, root]);
}

#[test]
fn fail_unknown_critical_extension_on_an_intermediate() {
    let pki = TestPki::new();
    let inter = pki.issue(
        pki.root(),
        &CertSpec::ca("critical-ca", "Test Critical CA").extension(
            &[1, 3, 6, 1, 4, 1, 55555, 2],
            true,
            vec![0x05, 0x00],
        ),
    );
    let leaf = pki.issue(&inter, &CertSpec::individual(eds_profile_purpose()));
    assert_eq!(
        validate(
            &cert(&leaf),
            &[cert(&inter)],
            &trust_of(pki.root()),
            &PathOptions::at(FIXED_TIME)
        ),
        Err(PathFailure::UnknownCriticalExtension {
            index: 1,
            oid: "1.3.6.1.4.1.55555.2".to_owned()
        })
    );
}
