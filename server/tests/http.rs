//! The server over real loopback sockets: OCSP, CRL and certificate distribution, the operator
//! API's credentials and audit, limits, and graceful shutdown.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hyper::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use x509_ocsp::OcspResponseStatus;
use x509_parser::prelude::FromDer;

use common::ocsp_req::{self, Status};
use common::{OPERATOR, TestServer, request_with_csr};

fn revoke_body() -> serde_json::Value {
    json!({ "ground": "key-compromise", "notified_by": "the holder" })
}

fn serial_bytes(hex_serial: &str) -> Vec<u8> {
    hex::decode(hex_serial).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_ocsp_good_then_revoked_at_once_after_api_revocation() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let req = ocsp_req::request(&s.issuing_der(), &serial_bytes(&serial));

    let r = s.ocsp(req.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "application/ocsp-response");
    assert_eq!(
        ocsp_req::read(&r.body),
        (OcspResponseStatus::Successful, Some(Status::Good))
    );

    let rev = s
        .api(
            Method::POST,
            &format!("/api/v1/certificates/{serial}/revoke"),
            Some(&s.token),
            Some(revoke_body()),
        )
        .await;
    assert_eq!(rev.status, StatusCode::OK, "{}", rev.json());
    assert_eq!(rev.json()["certificate"]["status"], "revoked");

    let r = s.ocsp(req).await;
    assert_eq!(
        ocsp_req::read(&r.body),
        (OcspResponseStatus::Successful, Some(Status::Revoked))
    );
    // A serial the center never issued is never good.
    let r = s
        .ocsp(ocsp_req::request(&s.issuing_der(), &[0x12, 0x34]))
        .await;
    assert_eq!(
        ocsp_req::read(&r.body),
        (OcspResponseStatus::Successful, Some(Status::Unknown))
    );
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_ocsp_get_in_both_alphabets_with_rfc5019_cache_headers() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let req = ocsp_req::request(&s.issuing_der(), &serial_bytes(&serial));
    let standard: String = STANDARD
        .encode(&req)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    for path in [
        format!("/ocsp/{standard}"),
        format!("/ocsp/{}", URL_SAFE_NO_PAD.encode(&req)),
    ] {
        let r = s.call(Method::GET, &path, &[], Vec::new()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(
            ocsp_req::read(&r.body),
            (OcspResponseStatus::Successful, Some(Status::Good))
        );
        let cc = r.header("cache-control");
        assert!(
            cc.starts_with("max-age=") && cc.ends_with(", public, no-transform, must-revalidate"),
            "{cc}"
        );
        let max_age: i64 = cc
            .trim_start_matches("max-age=")
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((3000..=3600).contains(&max_age), "{max_age}");
        for h in ["last-modified", "expires", "etag"] {
            assert!(!r.header(h).is_empty(), "{h} missing");
        }
        assert!(r.header("expires").ends_with(" GMT"));
    }
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_malformed_ocsp_is_answered_200_malformed_request_never_500() {
    let s = TestServer::start().await;
    let malformed = (OcspResponseStatus::MalformedRequest, None);
    let r = s.ocsp(b"not DER at all".to_vec()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(ocsp_req::read(&r.body), malformed);
    let r = s.ocsp(Vec::new()).await;
    assert_eq!(ocsp_req::read(&r.body), malformed);
    for path in ["/ocsp/", "/ocsp/%%%", "/ocsp/bm90IERFUg", "/ocsp/a/b/c"] {
        let r = s.call(Method::GET, path, &[], Vec::new()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(ocsp_req::read(&r.body), malformed, "{path}");
        assert_eq!(r.header("cache-control"), "no-store");
    }
    // The HTTP-level refusals: a wrong media type, a body over the limit.
    let r = s
        .call(
            Method::POST,
            "/ocsp",
            &[("content-type", "text/plain")],
            b"x".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s.ocsp(vec![0x30; 64 * 1024 + 1]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "body-too-large");
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_crl_and_ca_certificates_with_types_and_cache_headers() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let first = s
        .call(Method::GET, "/crl/issuing.crl", &[], Vec::new())
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("content-type"), "application/pkix-crl");
    assert!(first.header("cache-control").starts_with("max-age="));
    assert!(!first.header("last-modified").is_empty());
    assert!(!first.header("expires").is_empty());
    let etag = first.header("etag").to_owned();
    let again = s
        .call(
            Method::GET,
            "/crl/issuing.crl",
            &[("if-none-match", etag.as_str())],
            Vec::new(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    let rev = s
        .api(
            Method::POST,
            &format!("/api/v1/certificates/{serial}/revoke"),
            Some(&s.token),
            Some(revoke_body()),
        )
        .await;
    assert_eq!(rev.status, StatusCode::OK);
    // The new CRL is signed right after the revocation, on the server's own task.
    let mut listed = false;
    for _ in 0..100 {
        let crl = s
            .call(Method::GET, "/crl/issuing.crl", &[], Vec::new())
            .await;
        let (_, parsed) =
            x509_parser::revocation_list::CertificateRevocationList::from_der(&crl.body).unwrap();
        if parsed
            .iter_revoked_certificates()
            .any(|e| hex::encode_upper(e.raw_serial()) == serial)
        {
            listed = true;
            assert_ne!(crl.header("etag"), etag);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(listed, "the revoked serial never reached the CRL");

    for (path, file) in [
        ("/cert/root.cer", "root.crt.pem"),
        ("/cert/issuing.cer", "issuing.crt.pem"),
    ] {
        let r = s.call(Method::GET, path, &[], Vec::new()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "application/pkix-cert");
        assert_eq!(r.header("cache-control"), "max-age=86400, public");
        let pem_text = std::fs::read(s.data.join(file)).unwrap();
        assert_eq!(r.body.as_ref(), pem::parse(pem_text).unwrap().contents());
    }
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_missing_wrong_and_revoked_tokens_are_refused_and_record_nothing() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let other = s.add_operator("former-clerk");
    s.store()
        .revoke_operator(
            "former-clerk",
            &eds_ca::store::AuditEvent {
                at: time::OffsetDateTime::now_utc(),
                actor: "test".into(),
                action: "api-operator-revoked".into(),
                details: json!({}),
            },
        )
        .unwrap();
    let before = s.audit_count();
    let wrong = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let revoke = format!("/api/v1/certificates/{serial}/revoke");
    let show = format!("/api/v1/certificates/{serial}");
    for (token, status, code) in [
        (None, StatusCode::UNAUTHORIZED, "missing-credential"),
        (
            Some("not-a-token"),
            StatusCode::UNAUTHORIZED,
            "invalid-credential",
        ),
        (
            Some(wrong.as_str()),
            StatusCode::UNAUTHORIZED,
            "invalid-credential",
        ),
        (
            Some(other.as_str()),
            StatusCode::FORBIDDEN,
            "revoked-credential",
        ),
    ] {
        for (method, path, body) in [
            (Method::POST, revoke.as_str(), Some(revoke_body())),
            (
                Method::POST,
                "/api/v1/certificates",
                Some(request_with_csr("individual-signing")),
            ),
            (Method::GET, show.as_str(), None),
        ] {
            let r = s.api(method.clone(), path, token, body).await;
            assert_eq!(r.status, status, "{method} {path} {token:?}");
            assert_eq!(r.json()["error"], code);
            if status == StatusCode::UNAUTHORIZED {
                assert!(r.header("www-authenticate").starts_with("Bearer"));
            }
        }
    }
    // The public register with include_confidential needs a token too.
    let r = s
        .api(
            Method::GET,
            "/api/v1/register?include_confidential=true",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        s.audit_count(),
        before,
        "a refused call wrote to the audit log"
    );
    // Nothing was revoked either.
    let r = s
        .ocsp(ocsp_req::request(&s.issuing_der(), &serial_bytes(&serial)))
        .await;
    assert_eq!(ocsp_req::read(&r.body).1, Some(Status::Good));
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_audit_log_records_each_accepted_call_under_the_operator() {
    let s = TestServer::start().await;
    let from = s.audit_count() + 1;
    let serial = s.issue("individual-signing").await;
    let r = s
        .api(
            Method::GET,
            &format!("/api/v1/certificates/{serial}"),
            Some(&s.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.json()["certificate_pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    let r = s
        .api(
            Method::GET,
            "/api/v1/register?include_confidential=true",
            Some(&s.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Within the certificate's life (eds_ca::fields): the certificate was issued just now.
    let invalidity_date = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let r = s
        .api(
            Method::POST,
            &format!("/api/v1/certificates/{serial}/revoke"),
            Some(&s.token),
            Some(json!({
                "ground": "death",
                "notified_by": "registry office",
                "invalidity_date": invalidity_date
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["certificate"]["revocation"]["invalidity_date"],
        invalidity_date.as_str()
    );
    let refused = s
        .api(
            Method::POST,
            "/api/v1/certificates",
            Some(&s.token),
            Some(request_with_csr("refused-under-age")),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json();
    assert_eq!(body["error"], "refused");
    assert_eq!(body["ground"], "under-age");
    assert_eq!(body["article"], "14-1(4)");
    assert!(body["finding"].as_str().unwrap().contains("under sixteen"));

    let mine: Vec<(String, String)> = s
        .audit_from(from)
        .into_iter()
        .filter(|e| e.actor == OPERATOR)
        .map(|e| (e.action, e.details))
        .collect();
    let actions: Vec<&str> = mine.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "certificate-issued",
            "api-certificate-viewed",
            "api-register-listed",
            "certificate-revoked",
            "issuance-refused"
        ]
    );
    assert!(mine[0].1.contains(&serial));
    assert!(mine[3].1.contains("\"ground\":\"death\""));
    assert!(matches!(
        s.store().verify_audit().unwrap(),
        eds_ca::store::AuditVerification::Intact { .. }
    ));
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_api_errors_have_their_status_and_change_nothing() {
    let s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let t = Some(s.token.as_str());
    let revoke = format!("/api/v1/certificates/{serial}/revoke");
    let before = s.audit_count();
    let cases = [
        (
            Method::POST,
            "/api/v1/certificates/0ABC/revoke".to_owned(),
            Some(revoke_body()),
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            Method::POST,
            "/api/v1/certificates/XYZ/revoke".to_owned(),
            Some(revoke_body()),
            StatusCode::BAD_REQUEST,
            "bad-field",
        ),
        (
            Method::POST,
            revoke.clone(),
            Some(json!({ "ground": "boredom", "notified_by": "x" })),
            StatusCode::BAD_REQUEST,
            "bad-field",
        ),
        (
            Method::POST,
            revoke.clone(),
            Some(json!({ "ground": "death" })),
            StatusCode::BAD_REQUEST,
            "bad-json",
        ),
        (
            Method::POST,
            "/api/v1/certificates".to_owned(),
            Some(json!({ "applicant": {} })),
            StatusCode::BAD_REQUEST,
            "bad-json",
        ),
        (
            Method::GET,
            "/api/v1/certificates/0ABC".to_owned(),
            None,
            StatusCode::NOT_FOUND,
            "not-found",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let r = s.api(method.clone(), &path, t, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.json());
        assert_eq!(r.json()["error"], code, "{method} {path}");
    }
    // Without csr_pem: the API never generates a key.
    let mut no_csr = request_with_csr("individual-signing");
    no_csr.as_object_mut().unwrap().remove("csr_pem");
    let r = s
        .api(Method::POST, "/api/v1/certificates", t, Some(no_csr))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "no-public-key");
    assert_eq!(s.audit_count(), before);

    // Revoking twice: 409 naming the first revocation.
    let r = s.api(Method::POST, &revoke, t, Some(revoke_body())).await;
    assert_eq!(r.status, StatusCode::OK);
    let after_first = s.audit_count();
    let r = s.api(Method::POST, &revoke, t, Some(revoke_body())).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "already-revoked");
    assert_eq!(r.json()["ground"], "key-compromise");
    // A CA certificate is not revoked through the API.
    let ca = s
        .api(Method::GET, "/api/v1/register", None, None)
        .await
        .json()["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "ca-issuing")
        .unwrap()["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s
        .api(
            Method::POST,
            &format!("/api/v1/certificates/{ca}/revoke"),
            t,
            Some(revoke_body()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "not-an-owner-certificate");
    // Only the CRL the revocation asked for may have been added meanwhile.
    let crl_entries = s
        .audit_from(after_first + 1)
        .iter()
        .filter(|e| e.action != "crl-issued")
        .count();
    assert_eq!(crl_entries, 0);

    let r = s
        .call(
            Method::POST,
            &revoke,
            &[
                ("content-type", "text/plain"),
                ("authorization", &format!("Bearer {}", s.token)),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s
        .call(
            Method::POST,
            "/api/v1/certificates",
            &[
                ("content-type", "application/json"),
                ("authorization", &format!("Bearer {}", s.token)),
            ],
            vec![b' '; 1024 * 1024 + 1],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = s
        .call(Method::POST, "/tsa", &[], vec![0x30; 16 * 1024 + 1])
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = s.call(Method::GET, "/nowhere", &[], Vec::new()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_public_register_redacts_confidential_owners() {
    let s = TestServer::start().await;
    let mut req = request_with_csr("individual-signing");
    req["confidential"] = json!(true);
    let r = s
        .api(
            Method::POST,
            "/api/v1/certificates",
            Some(&s.token),
            Some(req),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let serial = r.json()["certificate"]["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = s.api(Method::GET, "/api/v1/register", None, None).await;
    assert_eq!(public.status, StatusCode::OK);
    let entry = public.json()["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["serial"] == serial.as_str())
        .cloned()
        .unwrap();
    assert_eq!(entry["subject"], eds_ca::register::REDACTED);
    assert_eq!(entry["iin"], eds_ca::register::REDACTED);
    // A public search by the IIN does not reveal the certificate at all (art. 23.2).
    let by_iin = s
        .api(Method::GET, "/api/v1/register?iin=850314300122", None, None)
        .await;
    assert_eq!(by_iin.json()["count"], 0);
    let full = s
        .api(
            Method::GET,
            "/api/v1/register?iin=850314300122&include_confidential=true",
            Some(&s.token),
            None,
        )
        .await;
    assert_eq!(full.json()["count"], 1);
    assert_eq!(full.json()["certificates"][0]["iin"], "850314300122");
    let bad = s
        .api(Method::GET, "/api/v1/register?limit=5000", None, None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = s
        .api(Method::GET, "/api/v1/register?colour=red", None, None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_shutdown_lets_a_request_in_flight_finish() {
    let mut s = TestServer::start().await;
    let serial = s.issue("individual-signing").await;
    let before = s.audit_count();
    let body = serde_json::to_vec(&revoke_body()).unwrap();
    let head = format!(
        "POST /api/v1/certificates/{serial}/revoke HTTP/1.1\r\nhost: x\r\n\
         content-type: application/json\r\nauthorization: Bearer {}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        s.token,
        body.len()
    );
    let mut conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&body[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The signal arrives while the request's body is still on its way.
    s.signal_stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // No new connection is accepted any more…
    assert!(
        tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(s.addr)
        )
        .await
        .map_or(true, |c| c.is_err()),
        "a new connection was accepted after the signal"
    );
    // …but the one in flight is answered.
    conn.write_all(&body[5..]).await.unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.contains("\"status\":\"revoked\""), "{reply}");
    let data = s.data.clone();
    s.join().await.unwrap();
    // The revocation is in the register, and in a CRL published before the server stopped.
    let store = eds_ca::center::Center::configured_register(&data)
        .unwrap()
        .open()
        .unwrap();
    let audit = store.audit_entries(before + 1, 100).unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["certificate-revoked", "crl-issued"]);
    let crl = std::fs::read(data.join("crl/issuing.crl")).unwrap();
    let (_, parsed) =
        x509_parser::revocation_list::CertificateRevocationList::from_der(&crl).unwrap();
    assert_eq!(parsed.iter_revoked_certificates().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_silent_and_idle_connections_are_closed_after_the_header_timeout() {
    let s = TestServer::start_with(eds_server::Limits {
        header_timeout: Duration::from_secs(1),
        ..eds_server::Limits::default()
    })
    .await;
    // A client that connects and sends nothing.
    let mut silent = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), silent.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "a silent connection stayed open");
    // A client whose kept-alive connection goes idle after one request.
    let mut idle = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    idle.write_all(b"GET /cert/root.cer HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut reply = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut reply)).await;
    assert!(closed.is_ok(), "an idle kept-alive connection stayed open");
    assert!(reply.starts_with(b"HTTP/1.1 200 OK"));
    assert!(started.elapsed() >= Duration::from_millis(900));
    s.stop().await.unwrap();
}
