//! The verifier's fixture matrix (issue 5): every case is built by code from the test PKI, signed
//! by the signer crate, and judged by the engine; each asserts the exact indication and
//! sub-indication.
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

use eds_fixtures::pki::{Chain, FIXED_TIME, KeyAlg, RevocationReason, TestPki};
use eds_profile::holder::Role;
use eds_signer::cms::{self as sign, Content as SignContent, SignOptions, Signer};
use eds_signer::keys::pkcs8::load_pkcs8;
use eds_verifier::cancel::Cancel;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{CANCELLED, Content, DocumentReport, Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::{TrustList, TrustListForm, TrustedCenter};
use eds_verifier::verdict::{Indication, SubIndication};
use ring::rand::SystemRandom;
use time::{Duration, OffsetDateTime};

const DOC: &[u8] = b"{\"kind\":\"licence\",\"number\":\"KZ12LAA00000001\"}";

fn sign_with(chain: &Chain, content: &[u8], detached: bool, at: OffsetDateTime) -> Vec<u8> {
    let key = load_pkcs8(chain.leaf.key_pkcs8_der(), None).expect("test key loads");
    let intermediates: Vec<Vec<u8>> = chain
        .intermediates
        .iter()
        .map(|c| c.der().to_vec())
        .collect();
    let signer = Signer::new(&key, chain.leaf.der(), &intermediates).expect("signer");
    sign::sign(
        &signer,
        SignContent::Bytes(content),
        &SignOptions::new(at).detached(detached),
        &SystemRandom::new(),
    )
    .expect("signs")
}

fn cosign_with(chain: &Chain, existing: &[u8], at: OffsetDateTime) -> Vec<u8> {
    let key = load_pkcs8(chain.leaf.key_pkcs8_der(), None).expect("test key loads");
    let intermediates: Vec<Vec<u8>> = chain
        .intermediates
        .iter()
        .map(|c| c.der().to_vec())
        .collect();
    let signer = Signer::new(&key, chain.leaf.der(), &intermediates).expect("signer");
    sign::cosign(
        &signer,
        existing,
        None,
        &SignOptions::new(at),
        &SystemRandom::new(),
    )
    .expect("co-signs")
}

struct Setup {
    trust: TrustList,
    crls: Vec<Vec<u8>>,
    at: Option<OffsetDateTime>,
    expectations: Expectations,
}

impl Setup {
    fn new(pki: &TestPki) -> Self {
        Self {
            trust: TrustList::from_certs(vec![cert(pki.root().der())]).expect("trust list"),
            crls: vec![empty_crl(pki)],
            at: None,
            expectations: Expectations::default(),
        }
    }

    fn verifier(self) -> Verifier {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut files = Vec::new();
        for (i, crl) in self.crls.iter().enumerate() {
            let path = dir.path().join(format!("{i}.crl"));
            std::fs::write(&path, crl).expect("write crl");
            files.push(path);
        }
        let revocation = RevocationChecker::new(RevocationOptions {
            crl_files: files,
            offline: true,
            ..RevocationOptions::default()
        })
        .expect("revocation checker");
        Verifier::new(
            Options {
                trust: self.trust,
                at: self.at,
                extra_certs: Vec::new(),
                expectations: self.expectations,
                max_signature_checks: 100,
                required_eku: None,
                policy: Default::default(),
                cancel: Default::default(),
            },
            revocation,
        )
    }
}

fn cert(der: &[u8]) -> Cert {
    Cert::from_der(der).expect("certificate")
}

/// CRLs of every CA of the PKI's default chain, empty, valid around FIXED_TIME.
fn empty_crl(pki: &TestPki) -> Vec<u8> {
    pki.crl(pki.issuing()).build().der().to_vec()
}

fn with_ca_crls(pki: &TestPki, mut crls: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    for ca in pki.intermediates().iter().skip(1) {
        crls.push(pki.crl(ca).build().der().to_vec());
    }
    crls.push(pki.crl(pki.root()).build().der().to_vec());
    crls
}

fn verify(setup: Setup, signature: &[u8], content: Option<&[u8]>) -> DocumentReport {
    setup
        .verifier()
        .verify_document(signature, content.map(Content::Bytes), FIXED_TIME)
        .expect("verification runs")
}

fn standard(pki: &TestPki) -> Setup {
    let mut s = Setup::new(pki);
    s.crls = with_ca_crls(pki, s.crls);
    s
}

#[track_caller]
fn assert_verdict(report: &DocumentReport, ind: Indication, sub: Option<SubIndication>) {
    let s = report.signatures.first().expect("one signature");
    assert_eq!(
        (s.indication, s.sub_indication),
        (ind, sub),
        "reason: {}; checks: {:#?}",
        s.reason,
        s.checks
    );
}

fn passed(report: &DocumentReport) {
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    for s in &report.signatures {
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{}: {:#?}",
            s.reason,
            s.checks
        );
    }
}

fn before() -> OffsetDateTime {
    FIXED_TIME - Duration::hours(1)
}

// ---- valid signatures -----------------------------------------------------------------------

#[test]
fn ok_attached_each_algorithm() {
    for alg in [KeyAlg::P256, KeyAlg::P384, KeyAlg::Ed25519, KeyAlg::Rsa2048] {
        let pki = TestPki::with_alg(alg);
        let sig = sign_with(&pki.chain(), DOC, false, before());
        let report = verify(standard(&pki), &sig, None);
        passed(&report);
        let s = &report.signatures[0];
        assert_eq!(s.chain.len(), 3, "{alg:?}");
        assert_eq!(
            s.holder.as_ref().and_then(|h| h.iin.as_deref()),
            Some(eds_fixtures::pki::INDIVIDUAL_IIN)
        );
    }
}

#[test]
fn ok_detached_with_content() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, true, before());
    let report = verify(standard(&pki), &sig, Some(DOC));
    assert!(report.detached);
    passed(&report);
}

#[test]
fn ok_cosigned_both_signatures_pass() {
    let pki = TestPki::new();
    let first = sign_with(&pki.chain(), DOC, false, before());
    let head = eds_fixtures::pki::Chain {
        leaf: pki.head().clone(),
        intermediates: pki.intermediates().to_vec(),
        root: pki.root().clone(),
    };
    let both = cosign_with(&head, &first, before());
    let report = verify(standard(&pki), &both, None);
    assert_eq!(report.signatures.len(), 2);
    passed(&report);
}

/// A raised per-call flag leaves every signature INDETERMINATE with the cancelled reason (never
/// passed), while the same verifier with a flag nobody raised passes the same document.
#[test]
fn indeterminate_cancelled_per_call_and_ok_when_not_raised() {
    let pki = TestPki::new();
    let first = sign_with(&pki.chain(), DOC, false, before());
    let head = eds_fixtures::pki::Chain {
        leaf: pki.head().clone(),
        intermediates: pki.intermediates().to_vec(),
        root: pki.root().clone(),
    };
    let both = cosign_with(&head, &first, before());
    let verifier = standard(&pki).verifier();
    let raised = Cancel::new();
    raised.cancel();
    let report = verifier
        .verify_document_with(&both, None, FIXED_TIME, &raised)
        .expect("verification runs");
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(report.signatures.len(), 2);
    for s in &report.signatures {
        assert_eq!(
            (s.indication, s.sub_indication, s.reason.as_str()),
            (
                Indication::Indeterminate,
                Some(SubIndication::CertificateChainGeneralFailure),
                CANCELLED
            )
        );
    }
    // The flag is the call's: the verifier's own is not raised, and the next call passes.
    passed(
        &verifier
            .verify_document_with(&both, None, FIXED_TIME, &Cancel::new())
            .expect("verification runs"),
    );
    passed(
        &verifier
            .verify_document(&both, None, FIXED_TIME)
            .expect("verification runs"),
    );
}

// ---- the signature itself --------------------------------------------------------------------

#[test]
fn fail_content_tampered_by_one_byte() {
    let pki = TestPki::new();
    let mut sig = sign_with(&pki.chain(), DOC, false, before());
    let at = find(&sig, DOC);
    sig[at + 10] ^= 0x01;
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::TotalFailed,
        Some(SubIndication::HashFailure),
    );
}

#[test]
fn fail_signed_attribute_tampered() {
    let pki = TestPki::new();
    let t = before();
    let mut sig = sign_with(&pki.chain(), DOC, false, t);
    // The signingTime attribute: UTCTime "260115110000Z"; change the minutes' first digit.
    let at = find(&sig, b"260115110000Z");
    sig[at + 8] = b'1';
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::TotalFailed,
        Some(SubIndication::SigCryptoFailure),
    );
}

#[test]
fn fail_detached_with_wrong_content() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, true, before());
    let report = verify(standard(&pki), &sig, Some(b"another document"));
    assert_verdict(
        &report,
        Indication::TotalFailed,
        Some(SubIndication::HashFailure),
    );
}

#[test]
fn indeterminate_detached_without_content() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, true, before());
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::SignedDataNotFound),
    );
}

#[test]
fn indeterminate_signing_certificate_missing() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let stripped = strip_certificate(&sig, pki.individual().der());
    let report = verify(standard(&pki), &stripped, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::NoSigningCertificateFound),
    );
}

#[test]
fn fail_garbage_and_truncated_inputs_are_format_failures() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let verifier = standard(&pki).verifier();
    for cut in [0, 1, 10, sig.len() / 2, sig.len() - 1] {
        let report = verifier
            .verify_document(&sig[..cut], None, FIXED_TIME)
            .expect("runs");
        assert_eq!(report.indication, Indication::TotalFailed, "cut at {cut}");
        assert!(report.format_error.is_some(), "cut at {cut}");
    }
}

// ---- the chain -------------------------------------------------------------------------------

#[test]
fn indeterminate_unknown_root() {
    let pki = TestPki::new();
    let other = TestPki::builder().variant(7).build();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let mut setup = standard(&pki);
    setup.trust = TrustList::from_certs(vec![cert(other.root().der())]).expect("trust");
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::NoCertificateChainFound),
    );
}

#[test]
fn indeterminate_intermediate_not_a_ca() {
    let pki = TestPki::new();
    let chain = pki.intermediate_not_ca();
    let sig = sign_with(&chain, DOC, false, before());
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
}

#[test]
fn indeterminate_path_length_exceeded() {
    let pki = TestPki::new();
    let chain = pki.path_len_exceeded();
    let sig = sign_with(&chain, DOC, false, before());
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
}

#[test]
fn fail_expired_at_the_claimed_signing_time() {
    let pki = TestPki::new();
    let chain = pki.expired_leaf();
    // Signed (claimed) after the certificate's notAfter.
    let sig = sign_with(&chain, DOC, false, before());
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::TotalFailed,
        Some(SubIndication::Expired),
    );
}

#[test]
fn indeterminate_expired_now_signed_while_valid_without_proof() {
    let pki = TestPki::new();
    let chain = pki.expired_leaf();
    let sig = sign_with(
        &chain,
        DOC,
        false,
        chain.leaf.not_after() - Duration::days(10),
    );
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
}

#[test]
fn fail_not_yet_valid_at_signing_time() {
    let pki = TestPki::new();
    let chain = pki.not_yet_valid_leaf();
    let sig = sign_with(&chain, DOC, false, before());
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::TotalFailed,
        Some(SubIndication::NotYetValid),
    );
}

#[test]
fn ok_at_given_time_inside_validity() {
    let pki = TestPki::new();
    let chain = pki.expired_leaf();
    let signed = chain.leaf.not_after() - Duration::days(10);
    let sig = sign_with(&chain, DOC, false, signed);
    let mut setup = standard(&pki);
    // A CRL of the certificate's lifetime: one issued after its expiry may have dropped it.
    setup.crls[0] = pki
        .crl(pki.issuing())
        .this_update(signed)
        .next_update(signed + Duration::days(2))
        .build()
        .der()
        .to_vec();
    setup.at = Some(signed + Duration::hours(1));
    let report = verify(setup, &sig, None);
    passed(&report);
}

#[test]
fn fail_at_given_time_inside_validity_with_only_a_crl_issued_after_expiry_is_try_later() {
    // RFC 5280 §3.3: a CA may remove an expired certificate's entry, so a CRL issued after
    // notAfter without ExpiredCertsOnCRL proves nothing about it.
    let pki = TestPki::new();
    let chain = pki.expired_leaf();
    let signed = chain.leaf.not_after() - Duration::days(10);
    let sig = sign_with(&chain, DOC, false, signed);
    let mut setup = standard(&pki);
    setup.at = Some(signed + Duration::hours(1));
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
    );
    let reason = &report.signatures[0].reason;
    assert!(reason.contains("after the certificate expired"), "{reason}");
}

// ---- revocation ------------------------------------------------------------------------------

fn revoked_setup(pki: &TestPki, revoked_at: OffsetDateTime) -> Setup {
    let mut setup = Setup::new(pki);
    let crl = pki
        .crl(pki.issuing())
        .revoke(
            pki.individual(),
            revoked_at,
            Some(RevocationReason::KeyCompromise),
        )
        .build();
    setup.crls = with_ca_crls(pki, vec![crl.der().to_vec()]);
    setup
}

#[test]
fn fail_revoked_before_signing() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let report = verify(
        revoked_setup(&pki, before() - Duration::hours(2)),
        &sig,
        None,
    );
    assert_verdict(
        &report,
        Indication::TotalFailed,
        Some(SubIndication::Revoked),
    );
}

#[test]
fn indeterminate_revoked_after_signing_without_proof() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before() - Duration::hours(3));
    let report = verify(revoked_setup(&pki, before()), &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::RevokedNoPoe),
    );
}

#[test]
fn indeterminate_crl_with_bad_signature() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let mut setup = Setup::new(&pki);
    let bad = pki.crl(pki.issuing()).broken_signature().build();
    setup.crls = with_ca_crls(&pki, vec![bad.der().to_vec()]);
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
    );
}

#[test]
fn indeterminate_stale_crl() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let mut setup = Setup::new(&pki);
    let stale = pki
        .crl(pki.issuing())
        .this_update(FIXED_TIME - Duration::days(10))
        .next_update(FIXED_TIME - Duration::days(3))
        .build();
    setup.crls = with_ca_crls(&pki, vec![stale.der().to_vec()]);
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
    );
}

#[test]
fn indeterminate_no_revocation_information() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let mut setup = Setup::new(&pki);
    setup.crls = Vec::new();
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
    );
}

// ---- scope, accreditation, expectations --------------------------------------------------------

#[test]
fn indeterminate_authentication_only_certificate() {
    let pki = TestPki::new();
    let chain = pki.auth_only_leaf();
    let sig = sign_with(&chain, DOC, false, before());
    let report = verify(standard(&pki), &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::SigConstraintsFailure),
    );
    assert!(report.signatures[0].reason.contains("authentication"));
}

#[test]
fn indeterminate_center_outside_its_accreditation_period() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let mut setup = standard(&pki);
    let mut center = TrustedCenter::unbounded(cert(pki.root().der()));
    center.accredited_until = Some(FIXED_TIME - Duration::days(30));
    setup.trust = TrustList::from_centers(vec![center], TrustListForm::Json).expect("trust");
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert!(report.signatures[0].reason.contains("accredited"));
}

/// The backdating case of art. 20-2: the center's accreditation ended half an hour before the
/// validation time; the signer claims a signingTime an hour before it, inside the
/// accreditation. Nothing proves that claim, so the accreditation is judged at the validation
/// time and fails; the same signature judged at a time inside the accreditation passes.
#[test]
fn indeterminate_backdated_claim_does_not_reach_an_ended_accreditation() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());
    let trust_until = |until: OffsetDateTime| {
        let mut center = TrustedCenter::unbounded(cert(pki.root().der()));
        center.accredited_until = Some(until);
        TrustList::from_centers(vec![center], TrustListForm::Json).expect("trust")
    };
    let mut setup = standard(&pki);
    setup.trust = trust_until(FIXED_TIME - Duration::minutes(30));
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert!(
        report.signatures[0]
            .reason
            .contains("the claimed signing time proves nothing"),
        "{}",
        report.signatures[0].reason
    );
    // Accredited through the validation time and the claim: passes.
    let mut setup = standard(&pki);
    setup.trust = trust_until(FIXED_TIME + Duration::days(1));
    passed(&verify(setup, &sig, None));
    // A claim outside the accreditation binds the signer even when the validation time is in.
    let mut center = TrustedCenter::unbounded(cert(pki.root().der()));
    center.accredited_from = Some(before() + Duration::minutes(1));
    let mut setup = standard(&pki);
    setup.trust = TrustList::from_centers(vec![center], TrustListForm::Json).expect("trust");
    let report = verify(setup, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
}

#[test]
fn expectations_right_and_wrong_signer() {
    let pki = TestPki::new();
    let sig = sign_with(&pki.chain(), DOC, false, before());

    let mut right = standard(&pki);
    right.expectations.iin = Some(eds_fixtures::pki::INDIVIDUAL_IIN.into());
    passed(&verify(right, &sig, None));

    let mut wrong_iin = standard(&pki);
    wrong_iin.expectations.iin = Some("000101500017".into());
    let report = verify(wrong_iin, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::SigConstraintsFailure),
    );
    assert!(report.signatures[0].reason.contains("IIN"));

    let mut wrong_bin = standard(&pki);
    wrong_bin.expectations.bin = Some(eds_fixtures::pki::ORGANIZATION_BIN.into());
    let report = verify(wrong_bin, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::SigConstraintsFailure),
    );
    assert!(report.signatures[0].reason.contains("BIN"));

    let mut wrong_role = standard(&pki);
    wrong_role.expectations.roles = vec![Role::FirstHead];
    let report = verify(wrong_role, &sig, None);
    assert_verdict(
        &report,
        Indication::Indeterminate,
        Some(SubIndication::SigConstraintsFailure),
    );
    assert!(report.signatures[0].reason.contains("first-head"));
}

#[test]
fn ok_head_signs_for_the_legal_entity_with_the_expected_role() {
    let pki = TestPki::new();
    let head = eds_fixtures::pki::Chain {
        leaf: pki.head().clone(),
        intermediates: pki.intermediates().to_vec(),
        root: pki.root().clone(),
    };
    let sig = sign_with(&head, DOC, false, before());
    let mut setup = standard(&pki);
    setup.expectations.bin = Some(eds_fixtures::pki::ORGANIZATION_BIN.into());
    setup.expectations.roles = vec![Role::FirstHead, Role::SigningRight];
    passed(&verify(setup, &sig, None));
}

// ---- helpers ---------------------------------------------------------------------------------

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in the signature")
}

/// The signature with the given certificate removed from its `certificates` field.
fn strip_certificate(sig: &[u8], cert_der: &[u8]) -> Vec<u8> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::{Decode, Encode};
    let ci = ContentInfo::from_der(sig).expect("content info");
    let mut sd: SignedData = ci.content.decode_as().expect("signed data");
    let certs = sd.certificates.take().expect("certificates");
    let kept: Vec<_> = certs
        .0
        .into_vec()
        .into_iter()
        .filter(|c| c.to_der().expect("encode") != cert_der)
        .collect();
    sd.certificates = Some(cms::signed_data::CertificateSet(
        der::asn1::SetOfVec::try_from(kept).expect("set"),
    ));
    ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&sd).expect("any"),
    }
    .to_der()
    .expect("encode")
}
