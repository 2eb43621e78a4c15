//! The verification page (`GET /`, `POST /verify`, `POST /api/v1/verify`) over a real center:
//! certificates issued through the API, documents signed by the signer crate, and the center's
//! own CRLs as the revocation source.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::time::{Duration, Instant};

use hyper::{Method, StatusCode};
use ring::rand::SystemRandom;
use serde_json::{Value, json};
use time::OffsetDateTime;

use eds_profile::documents::Document;
use eds_server::web::MAX_UPLOAD;

use common::holders::{IIN, holder, sign_now};
use common::{Reply, TestServer, fixture};

/// The licence fixture as the canonical bytes that are signed, with `edit` applied first.
fn licence(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let text = std::fs::read(fixture("documents/licence.json")).unwrap();
    let mut v: Value = serde_json::from_slice(&text).unwrap();
    edit(&mut v);
    Document::from_json(&serde_json::to_vec(&v).unwrap())
        .unwrap()
        .canonical_bytes()
        .unwrap()
}

/// A `multipart/form-data` body of file parts `(field, file name, bytes)`.
fn form(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----eds-test-boundary-7f3a9c";
    let mut body = Vec::new();
    for (field, file, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                 filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_form(server: &TestServer, path: &str, parts: &[(&str, &str, &[u8])]) -> Reply {
    let (ct, body) = form(parts);
    server
        .call(Method::POST, path, &[("content-type", &ct)], body)
        .await
}

fn text(r: &Reply) -> String {
    String::from_utf8(r.body.to_vec()).expect("UTF-8 page")
}

/// The text of the element with `id` (up to its closing tag).
fn element(page: &str, id: &str) -> String {
    let start = page
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no #{id} in:\n{page}"));
    let rest = &page[start + id.len() + 6..];
    let end = rest.find("</").unwrap();
    rest[..end].to_owned()
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

#[tokio::test]
async fn ok_form_states_the_limit_and_loads_nothing_from_outside() {
    let server = TestServer::start().await;
    let r = server.call(Method::GET, "/", &[], Vec::new()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(r.header("cache-control"), "no-store");
    assert!(
        r.header("content-security-policy")
            .starts_with("default-src 'none'")
    );
    let page = text(&r);
    assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
    assert!(page.contains("name=\"signature\""));
    assert!(page.contains("name=\"content\""));
    assert!(page.contains("<strong>10 MiB</strong>"));
    // Offline: no script, stylesheet, image or font is fetched.
    for outside in [
        "<script", "<link", "<img", "src=", "url(", "@import", "http://", "https://",
    ] {
        assert!(!page.contains(outside), "{outside} in the page");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_valid_licence_passes_with_its_signer_and_content() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let signature = sign_now(&server, &h, &licence(|_| {}), false);
    let r = post_form(
        &server,
        "/verify",
        &[("signature", "licence.json.p7s", &signature)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_PASSED");
    assert_eq!(element(&page, "signer-iin"), IIN);
    assert_eq!(element(&page, "signer-name"), "АХМЕТОВ ЕРЛАН СЕРІКҰЛЫ");
    assert_eq!(element(&page, "signer-roles"), "individual");
    assert!(page.contains("stated by the signer; not a proof"), "{page}");
    // The licence laid out: its number, the licensee section, the officer's name.
    assert!(
        page.contains("<dt>Licence number</dt><dd>26000456</dd>"),
        "{page}"
    );
    assert!(page.contains("<h3>Licensee</h3>"));
    assert!(
        page.contains("<dt>Name · surname</dt><dd>Abenov</dd>"),
        "{page}"
    );
    assert!(page.contains("Ends at the trusted center"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_tampered_licence_is_total_failed_hash_failure() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let signature = tamper(&sign_now(&server, &h, &licence(|_| {}), false));
    let r = post_form(
        &server,
        "/verify",
        &[("signature", "tampered.p7s", &signature)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_FAILED / HASH_FAILURE");
    assert!(page.contains("The document was changed after it was signed"));
    assert!(page.contains("did not pass: what follows is what the file contains"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_garbage_is_a_page_saying_it_is_not_a_signature() {
    let server = TestServer::start().await;
    let r = post_form(
        &server,
        "/verify",
        &[("signature", "notes.txt", b"hello, not CMS")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_FAILED / FORMAT_FAILURE");
    assert!(page.contains("This file is not an electronic signature that can be read"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_upload_over_the_limit_is_a_413_page() {
    let server = TestServer::start().await;
    let big = vec![0x30u8; MAX_UPLOAD + 1];
    let r = post_form(&server, "/verify", &[("signature", "big.p7s", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
    let page = text(&r);
    assert!(page.contains("The upload is too large"), "{page}");
    assert!(page.contains("<strong>10 MiB</strong> together"), "{page}");
    // Two files each under the limit but over it together.
    let half = vec![0x30u8; MAX_UPLOAD / 2 + 1];
    let r = post_form(
        &server,
        "/verify",
        &[("signature", "a.p7s", &half), ("content", "b.bin", &half)],
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The JSON API has the same limit, with the JSON error body.
    let r = server
        .call(
            Method::POST,
            "/api/v1/verify",
            &[("content-type", "application/pkcs7-mime")],
            big,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "body-too-large");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_form_without_a_signature_is_a_400_page() {
    let server = TestServer::start().await;
    let r = post_form(&server, "/verify", &[("content", "doc.json", b"{}")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(text(&r).contains("no signature file was sent"));
    let r = server
        .call(
            Method::POST,
            "/verify",
            &[("content-type", "text/plain")],
            b"x".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(text(&r).contains("The upload could not be read"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_markup_in_a_document_field_is_escaped() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let content = licence(|v| {
        v["activity"] = json!("<script>alert(\"x\")</script> & Қазақстан");
    });
    let signature = sign_now(&server, &h, &content, false);
    let r = post_form(
        &server,
        "/verify",
        &[("signature", "<b>x</b>.p7s", &signature)],
    )
    .await;
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_PASSED");
    assert!(
        page.contains(
            "<dt>Activity</dt><dd>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Қазақстан</dd>"
        ),
        "{page}"
    );
    assert_eq!(element(&page, "signature-name"), "&lt;b&gt;x&lt;/b&gt;.p7s");
    // The download keeps a safe name: markup characters became `_`.
    assert!(page.contains("download=\"b_.json\""), "{page}");
    assert!(!page.contains("<script"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_detached_signature_needs_its_document() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let content = licence(|_| {});
    let signature = sign_now(&server, &h, &content, true);
    let r = post_form(&server, "/verify", &[("signature", "d.p7s", &signature)]).await;
    let page = text(&r);
    assert_eq!(
        element(&page, "verdict"),
        "INDETERMINATE / SIGNED_DATA_NOT_FOUND"
    );
    assert!(page.contains("add the signed document"));
    let r = post_form(
        &server,
        "/verify",
        &[
            ("signature", "d.p7s", &signature),
            ("content", "licence.json", &content),
        ],
    )
    .await;
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_PASSED");
    assert!(page.contains("Detached signature:"), "{page}");
    assert!(page.contains("<dt>Licence number</dt><dd>26000456</dd>"));
    let mut other = content.clone();
    other[10] ^= 1;
    let r = post_form(
        &server,
        "/verify",
        &[
            ("signature", "d.p7s", &signature),
            ("content", "other.json", &other),
        ],
    )
    .await;
    assert_eq!(element(&text(&r), "verdict"), "TOTAL_FAILED / HASH_FAILURE");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_json_api_takes_a_raw_body_or_the_form_without_a_token() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let signature = sign_now(&server, &h, &licence(|_| {}), false);
    let r = server
        .call(
            Method::POST,
            "/api/v1/verify",
            &[("content-type", "application/pkcs7-mime")],
            signature.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["indication"], "TOTAL_PASSED");
    assert_eq!(v["signatures"][0]["holder"]["iin"], IIN);
    let r = post_form(
        &server,
        "/api/v1/verify",
        &[("signature", "x.p7s", &tamper(&signature))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["indication"], "TOTAL_FAILED");
    assert_eq!(v["signatures"][0]["sub_indication"], "HASH_FAILURE");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn fail_revocation_is_seen_as_soon_as_the_center_republishes_its_crl() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let signature = sign_now(&server, &h, &licence(|_| {}), false);
    let r = post_form(&server, "/verify", &[("signature", "l.p7s", &signature)]).await;
    assert_eq!(element(&text(&r), "verdict"), "TOTAL_PASSED");
    // Revoke through the operator API (in a later second than the signing time, which has
    // one-second precision); the server signs and publishes a new CRL right after.
    tokio::time::sleep(Duration::from_millis(1100)).await;
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
    let verdict = loop {
        let r = post_form(&server, "/verify", &[("signature", "l.p7s", &signature)]).await;
        let verdict = element(&text(&r), "verdict");
        if verdict != "TOTAL_PASSED" || Instant::now() > deadline {
            break verdict;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Signed before the revocation, but only the signer's claim says so.
    assert_eq!(verdict, "INDETERMINATE / REVOKED_NO_POE");
    server.stop().await.unwrap();
}

/// A server over a fresh center (no registry, no operator) whose page also trusts `trust`.
async fn start_trusting(
    trust: std::path::PathBuf,
) -> (tempfile::TempDir, String, tokio::sync::oneshot::Sender<()>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ca");
    let options = eds_server::Options {
        verify_trust: Some(trust),
        ..eds_server::Options::new(data.clone(), common::PASS.to_vec())
    };
    let server = tokio::task::spawn_blocking(move || {
        eds_ca::center::Center::init(
            &data,
            eds_ca::config::CenterConfig::default(),
            common::PASS,
            OffsetDateTime::now_utc(),
            &SystemRandom::new(),
        )
        .unwrap();
        eds_server::Server::open(options).unwrap()
    })
    .await
    .unwrap();
    let listener = eds_server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    (tmp, url, stop)
}

/// Posts the form to a server started by [`start_trusting`].
async fn post_to(url: &str, signature: &[u8]) -> String {
    use http_body_util::{BodyExt, Full};
    let (ct, body) = form(&[("signature", "s.p7s", signature)]);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<axum::body::Bytes>>();
    let req = hyper::Request::post(format!("{url}/verify"))
        .header("content-type", ct)
        .body(Full::new(axum::body::Bytes::from(body)))
        .unwrap();
    let res = client.request(req).await.unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn ok_another_center_is_trusted_only_with_the_trust_flag() {
    // The signer's center, B, and a server of another center, A.
    let b = TestServer::start().await;
    let h = holder(&b, "individual-signing").await;
    let signature = sign_now(&b, &h, &licence(|_| {}), false);
    // A alone: B's certificates lead nowhere it trusts (both test centers carry the default
    // names, so B's chain names A's root, whose key did not sign it and whose key identifier
    // is not the one B's chain names: no chain).
    let a = TestServer::start().await;
    let r = post_form(&a, "/verify", &[("signature", "s.p7s", &signature)]).await;
    assert_eq!(
        element(&text(&r), "verdict"),
        "INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND"
    );
    // A with B's root on its trust list: the chain is found; B's CRLs are not A's to read and
    // the server fetches nothing, so the revocation status is unknown.
    let (_tmp, url, stop) = start_trusting(b.data.join("root.crt.pem")).await;
    let page = post_to(&url, &signature).await;
    assert_eq!(element(&page, "verdict"), "INDETERMINATE / TRY_LATER");
    assert!(page.contains("Ends at the trusted center"), "{page}");
    let _ = stop.send(());
    a.stop().await.unwrap();
    b.stop().await.unwrap();
}

/// One DER element at the start of `der`: (header length, total length).
fn element_len(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    if first < 0x80 {
        return (2, 2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |len, b| (len << 8) | usize::from(*b));
    (2 + n, 2 + n + len)
}

/// The DER elements filling `der`.
fn elements(mut der: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !der.is_empty() {
        let (_, total) = element_len(der);
        out.push(&der[..total]);
        der = &der[total..];
    }
    out
}

/// A DER element of `tag` around `content`.
fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len().to_be_bytes();
    let skip = len.iter().take_while(|b| **b == 0).count();
    let mut out = vec![tag];
    if content.len() < 0x80 {
        out.push(u8::try_from(content.len()).unwrap());
    } else {
        out.push(0x80 | u8::try_from(len.len() - skip).unwrap());
        out.extend(&len[skip..]);
    }
    out.extend(content);
    out
}

/// `signature` (one SignerInfo) with that SignerInfo repeated until the whole is about `size`
/// bytes: every copy is a signature to check, so the verification takes a while.
fn many_signers(signature: &[u8], size: usize) -> Vec<u8> {
    let (h, _) = element_len(signature);
    let info = elements(&signature[h..]);
    let (h, _) = element_len(info[1]);
    let sd = &info[1][h..];
    let (h, _) = element_len(sd);
    let mut fields = elements(&sd[h..]);
    let set = fields.pop().unwrap();
    let (h, _) = element_len(set);
    let one = &set[h..];
    let copies = (size - signature.len()) / one.len();
    let signers = encode(0x31, &one.repeat(copies));
    let sd = encode(0x30, &[fields.concat(), signers].concat());
    encode(0x30, &[info[0].to_vec(), encode(0xA0, &sd)].concat())
}

/// A shutdown while a long verification runs raises its cancel flag once the grace period (none
/// here) is over: the signatures not judged by then are INDETERMINATE with the cancelled reason,
/// never passed, and `serve` returns.
#[tokio::test]
async fn indeterminate_a_verification_in_flight_is_cancelled_by_a_shutdown() {
    let limits = eds_server::Limits {
        shutdown_grace: Duration::ZERO,
        ..eds_server::Limits::default()
    };
    let mut server = TestServer::start_with(limits).await;
    let h = holder(&server, "individual-signing").await;
    let signature = sign_now(&server, &h, &licence(|_| {}), false);
    let big = many_signers(&signature, MAX_UPLOAD - 64 * 1024);
    let stop = server.take_stop();
    let (r, ()) = tokio::join!(
        server.call(
            Method::POST,
            "/api/v1/verify",
            &[("content-type", "application/pkcs7-mime")],
            big,
        ),
        async {
            // Long enough for the upload to arrive; the verification takes many times longer.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = stop.send(());
        }
    );
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["indication"], "INDETERMINATE");
    let signatures = v["signatures"].as_array().unwrap();
    let last = signatures.last().unwrap();
    assert_eq!(last["indication"], "INDETERMINATE", "{last:#}");
    assert_eq!(
        last["sub_indication"], "CERTIFICATE_CHAIN_GENERAL_FAILURE",
        "{last:#}"
    );
    assert_eq!(last["reason"], eds_verifier::engine::CANCELLED, "{last:#}");
    assert!(
        signatures
            .iter()
            .all(|s| s["indication"] == "TOTAL_PASSED"
                || s["reason"] == eds_verifier::engine::CANCELLED),
        "every signature either passed before the shutdown or was cancelled"
    );
    server.join().await.unwrap();
}

/// The value of attribute `name` of the element with `id`.
fn attribute(page: &str, id: &str, name: &str) -> String {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in:\n{page}"));
    let tag_start = page[..start].rfind('<').unwrap();
    let tag_end = start + page[start..].find('>').unwrap();
    let tag = &page[tag_start..tag_end];
    let at = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"));
    let rest = &tag[at + name.len() + 3..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn ok_language_follows_the_switch_then_the_cookie_then_accept_language() {
    let server = TestServer::start().await;
    let get = |headers: Vec<(&'static str, &'static str)>, path: &'static str| {
        let server = &server;
        async move { server.call(Method::GET, path, &headers, Vec::new()).await }
    };
    // No preference: English.
    let r = get(vec![], "/").await;
    assert_eq!(r.header("content-language"), "en");
    assert!(text(&r).contains("<html lang=\"en\">"));
    assert!(text(&r).contains("<title>Verify a signed document</title>"));
    // Accept-Language: the highest quality among the three.
    let r = get(
        vec![("accept-language", "de;q=1, kk-KZ;q=0.9, ru;q=0.8")],
        "/",
    )
    .await;
    assert_eq!(r.header("content-language"), "kk");
    let page = text(&r);
    assert!(
        page.contains("<title>Қол қойылған құжатты тексеру</title>"),
        "{page}"
    );
    assert!(
        page.contains("Электрондық цифрлық қолтаңбамен (ЭЦҚ)"),
        "{page}"
    );
    assert!(page.contains("action=\"/verify?lang=kk\""), "{page}");
    assert_eq!(r.header("vary"), "accept-language, cookie");
    assert_eq!(r.header("set-cookie"), "");
    let r = get(vec![("accept-language", "ru-RU,ru;q=0.9,en-US;q=0.8")], "/").await;
    assert_eq!(r.header("content-language"), "ru");
    assert!(text(&r).contains("электронной цифровой подписью"));
    // The switch wins over Accept-Language and is remembered in a cookie.
    let r = get(vec![("accept-language", "kk")], "/?lang=ru").await;
    assert_eq!(r.header("content-language"), "ru");
    assert_eq!(
        r.header("set-cookie"),
        "eds_lang=ru; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
    );
    let page = text(&r);
    assert!(
        page.contains(
            "<span class=\"lang current\" lang=\"ru\" aria-current=\"true\">Русский</span>"
        ),
        "{page}"
    );
    assert!(page.contains("href=\"/?lang=kk\">Қазақша</a>"), "{page}");
    // The cookie wins over Accept-Language; an unknown switch value is ignored.
    let r = get(
        vec![("accept-language", "kk"), ("cookie", "x=1; eds_lang=en")],
        "/?lang=de",
    )
    .await;
    assert_eq!(r.header("content-language"), "en");
    assert_eq!(r.header("set-cookie"), "");
    // A result page in Kazakh: the verdict sentence and the service's Kazakh name.
    let h = holder(&server, "individual-signing").await;
    let signature = sign_now(&server, &h, &licence(|_| {}), false);
    let (ct, body) = form(&[("signature", "licence.json.p7s", &signature)]);
    let r = server
        .call(
            Method::POST,
            "/verify?lang=kk",
            &[("content-type", &ct)],
            body,
        )
        .await;
    assert_eq!(r.header("content-language"), "kk");
    assert_eq!(r.header("set-cookie"), "", "posting the form is no switch");
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_PASSED");
    assert!(
        page.contains("<p class=\"kicker\">Қолтаңба жарамды</p>"),
        "{page}"
    );
    assert_eq!(element(&page, "document-kind"), "Лицензия");
    assert!(element(&page, "document-service").starts_with("Жедел-іздестіру"));
    assert_eq!(element(&page, "signer-roles"), "жеке тұлға");
    assert!(
        page.contains(
            "id=\"document-holder\">Qorgau Tech LLP<br><span class=\"small\">БСН 150540000007</span>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<dt>Аты-жөні · Тегі</dt><dd>Abenov</dd>"),
        "{page}"
    );
    assert!(
        page.contains("<dt>Лицензияның нөмірі</dt><dd id=\"document-number\">26000456</dd>"),
        "{page}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_document_fields_come_first_with_times_in_astana_and_utc() {
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let signature = sign_now(&server, &h, &licence(|_| {}), false);
    let r = post_form(
        &server,
        "/verify",
        &[("signature", "licence.json.p7s", &signature)],
    )
    .await;
    let page = text(&r);
    assert_eq!(element(&page, "document-number"), "26000456");
    assert!(element(&page, "document-holder").starts_with("Qorgau Tech LLP<br>"));
    assert!(page.contains("BIN 150540000007"), "{page}");
    assert!(element(&page, "document-service").starts_with("Issuance of a license to engage"));
    assert_eq!(
        element(&page, "document-provider"),
        "National Security Committee of the Republic of Kazakhstan"
    );
    assert_eq!(element(&page, "document-date"), "2026-03-23");
    // The document's fields before the technical details.
    let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("id=\"verdict\"") < at("id=\"document-number\""));
    assert!(at("id=\"document-number\"") < at("id=\"signer-iin\""));
    assert!(at("id=\"download\"") < at("id=\"signer-iin\""));
    // Every time in Astana's time (UTC+5) beside UTC: the claimed signing time is `now`.
    let claimed = element(&page, "claimed-time");
    let span = "<span class=\"when\"><time datetime=\"";
    assert!(claimed.starts_with(span), "{claimed}");
    let rest = &page[page.find("id=\"claimed-time\">").unwrap()..];
    let iso = &rest[rest.find("datetime=\"").unwrap() + 10..];
    let iso = &iso[..iso.find('"').unwrap()];
    let instant =
        OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339).unwrap();
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let local = instant
        .to_offset(time::macros::offset!(+5))
        .format(&fmt)
        .unwrap();
    let utc = instant.format(&fmt).unwrap();
    assert!(
        rest.contains(&format!("<span class=\"local\">{local} Astana (UTC+5)</span> · <span class=\"utc\">{utc} UTC</span>")),
        "{rest}"
    );
    for id in ["validation-time", "signer-certificate"] {
        let html = &page[page.find(&format!("id=\"{id}\"")).unwrap()..];
        let html = &html[..html.find("</dd>").unwrap()];
        assert!(
            html.contains("Astana (UTC+5)") && html.contains(" UTC</span>"),
            "{id}: {html}"
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn ok_download_gives_the_embedded_bytes_as_octet_stream() {
    use base64::Engine as _;
    let server = TestServer::start().await;
    let h = holder(&server, "individual-signing").await;
    let content = licence(|_| {});
    let signature = sign_now(&server, &h, &content, false);
    let r = post_form(
        &server,
        "/verify",
        &[("signature", "dir/licence.json.p7s", &signature)],
    )
    .await;
    let page = text(&r);
    assert_eq!(attribute(&page, "download", "download"), "licence.json");
    let href = attribute(&page, "download", "href");
    let b64 = href
        .strip_prefix("data:application/octet-stream;base64,")
        .unwrap_or_else(|| panic!("{href}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(bytes, content);
    // A tampered signature still offers what it carries, under the warning.
    let tampered = tamper(&signature);
    let r = post_form(&server, "/verify", &[("signature", "t.p7s", &tampered)]).await;
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_FAILED / HASH_FAILURE");
    let href = attribute(&page, "download", "href");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(href.split_once(',').unwrap().1)
        .unwrap();
    assert_ne!(bytes, content);
    assert_eq!(bytes.len(), content.len());
    // A detached signature carries no content: nothing to download.
    let detached = sign_now(&server, &h, &content, true);
    let r = post_form(
        &server,
        "/verify",
        &[
            ("signature", "d.p7s", &detached),
            ("content", "licence.json", &content),
        ],
    )
    .await;
    let page = text(&r);
    assert_eq!(element(&page, "verdict"), "TOTAL_PASSED");
    assert!(!page.contains("id=\"download\""), "{page}");
    server.stop().await.unwrap();
}

/// A certificate whose names carry markup: the page shows the text, never the markup.
#[tokio::test]
async fn ok_markup_in_a_certificate_name_is_escaped() {
    let server = TestServer::start().await;
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "<script>alert('cn')</script>");
    params.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        "\"><img src=x onerror=alert(1)>",
    );
    let cert = params.self_signed(&key).unwrap();
    let pkcs8 = key.serialize_der();
    let signing_key = eds_signer::keys::pkcs8::load_pkcs8(&pkcs8, None).unwrap();
    let signer = eds_signer::cms::Signer::new(&signing_key, cert.der(), &[]).unwrap();
    let signature = eds_signer::cms::sign(
        &signer,
        eds_signer::cms::Content::Bytes(b"plain text, not a licence"),
        &eds_signer::cms::SignOptions::new(OffsetDateTime::now_utc()),
        &SystemRandom::new(),
    )
    .unwrap();
    for lang in ["en", "ru", "kk"] {
        let (ct, body) = form(&[("signature", "<script>.p7s", &signature)]);
        let r = server
            .call(
                Method::POST,
                &format!("/verify?lang={lang}"),
                &[("content-type", &ct)],
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let page = text(&r);
        assert_eq!(
            element(&page, "verdict"),
            "INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND"
        );
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert('cn')&lt;/script&gt;"),
            "{page}"
        );
        assert!(
            page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
            "{page}"
        );
        assert_eq!(element(&page, "signature-name"), "&lt;script&gt;.p7s");
        // Not a licensing document: the content is offered as is.
        assert_eq!(attribute(&page, "download", "download"), "script_.bin");
    }
    server.stop().await.unwrap();
}
