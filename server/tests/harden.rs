//! Issue 16 over HTTP: the OCSP and TSA certificates are refused revocation (409, naming the
//! rotation), a rotation or a revocation reaches the running server without a restart, revocation
//! fields are bounded (422), and `Idempotency-Key` makes issuance repeatable, across a restart.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::path::Path;

use der::{Decode, Encode};
use hyper::{Method, StatusCode};
use ring::rand::SystemRandom;
use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::oneshot;
use x509_cert::Certificate;
use x509_ocsp::{BasicOcspResponse, OcspResponse, OcspResponseStatus};

use common::ocsp_req::{self, Status};
use common::{PASS, TestServer, request_with_csr};
use eds_ca::center::Center;
use eds_ca::store::{AuditEvent, NewRevocation, RevocationRecord, Serial};
use eds_profile::grounds::RevocationGround;

fn cert_file(data: &Path, name: &str) -> Vec<u8> {
    pem::parse(std::fs::read(data.join(name)).unwrap())
        .unwrap()
        .into_contents()
}

fn serial_hex(der: &[u8]) -> String {
    let c = Certificate::from_der(der).unwrap();
    Serial::from_der_content(c.tbs_certificate.serial_number.as_bytes())
        .unwrap()
        .to_string()
}

/// The responder certificate a successful OCSP response carries.
fn signer_of(response: &[u8]) -> Vec<u8> {
    let r = OcspResponse::from_der(response).unwrap();
    assert_eq!(r.response_status, OcspResponseStatus::Successful);
    let basic = BasicOcspResponse::from_der(r.response_bytes.unwrap().response.as_bytes()).unwrap();
    basic.certs.unwrap()[0].to_der().unwrap()
}

/// A SHA-256 `TimeStampReq` asking for the TSA's certificate.
fn tsa_query() -> Vec<u8> {
    x509_tsp::TimeStampReq {
        version: x509_tsp::TspVersion::V1,
        message_imprint: x509_tsp::MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifierOwned {
                oid: der::asn1::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
                parameters: None,
            },
            hashed_message: der::asn1::OctetString::new(vec![0x22; 32]).unwrap(),
        },
        req_policy: None,
        nonce: None,
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .unwrap()
}

/// The TSA certificate inside a granted token.
fn tsa_signer_of(response: &[u8]) -> Vec<u8> {
    let r = eds_ca::tsa::Response::from_der(response).unwrap();
    assert_eq!(r.status.status, eds_ca::tsa::STATUS_GRANTED);
    let token = r.time_stamp_token.unwrap();
    let sd: cms::signed_data::SignedData = token.content.decode_as().unwrap();
    let certs = sd.certificates.unwrap();
    match certs.0.iter().next().unwrap() {
        cms::cert::CertificateChoices::Certificate(c) => c.to_der().unwrap(),
        other => panic!("{other:?}"),
    }
}

async fn tsa(s: &TestServer) -> Vec<u8> {
    let r = s
        .call(
            Method::POST,
            "/tsa",
            &[("content-type", "application/timestamp-query")],
            tsa_query(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.body.to_vec()
}

fn revoke_in_store(s: &TestServer, serial_text: &str) {
    let at = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    s.store()
        .revoke(
            &[NewRevocation {
                serial: Serial::from_hex(serial_text).unwrap(),
                record: RevocationRecord {
                    ground: RevocationGround::KeyCompromise,
                    reason: RevocationGround::KeyCompromise.crl_reason(),
                    notified_by: "test".into(),
                    received_at: at,
                    entered_at: at,
                    invalidity_date: None,
                    note: None,
                },
            }],
            &AuditEvent {
                at,
                actor: "test".into(),
                action: "certificate-revoked".into(),
                details: json!({}),
            },
        )
        .unwrap();
}

async fn rotate(data: &Path, ocsp: bool) {
    let data = data.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let center = Center::open(&data).unwrap();
        let now = OffsetDateTime::now_utc();
        if ocsp {
            center.issue_ocsp_signer(PASS, now, &SystemRandom::new())
        } else {
            center.issue_tsa_signer(PASS, now, &SystemRandom::new())
        }
        .unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_revoking_the_center_own_certificates_is_409_naming_what_to_do() {
    let s = TestServer::start().await;
    let before = s.audit_count();
    let cases = [
        (
            serial_hex(&cert_file(&s.data, "ocsp.crt.pem")),
            "infrastructure-certificate",
            Some("eds ca rotate ocsp"),
        ),
        (
            serial_hex(&cert_file(&s.data, "tsa.crt.pem")),
            "infrastructure-certificate",
            Some("eds ca rotate tsa"),
        ),
        (
            serial_hex(&cert_file(&s.data, "root.crt.pem")),
            "not-an-owner-certificate",
            None,
        ),
        (
            serial_hex(&cert_file(&s.data, "issuing.crt.pem")),
            "not-an-owner-certificate",
            None,
        ),
    ];
    for (serial, code, instead) in cases {
        let r = s
            .api(
                Method::POST,
                &format!("/api/v1/certificates/{serial}/revoke"),
                Some(&s.token),
                Some(json!({ "ground": "death", "notified_by": "an attacker" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json());
        let body = r.json();
        assert_eq!(body["error"], code);
        if let Some(instead) = instead {
            assert_eq!(body["instead"], instead);
            assert_eq!(body["serial"], serial.as_str());
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("replace it with `{instead}` instead")),
                "{body}"
            );
        }
    }
    assert_eq!(s.audit_count(), before, "nothing recorded");
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_a_rotation_reaches_the_running_server_at_its_next_request() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let req = ocsp_req::request(&s.issuing_der(), &hex::decode(&serial).unwrap());
    let old_ocsp = cert_file(&s.data, "ocsp.crt.pem");
    assert_eq!(signer_of(&s.ocsp(req.clone()).await.body), old_ocsp);
    let old_tsa = cert_file(&s.data, "tsa.crt.pem");
    assert_eq!(tsa_signer_of(&tsa(&s).await), old_tsa);

    rotate(&s.data, true).await;
    rotate(&s.data, false).await;
    let new_ocsp = cert_file(&s.data, "ocsp.crt.pem");
    let new_tsa = cert_file(&s.data, "tsa.crt.pem");
    assert_ne!(new_ocsp, old_ocsp);
    assert_ne!(new_tsa, old_tsa);

    let r = s.ocsp(req).await;
    assert_eq!(signer_of(&r.body), new_ocsp);
    assert_eq!(
        ocsp_req::read(&r.body),
        (OcspResponseStatus::Successful, Some(Status::Good))
    );
    assert_eq!(tsa_signer_of(&tsa(&s).await), new_tsa);
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_a_revoked_responder_certificate_never_signs_in_the_running_server() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let req = ocsp_req::request(&s.issuing_der(), &hex::decode(&serial).unwrap());
    let old_ocsp = cert_file(&s.data, "ocsp.crt.pem");
    let old_tsa = cert_file(&s.data, "tsa.crt.pem");
    assert_eq!(signer_of(&s.ocsp(req.clone()).await.body), old_ocsp);
    assert_eq!(tsa_signer_of(&tsa(&s).await), old_tsa);

    // Revoked behind the center's back (an older register, a hand edit).
    revoke_in_store(&s, &serial_hex(&old_ocsp));
    revoke_in_store(&s, &serial_hex(&old_tsa));

    let signer = signer_of(&s.ocsp(req).await.body);
    assert_ne!(signer, old_ocsp, "the revoked certificate signed");
    assert_eq!(signer, cert_file(&s.data, "ocsp.crt.pem"));
    let store = s.store();
    let rec = store
        .certificate(&Serial::from_hex(&serial_hex(&signer)).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!((rec.kind.as_str(), rec.revocation), ("ocsp", None));

    let tsa_signer = tsa_signer_of(&tsa(&s).await);
    assert_ne!(tsa_signer, old_tsa, "the revoked TSA certificate signed");
    assert_eq!(tsa_signer, cert_file(&s.data, "tsa.crt.pem"));
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_revocation_fields_out_of_bounds_are_422_and_change_nothing() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let before = s.audit_count();
    for (body, field) in [
        (
            json!({ "ground": "key-compromise", "notified_by": "h", "invalidity_date": "1970-01-01T00:00:00Z" }),
            "invalidity_date",
        ),
        (
            json!({ "ground": "key-compromise", "notified_by": "h", "invalidity_date": "9999-12-31T00:00:00Z" }),
            "invalidity_date",
        ),
        (
            json!({ "ground": "key-compromise", "notified_by": "x".repeat(900_000) }),
            "notified_by",
        ),
        (
            json!({ "ground": "key-compromise", "notified_by": "h", "note": "n".repeat(900_000) }),
            "note",
        ),
    ] {
        let r = s
            .api(
                Method::POST,
                &format!("/api/v1/certificates/{serial}/revoke"),
                Some(&s.token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(r.json()["error"], "invalid-field");
        assert_eq!(r.json()["field"], field);
    }
    // received_at in the future: art. 18.3's own refusal.
    let r = s
        .api(
            Method::POST,
            &format!("/api/v1/certificates/{serial}/revoke"),
            Some(&s.token),
            Some(json!({ "ground": "key-compromise", "notified_by": "h", "received_at": "2999-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"], "revocation-notice-refused");
    assert_eq!(s.audit_count(), before);
    s.stop().await.unwrap();
}

async fn post_keyed(s: &TestServer, key: &str, body: &[u8]) -> common::Reply {
    let auth = format!("Bearer {}", s.token);
    s.call(
        Method::POST,
        "/api/v1/certificates",
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
            ("idempotency-key", key),
        ],
        body.to_vec(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_idempotency_key_gives_the_same_certificate_and_refuses_another_body() {
    let mut s = TestServer::start().await;
    let body = serde_json::to_vec(&request_with_csr("individual-signing")).unwrap();
    let first = post_keyed(&s, "order-17", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json());
    let serial = first.json()["certificate"]["serial"].clone();
    let count = s
        .store()
        .list_certificates(&Default::default())
        .unwrap()
        .len();

    let again = post_keyed(&s, "order-17", &body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json());
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.json()["certificate"]["serial"], serial);
    assert_eq!(
        again.json()["certificate_pem"],
        first.json()["certificate_pem"]
    );

    let other = serde_json::to_vec(&request_with_csr("individual-signing")).unwrap();
    let refused = post_keyed(&s, "order-17", &other).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"], "idempotency-key-reused");
    assert_eq!(refused.json()["serial"], serial);

    let bad = post_keyed(&s, "has space", &body).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["field"], "Idempotency-Key");
    assert_eq!(
        s.store()
            .list_certificates(&Default::default())
            .unwrap()
            .len(),
        count
    );

    // A restart: the key is in the register.
    let data = s.data.clone();
    s.signal_stop();
    s.join().await.unwrap();
    let server = tokio::task::spawn_blocking(move || {
        eds_server::Server::open(eds_server::Options::new(data, PASS.to_vec()))
    })
    .await
    .unwrap()
    .unwrap();
    let listener = eds_server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    s.addr = addr;
    let replay = post_keyed(&s, "order-17", &body).await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.json());
    assert_eq!(replay.json()["certificate"]["serial"], serial);
    assert_eq!(
        s.store()
            .list_certificates(&Default::default())
            .unwrap()
            .len(),
        count
    );
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_ocsp_nonce_of_zero_or_over_128_octets_is_malformed_request_over_http() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    for (len, status) in [
        (0usize, OcspResponseStatus::MalformedRequest),
        (40_000, OcspResponseStatus::MalformedRequest),
        (32, OcspResponseStatus::Successful),
    ] {
        let mut req = x509_ocsp::OcspRequest::from_der(&ocsp_req::request(
            &s.issuing_der(),
            &hex::decode(&serial).unwrap(),
        ))
        .unwrap();
        req.tbs_request.request_extensions = Some(vec![x509_cert::ext::Extension {
            extn_id: der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2"),
            critical: false,
            extn_value: der::asn1::OctetString::new(
                der::asn1::OctetString::new(vec![9u8; len])
                    .unwrap()
                    .to_der()
                    .unwrap(),
            )
            .unwrap(),
        }]);
        let r = s.ocsp(req.to_der().unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            OcspResponse::from_der(&r.body).unwrap().response_status,
            status,
            "{len}"
        );
    }
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_ocsp_get_path_of_invalid_utf8_is_malformed_request_not_a_400_page() {
    let s = TestServer::start().await;
    for path in ["/ocsp/%FF", "/ocsp/MA%C3%28"] {
        let r = s.call(Method::GET, path, &[], Vec::new()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("content-type"), "application/ocsp-response");
        assert_eq!(
            OcspResponse::from_der(&r.body).unwrap().response_status,
            OcspResponseStatus::MalformedRequest,
            "{path}"
        );
    }
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_connections_over_the_cap_are_closed_and_served_again_once_one_ends() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start_with(eds_server::Limits {
        max_connections: 2,
        ..eds_server::Limits::default()
    })
    .await;
    // Two idle connections hold the two places.
    let idle1 = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let idle2 = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    // The server accepts in the order the handshakes completed: these two first.
    let mut third = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    // The third is closed by the server: end of stream, no answer.
    let _ = third
        .write_all(b"GET /cert/root.cer HTTP/1.1\r\nhost: x\r\n\r\n")
        .await;
    let mut buf = Vec::new();
    let read = third.read_to_end(&mut buf).await;
    assert!(
        read.is_err() || buf.is_empty(),
        "answered over the cap: {}",
        String::from_utf8_lossy(&buf)
    );
    // One idle connection ends: a new client is served (as soon as the server sees it end).
    drop(idle1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        let _ = c
            .write_all(b"GET /cert/root.cer HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await;
        let mut buf = Vec::new();
        let _ = c.read_to_end(&mut buf).await;
        if buf.starts_with(b"HTTP/1.1 200") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never served again");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    drop(idle2);
    s.stop().await.unwrap();
}

/// Found by the `server_api` fuzz target: a `{serial}` that is not UTF-8 once percent-decoded
/// was answered with axum's plain-text 400; it is the API's JSON 400 `bad-field` like any serial
/// that cannot be read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_serial_path_of_invalid_utf8_is_a_json_bad_field() {
    let s = TestServer::start().await;
    for (method, path, body) in [
        (Method::GET, "/api/v1/certificates/%FF", None),
        (
            Method::POST,
            "/api/v1/certificates/%C3%28/revoke",
            Some(json!({ "ground": "key-compromise", "notified_by": "h" })),
        ),
    ] {
        let r = s.api(method, path, Some(&s.token), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.json()["error"], "bad-field", "{path}");
        assert_eq!(r.json()["field"], "serial", "{path}");
        let message = r.json()["message"].as_str().unwrap().to_owned();
        assert!(message.contains("UTF-8"), "{message}");
    }
    s.stop().await.unwrap();
}
