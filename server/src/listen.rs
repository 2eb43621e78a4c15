//! What other processes commit to a shared register (PostgreSQL), heard as it commits
//! ([`eds_ca::store::RegisterFeed`]): a revocation drops the serial's cached OCSP answers, a CRL
//! published by another process is served at once instead of at the next poll of the CRL folder.
//!
//! The OCSP cache is right without this (each answer checks the register's change counter, see
//! `eds_ca::ocsp`); the feed makes the other servers let go of what a revocation anywhere made
//! stale, and serve the newest CRL within a second of its publication. A SQLite register has no
//! feed: its one server learns of its own revocations directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use eds_ca::store::{RegisterEvent, RegisterFeed};
use tracing::{debug, info, warn};

use crate::AppState;

/// How long one wait for notifications lasts: the longest the thread takes to see `stop`.
const WAIT: Duration = Duration::from_millis(500);

/// How long after a lost connection the thread connects again.
const RECONNECT: Duration = Duration::from_secs(1);

/// Listens until `stop` is raised; returns at once for a register without a feed (SQLite).
pub(crate) fn run(state: &AppState, stop: &Arc<AtomicBool>) {
    let mut feed: Option<RegisterFeed> = None;
    while !stop.load(Ordering::SeqCst) {
        let Some(f) = feed.as_mut() else {
            match state.register.listen() {
                Ok(Some(f)) => {
                    info!("listening for the register's revocations and CRLs");
                    feed = Some(f);
                }
                Ok(None) => return,
                Err(e) => {
                    warn!(error = %e, retry_seconds = RECONNECT.as_secs(), "could not listen to the register");
                    std::thread::sleep(RECONNECT);
                }
            }
            continue;
        };
        match f.next_events(WAIT) {
            Ok(events) => {
                for e in events {
                    apply(state, &e);
                }
            }
            Err(e) => {
                // Notifications of the gap are lost: the OCSP cache stays right by its change
                // counter, a CRL is found at the next poll of the folder.
                warn!(error = %e, "lost the register's notifications; connecting again");
                feed = None;
                state.crl.adopt_soon();
            }
        }
    }
}

fn apply(state: &AppState, event: &RegisterEvent) {
    match event {
        RegisterEvent::Revoked(serial) => {
            debug!(%serial, "revoked in the register: dropping its cached OCSP answers");
            state.responder().invalidate(serial);
        }
        RegisterEvent::CrlPublished(number) => {
            debug!(number, "a CRL was published");
            state.crl.adopt_soon();
        }
        _ => {}
    }
}
