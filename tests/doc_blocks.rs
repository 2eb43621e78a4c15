//! Every `sh` block of README.md and docs/user-guide.md runs as written (issue 17, item 8).
//!
//! Each document gets a fresh temporary folder holding a copy of `fixtures/` (the blocks name
//! `fixtures/registry.json` and the sample requests as a reader in the repository would) and
//! a `home/` for `~`. Its blocks run in order there, each in its own `bash -e`, with the `eds`
//! this test was built with first on `PATH`. Shell variables a block sets (`D=…`,
//! `SERIAL=$(eds --json … | jq …)`) carry to the next block of the same document, as they would
//! in the reader's shell.
//!
//! The line before a block may annotate it:
//!
//! - `<!-- doc-test: skip: REASON -->`: not run; the reason is required (a server that would
//!   stay up, a network peer, the build itself);
//! - `<!-- doc-test: exit N -->`: the block shows a failure and must end with exit code N.
//!
//! A failure names the document, the block's first line and the exit code, with the block's
//! output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fenced `sh` block of a document.
#[derive(Debug, PartialEq)]
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    /// The block's text, without the fences.
    code: String,
    /// What the annotation before it asks.
    mode: Mode,
}

#[derive(Debug, PartialEq)]
enum Mode {
    Run { exit: i32 },
    Skip { reason: String },
}

/// The `sh` blocks of `text`, with their annotations. Fails on an annotation it cannot read,
/// or a skip without a reason.
fn blocks(text: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        if line.trim_end() != "```sh" {
            i += 1;
            continue;
        }
        let start = i;
        let mut code = String::new();
        i += 1;
        while let Some(l) = lines.get(i) {
            if l.trim_end() == "```" {
                break;
            }
            code.push_str(l);
            code.push('\n');
            i += 1;
        }
        let before = start.checked_sub(1).and_then(|j| lines.get(j)).copied();
        let mode = match before.map(str::trim).and_then(|b| {
            b.strip_prefix("<!-- doc-test:")
                .and_then(|rest| rest.strip_suffix("-->"))
        }) {
            None => Mode::Run { exit: 0 },
            Some(spec) => {
                let spec = spec.trim();
                if let Some(reason) = spec.strip_prefix("skip:") {
                    let reason = reason.trim();
                    if reason.is_empty() {
                        return Err(format!("line {}: a skip needs a reason", start + 1));
                    }
                    Mode::Skip {
                        reason: reason.to_owned(),
                    }
                } else if let Some(code) = spec.strip_prefix("exit ") {
                    Mode::Run {
                        exit: code
                            .trim()
                            .parse()
                            .map_err(|e| format!("line {}: exit {code:?}: {e}", start + 1))?,
                    }
                } else {
                    return Err(format!("line {}: unknown annotation {spec:?}", start + 1));
                }
            }
        };
        out.push(Block {
            line: start + 1,
            code,
            mode,
        });
        i += 1;
    }
    Ok(out)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs the blocks of one document; returns its failures (the first failing block ends the
/// document: the later ones build on it).
fn run_document(rel: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join(rel)).unwrap();
    let blocks = match blocks(&text) {
        Ok(b) => b,
        Err(e) => return vec![format!("{rel}: {e}")],
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(
        &root.join("fixtures/requests"),
        &dir.join("fixtures/requests"),
    );
    fs::copy(
        root.join("fixtures/registry.json"),
        dir.join("fixtures/registry.json"),
    )
    .unwrap();
    let home = dir.join("home");
    fs::create_dir(&home).unwrap();
    let bin: PathBuf = Path::new(env!("CARGO_BIN_EXE_eds"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let state = dir.join(".doc-test-state");
    fs::write(&state, "").unwrap();
    let mut failures = Vec::new();
    for block in &blocks {
        let Mode::Run { exit } = block.mode else {
            continue;
        };
        // Variables of earlier blocks in, this block's out: `set -a` exports what the block
        // assigns, the EXIT trap writes them for the next block. The block itself is verbatim.
        let script = format!(
            "set -a\n. {state}\ntrap 'export -p > {state}' EXIT\n{code}",
            state = shell_quote(&state),
            code = block.code
        );
        let mut cmd = Command::new("bash");
        cmd.arg("-e")
            .arg("-c")
            .arg(&script)
            .current_dir(dir)
            .env("PATH", &path)
            .env("HOME", &home)
            .stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("EDS_") {
                cmd.env_remove(&key);
            }
        }
        let o = cmd.output().unwrap();
        let code = o.status.code().unwrap_or(-1);
        if code != exit {
            failures.push(format!(
                "{rel}:{}: the block exited {code}, expected {exit}\n--- block\n{}--- stdout\n{}--- stderr\n{}",
                block.line,
                block.code,
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ));
            break;
        }
    }
    failures
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

#[test]
fn every_block_of_readme_and_user_guide_runs_as_written() {
    let mut failures = run_document("README.md");
    failures.extend(run_document("docs/user-guide.md"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn annotations_are_read_and_a_skip_needs_a_reason() {
    let text = "a\n```sh\necho one\n```\n<!-- doc-test: skip: starts a server -->\n```sh\neds serve\n```\n<!-- doc-test: exit 3 -->\n```sh\nfalse\n```\n";
    assert_eq!(
        blocks(text),
        Ok(vec![
            Block {
                line: 2,
                code: "echo one\n".to_owned(),
                mode: Mode::Run { exit: 0 }
            },
            Block {
                line: 6,
                code: "eds serve\n".to_owned(),
                mode: Mode::Skip {
                    reason: "starts a server".to_owned()
                }
            },
            Block {
                line: 10,
                code: "false\n".to_owned(),
                mode: Mode::Run { exit: 3 }
            },
        ])
    );
    assert_eq!(
        blocks("<!-- doc-test: skip: -->\n```sh\nx\n```\n"),
        Err("line 2: a skip needs a reason".to_owned())
    );
    assert_eq!(
        blocks("<!-- doc-test: maybe -->\n```sh\nx\n```\n"),
        Err("line 2: unknown annotation \"maybe\"".to_owned())
    );
}

#[test]
fn every_block_with_a_placeholder_is_gone() {
    // `<SERIAL>` and the like cannot run; a skipped block may keep prose-like text.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for rel in ["README.md", "docs/user-guide.md"] {
        let text = fs::read_to_string(root.join(rel)).unwrap();
        for b in blocks(&text).unwrap() {
            if let Mode::Run { .. } = b.mode {
                for word in ["<SERIAL>", "<IIN>", "<TOKEN>", "..."] {
                    assert!(
                        !b.code.lines().any(|l| {
                            let code = l.split(" #").next().unwrap_or(l);
                            !l.trim_start().starts_with('#') && code.contains(word)
                        }),
                        "{rel}:{}: {word} in a block that runs",
                        b.line
                    );
                }
            }
        }
    }
}
