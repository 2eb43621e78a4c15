//! A cancellation flag the caller can raise while a verification runs (a server whose request
//! timed out, a process shutting down). Path building and the engine look at it between units of
//! work and stop with a budget failure once it is raised; nothing here reads a clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared flag; clones share it. The default is a flag nobody raises.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A new flag, not raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag: work that checks it stops as soon as it next looks.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag has been raised.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Every flag is equal to every other: options that differ only in their flag ask for the same
/// validation (caches key on the options' requirements, never on the flag).
impl PartialEq for Cancel {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Cancel {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_clones_share_the_flag() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(!b.is_cancelled());
        a.cancel();
        assert!(b.is_cancelled());
        assert!(!Cancel::new().is_cancelled());
    }
}
