//! `eds completions` and `eds man`: the scripts and pages come from the clap definitions, so they
//! name the commands and options `--help` names.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::process::{Command, Output};

fn eds(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eds"))
        .args(args)
        .env_remove("EDS_DATA")
        .output()
        .expect("run eds")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The top-level commands of `eds --help`.
const COMMANDS: [&str; 12] = [
    "ca",
    "demo",
    "sign",
    "extract",
    "verify",
    "cert",
    "serve",
    "submission",
    "license",
    "completions",
    "man",
    "help",
];

#[test]
fn ok_bash_completion_names_every_command_and_the_verify_options() {
    let o = eds(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let script = stdout(&o);
    assert!(
        script.contains("_eds()"),
        "no completion function:\n{script}"
    );
    assert!(
        script.contains("complete -F _eds"),
        "not registered for eds"
    );
    // The words offered after `eds `.
    let top = script
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("eds)"))
        .find(|l| l.contains("opts="))
        .expect("the options line of `eds`");
    for command in COMMANDS {
        assert!(
            top.split_whitespace()
                .any(|w| w.trim_matches('"') == command),
            "{command} missing from {top}"
        );
    }
    for option in ["--content", "--trust", "--at", "--offline"] {
        assert!(script.contains(option), "{option} missing");
    }
}

#[test]
fn ok_every_shell_gets_its_own_script() {
    for (shell, marker) in [
        ("zsh", "#compdef eds"),
        ("fish", "complete -c eds"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = eds(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        assert!(script.contains("verify"), "{shell}: no verify");
    }
}

#[test]
fn fail_completions_for_an_unknown_shell_is_a_usage_error() {
    let o = eds(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(64));
    assert!(
        stderr(&o).contains("invalid value 'tcsh'"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn ok_man_page_of_verify_lists_its_options() {
    let o = eds(&["man", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with(".ie"), "not roff:\n{page}");
    assert!(page.contains(".TH eds-verify 1"), "{page}");
    // roff writes a hyphen in an option as `\-`.
    for option in [
        "\\-\\-content",
        "\\-\\-trust",
        "\\-\\-at",
        "\\-\\-offline",
        "\\-\\-expect\\-iin",
    ] {
        assert!(page.contains(option), "{option} missing from the page");
    }
    // The page of `eds` itself names the commands.
    let o = eds(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(page.contains(".TH eds 1"));
    assert!(page.contains("eds\\-verify(1)"), "{page}");
    // A nested command.
    let o = eds(&["man", "ca", "init"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(".TH eds-ca-init 1"));
}

#[test]
fn fail_man_of_an_unknown_command_is_a_usage_error() {
    let o = eds(&["man", "verifyy"]);
    assert_eq!(o.status.code(), Some(64));
    assert!(
        stderr(&o).contains("eds has no command \"verifyy\""),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn ok_man_out_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let o = eds(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for page in [
        "eds.1",
        "eds-verify.1",
        "eds-ca-init.1",
        "eds-completions.1",
        "eds-man.1",
    ] {
        let text = std::fs::read_to_string(out.join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}\n{}", stdout(&o)));
        let name = page.trim_end_matches(".1");
        assert!(text.contains(&format!(".TH {name} 1")), "{page}");
    }
    assert!(
        !out.join("eds-help.1").exists(),
        "no page for clap's help command"
    );
    assert!(stdout(&o).contains("eds-verify.1"));
}
