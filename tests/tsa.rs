//! The timestamp authority and the root CRL of `eds serve` end to end, judged by OpenSSL:
//! `openssl ts -query` → `POST /tsa` → `openssl ts -reply` / `openssl ts -verify`; refusals
//! with their failInfo; distinct serials under concurrent requests; `/crl/root.crl` checked by
//! `openssl crl -verify` against the root; `eds sign --tsa` whose token verifies over the
//! signature value.
//!
//! The server runs on the real clock (no `EDS_NOW`): OpenSSL checks the TSA certificate against
//! it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::serving::Serving;
use common::*;

/// A center on the real clock with the shipped registry, serving.
fn serving() -> (Center, Serving) {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    let s = Serving::start(&c);
    (c, s)
}

/// root + issuing, the trust file of `openssl ts -verify`.
fn chain(c: &Center) -> PathBuf {
    let path = c.path("chain.pem");
    let mut text = fs::read_to_string(c.root()).unwrap();
    text.push_str(&fs::read_to_string(c.issuing()).unwrap());
    fs::write(&path, text).unwrap();
    path
}

fn tsa_cert(c: &Center) -> PathBuf {
    c.data.join("tsa.crt.pem")
}

/// POSTs `query` to `/tsa` with curl; returns (HTTP status, content type) and writes the body
/// to `out`.
fn post(s: &Serving, query: &Path, out: &Path) -> (u16, String) {
    let o = Command::new("curl")
        .args(["-sS", "--max-time", "30"])
        .args(["-H", "Content-Type: application/timestamp-query"])
        .arg("--data-binary")
        .arg(format!("@{}", query.display()))
        .arg("-o")
        .arg(out)
        .args(["-w", "%{http_code} %{content_type}"])
        .arg(format!("{}/tsa", s.url))
        .output()
        .unwrap();
    assert_code(&o, 0);
    let text = stdout(&o);
    let (code, ty) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    (code.parse().unwrap(), ty.to_owned())
}

/// `openssl ts -query -data FILE` plus `extra`, into `out`.
fn query(data: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "ts",
        "-query",
        "-data",
        data.to_str().unwrap(),
        "-out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    openssl_ok(&args);
}

/// `openssl ts -reply -in RESP -text`.
fn reply_text(resp: &Path) -> String {
    openssl_ok(&["ts", "-reply", "-in", resp.to_str().unwrap(), "-text"])
}

fn verify(c: &Center, args: &[&str]) -> Output {
    let chain = chain(c);
    let tsa = tsa_cert(c);
    let mut all = vec!["ts", "-verify"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "-CAfile",
        chain.to_str().unwrap(),
        "-untrusted",
        tsa.to_str().unwrap(),
    ]);
    openssl(&all)
}

/// The serial of a granted reply's text.
fn serial(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("Serial number: "))
        .unwrap_or_else(|| panic!("no serial in {text}"))
        .to_owned()
}

#[test]
fn ok_openssl_query_with_and_without_nonce_is_granted_and_verifies() {
    let (c, s) = serving();
    let data = c.path("doc.txt");
    fs::write(&data, b"a document to timestamp\n").unwrap();
    for (name, flags) in [
        ("nonce", &["-sha256", "-cert"][..]),
        ("no-nonce", &["-sha256", "-cert", "-no_nonce"][..]),
        ("sha512", &["-sha512", "-cert"][..]),
    ] {
        let q = c.path(&format!("{name}.tsq"));
        let r = c.path(&format!("{name}.tsr"));
        query(&data, &q, flags);
        assert_eq!(
            post(&s, &q, &r),
            (200, "application/timestamp-reply".to_owned())
        );
        let text = reply_text(&r);
        assert!(text.contains("Status: Granted."), "{name}: {text}");
        assert!(text.contains("Policy OID: 1.2.398.3.3.2.6.1"), "{text}");
        assert!(text.contains("Accuracy: 0x01 seconds"), "{text}");
        assert!(text.contains("TSA: DirName:/C=KZ/CN="), "{text}");
        assert_eq!(
            text.contains("Nonce: unspecified"),
            name == "no-nonce",
            "{name}: {text}"
        );
        let o = verify(
            &c,
            &["-data", data.to_str().unwrap(), "-in", r.to_str().unwrap()],
        );
        assert_code(&o, 0);
        assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
        // The query itself as the reference: imprint and nonce checked against it.
        let o = verify(
            &c,
            &[
                "-queryfile",
                q.to_str().unwrap(),
                "-in",
                r.to_str().unwrap(),
            ],
        );
        assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
    }
}

#[test]
fn ok_token_without_cert_req_leaves_the_certificate_out() {
    let (c, s) = serving();
    let data = c.path("doc.txt");
    fs::write(&data, b"x").unwrap();
    let q = c.path("q.tsq");
    let r = c.path("r.tsr");
    query(&data, &q, &["-sha256"]);
    post(&s, &q, &r);
    let token = c.path("token.der");
    openssl_ok(&[
        "ts",
        "-reply",
        "-in",
        r.to_str().unwrap(),
        "-token_out",
        "-out",
        token.to_str().unwrap(),
    ]);
    let printed = openssl_ok(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        token.to_str().unwrap(),
    ]);
    let after = printed
        .split_once("certificates:\n")
        .map(|(_, rest)| rest.lines().next().unwrap_or_default().trim())
        .unwrap_or_default();
    assert_eq!(after, "<ABSENT>", "{printed}");
    // With the TSA certificate given beside, it still verifies.
    let o = verify(
        &c,
        &["-data", data.to_str().unwrap(), "-in", r.to_str().unwrap()],
    );
    assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
}

#[test]
fn fail_md5_unknown_oid_garbage_and_other_policy_are_rejections_with_their_fail_info() {
    let (c, s) = serving();
    let data = c.path("doc.txt");
    fs::write(&data, b"x").unwrap();

    let md5 = c.path("md5.tsq");
    query(&data, &md5, &["-md5"]);
    let r = c.path("md5.tsr");
    assert_eq!(post(&s, &md5, &r).0, 200);
    let text = reply_text(&r);
    assert!(text.contains("Status: Rejected."), "{text}");
    assert!(
        text.contains("Failure info: unrecognized or unsupported algorithm identifier\n"),
        "{text}"
    );

    // TimeStampReq { v1, { { 1.2.3.4 }, OCTET STRING (32 bytes) } }: an OID nobody knows.
    let mut der = vec![
        0x30, 0x2E, 0x02, 0x01, 0x01, 0x30, 0x29, 0x30, 0x05, 0x06, 0x03,
    ];
    der.extend_from_slice(&[0x2A, 0x03, 0x04]);
    der.extend_from_slice(&[0x04, 0x20]);
    der.extend_from_slice(&[0xAB; 32]);
    let unknown = c.path("unknown.tsq");
    fs::write(&unknown, &der).unwrap();
    let r = c.path("unknown.tsr");
    assert_eq!(post(&s, &unknown, &r).0, 200);
    let text = reply_text(&r);
    assert!(
        text.contains("Failure info: unrecognized or unsupported algorithm identifier\n"),
        "{text}"
    );
    assert!(text.contains("1.2.3.4 is not accepted"), "{text}");

    let garbage = c.path("garbage.tsq");
    fs::write(&garbage, b"this is not a timestamp request").unwrap();
    let r = c.path("garbage.tsr");
    assert_eq!(
        post(&s, &garbage, &r),
        (200, "application/timestamp-reply".to_owned())
    );
    let text = reply_text(&r);
    assert!(text.contains("Status: Rejected."), "{text}");
    assert!(
        text.contains("Failure info: the data submitted has the wrong format\n"),
        "{text}"
    );

    let policy = c.path("policy.tsq");
    query(&data, &policy, &["-sha256", "-tspolicy", "1.2.3.4.5"]);
    let r = c.path("policy.tsr");
    post(&s, &policy, &r);
    let text = reply_text(&r);
    assert!(
        text.contains("Failure info: the requested TSA policy is not supported by the TSA\n"),
        "{text}"
    );

    // The configured policy asked by name is granted.
    let same = c.path("same.tsq");
    query(&data, &same, &["-sha256", "-tspolicy", "1.2.398.3.3.2.6.1"]);
    let r = c.path("same.tsr");
    post(&s, &same, &r);
    assert!(reply_text(&r).contains("Status: Granted."));
}

#[test]
fn ok_concurrent_requests_get_distinct_serials() {
    let (c, s) = serving();
    let data = c.path("doc.txt");
    fs::write(&data, b"x").unwrap();
    let q = c.path("q.tsq");
    query(&data, &q, &["-sha256"]);
    let serials: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (c, s, q) = (&c, &s, &q);
                scope.spawn(move || {
                    let r = c.path(&format!("r{i}.tsr"));
                    assert_eq!(post(s, q, &r).0, 200);
                    serial(&reply_text(&r))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let distinct: HashSet<&String> = serials.iter().collect();
    assert_eq!(distinct.len(), 16, "{serials:?}");
}

#[test]
fn ok_serials_never_repeat_across_a_restart() {
    let (c, s) = serving();
    let data = c.path("doc.txt");
    fs::write(&data, b"x").unwrap();
    let q = c.path("q.tsq");
    query(&data, &q, &["-sha256"]);
    let r = c.path("first.tsr");
    post(&s, &q, &r);
    let first = serial(&reply_text(&r));
    drop(s);
    let s = Serving::start(&c);
    let r = c.path("second.tsr");
    post(&s, &q, &r);
    let second = serial(&reply_text(&r));
    assert_ne!(first, second);
}

#[test]
fn ok_root_crl_is_served_with_crl_headers_and_verifies_against_the_root() {
    let (c, s) = serving();
    // The URL the issuing center's certificate names.
    let issuing = openssl_ok(&[
        "x509",
        "-in",
        c.issuing().to_str().unwrap(),
        "-noout",
        "-text",
    ]);
    assert!(
        // The test center in folder `ca` has the default URL of "EDS TEST CA (ca)".
        issuing.contains("URI:http://127.0.0.1:8360/crl/root.crl"),
        "{issuing}"
    );
    let file = c.path("root.crl");
    let o = Command::new("curl")
        .args(["-sS", "-f", "-D", "-", "-o"])
        .arg(&file)
        .arg(format!("{}/crl/root.crl", s.url))
        .output()
        .unwrap();
    assert_code(&o, 0);
    let head = stdout(&o).to_ascii_lowercase();
    assert!(
        head.contains("content-type: application/pkix-crl"),
        "{head}"
    );
    assert!(head.contains("cache-control: max-age="), "{head}");
    assert!(head.contains("last-modified: "), "{head}");
    assert!(head.contains("expires: "), "{head}");
    assert!(head.contains("etag: "), "{head}");
    let o = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        file.to_str().unwrap(),
        "-CAfile",
        c.root().to_str().unwrap(),
        "-verify",
        "-noout",
        "-text",
    ]);
    assert_code(&o, 0);
    let text = both(&o);
    assert!(text.contains("verify OK"), "{text}");
    assert!(
        text.contains("Issuer: C = KZ, CN = EDS TEST CA (ca) ROOT"),
        "{text}"
    );
    assert!(text.contains("No Revoked Certificates."), "{text}");
    // Against the issuing center instead, the signature does not verify.
    let o = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        file.to_str().unwrap(),
        "-CAfile",
        c.issuing().to_str().unwrap(),
        "-verify",
        "-noout",
    ]);
    assert!(!both(&o).contains("verify OK"), "{}", both(&o));
}

#[test]
fn ok_eds_sign_tsa_adds_a_token_over_the_signature_value() {
    let (c, s) = serving();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    let doc = c.path("doc.txt");
    fs::write(&doc, b"signed and timestamped\n").unwrap();
    let sig = c.path("doc.p7s");
    let url = format!("{}/tsa", s.url);
    let o = c.run_env(
        &[
            "--json",
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--out",
            sig.to_str().unwrap(),
            "--tsa",
            &url,
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    );
    let summary: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(summary["timestamped_by"], url.as_str());

    let der = fs::read(&sig).unwrap();
    let stamps = eds_signer::cms::timestamp::signature_timestamps(&der).unwrap();
    assert_eq!(stamps.len(), 1);
    let value = &stamps[0].signature_value;
    let tokens = &stamps[0].tokens;
    assert_eq!(tokens.len(), 1);
    let token = c.path("token.der");
    fs::write(&token, &tokens[0]).unwrap();
    let digest = hex(&ring::digest::digest(&ring::digest::SHA256, value));
    let o = verify(
        &c,
        &[
            "-digest",
            &digest,
            "-token_in",
            "-in",
            token.to_str().unwrap(),
        ],
    );
    assert_code(&o, 0);
    assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
    // Over another value it does not verify.
    let other = hex(&ring::digest::digest(&ring::digest::SHA256, b"other"));
    let o = verify(
        &c,
        &[
            "-digest",
            &other,
            "-token_in",
            "-in",
            token.to_str().unwrap(),
        ],
    );
    assert!(!stdout(&o).contains("Verification: OK"), "{}", both(&o));

    // The signature itself still verifies: the token is outside the signed attributes.
    let o = openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        sig.to_str().unwrap(),
        "-CAfile",
        chain(&c).to_str().unwrap(),
        "-purpose",
        "any",
        "-out",
        c.path("extracted.txt").to_str().unwrap(),
    ]);
    assert_code(&o, 0);
    assert!(both(&o).contains("Verification successful"), "{}", both(&o));
    let printed = openssl_ok(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        sig.to_str().unwrap(),
    ]);
    assert!(printed.contains("id-smime-aa-timeStampToken"), "{printed}");
}

#[test]
fn fail_eds_sign_tsa_unreachable_writes_nothing() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    let doc = c.path("doc.txt");
    fs::write(&doc, b"x").unwrap();
    let sig = c.path("doc.p7s");
    // A port nobody listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = c.run_env(
        &[
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--out",
            sig.to_str().unwrap(),
            "--tsa",
            &format!("http://127.0.0.1:{port}/tsa"),
            "--tsa-timeout",
            "5",
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    );
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains("ask the timestamp authority at"),
        "{}",
        stderr(&o)
    );
    assert!(!sig.exists());
}

fn hex(bytes: &impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn ok_configured_policy_and_accuracy_are_served_and_a_bad_policy_is_refused_at_start() {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    let o = c.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tsa-policy",
        "not-an-oid",
    ]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("--tsa-policy \"not-an-oid\""),
        "{}",
        stderr(&o)
    );

    let s = Serving::start_with(&c, &["--tsa-policy", "1.2.3.4.5", "--tsa-accuracy", "3"]);
    let data = c.path("doc.txt");
    fs::write(&data, b"x").unwrap();
    let q = c.path("q.tsq");
    query(&data, &q, &["-sha256", "-cert", "-tspolicy", "1.2.3.4.5"]);
    let r = c.path("r.tsr");
    post(&s, &q, &r);
    let text = reply_text(&r);
    assert!(text.contains("Status: Granted."), "{text}");
    assert!(text.contains("Policy OID: 1.2.3.4.5\n"), "{text}");
    assert!(text.contains("Accuracy: 0x03 seconds"), "{text}");
    let o = verify(
        &c,
        &[
            "-queryfile",
            q.to_str().unwrap(),
            "-in",
            r.to_str().unwrap(),
        ],
    );
    assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
    // The default policy is now someone else's.
    let other = c.path("other.tsq");
    query(
        &data,
        &other,
        &["-sha256", "-tspolicy", "1.2.398.3.3.2.6.1"],
    );
    let r = c.path("other.tsr");
    post(&s, &other, &r);
    assert!(reply_text(&r).contains("Status: Rejected."));
}

#[test]
fn ok_cosigning_with_tsa_timestamps_only_the_new_signer() {
    let (c, s) = serving();
    let first = c.issue_sample("individual-signing");
    let second = c.issue_with(
        &request("employee-signing-right"),
        &["--generate-key", "--key-algorithm", "p384"],
    );
    let doc = c.path("doc.txt");
    fs::write(&doc, b"two signers\n").unwrap();
    let url = format!("{}/tsa", s.url);
    let sign = |p12: &str, out: &Path, extra: &[&str]| {
        let p12 = c.out.join(format!("{p12}.p12"));
        let mut args = vec![
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--tsa",
            &url,
        ];
        args.extend_from_slice(extra);
        ok(&c.run_env(&args, &[("EDS_KEY_PASSWORD", OWNER)]));
    };
    let one = c.path("one.p7s");
    sign(&first, &one, &[]);
    let two = c.path("two.p7s");
    sign(&second, &two, &["--add-to", one.to_str().unwrap()]);
    let stamps =
        eds_signer::cms::timestamp::signature_timestamps(&fs::read(&two).unwrap()).unwrap();
    assert_eq!(stamps.len(), 2);
    assert!(stamps.iter().all(|s| s.tokens.len() == 1), "{stamps:?}");
    // The first signer's token is the one it had: byte for byte.
    let before =
        eds_signer::cms::timestamp::signature_timestamps(&fs::read(&one).unwrap()).unwrap();
    assert!(stamps.contains(&before[0]));
    for st in &stamps {
        let token = c.path("t.der");
        fs::write(&token, &st.tokens[0]).unwrap();
        let digest = hex(&ring::digest::digest(
            &ring::digest::SHA256,
            &st.signature_value,
        ));
        let o = verify(
            &c,
            &[
                "-digest",
                &digest,
                "-token_in",
                "-in",
                token.to_str().unwrap(),
            ],
        );
        assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
    }
}

#[test]
fn fail_signer_refuses_tokens_that_do_not_answer_its_request_or_signature() {
    use eds_signer::cms::timestamp::{
        TimestampError, TimestampRequest, add_signature_timestamp, post, signature_values,
    };
    let (c, s) = serving();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    let doc = c.path("doc.txt");
    fs::write(&doc, b"x").unwrap();
    let sig = c.path("doc.p7s");
    ok(&c.run_env(
        &[
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--out",
            sig.to_str().unwrap(),
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    ));
    let message = fs::read(&sig).unwrap();
    let value = signature_values(&message).unwrap().remove(0);
    let rng = ring::rand::SystemRandom::new();
    let url = format!("{}/tsa", s.url);
    let timeout = std::time::Duration::from_secs(30);

    // An answer to another request: another imprint.
    let asked = TimestampRequest::new(&value, &rng).unwrap();
    let other = TimestampRequest::new(b"another value", &rng).unwrap();
    let answer = post(&url, other.der(), timeout).unwrap();
    assert_eq!(
        asked.token(&answer),
        Err(TimestampError::Mismatch {
            what: "messageImprint"
        })
    );
    // The same imprint, another nonce.
    let again = TimestampRequest::new(&value, &rng).unwrap();
    let answer = post(&url, again.der(), timeout).unwrap();
    assert_eq!(
        asked.token(&answer),
        Err(TimestampError::Mismatch { what: "nonce" })
    );
    // A token over another value fits no signer of the message.
    let token = other
        .token(&post(&url, other.der(), timeout).unwrap())
        .unwrap();
    assert_eq!(
        add_signature_timestamp(&message, &token),
        Err(TimestampError::NoSuchSignature)
    );
    // The right one fits, and the message then carries it.
    let token = asked
        .token(&post(&url, asked.der(), timeout).unwrap())
        .unwrap();
    let stamped = add_signature_timestamp(&message, &token).unwrap();
    let stamps = eds_signer::cms::timestamp::signature_timestamps(&stamped).unwrap();
    assert_eq!(stamps[0].tokens, vec![token]);
    // A refusal is reported with its failInfo bit: garbage is badDataFormat (bit 5).
    let refused = post(&url, b"garbage", timeout).unwrap();
    assert!(matches!(
        asked.token(&refused),
        Err(TimestampError::Refused { status: 2, ref fail_bits, .. }) if fail_bits == &[5]
    ));
    // Not a TSA: a 404 is a transport error naming the status.
    let e = post(&format!("{}/nowhere", s.url), asked.der(), timeout).unwrap_err();
    assert!(
        matches!(&e, TimestampError::Transport { reason, .. } if reason.contains("404")),
        "{e}"
    );
}

#[test]
fn ok_root_crl_published_by_the_command_line_is_served_at_once() {
    let (c, s) = serving();
    let fetch = |name: &str| -> String {
        let file = c.path(name);
        let o = Command::new("curl")
            .args(["-sS", "-f", "-o"])
            .arg(&file)
            .arg(format!("{}/crl/root.crl", s.url))
            .output()
            .unwrap();
        assert_code(&o, 0);
        let text = openssl_ok(&[
            "crl",
            "-inform",
            "DER",
            "-in",
            file.to_str().unwrap(),
            "-noout",
            "-crlnumber",
        ]);
        text.trim().to_owned()
    };
    assert_eq!(fetch("first.crl"), "crlNumber=0x01");
    ok(&c.run(&["ca", "crl"]));
    assert!(c.data.join("crl/root.crl").exists());
    assert_eq!(fetch("second.crl"), "crlNumber=0x02");
}
