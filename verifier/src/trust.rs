//! The trust list: the certification centers whose certificates end a path, each with its
//! accreditation period (EDS law art. 20-2) and whether it is a foreign center registered with the
//! trusted third party (art. 13).
//!
//! Two forms are read (see `docs/trust-list.md`):
//!
//! - a JSON document `{"version": 1, "centers": [...]}`, each center with a `name`, its certificate
//!   (`certificate`: PEM text, or `certificate_file`: a path relative to the list's folder),
//!   optional `accredited_from` / `accredited_until` (RFC 3339; absent means open) and an optional
//!   `foreign` flag;
//! - a plain bundle of PEM `CERTIFICATE` blocks (or one DER certificate): every certificate is a
//!   trusted center without an accreditation period.
//!
//! The list is read whole and checked whole: an error names the entry (by position and name) and
//! the field that is wrong.

use std::path::{Path, PathBuf};

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use eds_profile::accreditation::{self, CenterRole};

use crate::cert::Cert;

/// The only JSON format version this reader knows.
pub const FORMAT_VERSION: u64 = 1;

/// Largest trust list read, in bytes (a list of hundreds of centers fits in a fraction of it).
pub const MAX_LIST_BYTES: u64 = 16 * 1024 * 1024;

/// Why a trust list cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The list, or a certificate file it names, cannot be read.
    #[error("read trust list file {path}: {detail}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's message.
        detail: String,
    },
    /// The input is larger than [`MAX_LIST_BYTES`].
    #[error("read trust list: {size} bytes is more than the {MAX_LIST_BYTES} allowed")]
    TooLarge {
        /// The input's size.
        size: u64,
    },
    /// The input starts like JSON but is not valid JSON.
    #[error("parse trust list JSON at line {line}, column {column}: {detail}")]
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's message.
        detail: String,
    },
    /// The JSON document's top level is wrong (not an object, no `centers` array, unknown key,
    /// unknown version).
    #[error("read trust list: {detail}")]
    Shape {
        /// What is wrong, naming the key.
        detail: String,
    },
    /// One field of one center is wrong.
    #[error("read trust list entry {entry}{}, field `{field}`: {detail}", name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default())]
    Field {
        /// 0-based position of the center in `centers`.
        entry: usize,
        /// The center's name, when it could be read.
        name: Option<String>,
        /// The field, as written in the JSON (`name`, `certificate`, `accredited_until`…).
        field: &'static str,
        /// What is wrong and what is expected.
        detail: String,
    },
    /// The input is neither JSON nor certificates in PEM or DER.
    #[error(
        "read trust list as a certificate bundle: {detail} (expected JSON or PEM `CERTIFICATE` blocks)"
    )]
    Bundle {
        /// The certificate reader's message.
        detail: String,
    },
    /// The list names no center.
    #[error("read trust list: it lists no trusted center")]
    Empty,
}

/// A trusted certification center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCenter {
    /// The center's name as the list gives it (for a PEM bundle: the certificate's subject).
    pub name: String,
    /// The center's certificate; paths end at its subject and public key.
    pub cert: Cert,
    /// Start of the accreditation period (EDS law art. 20-2); `None`: open.
    pub accredited_from: Option<OffsetDateTime>,
    /// End of the accreditation period; `None`: open.
    pub accredited_until: Option<OffsetDateTime>,
    /// A foreign center registered with the trusted third party (EDS law art. 13).
    pub foreign: bool,
}

impl TrustedCenter {
    /// A center trusted without an accreditation period, named by its certificate's subject.
    pub fn unbounded(cert: Cert) -> Self {
        Self {
            name: cert.subject(),
            cert,
            accredited_from: None,
            accredited_until: None,
            foreign: false,
        }
    }

    /// Whether `t` lies inside the accreditation period (both ends included; an absent end is
    /// open).
    pub fn accredited_at(&self, t: OffsetDateTime) -> bool {
        self.accredited_from.is_none_or(|from| from <= t)
            && self.accredited_until.is_none_or(|until| t <= until)
    }
}

/// Which form the list was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustListForm {
    /// The JSON document.
    Json,
    /// A PEM bundle or one DER certificate.
    Certificates,
}

/// The trusted centers, ready for path validation.
#[derive(Debug, Clone)]
pub struct TrustList {
    centers: Vec<TrustedCenter>,
    id: [u8; 32],
    form: TrustListForm,
}

impl TrustList {
    /// Reads a trust list from its bytes: JSON when the first non-blank character is `{`, else
    /// PEM or DER certificates. A JSON entry's `certificate_file` is refused here (there is no
    /// folder to resolve it in): use [`TrustList::load`] or [`TrustList::from_bytes_in`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TrustError> {
        Self::parse(bytes, None)
    }

    /// Reads a trust list from its bytes, resolving `certificate_file` paths relative to `dir`.
    pub fn from_bytes_in(bytes: &[u8], dir: &Path) -> Result<Self, TrustError> {
        Self::parse(bytes, Some(dir))
    }

    /// Reads a trust list file; `certificate_file` paths are relative to its folder.
    pub fn load(path: &Path) -> Result<Self, TrustError> {
        let bytes = read_bounded(path)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&bytes, Some(&dir))
    }

    /// A trust list of the given centers (for callers that build it in code).
    pub fn from_centers(
        centers: Vec<TrustedCenter>,
        form: TrustListForm,
    ) -> Result<Self, TrustError> {
        if centers.is_empty() {
            return Err(TrustError::Empty);
        }
        let id = list_id(&centers);
        Ok(Self { centers, id, form })
    }

    /// A trust list of certificates without accreditation periods.
    pub fn from_certs(certs: Vec<Cert>) -> Result<Self, TrustError> {
        Self::from_centers(
            certs.into_iter().map(TrustedCenter::unbounded).collect(),
            TrustListForm::Certificates,
        )
    }

    /// The centers, in the list's order.
    pub fn centers(&self) -> &[TrustedCenter] {
        &self.centers
    }

    /// The number of centers.
    pub fn len(&self) -> usize {
        self.centers.len()
    }

    /// Whether the list is empty (never true for a list that was read successfully).
    pub fn is_empty(&self) -> bool {
        self.centers.is_empty()
    }

    /// Which form the list was read from.
    pub fn form(&self) -> TrustListForm {
        self.form
    }

    /// An identifier of the list's content: SHA-256 over each center's certificate digest,
    /// period and flag. Two lists with the same centers have the same id (caches key on it).
    pub fn id(&self) -> &[u8; 32] {
        &self.id
    }

    /// The centers whose certificate subject is exactly `subject_der` (DER of a Name).
    pub fn by_subject<'a>(
        &'a self,
        subject_der: &'a [u8],
    ) -> impl Iterator<Item = (usize, &'a TrustedCenter)> + 'a {
        self.centers
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.cert.subject_der() == subject_der)
    }

    fn parse(bytes: &[u8], dir: Option<&Path>) -> Result<Self, TrustError> {
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > MAX_LIST_BYTES {
            return Err(TrustError::TooLarge { size });
        }
        let body = strip_bom(bytes);
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'{') {
            return Self::parse_json(body, dir);
        }
        if first.is_none() {
            return Err(TrustError::Empty);
        }
        let certs = Cert::all_from_pem_or_der(body).map_err(|e| TrustError::Bundle {
            detail: e.to_string(),
        })?;
        reject_duplicates(&certs, |i| TrustError::Bundle {
            detail: format!("certificate {i} appears twice in the bundle"),
        })?;
        Self::from_certs(certs)
    }

    fn parse_json(body: &[u8], dir: Option<&Path>) -> Result<Self, TrustError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| TrustError::Json {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        })?;
        let Value::Object(top) = value else {
            return Err(shape("the top level must be an object"));
        };
        for key in top.keys() {
            if key != "version" && key != "centers" {
                return Err(shape(&format!(
                    "unknown key `{key}` at the top level (expected `version` and `centers`)"
                )));
            }
        }
        match top.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(FORMAT_VERSION) => {}
            Some(other) => {
                return Err(shape(&format!(
                    "`version` is {other}; this reader knows version {FORMAT_VERSION}"
                )));
            }
            None => {
                return Err(shape(&format!(
                    "`version` is missing (write \"version\": {FORMAT_VERSION})"
                )));
            }
        }
        let Some(Value::Array(entries)) = top.get("centers") else {
            return Err(shape("`centers` must be an array of centers"));
        };
        let mut centers = Vec::with_capacity(entries.len());
        for (entry, value) in entries.iter().enumerate() {
            centers.push(parse_center(entry, value, dir)?);
        }
        let certs: Vec<Cert> = centers.iter().map(|c| c.cert.clone()).collect();
        reject_duplicates(&certs, |i| {
            let center = &centers[i];
            TrustError::Field {
                entry: i,
                name: Some(center.name.clone()),
                field: "certificate",
                detail: "the same certificate is listed by an earlier entry".to_owned(),
            }
        })?;
        Self::from_centers(centers, TrustListForm::Json)
    }
}

fn shape(detail: &str) -> TrustError {
    TrustError::Shape {
        detail: detail.to_owned(),
    }
}

fn parse_center(
    entry: usize,
    value: &Value,
    dir: Option<&Path>,
) -> Result<TrustedCenter, TrustError> {
    let Value::Object(map) = value else {
        return Err(TrustError::Field {
            entry,
            name: None,
            field: "centers",
            detail: "each center must be an object".to_owned(),
        });
    };
    let name = match map.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            return Err(TrustError::Field {
                entry,
                name: None,
                field: "name",
                detail: "a non-empty string is required".to_owned(),
            });
        }
    };
    let err = |field: &'static str, detail: String| TrustError::Field {
        entry,
        name: Some(name.clone()),
        field,
        detail,
    };
    const KNOWN: [&str; 6] = [
        "name",
        "certificate",
        "certificate_file",
        "accredited_from",
        "accredited_until",
        "foreign",
    ];
    if let Some(key) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(TrustError::Field {
            entry,
            name: Some(name.clone()),
            field: "centers",
            detail: format!("unknown field `{key}` (known: {})", KNOWN.join(", ")),
        });
    }
    let bytes = match (map.get("certificate"), map.get("certificate_file")) {
        (Some(_), Some(_)) => {
            return Err(err(
                "certificate",
                "give either `certificate` or `certificate_file`, not both".to_owned(),
            ));
        }
        (None, None) => {
            return Err(err(
                "certificate",
                "missing: give `certificate` (PEM text) or `certificate_file` (a path)".to_owned(),
            ));
        }
        (Some(Value::String(pem)), None) => pem.as_bytes().to_vec(),
        (Some(_), None) => {
            return Err(err(
                "certificate",
                "must be a string holding one PEM `CERTIFICATE` block".to_owned(),
            ));
        }
        (None, Some(Value::String(file))) => {
            let Some(dir) = dir else {
                return Err(err(
                    "certificate_file",
                    "a file reference needs a list loaded from a file".to_owned(),
                ));
            };
            let path: PathBuf = dir.join(file);
            read_bounded(&path).map_err(|e| err("certificate_file", e.to_string()))?
        }
        (None, Some(_)) => {
            return Err(err(
                "certificate_file",
                "must be a string (a path relative to the list's folder)".to_owned(),
            ));
        }
    };
    let field = if map.contains_key("certificate") {
        "certificate"
    } else {
        "certificate_file"
    };
    let certs = Cert::all_from_pem_or_der(&bytes).map_err(|e| err(field, e.to_string()))?;
    let cert = match <[Cert; 1]>::try_from(certs) {
        Ok([cert]) => cert,
        Err(certs) => {
            return Err(err(
                field,
                format!(
                    "holds {} certificates; one center has exactly one",
                    certs.len()
                ),
            ));
        }
    };
    let time_field = |field: &'static str| -> Result<Option<OffsetDateTime>, TrustError> {
        match map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339).map(Some).map_err(|e| {
                err(
                    field,
                    format!("{s:?} is not an RFC 3339 time such as 2024-01-01T00:00:00Z: {e}"),
                )
            }),
            Some(other) => Err(err(
                field,
                format!("must be an RFC 3339 string or null, found {other}"),
            )),
        }
    };
    let accredited_from = time_field("accredited_from")?;
    let accredited_until = time_field("accredited_until")?;
    if let (Some(from), Some(until)) = (accredited_from, accredited_until)
        && until < from
    {
        return Err(err(
            "accredited_until",
            "the period ends before it starts (accredited_until < accredited_from)".to_owned(),
        ));
    }
    // EDS law art. 20-2.2: an issuing center is accredited for at most three years; a root
    // (self-issued) needs no accreditation (20-2.1).
    let role = if cert.is_self_issued() {
        CenterRole::Root
    } else {
        CenterRole::Issuing
    };
    accreditation::check_period(role, accredited_from, accredited_until)
        .map_err(|e| err("accredited_until", e.to_string()))?;
    let foreign = match map.get("foreign") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(err(
                "foreign",
                format!("must be true or false, found {other}"),
            ));
        }
    };
    Ok(TrustedCenter {
        name,
        cert,
        accredited_from,
        accredited_until,
        foreign,
    })
}

fn reject_duplicates(
    certs: &[Cert],
    error: impl Fn(usize) -> TrustError,
) -> Result<(), TrustError> {
    for (i, cert) in certs.iter().enumerate() {
        if certs[..i].iter().any(|earlier| earlier == cert) {
            return Err(error(i));
        }
    }
    Ok(())
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, TrustError> {
    let read_err = |e: std::io::Error| TrustError::Read {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_LIST_BYTES {
        return Err(TrustError::TooLarge { size });
    }
    std::fs::read(path).map_err(read_err)
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

fn list_id(centers: &[TrustedCenter]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let time = |t: Option<OffsetDateTime>| {
        t.map_or([0xFF; 16], |t| t.unix_timestamp_nanos().to_be_bytes())
    };
    for c in centers {
        ctx.update(c.cert.sha256());
        ctx.update(&time(c.accredited_from));
        ctx.update(&time(c.accredited_until));
        ctx.update(&[u8::from(c.foreign)]);
    }
    let mut id = [0u8; 32];
    id.copy_from_slice(ctx.finish().as_ref());
    id
}

/// The format's documentation, `docs/trust-list.md`, whose example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../docs/trust-list.md")]
pub struct TrustListFormatDoc;

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use eds_fixtures::pki::TestPki;

    use super::*;

    fn json_with(root_pem: &str, extra: &str) -> String {
        format!(
            r#"{{"version": 1, "centers": [{{"name": "Root", "certificate": {}{extra}}}]}}"#,
            serde_json::to_string(root_pem).unwrap()
        )
    }

    #[test]
    fn ok_json_with_period_and_foreign_flag() {
        let pki = TestPki::new();
        let json = json_with(
            &pki.root().pem(),
            r#", "accredited_from": "2020-01-01T00:00:00Z", "accredited_until": null, "foreign": true"#,
        );
        let list = TrustList::from_bytes(json.as_bytes()).unwrap();
        assert_eq!(list.form(), TrustListForm::Json);
        let c = &list.centers()[0];
        assert_eq!(c.name, "Root");
        assert!(c.foreign);
        assert_eq!(c.accredited_until, None);
        assert!(!c.accredited_at(time::macros::datetime!(2019-12-31 23:59:59 UTC)));
        assert!(c.accredited_at(time::macros::datetime!(2020-01-01 00:00 UTC)));
        assert!(c.accredited_at(time::macros::datetime!(2999-01-01 00:00 UTC)));
    }

    /// EDS law art. 20-2.2: an issuing center's accreditation lasts at most three years; a root
    /// needs none (20-2.1), so its listed period is not limited.
    #[test]
    fn art20_2_2_issuing_center_period_over_three_years_refused() {
        let pki = TestPki::new();
        let four_years = r#", "accredited_from": "2024-01-01T00:00:00Z", "accredited_until": "2028-01-01T00:00:00Z""#;
        let e = TrustList::from_bytes(json_with(&pki.issuing().pem(), four_years).as_bytes())
            .unwrap_err();
        assert!(
            matches!(&e, TrustError::Field { field: "accredited_until", detail, .. }
                if detail.contains("longer than three years (art. 20-2.2")),
            "{e}"
        );
        let three_years = r#", "accredited_from": "2024-01-01T00:00:00Z", "accredited_until": "2027-01-01T00:00:00Z""#;
        assert!(
            TrustList::from_bytes(json_with(&pki.issuing().pem(), three_years).as_bytes()).is_ok()
        );
        assert!(TrustList::from_bytes(json_with(&pki.root().pem(), four_years).as_bytes()).is_ok());
    }

    #[test]
    fn ok_pem_bundle_and_same_id_for_same_content() {
        let pki = TestPki::new();
        let bundle = format!("{}{}", pki.root().pem(), pki.issuing().pem());
        let a = TrustList::from_bytes(bundle.as_bytes()).unwrap();
        let b = TrustList::from_bytes(bundle.as_bytes()).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a.form(), TrustListForm::Certificates);
        assert_eq!(a.id(), b.id());
        assert!(a.centers()[0].accredited_at(OffsetDateTime::UNIX_EPOCH));
        let one = TrustList::from_bytes(pki.root().der()).unwrap();
        assert_ne!(one.id(), a.id());
    }

    #[test]
    fn fail_bad_time_names_entry_and_field() {
        let pki = TestPki::new();
        let json = json_with(&pki.root().pem(), r#", "accredited_until": "yesterday""#);
        let err = TrustList::from_bytes(json.as_bytes()).unwrap_err();
        let TrustError::Field {
            entry, name, field, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (*entry, name.as_deref(), *field),
            (0, Some("Root"), "accredited_until")
        );
    }

    #[test]
    fn fail_reversed_period() {
        let pki = TestPki::new();
        let json = json_with(
            &pki.root().pem(),
            r#", "accredited_from": "2025-01-01T00:00:00Z", "accredited_until": "2024-01-01T00:00:00Z""#,
        );
        let err = TrustList::from_bytes(json.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                TrustError::Field {
                    field: "accredited_until",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn fail_shapes() {
        assert!(matches!(
            TrustList::from_bytes(b"{\"version\": 2, \"centers\": []}"),
            Err(TrustError::Shape { .. })
        ));
        assert!(matches!(
            TrustList::from_bytes(b"{\"version\": 1, \"centers\": []}"),
            Err(TrustError::Empty)
        ));
        assert!(matches!(
            TrustList::from_bytes(b"{\"version\": 1, \"centers\": [}"),
            Err(TrustError::Json { line: 1, .. })
        ));
        assert!(matches!(
            TrustList::from_bytes(b"{\"version\": 1, \"centres\": []}"),
            Err(TrustError::Shape { .. })
        ));
        assert!(matches!(
            TrustList::from_bytes(b"  \n"),
            Err(TrustError::Empty)
        ));
        assert!(matches!(
            TrustList::from_bytes(b"garbage"),
            Err(TrustError::Bundle { .. })
        ));
        let missing = TrustList::from_bytes(br#"{"version": 1, "centers": [{"name": "A"}]}"#);
        assert!(matches!(
            missing,
            Err(TrustError::Field {
                entry: 0,
                field: "certificate",
                ..
            })
        ));
        let file = TrustList::from_bytes(
            br#"{"version": 1, "centers": [{"name": "A", "certificate_file": "a.pem"}]}"#,
        );
        assert!(matches!(
            file,
            Err(TrustError::Field {
                field: "certificate_file",
                ..
            })
        ));
    }

    #[test]
    fn fuzz_seeds_read_as_their_names_say() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/verifier_trust");
        let read = |name: &str| TrustList::from_bytes(&std::fs::read(dir.join(name)).unwrap());
        let list = read("list.json").unwrap();
        assert_eq!(list.len(), 2);
        assert!(list.centers()[1].foreign);
        assert_eq!(
            list.centers()[0].accredited_until,
            Some(time::macros::datetime!(2024-03-13 17:59:59 UTC))
        );
        assert_eq!(read("open-period.json").unwrap().len(), 1);
        assert_eq!(read("bundle.pem").unwrap().len(), 2);
        assert_eq!(read("one.der").unwrap().len(), 1);
        assert!(matches!(
            read("wrong-types.json"),
            Err(TrustError::Field {
                field: "certificate",
                ..
            })
        ));
        assert!(matches!(
            read("wrong-version.json"),
            Err(TrustError::Shape { .. })
        ));
        assert!(matches!(
            read("file-ref.json"),
            Err(TrustError::Field {
                field: "certificate_file",
                ..
            })
        ));
    }

    /// The fuzz seeds, mutated deterministically (byte flips, truncations, insertions), never
    /// panic the reader: the no-panic part of the fuzz target, run in every test run.
    #[test]
    fn no_panic_on_mutated_seeds() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/verifier_trust");
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for entry in std::fs::read_dir(&dir).unwrap() {
            let seed = std::fs::read(entry.unwrap().path()).unwrap();
            for round in 0..2000 {
                let mut input = seed.clone();
                let len = u64::try_from(input.len().max(1)).unwrap();
                let at = usize::try_from(next() % len).unwrap();
                match round % 4 {
                    0 => {
                        if let Some(b) = input.get_mut(at) {
                            *b ^= u8::try_from(next() % 255 + 1).unwrap();
                        }
                    }
                    1 => input.truncate(at),
                    2 => {
                        let bytes = b"{}[],:\"\\-\n0";
                        input.insert(at.min(input.len()), bytes[at % bytes.len()]);
                    }
                    _ => {
                        let cut = usize::try_from(next() % 64).unwrap();
                        input.drain(at..(at + cut).min(input.len()));
                    }
                }
                let _ = TrustList::from_bytes(&input);
            }
        }
    }

    #[test]
    fn fail_duplicate_certificate() {
        let pki = TestPki::new();
        let bundle = format!("{}{}", pki.root().pem(), pki.root().pem());
        assert!(matches!(
            TrustList::from_bytes(bundle.as_bytes()),
            Err(TrustError::Bundle { .. })
        ));
    }

    #[test]
    fn ok_load_resolves_files_relative_to_the_list() {
        let pki = TestPki::new();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("certs")).unwrap();
        std::fs::write(dir.path().join("certs/root.pem"), pki.root().pem()).unwrap();
        let list_path = dir.path().join("trust.json");
        std::fs::write(
            &list_path,
            r#"{"version": 1, "centers": [{"name": "Root", "certificate_file": "certs/root.pem"}]}"#,
        )
        .unwrap();
        let list = TrustList::load(&list_path).unwrap();
        assert_eq!(list.centers()[0].cert.der(), pki.root().der());
        std::fs::remove_file(dir.path().join("certs/root.pem")).unwrap();
        assert!(matches!(
            TrustList::load(&list_path),
            Err(TrustError::Field {
                field: "certificate_file",
                ..
            })
        ));
    }
}
