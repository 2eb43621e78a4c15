//! x509-limbo (fixtures/limbo, C2SP/x509-limbo, Apache-2.0) through path validation: every
//! testcase of the vendored `limbo.json`, the case's `trusted_certs` as the trust anchors, its
//! `untrusted_intermediates` as intermediates and its `peer_certificate` as the certificate
//! judged, at the case's `validation_time` or, when it gives none, at a fixed time inside every
//! certificate's validity ([`NO_TIME_GIVEN`]; the generated certificates run from 1970 to 2969).
//! No case of this version carries CRLs, so no revocation data is given.
//!
//! Run through the library's `path::validate` rather than one `eds cert verify` process per case:
//! the failure variant comes back whole (so the summary can say why each case was refused), the
//! 106 cases take well under a second, and the command's wiring of the same function is already
//! run case by case by `tests/pkits_cli.rs`.
//!
//! Each case is either judged or excluded. Judged: the outcome follows from RFC 5280 path
//! validation and the profile rules the verifier holds certificates to (its algorithm policy
//! included); our verdict must agree. An expected FAILURE that passes is a wrong acceptance (the
//! bar is zero); an expected SUCCESS that is refused is a wrong rejection, listed in
//! [`KNOWN_WRONG_REJECTIONS`] with why until fixed. Excluded: the outcome rests on host-name
//! matching, the TLS server EKU or web-PKI (CA/Browser Forum) profile rules, which do not apply to
//! document-signing paths; [`EXCLUDED`] lists them by id prefix or feature, one reason each.
//!
//! `cargo test -p eds-verifier --test limbo -- --nocapture` prints the summary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

use eds_verifier::cert::Cert;
use eds_verifier::path::{PathOptions, validate};
use eds_verifier::trust::TrustList;

/// The validation time of a case that gives none: inside the validity of every generated
/// certificate (1970-01-01 to 2969-05-03) and after the 1988 expiry of the expired intermediate
/// that `rfc5280::multiple-chains-expired-intermediate` must route around.
const NO_TIME_GIVEN: OffsetDateTime = datetime!(2025-01-01 00:00 UTC);

/// What is not ours to judge, by id prefix (`id:`) or feature (`feature:`), with the reason.
/// A pattern that matches no case fails the test, so the list stays exact.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "id:webpki::exact-san",
        "host-name matching of the TLS peer (RFC 6125); a signature has no peer name",
    ),
    ("id:webpki::mismatch-", "host-name matching (RFC 6125)"),
    (
        "id:webpki::leftmost-wildcard-san",
        "host-name wildcard matching (RFC 6125)",
    ),
    (
        "id:webpki::wildcard-",
        "host-name wildcard matching (RFC 6125)",
    ),
    (
        "id:webpki::public-suffix-wildcard-san",
        "web-PKI public-suffix wildcard rule (CA/B BR)",
    ),
    (
        "id:webpki::unicode-emoji-san",
        "host-name matching of an IDN peer name (RFC 5280 §7.2 applied to a TLS peer)",
    ),
    (
        "id:webpki::no-san",
        "TLS server certificates must carry a SAN (CA/B BR); document signers need not",
    ),
    (
        "id:rfc5280::wrong-eku",
        "the case requires the TLS serverAuth EKU of the leaf",
    ),
    (
        "id:webpki::eku-contains-anyeku",
        "TLS serverAuth EKU with anyExtendedKeyUsage forbidden (CA/B BR 7.1.2.7.10)",
    ),
    (
        "id:webpki::root-with-extkeyusage",
        "a root with extKeyUsage forbidden for the TLS serverAuth purpose (CA/B BR 7.1.2.1.2)",
    ),
    (
        "id:webpki::aki::root-with-aki-missing-keyidentifier",
        "root AKI field rules of CA/B BR 7.1.2.1.3 (RFC 5280 lets a self-signed root omit AKI)",
    ),
    (
        "id:webpki::aki::root-with-aki-authoritycert",
        "root AKI field rules of CA/B BR 7.1.2.1.3 (RFC 5280 §4.2.1.1 allows these fields)",
    ),
    (
        "id:webpki::aki::root-with-aki-all-fields",
        "root AKI field rules of CA/B BR 7.1.2.1.3 (RFC 5280 §4.2.1.1 allows these fields)",
    ),
    (
        "id:webpki::san-critical-with-nonempty-subject",
        "CA/B BR 7.1.2.7.12 (RFC 5280 §4.2.1.6 lets a SAN be critical)",
    ),
    (
        "id:webpki::v1-cert",
        "CA/B BR 7.1.1 asks v3 only; RFC 5280 §4.1.2.1 allows a v1/v2 leaf without extensions",
    ),
    (
        "id:webpki::ee-basicconstraints-ca",
        "CA/B BR 7.1.2.7.8 (cA FALSE in a TLS leaf); RFC 5280 lets a CA certificate end a path",
    ),
    (
        "feature:max-chain-depth/FAILURE",
        "fails only under the caller's depth limit, not an input of ours (the SUCCESS ones run)",
    ),
];

/// Judged cases the verifier refuses though the case says SUCCESS, each with why; the test
/// fails if the list is not exact, so a fix shows up as a failure asking to shorten it.
const KNOWN_WRONG_REJECTIONS: &[(&str, &str)] = &[];

/// How a case came out.
enum Outcome {
    Passed,
    Refused(String),
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn str_list(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn certs(pems: &[String]) -> Result<Vec<Cert>, String> {
    pems.iter()
        .map(|p| {
            Cert::all_from_pem_or_der(p.as_bytes())
                .map_err(|e| format!("certificate refused at parse: {e}"))
                .map(|mut v| v.remove(0))
        })
        .collect()
}

fn excluded_by(case: &serde_json::Value) -> Option<&'static (&'static str, &'static str)> {
    let id = case["id"].as_str().unwrap();
    let features = str_list(&case["features"]);
    let expected = case["expected_result"].as_str().unwrap();
    EXCLUDED.iter().find(|(pattern, _)| {
        if let Some(prefix) = pattern.strip_prefix("id:") {
            id.starts_with(prefix)
        } else if let Some(rest) = pattern.strip_prefix("feature:") {
            let (feature, result) = rest.split_once('/').unwrap_or((rest, ""));
            features.iter().any(|f| f == feature) && (result.is_empty() || result == expected)
        } else {
            panic!("pattern {pattern} is neither id: nor feature:")
        }
    })
}

fn run(case: &serde_json::Value) -> Outcome {
    let at = match case["validation_time"].as_str() {
        Some(t) => OffsetDateTime::parse(t, &Rfc3339).unwrap(),
        None => NO_TIME_GIVEN,
    };
    let anchors = match certs(&str_list(&case["trusted_certs"])) {
        Ok(c) => c,
        Err(e) => return Outcome::Refused(format!("anchor: {e}")),
    };
    let inters = match certs(&str_list(&case["untrusted_intermediates"])) {
        Ok(c) => c,
        Err(e) => return Outcome::Refused(format!("intermediate: {e}")),
    };
    let leaf = match certs(&[case["peer_certificate"].as_str().unwrap().to_owned()]) {
        Ok(mut c) => c.remove(0),
        Err(e) => return Outcome::Refused(format!("leaf: {e}")),
    };
    let trust = match TrustList::from_certs(anchors) {
        Ok(t) => t,
        Err(e) => return Outcome::Refused(format!("trust list refused: {e}")),
    };
    let mut opts = PathOptions::at(at);
    opts.max_signature_checks = 100;
    match validate(&leaf, &inters, &trust, &opts) {
        Ok(_) => Outcome::Passed,
        Err(f) => Outcome::Refused(format!("{:?}: {f}", f.sub_indication())),
    }
}

#[test]
fn limbo_cases_at_their_expected_results_or_excluded_with_a_reason() {
    let bytes = std::fs::read(eds_fixtures::limbo::json_path()).unwrap();
    assert_eq!(
        sha256_hex(&bytes),
        eds_fixtures::limbo::JSON_SHA256,
        "fixtures/limbo/limbo.json is not the vendored file; see its README to refresh it"
    );
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["version"], 1);
    let cases = doc["testcases"].as_array().unwrap();
    assert_eq!(cases.len(), 106, "testcases in the vendored limbo.json");

    let (mut agree, mut excluded) = (0, 0);
    let mut wrong_acceptances = Vec::new();
    let mut wrong_rejections = Vec::new();
    let mut patterns_used = vec![0usize; EXCLUDED.len()];
    let mut lines = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let expected = case["expected_result"].as_str().unwrap();
        let outcome = run(case);
        let shown = match &outcome {
            Outcome::Passed => "PASSED".to_owned(),
            Outcome::Refused(why) => format!("refused ({why})"),
        };
        if let Some(rule) = excluded_by(case) {
            let at = EXCLUDED.iter().position(|r| r == rule).unwrap();
            patterns_used[at] += 1;
            excluded += 1;
            lines.push(format!(
                "excluded  {id} [{expected}]: {shown} -- {}",
                rule.1
            ));
            continue;
        }
        match (expected, &outcome) {
            ("SUCCESS", Outcome::Passed) | ("FAILURE", Outcome::Refused(_)) => {
                agree += 1;
                lines.push(format!("agree     {id} [{expected}]: {shown}"));
            }
            ("FAILURE", Outcome::Passed) => {
                wrong_acceptances.push(id.to_owned());
                lines.push(format!("WRONG-ACC {id} [{expected}]: {shown}"));
            }
            ("SUCCESS", Outcome::Refused(_)) => {
                wrong_rejections.push(id.to_owned());
                lines.push(format!("WRONG-REJ {id} [{expected}]: {shown}"));
            }
            (other, _) => panic!("{id}: expected_result {other}"),
        }
    }
    println!("{}", lines.join("\n"));
    println!(
        "x509-limbo: {} cases, {agree} agree, {} wrong acceptances, {} wrong rejections, \
         {excluded} excluded",
        cases.len(),
        wrong_acceptances.len(),
        wrong_rejections.len()
    );
    for (used, (pattern, _)) in patterns_used.iter().zip(EXCLUDED) {
        assert!(*used > 0, "exclusion {pattern} matches no case: remove it");
    }
    assert!(
        wrong_acceptances.is_empty(),
        "expected FAILURE, verifier PASSED: {wrong_acceptances:?}"
    );
    let known: Vec<&str> = KNOWN_WRONG_REJECTIONS.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        wrong_rejections, known,
        "wrong rejections differ from KNOWN_WRONG_REJECTIONS"
    );
    assert_eq!(
        agree + excluded + wrong_rejections.len(),
        cases.len(),
        "every case judged or excluded"
    );
}
