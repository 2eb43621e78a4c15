//! The register's backends through the command line: `--register` recorded by `ca init` and used
//! by later commands, and `eds ca migrate` from SQLite to PostgreSQL (the copy and its checks,
//! the refusal of a non-empty target and of a source whose audit log is broken). PostgreSQL is
//! a throwaway server of the test process (`eds_fixtures::postgres`).

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

mod common;

use eds_fixtures::postgres::TestPostgres;
use serde_json::Value;

use common::serving::Serving;
use common::*;

/// A center with an owner certificate issued and revoked, a CRL and an operator, so that most
/// tables of its (SQLite) register hold rows. Returns the center and its register's URL.
fn busy_center() -> (Center, String) {
    let c = Center::ready();
    let serial = c.issue_sample("individual-signing");
    c.revoke(&serial, "key-compromise");
    c.crl();
    ok(&c.run(&["ca", "operator", "add", "gateway"]));
    let url = format!("sqlite:{}", c.data.join("register.sqlite").display());
    (c, url)
}

/// `eds --json --register URL ARGS…`.
fn on(c: &Center, register: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--json", "--register", register];
    all.extend_from_slice(args);
    c.run(&all)
}

fn audit_show(c: &Center, register: &str) -> Value {
    ok_json(&on(
        c,
        register,
        &["ca", "audit", "show", "--limit", "100000"],
    ))
}

/// Rows per table of a SQLite register, read behind the program's back.
fn sqlite_rows(c: &Center, table: &str) -> u64 {
    let conn = rusqlite::Connection::open(c.data.join("register.sqlite")).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| u64::try_from(n).unwrap())
    .unwrap()
}

#[test]
fn ok_init_records_the_register_and_later_commands_use_it() {
    let c = Center::new();
    let pg = TestPostgres::shared().new_database();
    c.init_with("p256", &["--register", &pg]);
    let config: Value =
        serde_json::from_slice(&std::fs::read(c.data.join("center.json")).unwrap()).unwrap();
    assert_eq!(config["register"], pg.as_str());
    assert!(
        !c.data.join("register.sqlite").exists(),
        "the register is in PostgreSQL, not in the data folder"
    );
    // No flag: the configuration names the register.
    c.import_registry();
    let serial = c.issue_sample("individual-signing");
    assert_eq!(c.owner_serials(), vec![serial.clone()]);
    c.revoke(&serial, "key-compromise");
    assert_eq!(c.show(&serial)["status"], "revoked");
    assert!(!c.data.join("register.sqlite").exists());
    let (code, v) = c.audit_verify();
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["verdict"], "intact", "{v}");
}

#[test]
fn ok_serve_on_postgres_answers_ocsp_revoked_after_another_process_revokes() {
    let c = Center::new();
    let pg = TestPostgres::shared().new_database();
    c.init_with("p256", &["--register", &pg]);
    c.import_registry();
    let serial = c.issue_sample("individual-signing");
    let cert = c.cert_path(&serial);
    let s = Serving::start(&c);
    let ocsp = || {
        openssl_ok(&[
            "ocsp",
            "-issuer",
            c.issuing().to_str().unwrap(),
            "-cert",
            cert.to_str().unwrap(),
            "-url",
            &format!("{}/ocsp", s.url),
            "-CAfile",
            c.root().to_str().unwrap(),
        ])
    };
    let good = ocsp();
    assert!(good.contains(": good"), "{good}");
    // The command line, another process, revokes in the PostgreSQL register.
    c.revoke(&serial, "key-compromise");
    let revoked = ocsp();
    assert!(revoked.contains(": revoked"), "{revoked}");
    assert!(revoked.contains("Reason: keyCompromise"), "{revoked}");
    assert!(!c.data.join("register.sqlite").exists());
}

/// `eds serve` on a PostgreSQL register stops on SIGTERM with exit code 0. It used to drop its
/// register's connections inside its async runtime, where the `postgres` crate's blocking client
/// panics ("Cannot start a runtime from within a runtime"), and so aborted instead of stopping.
#[test]
fn ok_serve_on_postgres_stops_on_sigterm_with_exit_code_0_and_no_panic() {
    let c = Center::new();
    let pg = TestPostgres::shared().new_database();
    c.init_with("p256", &["--register", &pg]);
    c.import_registry();
    let serial = c.issue_sample("individual-signing");
    let mut s = Serving::start(&c);
    let good = openssl_ok(&[
        "ocsp",
        "-issuer",
        c.issuing().to_str().unwrap(),
        "-cert",
        c.cert_path(&serial).to_str().unwrap(),
        "-url",
        &format!("{}/ocsp", s.url),
        "-CAfile",
        c.root().to_str().unwrap(),
    ]);
    assert!(good.contains(": good"), "{good}");
    let status = s.terminate();
    let log = s.log();
    assert_eq!(status.code(), Some(0), "log:\n{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn ok_two_servers_on_one_postgres_register_see_each_others_revocations() {
    let c = Center::new();
    let pg = TestPostgres::shared().new_database();
    c.init_with("p256", &["--register", &pg]);
    c.import_registry();
    let serials = [
        c.issue_sample("individual-signing"),
        c.issue_sample("individual-signing"),
    ];
    let token = ok_json(&c.run(&["--json", "ca", "operator", "add", "gateway"]))["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let servers = [Serving::start(&c), Serving::start(&c)];
    let ocsp = |s: &Serving, serial: &str| {
        openssl_ok(&[
            "ocsp",
            "-issuer",
            c.issuing().to_str().unwrap(),
            "-cert",
            c.cert_path(serial).to_str().unwrap(),
            "-url",
            &format!("{}/ocsp", s.url),
            "-CAfile",
            c.root().to_str().unwrap(),
        ])
    };
    for s in &servers {
        for serial in &serials {
            assert!(ocsp(s, serial).contains(": good"));
        }
    }
    // Each server revokes one certificate through its API; both answer revoked for both.
    for (s, serial) in servers.iter().zip(&serials) {
        let o = std::process::Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "30",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
            ])
            .args(["-X", "POST", "-H", "Content-Type: application/json"])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args([
                "--data-binary",
                r#"{"ground": "key-compromise", "notified_by": "the holder"}"#,
            ])
            .arg(format!("{}/api/v1/certificates/{serial}/revoke", s.url))
            .output()
            .unwrap();
        assert_eq!(stdout(&o), "200", "{}", stderr(&o));
    }
    for s in &servers {
        for serial in &serials {
            let answer = ocsp(s, serial);
            assert!(answer.contains(": revoked"), "{answer}");
        }
    }
    // Each server publishes a CRL after its revocation, one publisher at a time; both serve
    // the newest, which lists both (polled: publication follows the revocation).
    for s in &servers {
        let crl = newest_crl_listing(&c, s, &serials);
        for serial in &serials {
            assert!(crl.contains(&format!("Serial Number: {serial}")), "{crl}");
        }
    }
    let (code, v) = c.audit_verify();
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["verdict"], "intact", "{v}");
}

#[test]
fn fail_register_url_of_no_backend_exits_with_the_accepted_forms() {
    let c = Center::ready();
    let o = c.run(&["--register", "mysql://db/eds", "ca", "list"]);
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains("open register mysql://db/eds: a register is sqlite:PATH or postgres://USER@HOST/DATABASE"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ok_migrate_copies_the_register_and_the_center_runs_on_postgres() {
    let (c, sqlite) = busy_center();
    let audit_before = audit_show(&c, &sqlite);
    let list_before = c.list(&[]);
    let pg = TestPostgres::shared().new_database();

    let v = ok_json(&c.run(&["--json", "ca", "migrate", "--from", &sqlite, "--to", &pg]));
    // Every table's rows, as the source holds them.
    let rows = v["rows"].as_object().unwrap();
    assert_eq!(rows.len(), 10, "{v}");
    for (table, n) in rows {
        assert_eq!(n.as_u64().unwrap(), sqlite_rows(&c, table), "{table}");
    }
    assert_eq!(rows["revocations"], 1);
    assert_eq!(rows["operators"], 1);
    let entries = audit_before.as_array().unwrap().len();
    assert_eq!(rows["audit_log"], u64::try_from(entries).unwrap());
    assert_eq!(v["audit"]["entries"], u64::try_from(entries).unwrap());

    // The same audit log, hash for hash, intact; the same register.
    assert_eq!(audit_show(&c, &pg), audit_before);
    let verified = on(&c, &pg, &["ca", "audit", "verify"]);
    assert_code(&verified, 0);
    let verified: Value = serde_json::from_str(&stdout(&verified)).unwrap();
    assert_eq!(verified["verdict"], "intact");
    assert_eq!(verified["entries"], u64::try_from(entries).unwrap());
    assert_eq!(ok_json(&on(&c, &pg, &["ca", "list"])), list_before);

    // The center runs on the copy: the next CRL number follows the copied counter.
    let last_crl = |audit: &Value| -> u64 {
        audit
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["action"] == "crl-issued")
            .map(|e| {
                serde_json::from_str::<Value>(e["details"].as_str().unwrap()).unwrap()["crl_number"]
                    .as_u64()
                    .unwrap()
            })
            .unwrap()
    };
    ok(&c.run_env(&["ca", "crl"], &[("EDS_REGISTER", &pg)]));
    assert_eq!(last_crl(&audit_show(&c, &pg)), last_crl(&audit_before) + 1);
    // …and the SQLite register did not move.
    assert_eq!(audit_show(&c, &sqlite), audit_before);
}

#[test]
fn fail_migrate_refuses_a_non_empty_target() {
    let (c, sqlite) = busy_center();
    let pg = TestPostgres::shared().new_database();
    ok(&c.run(&["ca", "migrate", "--from", &sqlite, "--to", &pg]));
    let audit_after_copy = audit_show(&c, &pg);

    let o = c.run(&["ca", "migrate", "--from", &sqlite, "--to", &pg]);
    assert_code(&o, 4);
    let rows = sqlite_rows(&c, "certificates");
    assert!(
        stderr(&o).contains(&format!(
            "migrate register: the target already holds {rows} rows in certificates"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(audit_show(&c, &pg), audit_after_copy, "nothing was added");
}

#[test]
fn fail_migrate_refuses_a_source_whose_audit_log_is_broken() {
    let (c, sqlite) = busy_center();
    rusqlite::Connection::open(c.data.join("register.sqlite"))
        .unwrap()
        .execute(
            "UPDATE audit_log SET details = '{\"edited\":true}' WHERE seq = 2",
            [],
        )
        .unwrap();
    let pg = TestPostgres::shared().new_database();
    let o = c.run(&["ca", "migrate", "--from", &sqlite, "--to", &pg]);
    assert_code(&o, 7);
    assert!(
        stderr(&o).contains("migrate register: the source's audit log is broken at entry 2"),
        "{}",
        stderr(&o)
    );
    // Nothing was copied.
    assert_eq!(audit_show(&c, &pg), Value::Array(Vec::new()));
}

/// A PostgreSQL password stays out of the URL and out of `center.json`: `eds` takes it from
/// `PGPASSWORD` or a password file (`PGPASSFILE`, mode 0600, `\:` escaping a colon), refuses a
/// password file others can read, and `ca init` refuses to record a URL that carries one.
#[test]
fn ok_postgres_password_from_the_environment_never_in_center_json() {
    use eds_fixtures::postgres::PASSWORD;
    let c = Center::new();
    let pg = TestPostgres::shared().new_database_with_password();
    let no_file = c.path("no-such-passfile");
    let no_file = no_file.to_str().unwrap();
    let with_password = [("PGPASSWORD", PASSWORD), ("PGPASSFILE", no_file)];
    ok(&c.run_env(
        &["ca", "init", "--algorithm", "p256", "--register", &pg],
        &with_password,
    ));
    let config = std::fs::read_to_string(c.data.join("center.json")).unwrap();
    assert!(!config.contains("s3cret"), "{config}");
    let config: Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["register"], pg.as_str());
    ok(&c.run_env(
        &[
            "ca",
            "registry",
            "import",
            fixture("registry.json").to_str().unwrap(),
        ],
        &with_password,
    ));
    let issued = ok_json(&c.run_env(
        &[
            "--json",
            "ca",
            "issue",
            request("individual-signing").to_str().unwrap(),
            "--generate-key",
            "--out-dir",
            c.out.to_str().unwrap(),
        ],
        &with_password,
    ));
    let serial = issued["certificate"]["serial"].as_str().unwrap().to_owned();

    // No password: the server refuses the connection; a wrong one as well.
    let list = ["--json", "ca", "list"];
    let o = c.run_env(&list, &[("PGPASSFILE", no_file)]);
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains("connect to PostgreSQL"),
        "{}",
        stderr(&o)
    );
    let o = c.run_env(&list, &[("PGPASSWORD", "wrong"), ("PGPASSFILE", no_file)]);
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains("password authentication failed"),
        "{}",
        stderr(&o)
    );

    // A password file: the first matching line wins; a colon in the password is escaped.
    let passfile = c.path("pgpass");
    std::fs::write(
        &passfile,
        format!(
            "# host:port:database:user:password\n\
             elsewhere:5432:*:*:not-this-one\n\
             *:*:*:eds_password:{}\n",
            PASSWORD.replace('\\', "\\\\").replace(':', "\\:")
        ),
    )
    .unwrap();
    let passfile_env = [("PGPASSFILE", passfile.to_str().unwrap())];
    std::fs::set_permissions(
        &passfile,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let listed = ok_json(&c.run_env(&list, &passfile_env));
    assert!(listed.to_string().contains(&serial), "{listed}");
    // …but not one that others can read.
    std::fs::set_permissions(
        &passfile,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let o = c.run_env(&list, &passfile_env);
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains(&format!(
            "password file {} is open to other users (mode 0644); chmod 600 it",
            passfile.display()
        )),
        "{}",
        stderr(&o)
    );

    // `ca init` does not write a password into center.json.
    let other = Center::new();
    let (scheme_user, rest) = pg.split_once('@').unwrap();
    let in_url = format!("{scheme_user}:{PASSWORD}@{rest}");
    let o = other.run(&["ca", "init", "--algorithm", "p256", "--register", &in_url]);
    assert_code(&o, 69);
    assert!(
        stderr(&o).contains("carries a password, which center.json would keep"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("s3cret"), "{}", stderr(&o));
    assert!(!other.data.join("center.json").exists());
}

/// `openssl crl -text` of the CRL `s` serves, fetched again (up to a bound) until it lists every
/// serial of `serials`; the last one fetched otherwise.
fn newest_crl_listing(c: &Center, s: &Serving, serials: &[String]) -> String {
    let file = c.path("served.crl");
    let mut text = String::new();
    for _ in 0..240 {
        let o = std::process::Command::new("curl")
            .args(["-sS", "--max-time", "30", "-o"])
            .arg(&file)
            .arg(format!("{}/crl/issuing.crl", s.url))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        text = openssl_ok(&[
            "crl",
            "-inform",
            "DER",
            "-noout",
            "-text",
            "-in",
            file.to_str().unwrap(),
        ]);
        if serials
            .iter()
            .all(|serial| text.contains(&format!("Serial Number: {serial}")))
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    text
}
