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

    /// Asserts the exit code of `args`, then of `--json args` (see [`expect_with`]).
    #[track_caller]
    fn expect(&self, args: &[&str], code: i32, kind: &str) {
        expect_with(|a| self.run(a), args, code, kind);
    }
}

/// Asserts the exit code of `args` run by `run`, then of `--json args`: the same code, nothing
/// on standard output, and on standard error one JSON object with exactly the documented fields
/// (docs/exit-codes.md): `error.kind`, `error.message` (not empty), `error.hint` (a string or
/// null) and `exit_code`.
#[track_caller]
fn expect_with(run: impl Fn(&[&str]) -> Output, args: &[&str], code: i32, kind: &str) {
    let o = run(args);
    assert_code(&o, code);
    let mut with_json = vec!["--json"];
    with_json.extend_from_slice(args);
    let o = run(&with_json);
    assert_code(&o, code);
    let e = json_error(&o);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    assert_eq!(keys(&e), ["error", "exit_code"], "{e}");
    assert_eq!(keys(&e["error"]), ["hint", "kind", "message"], "{e}");
    assert_eq!(e["exit_code"], code, "{e}");
    assert_eq!(e["error"]["kind"], kind, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{e}"
    );
    assert!(
        e["error"]["hint"].is_null() || e["error"]["hint"].is_string(),
        "{e}"
    );
    assert_eq!(stdout(&o), "", "an error prints nothing on standard output");
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
    for flag in ["--received-at", "--invalidity-date"] {
        s.expect(
            &[
                "ca",
                "revoke",
                "01",
                "--ground",
                "holder-request",
                "--notified-by",
                "the holder",
                flag,
                "yesterday",
            ],
            USAGE,
            "usage",
        );
    }
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
    // Court bans: a date that does not parse.
    for flag in ["--from", "--until"] {
        s.expect(
            &[
                "ca",
                "ban",
                "--iin",
                "850314300122",
                "--decision",
                "2-123/2026",
                flag,
                "someday",
            ],
            USAGE,
            "usage",
        );
    }
    s.expect(
        &["ca", "unban", "1", "--decision", "d", "--on", "someday"],
        USAGE,
        "usage",
    );
    // Art. 22 notice: a stop day that is not a date.
    s.expect(
        &[
            "ca",
            "cessation",
            "notice",
            "--stops-on",
            "someday",
            "--successor",
            "NEXT CA",
        ],
        USAGE,
        "usage",
    );
    // init on an existing center.
    s.expect(&["ca", "init"], 4, "conflict");
    // init into a data folder that cannot be made (under a file): an output, 73.
    let file = s.c.path("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let under_file = file.join("center");
    s.expect(
        &["ca", "init", "--data", under_file.to_str().unwrap()],
        73,
        "cant_create",
    );
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

/// The demo's licensing flow in a data folder of its own (real clock: the demo dates its steps
/// in the minutes before now), run as the body: offline on the center's CRLs, the body's
/// signatures at B (no TSA runs), the key password set.
struct Licensing {
    c: Center,
    dir: PathBuf,
    garbage: PathBuf,
}

const BODY_BIN: &str = "991240000003";

impl Licensing {
    fn new() -> Self {
        let mut c = Center::new();
        c.now = None;
        let demo = ok_json(&c.run(&["--json", "demo"]));
        let dir = PathBuf::from(demo["data"].as_str().unwrap());
        let garbage = c.path("garbage.bin");
        fs::write(&garbage, b"\x30\x03not a thing this command reads").unwrap();
        Self { c, dir, garbage }
    }

    fn file(&self, name: &str) -> String {
        p(&self.dir.join(name))
    }

    fn out(&self, name: &str) -> String {
        p(&self.c.path(name))
    }

    fn missing(&self) -> String {
        p(&self.c.path("no-such-file"))
    }

    fn run_with(&self, args: &[&str], password: &str) -> Output {
        let (data, issuing, root) = (
            p(&self.dir),
            self.file("crl/issuing.crl"),
            self.file("crl/root.crl"),
        );
        let mut all = args.to_vec();
        all.extend([
            "--data",
            &data,
            "--offline",
            "--crl",
            &issuing,
            "--crl",
            &root,
        ]);
        self.c.run_env(
            &all,
            &[("EDS_KEY_PASSWORD", password), ("EDS_SIGN_LEVEL", "B")],
        )
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, OWNER)
    }

    #[track_caller]
    fn expect(&self, args: &[&str], code: i32, kind: &str) {
        expect_with(|a| self.run(a), args, code, kind);
    }
}

/// `args` with the one at `flag`'s value replaced by `value` (or appended with it).
fn with(args: &[String], flag: &str, value: &str) -> Vec<String> {
    let mut out = args.to_vec();
    match out.iter().position(|a| a == flag) {
        Some(i) if i + 1 < out.len() => out[i + 1] = value.to_owned(),
        _ => out.extend([flag.to_owned(), value.to_owned()]),
    }
    out
}

/// `args` without `flag` and its value.
fn without(args: &[String], flag: &str) -> Vec<String> {
    let mut out = args.to_vec();
    if let Some(i) = out.iter().position(|a| a == flag) {
        out.drain(i..(i + 2).min(out.len()));
    }
    out
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `eds license issue`, `eds license hearing-notice` and `eds license hearing-record`: usage
/// errors, missing and garbage inputs, a wrong password, an output that cannot be created,
/// the refusals under the licensing rules (3), and success. A garbage application (or notice)
/// is the signed document being judged: its signature does not pass, a refusal
/// (`signature-not-valid`, 3), as `eds license verify` gives a verdict on it; a garbage key file
/// is an input that is not what it should be (65).
#[test]
fn license_issue_hearing_notice_hearing_record_codes() {
    let l = Licensing::new();
    let now = time::OffsetDateTime::now_utc();
    let body = l.file("body-head.p12");
    let garbage = p(&l.garbage);
    let missing = l.missing();
    let owned = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();

    // license issue.
    let grant = owned(&[
        "license",
        "issue",
        "--application",
        &l.file("application.json.p7s"),
        "--receipt",
        &l.file("receipt.json.p7s"),
        "--decision",
        "grant",
        "--p12",
        &body,
        "--body-bin",
        BODY_BIN,
        "--out",
        &l.out("licence.p7s"),
    ]);
    l.expect(&strs(&without(&grant, "--decision")), USAGE, "usage");
    l.expect(
        &strs(&with(&grant, "--body-bin", "123456789012")),
        USAGE,
        "usage",
    );
    l.expect(
        &strs(&with(
            &with(&grant, "--decision", "refuse"),
            "--ground",
            "nope",
        )),
        USAGE,
        "usage",
    );
    l.expect(
        &strs(&with(&grant, "--valid-until", "someday")),
        USAGE,
        "usage",
    );
    l.expect(
        &strs(&with(&grant, "--pause", "2026-11-01")),
        USAGE,
        "usage",
    );
    let o = l.run_with(&strs(&grant), "");
    assert_code(&o, USAGE);
    for flag in ["--application", "--receipt", "--p12"] {
        l.expect(&strs(&with(&grant, flag, &missing)), NO_INPUT, "no_input");
    }
    l.expect(
        &strs(&with(&grant, "--p12", &garbage)),
        DATA_ERROR,
        "data_error",
    );
    l.expect(
        &strs(&with(&grant, "--application", &garbage)),
        3,
        "refused",
    );
    let o = l.run_with(&strs(&grant), "not-the-password");
    assert_code(&o, 6);
    l.expect(
        &strs(&with(&grant, "--out", "/dev/null/licence.p7s")),
        73,
        "cant_create",
    );
    // Refused: a substantive refusal without its hearing; a receipt that is not one.
    let refuse = with(
        &with(&grant, "--decision", "refuse"),
        "--ground",
        "qualification-requirements-not-met",
    );
    l.expect(&strs(&refuse), 3, "refused");
    l.expect(
        &strs(&with(&grant, "--receipt", &l.file("application.json.p7s"))),
        3,
        "refused",
    );
    assert!(!l.c.path("licence.p7s").exists());
    ok(&l.run(&strs(&grant)));
    assert!(l.c.path("licence.p7s").exists());

    // license hearing-notice.
    let notice = owned(&[
        "license",
        "hearing-notice",
        "--application",
        &l.file("application.json.p7s"),
        "--receipt",
        &l.file("receipt.json.p7s"),
        "--ground",
        "qualification-requirements-not-met",
        "--hearing-at",
        &rfc3339(now),
        "--hearing-place",
        "Astana, room 12",
        "--p12",
        &body,
        "--body-bin",
        BODY_BIN,
        "--out",
        &l.out("notice.p7s"),
    ]);
    l.expect(&strs(&without(&notice, "--hearing-place")), USAGE, "usage");
    l.expect(
        &strs(&with(&notice, "--hearing-at", "tomorrow")),
        USAGE,
        "usage",
    );
    l.expect(&strs(&with(&notice, "--ground", "nope")), USAGE, "usage");
    for flag in ["--application", "--receipt", "--p12"] {
        l.expect(&strs(&with(&notice, flag, &missing)), NO_INPUT, "no_input");
    }
    l.expect(
        &strs(&with(&notice, "--p12", &garbage)),
        DATA_ERROR,
        "data_error",
    );
    l.expect(
        &strs(&with(&notice, "--application", &garbage)),
        3,
        "refused",
    );
    assert_code(&l.run_with(&strs(&notice), "not-the-password"), 6);
    l.expect(
        &strs(&with(&notice, "--out", "/dev/null/notice.p7s")),
        73,
        "cant_create",
    );
    // Refused: no hearing on incompleteness; a hearing 30 days on.
    l.expect(
        &strs(&with(&notice, "--ground", "incomplete-documents")),
        3,
        "refused",
    );
    l.expect(
        &strs(&with(
            &notice,
            "--hearing-at",
            &rfc3339(now + time::Duration::days(30)),
        )),
        3,
        "refused",
    );
    assert!(!l.c.path("notice.p7s").exists());
    ok(&l.run(&strs(&notice)));

    // license hearing-record on that notice.
    let record = owned(&[
        "license",
        "hearing-record",
        "--hearing-notice",
        &l.out("notice.p7s"),
        "--held-at",
        &rfc3339(now),
        "--applicant-position",
        "The specialist retakes the test next month.",
        "--maintain",
        "qualification-requirements-not-met",
        "--p12",
        &body,
        "--body-bin",
        BODY_BIN,
        "--out",
        &l.out("record.p7s"),
    ]);
    l.expect(
        &strs(&without(&record, "--applicant-position")),
        USAGE,
        "usage",
    );
    l.expect(
        &strs(&with(&record, "--held-at", "yesterday")),
        USAGE,
        "usage",
    );
    l.expect(&strs(&with(&record, "--maintain", "nope")), USAGE, "usage");
    for flag in ["--hearing-notice", "--p12"] {
        l.expect(&strs(&with(&record, flag, &missing)), NO_INPUT, "no_input");
    }
    l.expect(
        &strs(&with(&record, "--p12", &garbage)),
        DATA_ERROR,
        "data_error",
    );
    l.expect(
        &strs(&with(&record, "--hearing-notice", &garbage)),
        3,
        "refused",
    );
    assert_code(&l.run_with(&strs(&record), "not-the-password"), 6);
    l.expect(
        &strs(&with(&record, "--out", "/dev/null/record.p7s")),
        73,
        "cant_create",
    );
    // Refused: a ground the notice did not name; a hearing not yet held.
    l.expect(
        &strs(&with(&record, "--maintain", "licence-fee-not-paid")),
        3,
        "refused",
    );
    l.expect(
        &strs(&with(
            &record,
            "--held-at",
            &rfc3339(now + time::Duration::days(1)),
        )),
        3,
        "refused",
    );
    assert!(!l.c.path("record.p7s").exists());
    ok(&l.run(&strs(&record)));
    assert!(l.c.path("record.p7s").exists());
}

/// `eds demo` reads no input file (no 65 or 66 to give): a usage error, a clock it cannot date
/// certificates at (69), a data folder it cannot create (73), a second run at the same instant
/// (its folder `demo-<time>` is taken: 4), and success.
#[test]
fn demo_codes() {
    let c = Center::new();
    let run = |a: &[&str]| c.run(a);
    expect_with(run, &["demo", "--algorithm", "rsa"], USAGE, "usage");
    expect_with(run, &["demo", "--nope"], USAGE, "usage");
    expect_with(
        run,
        &["demo", "--now", "9500-01-01T00:00:00Z"],
        69,
        "failed",
    );
    expect_with(
        run,
        &["demo", "--data", "/dev/null/demo"],
        73,
        "cant_create",
    );
    let v = ok_json(&c.run(&["--json", "demo"]));
    assert_eq!(v["licence"]["indication"], "TOTAL_PASSED", "{v}");
    expect_with(run, &["demo"], 4, "conflict");
}

/// The leaf commands of `eds`, found by walking `eds help` (so a new command cannot be missed):
/// `eds ca issue`, `eds license verify`, …
fn leaf_commands(c: &Center) -> Vec<Vec<String>> {
    fn walk(c: &Center, path: &[String], leaves: &mut Vec<Vec<String>>) {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("-h");
        let help = ok(&c.run(&args));
        // "Commands:", then one line per command: two spaces, its name, its summary.
        let subcommands: Vec<String> = help
            .lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .filter(|name| name != "help")
            .collect();
        if subcommands.is_empty() {
            leaves.push(path.to_vec());
        }
        for name in subcommands {
            let mut next = path.to_vec();
            next.push(name);
            walk(c, &next, leaves);
        }
    }
    let mut leaves = Vec::new();
    walk(c, &[], &mut leaves);
    leaves
}

/// Every command of `eds --help`, recursively: an unknown flag is a usage error (64), and an
/// input that is not there is 66 (a file argument, a key or passphrase file); a command that
/// reads nothing but the register answers 5 on a data folder without a center. `eds demo`,
/// `eds completions` and `eds man` read nothing.
#[test]
fn every_command_usage_and_missing_input_codes() {
    let s = Setup::new();
    let empty = Center::new();
    let missing = s.missing();
    let (sig, p12) = (p(&s.sig), p(&s.p12));
    let out = p(&s.c.path("out-file"));
    let new_center = p(&s.c.path("new-center"));
    let leaves = leaf_commands(&s.c);
    // Each leaf's missing input: the arguments and the code; `None`: the command reads no input.
    let missing_input = |leaf: &str| -> Option<(Vec<String>, i32)> {
        let m = missing.as_str();
        let pass = ["--passphrase-file", m];
        let args: Vec<&str> = match leaf {
            // A data folder of its own: init may make it before it reads the passphrase.
            "ca init" => vec!["--data", &new_center, "--passphrase-file", m],
            "ca issue" => vec![m, "--out-dir", &out],
            "ca revoke" => vec!["01", "--ground", "death", "--notified-by", "x", pass[0], m],
            "ca crl" => pass.to_vec(),
            "ca archive" => vec!["--out", &out, pass[0], m],
            "ca registry import" => vec![m],
            "ca import" => vec![m, "--from-ca", m],
            "ca cessation confirm" => vec![m, "--successor-ca", m],
            "ca cessation finalize" => pass.to_vec(),
            "ca ban" => vec!["--iin", "850314300122", "--decision", "d", pass[0], m],
            "ca unban" => vec!["1", "--decision", "d", pass[0], m],
            "ca export" => vec!["--out", &out, "--consented", m],
            "ca cessation notice" => {
                vec![
                    "--stops-on",
                    "2027-02-01",
                    "--successor",
                    "NEXT CA",
                    pass[0],
                    m,
                ]
            }
            "ca cessation retain" => vec!["--out", &out, pass[0], m],
            "ca operator add" | "ca operator revoke" => vec!["gateway", pass[0], m],
            "ca rotate" => vec!["ocsp", pass[0], m],
            "ca migrate" => vec![
                "--from",
                "sqlite:/nonexistent/register.sqlite",
                "--to",
                "postgres://eds@127.0.0.1:1/eds",
            ],
            "sign" => vec!["--in", m, "--p12", &p12, "--out", &out],
            "extend" => vec![m, "--to", "LT", "--offline"],
            "extract" => vec!["--in", m, "--out", &out],
            "verify" => vec![m],
            "cert verify" => vec![m],
            "serve" => vec!["--trust", m],
            "submission check" => vec![&sig, "--p12", m, "--receipt-out", &out, "--level", "B"],
            "license issue" => vec![
                "--application",
                m,
                "--receipt",
                &sig,
                "--decision",
                "grant",
                "--p12",
                &p12,
                "--body-bin",
                BODY_BIN,
                "--out",
                &out,
                "--level",
                "B",
            ],
            "license hearing-notice" => vec![
                "--application",
                m,
                "--receipt",
                &sig,
                "--ground",
                "licence-fee-not-paid",
                "--hearing-at",
                "2026-03-02T10:00:00Z",
                "--hearing-place",
                "Astana",
                "--p12",
                &p12,
                "--body-bin",
                BODY_BIN,
                "--out",
                &out,
            ],
            "license hearing-record" => vec![
                "--hearing-notice",
                m,
                "--held-at",
                "2026-03-02T10:00:00Z",
                "--applicant-did-not-appear",
                "--p12",
                &p12,
                "--body-bin",
                BODY_BIN,
                "--out",
                &out,
            ],
            "license verify" => vec![m, "--body-bin", BODY_BIN],
            // Only the register: none in an empty data folder.
            "ca list"
            | "ca refusals"
            | "ca audit verify"
            | "ca audit show"
            | "ca cessation status"
            | "ca operator list" => {
                return Some((vec![], 5));
            }
            "ca show" => return Some((vec!["01".to_owned()], 5)),
            "demo" | "completions" | "man" => return None,
            other => panic!("no missing-input case for `eds {other}`: add one"),
        };
        Some((args.into_iter().map(str::to_owned).collect(), NO_INPUT))
    };
    let mut covered = Vec::new();
    for leaf in &leaves {
        let name = leaf.join(" ");
        let mut args: Vec<&str> = leaf.iter().map(String::as_str).collect();
        args.push("--nope");
        expect_with(|a| s.run(a), &args, USAGE, "usage");
        if let Some((extra, code)) = missing_input(&name) {
            let mut args: Vec<&str> = leaf.iter().map(String::as_str).collect();
            args.extend(extra.iter().map(String::as_str));
            let kind = if code == 5 { "not_found" } else { "no_input" };
            if code == 5 {
                expect_with(|a| empty.run(a), &args, code, kind);
            } else {
                expect_with(|a| s.run(a), &args, code, kind);
            }
        }
        covered.push(name);
    }
    // The walk found the commands this file tests one by one.
    for name in [
        "ca issue",
        "ca init",
        "demo",
        "license issue",
        "license hearing-notice",
        "license hearing-record",
        "ca cessation retain",
        "cert verify",
    ] {
        assert!(covered.iter().any(|c| c == name), "{name}: {covered:?}");
    }
    assert!(!s.c.path("out-file").exists());
    assert!(!s.c.path("no-such-file").exists());
}
