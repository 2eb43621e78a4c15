//! The audit log's hash chain (EDS law art. 21.2: the center prevents modification of what it
//! stores; a chained log makes any edit, deletion or reordering visible).
//!
//! # Entry hash
//!
//! The hash of entry `n` is SHA-256 over this byte string, every integer big-endian:
//!
//! ```text
//! "eds-audit-v1"                 12 bytes, a domain tag (no length: it is fixed)
//! seq                            u64, 8 bytes: 1 for the first entry
//! at                             i64, 8 bytes: unix time in whole seconds, UTC
//! len(actor)    actor            u64, 8 bytes, then the UTF-8 bytes
//! len(action)   action           u64, 8 bytes, then the UTF-8 bytes
//! len(details)  details          u64, 8 bytes, then the canonical JSON text's UTF-8 bytes
//! prev_hash                      32 bytes: the hash of entry n-1, 32 zero bytes for entry 1
//! ```
//!
//! Every variable field carries its length, so no two different entries encode alike.
//! `details` is [`canonical_json`]: object keys sorted by their UTF-8 bytes at every level, no
//! whitespace, strings escaped and numbers printed as `serde_json` does. The stored text is what
//! is hashed, so a verifier never needs to canonicalise again.
//!
//! # What the chain proves and what it does not
//!
//! An edited entry no longer matches its hash ([`AuditProblem::HashMismatch`]); a deleted entry
//! leaves a gap in the sequence ([`AuditProblem::GapInSequence`]); an entry rehashed after an
//! earlier one changed no longer links ([`AuditProblem::ChainBreak`]). Deleting the last entries
//! leaves a shorter, intact chain, so the store keeps the count and the last hash in a separate
//! head row, updated in the same transaction ([`AuditProblem::Truncated`],
//! [`AuditProblem::HeadMismatch`]). Someone with full write access to the database can rewrite
//! the whole log and the head consistently; only a head recorded elsewhere
//! ([`AuditStore::audit_head`](super::AuditStore::audit_head)) and compared later catches that.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::store::{AuditHead, AuditProblem, AuditVerification, StoreError};

/// The hash every chain starts from: `prev_hash` of entry 1.
pub const GENESIS: [u8; 32] = [0; 32];

/// The domain tag that starts every hashed entry.
pub const DOMAIN_TAG: &[u8] = b"eds-audit-v1";

/// The hash of one entry, as the module documentation specifies.
pub fn entry_hash(
    seq: u64,
    at_unix: i64,
    actor: &[u8],
    action: &[u8],
    details: &[u8],
    prev_hash: &[u8; 32],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    h.update(seq.to_be_bytes());
    h.update(at_unix.to_be_bytes());
    for field in [actor, action, details] {
        h.update(length_prefix(field));
        h.update(field);
    }
    h.update(prev_hash);
    h.finalize().into()
}

/// The bytes of an entry's hash input between `seq` and `prev_hash`: `at`, then each variable
/// field after its length (see the module documentation). A backend that computes the hash in
/// the statement that appends the entry under the head's lock (PostgreSQL: `sha256(tag || seq
/// || middle || prev_hash)`, the head read in that statement) takes these bytes from here, so
/// the two encodings cannot drift apart; [`entry_hash`] is the reference they are tested
/// against.
pub fn entry_middle(at_unix: i64, actor: &[u8], action: &[u8], details: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 3 * 8 + actor.len() + action.len() + details.len());
    out.extend_from_slice(&at_unix.to_be_bytes());
    for field in [actor, action, details] {
        out.extend_from_slice(&length_prefix(field));
        out.extend_from_slice(field);
    }
    out
}

/// The canonical JSON text of `value`: keys sorted at every level, no whitespace.
pub fn canonical_json(value: &Value) -> Result<String, StoreError> {
    serde_json::to_string(&sorted(value)).map_err(|e| StoreError::InvalidRecord {
        what: format!("audit details do not serialise: {e}"),
    })
}

/// One stored entry as read back, fields still raw so that a damaged row is a finding, not an
/// error.
#[derive(Debug, Clone, Copy)]
pub struct RawEntry<'a> {
    /// Sequence number.
    pub seq: u64,
    /// Unix seconds.
    pub at_unix: i64,
    /// Actor bytes.
    pub actor: &'a [u8],
    /// Action bytes.
    pub action: &'a [u8],
    /// Canonical details bytes.
    pub details: &'a [u8],
    /// Stored previous hash (any length: a wrong length is a break).
    pub prev_hash: &'a [u8],
    /// Stored hash (any length: a wrong length is a mismatch).
    pub hash: &'a [u8],
}

/// Walks a log in sequence order and reports the first problem; any backend can feed it.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: u64,
    prev: [u8; 32],
    broken: Option<(u64, AuditProblem)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// Expects entry 1 linking to [`GENESIS`].
    pub fn new() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS,
            broken: None,
        }
    }

    /// Checks the next entry; returns `false` once the chain is broken (the caller may stop).
    pub fn push(&mut self, e: &RawEntry<'_>) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let problem = if e.seq != self.expected_seq {
            Some(AuditProblem::GapInSequence {
                expected: self.expected_seq,
                found: e.seq,
            })
        } else if entry_hash(
            e.seq,
            e.at_unix,
            e.actor,
            e.action,
            e.details,
            &prev_or_zero(e),
        )
        .as_slice()
            != e.hash
        {
            Some(AuditProblem::HashMismatch)
        } else if e.prev_hash != self.prev.as_slice() {
            Some(AuditProblem::ChainBreak)
        } else {
            None
        };
        match problem {
            Some(p) => {
                self.broken = Some((self.expected_seq, p));
                false
            }
            None => {
                // The hash matched a 32-byte value computed above, so it has 32 bytes.
                self.prev.copy_from_slice(e.hash);
                self.expected_seq = self.expected_seq.saturating_add(1);
                true
            }
        }
    }

    /// The verdict, comparing the end of the walk with the head recorded beside the log.
    pub fn finish(self, recorded: &AuditHead) -> AuditVerification {
        if let Some((seq, problem)) = self.broken {
            return AuditVerification::Broken { seq, problem };
        }
        let found = self.expected_seq.saturating_sub(1);
        if found < recorded.entries {
            return AuditVerification::Broken {
                seq: self.expected_seq,
                problem: AuditProblem::Truncated {
                    recorded: recorded.entries,
                    found,
                },
            };
        }
        if found != recorded.entries || self.prev != recorded.hash {
            return AuditVerification::Broken {
                seq: found.min(recorded.entries.saturating_add(1)).max(1),
                problem: AuditProblem::HeadMismatch {
                    recorded: recorded.entries,
                    found,
                },
            };
        }
        AuditVerification::Intact {
            entries: found,
            head: self.prev,
        }
    }
}

/// `details` with the generated values of the store added (see the [`store`](super) module).
pub(crate) fn with_generated(details: &Value, extra: &[(&str, Value)]) -> Value {
    if extra.is_empty() {
        return details.clone();
    }
    let mut map = match details {
        Value::Object(m) => m.clone(),
        other => {
            let mut m = serde_json::Map::new();
            m.insert("event".to_owned(), other.clone());
            m
        }
    };
    for (k, v) in extra {
        map.insert((*k).to_owned(), v.clone());
    }
    Value::Object(map)
}

fn prev_or_zero(e: &RawEntry<'_>) -> [u8; 32] {
    <[u8; 32]>::try_from(e.prev_hash).unwrap_or(GENESIS)
}

fn length_prefix(field: &[u8]) -> [u8; 8] {
    // A slice longer than u64::MAX bytes cannot exist on any supported target.
    u64::try_from(field.len()).unwrap_or(u64::MAX).to_be_bytes()
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                if let Some(v) = m.get(k) {
                    out.insert(k.clone(), sorted(v));
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ok_canonical_json_sorts_keys_at_every_level() {
        let v = json!({"b": 1, "a": {"z": [ {"y": 1, "x": 2} ], "c": "é\n"}});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"a":{"c":"é\n","z":[{"x":2,"y":1}]},"b":1}"#
        );
    }

    #[test]
    fn ok_length_prefixes_separate_fields() {
        let a = entry_hash(1, 0, b"ab", b"c", b"{}", &GENESIS);
        let b = entry_hash(1, 0, b"a", b"bc", b"{}", &GENESIS);
        assert_ne!(a, b);
    }

    #[test]
    fn ok_known_answer_of_the_first_entry() {
        // Recomputed by hand from the documented encoding.
        let mut m = Vec::new();
        m.extend_from_slice(b"eds-audit-v1");
        m.extend_from_slice(&1u64.to_be_bytes());
        m.extend_from_slice(&1_700_000_000i64.to_be_bytes());
        for f in [&b"op"[..], b"crl.publish", b"{}"] {
            m.extend_from_slice(&u64::try_from(f.len()).unwrap().to_be_bytes());
            m.extend_from_slice(f);
        }
        m.extend_from_slice(&[0; 32]);
        let want: [u8; 32] = Sha256::digest(&m).into();
        assert_eq!(
            entry_hash(1, 1_700_000_000, b"op", b"crl.publish", b"{}", &GENESIS),
            want
        );
    }

    proptest::proptest! {
        /// The hash input a backend assembles around [`entry_middle`] is the reference's.
        #[test]
        fn ok_entry_middle_between_seq_and_prev_hash_gives_the_entry_hash(
            seq in proptest::prelude::any::<u64>(),
            at in proptest::prelude::any::<i64>(),
            actor in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            action in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            details in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            prev in proptest::prelude::any::<[u8; 32]>(),
        ) {
            let mut input = DOMAIN_TAG.to_vec();
            input.extend_from_slice(&seq.to_be_bytes());
            input.extend_from_slice(&entry_middle(at, &actor, &action, &details));
            input.extend_from_slice(&prev);
            let got: [u8; 32] = Sha256::digest(&input).into();
            proptest::prop_assert_eq!(got, entry_hash(seq, at, &actor, &action, &details, &prev));
        }
    }

    #[test]
    fn ok_generated_values_wrap_a_non_object() {
        let v = with_generated(&json!("x"), &[("crl_number", json!(3))]);
        assert_eq!(v, json!({"event": "x", "crl_number": 3}));
        let v = with_generated(&json!({"a": 1}), &[("ban_id", json!(7))]);
        assert_eq!(v, json!({"a": 1, "ban_id": 7}));
    }
}
