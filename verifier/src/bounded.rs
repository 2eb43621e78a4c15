//! The one map every cross-document cache of the verifier keeps its entries in: bounded in
//! entries and in bytes, so that a public service fed documents by anyone holds at most a stated
//! amount of memory whatever they upload.
//!
//! Keys are chosen by the caller, and never a fast hash of part of the input (an attacker picks
//! the input): either the SHA-256 of the input ([`sha256`]), or the input bytes themselves, which
//! the map hashes with the standard library's randomly keyed SipHash-1-3 and compares in full on a
//! hit (no bucket can be flooded with chosen collisions, and equal hashes of different bytes are
//! different entries). The second form is used on the hot path of a batch, where hashing a
//! certificates set with SHA-256 would cost a few per cent of a verification.
//!
//! When an insertion would pass either bound the map is emptied and refilled (the simplest
//! eviction that keeps the bound; a batch by a few signers refills it at once). An entry larger
//! than the byte bound by itself is not kept.
//!
//! The last [`RECENT`] entries inserted are also kept in a small array that a lookup compares
//! first, key by key: a batch by one signer asks for the same few keys in every document, and
//! comparing a certificates set's bytes costs a fraction of hashing them. The copies are of
//! entries the map holds (a key leaves the array when it leaves the map), so they add at most
//! [`RECENT`] entries' worth of memory to the bound.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{PoisonError, RwLock};

/// A map holding at most `max_entries` entries whose costs add up to at most `max_bytes`.
/// `Sync`: readers share a lock; every change is a single insert or clear under the write lock,
/// so a panic elsewhere cannot leave it inconsistent.
#[derive(Debug)]
pub(crate) struct Bounded<K, V> {
    state: RwLock<State<K, V>>,
    max_entries: usize,
    max_bytes: usize,
}

#[derive(Debug)]
struct State<K, V> {
    map: HashMap<K, (V, usize)>,
    bytes: usize,
    /// Copies of the last entries inserted, newest at `next - 1` (round robin).
    recent: [Option<(K, V)>; RECENT],
    next: usize,
}

/// Entries a lookup compares before hashing its key.
pub(crate) const RECENT: usize = 4;

/// What each entry costs besides what the caller counts: the map's own slot, the key, the
/// `Arc`s and small fields of a value (an estimate, on the high side).
pub(crate) const ENTRY_OVERHEAD: usize = 128;

impl<K: Hash + Eq + Clone, V: Clone> Bounded<K, V> {
    /// An empty map with these bounds (each at least 1).
    pub(crate) fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            state: RwLock::new(State {
                map: HashMap::new(),
                bytes: 0,
                recent: Default::default(),
                next: 0,
            }),
            max_entries: max_entries.max(1),
            max_bytes: max_bytes.max(1),
        }
    }

    /// The value kept for `key`, if any.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        for (k, v) in state.recent.iter().flatten() {
            if k.borrow() == key {
                return Some(v.clone());
            }
        }
        state.map.get(key).map(|(v, _)| v.clone())
    }

    /// Keeps `value` under `key`; `bytes` is what the key and value hold on the heap (the caller's
    /// estimate; [`ENTRY_OVERHEAD`] is added). Replaces an entry under the same key. Empties the
    /// map first when the entry would pass a bound; does nothing when the entry alone passes the
    /// byte bound.
    pub(crate) fn insert(&self, key: K, value: V, bytes: usize) {
        let cost = bytes.saturating_add(ENTRY_OVERHEAD);
        if cost > self.max_bytes {
            return;
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let state = &mut *state;
        if let Some((_, old)) = state.map.remove(&key) {
            state.bytes = state.bytes.saturating_sub(old);
            for slot in &mut state.recent {
                if slot.as_ref().is_some_and(|(k, _)| *k == key) {
                    *slot = None;
                }
            }
        }
        if state.map.len() >= self.max_entries || state.bytes.saturating_add(cost) > self.max_bytes
        {
            state.map.clear();
            state.bytes = 0;
            state.recent = Default::default();
        }
        if let Some(slot) = state.recent.get_mut(state.next) {
            *slot = Some((key.clone(), value.clone()));
        }
        state.next = (state.next + 1) % RECENT;
        state.map.insert(key, (value, cost));
        state.bytes = state.bytes.saturating_add(cost);
    }

    /// The number of entries kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .len()
    }

    /// The bytes the entries are counted at (with [`ENTRY_OVERHEAD`] each).
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes
    }
}

/// SHA-256 of `bytes`: the key of a cache whose entries are not on a batch's hot path.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_entry_bound_holds_and_equal_keys_hit() {
        let map = Bounded::<u32, u32>::new(4, 1 << 20);
        for i in 0..10 {
            map.insert(i, i * 2, 0);
            assert!(map.len() <= 4);
            assert_eq!(map.get(&i), Some(i * 2));
        }
        assert_eq!(map.len(), 2, "cleared at the fifth and ninth insert");
        assert_eq!(map.get(&0), None);
    }

    #[test]
    fn ok_byte_bound_holds() {
        let map = Bounded::<u32, ()>::new(1000, 3 * (ENTRY_OVERHEAD + 100));
        for i in 0..10 {
            map.insert(i, (), 100);
            assert!(map.bytes() <= 3 * (ENTRY_OVERHEAD + 100));
            assert_eq!(map.get(&i), Some(()));
        }
        assert_eq!(map.len(), 1);
        assert_eq!(map.bytes(), ENTRY_OVERHEAD + 100);
    }

    #[test]
    fn ok_replacing_an_entry_counts_it_once() {
        let map = Bounded::<u32, u32>::new(10, 10_000);
        map.insert(1, 1, 100);
        map.insert(1, 2, 50);
        assert_eq!(map.len(), 1);
        assert_eq!(map.bytes(), ENTRY_OVERHEAD + 50);
        assert_eq!(map.get(&1), Some(2));
    }

    #[test]
    fn fail_an_entry_above_the_byte_bound_is_not_kept() {
        let map = Bounded::<u32, u32>::new(10, 1000);
        map.insert(1, 1, 10);
        map.insert(2, 2, 1000);
        assert_eq!(map.get(&2), None);
        assert_eq!(map.get(&1), Some(1), "nothing was cleared for it");
    }

    #[test]
    fn ok_recent_entries_follow_replacement_and_clearing() {
        let map = Bounded::<u32, u32>::new(6, 1 << 20);
        map.insert(1, 10, 0);
        map.insert(1, 11, 0);
        assert_eq!(
            map.get(&1),
            Some(11),
            "the replaced value, not the recent copy"
        );
        for i in 2..=6 {
            map.insert(i, i * 10, 0);
        }
        // 1 has left the recent array (more than RECENT inserts since) but not the map.
        assert_eq!(map.get(&1), Some(11));
        assert_eq!(map.len(), 6);
        map.insert(7, 70, 0); // passes the entry bound: everything else goes
        assert_eq!(map.len(), 1);
        for i in 1..=6 {
            assert_eq!(
                map.get(&i),
                None,
                "key {i} survived the clearing in the recent array"
            );
        }
        assert_eq!(map.get(&7), Some(70));
    }

    #[test]
    fn ok_byte_keys_with_equal_tails_are_different_entries() {
        let map = Bounded::<Vec<u8>, u8>::new(10, 10_000);
        let mut a = vec![0u8; 64];
        let mut b = vec![0u8; 64];
        a[0] = 1;
        b[0] = 2;
        map.insert(a.clone(), 1, a.len());
        map.insert(b.clone(), 2, b.len());
        assert_eq!(map.get(a.as_slice()), Some(1));
        assert_eq!(map.get(b.as_slice()), Some(2));
        assert_ne!(sha256(&a), sha256(&b));
    }
}
