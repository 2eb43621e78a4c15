//! Batches (issue 17, item 5): `eds sign` of a folder or a list of files with one key load, and
//! `eds verify` of a folder pairing `X.p7s` with `X`.

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

/// A center with one signing owner; returns it and the owner's `.p12`.
fn owner() -> (Center, PathBuf) {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    let p12 = c.out.join(format!("{serial}.p12"));
    (c, p12)
}

/// A folder `docs` with `names`, each holding its own name, plus a hidden file and an old
/// signature that a batch leaves alone.
fn folder(c: &Center, names: &[&str]) -> PathBuf {
    let docs = c.path("docs");
    fs::create_dir_all(&docs).unwrap();
    for n in names {
        fs::write(docs.join(n), format!("document {n}\n")).unwrap();
    }
    fs::write(docs.join(".hidden"), b"not a document").unwrap();
    fs::write(docs.join("old.pdf.p7s"), b"not signed again").unwrap();
    docs
}

fn run(c: &Center, args: &[&str]) -> Output {
    c.run_env(args, &[("EDS_KEY_PASSWORD", OWNER)])
}

#[test]
fn ok_folder_signed_detached_with_one_key_load_and_verified_in_pairs() {
    let (c, p12) = owner();
    let docs = folder(&c, &["a.txt", "b.txt", "c.txt"]);
    let o = run(
        &c,
        &[
            "--json",
            "sign",
            "--in",
            s(&docs),
            "--p12",
            s(&p12),
            "--detached",
            "--jobs",
            "2",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["signed"], 3);
    assert_eq!(v["failed"], serde_json::json!([]));
    let files: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    let want: Vec<String> = ["a.txt", "b.txt", "c.txt"]
        .iter()
        .map(|n| docs.join(n).display().to_string())
        .collect();
    assert_eq!(files, want, "hidden files and signatures are left out");
    for n in ["a.txt", "b.txt", "c.txt"] {
        assert!(docs.join(format!("{n}.p7s")).is_file());
        assert_eq!(
            v["documents"][0]["signature"]["detached"], true,
            "detached as asked"
        );
    }
    assert!(!docs.join(".hidden.p7s").exists());
    assert!(!docs.join("old.pdf.p7s.p7s").exists());
    fs::remove_file(docs.join("old.pdf.p7s")).unwrap();

    // The folder verifies: each X.p7s with the X beside it.
    let o = c.run(&["--json", "verify", s(&docs), "--offline"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["indication"], "TOTAL_PASSED");
    for d in v["documents"].as_array().unwrap() {
        let file = d["file"].as_str().unwrap();
        assert_eq!(
            d["content"].as_str().unwrap(),
            file.strip_suffix(".p7s").unwrap()
        );
    }

    // One document changed after signing: that one fails, the others pass.
    fs::write(docs.join("b.txt"), b"document b.txt, edited\n").unwrap();
    let o = c.run(&["verify", s(&docs), "--offline"]);
    assert_code(&o, 1);
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with(&docs.join("b.txt.p7s").display().to_string()))
        .unwrap();
    assert!(
        line.contains("TOTAL_FAILED   HASH_FAILURE"),
        "the edited document fails on its digest:\n{out}"
    );
    assert!(
        out.ends_with("\n3 documents: 2 passed, 1 failed, 0 indeterminate\n"),
        "{out}"
    );
}

#[test]
fn ok_list_of_files_signed_attached_into_a_folder() {
    let (c, p12) = owner();
    let docs = folder(&c, &["one.json", "two.json"]);
    let sigs = c.path("sigs");
    let (one, two) = (docs.join("one.json"), docs.join("two.json"));
    let o = run(
        &c,
        &[
            "sign",
            "--in",
            s(&one),
            s(&two),
            "--p12",
            s(&p12),
            "--out-dir",
            s(&sigs),
        ],
    );
    let out = ok(&o);
    let subject = c.run_env(
        &[
            "--json",
            "sign",
            "--in",
            s(&one),
            "--p12",
            s(&p12),
            "--out",
            s(&c.path("x.p7s")),
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    );
    let subject: serde_json::Value = serde_json::from_str(&ok(&subject)).unwrap();
    assert_eq!(
        out,
        format!(
            "signed 2 of 2 documents as {} (ECDSA P-256 SHA-256), attached, DER: FILE.p7s in {}\n",
            subject["signer"].as_str().unwrap(),
            sigs.display()
        )
    );
    // Attached: each signature verifies alone and holds its document.
    for n in ["one.json", "two.json"] {
        let sig = sigs.join(format!("{n}.p7s"));
        let o = c.run(&["verify", s(&sig), "--offline"]);
        assert_code(&o, 0);
        let back = c.path(&format!("{n}.back"));
        ok(&c.run(&["extract", "--in", s(&sig), "--out", s(&back)]));
        assert_eq!(fs::read(&back).unwrap(), fs::read(docs.join(n)).unwrap());
    }
}

#[test]
fn fail_a_missing_file_of_the_list_is_listed_and_the_others_signed() {
    let (c, p12) = owner();
    let docs = folder(&c, &["a.txt"]);
    let missing = docs.join("missing.txt");
    let sigs = c.path("sigs");
    let o = run(
        &c,
        &[
            "sign",
            "--in",
            s(&docs.join("a.txt")),
            s(&missing),
            "--p12",
            s(&p12),
            "--out-dir",
            s(&sigs),
        ],
    );
    // A batch where some file failed: 69 (docs/exit-codes.md), the others signed.
    assert_code(&o, 69);
    let out = stdout(&o);
    assert!(out.starts_with("signed 1 of 2 documents as "), "{out}");
    assert!(
        out.contains(&format!(
            "\n  FAILED {}: sign {}: ",
            missing.display(),
            missing.display()
        )),
        "{out}"
    );
    assert!(sigs.join("a.txt.p7s").is_file());
    assert!(!sigs.join("missing.txt.p7s").exists());
}

#[test]
fn fail_batch_usage_errors_exit_64() {
    let (c, p12) = owner();
    let docs = folder(&c, &["a.txt", "b.txt"]);
    let cases: [(Vec<&str>, &str); 3] = [
        (
            vec!["--out", "x.p7s"],
            "error: --out names one signature; a folder or several --in files make one each\n",
        ),
        (
            vec!["--add-to", "x.p7s"],
            "error: --add-to co-signs one signature; it does not take a folder or several files\n",
        ),
        (
            vec!["--in", "-"],
            "error: standard input (`-`) is one document; it cannot be part of a batch\n",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec!["sign", "--in", s(&docs), "--p12", s(&p12)];
        args.extend(extra);
        let o = run(&c, &args);
        assert_code(&o, 64);
        assert_eq!(
            stderr(&o),
            format!(
                "{message}hint: sign a folder or several files with --out-dir DIR (or none: \
                 FILE.p7s beside each), one at a time with --out or --add-to\n"
            )
        );
    }
    // One document and no --out: said, not guessed.
    let o = run(
        &c,
        &["sign", "--in", s(&docs.join("a.txt")), "--p12", s(&p12)],
    );
    assert_code(&o, 64);
    assert!(
        stderr(&o)
            .starts_with("error: eds sign needs --out FILE (or --out-dir DIR) for its signature\n"),
        "{}",
        stderr(&o)
    );
    assert!(!docs.join("a.txt.p7s").exists());
}

/// A batch killed (SIGKILL) part way leaves each signature whole or absent: every `FILE.p7s`
/// in the output folder verifies (each is written to a temporary file and renamed into place),
/// none is torn; a temporary file is the only trace of the one in flight. (A kill cannot show
/// what a power cut would: that the files reported signed were flushed; the flushing thread
/// counts a file only after `fsync` of it and of its folder.)
#[test]
fn ok_batch_killed_part_way_leaves_each_signature_whole_or_absent() {
    let (c, p12) = owner();
    let names: Vec<String> = (0..400).map(|i| format!("doc-{i:03}.txt")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let docs = folder(&c, &names);
    let out = c.path("signed");
    let mut child = c
        .command(&[
            "sign",
            "--in",
            s(&docs),
            "--p12",
            s(&p12),
            "--out-dir",
            s(&out),
            "--jobs",
            "1",
        ])
        .env("EDS_KEY_PASSWORD", OWNER)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let signatures = |out: &Path| -> Vec<PathBuf> {
        fs::read_dir(out)
            .map(|d| {
                d.map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "p7s"))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Kill it once a few signatures are in place (or give up waiting after a minute).
    for _ in 0..6000 {
        if signatures(&out).len() >= 5 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    let signed = signatures(&out);
    assert!(!signed.is_empty(), "nothing was signed before the kill");
    assert!(signed.len() < 400, "the batch ended before the kill");
    for tmp in fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()) {
        if tmp.extension().is_some_and(|e| e == "tmp") {
            fs::remove_file(tmp).unwrap();
        }
    }
    let o = c.run(&["--json", "verify", s(&out), "--offline"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v}");
    assert_eq!(
        v["documents"].as_array().map(Vec::len),
        Some(signed.len()),
        "{v}"
    );
}
