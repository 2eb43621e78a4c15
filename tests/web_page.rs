//! The verification page in a real browser: `eds serve` on a free loopback port over a data
//! folder made with the command line (`eds ca init`, `eds ca issue --generate-key`, `eds sign`),
//! and Debian's Chromium, headless, driven by Playwright (`tests/web/verify_page.mjs`): it opens
//! the form, uploads a signed licence, a tampered copy, a file that is no signature and one over
//! the size limit, and reads the banner and the signer's IIN from the rendered pages. With the
//! valid licence it then goes through the three languages (Kazakh, Russian, English) at desktop
//! (1280 px) and phone (360 px) width, screenshots each form and result and checks that nothing
//! scrolls sideways; checks that `Accept-Language` picks the language and that the switch in
//! the header changes it and is remembered; and downloads the signed content, which must be the
//! exact bytes that were signed.
//!
//! Needs `/usr/bin/chromium`, `node` and `npm ci` run in `tests/web` (`scripts/test` sees to all
//! three). The screenshots (not committed) stay in `target/test-artifacts/web_page/` for a person
//! to look at.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use eds_profile::documents::Document;

use common::serving::Serving;
use common::*;

/// The IIN of `fixtures/requests/individual-signing.json`.
const IIN: &str = "850314300122";

/// The browser Debian's `chromium` package installs.
const CHROMIUM: &str = "/usr/bin/chromium";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Fails with what to do when the browser or the Playwright package is missing.
fn require_tools() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run scripts/test (it installs Debian's chromium) or \
         `apt-get install chromium`"
    );
    assert!(
        repo()
            .join("tests/web/node_modules/playwright-core")
            .is_dir(),
        "playwright-core is missing: run scripts/test or `npm ci` in tests/web"
    );
}

/// Runs `node tests/web/verify_page.mjs`, at most two minutes; returns its JSON.
fn drive(url: &str, out: &Path, cases: &[(&str, &Path)]) -> Value {
    let mut cmd = Command::new("node");
    cmd.current_dir(repo().join("tests/web"))
        .arg("verify_page.mjs")
        .args(["--url", url, "--chromium", CHROMIUM, "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, file) in cases {
        cmd.arg(format!("{name}={}", file.display()));
    }
    let child = cmd.spawn().expect("run node (install nodejs)");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(o) => o.expect("wait for node"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &id.to_string()])
                .status();
            panic!("the browser script did not finish within two minutes");
        }
    };
    assert!(
        output.status.success(),
        "verify_page.mjs failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn assert_png(path: &str) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("screenshot {path}: {e}"));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{path} is not a PNG"
    );
    assert!(bytes.len() > 10_000, "{path} is suspiciously small");
}

#[test]
fn ok_chromium_shows_passed_for_a_licence_and_failed_for_a_tampered_copy() {
    require_tools();
    // A center on the real clock (the browser's upload is judged now), an individual with a
    // generated key, and the fixture licence in its canonical form, signed with `eds sign`.
    let mut c = Center::new();
    c.now = None;
    c.init("p256");
    c.import_registry();
    let serial = c.issue(&request("individual-signing"), true);
    let p12 = c.out.join(format!("{serial}.p12"));
    let licence = Document::from_json(&fs::read(fixture("documents/licence.json")).unwrap())
        .unwrap()
        .canonical_bytes()
        .unwrap();
    let doc = c.path("licence.json");
    fs::write(&doc, &licence).unwrap();
    let valid = c.path("licence.json.p7s");
    ok(&c.run_env(
        &[
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--out",
            valid.to_str().unwrap(),
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    ));
    // The tampered copy: one digit of the licence number changed inside the signature.
    let mut bytes = fs::read(&valid).unwrap();
    let at = bytes
        .windows(8)
        .position(|w| w == b"26000456")
        .expect("the licence is attached");
    bytes[at + 7] = b'7';
    let tampered = c.path("tampered.json.p7s");
    fs::write(&tampered, bytes).unwrap();
    let garbage = c.path("notes.txt");
    fs::write(&garbage, "these are notes, not a signature\n").unwrap();
    // One byte over the page's limit of 10 MiB.
    let big = c.path("big.p7s");
    fs::write(&big, vec![0x30u8; 10 * 1024 * 1024 + 1]).unwrap();

    let server = Serving::start(&c);
    let out = repo().join("target/test-artifacts/web_page");
    let v = drive(
        &server.url,
        &out,
        &[
            ("valid", &valid),
            ("tampered", &tampered),
            ("garbage", &garbage),
            ("big", &big),
        ],
    );

    assert_eq!(v["form"]["status"], 200, "{v}");
    assert_eq!(v["form"]["title"], "Verify a signed document");
    let passed = &v["cases"]["valid"];
    assert_eq!(passed["status"], 200, "{v}");
    assert_eq!(passed["verdict"], "TOTAL_PASSED", "{v}");
    assert_eq!(passed["iin"], IIN, "{v}");
    let failed = &v["cases"]["tampered"];
    assert_eq!(failed["status"], 200, "{v}");
    assert_eq!(failed["verdict"], "TOTAL_FAILED / HASH_FAILURE", "{v}");
    assert_eq!(failed["iin"], IIN, "{v}");
    let garbage = &v["cases"]["garbage"];
    assert_eq!(garbage["verdict"], "TOTAL_FAILED / FORMAT_FAILURE", "{v}");
    assert_eq!(garbage["iin"], Value::Null, "{v}");
    let big = &v["cases"]["big"];
    assert_eq!(big["status"], 413, "{v}");
    assert_eq!(big["heading"], "The upload is too large", "{v}");
    assert_eq!(big["verdict"], Value::Null, "{v}");
    // Offline: the pages asked nothing of any other origin.
    assert_eq!(v["outside_requests"], serde_json::json!([]), "{v}");
    // Three languages at two widths: the page's language, the verdict, the licence number first,
    // and no horizontal scroll.
    let kickers = [
        ("kk", "Қолтаңба жарамды"),
        ("ru", "Подпись действительна"),
        ("en", "Passed — the signature is valid"),
    ];
    for (lang, kicker) in kickers {
        for width in [1280, 360] {
            let e = &v["languages"][format!("{lang}-{width}")];
            assert_eq!(e["form"]["lang"], lang, "{e}");
            assert_eq!(e["result"]["lang"], lang, "{e}");
            assert_eq!(e["result"]["status"], 200, "{e}");
            assert_eq!(e["result"]["verdict"], "TOTAL_PASSED", "{e}");
            assert_eq!(e["result"]["kicker"], kicker, "{e}");
            assert_eq!(e["result"]["number"], "26000456", "{e}");
            for which in ["form", "result"] {
                let o = &e[which]["overflow"];
                assert_eq!(o["innerWidth"], width, "{lang} {which}: {o}");
                assert!(
                    o["scrollWidth"].as_u64().unwrap() <= o["innerWidth"].as_u64().unwrap(),
                    "{lang} {which} at {width} px scrolls sideways: {o}"
                );
                assert_png(e[which]["screenshot"].as_str().unwrap());
            }
            // The measurement can fail: a 2000 px element added to the page is seen.
            let c = &e["control"];
            assert!(
                c["scrollWidth"].as_u64().unwrap() >= 2000 && c["innerWidth"] == width,
                "the overflow probe missed a 2000 px element: {c}"
            );
        }
    }
    assert_eq!(
        v["accept_language"],
        serde_json::json!({
            "kk-KZ,kk;q=0.9,ru;q=0.8": "kk",
            "ru-RU,ru;q=0.9,en;q=0.8": "ru",
            "en-US,en;q=0.9": "en",
        }),
        "{v}"
    );
    let switch = &v["switch"];
    assert_eq!(switch["before"], "en", "{switch}");
    assert_eq!(switch["after_click"], "kk", "{switch}");
    assert_eq!(switch["after_reload"], "kk", "{switch}");
    assert_eq!(switch["result"], "kk", "{switch}");
    assert_eq!(switch["kicker"], "Қолтаңба жарамды", "{switch}");
    // The download: the exact bytes that were signed, under the signature's name less `.p7s`.
    assert_eq!(v["download"]["suggested"], "licence.json", "{v}");
    let downloaded = fs::read(v["download"]["path"].as_str().unwrap()).unwrap();
    assert_eq!(downloaded, licence);
    for shot in [
        &v["form"]["screenshot"],
        &passed["screenshot"],
        &failed["screenshot"],
        &garbage["screenshot"],
        &big["screenshot"],
    ] {
        assert_png(shot.as_str().unwrap());
    }
}
