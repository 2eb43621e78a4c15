//! `docs/law.md` maps each article to its code and the tests that fail if the rule is broken.
//! This test keeps the last column honest: every test named there (a backticked snake_case name,
//! or the last segment of a `module::tests::name` path) is a function somewhere in the
//! workspace's Rust sources.

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The test names of the last column of every table row of `text`.
fn named_tests(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_end_matches('|').split('|').collect();
        let Some(last) = cells.last() else { continue };
        let mut rest = *last;
        while let Some(start) = rest.find('`') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('`') else { break };
            let quoted = &after[..end];
            rest = &after[end + 1..];
            let name = quoted.rsplit("::").next().unwrap_or(quoted);
            let looks_like_a_test = name.contains('_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_lowercase());
            if looks_like_a_test {
                names.insert(name.to_owned());
            }
        }
    }
    names
}

/// Every `fn name` in the Rust files under `dir` (not in `target/` or hidden folders).
fn functions(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                functions(&path, out);
            }
        } else if name.ends_with(".rs") {
            let text = fs::read_to_string(&path).unwrap_or_default();
            let mut rest = text.as_str();
            while let Some(at) = rest.find("fn ") {
                let before_ok = at == 0
                    || !rest[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                let after = &rest[at + 3..];
                let ident: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if before_ok && !ident.is_empty() {
                    out.insert(ident);
                }
                rest = after;
            }
        }
    }
}

#[test]
fn law_table_every_named_test_exists() {
    let text = fs::read_to_string(root().join("docs/law.md")).unwrap();
    let named = named_tests(&text);
    assert!(named.len() > 40, "too few test names parsed: {named:?}");
    let mut defined = BTreeSet::new();
    functions(&root(), &mut defined);
    let missing: Vec<&String> = named.iter().filter(|n| !defined.contains(*n)).collect();
    assert!(
        missing.is_empty(),
        "docs/law.md names tests that do not exist: {missing:?}"
    );
}

#[test]
fn law_table_parser_reads_the_last_column_only() {
    let table = "| article | rule | code | tests |\n|---|---|---|---|\n\
                 | 14 | `not_a_test_here` | `code_fn_name` | `ok_one`, `m::tests::fail_two`; `a/b.rs` (`eds ca x`) |\n";
    let got: Vec<String> = named_tests(table).into_iter().collect();
    assert_eq!(got, vec!["fail_two".to_owned(), "ok_one".to_owned()]);
}
