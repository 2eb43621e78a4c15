//! The NCANode-compatible calls (`POST /cms/verify`, `POST /x509/info`) over a real center:
//! certificates issued through the operator API, documents signed by the signer crate, the
//! center's own CRLs as the revocation source, and the national center's test certificates of
//! `fixtures/nca/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use eds_profile::documents::Document;

use common::holders::{IIN, holder, sign_now};
use common::{Reply, TestServer, fixture};

/// The licence fixture as the canonical bytes that are signed.
fn licence() -> Vec<u8> {
    let text = std::fs::read(fixture("documents/licence.json")).unwrap();
    Document::from_json(&text)
        .unwrap()
        .canonical_bytes()
        .unwrap()
}

/// Flips one byte of the licence number inside the signature's content.
fn tamper(signature: &[u8]) -> Vec<u8> {
    let at = signature
        .windows(8)
        .position(|w| w == b"26000456")
        .expect("the licence number is in the attached content");
    let mut out = signature.to_vec();
    out[at + 7] = b'7';
    out
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Posts a JSON body.
async fn post(server: &TestServer, path: &str, body: &Value) -> Reply {
    server
        .call(
            Method::POST,
            path,
            &[("content-type", "application/json")],
            serde_json::to_vec(body).unwrap(),
        )
        .await
}

/// The serial as NCANode writes it: lower-case hex, no leading zeros.
fn ncanode_serial(upper_hex: &str) -> String {
    upper_hex
        .to_ascii_lowercase()
        .trim_start_matches('0')
        .to_owned()
}

/// A DER certificate of `fixtures/nca/certs/` (stored as PEM).
fn nca_cert(name: &str) -> Vec<u8> {
    let text = std::fs::read(fixture(&format!("nca/certs/{name}"))).unwrap();
    pem::parse(text).unwrap().into_contents()
}

/// The common name of the test center's issuing certificate (the issuer of its holders).
fn issuing_common_name(server: &TestServer) -> String {
    use x509_parser::prelude::FromDer as _;
    let der = server.issuing_der();
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&der).unwrap();
    let cn = cert.subject().iter_common_name().next().unwrap();
    cn.as_str().unwrap().to_owned()
}

/// Asserts an NCANode-style error: the HTTP status, the same number in `status`, a message
/// containing `words`.
fn assert_error(r: &Reply, status: StatusCode, words: &str) {
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["status"], status.as_u16(), "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(message.contains(words), "{message:?} lacks {words:?}");
}

#[tokio::test]
async fn ok_cms_verify_valid_attached_signature_is_valid_with_the_signers_fields() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let signature = sign_now(&server, &h, &licence(), false);
    let r = post(&server, "/cms/verify", &json!({ "cms": b64(&signature) })).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"], 200);
    assert_eq!(v["message"], "OK");
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["etsiIndication"], "TOTAL_PASSED");
    let signer = &v["signers"][0];
    assert_eq!(signer["status"], "VALID");
    assert_eq!(signer["adesLevel"], "B");
    assert!(signer.get("subIndication").is_none());
    let cert = &signer["certificates"][0];
    assert_eq!(cert["valid"], true);
    assert_eq!(cert["serialNumber"], ncanode_serial(&h.serial));
    assert_eq!(cert["keyUsage"], "SIGN");
    assert_eq!(cert["keyUser"], json!(["INDIVIDUAL"]));
    assert_eq!(cert["signAlg"], "SHA256withECDSA");
    let subject = &cert["subject"];
    assert_eq!(subject["iin"], IIN);
    assert_eq!(subject["surName"], "АХМЕТОВ");
    assert_eq!(subject["commonName"], "АХМЕТОВ ЕРЛАН");
    assert_eq!(subject["lastName"], "СЕРІКҰЛЫ");
    assert_eq!(subject["country"], "KZ");
    assert!(subject.get("bin").is_none());
    assert!(subject["dn"].as_str().unwrap().contains("IIN850314300122"));
    assert_eq!(
        cert["issuer"]["commonName"],
        issuing_common_name(&server),
        "{cert}"
    );
    // No revocation check asked: no `revocations`.
    assert!(cert.get("revocations").is_none());
    // Asked: the center's CRL says the certificate is not revoked.
    let r = post(
        &server,
        "/cms/verify",
        &json!({ "cms": b64(&signature), "revocationCheck": ["OCSP", "CRL"] }),
    )
    .await;
    let v = r.json();
    assert_eq!(v["valid"], true);
    assert_eq!(
        v["signers"][0]["certificates"][0]["revocations"],
        json!([{ "revoked": false, "by": "CRL" }])
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_cms_verify_detached_signature_takes_its_data_in_base64() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let content = licence();
    let signature = sign_now(&server, &h, &content, true);
    let r = post(
        &server,
        "/cms/verify",
        &json!({ "cms": b64(&signature), "data": b64(&content) }),
    )
    .await;
    let v = r.json();
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["signers"][0]["status"], "VALID");
    // Other data: the signature does not cover it.
    let mut other = content.clone();
    other[0] ^= 1;
    let r = post(
        &server,
        "/cms/verify",
        &json!({ "cms": b64(&signature), "data": b64(&other) }),
    )
    .await;
    let v = r.json();
    assert_eq!(v["valid"], false);
    assert_eq!(v["signers"][0]["status"], "INVALID");
    assert_eq!(v["signers"][0]["etsiSubIndication"], "HASH_FAILURE");
    // No data at all: nothing to check the signature against.
    let r = post(&server, "/cms/verify", &json!({ "cms": b64(&signature) })).await;
    let v = r.json();
    assert_eq!(v["valid"], false);
    assert_eq!(v["signers"][0]["status"], "INDETERMINATE");
    assert_eq!(
        v["signers"][0]["etsiSubIndication"],
        "SIGNED_DATA_NOT_FOUND"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_cms_verify_tampered_content_is_not_valid() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let signature = tamper(&sign_now(&server, &h, &licence(), false));
    let r = post(&server, "/cms/verify", &json!({ "cms": b64(&signature) })).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"], 200);
    assert_eq!(v["valid"], false);
    assert_eq!(v["etsiIndication"], "TOTAL_FAILED");
    let signer = &v["signers"][0];
    assert_eq!(signer["status"], "INVALID");
    assert_eq!(signer["etsiSubIndication"], "HASH_FAILURE");
    // NCANode's list has no HASH_FAILURE: no `subIndication` rather than a wrong one.
    assert!(signer.get("subIndication").is_none(), "{signer}");
    // The signer is still described.
    assert_eq!(signer["certificates"][0]["subject"]["iin"], IIN);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_cms_verify_garbage_is_an_ncanode_style_400() {
    let server = TestServer::start().await;
    // Not base64.
    let r = post(&server, "/cms/verify", &json!({ "cms": "@@not base64@@" })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "not standard base64");
    assert_eq!(r.json()["error"], "bad-field");
    // Base64 of bytes that are not CMS.
    let r = post(
        &server,
        "/cms/verify",
        &json!({ "cms": b64(b"hello, this is no signature") }),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "not a CMS signature");
    // The data field is checked too.
    let r = post(
        &server,
        "/cms/verify",
        &json!({ "cms": b64(b"x"), "data": "%%%" }),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "data");
    // No `cms`, broken JSON, an unknown revocation method, an empty `cms`.
    let r = post(&server, "/cms/verify", &json!({ "data": "AA==" })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "cms");
    let r = server
        .call(
            Method::POST,
            "/cms/verify",
            &[("content-type", "application/json")],
            b"{\"cms\": ".to_vec(),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "JSON");
    let r = post(
        &server,
        "/cms/verify",
        &json!({ "cms": "AA==", "revocationCheck": ["CALL_THE_CENTER"] }),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "CALL_THE_CENTER");
    let r = post(&server, "/cms/verify", &json!({ "cms": "" })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "empty");
    // Not JSON at all.
    let r = server
        .call(
            Method::POST,
            "/cms/verify",
            &[("content-type", "text/plain")],
            b"cms".to_vec(),
        )
        .await;
    assert_error(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "application/json");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_x509_info_reads_the_national_centers_test_certificates() {
    let server = TestServer::start().await;
    let certs = [
        nca_cert("individual_valid_sign_2004_rsa.cer"),
        nca_cert("individual_valid_sign_2004_rsa_auth.cer"),
        nca_cert("ceo_valid_sign_2004_gost.cer"),
    ];
    let r = post(
        &server,
        "/x509/info",
        &json!({ "certs": certs.iter().map(|c| b64(c)).collect::<Vec<_>>() }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    assert_eq!(v["status"], 200);
    // This server does not trust the national test centers (and the certificates expired).
    assert_eq!(v["valid"], false);
    let infos = v["signers"].as_array().unwrap();
    assert_eq!(infos.len(), 3);
    for info in infos {
        assert_eq!(info["valid"], false);
        let s = &info["subject"];
        assert_eq!(s["commonName"], "ТЕСТОВ ТЕСТ");
        assert_eq!(s["surName"], "ТЕСТОВ");
        assert_eq!(s["lastName"], "ТЕСТОВИЧ");
        assert_eq!(s["iin"], "123456789011");
        assert_eq!(s["country"], "KZ");
        assert_eq!(info["issuer"]["country"], "KZ");
    }
    let (sign, auth, ceo) = (&infos[0], &infos[1], &infos[2]);
    assert_eq!(
        sign["serialNumber"],
        "41e45cc8a04c705963e5cd6769848a934d8eaef5"
    );
    assert_eq!(sign["keyUsage"], "SIGN");
    assert_eq!(sign["keyUser"], json!(["INDIVIDUAL"]));
    assert_eq!(sign["issuer"]["commonName"], "ҰКО 3.0 (RSA TEST)");
    assert_eq!(sign["signAlg"], "SHA256withRSA");
    assert_eq!(auth["keyUsage"], "AUTH");
    assert_eq!(
        auth["serialNumber"],
        "247c3fda89fa641ea226987393cdaf3f5baf24b3"
    );
    assert_eq!(ceo["subject"]["bin"], "123456789021");
    assert_eq!(ceo["subject"]["organization"], "АО \"ТЕСТ\"");
    assert_eq!(ceo["keyUser"], json!(["ORGANIZATION", "CEO"]));
    assert_eq!(ceo["issuer"]["commonName"], "ҰКО 3.0 (GOST TEST)");
    assert_eq!(ceo["signAlg"], "ECGOST34310");
    assert!(sign["notBefore"].as_str().unwrap() < sign["notAfter"].as_str().unwrap());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_x509_info_sees_a_revocation_once_the_center_republishes_its_crl() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let body = json!({ "certs": [b64(&h.cert_der)], "revocationCheck": ["OCSP"] });
    let v = post(&server, "/x509/info", &body).await.json();
    assert_eq!(v["valid"], true, "{v}");
    let info = &v["signers"][0];
    assert_eq!(info["subject"]["iin"], IIN);
    assert_eq!(
        info["revocations"],
        json!([{ "revoked": false, "by": "CRL" }])
    );
    let r = server
        .api(
            Method::POST,
            &format!("/api/v1/certificates/{}/revoke", h.serial),
            Some(&server.token),
            Some(json!({ "ground": "key-compromise", "notified_by": "the owner" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let deadline = Instant::now() + Duration::from_secs(20);
    let v = loop {
        let v = post(&server, "/x509/info", &body).await.json();
        if v["valid"] != true || Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(v["valid"], false, "{v}");
    let info = &v["signers"][0];
    assert_eq!(info["valid"], false);
    assert_eq!(info["etsiSubIndication"], "REVOKED");
    assert_eq!(
        info["revocations"],
        json!([{ "revoked": true, "by": "CRL" }])
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_x509_info_garbage_is_an_ncanode_style_400() {
    let server = TestServer::start().await;
    let r = post(&server, "/x509/info", &json!({ "certs": ["***"] })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "not standard base64");
    let r = post(
        &server,
        "/x509/info",
        &json!({ "certs": [b64(&nca_cert("individual_valid_sign_2004_rsa.cer")), b64(b"\x30\x03\x02\x01\x01")] }),
    )
    .await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "certificate 2 is not a DER X.509",
    );
    let r = post(&server, "/x509/info", &json!({ "certs": [] })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "empty");
    let r = post(&server, "/x509/info", &json!({})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "certs");
    let many: Vec<String> = (0..101).map(|_| "AA==".to_owned()).collect();
    let r = post(&server, "/x509/info", &json!({ "certs": many })).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "101 certificates");
    server.stop().await.unwrap();
}
