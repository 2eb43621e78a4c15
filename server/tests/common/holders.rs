//! Holders issued through the test server's operator API, and documents they sign.

use hyper::{Method, StatusCode};
use ring::rand::SystemRandom;
use serde_json::{Value, json};
use time::OffsetDateTime;

use eds_signer::cms::{self as sign, Content as SignContent, SignOptions, Signer};
use eds_signer::keys::pkcs8::load_pkcs8;

use super::{TestServer, fixture};

/// The IIN of `fixtures/requests/individual-signing.json`.
pub(crate) const IIN: &str = "850314300122";

/// A holder's key and certificate, issued by the test server's center.
pub(crate) struct Holder {
    pub(crate) key_der: Vec<u8>,
    pub(crate) cert_der: Vec<u8>,
    pub(crate) serial: String,
}

/// Issues `fixtures/requests/NAME.json` through the API with a fresh P-256 key.
pub(crate) async fn holder(server: &TestServer, name: &str) -> Holder {
    let text = std::fs::read(fixture(&format!("requests/{name}.json"))).unwrap();
    let mut req: Value = serde_json::from_slice(&text).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    req["csr_pem"] = json!(
        rcgen::CertificateParams::new(Vec::<String>::new())
            .unwrap()
            .serialize_request(&key)
            .unwrap()
            .pem()
            .unwrap()
    );
    let r = server
        .api(
            Method::POST,
            "/api/v1/certificates",
            Some(&server.token),
            Some(req),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let v = r.json();
    let pem_text = v["certificate_pem"].as_str().unwrap();
    Holder {
        key_der: key.serialize_der(),
        cert_der: pem::parse(pem_text).unwrap().into_contents(),
        serial: v["certificate"]["serial"].as_str().unwrap().to_owned(),
    }
}

/// Signs `content` now, attached or detached, with the issuing center's certificate embedded.
pub(crate) fn sign_now(server: &TestServer, h: &Holder, content: &[u8], detached: bool) -> Vec<u8> {
    let key = load_pkcs8(&h.key_der, None).unwrap();
    let signer = Signer::new(&key, &h.cert_der, &[server.issuing_der()]).unwrap();
    sign::sign(
        &signer,
        SignContent::Bytes(content),
        &SignOptions::new(OffsetDateTime::now_utc()).detached(detached),
        &SystemRandom::new(),
    )
    .unwrap()
}
