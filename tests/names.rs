//! One way of printing names (issue 17, item 4): RFC 4514 (`eds_profile::names`), the same text
//! from `eds ca issue`, `eds ca show`, `eds sign`'s summary, `eds verify`'s report and `eds cert
//! verify`'s, and the verifier's way from the first session on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::fs;

use common::*;

/// The subject of the sample owner as RFC 4514 §2.1 prints it: the attributes encoded
/// `CN, SURNAME, SERIALNUMBER, C, GIVENNAME` written last first, joined by `,`.
const AKHMETOV: &str =
    "GIVENNAME=СЕРІКҰЛЫ,C=KZ,SERIALNUMBER=IIN850314300122,SN=АХМЕТОВ,CN=АХМЕТОВ ЕРЛАН";

#[test]
fn ok_every_command_prints_the_subject_one_way() {
    let c = Center::ready();
    let issued = ok_json(&c.run(&[
        "--json",
        "ca",
        "issue",
        request("individual-signing").to_str().unwrap(),
        "--generate-key",
        "--out-dir",
        c.out.to_str().unwrap(),
    ]));
    let serial = issued["certificate"]["serial"].as_str().unwrap().to_owned();
    assert_eq!(issued["certificate"]["subject"], AKHMETOV, "{issued}");
    assert_eq!(c.show(&serial)["subject"], AKHMETOV);

    let doc = c.path("d.txt");
    fs::write(&doc, "x").unwrap();
    let sig = c.path("d.txt.p7s");
    let p12 = c.out.join(format!("{serial}.p12"));
    let signed = ok_json(&c.run_env(
        &[
            "--json",
            "sign",
            "--in",
            doc.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--out",
            sig.to_str().unwrap(),
        ],
        &[("EDS_KEY_PASSWORD", OWNER)],
    ));
    assert_eq!(signed["signer"], AKHMETOV, "{signed}");

    let report = ok_json(&c.run(&["--json", "verify", sig.to_str().unwrap(), "--offline"]));
    let signer = &report["signatures"][0]["signer"];
    assert_eq!(signer["subject"], AKHMETOV, "{report}");
    // The center's names, as the verifier prints the issuer.
    assert_eq!(signer["issuer"], "CN=EDS TEST CA (ca),C=KZ");

    let cert = ok_json(&c.run(&[
        "--json",
        "cert",
        "verify",
        c.cert_path(&serial).to_str().unwrap(),
        "--offline",
    ]));
    assert_eq!(cert["certificate"]["subject"], AKHMETOV, "{cert}");
}
