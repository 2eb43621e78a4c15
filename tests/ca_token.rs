//! Keys on a PKCS#11 token (issue 18 point 4), with a real SoftHSM2 token made fresh in a
//! temporary folder for each test (`eds_fixtures::softhsm`), no mocks:
//! - `eds ca init --keys pkcs11:…` generates the root, issuing, OCSP and TSA keys on the token;
//!   the data folder then holds no private key, and center.json the keys' URIs, never the PIN;
//! - the center issues, revokes, signs CRLs, OCSP answers and timestamps, and OpenSSL's command
//!   line verifies each (`openssl verify`, `openssl crl -verify`, `openssl ocsp`,
//!   `openssl ts -verify`);
//! - a wrong PIN is exit 6 and says so; a missing token or key is exit 66 and names it; GOST on
//!   a token is refused (exit 64);
//! - `eds sign --pkcs11 URI` signs with an owner's key on a token, and the signature passes our
//!   verifier and `openssl cms -verify` as one made with the owner's .p12 does.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use eds_fixtures::softhsm::{PIN, TestToken};
use serde_json::Value;

use common::*;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A center whose keys are on a fresh SoftHSM2 token.
struct TokenCenter {
    c: Center,
    token: TestToken,
}

impl TokenCenter {
    fn new() -> Self {
        let token = TestToken::new("eds-ca");
        let c = Center::new();
        let tc = Self { c, token };
        let uri = tc.token.uri();
        ok(&tc.run(&["ca", "init", "--keys", &uri]));
        tc
    }

    /// The environment of a command: the token's configuration and PIN, no passphrase.
    fn env(&self, pin: &str) -> Vec<(&'static str, String)> {
        vec![
            ("SOFTHSM2_CONF", s(&self.token.conf()).to_owned()),
            ("EDS_PKCS11_PIN", pin.to_owned()),
            ("EDS_CA_PASSPHRASE", String::new()),
        ]
    }

    fn run_pin(&self, args: &[&str], pin: &str) -> Output {
        let env = self.env(pin);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.c.run_env(args, &env)
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_pin(args, PIN)
    }

    /// `eds serve` on a loopback port; the child and its URL.
    fn serve(&self) -> (Child, String) {
        let mut cmd = self.c.command(&["serve", "--listen", "127.0.0.1:0"]);
        for (k, v) in self.env(PIN) {
            if v.is_empty() {
                cmd.env_remove(k);
            } else {
                cmd.env(k, v);
            }
        }
        let log = self.c.path("serve.log");
        let mut child = cmd
            .env_remove("EDS_NOW")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "first line {first:?}; log:\n{}",
                    fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_owned();
        (child, url)
    }
}

/// Every file of the folder (recursively) that holds a private key: PEM `PRIVATE KEY` blocks of
/// any kind, or DER that parses as PKCS#8 (RFC 5208 / RFC 5958), plain or encrypted.
fn private_key_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(private_key_files(&path));
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        let pem_key = bytes.windows(11).any(|w| w == b"PRIVATE KEY");
        let der_key = {
            use der::Decode;
            pkcs8::PrivateKeyInfo::from_der(&bytes).is_ok()
                || pkcs8::EncryptedPrivateKeyInfo::from_der(&bytes).is_ok()
        };
        if pem_key || der_key || path.to_string_lossy().ends_with(".key.pem") {
            found.push(path);
        }
    }
    found
}

fn chain_file(c: &Center) -> PathBuf {
    let path = c.path("chain.pem");
    let mut text = fs::read_to_string(c.root()).unwrap();
    text.push_str(&fs::read_to_string(c.issuing()).unwrap());
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn ok_token_center_issues_revokes_crl_ocsp_tsa_each_verified_by_openssl() {
    let tc = TokenCenter::new();
    let c = &tc.c;

    // center.json names the four keys on the token, and no PIN.
    let config: Value =
        serde_json::from_slice(&fs::read(c.data.join("center.json")).unwrap()).unwrap();
    let module = TestToken::module();
    for role in ["root", "issuing", "ocsp", "tsa"] {
        assert_eq!(
            config["token_keys"][role],
            format!(
                "pkcs11:token=eds-ca;object={role}?module-path={}",
                module.display()
            ),
            "{config}"
        );
    }
    let text = fs::read_to_string(c.data.join("center.json")).unwrap();
    assert!(!text.contains(PIN), "{text}");
    assert_eq!(private_key_files(&c.data), Vec::<PathBuf>::new());

    // Issue (the owner's key is the owner's, made by the center in software), then check.
    ok(&tc.run(&[
        "--json",
        "ca",
        "registry",
        "import",
        s(&fixture("registry.json")),
    ]));
    let o = tc.run(&[
        "--json",
        "ca",
        "issue",
        s(&request("individual-signing")),
        "--generate-key",
        "--out-dir",
        s(&c.out),
    ]);
    let serial = ok_json(&o)["certificate"]["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    let leaf = c.cert_path(&serial);
    let o = c.openssl_verify(&leaf, false);
    assert_code(&o, 0);
    assert!(stdout(&o).contains(": OK"), "{}", both(&o));

    // Revoke and publish: the CRL verifies under the issuing center's key and lists the serial.
    ok(&tc.run(&[
        "--json",
        "ca",
        "revoke",
        &serial,
        "--ground",
        "death",
        "--notified-by",
        "registry office",
    ]));
    ok(&tc.run(&["ca", "crl"]));
    let crl = c.data.join("crl/issuing.crl.pem");
    let o = openssl(&["crl", "-in", s(&crl), "-CAfile", s(&c.issuing()), "-noout"]);
    assert_code(&o, 0);
    assert!(stderr(&o).contains("verify OK"), "{}", both(&o));
    let o = c.openssl_verify(&leaf, true);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(both(&o).contains("certificate revoked"), "{}", both(&o));
    // The root's CRL, signed with the root key on the token.
    let root_crl = c.data.join("crl/root.crl.pem");
    let o = openssl(&[
        "crl",
        "-in",
        s(&root_crl),
        "-CAfile",
        s(&c.root()),
        "-noout",
    ]);
    assert!(stderr(&o).contains("verify OK"), "{}", both(&o));

    // OCSP and timestamps from `eds serve`, whose delegated keys are made on the token.
    let (mut server, url) = tc.serve();
    let o = openssl(&[
        "ocsp",
        "-issuer",
        s(&c.issuing()),
        "-cert",
        s(&leaf),
        "-url",
        &format!("{url}/ocsp"),
        "-CAfile",
        s(&c.root()),
    ]);
    let ocsp = both(&o);
    assert!(ocsp.contains("Response verify OK"), "{ocsp}");
    assert!(ocsp.contains(": revoked"), "{ocsp}");

    let doc = c.path("doc.txt");
    fs::write(
        &doc,
        b"a document timestamped by a TSA whose key is on a token\n",
    )
    .unwrap();
    let query = c.path("q.tsq");
    let reply = c.path("r.tsr");
    openssl_ok(&[
        "ts",
        "-query",
        "-data",
        s(&doc),
        "-sha256",
        "-cert",
        "-out",
        s(&query),
    ]);
    let o = Command::new("curl")
        .args(["-sS", "--max-time", "60", "-o", s(&reply)])
        .args(["-H", "Content-Type: application/timestamp-query"])
        .arg("--data-binary")
        .arg(format!("@{}", query.display()))
        .args(["-w", "%{http_code}"])
        .arg(format!("{url}/tsa"))
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "200", "{}", both(&o));
    let chain = chain_file(c);
    let o = openssl(&[
        "ts",
        "-verify",
        "-data",
        s(&doc),
        "-in",
        s(&reply),
        "-CAfile",
        s(&chain),
        "-untrusted",
        s(&c.data.join("tsa.crt.pem")),
    ]);
    assert!(stdout(&o).contains("Verification: OK"), "{}", both(&o));
    let _ = server.kill();
    let _ = server.wait();

    // The delegated certificates exist, their keys do not (in the folder).
    assert!(c.data.join("ocsp.crt.pem").exists());
    assert!(c.data.join("tsa.crt.pem").exists());
    assert_eq!(private_key_files(&c.data), Vec::<PathBuf>::new());
}

#[test]
fn fail_wrong_pin_exits_6_and_says_wrong_pin() {
    let tc = TokenCenter::new();
    let o = tc.run_pin(&["ca", "crl"], "000000");
    assert_code(&o, 6);
    assert!(
        stderr(&o).contains("log in to token eds-ca: wrong PIN"),
        "{}",
        both(&o)
    );
    let o = tc.run_pin(&["--json", "ca", "crl"], "000000");
    assert_code(&o, 6);
    // The JSON error is on standard error (docs/exit-codes.md).
    let v: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(v["exit_code"], 6, "{v}");
    assert_eq!(v["error"]["kind"], "wrong_passphrase", "{v}");
    // The right PIN still works (SoftHSM counts wrong tries but has not locked it).
    ok(&tc.run(&["ca", "crl"]));
    // --pin-file instead of the environment: mode 0600 only.
    let pin_file = tc.c.path("pin");
    fs::write(&pin_file, format!("{PIN}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&pin_file, fs::Permissions::from_mode(0o644)).unwrap();
    let o = tc.run_pin(&["ca", "crl", "--pin-file", s(&pin_file)], "");
    assert_code(&o, 69);
    assert!(stderr(&o).contains("has mode 0644"), "{}", both(&o));
    fs::set_permissions(&pin_file, fs::Permissions::from_mode(0o600)).unwrap();
    ok(&tc.run_pin(&["ca", "crl", "--pin-file", s(&pin_file)], ""));
}

#[test]
fn fail_missing_token_or_key_exits_66_and_names_it() {
    let tc = TokenCenter::new();
    // Another token folder: the center's token is not there.
    let other = TestToken::new("another");
    let o = tc.c.run_env(
        &["ca", "crl"],
        &[
            ("SOFTHSM2_CONF", s(&other.conf())),
            ("EDS_PKCS11_PIN", PIN),
            ("EDS_CA_PASSPHRASE", ""),
        ],
    );
    assert_code(&o, 66);
    assert!(
        stderr(&o).contains("find token eds-ca: no such token"),
        "{}",
        both(&o)
    );
    assert!(stderr(&o).contains("another"), "{}", both(&o));

    // The token is there, the key center.json names is not.
    let path = tc.c.data.join("center.json");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("object=issuing", "object=gone")).unwrap();
    let o = tc.run(&["ca", "crl"]);
    assert_code(&o, 66);
    assert!(
        stderr(&o).contains("object=gone") && stderr(&o).contains("no such private key"),
        "{}",
        both(&o)
    );
}

#[test]
fn fail_gost_keys_on_a_token_are_refused_at_init() {
    let token = TestToken::new("gost");
    let c = Center::new();
    let o = c.run_env(
        &[
            "ca",
            "init",
            "--algorithm",
            "gost2015-512",
            "--keys",
            &token.uri(),
        ],
        &[("SOFTHSM2_CONF", s(&token.conf())), ("EDS_PKCS11_PIN", PIN)],
    );
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("GOST keys stay in encrypted files"),
        "{}",
        both(&o)
    );
    assert!(!c.data.join("center.json").exists());
}

#[test]
fn ok_sign_with_owner_key_on_token_passes_like_the_p12() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    // The owner's key moved onto a token (SoftHSM imports a plain PKCS#8 file).
    let (token, uri) = owner_key_on_token(&c, &serial);

    let doc = c.path("doc.txt");
    fs::write(&doc, b"an application signed on a token\n").unwrap();
    let chain = chain_file(&c);
    let sign = |out: &Path, key: &[&str]| {
        let mut args = vec!["sign", "--in", s(&doc), "--out", s(out)];
        args.extend_from_slice(key);
        args.extend_from_slice(&["--chain", s(&chain)]);
        c.run_env(
            &args,
            &[
                ("SOFTHSM2_CONF", s(&token.conf())),
                ("EDS_PKCS11_PIN", PIN),
                ("EDS_KEY_PASSWORD", OWNER),
            ],
        )
    };
    let on_token = c.path("token.p7s");
    let cert = c.cert_path(&serial);
    ok(&sign(&on_token, &["--pkcs11", &uri, "--cert", s(&cert)]));
    let with_p12 = c.path("p12.p7s");
    let p12 = c.out.join(format!("{serial}.p12"));
    ok(&sign(&with_p12, &["--p12", s(&p12)]));

    for sig in [&on_token, &with_p12] {
        let o = c.run(&["--json", "verify", s(sig), "--offline"]);
        assert_code(&o, 0);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["signatures"][0]["indication"], "TOTAL_PASSED", "{v:#}");
        let o = openssl(&[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            s(sig),
            "-CAfile",
            s(&c.root()),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ]);
        assert!(
            stderr(&o).contains("Verification successful"),
            "{}",
            both(&o)
        );
    }
    // The same CMS but for the signature value (ECDSA draws a fresh nonce each time).
    let a = fs::read(&on_token).unwrap();
    let b = fs::read(&with_p12).unwrap();
    assert!(a.len().abs_diff(b.len()) <= 2, "{} vs {}", a.len(), b.len());

    // A wrong PIN: exit 6.
    let o = c.run_env(
        &[
            "sign",
            "--in",
            s(&doc),
            "--out",
            s(&c.path("x.p7s")),
            "--pkcs11",
            &uri,
            "--cert",
            s(&cert),
        ],
        &[
            ("SOFTHSM2_CONF", s(&token.conf())),
            ("EDS_PKCS11_PIN", "111111"),
        ],
    );
    assert_code(&o, 6);
    assert!(stderr(&o).contains("wrong PIN"), "{}", both(&o));
}

/// What [`child_token_step`] does, in a child process with the token's environment.
const CHILD_STEP: &str = "EDS_TEST_TOKEN_STEP";

/// A step of another test, run in a child process of this test binary with a token's
/// environment (SoftHSM reads `SOFTHSM2_CONF` once per process, and a test may not set its own
/// process's environment): `EDS_TEST_TOKEN_STEP=count` prints the token's private key, public
/// key and certificate objects (`objects: private=N public=N certificate=N`);
/// `EDS_TEST_TOKEN_STEP=store` stores the DER certificate in `EDS_TEST_CERT` beside the key of
/// the URI `EDS_TEST_KEY_URI` (`TokenKey::store_certificate`, C_CreateObject).
#[test]
#[ignore = "a step of other tests, which run it in a child process with a token's environment"]
fn child_token_step() {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::object::{Attribute, ObjectClass};
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;

    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k}: run by another test"));
    match env(CHILD_STEP).as_str() {
        "count" => {
            let label = env("EDS_TEST_TOKEN_LABEL");
            let p11 = Pkcs11::new(TestToken::module()).unwrap();
            p11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
                .unwrap();
            let slot = p11
                .get_slots_with_token()
                .unwrap()
                .into_iter()
                .find(|slot| p11.get_token_info(*slot).unwrap().label().trim_end() == label)
                .unwrap();
            let session = p11.open_ro_session(slot).unwrap();
            session
                .login(UserType::User, Some(&AuthPin::from(PIN)))
                .unwrap();
            let count = |class| {
                session
                    .find_objects(&[Attribute::Class(class)])
                    .unwrap()
                    .len()
            };
            println!(
                "objects: private={} public={} certificate={}",
                count(ObjectClass::PRIVATE_KEY),
                count(ObjectClass::PUBLIC_KEY),
                count(ObjectClass::CERTIFICATE)
            );
        }
        "store" => {
            let uri = eds_pkcs11::KeyUri::parse(&env("EDS_TEST_KEY_URI")).unwrap();
            let der = fs::read(env("EDS_TEST_CERT")).unwrap();
            eds_pkcs11::TokenKey::open(&uri, PIN.as_bytes())
                .unwrap()
                .store_certificate(&der)
                .unwrap();
        }
        other => panic!("unknown step {other}"),
    }
}

/// Runs [`child_token_step`] `step` against `token` with `env`; its standard output.
fn token_step(token: &TestToken, step: &str, env: &[(&str, &str)]) -> String {
    let o = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_token_step", "--ignored", "--nocapture"])
        .args(["--test-threads", "1"])
        .env("SOFTHSM2_CONF", token.conf())
        .env("EDS_TEST_TOKEN_LABEL", token.label())
        .env(CHILD_STEP, step)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success() && out.contains("1 passed"),
        "{}",
        both(&o)
    );
    out
}

/// The token's (private keys, public keys, certificates), counted in a child process.
fn token_objects(token: &TestToken) -> (usize, usize, usize) {
    let out = token_step(token, "count", &[]);
    let line = out
        .lines()
        .find_map(|l| l.split_once("objects: ").map(|(_, counts)| counts))
        .unwrap_or_else(|| panic!("no count in {out}"));
    let n = |key: &str| -> usize {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(key))
            .unwrap()
            .parse()
            .unwrap()
    };
    (n("private="), n("public="), n("certificate="))
}

/// The certificate in `pem_file` stored on `token` beside the key of `uri`, as DER.
fn store_on_token(c: &Center, token: &TestToken, uri: &str, pem_file: &Path) {
    let der = c.path("to-store.der");
    openssl_ok(&[
        "x509",
        "-in",
        s(pem_file),
        "-outform",
        "DER",
        "-out",
        s(&der),
    ]);
    token_step(
        token,
        "store",
        &[("EDS_TEST_KEY_URI", uri), ("EDS_TEST_CERT", s(&der))],
    );
}

/// The owner's key of the sample certificate `serial` moved onto a fresh token "owner"
/// (label "signing", id 01); the token and the key's URI.
fn owner_key_on_token(c: &Center, serial: &str) -> (TestToken, String) {
    let token = TestToken::new("owner");
    let plain = c.path("owner-plain.pem");
    openssl_ok(&[
        "pkey",
        "-in",
        s(&c.out.join(format!("{serial}.key.pem"))),
        "-passin",
        &format!("pass:{OWNER}"),
        "-out",
        s(&plain),
    ]);
    let o = token
        .command("softhsm2-util")
        .args([
            "--import",
            s(&plain),
            "--token",
            "owner",
            "--label",
            "signing",
        ])
        .args(["--id", "01", "--pin", PIN])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", both(&o));
    fs::remove_file(&plain).unwrap();
    let uri = format!(
        "pkcs11:token=owner;object=signing?module-path={}",
        TestToken::module().display()
    );
    (token, uri)
}

#[test]
fn ok_sign_pkcs11_reads_the_certificate_from_the_token_and_passes_ours_and_openssl() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    let (token, uri) = owner_key_on_token(&c, &serial);
    assert_eq!(token_objects(&token), (1, 1, 0));
    store_on_token(&c, &token, &uri, &c.cert_path(&serial));
    assert_eq!(token_objects(&token), (1, 1, 1));

    let doc = c.path("doc.txt");
    fs::write(&doc, b"signed with the key and certificate of a token\n").unwrap();
    let chain = chain_file(&c);
    let sig = c.path("doc.txt.p7s");
    let o = c.run_env(
        &[
            "sign",
            "--in",
            s(&doc),
            "--out",
            s(&sig),
            "--pkcs11",
            &uri,
            "--chain",
            s(&chain),
        ],
        &[("SOFTHSM2_CONF", s(&token.conf())), ("EDS_PKCS11_PIN", PIN)],
    );
    ok(&o);

    let o = c.run(&["--json", "verify", s(&sig), "--offline"]);
    assert_code(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["signatures"][0]["indication"], "TOTAL_PASSED", "{v:#}");
    assert_eq!(v["signatures"][0]["signer"]["serial"], serial, "{v:#}");
    let o = openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        s(&sig),
        "-CAfile",
        s(&c.root()),
        "-purpose",
        "any",
        "-out",
        "/dev/null",
    ]);
    assert!(
        stderr(&o).contains("Verification successful"),
        "{}",
        both(&o)
    );
}

#[test]
fn fail_sign_pkcs11_with_no_or_the_wrong_certificate_on_the_token() {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    let other = c.issue_sample("individual-signing");
    assert_ne!(serial, other);
    let (token, uri) = owner_key_on_token(&c, &serial);
    let doc = c.path("doc.txt");
    fs::write(&doc, b"a document\n").unwrap();
    let sig = c.path("doc.txt.p7s");
    let sign = || {
        c.run_env(
            &["sign", "--in", s(&doc), "--out", s(&sig), "--pkcs11", &uri],
            &[("SOFTHSM2_CONF", s(&token.conf())), ("EDS_PKCS11_PIN", PIN)],
        )
    };

    // No certificate on the token and no --cert: a usage error, 64.
    let o = sign();
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("the token holds no certificate for pkcs11:token=owner;object=signing"),
        "{}",
        both(&o)
    );
    assert!(
        stderr(&o).contains("give the key's certificate with --cert FILE"),
        "{}",
        both(&o)
    );
    assert!(!sig.exists());

    // Another key's certificate stored beside the key: 65, said as the token's certificate.
    store_on_token(&c, &token, &uri, &c.cert_path(&other));
    let o = sign();
    assert_code(&o, 65);
    let err = stderr(&o);
    assert!(
        err.contains("use the certificate the token holds for pkcs11:token=owner;object=signing"),
        "{err}"
    );
    assert!(
        err.contains("the certificate holds a different public key"),
        "{err}"
    );
    assert!(
        err.contains("with --pkcs11 and no --cert: the certificate stored on the token"),
        "{err}"
    );
    assert!(!sig.exists());
}

#[test]
fn ok_rotating_ocsp_and_tsa_on_a_token_destroys_the_replaced_keys() {
    let tc = TokenCenter::new();
    let c = &tc.c;
    // The delegated keys are made when the server first needs them.
    let (mut server, _) = tc.serve();
    let _ = server.kill();
    let _ = server.wait();
    let before = token_objects(&tc.token);
    // root, issuing, OCSP, TSA: a private and a public object each.
    assert_eq!(before, (4, 4, 0));
    let ocsp_before = fs::read(c.data.join("ocsp.crt.pem")).unwrap();
    let tsa_before = fs::read(c.data.join("tsa.crt.pem")).unwrap();

    ok(&tc.run(&["ca", "rotate", "ocsp"]));
    assert_eq!(token_objects(&tc.token), before);
    ok(&tc.run(&["ca", "rotate", "tsa", "--compromised"]));
    assert_eq!(token_objects(&tc.token), before);
    assert_ne!(fs::read(c.data.join("ocsp.crt.pem")).unwrap(), ocsp_before);
    assert_ne!(fs::read(c.data.join("tsa.crt.pem")).unwrap(), tsa_before);

    // The keys left are the new certificates' own: the responder answers with them, and
    // OpenSSL verifies the answer.
    ok(&tc.run(&[
        "--json",
        "ca",
        "registry",
        "import",
        s(&fixture("registry.json")),
    ]));
    let o = tc.run(&[
        "--json",
        "ca",
        "issue",
        s(&request("individual-signing")),
        "--out-dir",
        s(&c.out),
        "--generate-key",
    ]);
    let serial = ok_json(&o)["certificate"]["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut server, url) = tc.serve();
    let o = openssl(&[
        "ocsp",
        "-issuer",
        s(&c.issuing()),
        "-cert",
        s(&c.cert_path(&serial)),
        "-url",
        &format!("{url}/ocsp"),
        "-CAfile",
        s(&c.root()),
    ]);
    let _ = server.kill();
    let _ = server.wait();
    let ocsp = both(&o);
    assert!(ocsp.contains("Response verify OK"), "{ocsp}");
    assert!(ocsp.contains(": good"), "{ocsp}");
    assert_eq!(token_objects(&tc.token), before);
}
