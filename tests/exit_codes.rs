//! One exit-code scheme for every command (docs/exit-codes.md, src/exit.rs): per command, the
//! code of a usage error (64), a missing input file (66), garbage input (65, or the verdict
//! TOTAL_FAILED where the input is the signature being judged), and the command's own
//! outcomes. Each case runs once more with `--json` and checks the error object on standard
//! error (its `exit_code` and `kind`) and that standard output stays empty.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::*;

const USAGE: i32 = 64;
const DATA_ERROR: i32 = 65;
const NO_INPUT: i32 = 66;

/// A center, one owner's key file, a document and its attached signature.
struct Setup {
    c: Center,
    p12: PathBuf,
    cert: PathBuf,
    doc: PathBuf,
    sig: PathBuf,
    garbage: PathBuf,
}

impl Setup {
    fn new() -> Self {
        let c = Center::ready();
        let serial = c.issue_sample("individual-signing");
        let p12 = c.out.join(format!("{serial}.p12"));
        let cert = c.cert_path(&serial);
        let doc = c.path("doc.txt");
        fs::write(&doc, "a document").unwrap();
        let sig = c.path("doc.txt.p7s");
        let garbage = c.path("garbage.bin");
        fs::write(&garbage, b"\x30\x03not a thing this command reads").unwrap();
        let s = Self {
            c,
            p12,
            cert,
            doc,
            sig,
            garbage,
        };
        ok(&s.run(&[
            "sign",
            "--in",
            &p(&s.doc),
            "--p12",
            &p(&s.p12),
            "--out",
            &p(&s.sig),
        ]));
        s
    }

    /// Runs `eds` with the owner's password set.
    fn run(&self, args: &[&str]) -> Output {
        self.c.run_env(args, &[("EDS_KEY_PASSWORD", OWNER)])
    }

    fn missing(&self) -> String {
        p(&self.c.path("no-such-file"))
    }

    /// Asserts the exit code of `args`, then of `--json args`: the same code, nothing on
    /// standard output, and for an error one JSON object on standard error naming it.
    #[track_caller]
    fn expect(&self, args: &[&str], code: i32, kind: &str) {
        let o = self.run(args);
        assert_code(&o, code);
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let o = self.run(&with_json);
        assert_code(&o, code);
        let e = json_error(&o);
        assert_eq!(e["exit_code"], code, "{e}");
        assert_eq!(e["error"]["kind"], kind, "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert_eq!(stdout(&o), "", "an error prints nothing on standard output");
    }
}

fn p(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

/// The one JSON object on the last line of standard error.
#[track_caller]
fn json_error(o: &Output) -> Value {
    let text = stderr(o);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON error ({e}):\n{text}"))
}

#[test]
fn sign_codes() {
    let s = Setup::new();
    let (doc, p12, out) = (p(&s.doc), p(&s.p12), p(&s.c.path("x.p7s")));
    s.expect(
        &["sign", "--in", &doc, "--p12", &p12, "--nope"],
        USAGE,
        "usage",
    );
    s.expect(&["sign", "--in", &doc, "--out", &out], USAGE, "usage");
    s.expect(
        &["sign", "--in", &s.missing(), "--p12", &p12, "--out", &out],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["sign", "--in", &doc, "--p12", &s.missing(), "--out", &out],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["sign", "--in", &doc, "--p12", &p(&s.garbage), "--out", &out],
        DATA_ERROR,
        "data_error",
    );
    // Outcomes: signed; wrong password; co-signed twice by the same signer.
    ok(&s.run(&["sign", "--in", &doc, "--p12", &p12, "--out", &out]));
    let wrong = s.c.run_env(
        &["sign", "--in", &doc, "--p12", &p12, "--out", &out],
        &[("EDS_KEY_PASSWORD", "not-it")],
    );
    assert_code(&wrong, 6);
    let sig = p(&s.sig);
    s.expect(
        &[
            "sign", "--in", &doc, "--p12", &p12, "--add-to", &sig, "--out", &out,
        ],
        4,
        "conflict",
    );
    assert!(!s.c.path("no-such-file").exists());
}

#[test]
fn verify_codes() {
    let s = Setup::new();
    let sig = p(&s.sig);
    s.expect(&["verify", &sig, "--nope"], USAGE, "usage");
    s.expect(&["verify", &sig, "--at", "yesterday"], USAGE, "usage");
    s.expect(&["verify", &s.missing()], NO_INPUT, "no_input");
    s.expect(
        &["verify", &sig, "--trust", &s.missing()],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["verify", &sig, "--crl", &s.missing()],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["verify", &sig, "--trust", &p(&s.garbage)],
        DATA_ERROR,
        "data_error",
    );
    // Outcomes are verdicts: passed, failed (garbage is not a signature; tampered content),
    // indeterminate (no path to a trusted root).
    ok(&s.run(&["verify", &sig, "--offline"]));
    assert_code(&s.run(&["verify", &p(&s.garbage), "--offline"]), 1);
    let other = s.c.path("other.txt");
    fs::write(&other, "another document").unwrap();
    assert_code(
        &s.run(&["verify", &sig, "--content", &p(&other), "--offline"]),
        1,
    );
    let foreign = Center::new();
    foreign.init("p256");
    let o = s.run(&["verify", &sig, "--offline", "--trust", &p(&foreign.root())]);
    assert_code(&o, 2);
}

#[test]
fn cert_verify_codes() {
    let s = Setup::new();
    let cert = p(&s.cert);
    s.expect(&["cert", "verify", &cert, "--nope"], USAGE, "usage");
    s.expect(&["cert", "verify", &s.missing()], NO_INPUT, "no_input");
    s.expect(
        &["cert", "verify", &p(&s.garbage)],
        DATA_ERROR,
        "data_error",
    );
    ok(&s.run(&["cert", "verify", &cert, "--offline"]));
    let foreign = Center::new();
    foreign.init("p256");
    assert_code(
        &s.run(&[
            "cert",
            "verify",
            &cert,
            "--offline",
            "--trust",
            &p(&foreign.root()),
        ]),
        2,
    );
}

#[test]
fn extract_codes() {
    let s = Setup::new();
    let out = p(&s.c.path("extracted.txt"));
    s.expect(&["extract", &p(&s.sig), "--out", &out], USAGE, "usage");
    s.expect(
        &["extract", "--in", &s.missing(), "--out", &out],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["extract", "--in", &p(&s.garbage), "--out", &out],
        DATA_ERROR,
        "data_error",
    );
    ok(&s.run(&["extract", "--in", &p(&s.sig), "--out", &out]));
    assert_eq!(fs::read(&out).unwrap(), fs::read(&s.doc).unwrap());
    // An output that cannot be created.
    let nowhere = p(&s.c.path("no-such-folder/x.txt"));
    s.expect(
        &["extract", "--in", &p(&s.sig), "--out", &nowhere],
        73,
        "cant_create",
    );
}

#[test]
fn extend_codes() {
    let s = Setup::new();
    let sig = p(&s.sig);
    s.expect(&["extend", &sig, "--to", "B"], USAGE, "usage");
    s.expect(&["extend", &sig, "--to", "LTA"], USAGE, "usage");
    s.expect(
        &["extend", &s.missing(), "--to", "LT", "--offline"],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["extend", &p(&s.garbage), "--to", "LT", "--offline"],
        DATA_ERROR,
        "data_error",
    );
}

#[test]
fn ca_issue_codes() {
    let s = Setup::new();
    let out = p(&s.c.out);
    s.expect(&["ca", "issue", "--out-dir", &out], USAGE, "usage");
    s.expect(
        &["ca", "issue", &s.missing(), "--out-dir", &out],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["ca", "issue", &p(&s.garbage), "--out-dir", &out],
        DATA_ERROR,
        "data_error",
    );
    s.expect(
        &[
            "ca",
            "issue",
            &p(&request("individual-signing")),
            "--csr",
            &p(&s.garbage),
            "--out-dir",
            &out,
        ],
        DATA_ERROR,
        "data_error",
    );
    // Outcomes: refused under the law (art. 14-1); issued; wrong passphrase.
    s.expect(
        &[
            "ca",
            "issue",
            &p(&request("refused-under-age")),
            "--generate-key",
            "--out-dir",
            &out,
        ],
        3,
        "refused",
    );
    s.c.issue_sample("individual-signing");
    let o = s.c.run_env(
        &[
            "ca",
            "issue",
            &p(&request("individual-signing")),
            "--generate-key",
            "--out-dir",
            &out,
        ],
        &[("EDS_CA_PASSPHRASE", "not-the-passphrase")],
    );
    assert_code(&o, 6);
}

#[test]
fn ca_revoke_init_registry_audit_codes() {
    let s = Setup::new();
    s.expect(&["ca", "revoke", "01"], USAGE, "usage");
    let revoke = |serial: &str| {
        vec![
            "ca",
            "revoke",
            serial,
            "--ground",
            "holder-request",
            "--notified-by",
            "the holder",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    let args = revoke("0123456789ABCDEF");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    s.expect(&args, 5, "not_found");
    let serial = s.c.issue_sample("individual-signing");
    let args = revoke(&serial);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&s.run(&args));
    s.expect(&args, 4, "conflict");
    // init on an existing center.
    s.expect(&["ca", "init"], 4, "conflict");
    // registry import: missing and garbage files.
    s.expect(
        &["ca", "registry", "import", &s.missing()],
        NO_INPUT,
        "no_input",
    );
    s.expect(
        &["ca", "registry", "import", &p(&s.garbage)],
        DATA_ERROR,
        "data_error",
    );
    // audit verify: intact.
    ok(&s.run(&["ca", "audit", "verify"]));
    // No center in the data folder.
    let empty = Center::new();
    let o = empty.run(&["--json", "ca", "list"]);
    assert_code(&o, 5);
    assert_eq!(json_error(&o)["error"]["kind"], "not_found");
}

#[test]
fn submission_and_license_codes() {
    let s = Setup::new();
    let out = p(&s.c.path("receipt.p7s"));
    let p12 = p(&s.p12);
    s.expect(&["submission", "check", "--p12", &p12], USAGE, "usage");
    s.expect(
        &[
            "submission",
            "check",
            &s.missing(),
            "--p12",
            &p12,
            "--receipt-out",
            &out,
            "--level",
            "B",
        ],
        NO_INPUT,
        "no_input",
    );
    s.expect(&["license", "verify", &p(&s.sig)], USAGE, "usage");
    s.expect(
        &[
            "license",
            "verify",
            &p(&s.sig),
            "--body-bin",
            "123456789012",
        ],
        USAGE,
        "usage",
    );
    s.expect(
        &[
            "license",
            "verify",
            &s.missing(),
            "--body-bin",
            "991240000003",
        ],
        NO_INPUT,
        "no_input",
    );
    // A signature whose content is not a licensing document: refused (3) after a good
    // signature, the licensing checks fail.
    let o = s.run(&[
        "license",
        "verify",
        &p(&s.sig),
        "--body-bin",
        "991240000003",
        "--offline",
    ]);
    assert_code(&o, 3);
    // Garbage in place of the signed result: the verdict TOTAL_FAILED.
    let o = s.run(&[
        "license",
        "verify",
        &p(&s.garbage),
        "--body-bin",
        "991240000003",
        "--offline",
    ]);
    assert_code(&o, 1);
}

#[test]
fn serve_completions_man_codes() {
    let s = Setup::new();
    s.expect(&["serve", "--nope"], USAGE, "usage");
    s.expect(&["serve", "--trust", &s.missing()], NO_INPUT, "no_input");
    s.expect(&["completions", "tcsh"], USAGE, "usage");
    s.expect(&["man", "verifyy"], USAGE, "usage");
    ok(&s.run(&["completions", "bash"]));
    s.expect(&["frobnicate"], USAGE, "usage");
}
