//! `--data` means the center (issue 17, item 2): a certificate issued from a CSR signs and
//! verifies with nothing but the data folder; `eds ca init` publishes the first CRLs, which
//! `eds verify --offline` uses; `eds ca issue --csr` takes the applicant as flags and writes a
//! `.chain.pem`; `eds sign` warns (with `--strict` refuses, exit 8) on a revoked, expired or
//! authentication-only certificate and on a signature that would carry no issuing center.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An owner key made by OpenSSL (P-256, PKCS#8 PEM, unencrypted) and its PKCS#10 request.
fn openssl_key_and_csr(c: &Center) -> (PathBuf, PathBuf) {
    let key = c.path("owner.key.pem");
    let csr = c.path("owner.csr");
    openssl_ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        s(&key),
    ]);
    openssl_ok(&[
        "req",
        "-new",
        "-key",
        s(&key),
        "-subj",
        "/CN=ignored",
        "-out",
        s(&csr),
    ]);
    (key, csr)
}

/// `eds ca issue --csr CSR` with the individual of `fixtures/requests/individual-signing.json`
/// given as flags; returns the serial.
fn issue_from_csr(c: &Center, csr: &Path) -> String {
    let v = ok_json(&c.run(&[
        "--json",
        "ca",
        "issue",
        "--csr",
        s(csr),
        "--iin",
        "850314300122",
        "--surname",
        "Ахметов",
        "--given-name",
        "Ерлан",
        "--patronymic",
        "Серікұлы",
        "--out-dir",
        s(&c.out),
    ]));
    v["certificate"]["serial"].as_str().unwrap().to_owned()
}

fn sign(c: &Center, args: &[&str]) -> Output {
    c.run_env(args, &[("EDS_KEY_PASSWORD", OWNER)])
}

fn document(c: &Center) -> PathBuf {
    let doc = c.path("doc.txt");
    fs::write(&doc, b"a document to sign\n").unwrap();
    doc
}

#[test]
fn ok_init_publishes_the_first_crls() {
    let c = Center::new();
    let v = ok_json(&c.run(&["--json", "ca", "init"]));
    let crls: Vec<&str> = v["crls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let dir = c.data.join("crl");
    assert_eq!(
        crls,
        [
            dir.join("issuing.crl"),
            dir.join("issuing.crl.pem"),
            dir.join("root.crl"),
            dir.join("root.crl.pem"),
        ]
        .iter()
        .map(|p| p.to_str().unwrap())
        .collect::<Vec<_>>()
    );
    // OpenSSL reads it: signed by the issuing center, no entries, thisUpdate = the clock.
    let text = c.crl_text();
    assert!(
        text.contains("No Revoked Certificates."),
        "a fresh center's CRL is empty:\n{text}"
    );
    assert!(
        text.contains(&format!("Last Update: {}", openssl_time(at(T0)))),
        "{text}"
    );
}

#[test]
fn ok_csr_with_flags_writes_a_chain_and_verifies_with_data_offline() {
    let c = Center::ready();
    let (key, csr) = openssl_key_and_csr(&c);
    let serial = issue_from_csr(&c, &csr);
    let cert = c.cert_path(&serial);
    // The chain file: the issuing center's certificate, then the root's, as in the data folder.
    let chain = fs::read_to_string(c.out.join(format!("{serial}.chain.pem"))).unwrap();
    let expected: Vec<String> = [c.issuing(), c.root()]
        .iter()
        .flat_map(|p| pem_bodies(&fs::read_to_string(p).unwrap(), "CERTIFICATE"))
        .collect();
    assert_eq!(pem_bodies(&chain, "CERTIFICATE"), expected);
    // OpenSSL builds the path with it.
    let o = openssl(&[
        "verify",
        "-attime",
        &c.attime(),
        "-CAfile",
        s(&c.root()),
        "-untrusted",
        s(&c.out.join(format!("{serial}.chain.pem"))),
        s(&cert),
    ]);
    assert_code(&o, 0);

    // Signing with the bare certificate: the center in --data supplies the issuing certificate.
    let doc = document(&c);
    let sig = c.path("doc.txt.p7s");
    let o = sign(
        &c,
        &[
            "sign",
            "--in",
            s(&doc),
            "--key",
            s(&key),
            "--cert",
            s(&cert),
            "--out",
            s(&sig),
        ],
    );
    assert_code(&o, 0);
    let issuing_subject = "CN=EDS TEST CA (ca),C=KZ";
    assert_eq!(
        stderr(&o),
        format!(
            "note: added {issuing_subject} from the center in {} to the signature's certificates\n",
            c.data.display()
        )
    );
    // Offline, with nothing but --data: the center's CRL published at init gives the status.
    let o = c.run(&["verify", s(&sig), "--offline"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains(": TOTAL_PASSED"), "{out}");
    assert!(
        out.contains(&format!("{}", c.data.join("crl/issuing.crl").display())),
        "the status comes from the center's published CRL:\n{out}"
    );
}

#[test]
fn fail_offline_without_the_centers_crls_is_try_later_and_says_what_to_do() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    let doc = document(&c);
    let sig = c.path("doc.txt.p7s");
    let p12 = c.out.join(format!("{serial}.p12"));
    assert_code(
        &sign(
            &c,
            &["sign", "--in", s(&doc), "--p12", s(&p12), "--out", s(&sig)],
        ),
        0,
    );
    for f in ["issuing.crl", "issuing.crl.pem"] {
        fs::remove_file(c.data.join("crl").join(f)).unwrap();
    }
    let o = c.run(&["verify", s(&sig), "--offline"]);
    assert_code(&o, 2);
    let out = stdout(&o);
    assert!(out.contains("INDETERMINATE / TRY_LATER"), "{out}");
    assert!(
        out.contains(
            "verify again when its CRL or OCSP source answers, or supply a current CRL or OCSP \
             response"
        ),
        "the reason says what to do:\n{out}"
    );
    assert!(
        out.contains(
            "  what to do: the revocation status could not be obtained: verify again when the \
             center's CRL distribution point or OCSP responder answers (`eds serve` for a center \
             made with `eds ca init`), or give a current CRL with --crl FILE or a saved OCSP \
             response with --ocsp FILE; with --offline, --data DIR uses that center's published \
             CRLs (`eds ca crl` renews them)\n"
        ),
        "{out}"
    );
    // `eds ca crl` publishes again: the same command passes.
    c.crl();
    assert_code(&c.run(&["verify", s(&sig), "--offline"]), 0);
}

#[test]
fn fail_lone_leaf_of_an_unknown_center_warns_and_strict_refuses() {
    let c = Center::ready();
    let (key, csr) = openssl_key_and_csr(&c);
    let serial = issue_from_csr(&c, &csr);
    let cert = c.cert_path(&serial);
    let doc = document(&c);
    let sig = c.path("doc.txt.p7s");
    let elsewhere = c.path("no-center");
    let args = [
        "sign",
        "--in",
        s(&doc),
        "--key",
        s(&key),
        "--cert",
        s(&cert),
        "--out",
        s(&sig),
    ];
    let warning = "the signature would carry no certificate of the center that issued the \
                   signer's (CN=EDS TEST CA (ca),C=KZ): a verifier holding only the root cannot \
                   build the path; give it with --chain (the SERIAL.chain.pem `eds ca issue` \
                   writes) or --data DIR of that center";
    let o = c.run_env(&args, &[("EDS_DATA", s(&elsewhere))]);
    assert_code(&o, 0);
    assert_eq!(stderr(&o), format!("warning: {warning}\n"));
    fs::remove_file(&sig).unwrap();

    let mut strict = args.to_vec();
    strict.push("--strict");
    let o = c.run_env(&strict, &[("EDS_DATA", s(&elsewhere))]);
    assert_code(&o, 8);
    assert_eq!(
        stderr(&o),
        format!(
            "error: refused to sign (--strict): {warning}\nhint: nothing was written; sign with \
             a valid signing certificate and its chain, or drop --strict to sign anyway with a \
             warning\n"
        )
    );
    assert!(!sig.exists(), "nothing is written when refused");

    // With the chain file the same command signs without a word.
    let chain = c.out.join(format!("{serial}.chain.pem"));
    let mut with_chain = strict.clone();
    with_chain.extend(["--chain", s(&chain)]);
    let o = c.run_env(&with_chain, &[("EDS_DATA", s(&elsewhere))]);
    assert_code(&o, 0);
    assert_eq!(stderr(&o), "");
}

#[test]
fn fail_revoked_certificate_warns_and_strict_refuses() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.revoke(&serial, "key-compromise");
    let doc = document(&c);
    let sig = c.path("doc.txt.p7s");
    let p12 = c.out.join(format!("{serial}.p12"));
    let args = [
        "--json",
        "sign",
        "--in",
        s(&doc),
        "--p12",
        s(&p12),
        "--out",
        s(&sig),
    ];
    let warning = format!(
        "the certificate was revoked at {T0} (ground key-compromise, art. 17.1): a signature \
         made now fails (TOTAL_FAILED / REVOKED)"
    );
    let o = sign(&c, &args);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["warnings"], serde_json::json!([warning]));
    assert_eq!(stderr(&o), format!("warning: {warning}\n"));

    let mut strict = args.to_vec();
    strict.push("--strict");
    fs::remove_file(&sig).unwrap();
    let o = sign(&c, &strict);
    assert_code(&o, 8);
    let e: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(e["error"]["kind"], "not_fit_to_sign");
    assert_eq!(
        e["error"]["message"],
        format!("refused to sign (--strict): {warning}")
    );
    assert_eq!(e["exit_code"], 8);
    assert!(!sig.exists());
}

#[test]
fn fail_expired_and_authentication_only_certificates_warn() {
    let mut c = Center::ready();
    let signing = c.issue_sample("individual-signing");
    let auth = c.issue_sample("individual-authentication");
    let doc = document(&c);
    let sig = c.path("doc.txt.p7s");

    // An authentication certificate (keyEncipherment without nonRepudiation) cannot sign.
    let p12 = c.out.join(format!("{auth}.p12"));
    let o = sign(
        &c,
        &[
            "sign",
            "--in",
            s(&doc),
            "--p12",
            s(&p12),
            "--out",
            s(&sig),
            "--strict",
        ],
    );
    assert_code(&o, 8);
    assert!(
        stderr(&o).starts_with(
            "error: refused to sign (--strict): this is an authentication certificate \
             (keyEncipherment without nonRepudiation); it cannot sign documents (EDS law art. \
             10.1(3))\n"
        ),
        "{}",
        stderr(&o)
    );

    // A day after the signing certificate's 365 days.
    let p12 = c.out.join(format!("{signing}.p12"));
    let not_after = c.show(&signing)["not_after"].as_str().unwrap().to_owned();
    c.set_now(&after(&not_after, time::Duration::days(1)));
    let o = sign(
        &c,
        &["sign", "--in", s(&doc), "--p12", s(&p12), "--out", s(&sig)],
    );
    assert_code(&o, 0);
    assert_eq!(
        stderr(&o),
        format!(
            "warning: the certificate expired at {not_after}: a signature made now fails \
             (TOTAL_FAILED)\n"
        )
    );
}

#[test]
fn fail_issue_given_a_csr_as_the_request_says_use_csr() {
    let c = Center::ready();
    let (_, csr) = openssl_key_and_csr(&c);
    let o = c.run(&["ca", "issue", s(&csr)]);
    assert_code(&o, 65);
    let name = csr.display();
    assert!(
        stderr(&o).contains(&format!(
            "{name} is a PEM file, not a registration request (JSON): give a certificate \
             request with --csr {name} and the applicant with --iin, --surname and --given-name \
             (or a JSON request)"
        )),
        "{}",
        stderr(&o)
    );
    // --iin without the names is a usage error of the parser.
    let o = c.run(&["ca", "issue", "--csr", s(&csr), "--iin", "850314300122"]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("--surname <SURNAME>"), "{}", stderr(&o));
    // A CSR in the JSON and another with --csr: refused, nothing issued.
    let mut req: serde_json::Value =
        serde_json::from_slice(&fs::read(request("individual-signing")).unwrap()).unwrap();
    req["csr_pem"] = fs::read_to_string(&csr).unwrap().into();
    let path = c.write_request("with-csr", &req);
    let o = c.run(&["ca", "issue", s(&path), "--csr", s(&csr)]);
    // Inputs that do not belong together (docs/exit-codes.md): EX_DATAERR.
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("the request already holds csr_pem and --csr"),
        "{}",
        stderr(&o)
    );
    assert!(c.owner_serials().is_empty());
}

/// `eds ca init` in `dir` (no --name, no --url); returns its JSON report.
fn init_in(c: &Center, dir: &Path) -> serde_json::Value {
    ok_json(&c.run_env(&["--json", "ca", "init"], &[("EDS_DATA", s(dir))]))
}

/// Issues the shipped individual's sample with a generated key in the center of `dir`, into
/// `dir`-out; returns the PKCS#12 file.
fn owner_of(c: &Center, dir: &Path) -> PathBuf {
    let env = [("EDS_DATA", s(dir))];
    let registry = fixture("registry.json");
    ok(&c.run_env(&["ca", "registry", "import", s(&registry)], &env));
    let out = dir.with_extension("out");
    let req = request("individual-signing");
    let v = ok_json(&c.run_env(
        &[
            "--json",
            "ca",
            "issue",
            s(&req),
            "--generate-key",
            "--out-dir",
            s(&out),
        ],
        &env,
    ));
    out.join(format!(
        "{}.p12",
        v["certificate"]["serial"].as_str().unwrap()
    ))
}

#[test]
fn ok_two_centers_in_two_folders_have_their_own_names_urls_and_crls() {
    let c = Center::new();
    let (alpha, beta) = (c.path("alpha"), c.path("beta"));
    let a = init_in(&c, &alpha);
    let b = init_in(&c, &beta);
    assert_eq!(a["name"], "EDS TEST CA (alpha)");
    assert_eq!(b["name"], "EDS TEST CA (beta)");
    let (url_a, url_b) = (a["url"].as_str().unwrap(), b["url"].as_str().unwrap());
    assert!(url_a.starts_with("http://127.0.0.1:"), "{url_a}");
    assert_ne!(url_a, url_b, "two centers, two URLs");
    assert_eq!(a["urls"]["crl"], format!("{url_a}/crl/issuing.crl"));
    assert_eq!(a["urls"]["ocsp"], format!("{url_a}/ocsp"));
    // The certificates name them.
    let text = c.x509_text(&alpha.join("issuing.crt.pem"));
    assert!(
        text.contains(&format!("URI:{url_a}/crl/root.crl")),
        "{text}"
    );

    // Each owner signs; each signature verifies against its own center, offline.
    let doc = document(&c);
    let mut sigs = Vec::new();
    for dir in [&alpha, &beta] {
        let p12 = owner_of(&c, dir);
        let sig = dir.with_extension("p7s");
        let o = c.run_env(
            &["sign", "--in", s(&doc), "--p12", s(&p12), "--out", s(&sig)],
            &[("EDS_DATA", s(dir)), ("EDS_KEY_PASSWORD", OWNER)],
        );
        assert_code(&o, 0);
        assert_eq!(stderr(&o), "");
        let o = c.run_env(&["verify", s(&sig), "--offline"], &[("EDS_DATA", s(dir))]);
        assert_code(&o, 0);
        sigs.push(sig);
    }
    // Against the other center it has no path (not a CRL mix-up).
    let o = c.run_env(
        &["verify", s(&sigs[0]), "--offline"],
        &[("EDS_DATA", s(&beta))],
    );
    assert_code(&o, 2);
    assert!(
        stdout(&o).contains("NO_CERTIFICATE_CHAIN_FOUND"),
        "{}",
        stdout(&o)
    );

    // Both roots trusted and both centers' CRLs given: each signature passes, and no CRL is
    // taken for the other center's (the names once were the same: "CRL issued by CN=EDS TEST
    // CA does not belong to the certificate issuer CN=EDS TEST CA").
    let roots = c.path("roots.pem");
    let both_roots = [&alpha, &beta]
        .iter()
        .map(|d| fs::read_to_string(d.join("root.crt.pem")).unwrap())
        .collect::<String>();
    fs::write(&roots, both_roots).unwrap();
    for sig in &sigs {
        let mut args = vec!["verify", s(sig), "--offline", "--trust", s(&roots)];
        let crls: Vec<PathBuf> = [&alpha, &beta]
            .iter()
            .flat_map(|d| [d.join("crl/issuing.crl"), d.join("crl/root.crl")])
            .collect();
        for crl in &crls {
            args.extend(["--crl", s(crl)]);
        }
        let o = c.run(&args);
        assert_code(&o, 0);
        assert!(!stdout(&o).contains("does not belong"), "{}", stdout(&o));
    }
}

#[test]
fn ok_init_with_name_derives_the_url_and_says_which_urls_certificates_name() {
    let c = Center::new();
    let o = c.run(&["ca", "init", "--name", "ALMATY TEST CA"]);
    let out = ok(&o);
    assert!(out.starts_with(&format!(
        "initialised the center \"ALMATY TEST CA\" in {}\n",
        c.data.display()
    )));
    // The port is FNV-1a of the name, 8080 + hash mod 900.
    let url = "http://127.0.0.1:8529";
    assert!(
        out.ends_with(&format!(
            "certificates will name these URLs (`eds serve` answers them):\n  \
             CRL                 {url}/crl/issuing.crl\n  \
             root CRL            {url}/crl/root.crl\n  \
             CA issuers          {url}/cert/issuing.cer\n  \
             OCSP                {url}/ocsp\n"
        )),
        "{out}"
    );
    let text = c.x509_text(&c.issuing());
    assert!(text.contains("CN=ALMATY TEST CA"), "{text}");
}

#[test]
fn fail_serve_on_another_port_than_the_centers_url_warns() {
    // A free port for the center's URL.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut c = Center::new();
    c.init_with("p256", &["--url", &url]);
    c.now = None;
    let mut other = serving::Serving::start(&c);
    let other_port = other.url.rsplit(':').next().unwrap().to_owned();
    let status = other.terminate();
    assert!(status.success(), "{status}: {}", other.log());
    assert!(
        other.log().contains(&format!(
            "warning: listening on port {other_port}, but the center's certificates name {url} \
             for their CRLs and OCSP: relying parties look there, not here; listen on port \
             {port} (`--listen 127.0.0.1:{port}`) or forward that port here\n"
        )),
        "{}",
        other.log()
    );
    // Without --listen it listens where the certificates point, and says nothing of it.
    let log = c.path("serve-default.log");
    let mut child = c
        .command(&["serve"])
        .env_remove("EDS_NOW")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::from(fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(first, format!("listening on {url}\n"));
    assert!(
        !fs::read_to_string(&log)
            .unwrap()
            .contains("warning: listening on port"),
        "{}",
        fs::read_to_string(&log).unwrap()
    );
}
