//! A TC26-encoded GOST test center (issue 14): `eds ca init --algorithm gost2012-256-tc26` or
//! `gost2012-512-tc26` gives every key of the center a GOST R 34.10-2012 key under the TC26
//! identifiers and byte order (RFC 9215), so an outside verifier — OpenSSL's GOST engine, Debian
//! `libengine-gost-openssl`, installed by `scripts/test` — judges the center's own output: its
//! certificates (`openssl verify`), CRLs (`openssl crl -verify`), a CMS signed by an owner it
//! issued (`openssl cms -verify`), its OCSP answers (`openssl ocsp -respin`) and its timestamp
//! tokens (`openssl ts -verify`, over Streebog imprints the engine asked for). Our verifier
//! passes the same, and a revoked owner is REVOKED by both.
//!
//! GOST PKCS#10 requests (`eds ca issue --csr`): one made by the engine (TC26) and one in the
//! national center's encoding have their self-signature checked and are certified; a request
//! with a flipped signature byte is refused as any other forged request (exit 65).
//!
//! The engine is loaded through an OpenSSL configuration file (`OPENSSL_CONF`), because `openssl
//! ts` parses `-md_gost12_256` before it loads an `-engine`. When the engine does not load, the
//! engine tests fail with how to install it (`scripts/test` does).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use der::Encode;
use ring::rand::SystemRandom;
use serde_json::Value;

use common::*;

/// (the `--algorithm` name, TC26 key OID, TC26 signature OID, signature octets, the engine's
/// algorithm, its digest option)
const TC26: [(&str, &str, &str, usize, &str, &str); 2] = [
    (
        "gost2012-256-tc26",
        "1.2.643.7.1.1.1.1",
        "1.2.643.7.1.1.3.2",
        64,
        "gost2012_256",
        "-md_gost12_256",
    ),
    (
        "gost2012-512-tc26",
        "1.2.643.7.1.1.1.2",
        "1.2.643.7.1.1.3.3",
        128,
        "gost2012_512",
        "-md_gost12_512",
    ),
];

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// OpenSSL with the GOST engine loaded by a configuration file in the center's temporary folder.
struct Engine {
    conf: PathBuf,
}

impl Engine {
    /// The engine, loaded through a configuration file in the center's folder; the test fails
    /// when it does not load (the test command installs it).
    fn load(c: &Center) -> Self {
        let conf = c.path("openssl-gost.cnf");
        fs::write(
            &conf,
            "openssl_conf = openssl_def\n[openssl_def]\nengines = engine_section\n\
             [engine_section]\ngost = gost_section\n[gost_section]\nengine_id = gost\n\
             default_algorithms = ALL\n",
        )
        .unwrap();
        eds_fixtures::openssl_pki::require_gost_engine(Some(&conf));
        Self { conf }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("openssl")
            .args(args)
            .env("OPENSSL_CONF", &self.conf)
            .output()
            .expect("run openssl")
    }

    /// Runs and asserts success; stdout and stderr together.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "openssl {args:?}: {}", both(&o));
        both(&o)
    }
}

/// A TC26 center with the sample registry imported.
fn tc26_center(algorithm: &str) -> Center {
    let c = Center::new();
    c.init(algorithm);
    c.import_registry();
    c
}

/// Issues the sample individual with a key of `algorithm` the center generates; the serial.
fn issue_owner(c: &Center, algorithm: &str) -> String {
    c.issue_with(
        &request("individual-signing"),
        &["--generate-key", "--key-algorithm", algorithm],
    )
}

fn pem_der(path: &Path) -> Vec<u8> {
    pem::parse(fs::read(path).unwrap()).unwrap().into_contents()
}

/// The root and issuing certificates in one file, for `-CAfile`.
fn chain_file(c: &Center) -> PathBuf {
    let chain = c.path("chain.pem");
    let mut text = fs::read(c.root()).unwrap();
    text.extend(fs::read(c.issuing()).unwrap());
    fs::write(&chain, text).unwrap();
    chain
}

/// `openssl verify` of `leaf` with both of the center's CRLs (`-crl_check_all`).
fn engine_verify(engine: &Engine, c: &Center, leaf: &Path) -> Output {
    engine.run(&[
        "verify",
        "-attime",
        &c.attime(),
        "-crl_check_all",
        "-CRLfile",
        s(&c.data.join("crl/issuing.crl.pem")),
        "-CRLfile",
        s(&c.data.join("crl/root.crl.pem")),
        "-CAfile",
        s(&c.root()),
        "-untrusted",
        s(&c.issuing()),
        s(leaf),
    ])
}

/// Signs a small document with the owner's PKCS#12 file; (document, signature).
fn sign_document(c: &Center, serial: &str) -> (PathBuf, PathBuf) {
    let doc = c.path("doc.txt");
    fs::write(&doc, b"an application signed with a TC26 GOST key\n").unwrap();
    let sig = c.path("doc.txt.p7s");
    let p12 = c.out.join(format!("{serial}.p12"));
    ok(&c.run_env(
        &[
            "sign",
            "--in",
            s(&doc),
            "--p12",
            s(&p12),
            "--detached",
            "--out",
            s(&sig),
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    ));
    (doc, sig)
}

/// `eds verify SIG --offline --json` plus `extra`; the exit code and the first signature's report.
fn our_verify(c: &Center, sig: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["--json", "verify", s(sig), "--offline"];
    args.extend_from_slice(extra);
    let o = c.run(&args);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", both(&o)));
    (o.status.code(), v["signatures"][0].clone())
}

/// The whole round on one TC26 algorithm: identifiers, the engine's verdict on certificates,
/// CRLs and an owner's CMS, ours on the same; then revocation, judged by both.
fn round(algorithm: &str) {
    let (_, key_oid, sig_oid, sig_len, _, _) = TC26.into_iter().find(|t| t.0 == algorithm).unwrap();
    let mut c = tc26_center(algorithm);
    let engine = Engine::load(&c);
    let config: Value =
        serde_json::from_slice(&fs::read(c.data.join("center.json")).unwrap()).unwrap();
    assert_eq!(config["algorithm"], algorithm);
    let allowed = config["key_policy"]["allowed"].as_array().unwrap();
    assert!(
        allowed.contains(&Value::from("gost2012-256-tc26")),
        "{config}"
    );
    assert!(
        allowed.contains(&Value::from("gost2012-512-tc26")),
        "{config}"
    );

    let serial = issue_owner(&c, algorithm);
    for file in [c.root(), c.issuing(), c.cert_path(&serial)] {
        let der = pem_der(&file);
        let cert = x509_parser::parse_x509_certificate(&der).unwrap().1;
        let spki = &cert.tbs_certificate.subject_pki;
        assert_eq!(
            cert.signature_algorithm.algorithm.to_id_string(),
            sig_oid,
            "{}",
            file.display()
        );
        assert_eq!(
            spki.algorithm.algorithm.to_id_string(),
            key_oid,
            "{}",
            file.display()
        );
        assert_eq!(
            cert.signature_value.data.len(),
            sig_len,
            "{}",
            file.display()
        );
    }

    // The engine: every certificate of the chain under both CRLs, and each CRL's signature.
    let owner = c.cert_path(&serial);
    let out = engine.ok(&[
        "verify",
        "-attime",
        &c.attime(),
        "-CAfile",
        s(&c.root()),
        s(&c.issuing()),
    ]);
    assert!(out.contains("issuing.crt.pem: OK"), "{out}");
    let o = engine_verify(&engine, &c, &owner);
    assert!(o.status.success(), "{algorithm}: {}", both(&o));
    assert!(both(&o).contains(": OK"), "{}", both(&o));
    for (crl, issuer) in [("issuing.crl.pem", c.issuing()), ("root.crl.pem", c.root())] {
        let out = engine.ok(&[
            "crl",
            "-noout",
            "-in",
            s(&c.data.join("crl").join(crl)),
            "-CAfile",
            s(&issuer),
        ]);
        assert!(out.contains("verify OK"), "{crl}: {out}");
    }
    // Our verifier agrees on the certificate.
    let o = c.run(&["--json", "cert", "verify", s(&owner), "--offline"]);
    assert_code(&o, 0);

    // The owner signs; the engine and our verifier take the CMS, the engine refuses it over a
    // changed document.
    let (doc, sig) = sign_document(&c, &serial);
    let chain = chain_file(&c);
    let cms_verify = |content: &Path| {
        engine.run(&[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            s(&sig),
            "-content",
            s(content),
            "-CAfile",
            s(&chain),
            "-purpose",
            "any",
            "-attime",
            &c.attime(),
            "-out",
            "/dev/null",
        ])
    };
    let o = cms_verify(&doc);
    assert!(o.status.success(), "{algorithm}: {}", both(&o));
    assert!(both(&o).contains("Verification successful"), "{}", both(&o));
    let changed = c.path("changed.txt");
    fs::write(&changed, b"an application signed with a TC26 GOST key!\n").unwrap();
    let o = cms_verify(&changed);
    assert!(
        !o.status.success(),
        "{algorithm}: the engine took a changed document"
    );
    let (code, first) = our_verify(&c, &sig, &["--content", s(&doc)]);
    assert_eq!(first["indication"], "TOTAL_PASSED", "{first:#}");
    assert_eq!(code, Some(0));

    // Revoked: the engine says so from the new CRL, our verifier says REVOKED.
    c.revoke(&serial, "key-compromise");
    c.set_now(&after(T0, time::Duration::hours(1)));
    c.crl();
    let o = engine_verify(&engine, &c, &owner);
    assert!(!o.status.success(), "{algorithm}: {}", both(&o));
    assert!(both(&o).contains("certificate revoked"), "{}", both(&o));
    let (code, first) = our_verify(&c, &sig, &["--content", s(&doc)]);
    assert_eq!(first["indication"], "TOTAL_FAILED", "{first:#}");
    assert_eq!(first["sub_indication"], "REVOKED", "{first:#}");
    assert_eq!(code, Some(1));
}

#[test]
fn ok_tc26_256_center_the_engine_and_our_verifier_take_its_output_revoked_is_revoked() {
    round("gost2012-256-tc26");
}

#[test]
fn ok_tc26_512_center_the_engine_and_our_verifier_take_its_output_revoked_is_revoked() {
    round("gost2012-512-tc26");
}

/// Asserts the certificate at `path` holds a key of `oid`.
fn assert_key_oid(path: &Path, oid: &str) {
    let der = pem_der(path);
    let cert = x509_parser::parse_x509_certificate(&der).unwrap().1;
    assert_eq!(
        cert.tbs_certificate
            .subject_pki
            .algorithm
            .algorithm
            .to_id_string(),
        oid,
        "{}",
        path.display()
    );
}

/// The center's OCSP responder, in process, answers `request` at the test clock; the response is
/// written to `name` in the temporary folder.
fn ocsp_answer(c: &Center, request: &[u8], name: &str) -> PathBuf {
    let center = eds_ca::center::Center::open(&c.data).unwrap();
    let rng = SystemRandom::new();
    let responder =
        eds_ca::ocsp::Responder::load(&center, PASS.as_bytes(), c.now_at(), &rng).unwrap();
    let response = responder.respond(center.store(), request, c.now_at());
    let path = c.path(name);
    fs::write(&path, response).unwrap();
    path
}

/// The engine checks the TC26 responder's answers (`openssl ocsp -respin`): good, then revoked.
#[test]
fn ok_tc26_ocsp_answers_verify_with_the_engine() {
    let mut c = tc26_center("gost2012-256-tc26");
    let engine = Engine::load(&c);
    let serial = issue_owner(&c, "gost2012-256-tc26");
    let owner = c.cert_path(&serial);
    let req = c.path("req.der");
    engine.ok(&[
        "ocsp",
        "-issuer",
        s(&c.issuing()),
        "-cert",
        s(&owner),
        "-no_nonce",
        "-reqout",
        s(&req),
    ]);
    let request = fs::read(&req).unwrap();
    let chain = chain_file(&c);
    let (issuing, attime) = (c.issuing(), c.attime());
    let check = |response: &Path| {
        engine.run(&[
            "ocsp",
            "-respin",
            s(response),
            "-issuer",
            s(&issuing),
            "-cert",
            s(&owner),
            "-CAfile",
            s(&chain),
            "-attime",
            &attime,
            // The answers are made at the test clock, months from the real one.
            "-validity_period",
            "100000000",
            "-no_nonce",
        ])
    };
    let good = ocsp_answer(&c, &request, "good.ocsp");
    assert_key_oid(&c.data.join("ocsp.crt.pem"), "1.2.643.7.1.1.1.1");
    let o = check(&good);
    let out = both(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("Response verify OK"), "{out}");
    assert!(out.contains(&format!("{}: good", s(&owner))), "{out}");

    // One byte of the signed ResponseData (producedAt's digits) changed: the engine refuses.
    let mut tampered = fs::read(&good).unwrap();
    let produced = tampered
        .windows(2)
        .position(|w| w == [0x18, 0x0F])
        .expect("producedAt");
    tampered[produced + 2 + 3] ^= 1;
    let tampered_path = c.path("tampered.ocsp");
    fs::write(&tampered_path, &tampered).unwrap();
    let o = check(&tampered_path);
    assert!(both(&o).contains("Response Verify Failure"), "{}", both(&o));

    c.revoke(&serial, "key-compromise");
    c.set_now(&after(T0, time::Duration::hours(1)));
    let revoked = ocsp_answer(&c, &request, "revoked.ocsp");
    let o = check(&revoked);
    let out = both(&o);
    assert!(out.contains("Response verify OK"), "{out}");
    assert!(out.contains(&format!("{}: revoked", s(&owner))), "{out}");
}

/// The TC26 center's TSA, in process, answers `request` at the test clock.
fn tsa_answer(c: &Center, request: &[u8]) -> eds_ca::tsa::TsaAnswer {
    let center = eds_ca::center::Center::open(&c.data).unwrap();
    let tsa = eds_ca::tsa::TimestampAuthority::load(
        &center,
        PASS.as_bytes(),
        c.now_at(),
        &SystemRandom::new(),
        eds_ca::tsa::TsaOptions::default(),
    )
    .unwrap();
    tsa.answer(center.store(), request, c.now_at())
}

/// Streebog imprints at the TSA: the engine asks with Streebog-256 and -512 (`openssl ts -query
/// -md_gost12_256`), the token echoes the imprint and the engine verifies the token against the
/// request and the center's chain; a hash identifier the TSA does not know is badAlg.
#[test]
fn ok_tc26_tsa_grants_streebog_imprints_and_the_engine_verifies_the_tokens() {
    for (algorithm, key_oid, _, _, _, md) in TC26 {
        let c = tc26_center(algorithm);
        let engine = Engine::load(&c);
        let data = c.path("data.txt");
        fs::write(&data, b"a document to timestamp\n").unwrap();
        let query = c.path("query.tsq");
        engine.ok(&[
            "ts",
            "-query",
            md,
            "-cert",
            "-data",
            s(&data),
            "-out",
            s(&query),
        ]);
        let request = fs::read(&query).unwrap();
        let answer = tsa_answer(&c, &request);
        assert_eq!(answer.problem, None, "{algorithm}");
        assert_key_oid(&c.data.join("tsa.crt.pem"), key_oid);
        let reply = c.path("reply.tsr");
        fs::write(&reply, &answer.der).unwrap();

        // The token's imprint is the request's.
        let text = engine.ok(&["ts", "-reply", "-in", s(&reply), "-text"]);
        let imprint = |t: &str| {
            t.lines()
                .skip_while(|l| !l.starts_with("Message data:"))
                .skip(1)
                .take_while(|l| l.starts_with("    "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let asked = engine.ok(&["ts", "-query", "-in", s(&query), "-text"]);
        assert!(!imprint(&text).is_empty(), "{text}");
        assert_eq!(imprint(&text), imprint(&asked), "{text}\n{asked}");

        let untrusted = c.path("untrusted.pem");
        let mut pems = fs::read(c.issuing()).unwrap();
        pems.extend(fs::read(c.data.join("tsa.crt.pem")).unwrap());
        fs::write(&untrusted, pems).unwrap();
        let out = engine.ok(&[
            "ts",
            "-verify",
            "-queryfile",
            s(&query),
            "-in",
            s(&reply),
            "-CAfile",
            s(&c.root()),
            "-untrusted",
            s(&untrusted),
            "-attime",
            &c.attime(),
        ]);
        assert!(out.contains("Verification: OK"), "{algorithm}: {out}");

        // Another document's imprint does not match the token.
        let other = c.path("other.txt");
        fs::write(&other, b"another document\n").unwrap();
        let o = engine.run(&[
            "ts",
            "-verify",
            "-data",
            s(&other),
            "-in",
            s(&reply),
            "-CAfile",
            s(&c.root()),
            "-untrusted",
            s(&untrusted),
            "-attime",
            &c.attime(),
        ]);
        assert!(!o.status.success(), "{algorithm}: {}", both(&o));

        // The Streebog-256 identifier's last arc changed to one no standard assigns: badAlg.
        let tc26_streebog = [0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02];
        let mut unknown = request.clone();
        let at = unknown
            .windows(tc26_streebog.len())
            .position(|w| w == tc26_streebog)
            .expect("the Streebog identifier");
        unknown[at + tc26_streebog.len()] = 0x7F;
        let answer = tsa_answer(&c, &unknown);
        let problem = answer.problem.expect("refused");
        assert_eq!(
            problem,
            eds_ca::tsa::TsaProblem::UnsupportedHash {
                oid: "1.2.643.7.1.1.2.127".into()
            }
        );
        assert_eq!(problem.fail_info(), eds_ca::tsa::FailInfo::BadAlg);
    }
}

/// A request JSON for the sample individual with `csr` (PEM) as its key.
fn request_with_csr(c: &Center, name: &str, csr_pem: &str) -> PathBuf {
    let mut req: Value =
        serde_json::from_slice(&fs::read(request("individual-signing")).unwrap()).unwrap();
    req["csr_pem"] = Value::String(csr_pem.to_owned());
    c.write_request(name, &req)
}

/// The same PEM request with one octet of its signature value flipped.
fn flip_signature(csr_pem: &str) -> String {
    let mut der = pem::parse(csr_pem).unwrap().into_contents();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der))
}

/// Issuing from `csr` is refused as a forged request: exit 65, the CSR error, nothing issued.
fn assert_forged_csr_refused(c: &Center, csr_pem: &str) {
    let req = request_with_csr(c, "forged", &flip_signature(csr_pem));
    let o = c.try_issue(&req, false);
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains(
            "read certificate signing request: the request's self-signature does not verify"
        ),
        "{}",
        stderr(&o)
    );
}

/// A TC26 PKCS#10 request made by the engine (both sizes) is certified by a TC26 center: the
/// certificate carries the request's key (the engine says so) and verifies; the same request
/// with a flipped signature byte is refused, and the engine agrees it is forged.
#[test]
fn ok_tc26_csr_made_by_the_engine_is_certified_forged_is_refused() {
    let c = tc26_center("gost2012-512-tc26");
    let engine = Engine::load(&c);
    for (name, _, _, _, engine_alg, md) in TC26 {
        let key = c.path(&format!("{name}.key.pem"));
        engine.ok(&[
            "genpkey",
            "-algorithm",
            engine_alg,
            "-pkeyopt",
            "paramset:A",
            "-out",
            s(&key),
        ]);
        let csr_path = c.path(&format!("{name}.csr.pem"));
        engine.ok(&[
            "req",
            "-new",
            "-key",
            s(&key),
            "-subj",
            "/CN=applicant",
            md,
            "-out",
            s(&csr_path),
        ]);
        let csr = fs::read_to_string(&csr_path).unwrap();

        assert_forged_csr_refused(&c, &csr);
        let bad = c.path("bad.csr.pem");
        fs::write(&bad, flip_signature(&csr)).unwrap();
        let o = engine.run(&["req", "-verify", "-noout", "-in", s(&bad)]);
        assert!(
            both(&o).contains("self-signature verify failure"),
            "{}",
            both(&o)
        );

        let serial = c.issue_with(&request("individual-signing"), &["--csr", s(&csr_path)]);
        let cert = c.cert_path(&serial);
        let cert_pub = engine.ok(&["x509", "-noout", "-pubkey", "-in", s(&cert)]);
        let key_pub = engine.ok(&["pkey", "-in", s(&key), "-pubout"]);
        assert_eq!(cert_pub, key_pub, "{name}");
        let o = c.run(&["--json", "cert", "verify", s(&cert), "--offline"]);
        assert_code(&o, 0);
        let o = engine_verify(&engine, &c, &cert);
        assert!(o.status.success(), "{name}: {}", both(&o));
    }
}

/// DER of one TLV with a short or long-form length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap());
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | u8::try_from(bytes.len()).unwrap());
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A PKCS#10 request (RFC 2986 §4) for the key, self-signed in the key's own profile: version 0,
/// an empty subject (the center takes the subject from the register), no attributes.
fn gost_csr(key: &eds_ca::gost::GostKey) -> String {
    let info = tlv(
        0x30,
        &[
            &[0x02, 0x01, 0x00, 0x30, 0x00][..],
            key.spki_der(),
            &[0xA0, 0x00],
        ]
        .concat(),
    );
    let signature = key.sign(&info).unwrap();
    let mut bits = vec![0];
    bits.extend(signature);
    let csr = tlv(
        0x30,
        &[
            info,
            key.signature_algorithm().to_der().unwrap(),
            tlv(0x03, &bits),
        ]
        .concat(),
    );
    pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", csr))
}

/// A request in the national center's encoding (key `1.2.398.3.10.1.1.2.2`, signature `r‖s`
/// little-endian) is certified by the national-profile center, and its key is the certificate's;
/// the request with a flipped signature byte is refused. A center that does not certify GOST
/// keys (P-256) refuses the request as an unacceptable key, before its signature is looked at.
#[test]
fn ok_nca_encoded_csr_is_certified_forged_is_refused() {
    let c = Center::new();
    c.init("gost2015-512");
    c.import_registry();
    let rng = SystemRandom::new();
    let (key, _) =
        eds_ca::gost::GostKey::generate(eds_ca::gost::GostProfile::Nca2015_512, &rng).unwrap();
    let csr = gost_csr(&key);
    assert_forged_csr_refused(&c, &csr);
    let csr_path = c.path("nca.csr.pem");
    fs::write(&csr_path, &csr).unwrap();
    let serial = c.issue_with(&request("individual-signing"), &["--csr", s(&csr_path)]);
    let cert = pem_der(&c.cert_path(&serial));
    let parsed = x509_parser::parse_x509_certificate(&cert).unwrap().1;
    assert_eq!(parsed.tbs_certificate.subject_pki.raw, key.spki_der());
    let o = c.run(&[
        "--json",
        "cert",
        "verify",
        s(&c.cert_path(&serial)),
        "--offline",
    ]);
    assert_code(&o, 0);

    let p256 = Center::ready();
    let req = request_with_csr(&p256, "gost", &csr);
    let o = p256.try_issue(&req, false);
    assert_code(&o, 3);
    let e: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(
        e["error"]["message"],
        "issuance refused on ground unacceptable-key (art. 21.1): unacceptable key: GOST \
         2015-512 keys are not certified (the center certifies RSA (2048 bits or more), P-256, \
         P-384, Ed25519)",
        "{e}"
    );
}

/// `eds demo --algorithm gost2012-256-tc26`: the licensing flow on TC26 keys passes, and fails as
/// REVOKED after the revocation.
#[test]
fn ok_demo_runs_on_tc26() {
    let c = Center::new();
    let demo = c.path("demo");
    let o = c.run(&[
        "--json",
        "demo",
        "--data",
        s(&demo),
        "--algorithm",
        "gost2012-256-tc26",
    ]);
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["licence"]["indication"], "TOTAL_PASSED", "{v:#}");
    assert_eq!(
        v["licence_after_revocation"]["sub_indication"], "REVOKED",
        "{v:#}"
    );
    let folder = fs::read_dir(&demo).unwrap().next().unwrap().unwrap().path();
    for name in ["root.crt.pem", "issuing.crt.pem", "tsa.crt.pem"] {
        assert_key_oid(&folder.join(name), "1.2.643.7.1.1.1.1");
    }
}
