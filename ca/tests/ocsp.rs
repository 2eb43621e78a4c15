//! The OCSP responder against OpenSSL: requests made by `openssl ocsp -reqout`, answers checked by
//! `openssl ocsp -respin … -resp_text` (status lines, reasons, times, nonce, `Response verify OK`),
//! plus the responder certificate's profile, its renewal, the cache and the error statuses.
//!
//! OpenSSL checks thisUpdate/nextUpdate and the chain against its own clock, so these tests answer
//! at the real time (passed in, as every clock is).
#![expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use der::asn1::{Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use ring::rand::SystemRandom;
use spki::AlgorithmIdentifierOwned;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::{BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, Request};
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

use eds_ca::CaError;
use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::ocsp::{MAX_CERT_IDS, OcspResponseStatus, Problem, Responder, signer};
use eds_ca::revoke::RevocationNotice;
use eds_ca::store::{
    CertificateQuery, EntityRecord, PersonRecord, Serial, SqliteStore, StoreError,
};
use eds_profile::grounds::RevocationGround;
use eds_profile::request::RegistrationRequest;

const PASS: &[u8] = b"test passphrase";

/// The whole DER of an `OCSPResponse` with a non-successful status (RFC 6960 §4.2.1).
fn bare_status(code: u8) -> Vec<u8> {
    vec![0x30, 0x03, 0x0A, 0x01, code]
}

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
    entities: Vec<EntityRecord>,
}

fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The real time, to the second.
fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

/// A time as `openssl ocsp` prints it (`Nov  2 04:30:23 2026 GMT`).
fn openssl_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT"
    ))
    .unwrap()
}

/// A center in a temporary folder with the fixture registry, and its responder.
struct Pki {
    dir: tempfile::TempDir,
    center: Center,
    responder: Responder,
}

impl Pki {
    fn new(algorithm: KeyAlgorithm) -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let t = now() - Duration::hours(1);
        let config = CenterConfig {
            algorithm,
            ..CenterConfig::default()
        };
        let center = Center::init(dir.path(), config, PASS, t, &rng).unwrap();
        let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
        for p in &registry.persons {
            center.record_person(p, "test", t).unwrap();
        }
        for e in &registry.entities {
            center.record_entity(e, "test", t).unwrap();
        }
        let responder = Responder::load(&center, PASS, t, &rng).unwrap();
        Pki {
            dir,
            center,
            responder,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Issues a leaf from a fixture request and writes it to `<request>.pem`; returns its serial
    /// and the file name.
    fn leaf(&self, request: &str) -> (Serial, String) {
        let rng = SystemRandom::new();
        let key = self.center.unlock(PASS).unwrap();
        let req: RegistrationRequest =
            serde_json::from_str(&fixture(&format!("requests/{request}.json"))).unwrap();
        let issued = self
            .center
            .issue(
                &key,
                &req,
                KeySource::Generate(KeyAlgorithm::P256),
                "test",
                now() - Duration::minutes(30),
                &rng,
                &mut |_| {},
            )
            .unwrap();
        let name = format!("{request}.pem");
        std::fs::write(
            self.path(&name),
            pem::encode(&pem::Pem::new("CERTIFICATE", issued.record.der.clone())),
        )
        .unwrap();
        (issued.record.serial, name)
    }

    /// `openssl ocsp -issuer issuing.crt.pem [-cert …] -reqout <name> <extra>`; returns the DER.
    fn openssl_request(&self, name: &str, leaves: &[&str], extra: &[&str]) -> Vec<u8> {
        let mut args = vec!["ocsp", "-issuer", "issuing.crt.pem"];
        args.extend_from_slice(extra);
        for leaf in leaves {
            args.extend_from_slice(&["-cert", leaf]);
        }
        args.extend_from_slice(&["-reqout", name]);
        let out = openssl(self.dir.path(), &args);
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}\n{out}"))
    }

    /// Answers `request` at `at`, writes the response to `resp.der` and returns it.
    fn respond(&self, request: &[u8], at: OffsetDateTime) -> Vec<u8> {
        let der = self.responder.respond(self.center.store(), request, at);
        std::fs::write(self.path("resp.der"), &der).unwrap();
        der
    }

    /// `openssl ocsp -respin resp.der -issuer issuing.crt.pem -CAfile root.crt.pem [-cert …]
    /// -no_nonce -resp_text <extra>`: stdout and stderr.
    fn openssl_check(&self, leaves: &[&str], extra: &[&str]) -> String {
        let mut args = vec![
            "ocsp",
            "-respin",
            "resp.der",
            "-issuer",
            "issuing.crt.pem",
            "-CAfile",
            "root.crt.pem",
            "-no_nonce",
            "-resp_text",
        ];
        args.extend_from_slice(extra);
        for leaf in leaves {
            args.extend_from_slice(&["-cert", leaf]);
        }
        openssl(self.dir.path(), &args)
    }

    fn revoke(
        &self,
        center: &Center,
        serial: &Serial,
        ground: RevocationGround,
        at: OffsetDateTime,
    ) {
        self.revoke_with_invalidity(center, serial, ground, at, None);
    }

    fn revoke_with_invalidity(
        &self,
        center: &Center,
        serial: &Serial,
        ground: RevocationGround,
        at: OffsetDateTime,
        invalidity_date: Option<OffsetDateTime>,
    ) {
        center
            .revoke(
                &RevocationNotice {
                    serial: serial.clone(),
                    ground,
                    notified_by: "holder".into(),
                    received_at: at,
                    invalidity_date,
                    note: None,
                },
                "test",
                at,
            )
            .unwrap();
    }
}

/// Runs openssl in `dir`; returns stdout and stderr together.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What `openssl ocsp` prints for one certificate: the status line and the lines indented under
/// it (`This Update`, `Next Update`, `Reason`, `Revocation Time`).
#[derive(Debug, PartialEq)]
struct Printed {
    status: String,
    details: Vec<String>,
}

/// The summary `openssl ocsp` prints for `name` (`name: good` and its indented lines).
fn printed(out: &str, name: &str) -> Printed {
    let prefix = format!("{name}: ");
    let mut lines = out.lines();
    let status = lines
        .by_ref()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no status for {name} in:\n{out}"))
        .to_owned();
    let details = lines
        .take_while(|l| l.starts_with('\t'))
        .map(|l| l.trim().to_owned())
        .collect();
    Printed { status, details }
}

fn times(at: OffsetDateTime) -> Vec<String> {
    vec![
        format!("This Update: {}", openssl_time(at)),
        format!("Next Update: {}", openssl_time(at + Duration::hours(1))),
    ]
}

fn verified(out: &str) -> bool {
    out.lines().any(|l| l == "Response verify OK")
}

/// The response status, and the basic response when successful.
fn decode(der: &[u8]) -> (OcspResponseStatus, Option<BasicOcspResponse>) {
    let r = OcspResponse::from_der(der).unwrap();
    let basic = r
        .response_bytes
        .map(|b| BasicOcspResponse::from_der(b.response.as_bytes()).unwrap());
    (r.response_status, basic)
}

/// The hex line under `OCSP Nonce:` in openssl's text.
fn nonce_line(out: &str) -> String {
    let mut lines = out.lines();
    lines.find(|l| l.trim() == "OCSP Nonce:").unwrap();
    lines.next().unwrap().trim().to_owned()
}

/// A CertID of the issuing center (SHA-1) for `serial`, built by hand.
fn cert_id(pki: &Pki, serial: &[u8]) -> CertId {
    let issuing = x509_cert::Certificate::from_der(pki.center.issuing_der()).unwrap();
    let sha1 = |b: &[u8]| {
        OctetString::new(
            ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, b)
                .as_ref()
                .to_vec(),
        )
        .unwrap()
    };
    CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
            parameters: Some(Null.into()),
        },
        issuer_name_hash: sha1(&issuing.tbs_certificate.subject.to_der().unwrap()),
        issuer_key_hash: sha1(
            issuing
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes(),
        ),
        serial_number: SerialNumber::new(serial).unwrap(),
    }
}

fn request_der(ids: Vec<CertId>, extensions: Option<Vec<Extension>>) -> Vec<u8> {
    OcspRequest {
        tbs_request: x509_ocsp::TbsRequest {
            version: x509_ocsp::Version::V1,
            requestor_name: None,
            request_list: ids
                .into_iter()
                .map(|req_cert| Request {
                    req_cert,
                    single_request_extensions: None,
                })
                .collect(),
            request_extensions: extensions,
        },
        optional_signature: None,
    }
    .to_der()
    .unwrap()
}

#[test]
fn ok_responder_is_shareable_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Responder>();
}

#[test]
fn ok_good_leaf_with_sha1_and_sha256_cert_ids_verifies_in_openssl() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (_, leaf) = pki.leaf("individual-signing");
    for digest in [&[][..], &["-sha256"][..]] {
        let req = pki.openssl_request("req.der", &[&leaf], &[digest, &["-no_nonce"]].concat());
        let at = now();
        pki.respond(&req, at);
        let out = pki.openssl_check(&[&leaf], digest);
        assert_eq!(
            printed(&out, &leaf),
            Printed {
                status: "good".into(),
                details: times(at)
            },
            "{out}"
        );
        assert!(verified(&out), "{out}");
        let algorithm = if digest.is_empty() { "sha1" } else { "sha256" };
        assert!(
            out.contains(&format!("Hash Algorithm: {algorithm}")),
            "{out}"
        );
        assert!(
            out.contains(&format!("Produced At: {}", openssl_time(at))),
            "{out}"
        );
    }
}

#[test]
fn ok_revoked_leaf_shows_reason_and_revocation_time() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, leaf) = pki.leaf("individual-signing");
    let revoked_at = now() - Duration::minutes(5);
    pki.revoke(
        &pki.center,
        &serial,
        RevocationGround::KeyCompromise,
        revoked_at,
    );
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce"]);
    let at = now();
    pki.respond(&req, at);
    let out = pki.openssl_check(&[&leaf], &[]);
    let mut details = times(at);
    details.push("Reason: keyCompromise".into());
    details.push(format!("Revocation Time: {}", openssl_time(revoked_at)));
    assert_eq!(
        printed(&out, &leaf),
        Printed {
            status: "revoked".into(),
            details
        },
        "{out}"
    );
    assert!(verified(&out), "{out}");
}

#[test]
fn ok_revoked_on_holder_request_carries_no_reason() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, leaf) = pki.leaf("individual-signing");
    let revoked_at = now() - Duration::minutes(5);
    pki.revoke(
        &pki.center,
        &serial,
        RevocationGround::HolderRequest,
        revoked_at,
    );
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce", "-sha256"]);
    let at = now();
    pki.respond(&req, at);
    let out = pki.openssl_check(&[&leaf], &["-sha256"]);
    let mut details = times(at);
    details.push(format!("Revocation Time: {}", openssl_time(revoked_at)));
    assert_eq!(
        printed(&out, &leaf),
        Printed {
            status: "revoked".into(),
            details
        },
        "{out}"
    );
    assert!(verified(&out), "{out}");
}

#[test]
fn ok_batch_of_two_answers_each_certificate() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (_, good) = pki.leaf("individual-signing");
    let (serial, revoked) = pki.leaf("individual-authentication");
    let revoked_at = now() - Duration::minutes(2);
    // Within the certificate's life (issued half an hour ago): eds_ca::fields bounds it.
    let died = revoked_at - Duration::minutes(10);
    pki.revoke_with_invalidity(
        &pki.center,
        &serial,
        RevocationGround::Death,
        revoked_at,
        Some(died),
    );
    let req = pki.openssl_request("req.der", &[&good, &revoked], &["-no_nonce"]);
    let at = now();
    let resp = pki.respond(&req, at);
    let out = pki.openssl_check(&[&good, &revoked], &[]);
    assert_eq!(printed(&out, &good).status, "good", "{out}");
    let mut details = times(at);
    details.push("Reason: cessationOfOperation".into());
    details.push(format!("Revocation Time: {}", openssl_time(revoked_at)));
    assert_eq!(
        printed(&out, &revoked),
        Printed {
            status: "revoked".into(),
            details
        },
        "{out}"
    );
    assert!(verified(&out), "{out}");
    // The invalidity date travels as a singleExtension (RFC 6960 §4.4.5), as in the CRL.
    let mut lines = out.lines().skip_while(|l| l.trim() != "Invalidity Date:");
    lines.next().unwrap();
    assert_eq!(lines.next().unwrap().trim(), openssl_time(died), "{out}");
    let (_, basic) = decode(&resp);
    assert_eq!(basic.unwrap().tbs_response_data.responses.len(), 2);
    // A batch is signed each time, never cached.
    assert_eq!(pki.responder.cached_answers(), 0);
}

#[test]
fn ok_nonce_is_echoed_and_verified_by_openssl() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (_, leaf) = pki.leaf("individual-signing");
    // openssl adds a nonce by default.
    let req = pki.openssl_request("req.der", &[&leaf], &[]);
    let first = pki.respond(&req, now());
    let request_text = openssl(pki.dir.path(), &["ocsp", "-reqin", "req.der", "-req_text"]);
    // With -reqin, openssl checks the response's nonce against the request's.
    let out = openssl(
        pki.dir.path(),
        &[
            "ocsp",
            "-reqin",
            "req.der",
            "-respin",
            "resp.der",
            "-issuer",
            "issuing.crt.pem",
            "-CAfile",
            "root.crt.pem",
            "-resp_text",
        ],
    );
    assert_eq!(nonce_line(&out), nonce_line(&request_text), "{out}");
    assert!(verified(&out), "{out}");
    assert!(!out.contains("Nonce Verify error"), "{out}");
    // Requests with a nonce are signed each time and never cached.
    let second = pki.respond(&req, now());
    assert_ne!(first, second);
    assert_eq!(pki.responder.cached_answers(), 0);
    let answer = pki.responder.answer(pki.center.store(), &req, now());
    assert!(!answer.cacheable);
    assert!(!answer.from_cache);
}

#[test]
fn fail_nonce_longer_than_128_octets_is_malformed_request() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, _) = pki.leaf("individual-signing");
    let nonce = |len: usize| Extension {
        extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
        critical: false,
        extn_value: OctetString::new(OctetString::new(vec![7u8; len]).unwrap().to_der().unwrap())
            .unwrap(),
    };
    // RFC 9654 §2.1: 1 to 128 octets are echoed; more is malformedRequest.
    let req = request_der(
        vec![cert_id(&pki, serial.as_bytes())],
        Some(vec![nonce(128)]),
    );
    let (status, basic) = decode(&pki.respond(&req, now()));
    assert_eq!(status, OcspResponseStatus::Successful);
    let data = basic.unwrap().tbs_response_data;
    assert!(data.response_extensions.is_some());
    assert_eq!(data.responses[0].cert_status, CertStatus::good());
    let req = request_der(
        vec![cert_id(&pki, serial.as_bytes())],
        Some(vec![nonce(129)]),
    );
    let answer = pki.responder.answer(pki.center.store(), &req, now());
    assert_eq!(answer.status, OcspResponseStatus::MalformedRequest);
    assert_eq!(
        answer.problem,
        Some(Problem::BadNonce {
            found: 129,
            max: 128
        })
    );
}

#[test]
fn ok_serial_never_issued_is_unknown() {
    let pki = Pki::new(KeyAlgorithm::P256);
    pki.leaf("individual-signing");
    let req = pki.openssl_request("req.der", &[], &["-serial", "0x0123", "-no_nonce"]);
    let at = now();
    pki.respond(&req, at);
    let out = pki.openssl_check(&[], &["-serial", "0x0123"]);
    assert_eq!(
        printed(&out, "0x0123"),
        Printed {
            status: "unknown".into(),
            details: times(at)
        },
        "{out}"
    );
    assert!(verified(&out), "{out}");
}

#[test]
fn ok_certificate_of_another_issuer_is_unknown() {
    let pki = Pki::new(KeyAlgorithm::P256);
    // The issuing center's own certificate: in the register, but issued by the root.
    let (_, issuing) = X509Certificate::from_der(pki.center.issuing_der()).unwrap();
    let serial = format!("0x{}", hex::encode(issuing.raw_serial()));
    let out = openssl(
        pki.dir.path(),
        &[
            "ocsp",
            "-issuer",
            "root.crt.pem",
            "-serial",
            &serial,
            "-no_nonce",
            "-reqout",
            "req.der",
        ],
    );
    let req = std::fs::read(pki.path("req.der")).unwrap_or_else(|e| panic!("{e}: {out}"));
    let (status, basic) = decode(&pki.respond(&req, now()));
    assert_eq!(status, OcspResponseStatus::Successful);
    assert_eq!(
        basic.unwrap().tbs_response_data.responses[0].cert_status,
        CertStatus::unknown()
    );
    // The same serial asked with the issuing center's hashes is not in its part of the register.
    let req = request_der(vec![cert_id(&pki, issuing.raw_serial())], None);
    let (_, basic) = decode(&pki.respond(&req, now()));
    assert_eq!(
        basic.unwrap().tbs_response_data.responses[0].cert_status,
        CertStatus::unknown()
    );
}

#[test]
fn fail_garbage_truncated_and_trailing_requests_are_malformed() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (_, leaf) = pki.leaf("individual-signing");
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce"]);
    let mut trailing = req.clone();
    trailing.push(0);
    let mut cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"GET / HTTP/1.1\r\n".to_vec(),
        vec![0x30, 0x80, 0x00, 0x00],
        trailing,
    ];
    cases.extend((0..req.len()).map(|n| req[..n].to_vec()));
    for bad in cases {
        let answer = pki.responder.answer(pki.center.store(), &bad, now());
        assert_eq!(answer.der, bare_status(1), "{}", hex::encode(&bad));
        assert_eq!(answer.status, OcspResponseStatus::MalformedRequest);
        assert!(
            matches!(answer.problem, Some(Problem::Malformed { .. })),
            "{:?}",
            answer.problem
        );
    }
    // The same bytes through openssl: it reads the status.
    std::fs::write(pki.path("resp.der"), bare_status(1)).unwrap();
    let out = openssl(
        pki.dir.path(),
        &["ocsp", "-respin", "resp.der", "-resp_text"],
    );
    assert_eq!(out.trim(), "Responder Error: malformedrequest (1)");
}

#[test]
fn fail_empty_oversized_and_critical_extension_requests_are_malformed() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let id = cert_id(&pki, &[0x01]);
    let critical = Extension {
        extn_id: ObjectIdentifier::new_unwrap("1.2.3.4"),
        critical: true,
        extn_value: OctetString::new(vec![0x05, 0x00]).unwrap(),
    };
    let cases = [
        (request_der(Vec::new(), None), Problem::NoCertIds),
        (
            request_der(vec![id.clone(); MAX_CERT_IDS + 1], None),
            Problem::TooManyCertIds {
                found: MAX_CERT_IDS + 1,
                max: MAX_CERT_IDS,
            },
        ),
        (
            request_der(vec![id.clone()], Some(vec![critical])),
            Problem::UnsupportedCriticalExtension {
                oid: "1.2.3.4".into(),
            },
        ),
    ];
    for (req, problem) in cases {
        let answer = pki.responder.answer(pki.center.store(), &req, now());
        assert_eq!(answer.der, bare_status(1));
        assert_eq!(answer.problem, Some(problem));
    }
    // The largest batch allowed is answered.
    let req = request_der(vec![id; MAX_CERT_IDS], None);
    let (status, basic) = decode(&pki.respond(&req, now()));
    assert_eq!(status, OcspResponseStatus::Successful);
    assert_eq!(
        basic.unwrap().tbs_response_data.responses.len(),
        MAX_CERT_IDS
    );
}

#[test]
fn fail_register_that_cannot_be_read_gives_internal_error() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, _) = pki.leaf("individual-signing");
    let conn = rusqlite::Connection::open(pki.path("register.sqlite")).unwrap();
    conn.execute_batch("ALTER TABLE revocations RENAME TO moved_away")
        .unwrap();
    let req = request_der(vec![cert_id(&pki, serial.as_bytes())], None);
    let answer = pki.responder.answer(pki.center.store(), &req, now());
    assert_eq!(answer.der, bare_status(2));
    assert_eq!(answer.status, OcspResponseStatus::InternalError);
    match answer.problem {
        Some(Problem::Store(StoreError::Backend { message })) => {
            assert!(message.contains("no such table: revocations"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fail_answer_outside_responder_validity_is_try_later() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, _) = pki.leaf("individual-signing");
    let req = request_der(vec![cert_id(&pki, serial.as_bytes())], None);
    let at = pki.responder.not_after();
    let answer = pki.responder.answer(pki.center.store(), &req, at);
    assert_eq!(answer.der, bare_status(3));
    assert!(
        matches!(answer.problem, Some(Problem::ResponderNotValid { at: a, not_after, .. }) if a == at && not_after == at),
        "{:?}",
        answer.problem
    );
    assert!(pki.responder.renewal_due(at - Duration::hours(23)));
    assert!(!pki.responder.renewal_due(at - Duration::hours(25)));
}

#[test]
fn ok_revocation_shows_in_the_very_next_answer() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, leaf) = pki.leaf("individual-signing");
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce"]);
    let at = now();
    let first = pki.responder.answer(pki.center.store(), &req, at);
    let second = pki.responder.answer(pki.center.store(), &req, at);
    assert!(!first.from_cache);
    assert!(second.from_cache);
    assert!(second.cacheable);
    assert_eq!(first.der, second.der);
    assert_eq!(pki.responder.cached_answers(), 1);

    // Revoked through this center, without calling invalidate.
    pki.revoke(&pki.center, &serial, RevocationGround::KeyCompromise, at);
    let third = pki.responder.answer(pki.center.store(), &req, at);
    assert!(!third.from_cache);
    std::fs::write(pki.path("resp.der"), &third.der).unwrap();
    let out = pki.openssl_check(&[&leaf], &[]);
    assert_eq!(printed(&out, &leaf).status, "revoked", "{out}");
    assert!(verified(&out), "{out}");
}

#[test]
fn ok_revocation_by_another_process_shows_in_the_very_next_answer() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, leaf) = pki.leaf("individual-signing");
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce", "-sha256"]);
    let at = now();
    pki.responder.answer(pki.center.store(), &req, at);
    assert!(
        pki.responder
            .answer(pki.center.store(), &req, at)
            .from_cache
    );

    // Another process: its own center and register connection on the same folder.
    let other = Center::open(pki.dir.path()).unwrap();
    pki.revoke(&other, &serial, RevocationGround::NameChange, at);
    drop(other);

    let answer = pki.responder.answer(pki.center.store(), &req, at);
    assert!(!answer.from_cache);
    std::fs::write(pki.path("resp.der"), &answer.der).unwrap();
    let out = pki.openssl_check(&[&leaf], &["-sha256"]);
    let mut details = times(at);
    details.push("Reason: superseded".into());
    details.push(format!("Revocation Time: {}", openssl_time(at)));
    assert_eq!(
        printed(&out, &leaf),
        Printed {
            status: "revoked".into(),
            details
        },
        "{out}"
    );
    assert!(verified(&out), "{out}");
}

#[test]
fn ok_invalidate_forgets_the_cached_answer() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (serial, leaf) = pki.leaf("individual-signing");
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce"]);
    let at = now();
    pki.responder.answer(pki.center.store(), &req, at);
    assert_eq!(pki.responder.cached_answers(), 1);
    pki.responder.invalidate(&serial);
    assert_eq!(pki.responder.cached_answers(), 0);
    assert!(
        !pki.responder
            .answer(pki.center.store(), &req, at)
            .from_cache
    );
}

#[test]
fn ok_cached_answer_is_signed_afresh_after_ten_minutes() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let (_, leaf) = pki.leaf("individual-signing");
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce"]);
    let at = now();
    let first = pki.responder.answer(pki.center.store(), &req, at);
    let later = pki
        .responder
        .answer(pki.center.store(), &req, at + Duration::minutes(9));
    assert!(later.from_cache);
    assert_eq!(later.produced_at, Some(at));
    let refreshed = pki
        .responder
        .answer(pki.center.store(), &req, at + Duration::minutes(10));
    assert!(!refreshed.from_cache);
    assert_eq!(refreshed.produced_at, Some(at + Duration::minutes(10)));
    assert_eq!(
        refreshed.next_update,
        Some(at + Duration::minutes(10) + Duration::hours(1))
    );
    assert_eq!(first.next_update, Some(at + Duration::hours(1)));
}

#[test]
fn ok_ed25519_and_p384_responders_verify_in_openssl() {
    for algorithm in [KeyAlgorithm::Ed25519, KeyAlgorithm::P384] {
        let pki = Pki::new(algorithm);
        let (_, leaf) = pki.leaf("individual-signing");
        let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce"]);
        let at = now();
        pki.respond(&req, at);
        let out = pki.openssl_check(&[&leaf], &[]);
        assert_eq!(printed(&out, &leaf).status, "good", "{algorithm:?}: {out}");
        assert!(verified(&out), "{algorithm:?}: {out}");
    }
}

#[test]
fn ok_responder_certificate_has_the_delegated_profile() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let der = pki.responder.certificate_der().to_vec();
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    let (_, issuing) = X509Certificate::from_der(pki.center.issuing_der()).unwrap();
    assert_eq!(cert.issuer().as_raw(), issuing.subject().as_raw());
    assert_eq!(cert.subject().to_string(), "C=KZ, CN=EDS TEST CA OCSP");
    assert_eq!(
        cert.validity().not_after.to_datetime() - cert.validity().not_before.to_datetime(),
        Duration::days(signer::VALIDITY_DAYS)
    );
    let mut seen = Vec::new();
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(ku) => {
                assert!(ext.critical);
                assert_eq!(ku.flags, 1, "digitalSignature only");
                seen.push("ku");
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                assert!(eku.ocsp_signing);
                assert!(!eku.any && !eku.server_auth && !eku.client_auth);
                assert!(eku.other.is_empty());
                seen.push("eku");
            }
            ParsedExtension::BasicConstraints(bc) => {
                assert!(!bc.ca);
                seen.push("bc");
            }
            _ if ext.oid.to_id_string() == "1.3.6.1.5.5.7.48.1.5" => {
                assert!(!ext.critical);
                assert_eq!(ext.value, &[0x05, 0x00]);
                seen.push("nocheck");
            }
            _ => {}
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, ["bc", "eku", "ku", "nocheck"]);

    // The files: certificate as served, key private and encrypted.
    let pem_der = pem::parse(std::fs::read(pki.path("ocsp.crt.pem")).unwrap())
        .unwrap()
        .into_contents();
    assert_eq!(pem_der, der);
    let key_file = std::fs::read_to_string(pki.path("ocsp.key.pem")).unwrap();
    assert!(key_file.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let mode = std::fs::metadata(pki.path("ocsp.key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // The register.
    let records = pki
        .center
        .store()
        .list_certificates(&CertificateQuery::default())
        .unwrap();
    let ocsp: Vec<_> = records.iter().filter(|r| r.kind == "ocsp").collect();
    assert_eq!(ocsp.len(), 1);
    assert_eq!(ocsp[0].issuer, "issuing");
    assert_eq!(ocsp[0].der, der);

    // OpenSSL accepts it as an OCSP signer under the root.
    let out = openssl(
        pki.dir.path(),
        &[
            "verify",
            "-CAfile",
            "root.crt.pem",
            "-untrusted",
            "issuing.crt.pem",
            "-purpose",
            "ocsphelper",
            "ocsp.crt.pem",
        ],
    );
    assert_eq!(out.trim(), "ocsp.crt.pem: OK");
}

#[test]
fn ok_load_reuses_the_certificate_and_renews_it_a_day_before_expiry() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let rng = SystemRandom::new();
    let first = pki.responder.certificate_der().to_vec();
    let not_after = pki.responder.not_after();

    let again = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    assert_eq!(again.certificate_der(), first.as_slice());

    let late = not_after - Duration::hours(23);
    let renewed = Responder::load(&pki.center, PASS, late, &rng).unwrap();
    assert_ne!(renewed.certificate_der(), first.as_slice());
    assert_eq!(
        renewed.not_after(),
        late + Duration::days(signer::VALIDITY_DAYS)
    );
    // Both stay in the register; the files hold the new pair.
    let ocsp = pki
        .center
        .store()
        .list_certificates(&CertificateQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "ocsp")
        .count();
    assert_eq!(ocsp, 2);
    let on_disk = Responder::load(&pki.center, PASS, late, &rng).unwrap();
    assert_eq!(on_disk.certificate_der(), renewed.certificate_der());
    assert!(!pki.path("ocsp.key.pem.new").exists());
}

#[test]
fn ok_revoked_responder_certificate_is_replaced_on_load() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let rng = SystemRandom::new();
    let (_, cert) = X509Certificate::from_der(pki.responder.certificate_der()).unwrap();
    let serial = Serial::from_der_content(cert.raw_serial()).unwrap();
    // The center refuses to revoke it (`InfrastructureCertificate`); a register edited by hand
    // or written by an older version may still hold a revocation.
    assert!(matches!(
        pki.center.revoke(
            &RevocationNotice {
                serial: serial.clone(),
                ground: RevocationGround::KeyCompromise,
                notified_by: "holder".into(),
                received_at: now(),
                invalidity_date: None,
                note: None,
            },
            "test",
            now(),
        ),
        Err(CaError::InfrastructureCertificate { .. })
    ));
    let at = now();
    pki.center
        .store()
        .revoke(
            &[eds_ca::store::NewRevocation {
                serial: serial.clone(),
                record: eds_ca::store::RevocationRecord {
                    ground: RevocationGround::KeyCompromise,
                    reason: RevocationGround::KeyCompromise.crl_reason(),
                    notified_by: "holder".into(),
                    received_at: at,
                    entered_at: at,
                    invalidity_date: None,
                    note: None,
                },
            }],
            &eds_ca::store::AuditEvent {
                at,
                actor: "test".into(),
                action: "certificate-revoked".into(),
                details: serde_json::json!({}),
            },
        )
        .unwrap();
    let replaced = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    assert_ne!(replaced.certificate_der(), pki.responder.certificate_der());
}

#[test]
fn ok_issue_ocsp_signer_replaces_the_pair() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let rng = SystemRandom::new();
    let record = pki.center.issue_ocsp_signer(PASS, now(), &rng).unwrap();
    assert_eq!(record.kind, "ocsp");
    let loaded = Responder::load(&pki.center, PASS, now(), &rng).unwrap();
    assert_eq!(loaded.certificate_der(), record.der.as_slice());
}

#[test]
fn fail_wrong_passphrase_is_refused() {
    let pki = Pki::new(KeyAlgorithm::P256);
    let rng = SystemRandom::new();
    assert_eq!(
        Responder::load(&pki.center, b"wrong", now(), &rng).unwrap_err(),
        CaError::WrongPassphrase
    );
}

#[test]
fn ok_responder_serves_a_register_opened_separately() {
    // The server may hold its own register connection: the answers are the same.
    let pki = Pki::new(KeyAlgorithm::P256);
    let (_, leaf) = pki.leaf("individual-signing");
    let req = pki.openssl_request("req.der", &[&leaf], &["-no_nonce"]);
    let store = SqliteStore::open(&pki.path("register.sqlite")).unwrap();
    let at = now();
    let der = pki.responder.respond(&store, &req, at);
    std::fs::write(pki.path("resp.der"), &der).unwrap();
    let out = pki.openssl_check(&[&leaf], &[]);
    assert_eq!(printed(&out, &leaf).status, "good", "{out}");
    assert!(verified(&out), "{out}");
}
