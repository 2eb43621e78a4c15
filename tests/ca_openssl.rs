//! OpenSSL as the outside judge of what the center issues: the certificate profile of EDS law
//! art. 15.1 as `openssl x509 -text` reads it, chains and CRLs through `openssl verify`, CRLs
//! through `openssl crl`, generated keys through `openssl pkey` and `openssl pkcs12`, and CSRs
//! made by `openssl req`.

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

mod common;

use std::fs;

use time::Duration;

use common::*;

/// What OpenSSL must print for each shipped request that the center issues.
struct Expected {
    request: &'static str,
    subject: &'static str,
    key_usage: &'static str,
    eku: &'static str,
}

const PROFILES: [Expected; 4] = [
    Expected {
        request: "individual-signing",
        subject: "CN=АХМЕТОВ ЕРЛАН, SN=АХМЕТОВ, serialNumber=IIN850314300122, C=KZ, GN=СЕРІКҰЛЫ",
        key_usage: "Digital Signature, Non Repudiation",
        eku: "E-mail Protection, 1.2.398.3.3.4.1.1",
    },
    Expected {
        request: "individual-authentication",
        subject: "CN=ҚАСЫМОВА ӘЙГЕРІМ, SN=ҚАСЫМОВА, serialNumber=IIN900701400233, C=KZ, \
                  GN=НҰРЛАНҚЫЗЫ",
        key_usage: "Digital Signature, Key Encipherment",
        eku: "TLS Web Client Authentication, 1.2.398.3.3.4.1.1",
    },
    Expected {
        request: "first-head-signing",
        subject: "CN=ИВАНОВ СЕРГЕЙ, SN=ИВАНОВ, serialNumber=IIN701125300346, C=KZ, \
                  O=ТОО «ҚАЗАҚ КРИПТО», OU=BIN080540001238, GN=ПЕТРОВИЧ",
        key_usage: "Digital Signature, Non Repudiation",
        eku: "E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.1",
    },
    Expected {
        request: "employee-signing-right",
        subject: "CN=ОМАРОВА ДИНАРА, SN=ОМАРОВА, serialNumber=IIN950210400451, C=KZ, \
                  O=ТОО «ҚАЗАҚ КРИПТО», OU=BIN080540001238",
        key_usage: "Digital Signature, Non Repudiation",
        eku: "E-mail Protection, 1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.2, 1.2.398.3.3.4.1.2.3",
    },
];

/// `openssl x509 -text`'s name for the signature algorithm of each center algorithm.
fn signature_algorithm(alg: &str) -> &'static str {
    match alg {
        "p256" => "ecdsa-with-SHA256",
        "p384" => "ecdsa-with-SHA384",
        "ed25519" => "ED25519",
        other => panic!("unknown algorithm {other}"),
    }
}

/// The hex of a key identifier as OpenSSL prints it, without a `keyid:` prefix.
fn key_id(line: &str) -> String {
    line.trim().trim_start_matches("keyid:").to_owned()
}

/// The line of `text` that starts with `prefix` (after indentation), without the prefix.
#[track_caller]
fn line_value(text: &str, prefix: &str) -> String {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in\n{text}"))
        .trim()
        .to_owned()
}

/// Every shipped profile issued by a center of `alg` with an owner key of `alg`: the subject (with
/// Kazakh letters), key usage, EKU with the role OIDs, policy, CRL DP and AIA URLs, a 20-byte
/// positive serial, 365 days of validity, the issuer's key identifier, and a chain OpenSSL
/// verifies.
fn profiles_as_openssl_reads_them(alg: &str) {
    let c = Center::new();
    c.init(alg);
    c.import_registry();
    let issuing_text = c.x509_text(&c.issuing());
    let (_, issuing_ski) = field(&issuing_text, "X509v3 Subject Key Identifier");
    for p in PROFILES {
        let serial = c.issue_with(
            &request(p.request),
            &["--generate-key", "--key-algorithm", alg],
        );
        let cert = c.cert_path(&serial);
        let text = c.x509_text(&cert);
        let ctx = format!("{alg} {}:\n{text}", p.request);

        assert_eq!(line_value(&text, "Subject:"), p.subject, "{ctx}");
        assert_eq!(
            line_value(&text, "Issuer:"),
            "C=KZ, CN=EDS TEST CA (ca)",
            "{ctx}"
        );
        assert_eq!(
            line_value(&text, "Signature Algorithm:"),
            signature_algorithm(alg),
            "{ctx}"
        );
        assert_eq!(line_value(&text, "Version:"), "3 (0x2)", "{ctx}");

        // Art. 15.1(1): number and term.
        let (_, serial_hex) = field(&text, "Serial Number:");
        let octets: Vec<&str> = serial_hex.split(':').collect();
        assert_eq!(
            octets.len(),
            20,
            "serial {serial_hex} is not 20 octets; {ctx}"
        );
        let first = u8::from_str_radix(octets[0], 16).unwrap();
        assert!(
            (0x01..=0x7F).contains(&first),
            "serial {serial_hex} is not positive; {ctx}"
        );
        assert_eq!(octets.concat().to_uppercase(), serial, "{ctx}");
        let serial_line = openssl_ok(&["x509", "-noout", "-serial", "-in", cert.to_str().unwrap()]);
        assert_eq!(serial_line.trim(), format!("serial={serial}"), "{ctx}");
        assert_eq!(
            line_value(&text, "Not Before:"),
            openssl_time(c.now_at()),
            "{ctx}"
        );
        assert_eq!(
            line_value(&text, "Not After :"),
            openssl_time(c.now_at() + Duration::days(365)),
            "{ctx}"
        );

        // Art. 15.1(5): scope of application.
        assert_eq!(
            field(&text, "X509v3 Key Usage"),
            (
                "X509v3 Key Usage: critical".to_owned(),
                p.key_usage.to_owned()
            ),
            "{ctx}"
        );
        assert_eq!(field(&text, "X509v3 Extended Key Usage").1, p.eku, "{ctx}");
        assert_eq!(
            block(&text, "X509v3 Certificate Policies"),
            ["Policy: 1.2.398.3.3.2"],
            "{ctx}"
        );
        assert_eq!(
            field(&text, "X509v3 Basic Constraints"),
            (
                "X509v3 Basic Constraints: critical".to_owned(),
                "CA:FALSE".to_owned()
            ),
            "{ctx}"
        );

        // Art. 15.1(6): requisites of the center. The test center in folder `ca` is named
        // "EDS TEST CA (ca)", whose default URL is on port 8360 (`eds ca init`).
        assert_eq!(
            block(&text, "X509v3 CRL Distribution Points"),
            ["Full Name:", "URI:http://127.0.0.1:8360/crl/issuing.crl"],
            "{ctx}"
        );
        assert_eq!(
            block(&text, "Authority Information Access"),
            [
                "OCSP - URI:http://127.0.0.1:8360/ocsp",
                "CA Issuers - URI:http://127.0.0.1:8360/cert/issuing.cer"
            ],
            "{ctx}"
        );
        assert_eq!(
            key_id(&field(&text, "X509v3 Authority Key Identifier").1),
            key_id(&issuing_ski),
            "{ctx}"
        );

        let v = c.openssl_verify(&cert, false);
        assert_eq!(both(&v), format!("{}: OK\n", cert.display()), "{ctx}");
        assert_code(&v, 0);
    }
}

#[test]
fn ok_p256_profiles_as_openssl_reads_them() {
    profiles_as_openssl_reads_them("p256");
}

#[test]
fn ok_p384_profiles_as_openssl_reads_them() {
    profiles_as_openssl_reads_them("p384");
}

#[test]
fn ok_ed25519_profiles_as_openssl_reads_them() {
    profiles_as_openssl_reads_them("ed25519");
}

/// A generated key: the encrypted PKCS#8 opens with the owner's password only and holds the
/// certified public key; the PKCS#12 opens without `-legacy` and holds that key and the chain.
fn generated_key_files_open_in_openssl(alg: &str) {
    let c = Center::new();
    c.init(alg);
    c.import_registry();
    let serial = c.issue_with(
        &request("individual-signing"),
        &["--generate-key", "--key-algorithm", alg],
    );
    let cert = c.cert_path(&serial);
    let key = c.out.join(format!("{serial}.key.pem"));
    let p12 = c.out.join(format!("{serial}.p12"));
    let cert_pub = openssl_ok(&["x509", "-noout", "-pubkey", "-in", cert.to_str().unwrap()]);

    let key_text = fs::read_to_string(&key).unwrap();
    assert_eq!(
        pem_bodies(&key_text, "ENCRYPTED PRIVATE KEY").len(),
        1,
        "{key_text}"
    );
    let pass = format!("pass:{OWNER}");
    let key_pub = openssl_ok(&[
        "pkey",
        "-in",
        key.to_str().unwrap(),
        "-passin",
        &pass,
        "-pubout",
    ]);
    assert_eq!(
        key_pub, cert_pub,
        "{alg}: the key file's public key is not the certified one"
    );
    let wrong = openssl(&[
        "pkey",
        "-in",
        key.to_str().unwrap(),
        "-passin",
        "pass:wrong",
        "-pubout",
    ]);
    assert_code(&wrong, 1);

    let dump = openssl_ok(&[
        "pkcs12",
        "-in",
        p12.to_str().unwrap(),
        "-passin",
        &pass,
        "-nodes",
    ]);
    let keys = pem_bodies(&dump, "PRIVATE KEY");
    assert_eq!(keys.len(), 1, "{alg}: PKCS#12 keys:\n{dump}");
    let p12_key = c.path("p12-key.pem");
    fs::write(
        &p12_key,
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            keys[0]
        ),
    )
    .unwrap();
    let p12_pub = openssl_ok(&["pkey", "-in", p12_key.to_str().unwrap(), "-pubout"]);
    assert_eq!(
        p12_pub, cert_pub,
        "{alg}: the PKCS#12 key is not the certified one"
    );
    let mut certs = pem_bodies(&dump, "CERTIFICATE");
    certs.sort();
    let mut chain: Vec<String> = [&cert, &c.issuing(), &c.root()]
        .iter()
        .flat_map(|p| pem_bodies(&fs::read_to_string(p).unwrap(), "CERTIFICATE"))
        .collect();
    chain.sort();
    assert_eq!(
        certs, chain,
        "{alg}: PKCS#12 must hold the leaf, issuing and root certificates"
    );
}

#[test]
fn ok_p256_generated_key_files_open_in_openssl() {
    generated_key_files_open_in_openssl("p256");
}

#[test]
fn ok_p384_generated_key_files_open_in_openssl() {
    generated_key_files_open_in_openssl("p384");
}

#[test]
fn ok_ed25519_generated_key_files_open_in_openssl() {
    generated_key_files_open_in_openssl("ed25519");
}

/// A certificate verifies with the CRL until revoked; after `eds ca revoke` and `eds ca crl`
/// OpenSSL says it is revoked; every CRL verifies under the issuing certificate, its authority key
/// identifier is the issuing certificate's subject key identifier, its entry carries the ground's
/// reason and the invalidity date, and it lives exactly 24 hours.
fn revocation_reaches_openssl(alg: &str) {
    let mut c = Center::new();
    c.init(alg);
    c.import_registry();
    let serial = c.issue_with(
        &request("individual-signing"),
        &["--generate-key", "--key-algorithm", alg],
    );
    let other = c.issue_sample("first-head-signing");
    let cert = c.cert_path(&serial);

    c.crl();
    let v = c.openssl_verify(&cert, true);
    assert_eq!(both(&v), format!("{}: OK\n", cert.display()));
    assert_code(&v, 0);
    let first = c.crl_text();
    assert!(first.contains("No Revoked Certificates."), "{first}");

    c.set_now(&after(T0, Duration::hours(2)));
    ok(&c.run(&[
        "ca",
        "revoke",
        &serial,
        "--ground",
        "key-compromise",
        "--notified-by",
        "the holder",
        "--invalidity-date",
        "2026-03-02T10:30:00Z",
    ]));
    let crl = c.crl();
    let v = c.openssl_verify(&cert, true);
    assert_code(&v, 2);
    assert!(both(&v).contains("certificate revoked"), "{}", both(&v));
    // The certificate that was not revoked still verifies with the same CRL.
    let v = c.openssl_verify(&c.cert_path(&other), true);
    assert_code(&v, 0);

    let checked = openssl(&[
        "crl",
        "-in",
        crl.to_str().unwrap(),
        "-CAfile",
        c.issuing().to_str().unwrap(),
        "-verify",
        "-noout",
    ]);
    assert_code(&checked, 0);
    assert_eq!(both(&checked).trim(), "verify OK");

    let text = c.crl_text();
    let issuing_ski = field(&c.x509_text(&c.issuing()), "X509v3 Subject Key Identifier").1;
    assert_eq!(
        key_id(&field(&text, "X509v3 Authority Key Identifier").1),
        key_id(&issuing_ski)
    );
    // CRL 1 was published by `eds ca init`.
    assert_eq!(field(&text, "X509v3 CRL Number").1, "3", "{text}");
    assert_eq!(
        line_value(&text, "Issuer:"),
        "C = KZ, CN = EDS TEST CA (ca)",
        "{text}"
    );
    assert_eq!(
        line_value(&text, "Signature Algorithm:"),
        signature_algorithm(alg),
        "{text}"
    );
    assert_eq!(
        line_value(&text, "Last Update:"),
        openssl_time(c.now_at()),
        "{text}"
    );
    assert_eq!(
        line_value(&text, "Next Update:"),
        openssl_time(c.now_at() + Duration::hours(24)),
        "{text}"
    );
    assert_eq!(
        revoked_entries(&text),
        [
            format!("Serial Number: {serial}"),
            format!("Revocation Date: {}", openssl_time(c.now_at())),
            "CRL entry extensions:".to_owned(),
            "X509v3 CRL Reason Code:".to_owned(),
            "Key Compromise".to_owned(),
            "Invalidity Date:".to_owned(),
            "Mar  2 10:30:00 2026 GMT".to_owned(),
        ],
        "{text}"
    );
    assert!(!text.contains("Certificate Hold"), "{text}");
}

#[test]
fn ok_p256_revocation_reaches_openssl() {
    revocation_reaches_openssl("p256");
}

#[test]
fn ok_p384_revocation_reaches_openssl() {
    revocation_reaches_openssl("p384");
}

#[test]
fn ok_ed25519_revocation_reaches_openssl() {
    revocation_reaches_openssl("ed25519");
}

/// `eds ca init` publishes CRL 1; three runs of `eds ca crl` give CRL numbers 2, 3, 4; each
/// verifies and lives exactly 24 h.
#[test]
fn ok_crl_numbers_increase_and_every_crl_verifies() {
    let mut c = Center::ready();
    for (n, hours) in [(2, 0), (3, 1), (4, 5)] {
        c.set_now(&after(T0, Duration::hours(hours)));
        let crl = c.crl();
        let checked = openssl(&[
            "crl",
            "-in",
            crl.to_str().unwrap(),
            "-CAfile",
            c.issuing().to_str().unwrap(),
            "-verify",
            "-noout",
        ]);
        assert_code(&checked, 0);
        assert_eq!(both(&checked).trim(), "verify OK");
        let text = c.crl_text();
        assert_eq!(field(&text, "X509v3 CRL Number").1, n.to_string(), "{text}");
        let this = parse_openssl_time(&line_value(&text, "Last Update:"));
        let next = parse_openssl_time(&line_value(&text, "Next Update:"));
        assert_eq!(this, c.now_at(), "{text}");
        assert_eq!(next - this, Duration::hours(24), "{text}");
    }
}

/// `--crl-hours 6` gives CRLs that live six hours.
#[test]
fn ok_crl_hours_6_gives_six_hour_crls() {
    let c = Center::new();
    c.init_with("p256", &["--crl-hours", "6"]);
    c.crl();
    let text = c.crl_text();
    let this = parse_openssl_time(&line_value(&text, "Last Update:"));
    let next = parse_openssl_time(&line_value(&text, "Next Update:"));
    assert_eq!(this, c.now_at(), "{text}");
    assert_eq!(next - this, Duration::hours(6), "{text}");
}

/// EDS law art. 18.3: a CRL may not live longer than a day, so init refuses 25 hours.
#[test]
fn fail_crl_hours_25_refused_at_init() {
    let c = Center::new();
    let o = c.run(&["ca", "init", "--crl-hours", "25"]);
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains("crl_validity_hours is 25, must be 1..=24 (EDS law art. 18.3)"),
        "{}",
        stderr(&o)
    );
    assert!(!c.data.join("center.json").exists());
}

/// `--base-url` is what the certificates point to.
#[test]
fn ok_custom_base_url_in_crl_distribution_point_and_aia() {
    let c = Center::new();
    c.init_with("p256", &["--base-url", "https://pki.example.kz/eds/"]);
    c.import_registry();
    let serial = c.issue_sample("individual-signing");
    let text = c.x509_text(&c.cert_path(&serial));
    assert_eq!(
        block(&text, "X509v3 CRL Distribution Points"),
        [
            "Full Name:",
            "URI:https://pki.example.kz/eds/crl/issuing.crl"
        ],
        "{text}"
    );
    assert_eq!(
        block(&text, "Authority Information Access"),
        [
            "OCSP - URI:https://pki.example.kz/eds/ocsp",
            "CA Issuers - URI:https://pki.example.kz/eds/cert/issuing.cer"
        ],
        "{text}"
    );
    let issuing = c.x509_text(&c.issuing());
    assert_eq!(
        block(&issuing, "X509v3 CRL Distribution Points"),
        ["Full Name:", "URI:https://pki.example.kz/eds/crl/root.crl"],
        "{issuing}"
    );
}

/// Makes a P-256 key and CSR with `openssl req`; returns (key path, CSR PEM).
fn openssl_csr(c: &Center) -> (std::path::PathBuf, String) {
    let key = c.path("owner.key.pem");
    let csr = c.path("owner.csr.pem");
    openssl_ok(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=x",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        csr.to_str().unwrap(),
    ]);
    (key, fs::read_to_string(&csr).unwrap())
}

/// The sample individual signing request with `csr_pem` set.
fn request_with_csr(c: &Center, name: &str, csr_pem: &str) -> std::path::PathBuf {
    let mut req: serde_json::Value =
        serde_json::from_slice(&fs::read(request("individual-signing")).unwrap()).unwrap();
    req["csr_pem"] = serde_json::Value::String(csr_pem.to_owned());
    c.write_request(name, &req)
}

/// A CSR made by OpenSSL: the certificate carries exactly its public key (and the subject of the
/// register, not the CSR's `CN=x`).
#[test]
fn ok_csr_public_key_is_certified_unchanged() {
    let c = Center::ready();
    let (key, csr) = openssl_csr(&c);
    let req = request_with_csr(&c, "with-csr", &csr);
    let serial = c.issue(&req, false);
    let cert = c.cert_path(&serial);
    let cert_pub = openssl_ok(&["x509", "-noout", "-pubkey", "-in", cert.to_str().unwrap()]);
    let key_pub = openssl_ok(&["pkey", "-in", key.to_str().unwrap(), "-pubout"]);
    assert_eq!(cert_pub, key_pub);
    let text = c.x509_text(&cert);
    assert_eq!(
        line_value(&text, "Subject:"),
        "CN=АХМЕТОВ ЕРЛАН, SN=АХМЕТОВ, serialNumber=IIN850314300122, C=KZ, GN=СЕРІКҰЛЫ"
    );
    assert!(
        !c.out.join(format!("{serial}.key.pem")).exists(),
        "no key is generated for a CSR"
    );
    assert!(
        !c.out.join(format!("{serial}.p12")).exists(),
        "no PKCS#12 is made for a CSR"
    );
    let v = c.openssl_verify(&cert, false);
    assert_code(&v, 0);
}

/// A CSR whose last signature byte was flipped fails its self-signature and is refused with
/// exit 1; nothing is issued.
#[test]
fn fail_csr_with_flipped_signature_byte() {
    let c = Center::ready();
    let (_, csr) = openssl_csr(&c);
    let parsed = pem::parse(&csr).unwrap();
    let mut der = parsed.contents().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let bad = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der));
    // OpenSSL agrees the request is now bad.
    let bad_path = c.path("bad.csr.pem");
    fs::write(&bad_path, &bad).unwrap();
    let o = openssl(&[
        "req",
        "-verify",
        "-noout",
        "-in",
        bad_path.to_str().unwrap(),
    ]);
    assert!(
        both(&o).contains("Certificate request self-signature verify failure"),
        "{}",
        both(&o)
    );

    let req = request_with_csr(&c, "bad-csr", &bad);
    let o = c.try_issue(&req, false);
    assert_code(&o, 65);
    assert!(
        stderr(&o).contains(
            "read certificate signing request: the request's self-signature does not verify"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(c.owner_serials(), Vec::<String>::new());
    assert!(!c.out.exists() || fs::read_dir(&c.out).unwrap().next().is_none());
}
