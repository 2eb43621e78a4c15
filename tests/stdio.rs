//! `-` as standard input and output, and `--json` errors, end to end through the `eds` binary
//! (issue 17: "`-` is a file name, not stdin/stdout"; "`--json` errors are plain text").
//!
//! The center runs on the real clock, as in `verify_cli.rs`, so that signatures, CRLs and the
//! verifier's "now" agree; OpenSSL checks at the current time too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::{Value, json};

use common::*;

const DOC: &[u8] = b"{\"kind\":\"test\",\"text\":\"stdin \xd0\xb8 stdout\"}";

/// A center on the real clock with one owner; returns it and the owner's PKCS#12 file.
fn center() -> (Center, PathBuf) {
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    (c, p12)
}

/// Runs `eds args` with `input` on standard input and the owner's key password set.
fn run_stdin(c: &Center, args: &[&str], input: &[u8]) -> Output {
    let mut child = c
        .command(args)
        .env("EDS_KEY_PASSWORD", OWNER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn eds");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // A writer thread: eds may write its output before it has read all of its input.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for eds");
    writer.join().unwrap();
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The center's CRLs, published now: `--crl` arguments for an offline verification.
fn crl_args(c: &Center) -> Vec<String> {
    ok(&c.run(&["ca", "crl"]));
    let issuing = c.data.join("crl/issuing.crl");
    let root = c.data.join("crl/root.crl");
    vec![
        "--crl".into(),
        s(&issuing).into(),
        "--crl".into(),
        s(&root).into(),
    ]
}

/// The one JSON object a `--json` error prints on standard error.
#[track_caller]
fn json_error(o: &Output) -> Value {
    let text = stderr(o);
    assert_eq!(text.lines().count(), 1, "one line expected:\n{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn ok_sign_in_dash_out_dash_verifies_with_eds_and_openssl() {
    let (c, p12) = center();
    let o = run_stdin(
        &c,
        &["sign", "--in", "-", "--p12", s(&p12), "--out", "-"],
        DOC,
    );
    assert_code(&o, 0);
    let der = o.stdout.clone();
    // Standard output carries the signature alone (DER: a SEQUENCE); the summary is on stderr.
    assert_eq!(der.first(), Some(&0x30), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        said.starts_with("signed standard input as ") && said.contains("→ standard output"),
        "{said}"
    );

    // `eds verify -` reads the signature from standard input.
    let mut args = vec!["--json", "verify", "-", "--offline"];
    let crls = crl_args(&c);
    args.extend(crls.iter().map(String::as_str));
    let v = run_stdin(&c, &args, &der);
    assert_code(&v, 0);
    let report: Value = serde_json::from_str(&stdout(&v)).unwrap();
    assert_eq!(report["indication"], "TOTAL_PASSED", "{report:#}");

    // OpenSSL agrees, and the document inside is the one piped in.
    let sig = c.path("piped.p7s");
    fs::write(&sig, &der).unwrap();
    let out = c.path("piped.out");
    let root = c.data.join("root.crt.pem");
    let checked = openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        s(&sig),
        "-CAfile",
        s(&root),
        "-out",
        s(&out),
    ]);
    assert!(
        both(&checked).contains("Verification successful"),
        "{}",
        both(&checked)
    );
    assert_eq!(fs::read(&out).unwrap(), DOC);

    // `eds extract --in - --out -` gives the document back, byte for byte.
    let x = run_stdin(&c, &["extract", "--in", "-", "--out", "-"], &der);
    assert_code(&x, 0);
    assert_eq!(x.stdout, DOC);
    assert!(stderr(&x).contains("→ standard output"), "{}", stderr(&x));
}

#[test]
fn ok_pem_out_dash_and_json_summary_on_stderr() {
    let (c, p12) = center();
    let doc = c.path("doc.json");
    fs::write(&doc, DOC).unwrap();
    let o = c.run_env(
        &[
            "--json",
            "sign",
            "--in",
            s(&doc),
            "--p12",
            s(&p12),
            "--out",
            "-",
            "--pem",
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    );
    assert_code(&o, 0);
    assert!(
        stdout(&o).starts_with("-----BEGIN CMS-----"),
        "{}",
        stdout(&o)
    );
    let summary: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(summary["out"], "-");
    assert_eq!(summary["format"], "pem");
}

#[test]
fn ok_verify_dash_with_content_file_and_fail_with_another() {
    let (c, p12) = center();
    let doc = c.path("doc.json");
    fs::write(&doc, DOC).unwrap();
    let sig = c.path("doc.json.p7s");
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
    let der = fs::read(&sig).unwrap();
    let crls = crl_args(&c);

    let mut args = vec!["--json", "verify", "-", "--content", s(&doc), "--offline"];
    args.extend(crls.iter().map(String::as_str));
    let o = run_stdin(&c, &args, &der);
    assert_code(&o, 0);
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["indication"], "TOTAL_PASSED", "{report:#}");

    let other = c.path("other.json");
    fs::write(&other, b"{}").unwrap();
    let mut args = vec!["--json", "verify", "-", "--content", s(&other), "--offline"];
    args.extend(crls.iter().map(String::as_str));
    let o = run_stdin(&c, &args, &der);
    assert_code(&o, 1);
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["signatures"][0]["sub_indication"], "HASH_FAILURE");

    // The document from standard input, the signature from its file.
    let mut args = vec!["--json", "verify", s(&sig), "--content", "-", "--offline"];
    args.extend(crls.iter().map(String::as_str));
    let o = run_stdin(&c, &args, DOC);
    assert_code(&o, 0);
}

#[test]
fn ok_crl_from_standard_input() {
    let (c, p12) = center();
    let doc = c.path("doc.json");
    fs::write(&doc, DOC).unwrap();
    let sig = c.path("doc.json.p7s");
    ok(&c.run_env(
        &["sign", "--in", s(&doc), "--p12", s(&p12), "--out", s(&sig)],
        &[("EDS_KEY_PASSWORD", OWNER)],
    ));
    ok(&c.run(&["ca", "crl"]));
    let issuing = fs::read(c.data.join("crl/issuing.crl")).unwrap();
    let root = c.data.join("crl/root.crl");
    let args = [
        "--json",
        "verify",
        s(&sig),
        "--offline",
        "--crl",
        "-",
        "--crl",
        s(&root),
    ];
    let o = run_stdin(&c, &args, &issuing);
    assert_code(&o, 0);
    // Without the issuing center's CRL there is nothing to judge the signer by.
    let o = run_stdin(&c, &args, b"");
    assert_code(&o, 65);
}

#[test]
fn fail_two_arguments_reading_stdin_exit_64() {
    let c = Center::new();
    let o = run_stdin(
        &c,
        &["sign", "--in", "-", "--p12", "-", "--out", "x.p7s"],
        DOC,
    );
    assert_code(&o, 64);
    assert_eq!(
        stderr(&o),
        "error: --in and --p12 both read standard input (`-`); only one argument may\n\
         hint: give all but one of them as files\n"
    );
    assert!(!c.path("x.p7s").exists());

    // The token PIN's file counts as an input like the passphrase's.
    let o = run_stdin(&c, &["ca", "issue", "-", "--pin-file", "-"], DOC);
    assert_code(&o, 64);
    assert!(
        stderr(&o).starts_with(
            "error: REQUEST and --pin-file both read standard input (`-`); only one argument may"
        ),
        "{}",
        stderr(&o)
    );

    let o = run_stdin(&c, &["verify", "-", "--content", "-"], DOC);
    assert_code(&o, 64);
    assert!(
        stderr(&o).starts_with(
            "error: FILE and --content both read standard input (`-`); only one argument may"
        ),
        "{}",
        stderr(&o)
    );

    let o = run_stdin(
        &c,
        &["--json", "verify", "a.p7s", "--crl", "-", "--ocsp", "-"],
        DOC,
    );
    assert_code(&o, 64);
    assert_eq!(
        json_error(&o),
        json!({
            "error": {
                "kind": "usage",
                "message": "--crl and --ocsp both read standard input (`-`); only one argument may",
                "hint": "give all but one of them as files",
            },
            "exit_code": 64,
        })
    );
}

#[test]
fn fail_json_missing_file() {
    let (c, p12) = center();
    let o = c.run_env(
        &[
            "--json",
            "sign",
            "--in",
            "no-such.pdf",
            "--p12",
            s(&p12),
            "--out",
            "x.p7s",
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    );
    assert_code(&o, 66);
    assert_eq!(stdout(&o), "");
    let e = json_error(&o);
    assert_eq!(e["exit_code"], 66);
    assert_eq!(e["error"]["kind"], "no_input");
    assert_eq!(e["error"]["hint"], Value::Null);
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("sign no-such.pdf: "), "{message}");

    // `eds verify` too: a file that cannot be read is 66 in every command.
    let o = c.run(&["--json", "verify", "no-such.p7s", "--offline"]);
    assert_code(&o, 66);
    assert_eq!(
        json_error(&o),
        json!({
            "error": {
                "kind": "no_input",
                "message": "cannot read signature no-such.p7s: No such file or directory (os error 2)",
                "hint": null,
            },
            "exit_code": 66,
        })
    );

    // Without --json the error stays text.
    let o = c.run(&["verify", "no-such.p7s", "--offline"]);
    assert_code(&o, 66);
    assert_eq!(
        stderr(&o),
        "error: cannot read signature no-such.p7s: No such file or directory (os error 2)\n"
    );
}

#[test]
fn fail_json_usage_error() {
    let c = Center::new();
    let o = c.run(&["--json", "verify", "--no-such-flag", "a.p7s"]);
    assert_code(&o, 64);
    assert_eq!(
        json_error(&o),
        json!({
            "error": {
                "kind": "usage",
                "message": "unexpected argument '--no-such-flag' found",
                "hint": "tip: to pass '--no-such-flag' as a value, use '-- --no-such-flag'; \
                         Usage: eds verify [OPTIONS] <FILE>...; \
                         For more information, try '--help'.",
            },
            "exit_code": 64,
        })
    );

    // Every command: usage errors are 64 (1 and 2 are verdicts).
    let o = c.run(&["sign", "--json", "--in", "a"]);
    assert_code(&o, 64);
    let e = json_error(&o);
    assert_eq!(e["error"]["kind"], "usage");
    assert_eq!(e["exit_code"], 64);

    // Without --json clap's text is unchanged.
    let o = c.run(&["verify", "--no-such-flag", "a.p7s"]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).starts_with("error: unexpected argument '--no-such-flag' found"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fail_json_bad_signature_file() {
    let c = Center::new();
    let garbage = c.path("garbage.p7s");
    fs::write(&garbage, b"not a signature").unwrap();
    let o = c.run(&["--json", "extract", "--in", s(&garbage), "--out", "doc"]);
    assert_code(&o, 65);
    let e = json_error(&o);
    assert_eq!(e["exit_code"], 65);
    assert_eq!(e["error"]["kind"], "data_error");
    assert_eq!(
        e["error"]["hint"],
        "the file must be a CMS signature (.p7s, DER or PEM) such as `eds sign` writes"
    );
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("read {}: ", s(&garbage))),
        "{message}"
    );

    // The same from standard input names it so.
    let o = run_stdin(
        &c,
        &["--json", "extract", "--in", "-", "--out", "doc"],
        b"garbage",
    );
    assert_code(&o, 65);
    let e = json_error(&o);
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("read standard input: "), "{message}");
}

#[test]
fn fail_binary_out_dash_to_a_terminal() {
    // `script` gives the command a terminal for standard output.
    let (c, p12) = center();
    let doc = c.path("doc.json");
    fs::write(&doc, DOC).unwrap();
    let line = format!(
        "{} sign --in {} --p12 {} --out -; echo \"exit=$?\"",
        env!("CARGO_BIN_EXE_eds"),
        s(&doc),
        s(&p12)
    );
    let o = in_terminal(&c, &line);
    let text = both(&o);
    assert!(
        text.contains("error: refusing to write binary data to the terminal (`--out -`)"),
        "{text}"
    );
    assert!(text.contains("hint: give --out FILE, or pipe"), "{text}");
    assert!(text.contains("exit=64"), "{text}");

    // PEM is text: it may go to the terminal.
    let line = line.replace("--out -;", "--out - --pem;");
    let o = in_terminal(&c, &line);
    let text = both(&o);
    assert!(text.contains("-----BEGIN CMS-----"), "{text}");
    assert!(text.contains("exit=0"), "{text}");
}

/// Runs the shell command `line` with a terminal (`script`) as its standard output.
fn in_terminal(c: &Center, line: &str) -> Output {
    std::process::Command::new("script")
        .args(["-qec", line, "/dev/null"])
        .env("EDS_DATA", &c.data)
        .env("EDS_KEY_PASSWORD", OWNER)
        .env_remove("EDS_NOW")
        .current_dir(c.tmp.path())
        .stdin(Stdio::null())
        .output()
        .expect("run script")
}

#[test]
fn ok_help_says_dash_is_accepted() {
    let c = Center::new();
    let cases: [(&[&str], &[&str]); 9] = [
        (
            &["sign"],
            &[
                "The document to sign; `-` reads standard input",
                "`-` writes standard output",
            ],
        ),
        (
            &["extract"],
            &[
                "(PEM or DER); `-` reads standard input",
                "the document; `-` writes standard output",
            ],
        ),
        (
            &["verify"],
            &[
                "`-` reads one signature from standard input",
                "Any file argument may be `-`",
            ],
        ),
        (
            &["cert", "verify"],
            &["(PEM or DER); `-` reads standard input"],
        ),
        (&["ca", "issue"], &["(JSON); `-` reads standard input"]),
        (&["ca", "crl"], &["else DER); `-` writes standard output"]),
        (
            &["submission", "check"],
            &[
                "`-` reads standard input",
                "(DER); `-` writes standard output",
            ],
        ),
        (
            &["license", "issue"],
            &["(DER); `-` writes standard output"],
        ),
        (
            &["license", "verify"],
            &["refusal); `-` reads standard input"],
        ),
    ];
    for (cmd, needles) in cases {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = ok(&c.run(&args));
        // Clap wraps lines and drops a help's last full stop: compare with whitespace runs as
        // single spaces.
        let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in needles {
            assert!(
                flat.contains(needle),
                "{cmd:?}: {needle:?} missing in\n{help}"
            );
        }
    }
}

#[test]
fn ok_ca_issue_request_from_stdin_and_crl_to_stdout() {
    let c = Center::ready();
    let req = fs::read(request("individual-signing")).unwrap();
    let o = run_stdin(
        &c,
        &[
            "--json",
            "ca",
            "issue",
            "-",
            "--generate-key",
            "--out-dir",
            s(&c.out),
        ],
        &req,
    );
    assert_code(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let serial = v["certificate"]["serial"].as_str().unwrap();
    assert!(c.out.join(format!("{serial}.p12")).exists());

    // The CRL as DER on standard output; the report moves to standard error.
    let o = run_stdin(&c, &["ca", "crl", "--out", "-"], b"");
    assert_code(&o, 0);
    assert!(stderr(&o).starts_with("CRL #"), "{}", stderr(&o));
    let crl = c.path("stdout.crl");
    fs::write(&crl, &o.stdout).unwrap();
    let text = openssl_ok(&["crl", "-inform", "DER", "-in", s(&crl), "-noout", "-text"]);
    assert!(text.contains("Certificate Revocation List"), "{text}");

    // A request that is not JSON, from standard input, is named so.
    let o = run_stdin(&c, &["ca", "issue", "-", "--generate-key"], b"not json");
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("standard input: expected ident"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ok_detached_and_cosigned_document_from_stdin() {
    let (c, p12) = center();
    let second = c.issue_sample("employee-signing-right");
    let p12_second = c.out.join(format!("{second}.p12"));
    let doc = c.path("doc.json");
    fs::write(&doc, DOC).unwrap();
    let sig = c.path("doc.json.p7s");
    let o = run_stdin(
        &c,
        &[
            "sign",
            "--in",
            "-",
            "--p12",
            s(&p12),
            "--detached",
            "--out",
            s(&sig),
        ],
        DOC,
    );
    assert_code(&o, 0);
    // The co-signer reads the document from stdin too; the earlier signature from its file.
    let o = run_stdin(
        &c,
        &[
            "--json",
            "sign",
            "--in",
            "-",
            "--p12",
            s(&p12_second),
            "--add-to",
            s(&sig),
            "--out",
            s(&sig),
        ],
        DOC,
    );
    assert_code(&o, 0);
    let summary: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (summary["signers"].clone(), summary["detached"].clone()),
        (json!(2), json!(true))
    );

    let mut args = vec![
        "--json",
        "verify",
        s(&sig),
        "--content",
        s(&doc),
        "--offline",
    ];
    let crls = crl_args(&c);
    args.extend(crls.iter().map(String::as_str));
    let o = c.run(&args);
    assert_code(&o, 0);
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["signatures"].as_array().unwrap().len(), 2);

    // Another document on stdin does not match the existing signature.
    let third = c.issue_sample("non-resident-signing");
    let p12 = c.out.join(format!("{third}.p12"));
    let o = run_stdin(
        &c,
        &[
            "sign",
            "--in",
            "-",
            "--p12",
            s(&p12),
            "--add-to",
            s(&sig),
            "--out",
            "x.p7s",
        ],
        b"another document",
    );
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains("hint: --in must be the very document the existing signature covers"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fail_serve_trust_from_stdin_is_a_usage_error() {
    let c = Center::new();
    let o = c.run(&["--json", "serve", "--listen", "127.0.0.1:0", "--trust", "-"]);
    assert_code(&o, 64);
    assert_eq!(
        json_error(&o),
        json!({
            "error": {
                "kind": "usage",
                "message": "--trust - cannot be used with `eds serve`: the server rereads its trust list",
                "hint": "give --trust FILE",
            },
            "exit_code": 64,
        })
    );
}

/// A reader that closes standard output before the report is written (`eds … | head -0`)
/// neither panics the command (exit 101, "failed printing to stdout") nor changes its outcome:
/// `eds ca list` still exits 0, `eds ca show` of an unknown serial still exits 5, and standard
/// error says nothing of the closed pipe.
#[test]
fn ok_a_closed_standard_output_ends_the_report_not_the_command() {
    let (c, _) = center();
    for (args, code) in [
        (vec!["ca", "list"], 0),
        (vec!["--json", "ca", "list"], 0),
        (vec!["ca", "show", "0123456789abcdef"], 5),
    ] {
        let mut child = c
            .command(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}
