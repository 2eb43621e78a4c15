//! Certificate policy processing over a path (RFC 5280 §6.1.2-§6.1.5: the valid_policy_tree,
//! policy mappings, requireExplicitPolicy, inhibitPolicyMapping, inhibitAnyPolicy).
//!
//! Placeholder until the processing is written.

use der::asn1::ObjectIdentifier;

use super::PolicyOptions;
use crate::cert::Cert;

/// Why the policy processing rejects a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyViolation {
    /// The index in the path of the certificate at which it failed (0 is the one the trust
    /// anchor issued, the last the target).
    pub(crate) index: usize,
    /// What failed, in words.
    pub(crate) detail: String,
}

/// What a path's policies come to (§6.1.6).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PolicyOutcome {
    /// The valid policies of the path's user-constrained policy set; `None` when the tree holds
    /// anyPolicy at the leaf level (every policy).
    pub(crate) policies: Option<Vec<ObjectIdentifier>>,
}

/// Processes the certificate policies of `path` (from the certificate the trust anchor issued,
/// index 0, to the target) under `opts`.
pub(crate) fn process_policies(
    path: &[&Cert],
    opts: &PolicyOptions,
) -> Result<PolicyOutcome, PolicyViolation> {
    let _ = (path, opts);
    Ok(PolicyOutcome::default())
}
