//! Test harness for the `eds` binary: a certification center in a temporary folder, driven
//! through the command line exactly as an operator would, and OpenSSL as the outside judge.
//!
//! Every test gets its own [`Center`]; the clock is fixed with `EDS_NOW` so certificate and CRL
//! times are known to the second and the tests give the same answer on any day.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

pub(crate) mod serving;

/// Passphrase of the center's keys in every test.
pub(crate) const PASS: &str = "test-ca-passphrase";
/// Owner's password for generated key files in every test.
pub(crate) const OWNER: &str = "owner-pass-123";
/// The instant every test center is created at, unless a test says otherwise.
pub(crate) const T0: &str = "2026-03-02T10:00:00Z";

/// Fixture paths of the repository.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// A sample request of `fixtures/requests`, by file stem.
pub(crate) fn request(name: &str) -> PathBuf {
    fixture(&format!("requests/{name}.json"))
}

/// Parses an RFC 3339 instant.
pub(crate) fn at(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &Rfc3339).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// Formats an instant as RFC 3339 (`2026-03-02T10:00:00Z`).
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// `s` shifted by `d`, as RFC 3339.
pub(crate) fn after(s: &str, d: Duration) -> String {
    rfc3339(at(s) + d)
}

/// How OpenSSL prints an ASN.1 time: `Mar  2 10:00:00 2026 GMT`.
pub(crate) fn openssl_time(t: OffsetDateTime) -> String {
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][usize::from(u8::from(t.month()) - 1)];
    format!(
        "{month} {:>2} {:02}:{:02}:{:02} {} GMT",
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    )
}

/// Parses what [`openssl_time`] prints.
pub(crate) fn parse_openssl_time(s: &str) -> OffsetDateTime {
    let fmt = time::macros::format_description!(
        "[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), fmt)
        .unwrap_or_else(|e| panic!("{s:?} is not an OpenSSL time: {e}"))
        .assume_utc()
}

/// Standard output as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output and error together (OpenSSL prints verdicts on either).
pub(crate) fn both(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// Asserts the exit code, printing the whole output when it differs.
#[track_caller]
pub(crate) fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "exit status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status,
        stdout(o),
        stderr(o)
    );
}

/// Asserts exit code 0 and returns standard output.
#[track_caller]
pub(crate) fn ok(o: &Output) -> String {
    assert_code(o, 0);
    stdout(o)
}

/// Asserts exit 0 and parses standard output as JSON.
#[track_caller]
pub(crate) fn ok_json(o: &Output) -> Value {
    let text = ok(o);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Runs OpenSSL with `args`.
pub(crate) fn openssl<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new("openssl")
        .args(args)
        .env_remove("OPENSSL_CONF")
        .output()
        .expect("run openssl")
}

/// Runs OpenSSL and asserts it succeeded; returns standard output.
#[track_caller]
pub(crate) fn openssl_ok<S: AsRef<OsStr>>(args: &[S]) -> String {
    let o = openssl(args);
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    assert_eq!(o.status.code(), Some(0), "openssl {shown:?}\n{}", both(&o));
    stdout(&o)
}

/// The first line after the one containing `header` (how OpenSSL prints an extension's value),
/// with the header line itself, both trimmed.
#[track_caller]
pub(crate) fn field(text: &str, header: &str) -> (String, String) {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.contains(header) {
            let value = lines.next().unwrap_or_default();
            return (line.trim().to_owned(), value.trim().to_owned());
        }
    }
    panic!("{header:?} not found in\n{text}");
}

/// Every line after the one containing `header` that is indented deeper than it.
#[track_caller]
pub(crate) fn block(text: &str, header: &str) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.contains(header) {
            let base = indent(line);
            return lines
                .take_while(|l| indent(l) > base)
                .map(|l| l.trim().to_owned())
                .collect();
        }
    }
    panic!("{header:?} not found in\n{text}");
}

/// The entries of a CRL as `openssl crl -text` prints them: the lines between
/// `Revoked Certificates:` and the CRL's own `Signature Algorithm:`, trimmed.
#[track_caller]
pub(crate) fn revoked_entries(crl_text: &str) -> Vec<String> {
    let (_, rest) = crl_text
        .split_once("Revoked Certificates:\n")
        .unwrap_or_else(|| panic!("no revoked certificates in\n{crl_text}"));
    rest.lines()
        .take_while(|l| !l.trim_start().starts_with("Signature Algorithm:"))
        .map(|l| l.trim().to_owned())
        .collect()
}

/// The PEM blocks of `label` in `text`, each normalised to its base64 body.
pub(crate) fn pem_bodies(text: &str, label: &str) -> Vec<String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&begin) {
        let after_begin = &rest[i + begin.len()..];
        let j = after_begin.find(&end).expect("unterminated PEM block");
        out.push(after_begin[..j].split_whitespace().collect::<String>());
        rest = &after_begin[j + end.len()..];
    }
    out
}

/// Builds an IIN for a person born on `birth` (digit 7: 3/4 for the 1900s, 5/6 for the 2000s,
/// odd male, even female), computing the check digit (weights 1..11 mod 11; if 10, weights
/// 3..11,1,2; if 10 again, the serial is skipped).
pub(crate) fn make_iin(birth: Date, female: bool) -> String {
    let century = match (birth.year() / 100, female) {
        (19, false) => 3,
        (19, true) => 4,
        (20, false) => 5,
        (20, true) => 6,
        other => panic!("no IIN century digit for {other:?}"),
    };
    let head = format!(
        "{:02}{:02}{:02}{century}",
        birth.year() % 100,
        u8::from(birth.month()),
        birth.day()
    );
    (1..=9999u32)
        .find_map(|serial| {
            let eleven = format!("{head}{serial:04}");
            check_digit(&eleven).map(|c| format!("{eleven}{c}"))
        })
        .expect("some serial has a check digit")
}

/// The check digit of eleven digits, `None` when both weightings give 10.
pub(crate) fn check_digit(eleven: &str) -> Option<u32> {
    let digits: Vec<u32> = eleven.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum = |weights: [u32; 11]| digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11;
    let first = sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    let digit = if first == 10 {
        sum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
    } else {
        first
    };
    (digit != 10).then_some(digit)
}

/// A certification center in a temporary folder.
pub(crate) struct Center {
    /// Keeps the folder alive for the test's duration.
    pub(crate) tmp: TempDir,
    /// The center's data folder (`EDS_DATA`).
    pub(crate) data: PathBuf,
    /// Where issued certificates and generated keys are written.
    pub(crate) out: PathBuf,
    /// The clock (`EDS_NOW`); `None` means the real clock.
    pub(crate) now: Option<String>,
}

impl Center {
    /// A folder with no center yet; the clock is fixed at [`T0`].
    pub(crate) fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("ca");
        let out = tmp.path().join("out");
        Self {
            tmp,
            data,
            out,
            now: Some(T0.to_owned()),
        }
    }

    /// A path inside the temporary folder (outside the data folder).
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Sets the clock for the following commands.
    pub(crate) fn set_now(&mut self, now: &str) {
        self.now = Some(now.to_owned());
    }

    /// The clock as an instant.
    pub(crate) fn now_at(&self) -> OffsetDateTime {
        at(self.now.as_deref().expect("a fixed clock"))
    }

    /// The `eds` command with the test environment: data folder, passphrases, clock; nothing
    /// inherited that could change the outcome.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_eds"));
        c.args(args)
            .env("EDS_DATA", &self.data)
            .env("EDS_CA_PASSPHRASE", PASS)
            .env("EDS_OWNER_PASSWORD", OWNER)
            .env_remove("EDS_TEST_ABORT_AFTER")
            .env_remove("EDS_REGISTER")
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE")
            .env_remove("EDS_NOW")
            .current_dir(self.tmp.path())
            .stdin(Stdio::null());
        if let Some(now) = &self.now {
            c.env("EDS_NOW", now);
        }
        c
    }

    /// Runs `eds` with `args`.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run eds")
    }

    /// Runs `eds` with extra environment variables (an empty value removes the variable).
    pub(crate) fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.command(args);
        for (k, v) in env {
            if v.is_empty() {
                c.env_remove(k);
            } else {
                c.env(k, v);
            }
        }
        c.output().expect("run eds")
    }

    /// Starts `eds` without waiting for it.
    pub(crate) fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn eds")
    }

    /// `eds ca init --algorithm ALG` plus `extra` flags; asserts success.
    pub(crate) fn init_with(&self, algorithm: &str, extra: &[&str]) {
        let mut args = vec!["ca", "init", "--algorithm", algorithm];
        args.extend_from_slice(extra);
        ok(&self.run(&args));
    }

    /// `eds ca init --algorithm ALG`; asserts success.
    pub(crate) fn init(&self, algorithm: &str) {
        self.init_with(algorithm, &[]);
    }

    /// A P-256 center with the shipped registry imported: what most tests start from.
    pub(crate) fn ready() -> Self {
        let c = Self::new();
        c.init("p256");
        c.import_registry();
        c
    }

    /// Imports the shipped registry (`fixtures/registry.json`).
    pub(crate) fn import_registry(&self) {
        self.import(&fixture("registry.json"));
    }

    /// Imports a registry file; returns the JSON report.
    pub(crate) fn import(&self, file: &Path) -> Value {
        ok_json(&self.run(&["--json", "ca", "registry", "import", file.to_str().unwrap()]))
    }

    /// Writes a registry file from JSON and imports it; returns the JSON report.
    pub(crate) fn import_json(&self, name: &str, registry: &Value) -> Value {
        let path = self.path(name);
        fs::write(&path, serde_json::to_vec_pretty(registry).unwrap()).unwrap();
        self.import(&path)
    }

    /// Runs `eds ca issue` on a request file (into [`Center::out`]), without asserting.
    pub(crate) fn try_issue(&self, request: &Path, generate_key: bool) -> Output {
        let mut args = vec![
            "--json",
            "ca",
            "issue",
            request.to_str().unwrap(),
            "--out-dir",
            self.out.to_str().unwrap(),
        ];
        if generate_key {
            args.push("--generate-key");
        }
        self.run(&args)
    }

    /// Runs `eds ca issue REQUEST --out-dir OUT` plus `extra` flags, without asserting.
    pub(crate) fn try_issue_with(&self, request: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "--json",
            "ca",
            "issue",
            request.to_str().unwrap(),
            "--out-dir",
            self.out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Issues with `extra` flags; asserts success and returns the serial.
    pub(crate) fn issue_with(&self, request: &Path, extra: &[&str]) -> String {
        let v = ok_json(&self.try_issue_with(request, extra));
        v["certificate"]["serial"]
            .as_str()
            .expect("serial in the issue report")
            .to_owned()
    }

    /// Issues from a request file; asserts success and returns the serial (uppercase hex).
    pub(crate) fn issue(&self, request: &Path, generate_key: bool) -> String {
        let v = ok_json(&self.try_issue(request, generate_key));
        v["certificate"]["serial"]
            .as_str()
            .expect("serial in the issue report")
            .to_owned()
    }

    /// Issues a shipped sample request with a generated P-256 key; returns the serial.
    pub(crate) fn issue_sample(&self, name: &str) -> String {
        self.issue(&request(name), true)
    }

    /// Writes a request JSON into the temporary folder and returns its path.
    pub(crate) fn write_request(&self, name: &str, req: &Value) -> PathBuf {
        let path = self.path(&format!("{name}.json"));
        fs::write(&path, serde_json::to_vec_pretty(req).unwrap()).unwrap();
        path
    }

    /// Where the certificate of `serial` was written.
    pub(crate) fn cert_path(&self, serial: &str) -> PathBuf {
        self.out.join(format!("{serial}.crt.pem"))
    }

    /// `eds ca revoke SERIAL --ground G --notified-by "the holder"`; asserts success.
    pub(crate) fn revoke(&self, serial: &str, ground: &str) -> Value {
        ok_json(&self.run(&[
            "--json",
            "ca",
            "revoke",
            serial,
            "--ground",
            ground,
            "--notified-by",
            "the holder",
        ]))
    }

    /// `eds ca crl`; asserts success and returns the PEM CRL's path.
    pub(crate) fn crl(&self) -> PathBuf {
        ok(&self.run(&["ca", "crl"]));
        let p = self.data.join("crl").join("issuing.crl.pem");
        assert!(p.exists(), "{} was not written", p.display());
        p
    }

    /// `eds ca show SERIAL --json`.
    pub(crate) fn show(&self, serial: &str) -> Value {
        ok_json(&self.run(&["--json", "ca", "show", serial]))
    }

    /// `eds ca list --json` plus `extra` flags.
    pub(crate) fn list(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--json", "ca", "list"];
        args.extend_from_slice(extra);
        ok_json(&self.run(&args))
    }

    /// Serials of the owner certificates in the register (CA certificates left out).
    pub(crate) fn owner_serials(&self) -> Vec<String> {
        self.list(&[])
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !c["kind"].as_str().unwrap().starts_with("ca"))
            .map(|c| c["serial"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Every audit entry (`eds ca audit show --json`).
    pub(crate) fn audit_entries(&self) -> Vec<Value> {
        let v = ok_json(&self.run(&["--json", "ca", "audit", "show", "--limit", "100000"]));
        v.as_array().unwrap().clone()
    }

    /// `eds ca audit verify --json`, with its exit code.
    pub(crate) fn audit_verify(&self) -> (Option<i32>, Value) {
        let o = self.run(&["--json", "ca", "audit", "verify"]);
        let v = serde_json::from_str(&stdout(&o))
            .unwrap_or_else(|e| panic!("audit verify printed no JSON ({e}):\n{}", both(&o)));
        (o.status.code(), v)
    }

    /// Asserts `eds ca audit verify` exits 0 with an intact chain of `entries` entries.
    #[track_caller]
    pub(crate) fn assert_audit_intact(&self, entries: u64) {
        let (code, v) = self.audit_verify();
        assert_eq!(code, Some(0), "{v}");
        assert_eq!(v["verdict"], "intact", "{v}");
        assert_eq!(v["entries"], entries, "{v}");
    }

    /// The root and issuing certificates' paths.
    pub(crate) fn root(&self) -> PathBuf {
        self.data.join("root.crt.pem")
    }

    /// The issuing center's certificate.
    pub(crate) fn issuing(&self) -> PathBuf {
        self.data.join("issuing.crt.pem")
    }

    /// `-attime` for OpenSSL: an hour after the clock.
    pub(crate) fn attime(&self) -> String {
        (self.now_at() + Duration::hours(1))
            .unix_timestamp()
            .to_string()
    }

    /// `openssl verify` of `leaf` against this center, optionally with its CRL.
    pub(crate) fn openssl_verify(&self, leaf: &Path, with_crl: bool) -> Output {
        let mut args: Vec<String> = vec!["verify".into(), "-attime".into(), self.attime()];
        if with_crl {
            args.push("-crl_check".into());
            args.push("-CRLfile".into());
            args.push(self.data.join("crl/issuing.crl.pem").display().to_string());
        }
        args.extend([
            "-CAfile".into(),
            self.root().display().to_string(),
            "-untrusted".into(),
            self.issuing().display().to_string(),
            leaf.display().to_string(),
        ]);
        openssl(&args)
    }

    /// `openssl x509 -noout -text` of a certificate, names in UTF-8.
    pub(crate) fn x509_text(&self, cert: &Path) -> String {
        openssl_ok(&[
            "x509",
            "-noout",
            "-text",
            "-nameopt",
            "utf8,sep_comma_plus_space",
            "-in",
            cert.to_str().unwrap(),
        ])
    }

    /// `openssl crl -noout -text` of the published CRL.
    pub(crate) fn crl_text(&self) -> String {
        let p = self.data.join("crl/issuing.crl.pem");
        openssl_ok(&["crl", "-noout", "-text", "-in", p.to_str().unwrap()])
    }
}

/// The mode bits of a file.
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}
