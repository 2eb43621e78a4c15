//! Certificate revocation lists (RFC 5280 §5) of the issuing center.
//!
//! EDS law art. 18.3: the register changes within one day of the notification, so each CRL's
//! nextUpdate is at most 24 hours after its thisUpdate ([`crate::config::MAX_CRL_VALIDITY_HOURS`]).
//! Entries carry the reason code of their ground (never certificateHold: the law knows no
//! suspension) and the invalidity date when one is known. The authority key identifier is the
//! issuing certificate's subject key identifier, copied, not recomputed. Expired revoked
//! certificates leave the CRL (RFC 5280 §3.3) but stay in the register (art. 16.2).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use serde::Serialize;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use eds_profile::grounds::CrlReason;

use crate::center::{Activity, Center, ISSUING, IssuingKey, truncate_to_seconds};
use crate::error::CaError;
use crate::store::{AuditEvent, Counter, Publication};

/// A signed CRL and what it says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crl {
    /// The CRL number (RFC 5280 §5.2.3), strictly increasing.
    pub number: u64,
    /// thisUpdate.
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    /// nextUpdate.
    #[serde(with = "time::serde::rfc3339")]
    pub next_update: OffsetDateTime,
    /// Number of revoked certificates listed.
    pub entries: u64,
    /// The CRL, DER.
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl Crl {
    /// The CRL in PEM (`X509 CRL`).
    pub fn pem(&self) -> String {
        pem::encode(&pem::Pem::new("X509 CRL", self.der.clone()))
    }
}

impl Center {
    /// Builds and signs a full CRL of the issuing center as of `now`, taking the next CRL number.
    ///
    /// The entries are encoded as the register streams them (see [`StreamedCrl`]), for the
    /// algorithms the center makes keys for (ECDSA P-256, P-384, Ed25519, GOST 2015-512: the
    /// key's [`crate::center_key::CenterKey::signature_algorithm`]); a key of any other
    /// algorithm goes through rcgen's CRL builder, which encodes the same fields the same way
    /// from an entry list in memory.
    pub fn crl(&self, key: &IssuingKey, actor: &str, now: OffsetDateTime) -> Result<Crl, CaError> {
        self.crl_until(key, actor, now, None)
    }

    /// [`Center::crl`] with `nextUpdate` at `until` when given (the final CRL of a center that
    /// stopped, see [`Center::publish_final_crl`]), else `crl_validity_hours` after `now`.
    fn crl_until(
        &self,
        key: &IssuingKey,
        actor: &str,
        now: OffsetDateTime,
        until: Option<OffsetDateTime>,
    ) -> Result<Crl, CaError> {
        let this_update = truncate_to_seconds(now);
        let next_update = until.map(truncate_to_seconds).unwrap_or_else(|| {
            this_update + Duration::hours(i64::from(self.config().crl_validity_hours))
        });
        let Ok(algorithm) = key.key().signature_algorithm_der() else {
            return self.crl_rcgen(key, actor, this_update, next_update);
        };
        let mut streamed = StreamedCrl::new(&algorithm);
        let entries = self
            .store()
            .for_each_revoked(ISSUING, this_update, &mut |e| {
                streamed.push(
                    e.serial.as_bytes(),
                    e.revoked_at,
                    e.reason,
                    e.invalidity_date,
                );
                Ok(())
            })?;
        let number = self.next_number(actor, entries, this_update, next_update)?;
        let issuer = issuing_subject(self.issuing_der())?;
        let der = streamed.finish(
            &issuer,
            this_update,
            next_update,
            key.key_identifier(),
            number,
            &|tbs| key.key().sign(tbs),
        )?;
        Ok(Crl {
            number,
            this_update,
            next_update,
            entries,
            der,
        })
    }

    /// Takes the next CRL number, with its audit entry.
    fn next_number(
        &self,
        actor: &str,
        entries: u64,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<u64, CaError> {
        Ok(self.store().next_value(
            Counter::CrlNumber { issuer: ISSUING },
            &AuditEvent {
                at: this_update,
                actor: actor.to_owned(),
                action: "crl-issued".into(),
                details: json!({
                    "entries": entries,
                    "this_update": this_update.unix_timestamp(),
                    "next_update": next_update.unix_timestamp(),
                }),
            },
        )?)
    }

    /// The CRL through rcgen's builder: every entry collected first, then encoded and signed.
    fn crl_rcgen(
        &self,
        key: &IssuingKey,
        actor: &str,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<Crl, CaError> {
        let mut revoked = Vec::new();
        let entries = self
            .store()
            .for_each_revoked(ISSUING, this_update, &mut |e| {
                revoked.push(rcgen_entry(
                    e.serial.as_bytes(),
                    e.revoked_at,
                    e.reason,
                    e.invalidity_date,
                ));
                Ok(())
            })?;
        let number = self.next_number(actor, entries, this_update, next_update)?;
        let crl = rcgen_params(
            this_update,
            next_update,
            key.key_identifier(),
            number,
            revoked,
        )
        .signed_by(&key.issuer()?)
        .map_err(|e| CaError::build("CRL", e))?;
        Ok(Crl {
            number,
            this_update,
            next_update,
            entries,
            der: crl.der().to_vec(),
        })
    }

    /// Takes the next CRL number, signs and publishes, holding the register's CRL publication
    /// lock ([`Publication::Crl`]: every process on a shared PostgreSQL register) and then an
    /// exclusive lock on `crl/.lock` throughout, so concurrent publishers write their CRLs in
    /// number order and the DER and PEM files always hold the same CRL (see [`publish_pair`]).
    /// Once written, the CRL is announced to the register's other servers
    /// ([`crate::store::RegisterEvent::CrlPublished`]).
    pub fn issue_and_publish_crl(
        &self,
        key: &IssuingKey,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(Crl, [PathBuf; 2]), CaError> {
        self.check_active_for(now, Activity::PublishCrl)?;
        self.publish_crl_until(key, actor, now, None)
    }

    /// The final CRL of a center that stopped (EDS law art. 22.4, RFC 5280 §5.1.2.5): issued and
    /// published as [`Center::issue_and_publish_crl`] does, on or after the stop day, with
    /// `nextUpdate` at `until` (the end of the issuing certificate's validity: no certificate
    /// it lists can be relied on later, so the list stays current as long as any could).
    pub fn publish_final_crl(
        &self,
        key: &IssuingKey,
        actor: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<(Crl, [PathBuf; 2]), CaError> {
        self.publish_crl_until(key, actor, now, Some(until))
    }

    fn publish_crl_until(
        &self,
        key: &IssuingKey,
        actor: &str,
        now: OffsetDateTime,
        until: Option<OffsetDateTime>,
    ) -> Result<(Crl, [PathBuf; 2]), CaError> {
        let mut register_lock = self.store().lock_publication(Publication::Crl)?;
        let dir = self.dir().join("crl");
        let lock = lock_crl_dir(&dir)?;
        let crl = self.crl_until(key, actor, now, until)?;
        let paths = publish_pair(&dir, ISSUING_FILE, &crl)?;
        // Closing the file releases the lock; an error here leaves nothing to undo.
        drop(lock);
        // The CRL is published whatever happens to its announcement (a lost connection): the
        // other servers find it in the folder at their next poll.
        let _ = register_lock.announce_crl(crl.number);
        drop(register_lock);
        Ok((crl, paths))
    }

    /// Completes a publication of the issuing or root CRL that a killed process left between
    /// its two renames (see [`publish_pair`]), under `crl/.lock`. [`Center::open`] calls it.
    pub fn finish_crl_publication(&self) -> Result<(), CaError> {
        let dir = self.dir().join("crl");
        if !dir.is_dir() {
            return Ok(());
        }
        let lock = lock_crl_dir(&dir)?;
        finish_pending(&dir, ISSUING_FILE)?;
        finish_pending(&dir, crate::root_crl::FILE)?;
        drop(lock);
        Ok(())
    }
}

/// The issuing center's CRL file name in `crl/` (DER; `.pem` beside it).
pub const ISSUING_FILE: &str = "issuing.crl";

/// Creates `dir` and takes the exclusive lock on `dir/.lock`; closing the returned file
/// releases it.
pub(crate) fn lock_crl_dir(dir: &Path) -> Result<File, CaError> {
    if !dir.is_dir() {
        crate::keys::create_private_dir(dir)?;
    }
    let lock_path = dir.join(".lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .map_err(|e| CaError::io(&lock_path, &e))?;
    lock.lock().map_err(|e| CaError::io(&lock_path, &e))?;
    Ok(lock)
}

/// Publishes `crl` as `dir/name` (DER) and `dir/name.pem` so that a process killed at any point
/// leaves both files old or both new once [`finish_pending`] has run (the next publication or
/// [`Center::open`] runs it). The caller holds `dir/.lock`.
///
/// Steps: finish what an earlier killed publisher left; write both files under temporary names
/// in `dir` (`.name.new`, `.name.pem.new`) and fsync them; fsync `dir`; rename the DER file,
/// then the PEM file, over the published ones; fsync `dir`. Until the first rename the old pair
/// stands and the temporary files are discarded by recovery; after it, the PEM file's temporary
/// name is the only one left, and recovery renames it in. Two files cannot be replaced by one
/// rename (POSIX `rename` is atomic per name), hence the roll-forward.
pub(crate) fn publish_pair(dir: &Path, name: &str, crl: &Crl) -> Result<[PathBuf; 2], CaError> {
    finish_pending(dir, name)?;
    let [der_path, pem_path] = published_paths(dir, name);
    let [der_tmp, pem_tmp] = pending_paths(dir, name);
    write_synced(&der_tmp, &crl.der)?;
    write_synced(&pem_tmp, crl.pem().as_bytes())?;
    sync_dir(dir)?;
    std::fs::rename(&der_tmp, &der_path).map_err(|e| CaError::io(&der_path, &e))?;
    std::fs::rename(&pem_tmp, &pem_path).map_err(|e| CaError::io(&pem_path, &e))?;
    sync_dir(dir)?;
    Ok([der_path, pem_path])
}

/// Recovery of [`publish_pair`]: a DER temporary means no rename happened (both temporaries are
/// discarded, the old pair stands); a PEM temporary alone means the DER file is already the new
/// one (the PEM temporary is renamed in). The caller holds `dir/.lock`.
pub(crate) fn finish_pending(dir: &Path, name: &str) -> Result<(), CaError> {
    let [der_tmp, pem_tmp] = pending_paths(dir, name);
    if der_tmp.exists() {
        for tmp in [&der_tmp, &pem_tmp] {
            match std::fs::remove_file(tmp) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(CaError::io(tmp, &e)),
            }
        }
        return sync_dir(dir);
    }
    if pem_tmp.exists() {
        let [_, pem_path] = published_paths(dir, name);
        std::fs::rename(&pem_tmp, &pem_path).map_err(|e| CaError::io(&pem_path, &e))?;
        return sync_dir(dir);
    }
    Ok(())
}

fn published_paths(dir: &Path, name: &str) -> [PathBuf; 2] {
    [dir.join(name), dir.join(format!("{name}.pem"))]
}

fn pending_paths(dir: &Path, name: &str) -> [PathBuf; 2] {
    [
        dir.join(format!(".{name}.new")),
        dir.join(format!(".{name}.pem.new")),
    ]
}

fn write_synced(path: &Path, contents: &[u8]) -> Result<(), CaError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(path)
        .map_err(|e| CaError::io(path, &e))?;
    f.write_all(contents).map_err(|e| CaError::io(path, &e))?;
    f.sync_all().map_err(|e| CaError::io(path, &e))
}

fn sync_dir(dir: &Path) -> Result<(), CaError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| CaError::io(dir, &e))
}

pub(crate) fn rcgen_entry(
    serial: &[u8],
    revoked_at: OffsetDateTime,
    reason: CrlReason,
    invalidity_date: Option<OffsetDateTime>,
) -> RevokedCertParams {
    RevokedCertParams {
        serial_number: SerialNumber::from_slice(serial),
        revocation_time: revoked_at,
        reason_code: Some(rcgen_reason(reason)),
        invalidity_date,
    }
}

pub(crate) fn rcgen_params(
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    key_identifier: &[u8],
    number: u64,
    revoked: Vec<RevokedCertParams>,
) -> CertificateRevocationListParams {
    CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: KeyIdMethod::PreSpecified(key_identifier.to_vec()),
    }
}

fn rcgen_reason(r: CrlReason) -> RevocationReason {
    match r {
        CrlReason::KeyCompromise => RevocationReason::KeyCompromise,
        CrlReason::AffiliationChanged => RevocationReason::AffiliationChanged,
        CrlReason::Superseded => RevocationReason::Superseded,
        CrlReason::CessationOfOperation => RevocationReason::CessationOfOperation,
        CrlReason::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
        // rcgen omits the extension for unspecified, as RFC 5280 §5.3.1 asks.
        _ => RevocationReason::Unspecified,
    }
}

/// The issuing certificate's subject, as it is encoded there: a CRL's issuer must match it
/// octet for octet (RFC 5280 §5.1.2.3).
fn issuing_subject(der: &[u8]) -> Result<Vec<u8>, CaError> {
    use x509_parser::prelude::FromDer as _;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).map_err(|e| {
        CaError::Internal {
            reason: format!("the issuing certificate does not parse: {e}"),
        }
    })?;
    Ok(cert.subject().as_raw().to_vec())
}

/// A CRL (RFC 5280 §5.1) encoded while its entries arrive, so a million entries need neither an
/// entry list nor a second pass. Hand-written DER rather than rcgen's builder: rcgen wants every
/// entry in a `Vec` of its own type first (two allocations per entry) and then walks it again to
/// encode, which took 0.3 s of the 0.5 s of a million-entry CRL (`docs/benchmarks.md`). The
/// encoding is rcgen's, field for field (a test compares the two byte for byte): UTCTime for
/// 1950–2049 and GeneralizedTime otherwise, no reasonCode for unspecified, invalidityDate as
/// GeneralizedTime, AKI then CRL number.
///
/// Layout: each entry's DER is appended to one buffer after [`StreamedCrl::ROOM`] octets left
/// free. When the last entry is in, the head of the TBSCertList (version … nextUpdate and the
/// list's own header) goes into that room just before the entries, the extensions after them, the
/// TBSCertList is signed where it lies, and the CRL's outer header goes in front of it.
pub(crate) struct StreamedCrl {
    buf: Vec<u8>,
    entry: Vec<u8>,
    exts: Vec<u8>,
    algorithm: Vec<u8>,
}

impl StreamedCrl {
    /// Room for the head and the outer header: an issuer name of up to about 900 octets; a longer
    /// one moves the entries once.
    const ROOM: usize = 1024;

    pub(crate) fn new(algorithm: &[u8]) -> Self {
        Self {
            buf: vec![0; Self::ROOM],
            entry: Vec::with_capacity(64),
            exts: Vec::with_capacity(48),
            algorithm: algorithm.to_vec(),
        }
    }

    /// Appends one revokedCertificates entry; `serial` is the DER INTEGER's content octets
    /// (minimal and positive, as the register keeps them).
    pub(crate) fn push(
        &mut self,
        serial: &[u8],
        revoked_at: OffsetDateTime,
        reason: CrlReason,
        invalidity_date: Option<OffsetDateTime>,
    ) {
        let entry = &mut self.entry;
        entry.clear();
        der_tlv(entry, 0x02, serial);
        der_time(entry, revoked_at, false);
        // `rcgen_reason` maps every reason it does not name to unspecified, which has no
        // extension; the same here.
        let code = match rcgen_reason(reason) {
            RevocationReason::Unspecified => None,
            _ => Some(reason.code()),
        };
        if code.is_some() || invalidity_date.is_some() {
            let exts = &mut self.exts;
            exts.clear();
            if let Some(code) = code {
                // Extension { id-ce-cRLReasons 2.5.29.21, OCTET STRING { ENUMERATED code } }
                exts.extend_from_slice(&[
                    0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x15, 0x04, 0x03, 0x0A, 0x01, code,
                ]);
            }
            if let Some(t) = invalidity_date {
                // Extension { id-ce-invalidityDate 2.5.29.24, OCTET STRING { GeneralizedTime } }:
                // the time is always 17 octets (`der_time` writes 4-digit years).
                exts.extend_from_slice(&[0x30, 0x18, 0x06, 0x03, 0x55, 0x1D, 0x18, 0x04, 0x11]);
                der_time(exts, t, true);
            }
            der_tlv(entry, 0x30, exts);
        }
        der_tlv(&mut self.buf, 0x30, entry);
    }

    /// Completes, signs with `sign` (which gets the TBSCertList and returns the signature value)
    /// and returns the CRL's DER.
    pub(crate) fn finish(
        mut self,
        issuer: &[u8],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        key_identifier: &[u8],
        number: u64,
        sign: &SignFn<'_>,
    ) -> Result<Vec<u8>, CaError> {
        let entries_len = self.buf.len() - Self::ROOM;
        // version v2, signature, issuer, thisUpdate, nextUpdate, revokedCertificates header.
        let mut head = Vec::with_capacity(64 + issuer.len());
        head.extend_from_slice(&[0x02, 0x01, 0x01]);
        head.extend_from_slice(&self.algorithm);
        head.extend_from_slice(issuer);
        der_time(&mut head, this_update, false);
        der_time(&mut head, next_update, false);
        // RFC 5280 §5.1.2.6: no revoked certificates, no list.
        if entries_len > 0 {
            der_header(&mut head, 0x30, entries_len);
        }

        // crlExtensions [0]: authorityKeyIdentifier { keyIdentifier [0] }, cRLNumber.
        let mut aki = Vec::with_capacity(key_identifier.len() + 4);
        der_tlv(&mut aki, 0x80, key_identifier);
        let mut aki_seq = Vec::with_capacity(aki.len() + 4);
        der_tlv(&mut aki_seq, 0x30, &aki);
        let mut ext = vec![0x06, 0x03, 0x55, 0x1D, 0x23];
        der_tlv(&mut ext, 0x04, &aki_seq);
        let mut extensions = Vec::with_capacity(64);
        der_tlv(&mut extensions, 0x30, &ext);
        let mut num = Vec::with_capacity(12);
        der_tlv(&mut num, 0x02, &unsigned_integer(number));
        let mut ext = vec![0x06, 0x03, 0x55, 0x1D, 0x14];
        der_tlv(&mut ext, 0x04, &num);
        der_tlv(&mut extensions, 0x30, &ext);
        let mut sequence = Vec::with_capacity(extensions.len() + 4);
        der_tlv(&mut sequence, 0x30, &extensions);
        der_tlv(&mut self.buf, 0xA0, &sequence);

        let mut tbs_header = Vec::with_capacity(6);
        der_header(
            &mut tbs_header,
            0x30,
            head.len() + self.buf.len() - Self::ROOM,
        );
        // The outer header takes at most 6 octets more (a length below 2^32).
        let front = tbs_header.len() + head.len() + 6;
        let more = front.saturating_sub(Self::ROOM);
        if more > 0 {
            self.buf.splice(0..0, std::iter::repeat_n(0, more));
        }
        // Where the entries (or, with none, the extensions) begin.
        let room = Self::ROOM + more;
        let start = room - head.len() - tbs_header.len();
        self.buf
            .get_mut(start..room - head.len())
            .ok_or_else(|| internal("TBSCertList header"))?
            .copy_from_slice(&tbs_header);
        self.buf
            .get_mut(room - head.len()..room)
            .ok_or_else(|| internal("TBSCertList head"))?
            .copy_from_slice(&head);

        let signature = sign(
            self.buf
                .get(start..)
                .ok_or_else(|| internal("TBSCertList"))?,
        )?;
        self.buf.extend_from_slice(&self.algorithm);
        der_header(&mut self.buf, 0x03, signature.len() + 1);
        self.buf.push(0);
        self.buf.extend_from_slice(&signature);
        let mut outer = Vec::with_capacity(6);
        der_header(&mut outer, 0x30, self.buf.len() - start);
        let begin = start
            .checked_sub(outer.len())
            .ok_or_else(|| internal("CertificateList header"))?;
        self.buf
            .get_mut(begin..start)
            .ok_or_else(|| internal("CertificateList header"))?
            .copy_from_slice(&outer);
        // One move in place (about 5 ms for 52 MiB) so the CRL starts at offset 0.
        self.buf.drain(..begin);
        Ok(self.buf)
    }
}

/// Signs a TBSCertList, returning the signature value.
pub(crate) type SignFn<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, CaError> + 'a;

fn internal(what: &str) -> CaError {
    CaError::Internal {
        reason: format!("CRL encoder: no room for the {what}"),
    }
}

/// The content octets of a DER INTEGER holding `n` (minimal, with a 0x00 before a high bit).
fn unsigned_integer(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let magnitude = bytes.get(first..).unwrap_or_default();
    let mut out = Vec::with_capacity(9);
    if magnitude.first().is_some_and(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(magnitude);
    out
}

fn der_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    der_header(out, tag, content.len());
    out.extend_from_slice(content);
}

/// A tag of one octet and a definite length (X.690 §8.1.3: short form below 128, else the
/// minimal long form).
fn der_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    let bytes = len.to_be_bytes();
    if len < 0x80 {
        out.push(bytes.last().copied().unwrap_or(0));
    } else {
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(0);
        let tail = bytes.get(first..).unwrap_or_default();
        out.push(0x80 | u8::try_from(tail.len()).unwrap_or(0));
        out.extend_from_slice(tail);
    }
}

/// UTCTime `YYMMDDHHMMSSZ` for 1950–2049 unless `generalized` (RFC 5280 §5.1.2.4), else
/// GeneralizedTime `YYYYMMDDHHMMSSZ`; seconds, no fraction (RFC 5280 §4.1.2.5.2).
fn der_time(out: &mut Vec<u8>, t: OffsetDateTime, generalized: bool) {
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    let utc = !generalized && (1950..2050).contains(&year);
    let mut digits = [0u8; 14];
    let mut len = 0;
    let mut put = |value: u32, width: u32| {
        for k in (0..width).rev() {
            let d = value / 10u32.pow(k) % 10;
            if let Some(slot) = digits.get_mut(len) {
                *slot = b'0' + u8::try_from(d).unwrap_or(0);
            }
            len += 1;
        }
    };
    // Years before 0 or after 9999 cannot be written in either form; rcgen's types cannot hold
    // them either, and the register's instants come from 64-bit Unix seconds within time's range.
    let year = u32::try_from(year).unwrap_or(0);
    if utc {
        put(year % 100, 2);
    } else {
        put(year % 10_000, 4);
    }
    put(u32::from(u8::from(t.month())), 2);
    put(u32::from(t.day()), 2);
    put(u32::from(t.hour()), 2);
    put(u32::from(t.minute()), 2);
    put(u32::from(t.second()), 2);
    der_header(out, if utc { 0x17 } else { 0x18 }, len + 1);
    out.extend_from_slice(digits.get(..len).unwrap_or_default());
    out.push(b'Z');
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use rcgen::{
        CertificateParams, DistinguishedName, DnType, Issuer, KeyPair, PublicKeyData,
        SignatureAlgorithm, SigningKey,
    };
    use ring::rand::SystemRandom;
    use time::macros::datetime;
    use x509_parser::prelude::FromDer;
    use x509_parser::revocation_list::CertificateRevocationList;

    use super::*;
    use crate::config::CenterConfig;
    use crate::keys::KeyAlgorithm;
    use crate::store::{CertificateRecord, RevocationRecord, Serial};
    use eds_profile::grounds::RevocationGround;

    /// A key that "signs" with a fixed value, so rcgen's CRL and the streamed one can be compared
    /// whole, signature included.
    struct Fixed {
        public: Vec<u8>,
        alg: &'static SignatureAlgorithm,
    }

    impl PublicKeyData for Fixed {
        fn der_bytes(&self) -> &[u8] {
            &self.public
        }
        fn algorithm(&self) -> &'static SignatureAlgorithm {
            self.alg
        }
    }

    impl SigningKey for Fixed {
        fn sign(&self, _msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
            Ok(vec![0x5A; 72])
        }
    }

    type Entry = (Vec<u8>, OffsetDateTime, CrlReason, Option<OffsetDateTime>);

    fn entries(n: usize) -> Vec<Entry> {
        let reasons = [
            CrlReason::Unspecified,
            CrlReason::KeyCompromise,
            CrlReason::AffiliationChanged,
            CrlReason::Superseded,
            CrlReason::CessationOfOperation,
            CrlReason::PrivilegeWithdrawn,
        ];
        let times = [
            datetime!(2026-11-21 23:59:59 UTC),
            // GeneralizedTime on both sides of UTCTime's range.
            datetime!(1949-12-31 23:59:59 UTC),
            datetime!(2050-01-01 00:00:00 UTC),
        ];
        (0..n)
            .map(|i| {
                let serial = match i % 4 {
                    0 => vec![0x01],
                    1 => vec![0x00, 0x80 | u8::try_from(i % 100).unwrap()],
                    _ => {
                        let mut s = vec![0x40; 20];
                        s[19] = u8::try_from(i % 256).unwrap();
                        s
                    }
                };
                let at = times[i % times.len()];
                let invalidity = (i % 5 == 0).then(|| at - Duration::days(1));
                (serial, at, reasons[i % reasons.len()], invalidity)
            })
            .collect()
    }

    #[test]
    fn ok_streamed_crl_is_rcgens_byte_for_byte() {
        let mut name = DistinguishedName::new();
        name.push(DnType::CountryName, "KZ");
        name.push(DnType::CommonName, "ТЕСТ ОРТАЛЫҒЫ — issuing");
        for (alg, rcgen_alg) in [
            (
                &rcgen::PKCS_ECDSA_P256_SHA256,
                &rcgen::PKCS_ECDSA_P256_SHA256,
            ),
            (
                &rcgen::PKCS_ECDSA_P384_SHA384,
                &rcgen::PKCS_ECDSA_P384_SHA384,
            ),
            (&rcgen::PKCS_ED25519, &rcgen::PKCS_ED25519),
        ] {
            let pair = KeyPair::generate_for(alg).unwrap();
            let mut params = CertificateParams::default();
            params.distinguished_name = name.clone();
            let ca = params.self_signed(&pair).unwrap();
            let fixed = Fixed {
                public: pair.der_bytes().to_vec(),
                alg: rcgen_alg,
            };
            let algorithm = match rcgen_alg {
                a if a == &rcgen::PKCS_ECDSA_P256_SHA256 => P256_ID,
                a if a == &rcgen::PKCS_ECDSA_P384_SHA384 => P384_ID,
                _ => ED25519_ID,
            };
            let issuer = Issuer::from_ca_cert_der(ca.der(), fixed).unwrap();
            let subject = issuing_subject(ca.der()).unwrap();
            let ski = [0x11; 20];
            // 0, 1, and enough entries for two- and three-octet lengths of the list.
            for n in [0usize, 1, 7, 3_000] {
                for (number, this_update) in [
                    (1u64, datetime!(2026-11-22 10:00:00 UTC)),
                    (127, datetime!(2026-11-22 10:00:00 UTC)),
                    (128, datetime!(2049-12-31 12:00:00 UTC)),
                    (65_536, datetime!(2026-11-22 10:00:00 UTC)),
                    (u64::MAX, datetime!(2026-11-22 10:00:00 UTC)),
                ] {
                    let next_update = this_update + Duration::hours(24);
                    let list = entries(n);
                    let mut streamed = StreamedCrl::new(algorithm);
                    for (serial, at, reason, invalidity) in &list {
                        streamed.push(serial, *at, *reason, *invalidity);
                    }
                    let ours = streamed
                        .finish(&subject, this_update, next_update, &ski, number, &|_| {
                            Ok(vec![0x5A; 72])
                        })
                        .unwrap();
                    let revoked = list
                        .iter()
                        .map(|(s, at, r, inv)| rcgen_entry(s, *at, *r, *inv))
                        .collect();
                    let theirs = rcgen_params(this_update, next_update, &ski, number, revoked)
                        .signed_by(&issuer)
                        .unwrap();
                    assert_eq!(
                        ours,
                        theirs.der().to_vec(),
                        "{alg:?}, {n} entries, number {number}"
                    );
                }
            }
        }
    }

    /// Issue 16 item 7: the streamed CRL is rcgen's byte for byte over random lists — serials of
    /// 1 to 20 octets (a sign octet where the first bit is set), revocation and invalidity dates
    /// from 1950 to 2099 (UTCTime and GeneralizedTime on both sides of 2050), every reason, 0 to
    /// 200 entries, any CRL number, random update times.
    #[test]
    fn prop_streamed_crl_is_rcgens_over_random_lists() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};

        let pair = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut name = DistinguishedName::new();
        name.push(DnType::CountryName, "KZ");
        name.push(DnType::CommonName, "ТЕСТ ОРТАЛЫҒЫ");
        let mut params = CertificateParams::default();
        params.distinguished_name = name;
        let ca = params.self_signed(&pair).unwrap();
        let issuer = Issuer::from_ca_cert_der(
            ca.der(),
            Fixed {
                public: pair.der_bytes().to_vec(),
                alg: &rcgen::PKCS_ECDSA_P256_SHA256,
            },
        )
        .unwrap();
        let subject = issuing_subject(ca.der()).unwrap();
        let reasons = [
            CrlReason::Unspecified,
            CrlReason::KeyCompromise,
            CrlReason::AffiliationChanged,
            CrlReason::Superseded,
            CrlReason::CessationOfOperation,
            CrlReason::PrivilegeWithdrawn,
        ];
        // 1950-01-01T00:00:00Z to 2099-12-31T23:59:59Z in whole seconds.
        let time = || {
            (-631_152_000i64..4_102_444_800)
                .prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
        };
        // The register's form: minimal, positive.
        let serial = proptest::collection::vec(any::<u8>(), 1..=20).prop_map(|bytes| {
            let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            let mut s = bytes[start..].to_vec();
            if s.is_empty() {
                s.push(1);
            }
            if s[0] & 0x80 != 0 {
                s.insert(0, 0);
            }
            s
        });
        let entry = (
            serial,
            time(),
            0..reasons.len(),
            proptest::option::of(time()),
        );
        let list = proptest::collection::vec(entry, 0..=200);
        let mut runner = TestRunner::new(Config {
            cases: 64,
            ..Config::default()
        });
        runner
            .run(
                &(list, any::<u64>(), time(), 1i64..=24),
                |(list, number, this_update, hours)| {
                    let next_update = this_update + Duration::hours(hours);
                    let ski = [0x22; 20];
                    let mut streamed = StreamedCrl::new(P256_ID);
                    for (serial, at, reason, invalidity) in &list {
                        streamed.push(serial, *at, reasons[*reason], *invalidity);
                    }
                    let ours = streamed
                        .finish(&subject, this_update, next_update, &ski, number, &|_| {
                            Ok(vec![0x5A; 72])
                        })
                        .unwrap();
                    let revoked = list
                        .iter()
                        .map(|(s, at, r, inv)| rcgen_entry(s, *at, reasons[*r], *inv))
                        .collect();
                    let theirs = rcgen_params(this_update, next_update, &ski, number, revoked)
                        .signed_by(&issuer)
                        .unwrap();
                    prop_assert_eq!(hex::encode(ours), hex::encode(theirs.der()));
                    Ok(())
                },
            )
            .unwrap();
    }

    const P256_ID: &[u8] = &[
        0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02,
    ];
    const P384_ID: &[u8] = &[
        0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03,
    ];
    const ED25519_ID: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70];

    /// An issuer name longer than the room kept in front of the entries: the entries move once,
    /// and the CRL is still rcgen's.
    #[test]
    fn ok_streamed_crl_takes_a_long_issuer_name() {
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "А".repeat(1_500));
        let pair = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name = name;
        let ca = params.self_signed(&pair).unwrap();
        let subject = issuing_subject(ca.der()).unwrap();
        assert!(subject.len() > StreamedCrl::ROOM);
        let issuer = Issuer::from_ca_cert_der(
            ca.der(),
            Fixed {
                public: pair.der_bytes().to_vec(),
                alg: &rcgen::PKCS_ECDSA_P256_SHA256,
            },
        )
        .unwrap();
        let t = datetime!(2026-11-22 10:00 UTC);
        let list = entries(50);
        let mut streamed = StreamedCrl::new(P256_ID);
        for (serial, at, reason, invalidity) in &list {
            streamed.push(serial, *at, *reason, *invalidity);
        }
        let ours = streamed
            .finish(&subject, t, t + Duration::hours(24), &[1; 20], 9, &|_| {
                Ok(vec![0x5A; 72])
            })
            .unwrap();
        let revoked = list
            .iter()
            .map(|(s, at, r, inv)| rcgen_entry(s, *at, *r, *inv))
            .collect();
        let theirs = rcgen_params(t, t + Duration::hours(24), &[1; 20], 9, revoked)
            .signed_by(&issuer)
            .unwrap();
        assert_eq!(ours, theirs.der().to_vec());
    }

    fn center_with_revocations(dir: &std::path::Path, algorithm: KeyAlgorithm) -> Center {
        let rng = SystemRandom::new();
        let created = datetime!(2026-11-22 09:00 UTC);
        let config = CenterConfig {
            algorithm,
            ..CenterConfig::default()
        };
        let center = Center::init(dir, config, b"pass", created, &rng).unwrap();
        let records: Vec<CertificateRecord> = (0..300u32)
            .map(|i| {
                let ground = RevocationGround::ALL[usize::try_from(i % 8).unwrap()];
                let at = created - Duration::minutes(i64::from(i));
                let mut serial = vec![0x40; 20];
                serial[16..].copy_from_slice(&i.to_be_bytes());
                CertificateRecord {
                    serial: Serial::from_der_content(&serial).unwrap(),
                    issuer: ISSUING.into(),
                    subject: format!("CN=T {i}"),
                    kind: "individual".into(),
                    iin: None,
                    bin: None,
                    key_purpose: None,
                    not_before: at - Duration::days(1),
                    // Every third one has expired and leaves the CRL.
                    not_after: if i % 3 == 0 {
                        created
                    } else {
                        created + Duration::days(300)
                    },
                    issued_at: at - Duration::days(1),
                    confidential: false,
                    der: vec![0x30, 0x00],
                    revocation: Some(RevocationRecord {
                        ground,
                        reason: ground.crl_reason(),
                        notified_by: "test".into(),
                        received_at: at,
                        entered_at: at,
                        invalidity_date: (ground == RevocationGround::KeyCompromise)
                            .then(|| at - Duration::hours(5)),
                        note: None,
                    }),
                }
            })
            .collect();
        center
            .store()
            .insert_certificates(
                &records,
                &AuditEvent {
                    at: created,
                    actor: "test".into(),
                    action: "test-fill".into(),
                    details: json!({}),
                },
            )
            .unwrap();
        center
    }

    /// The center's CRL against rcgen's of the same register and number: Ed25519 signatures are
    /// deterministic, so the whole CRL must match; ECDSA ones are not, so the TBSCertList must.
    #[test]
    fn ok_center_crl_is_rcgens_crl_of_the_register() {
        let now = datetime!(2026-11-22 10:00 UTC);
        for algorithm in [
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::P256,
            KeyAlgorithm::P384,
        ] {
            let dir = tempfile::tempdir().unwrap();
            let center = center_with_revocations(dir.path(), algorithm);
            let key = center.unlock(b"pass").unwrap();
            let crl = center.crl(&key, "test", now).unwrap();
            assert_eq!(crl.number, 1);
            assert_eq!(crl.entries, 200);
            let mut revoked = Vec::new();
            center
                .store()
                .for_each_revoked(ISSUING, now, &mut |e| {
                    revoked.push(rcgen_entry(
                        e.serial.as_bytes(),
                        e.revoked_at,
                        e.reason,
                        e.invalidity_date,
                    ));
                    Ok(())
                })
                .unwrap();
            let reference = rcgen_params(
                now,
                now + Duration::hours(24),
                key.key_identifier(),
                1,
                revoked,
            )
            .signed_by(&key.issuer().unwrap())
            .unwrap();
            let tbs = |der: &[u8]| {
                let (rest, list) = CertificateRevocationList::from_der(der).unwrap();
                assert!(rest.is_empty());
                list.tbs_cert_list.as_ref().to_vec()
            };
            assert_eq!(tbs(&crl.der), tbs(reference.der()), "{algorithm:?}");
            if algorithm == KeyAlgorithm::Ed25519 {
                assert_eq!(crl.der, reference.der().to_vec());
            }
        }
    }

    #[test]
    fn ok_empty_crl_has_no_revoked_list() {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let now = datetime!(2026-11-22 10:00 UTC);
        let center = Center::init(dir.path(), CenterConfig::default(), b"pass", now, &rng).unwrap();
        let key = center.unlock(b"pass").unwrap();
        let crl = center.crl(&key, "test", now).unwrap();
        assert_eq!(crl.entries, 0);
        let (_, list) = CertificateRevocationList::from_der(&crl.der).unwrap();
        assert!(list.tbs_cert_list.revoked_certificates.is_empty());
        // RFC 5280 §5.1.2.6: the list is absent, not empty: nextUpdate is followed at once by the
        // extensions' [0].
        let mut next_update = Vec::new();
        der_time(&mut next_update, now + Duration::hours(24), false);
        let tbs = list.tbs_cert_list.as_ref();
        let at = tbs
            .windows(next_update.len())
            .position(|w| w == next_update.as_slice())
            .unwrap();
        assert_eq!(tbs[at + next_update.len()], 0xA0);
    }

    /// The names in `crl/` other than the lock file, sorted.
    fn crl_dir_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".lock")
            .collect();
        names.sort();
        names
    }

    /// The DER inside the published PEM file.
    fn pem_der(path: &Path) -> Vec<u8> {
        let p = pem::parse(std::fs::read(path).unwrap()).unwrap();
        assert_eq!(p.tag(), "X509 CRL");
        p.contents().to_vec()
    }

    #[test]
    fn ok_publish_leaves_no_temporaries_and_der_and_pem_hold_one_crl() {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let now = datetime!(2026-11-22 10:00 UTC);
        let center = Center::init(dir.path(), CenterConfig::default(), b"pass", now, &rng).unwrap();
        let key = center.unlock(b"pass").unwrap();
        for n in 1..=2 {
            let (crl, [der, pem_path]) = center.issue_and_publish_crl(&key, "test", now).unwrap();
            assert_eq!(crl.number, n);
            assert_eq!(std::fs::read(&der).unwrap(), crl.der);
            assert_eq!(pem_der(&pem_path), crl.der);
            let (rest, _) = CertificateRevocationList::from_der(&crl.der).unwrap();
            assert!(rest.is_empty());
            let (root, _) = center
                .issue_and_publish_root_crl(b"pass", "test", now)
                .unwrap();
            let crl_dir = dir.path().join("crl");
            assert_eq!(std::fs::read(crl_dir.join("root.crl")).unwrap(), root.der);
            assert_eq!(pem_der(&crl_dir.join("root.crl.pem")), root.der);
            assert_eq!(
                crl_dir_names(&crl_dir),
                ["issuing.crl", "issuing.crl.pem", "root.crl", "root.crl.pem"]
            );
        }
    }

    /// The two states a publisher killed inside [`publish_pair`] can leave, rebuilt by hand: before
    /// the first rename (both temporaries, the old pair published) recovery keeps the old pair;
    /// between the renames (new DER published, the PEM temporary left) it completes the new one.
    #[test]
    fn ok_recovery_leaves_both_old_or_both_new() {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let now = datetime!(2026-11-22 10:00 UTC);
        let center = Center::init(dir.path(), CenterConfig::default(), b"pass", now, &rng).unwrap();
        let key = center.unlock(b"pass").unwrap();
        let crl_dir = dir.path().join("crl");
        let (old, [der, pem_path]) = center.issue_and_publish_crl(&key, "test", now).unwrap();
        let new = center.crl(&key, "test", now).unwrap();
        let [der_tmp, pem_tmp] = pending_paths(&crl_dir, ISSUING_FILE);

        // Killed after writing the temporaries (the PEM one half written).
        std::fs::write(&der_tmp, &new.der).unwrap();
        std::fs::write(&pem_tmp, &new.pem().as_bytes()[..10]).unwrap();
        drop(Center::open(dir.path()).unwrap());
        assert_eq!(std::fs::read(&der).unwrap(), old.der);
        assert_eq!(pem_der(&pem_path), old.der);
        assert_eq!(crl_dir_names(&crl_dir), ["issuing.crl", "issuing.crl.pem"]);

        // Killed between the two renames.
        std::fs::write(&der, &new.der).unwrap();
        std::fs::write(&pem_tmp, new.pem()).unwrap();
        drop(Center::open(dir.path()).unwrap());
        assert_eq!(std::fs::read(&der).unwrap(), new.der);
        assert_eq!(pem_der(&pem_path), new.der);
        assert_eq!(crl_dir_names(&crl_dir), ["issuing.crl", "issuing.crl.pem"]);
    }
}
