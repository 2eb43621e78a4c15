//! Issue 16 item 6: the operator API beyond loopback. Over HTTPS (`--tls-cert/--tls-key`) an
//! operator issues and revokes from another address than loopback; over plain HTTP on such an
//! address every operator route answers 403 `operator-api-needs-tls` (naming --tls-cert) before
//! the token is read, and the public routes answer as before.
//!
//! "Beyond loopback" is tested honestly: the server binds 0.0.0.0 (every interface, an address
//! that is not loopback) on a free port, and the client connects through 127.0.0.1.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::net::SocketAddr;

use hyper::{Method, StatusCode};
use serde_json::json;

use common::ocsp_req::{self, Status};
use common::{TestServer, request_with_csr, tls_files};

fn everywhere() -> SocketAddr {
    "0.0.0.0:0".parse().unwrap()
}

fn serial_bytes(hex_text: &str) -> Vec<u8> {
    hex::decode(hex_text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_over_tls_beyond_loopback_an_operator_issues_and_revokes() {
    let dir = tempfile::tempdir().unwrap();
    let files = tls_files(dir.path());
    let s = TestServer::start_on(everywhere(), Some(&files), eds_server::Limits::default()).await;
    let serial = s.issue("individual-signing").await;
    let r = s
        .api(
            Method::GET,
            &format!("/api/v1/certificates/{serial}"),
            Some(&s.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let r = s
        .api(
            Method::POST,
            &format!("/api/v1/certificates/{serial}/revoke"),
            Some(&s.token),
            Some(json!({ "ground": "key-compromise", "notified_by": "the holder" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    // The public routes over the same HTTPS: OCSP says revoked.
    let der = ocsp_req::request(&s.issuing_der(), &serial_bytes(&serial));
    let r = s.ocsp(der).await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, status) = ocsp_req::read(&r.body);
    assert!(matches!(status, Some(Status::Revoked)), "{status:?}");
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_plain_http_beyond_loopback_refuses_operator_routes_with_403_naming_tls_cert() {
    let s = TestServer::start_on(everywhere(), None, eds_server::Limits::default()).await;
    let before = s.audit_count();
    let calls = [
        (
            Method::POST,
            "/api/v1/certificates".to_owned(),
            Some(request_with_csr("individual-signing")),
        ),
        (Method::GET, "/api/v1/certificates/01".to_owned(), None),
        (
            Method::POST,
            "/api/v1/certificates/01/revoke".to_owned(),
            Some(json!({ "ground": "key-compromise", "notified_by": "h" })),
        ),
        // The register with a token would be unredacted: refused too.
        (Method::GET, "/api/v1/register".to_owned(), None),
    ];
    for (method, path, body) in calls {
        // With the right token, with a forged one, and (operator-only routes) with none: the
        // same refusal, before any token is looked at.
        let tokens: Vec<Option<&str>> = if path == "/api/v1/register" {
            vec![Some(&s.token), Some("forged")]
        } else {
            vec![Some(&s.token), Some("forged"), None]
        };
        for token in tokens {
            let r = s.api(method.clone(), &path, token, body.clone()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} {token:?}");
            assert_eq!(r.json()["error"], "operator-api-needs-tls", "{path}");
            let message = r.json()["message"].as_str().unwrap().to_owned();
            assert!(message.contains("--tls-cert"), "{message}");
            assert!(message.contains("0.0.0.0"), "{message}");
        }
    }
    assert_eq!(s.audit_count(), before, "a refused call writes nothing");
    // The public routes answer as before.
    let r = s.api(Method::GET, "/api/v1/register", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    for path in ["/cert/root.cer", "/cert/issuing.cer", "/crl/issuing.crl"] {
        let r = s.call(Method::GET, path, &[], Vec::new()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    let der = ocsp_req::request(&s.issuing_der(), &[0x7f, 1, 2, 3]);
    let r = s.ocsp(der).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(matches!(ocsp_req::read(&r.body).1, Some(Status::Unknown)));
    s.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_plain_http_on_loopback_keeps_the_operator_api() {
    let s = TestServer::start_on(
        "127.0.0.1:0".parse().unwrap(),
        None,
        eds_server::Limits::default(),
    )
    .await;
    let serial = s.issue("individual-signing").await;
    assert!(!serial.is_empty());
    s.stop().await.unwrap();
}

#[test]
fn fail_tls_key_readable_by_others_or_not_matching_is_refused_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let files = tls_files(dir.path());
    assert!(eds_server::tls::TlsConfig::from_pem_files(&files.cert, &files.key).is_ok());

    std::fs::set_permissions(&files.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = eds_server::tls::TlsConfig::from_pem_files(&files.cert, &files.key).unwrap_err();
    let eds_server::Error::BadTls { path, reason } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(path, &files.key.display().to_string());
    assert!(
        reason.contains("mode 0644") && reason.contains("chmod 600"),
        "{reason}"
    );

    // A key of another certificate.
    let other = tempfile::tempdir().unwrap();
    let other = tls_files(other.path());
    let e = eds_server::tls::TlsConfig::from_pem_files(&files.cert, &other.key).unwrap_err();
    let eds_server::Error::BadTls { path, reason } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(path, &other.key.display().to_string());
    assert!(
        reason.contains("does not go with the certificate"),
        "{reason}"
    );

    // A certificate file without a certificate.
    let e = eds_server::tls::TlsConfig::from_pem_files(&other.key, &other.key).unwrap_err();
    assert!(matches!(e, eds_server::Error::BadTls { .. }), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_a_client_not_trusting_the_root_gets_no_answer_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let files = tls_files(dir.path());
    let s = TestServer::start_on(everywhere(), Some(&files), eds_server::Limits::default()).await;
    let stranger = tempfile::tempdir().unwrap();
    let stranger = tls_files(stranger.path());
    let connector = common::tls_connector(&stranger.root_der);
    let tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let e = connector.connect(name, tcp).await.unwrap_err();
    // Both test roots bear the same name: the client takes the stranger's root for the
    // issuer, and its signature on the server's certificate does not verify.
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    assert_eq!(
        inner,
        Some(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::BadSignature
        )),
        "{e}"
    );
    s.stop().await.unwrap();
}
