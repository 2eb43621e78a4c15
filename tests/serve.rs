//! `eds serve` end to end: the binary on a free loopback port, driven by real clients — `openssl
//! ocsp` for the responder, `curl` for the CRL, the certificates and the operator API, `openssl
//! crl` to check what curl fetched — and stopped with SIGTERM.
//!
//! The server runs on the real clock (no `EDS_NOW`): OpenSSL checks OCSP and CRL times against it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use time::OffsetDateTime;

use common::serving::Serving;
use common::*;

/// A center on the real clock with the shipped registry.
fn center() -> Center {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    c
}

/// `eds ca operator add NAME --json`; returns the token.
fn add_operator(c: &Center, name: &str) -> String {
    let v = ok_json(&c.run(&["--json", "ca", "operator", "add", name]));
    v["token"].as_str().unwrap().to_owned()
}

/// Runs curl; returns its output (status code on the last line of standard output with `-w`).
fn curl(args: &[&str]) -> Output {
    Command::new("curl")
        .args(["-sS", "--max-time", "30"])
        .args(args)
        .output()
        .expect("run curl")
}

/// An API call through curl: `(status, JSON body)`.
fn api(url: &str, method: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
    let auth = token.map(|t| format!("Authorization: Bearer {t}"));
    let data = body.map(|b| b.to_string());
    let mut args = vec![
        "-X",
        method,
        "-H",
        "Content-Type: application/json",
        "-w",
        "\n%{http_code}",
    ];
    if let Some(a) = &auth {
        args.extend(["-H", a.as_str()]);
    }
    if let Some(d) = &data {
        args.extend(["--data-binary", d.as_str()]);
    }
    args.push(url);
    let o = curl(&args);
    let text = stdout(&o);
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
    let value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    };
    (code.trim().parse().unwrap_or(0), value)
}

/// `openssl ocsp` against the server; returns its standard output (it exits 0 whatever the
/// status).
fn openssl_ocsp(c: &Center, s: &Serving, cert: &Path) -> String {
    let url = format!("{}/ocsp", s.url);
    openssl_ok(&[
        "ocsp",
        "-issuer",
        c.issuing().to_str().unwrap(),
        "-cert",
        cert.to_str().unwrap(),
        "-url",
        &url,
        "-CAfile",
        c.root().to_str().unwrap(),
    ])
}

/// Fetches the CRL with curl into `name`; returns `openssl crl -text` of it after checking its
/// signature against the issuing center.
fn fetch_crl(c: &Center, s: &Serving, name: &str) -> String {
    let file = c.path(name);
    let o = curl(&[
        "-f",
        "-o",
        file.to_str().unwrap(),
        &format!("{}/crl/issuing.crl", s.url),
    ]);
    assert_code(&o, 0);
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
        "-text",
    ]);
    assert_code(&o, 0);
    assert!(both(&o).contains("verify OK"), "{}", both(&o));
    stdout(&o)
}

fn revoke_url(s: &Serving, serial: &str) -> String {
    format!("{}/api/v1/certificates/{serial}/revoke", s.url)
}

#[test]
fn ok_openssl_ocsp_good_then_revoked_and_the_crl_lists_it() {
    let c = center();
    let serial = c.issue_sample("individual-signing");
    let cert = c.cert_path(&serial);
    let token = add_operator(&c, "registry-gateway");
    let s = Serving::start(&c);

    let good = openssl_ocsp(&c, &s, &cert);
    assert!(
        good.contains(&format!("{}: good", cert.display())),
        "{good}"
    );
    assert!(good.contains("Next Update:"), "{good}");
    let crl = fetch_crl(&c, &s, "before.crl");
    assert!(!crl.contains(&serial), "{crl}");

    let (code, v) = api(
        &revoke_url(&s, &serial),
        "POST",
        Some(&token),
        Some(&json!({ "ground": "key-compromise", "notified_by": "the holder" })),
    );
    assert_eq!(code, 200, "{v}");

    // OCSP shows it at once.
    let revoked = openssl_ocsp(&c, &s, &cert);
    assert!(
        revoked.contains(&format!("{}: revoked", cert.display())),
        "{revoked}"
    );
    assert!(revoked.contains("Reason: keyCompromise"), "{revoked}");
    // The CRL right after (signed on the server's own task).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let crl = fetch_crl(&c, &s, "after.crl");
        if crl.contains(&format!("Serial Number: {serial}")) {
            assert!(crl.contains("Key Compromise"), "{crl}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the CRL never listed {serial}:\n{crl}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The published file is the one served.
    assert_eq!(
        fs::read(c.path("after.crl")).unwrap(),
        fs::read(c.data.join("crl/issuing.crl")).unwrap()
    );

    // The CA certificates at the URLs the certificates name.
    for (path, pem_file) in [
        ("cert/issuing.cer", c.issuing()),
        ("cert/root.cer", c.root()),
    ] {
        let out = c.path("fetched.cer");
        let o = curl(&[
            "-f",
            "-D",
            "-",
            "-o",
            out.to_str().unwrap(),
            &format!("{}/{path}", s.url),
        ]);
        assert!(
            stdout(&o).contains("content-type: application/pkix-cert"),
            "{}",
            stdout(&o)
        );
        let fetched = openssl_ok(&[
            "x509",
            "-inform",
            "DER",
            "-in",
            out.to_str().unwrap(),
            "-noout",
            "-fingerprint",
            "-sha256",
        ]);
        let local = openssl_ok(&[
            "x509",
            "-in",
            pem_file.to_str().unwrap(),
            "-noout",
            "-fingerprint",
            "-sha256",
        ]);
        assert_eq!(fetched, local);
    }
}

#[test]
fn fail_missing_wrong_and_revoked_tokens_are_refused_and_record_nothing() {
    let c = center();
    let serial = c.issue_sample("individual-signing");
    let token = add_operator(&c, "registry-gateway");
    let former = add_operator(&c, "former-clerk");
    ok(&c.run(&["ca", "operator", "revoke", "former-clerk"]));
    let s = Serving::start(&c);
    let before = c.audit_entries().len();
    let body = json!({ "ground": "key-compromise", "notified_by": "the holder" });
    let wrong = "A".repeat(43);
    for (t, status, code) in [
        (None, 401, "missing-credential"),
        (Some(wrong.as_str()), 401, "invalid-credential"),
        (Some("Zm9v"), 401, "invalid-credential"),
        (Some(former.as_str()), 403, "revoked-credential"),
    ] {
        let (got, v) = api(&revoke_url(&s, &serial), "POST", t, Some(&body));
        assert_eq!((got, v["error"].as_str()), (status, Some(code)), "{t:?}");
        let (got, _) = api(
            &format!("{}/api/v1/certificates/{serial}", s.url),
            "GET",
            t,
            None,
        );
        assert_eq!(got, status, "{t:?}");
    }
    assert_eq!(
        c.audit_entries().len(),
        before,
        "a refused call was recorded"
    );
    assert_eq!(c.show(&serial)["status"], "valid");
    // The valid token works.
    let (got, _) = api(&revoke_url(&s, &serial), "POST", Some(&token), Some(&body));
    assert_eq!(got, 200);
    // Anonymous callers still reach the public register.
    let (got, v) = api(&format!("{}/api/v1/register", s.url), "GET", None, None);
    assert_eq!(got, 200);
    assert!(v["count"].as_u64().unwrap() >= 3, "{v}");
}

#[test]
fn ok_audit_log_records_each_accepted_call_with_the_operator_name() {
    let c = center();
    let token = add_operator(&c, "registry-gateway");
    let s = Serving::start(&c);
    let from = c.audit_entries().len();

    let key = c.path("owner.key.pem");
    let csr = c.path("owner.csr.pem");
    openssl_ok(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key.to_str().unwrap(),
        "-subj",
        "/CN=owner",
        "-out",
        csr.to_str().unwrap(),
    ]);
    let mut req: Value =
        serde_json::from_slice(&fs::read(request("individual-signing")).unwrap()).unwrap();
    req["csr_pem"] = json!(fs::read_to_string(&csr).unwrap());
    let (code, v) = api(
        &format!("{}/api/v1/certificates", s.url),
        "POST",
        Some(&token),
        Some(&req),
    );
    assert_eq!(code, 201, "{v}");
    let serial = v["certificate"]["serial"].as_str().unwrap().to_owned();
    // The certificate carries the CSR's key and passes OpenSSL's chain check.
    let leaf = c.path("leaf.pem");
    fs::write(&leaf, v["certificate_pem"].as_str().unwrap()).unwrap();
    let verified = openssl_ok(&[
        "verify",
        "-CAfile",
        c.root().to_str().unwrap(),
        "-untrusted",
        c.issuing().to_str().unwrap(),
        leaf.to_str().unwrap(),
    ]);
    assert!(verified.contains(": OK"), "{verified}");
    let modulus = |args: &[&str]| openssl_ok(args);
    assert_eq!(
        modulus(&["pkey", "-in", key.to_str().unwrap(), "-pubout"]),
        modulus(&["x509", "-in", leaf.to_str().unwrap(), "-noout", "-pubkey"])
    );

    let (code, _) = api(
        &format!("{}/api/v1/certificates/{serial}", s.url),
        "GET",
        Some(&token),
        None,
    );
    assert_eq!(code, 200);
    let (code, _) = api(
        &revoke_url(&s, &serial),
        "POST",
        Some(&token),
        Some(&json!({ "ground": "holder-request", "notified_by": "the holder" })),
    );
    assert_eq!(code, 200);
    let mut refused: Value =
        serde_json::from_slice(&fs::read(request("refused-under-age")).unwrap()).unwrap();
    refused["csr_pem"] = req["csr_pem"].clone();
    let (code, v) = api(
        &format!("{}/api/v1/certificates", s.url),
        "POST",
        Some(&token),
        Some(&refused),
    );
    assert_eq!(code, 422, "{v}");
    assert_eq!(v["ground"], "under-age");

    let entries = c.audit_entries();
    let mine: Vec<&str> = entries[from..]
        .iter()
        .filter(|e| e["actor"] == "registry-gateway")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        mine,
        [
            "certificate-issued",
            "api-certificate-viewed",
            "certificate-revoked",
            "issuance-refused"
        ]
    );
    c.assert_audit_intact(u64::try_from(entries.len()).unwrap());
}

#[test]
fn ok_sigterm_lets_a_request_in_flight_finish_and_exits_0() {
    let c = center();
    let serial = c.issue_sample("individual-signing");
    let token = add_operator(&c, "registry-gateway");
    let mut s = Serving::start(&c);

    // A revocation whose body (padded with JSON whitespace) takes about four seconds to upload.
    let mut body = json!({ "ground": "key-compromise", "notified_by": "the holder" }).to_string();
    body.push_str(&" ".repeat(40 * 1024));
    let body_file = c.path("slow.json");
    fs::write(&body_file, body).unwrap();
    let auth = format!("Authorization: Bearer {token}");
    let slow = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "60",
            "--limit-rate",
            "10K",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-H",
            &auth,
            "--data-binary",
        ])
        .arg(format!("@{}", body_file.display()))
        .args(["-w", "\n%{http_code}"])
        .arg(revoke_url(&s, &serial))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = s.terminate();
    let answered = slow.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(0), "log:\n{}", s.log());
    let text = stdout(&answered);
    assert!(text.ends_with("\n200"), "{text}\n{}", stderr(&answered));
    assert!(text.contains("\"status\":\"revoked\""), "{text}");
    let log = s.log();
    assert!(log.contains("shutting down"), "{log}");
    // The request ended after the signal, not before.
    let signalled = log.find("shutting down").unwrap();
    let revoked = log.find("certificate revoked").expect("revocation logged");
    assert!(revoked > signalled, "{log}");
    // Nothing lost: the revocation is in the register and in the CRL published on the way out.
    assert_eq!(c.show(&serial)["status"], "revoked");
    let crl = c.crl_text();
    assert!(crl.contains(&format!("Serial Number: {serial}")), "{crl}");
    // And the port is closed.
    let o = curl(&[&format!("{}/crl/issuing.crl", s.url)]);
    assert_eq!(o.status.code(), Some(7), "{}", both(&o));
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

/// `signature` (DER, one SignerInfo, certificates embedded) with `certificates` (DER, concatenated)
/// as its certificates and its SignerInfo repeated until the whole is about `size` bytes: every
/// copy is a signature to check and a path to search.
fn many_signers(signature: &[u8], certificates: &[u8], size: usize) -> Vec<u8> {
    let (h, _) = element_len(signature);
    let info = elements(&signature[h..]);
    let (h, _) = element_len(info[1]);
    let sd = &info[1][h..];
    let (h, _) = element_len(sd);
    let mut fields = elements(&sd[h..]);
    let set = fields.pop().unwrap();
    let (h, _) = element_len(set);
    let one = &set[h..];
    let certs = encode(0xA0, certificates);
    assert_eq!(fields[3][0], 0xA0, "the certificates field");
    fields[3] = &certs;
    let copies = (size - fields.concat().len()) / one.len();
    let signers = encode(0x31, &one.repeat(copies));
    let sd = encode(0x30, &[fields.concat(), signers].concat());
    encode(0x30, &[info[0].to_vec(), encode(0xA0, &sd)].concat())
}

/// SIGTERM while a verification keeps a core busy: once the grace period is over the
/// verification is cancelled and the process exits 0 (`Serving::terminate` waits at most 30 s;
/// without the cancellation the process would stay for minutes). An answer that still reaches
/// the client is not a pass.
///
/// The document keeps a core busy for minutes: thousands of copies of one SignerInfo by a leaf of
/// an unknown center, whose certificate comes with a hundred look-alikes of that center (its
/// subject and key identifier, other keys) and not the center itself, so every copy spends its
/// path budget on signature checks that fail (failures are not cached).
#[test]
fn ok_sigterm_during_a_long_verification_ends_the_process() {
    let c = center();
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl").args(args).output().unwrap();
        assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
        o.stdout
    };
    let p = |name: &str| c.path(name).to_str().unwrap().to_owned();
    let (ca, ca_key, leaf, leaf_key, csr) = (
        p("other-ca.pem"),
        p("other-ca.key"),
        p("leaf.pem"),
        p("leaf.key"),
        p("leaf.csr"),
    );
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let subject = ["-subj", "/CN=Other CA/C=KZ"];
    openssl(
        &[
            &["req", "-x509", "-keyout", &ca_key, "-out", &ca][..],
            &ec,
            &subject,
        ]
        .concat(),
    );
    let subject = ["-subj", "/CN=Leaf/C=KZ"];
    openssl(
        &[
            &["req", "-keyout", &leaf_key, "-out", &csr][..],
            &ec,
            &subject,
        ]
        .concat(),
    );
    let ext = p("leaf.ext");
    fs::write(
        &ext,
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    openssl(&[
        "x509", "-req", "-in", &csr, "-CA", &ca, "-CAkey", &ca_key, "-days", "30", "-extfile",
        &ext, "-out", &leaf,
    ]);
    let doc = p("doc.json");
    fs::write(&doc, "{\"kind\":\"test\"}").unwrap();
    let signed = openssl(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-in",
        &doc,
        "-signer",
        &leaf,
        "-inkey",
        &leaf_key,
        "-outform",
        "DER",
    ]);
    let mut certificates = openssl(&["x509", "-outform", "DER", "-in", &leaf]);
    for i in 0..100 {
        let key = p(&format!("look-alike-{i}.key"));
        openssl(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            &key,
        ]);
        certificates.extend(openssl(&[
            "x509", "-outform", "DER", "-in", &ca, "-key", &key,
        ]));
    }
    let big = many_signers(&signed, &certificates, 9 * 1024 * 1024);
    let big_file = c.path("big.p7s");
    fs::write(&big_file, big).unwrap();
    let mut s = Serving::start_with(&c, &["--shutdown-grace", "1"]);
    let mut client = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "120",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/pkcs7-mime",
            "--data-binary",
        ])
        .arg(format!("@{}", big_file.display()))
        .args(["-w", "\n%{http_code}"])
        .arg(format!("{}/api/v1/verify", s.url))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        client.try_wait().unwrap().is_none(),
        "the verification should still be running"
    );
    let status = s.terminate();
    assert_eq!(status.code(), Some(0), "log:\n{}", s.log());
    let log = s.log();
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    let answered = client.wait_with_output().unwrap();
    let text = stdout(&answered);
    if let Some(json) = text.strip_suffix("\n200") {
        let v: Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["indication"], "INDETERMINATE");
    }
}

#[test]
fn fail_operator_commands_and_serve_exit_codes() {
    let c = center();
    add_operator(&c, "registry-gateway");
    assert_code(&c.run(&["ca", "operator", "add", "registry-gateway"]), 4);
    assert_code(&c.run(&["ca", "operator", "add", "bad name"]), 64);
    assert_code(&c.run(&["ca", "operator", "revoke", "nobody"]), 5);
    ok(&c.run(&["ca", "operator", "revoke", "registry-gateway"]));
    assert_code(&c.run(&["ca", "operator", "revoke", "registry-gateway"]), 4);
    let list = ok_json(&c.run(&["--json", "ca", "operator", "list"]));
    assert_eq!(list[0]["name"], "registry-gateway");
    assert!(list[0]["revoked_at"].is_string());
    // The token is never stored: nothing in the register or the audit log holds it.
    let token = add_operator(&c, "second");
    let db = fs::read(c.data.join("register.sqlite")).unwrap();
    assert!(
        !db.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token is in the register file"
    );
    assert!(!format!("{:?}", c.audit_entries()).contains(&token));
    // A wrong passphrase stops the server before it listens (exit 6).
    let o = c.run_env(
        &["serve", "--listen", "127.0.0.1:0"],
        &[("EDS_CA_PASSPHRASE", "wrong")],
    );
    assert_code(&o, 6);
}

#[test]
fn ok_revocation_by_the_command_line_shows_in_ocsp_at_once_while_serving() {
    let c = center();
    let serial = c.issue_sample("individual-signing");
    let cert = c.cert_path(&serial);
    let s = Serving::start(&c);
    let good = openssl_ocsp(&c, &s, &cert);
    assert!(good.contains(": good"), "{good}");
    // Another process writes the register while the server holds its connections open.
    c.revoke(&serial, "death");
    let revoked = openssl_ocsp(&c, &s, &cert);
    assert!(revoked.contains(": revoked"), "{revoked}");
    assert!(
        revoked.contains("Reason: cessationOfOperation"),
        "{revoked}"
    );
    // And the server's own writes stay visible to the command line.
    let before = c.audit_entries().len();
    let token = add_operator(&c, "registry-gateway");
    let (code, _) = api(
        &format!("{}/api/v1/certificates/{serial}", s.url),
        "GET",
        Some(&token),
        None,
    );
    assert_eq!(code, 200);
    let after = c.audit_entries();
    assert_eq!(after.len(), before + 2);
    assert_eq!(after[before + 1]["action"], "api-certificate-viewed");
}

#[test]
fn ok_a_crl_past_half_its_validity_is_replaced_by_the_server_on_its_own() {
    let mut c = center();
    // A CRL published 13 hours ago: past half of its 24 hours of validity.
    let earlier = OffsetDateTime::now_utc() - time::Duration::hours(13);
    c.set_now(&rfc3339(earlier));
    let v = ok_json(&c.run(&["--json", "ca", "crl"]));
    let published = v["crl"]["number"].as_u64().unwrap();
    c.now = None;

    let s = Serving::start(&c);
    // The server's refresh loop signs a new CRL without being asked; poll for it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let text = fetch_crl(&c, &s, "refreshed.crl");
        let (_, number) = field(&text, "X509v3 CRL Number:");
        let number: u64 = number.trim().parse().unwrap();
        if number > published {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "still CRL #{number}:\n{}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let last_update = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Last Update:"))
        .unwrap();
    let this_update = parse_openssl_time(last_update.trim());
    assert!(
        OffsetDateTime::now_utc() - this_update < time::Duration::minutes(5),
        "the new CRL's thisUpdate {this_update} is not current"
    );
    assert!(s.log().contains("published a new CRL"), "{}", s.log());
}
