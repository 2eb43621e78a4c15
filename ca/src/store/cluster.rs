//! Several processes on one register (issue 18 point 3): what one process needs to hear of the
//! others' changes, and the lock that lets one of them publish at a time.
//!
//! - [`RegisterFeed`]: the revocations other processes commit, as they commit them. On
//!   PostgreSQL every revoking transaction sends `NOTIFY eds_register, 'revoked:<SERIAL>'`
//!   (delivered only when it commits); the feed `LISTEN`s on a connection of its own. A SQLite
//!   register has no feed ([`RegisterUrl::listen`] gives `None`): its one serving process learns
//!   of its own revocations directly. The OCSP cache does not depend on the feed to be right
//!   (see `ocsp::cache`: every answer checks the register's change counter); the feed lets a
//!   server drop what a revocation elsewhere made useless at once.
//! - [`PublicationLock`]: one holder at a time among every process on the register, for the
//!   signing and writing of a CRL (`Center::issue_and_publish_crl` takes it before the CRL
//!   folder's own file lock): its number, its signature and the files written follow each
//!   other, so a slower publisher never replaces a newer CRL with an older one, and a process
//!   that shares the register but not the machine waits too. PostgreSQL: a session advisory lock
//!   (`pg_advisory_lock`) on a connection of its own, released when the guard is dropped or the
//!   process dies; the holder then announces the CRL (`NOTIFY eds_register, 'crl:<NUMBER>'`) so
//!   the other servers serve it at once. SQLite: nothing beyond the folder's file lock.

use std::fmt;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use crate::store::postgres::{CRL_PREFIX, NOTIFY_CHANNEL, REVOKED_PREFIX, Session, connect};
use crate::store::{RegisterUrl, Serial, StoreError};

/// Key space of the publication locks among PostgreSQL's two-key advisory locks ("edsp").
const PUBLICATION_LOCK_SPACE: i32 = 0x6564_7370;

/// Something another process committed to the register.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterEvent {
    /// A certificate was revoked.
    Revoked(Serial),
    /// The issuing center's CRL of this number was published in the center's `crl/` folder.
    CrlPublished(u64),
}

/// What a publication lock guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Publication {
    /// The CRLs of the center (each CRL number is allocated, the CRL signed and written under
    /// it).
    Crl,
}

impl Publication {
    fn name(self) -> &'static str {
        match self {
            Publication::Crl => "crl",
        }
    }

    fn key(self) -> i32 {
        match self {
            Publication::Crl => 1,
        }
    }
}

/// A held [`Publication`] lock; dropping it releases the lock
/// ([`PublicationStore::lock_publication`]).
///
/// [`PublicationStore::lock_publication`]: crate::store::PublicationStore::lock_publication
pub struct PublicationLock {
    held: Held,
}

enum Held {
    /// The session holding the advisory lock: closing it releases the lock.
    Postgres(Box<Session>),
    /// Nothing to hold.
    Local,
}

impl fmt::Debug for PublicationLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicationLock").finish_non_exhaustive()
    }
}

/// A connection listening for [`RegisterEvent`]s (PostgreSQL `LISTEN`).
pub struct RegisterFeed {
    client: Session,
}

impl fmt::Debug for RegisterFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterFeed").finish_non_exhaustive()
    }
}

impl RegisterFeed {
    /// Waits up to `wait` for the next events, then returns every event delivered so far (none
    /// when the wait ended quietly). A notification this program did not send is skipped.
    ///
    /// Fails with [`StoreError::Backend`] when the connection is lost: open a new feed (events
    /// committed in between were not heard).
    pub fn next_events(&mut self, wait: Duration) -> Result<Vec<RegisterEvent>, StoreError> {
        let mut out = Vec::new();
        let mut notifications = self.client.notifications();
        // The first waits, the rest are those already delivered.
        let first = notifications.timeout_iter(wait).next().map_err(feed_err)?;
        if let Some(n) = first {
            out.extend(event(n.channel(), n.payload()));
        }
        let mut pending = notifications.iter();
        while let Some(n) = pending.next().map_err(feed_err)? {
            out.extend(event(n.channel(), n.payload()));
        }
        Ok(out)
    }
}

impl RegisterUrl {
    /// Opens a feed of the revocations and CRL publications committed to the register by any
    /// process, this one included, from now on; `None` for SQLite (one process, see the
    /// module's notes).
    pub fn listen(&self) -> Result<Option<RegisterFeed>, StoreError> {
        match self {
            RegisterUrl::Sqlite(_) => Ok(None),
            RegisterUrl::Postgres(url) => {
                let mut client = connect(url)?;
                client
                    .batch_execute(&format!("LISTEN {NOTIFY_CHANNEL}"))
                    .map_err(feed_err)?;
                Ok(Some(RegisterFeed { client }))
            }
        }
    }
}

impl PublicationLock {
    /// The lock of a register that has no other process to exclude (SQLite: the CRL folder's
    /// own file lock orders the publishers of one machine).
    pub(crate) fn local() -> Self {
        Self { held: Held::Local }
    }

    /// Takes the advisory lock of `what` on a new session to `url`, waiting while another
    /// session holds it.
    pub(crate) fn postgres(url: &str, what: Publication) -> Result<Self, StoreError> {
        let mut client = connect(url)?;
        client
            .execute(
                "SELECT pg_advisory_lock($1, $2)",
                &[&PUBLICATION_LOCK_SPACE, &what.key()],
            )
            .map_err(|e| StoreError::Backend {
                message: format!("take the {} publication lock: {e}", what.name()),
            })?;
        Ok(Self {
            held: Held::Postgres(Box::new(client)),
        })
    }

    /// Tells every [`RegisterFeed`] that CRL `number` was published (PostgreSQL `NOTIFY`; nothing
    /// on SQLite).
    pub fn announce_crl(&mut self, number: u64) -> Result<(), StoreError> {
        match &mut self.held {
            Held::Local => Ok(()),
            Held::Postgres(client) => {
                client
                    .execute(
                        "SELECT pg_notify($1, $2)",
                        &[&NOTIFY_CHANNEL, &format!("{CRL_PREFIX}{number}")],
                    )
                    .map_err(feed_err)?;
                Ok(())
            }
        }
    }
}

fn event(channel: &str, payload: &str) -> Option<RegisterEvent> {
    if channel != NOTIFY_CHANNEL {
        return None;
    }
    if let Some(number) = payload.strip_prefix(CRL_PREFIX) {
        return number.parse().ok().map(RegisterEvent::CrlPublished);
    }
    let serial = payload.strip_prefix(REVOKED_PREFIX)?;
    Serial::from_hex(serial).ok().map(RegisterEvent::Revoked)
}

fn feed_err(e: postgres::Error) -> StoreError {
    StoreError::Backend {
        message: format!("listen to the register: {e}"),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_revoked_payload_is_an_event() {
        assert_eq!(
            event(NOTIFY_CHANNEL, "revoked:0A1B"),
            Some(RegisterEvent::Revoked(Serial::from_hex("0A1B").unwrap()))
        );
    }

    #[test]
    fn ok_crl_payload_is_an_event() {
        assert_eq!(
            event(NOTIFY_CHANNEL, "crl:17"),
            Some(RegisterEvent::CrlPublished(17))
        );
    }

    #[test]
    fn fail_foreign_payloads_are_skipped() {
        assert_eq!(event("other", "revoked:0A1B"), None);
        assert_eq!(event(NOTIFY_CHANNEL, "crl:x"), None);
        assert_eq!(event(NOTIFY_CHANNEL, "revoked:zz"), None);
        assert_eq!(event(NOTIFY_CHANNEL, "revoked:"), None);
    }
}
