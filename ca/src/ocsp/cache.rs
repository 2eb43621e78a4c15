//! Signed OCSP responses kept for reuse (RFC 5019 §2.2.1 and §6: a response for a CertID without
//! a nonce may be produced once and served many times until it is refreshed).
//!
//! # Why a cached answer is never stale
//!
//! Every change of the register — an issuance, a revocation, a registry event that revokes, an
//! archive — appends an entry to the audit log in the same transaction (the [`Store`] contract),
//! so the audit log's entry count ([`Store::audit_head`]) is a change counter shared by every
//! process that writes the register. It only grows.
//!
//! - Before it looks up a status, the responder reads the counter (the *epoch* `E`) and files the
//!   signed answer under `E`.
//! - Each request reads the counter first and is served from the cache only an answer filed under
//!   the epoch it just read.
//!
//! If the counter still reads `E`, nothing was committed between the status lookup (made after
//! `E` was read) and now, so the answer is the one the register gives now. Any commit in between,
//! in this process or another, moves the counter and the answer is not served. A shard that sees a
//! newer epoch drops everything filed under older ones. [`Cache::invalidate`] forgets a serial at
//! once as well, but correctness does not depend on it.
//!
//! The cost is that any change of the register, an issuance included, empties the cache; each
//! serial asked again then costs one signature.
//!
//! [`Store`]: crate::store::Store
//! [`Store::audit_head`]: crate::store::AuditStore::audit_head

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

/// Number of independently locked parts of the cache: enough that the two cores and the request
/// threads rarely wait for each other.
const SHARDS: usize = 64;

/// A signed response kept for reuse.
#[derive(Debug, Clone)]
pub(crate) struct CachedAnswer {
    /// The whole `OCSPResponse`, DER.
    pub(crate) der: Arc<[u8]>,
    /// `producedAt` and `thisUpdate`.
    pub(crate) this_update: OffsetDateTime,
    /// `nextUpdate`.
    pub(crate) next_update: OffsetDateTime,
    /// From this instant on the answer is signed afresh rather than served.
    pub(crate) refresh_at: OffsetDateTime,
}

/// Signed answers by CertID DER, split in shards by serial, bounded in number.
#[derive(Debug)]
pub(crate) struct Cache {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    hasher: RandomState,
}

#[derive(Debug, Default)]
struct Shard {
    /// The register epoch every entry of this shard was computed under.
    epoch: u64,
    /// CertID DER → (serial content octets, answer).
    map: HashMap<Vec<u8>, (Vec<u8>, CachedAnswer)>,
    /// Keys in insertion order, for first-in first-out eviction. May hold keys already removed.
    order: VecDeque<Vec<u8>>,
}

impl Shard {
    /// Moves the shard to `epoch` if it is newer, dropping every entry of older ones. Returns
    /// whether the shard is now at `epoch` (false when the caller's epoch is already outdated).
    fn at_epoch(&mut self, epoch: u64) -> bool {
        if epoch > self.epoch {
            self.map.clear();
            self.order.clear();
            self.epoch = epoch;
        }
        self.epoch == epoch
    }
}

impl Cache {
    /// A cache of at most `capacity` answers (0 keeps none).
    pub(crate) fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS);
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard,
            hasher: RandomState::new(),
        }
    }

    /// The answer filed for `cert_id` under `epoch`, if it is still fresh at `now`.
    pub(crate) fn get(
        &self,
        serial: &[u8],
        cert_id: &[u8],
        epoch: u64,
        now: OffsetDateTime,
    ) -> Option<CachedAnswer> {
        let mut shard = self.shard(serial)?;
        if !shard.at_epoch(epoch) {
            return None;
        }
        let (_, answer) = shard.map.get(cert_id)?;
        (answer.this_update <= now && now < answer.refresh_at).then(|| answer.clone())
    }

    /// Files `answer` for `cert_id` under `epoch`; dropped when the shard has moved past `epoch`.
    pub(crate) fn insert(&self, serial: &[u8], cert_id: &[u8], epoch: u64, answer: CachedAnswer) {
        if self.per_shard == 0 {
            return;
        }
        let Some(mut shard) = self.shard(serial) else {
            return;
        };
        if !shard.at_epoch(epoch) {
            return;
        }
        if let Some(slot) = shard.map.get_mut(cert_id) {
            slot.1 = answer;
            return;
        }
        while shard.map.len() >= self.per_shard {
            match shard.order.pop_front() {
                Some(old) => {
                    shard.map.remove(&old);
                }
                None => {
                    // `order` holds every key of `map`; should it not, start the shard afresh.
                    shard.map.clear();
                }
            }
        }
        // Keys removed by `invalidate` stay in `order`; keep it from growing without bound.
        if shard.order.len() >= self.per_shard.saturating_mul(2) {
            let Shard { map, order, .. } = &mut *shard;
            order.retain(|k| map.contains_key(k));
        }
        shard.order.push_back(cert_id.to_vec());
        shard
            .map
            .insert(cert_id.to_vec(), (serial.to_vec(), answer));
    }

    /// Forgets every answer about the serial whose INTEGER content octets are `serial`.
    pub(crate) fn invalidate(&self, serial: &[u8]) {
        if let Some(mut shard) = self.shard(serial) {
            shard.map.retain(|_, (s, _)| s.as_slice() != serial);
        }
    }

    /// Number of answers held (for tests and metrics).
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| lock(s).map_or(0, |g| g.map.len()))
            .sum()
    }

    fn shard(&self, serial: &[u8]) -> Option<MutexGuard<'_, Shard>> {
        let count = u64::try_from(self.shards.len()).ok()?;
        let index = usize::try_from(self.hasher.hash_one(serial) % count).ok()?;
        lock(self.shards.get(index)?)
    }
}

/// Locks a shard. A thread that panicked while holding it may have left it half updated; a cache
/// can always start again empty, so the shard is cleared rather than trusted or left poisoned.
fn lock(m: &Mutex<Shard>) -> Option<MutexGuard<'_, Shard>> {
    match m.lock() {
        Ok(g) => Some(g),
        Err(poisoned) => {
            let mut g = poisoned.into_inner();
            *g = Shard::default();
            m.clear_poison();
            Some(g)
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;

    const T: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    fn answer(byte: u8) -> CachedAnswer {
        CachedAnswer {
            der: Arc::from(vec![byte]),
            this_update: T,
            next_update: T + Duration::hours(1),
            refresh_at: T + Duration::minutes(10),
        }
    }

    #[test]
    fn ok_answer_is_served_under_its_epoch_only() {
        let c = Cache::new(100);
        c.insert(b"s1", b"id1", 5, answer(1));
        assert_eq!(c.get(b"s1", b"id1", 5, T).unwrap().der.as_ref(), &[1]);
        // A newer epoch empties the shard: the answer is gone even for the old epoch.
        assert!(c.get(b"s1", b"id1", 6, T).is_none());
        assert!(c.get(b"s1", b"id1", 5, T).is_none());
        // An answer computed under an outdated epoch is not filed.
        c.insert(b"s1", b"id1", 5, answer(2));
        assert!(c.get(b"s1", b"id1", 6, T).is_none());
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn ok_answer_expires_at_refresh_time() {
        let c = Cache::new(100);
        c.insert(b"s", b"id", 1, answer(1));
        assert!(c.get(b"s", b"id", 1, T + Duration::minutes(9)).is_some());
        assert!(c.get(b"s", b"id", 1, T + Duration::minutes(10)).is_none());
        assert!(c.get(b"s", b"id", 1, T - Duration::seconds(1)).is_none());
    }

    #[test]
    fn ok_invalidate_forgets_every_cert_id_of_the_serial() {
        let c = Cache::new(100);
        c.insert(b"s", b"sha1", 1, answer(1));
        c.insert(b"s", b"sha256", 1, answer(2));
        c.insert(b"t", b"other", 1, answer(3));
        c.invalidate(b"s");
        assert!(c.get(b"s", b"sha1", 1, T).is_none());
        assert!(c.get(b"s", b"sha256", 1, T).is_none());
        assert!(c.get(b"t", b"other", 1, T).is_some());
    }

    #[test]
    fn ok_size_stays_bounded() {
        let c = Cache::new(SHARDS * 2);
        for i in 0..10_000u32 {
            let k = i.to_be_bytes();
            c.insert(&k, &k, 1, answer(0));
        }
        assert!(c.len() <= SHARDS * 2, "{}", c.len());
        let none = Cache::new(0);
        none.insert(b"s", b"id", 1, answer(1));
        assert_eq!(none.len(), 0);
    }
}
