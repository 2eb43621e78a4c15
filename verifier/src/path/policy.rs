//! Certificate policy processing over a path, to the letter of RFC 5280 §6.1: the initialisation
//! of §6.1.2 (the valid_policy_tree with its anyPolicy root; explicit_policy, inhibit_anyPolicy
//! and policy_mapping at n+1 or 0), §6.1.3 (d), (e), (f) (the tree grown by each certificate's
//! policies), §6.1.4 (a), (b), (h), (i), (j) (policy mappings, the counters, policyConstraints,
//! inhibitAnyPolicy) and §6.1.5 (a), (b), (g) (the wrap-up and the intersection with the
//! user-initial-policy-set).
//!
//! The tree is kept level by level: level d holds the nodes of depth d, and a node names its parent
//! by its index in the level above. Nodes are marked dead rather than removed, and each node counts
//! its live children, so that the pruning of §6.1.3(d)(3) and §6.1.4(b)(2) ("delete a node of
//! depth i-1 or less without children, repeat") is a walk up from the node that lost its last
//! child. A node's expected_policy_set is either {its own valid_policy} or a range of one list of
//! subjectDomainPolicy values shared by the whole tree, so a node allocates nothing. Qualifiers are
//! not kept: the verifier reports policies, not their qualifiers.
//!
//! Policy mappings can make the tree grow exponentially with the path's length (the denial of
//! service RFC 9618 §1 describes): the processing stops with a violation past
//! [`MAX_POLICY_NODES`] nodes or [`MAX_POLICY_STEPS`] steps of work.

use der::asn1::ObjectIdentifier;
use der::oid::AssociatedOid;
use x509_cert::ext::pkix::{
    CertificatePolicies, InhibitAnyPolicy, PolicyConstraints, PolicyMappings,
};

use super::PolicyOptions;
use crate::cert::{Cert, CertError};

/// `anyPolicy` (RFC 5280 §4.2.1.4).
const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");

/// The most nodes the valid_policy_tree may be given over a whole path, the root included (RFC
/// 9618 §1: a tree bounded only by the certificates' sizes is a denial of service).
pub(crate) const MAX_POLICY_NODES: usize = 10_000;

/// The most elementary steps of work (an expected policy looked at, a node's mapping looked up)
/// over a whole path: certificates with thousands of policies or mappings cannot make the
/// processing run away even while the tree stays under [`MAX_POLICY_NODES`].
pub(crate) const MAX_POLICY_STEPS: usize = 1_000_000;

/// How many policies a message lists before it says how many more there are.
const LISTED: usize = 8;

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
    ///
    /// The policies are those of the trust anchor's (the relying party's) domain: the
    /// valid_policy of the final tree's nodes whose parent is anyPolicy, the nodes §6.1.5(g)(iii)
    /// matches against the user-initial-policy-set. With policy mappings on the path they differ
    /// from the OIDs the target itself asserts. Empty when the tree is NULL (no explicit policy
    /// was required), sorted.
    pub(crate) policies: Option<Vec<ObjectIdentifier>>,
}

/// Processes the certificate policies of `path` (from the certificate the trust anchor issued,
/// index 0, to the target) under `opts`: RFC 5280 §6.1.2, §6.1.3 (d)-(f), §6.1.4 (a), (b),
/// (h)-(j) and §6.1.5 (a), (b), (g).
///
/// Fails when explicit_policy has reached 0 while the tree is NULL (§6.1.3(f), §6.1.5), when a
/// policyMappings maps to or from anyPolicy (§6.1.4(a)), when one of the four policy extensions
/// does not decode or a certificatePolicies names one policy twice (§4.2.1.4), and when the tree
/// outgrows [`MAX_POLICY_NODES`] or the work [`MAX_POLICY_STEPS`].
///
/// [`PolicyViolation::index`] is the certificate at which the check failed: the one being
/// processed for §6.1.3(f), the target for the final check of §6.1.5, the one carrying the
/// extension for a decoding or §6.1.4(a) failure. The detail names the certificate that emptied
/// the tree (it can be an earlier one) and what required an explicit policy.
pub(crate) fn process_policies(
    path: &[&Cert],
    opts: &PolicyOptions,
) -> Result<PolicyOutcome, PolicyViolation> {
    let Some(last) = path.len().checked_sub(1) else {
        return Err(PolicyViolation {
            index: 0,
            detail: "there is no certificate below the trust anchor to process policies of".into(),
        });
    };
    // §6.1.2 (a), (d), (e), (f).
    let start = path.len().saturating_add(1);
    let mut explicit = Counter::new(opts.initial_explicit_policy, start);
    let mut mapping = Counter::new(opts.initial_policy_mapping_inhibit, start);
    let mut inhibit_any = Counter::new(opts.initial_any_policy_inhibit, start);
    let mut tree = Some(Tree::new());
    let mut emptied: Option<Emptied> = None;
    let mut last_constraints = None;

    for (i, cert) in path.iter().enumerate() {
        let is_last = i == last;
        let ext = Extensions::read(cert, i)?;
        let depth = i.saturating_add(1);

        // §6.1.3 (d), (e).
        if let Some(t) = tree.as_mut() {
            let gone = match &ext.policies {
                Some(policies) => {
                    let any_honoured = inhibit_any.value > 0 || (!is_last && cert.is_self_issued());
                    match t
                        .add_level(depth, policies, any_honoured)
                        .map_err(|e| e.at(i))?
                    {
                        Level::Kept => None,
                        Level::Emptied(allowed) => Some(Emptied::NoMatch {
                            at: i,
                            asserted: policies.listed(),
                            allowed,
                            any_inhibited: policies.any && !any_honoured,
                        }),
                    }
                }
                None => Some(Emptied::NoPolicies { at: i }),
            };
            if gone.is_some() {
                tree = None;
                emptied = gone;
            }
        }
        // §6.1.3 (f).
        if explicit.value == 0 && tree.is_none() {
            return Err(explicit_failure(
                path,
                i,
                emptied.as_ref(),
                explicit,
                inhibit_any,
                mapping,
            ));
        }
        if is_last {
            last_constraints = ext.constraints;
            break;
        }

        // §6.1.4 (a), (b).
        if let Some(pairs) = &ext.mappings {
            if let Some((from, to)) = pairs
                .iter()
                .find(|(from, to)| *from == ANY_POLICY || *to == ANY_POLICY)
            {
                return Err(PolicyViolation {
                    index: i,
                    detail: format!(
                        "policyMappings of {} maps {} to {}: a mapping to or from anyPolicy is \
                         not allowed (rfc 5280 §6.1.4(a))",
                        cert.subject(),
                        name(from),
                        name(to)
                    ),
                });
            }
            if let Some(t) = tree.as_mut()
                && !t
                    .map(depth, pairs, mapping.value > 0)
                    .map_err(|e| e.at(i))?
            {
                tree = None;
                emptied = Some(Emptied::MappingInhibited {
                    at: i,
                    issuers: issuers(pairs),
                });
            }
        }
        // §6.1.4 (h).
        if !cert.is_self_issued() {
            explicit.decrement();
            mapping.decrement();
            inhibit_any.decrement();
        }
        // §6.1.4 (i), (j).
        if let Some(c) = &ext.constraints {
            if let Some(skip) = c.require_explicit_policy {
                explicit.lower(skip, i);
            }
            if let Some(skip) = c.inhibit_policy_mapping {
                mapping.lower(skip, i);
            }
        }
        if let Some(skip) = ext.inhibit_any {
            inhibit_any.lower(skip, i);
        }
    }

    // §6.1.5 (a), (b).
    explicit.decrement();
    if explicit.value != 0 && last_constraints.is_some_and(|c| c.require_explicit_policy == Some(0))
    {
        explicit.value = 0;
        explicit.source = Source::Cert(last);
    }
    // §6.1.5 (g).
    let user = user_set(&opts.initial_policy_set);
    let n = path.len();
    if let (Some(t), Some(user)) = (tree.as_mut(), user.as_deref()) {
        let before = t.intersect(n, user).map_err(|e| e.at(last))?;
        if !t.root_live() {
            tree = None;
            emptied = Some(Emptied::UserSet {
                valid: before,
                acceptable: user.to_vec(),
            });
        }
    }
    match tree {
        None if explicit.value == 0 => Err(explicit_failure(
            path,
            last,
            emptied.as_ref(),
            explicit,
            inhibit_any,
            mapping,
        )),
        None => Ok(PolicyOutcome {
            policies: Some(Vec::new()),
        }),
        Some(t) => Ok(PolicyOutcome {
            policies: t.outcome(n, user.is_none()),
        }),
    }
}

/// The user-initial-policy-set (§6.1.1(c)) sorted, or `None` for any-policy (empty, or holding
/// anyPolicy).
fn user_set(initial: &[ObjectIdentifier]) -> Option<Vec<ObjectIdentifier>> {
    if initial.is_empty() || initial.contains(&ANY_POLICY) {
        return None;
    }
    let mut set = initial.to_vec();
    set.sort_unstable();
    set.dedup();
    Some(set)
}

/// The distinct issuerDomainPolicy values of sorted mappings.
fn issuers(pairs: &[(ObjectIdentifier, ObjectIdentifier)]) -> Vec<ObjectIdentifier> {
    let mut out: Vec<ObjectIdentifier> = pairs.iter().map(|(from, _)| *from).collect();
    out.dedup();
    out
}

/// A policy's dotted form, or `anyPolicy`.
fn name(oid: &ObjectIdentifier) -> String {
    if *oid == ANY_POLICY {
        "anyPolicy".into()
    } else {
        oid.to_string()
    }
}

/// Policies for a message, the first [`LISTED`] of them.
fn list(oids: &[ObjectIdentifier]) -> String {
    if oids.is_empty() {
        return "none".into();
    }
    let mut out = oids
        .iter()
        .take(LISTED)
        .map(name)
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(more) = oids.len().checked_sub(LISTED).filter(|m| *m > 0) {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The state variables of §6.1.2 and why they are what they are

/// One of the counters of §6.1.2 (d), (e), (f), with what last lowered it.
#[derive(Debug, Clone, Copy)]
struct Counter {
    value: usize,
    source: Source,
}

/// What set a counter: the §6.1.1 input, or an extension of the certificate at that index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Input,
    Cert(usize),
}

impl Counter {
    /// 0 when the initial input is set, else n+1 (§6.1.2).
    fn new(initial_set: bool, start: usize) -> Self {
        Self {
            value: if initial_set { 0 } else { start },
            source: Source::Input,
        }
    }

    /// §6.1.4(h), §6.1.5(a): decrement unless 0.
    fn decrement(&mut self) {
        self.value = self.value.saturating_sub(1);
    }

    /// §6.1.4 (i), (j): a SkipCerts value below the counter replaces it.
    fn lower(&mut self, skip: u32, at: usize) {
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        if skip < self.value {
            self.value = skip;
            self.source = Source::Cert(at);
        }
    }
}

/// How the tree became NULL (the first time; it stays NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Emptied {
    /// §6.1.3(e): the certificate at `at` has no certificatePolicies.
    NoPolicies { at: usize },
    /// §6.1.3(d): none of the policies the certificate at `at` asserts continues the tree.
    NoMatch {
        at: usize,
        asserted: Vec<ObjectIdentifier>,
        /// The expected policies of the level above.
        allowed: Vec<ObjectIdentifier>,
        /// The certificate asserts anyPolicy, which inhibit_anyPolicy kept from being processed.
        any_inhibited: bool,
    },
    /// §6.1.4(b)(2): the certificate at `at` maps `issuers` while mapping is inhibited.
    MappingInhibited {
        at: usize,
        issuers: Vec<ObjectIdentifier>,
    },
    /// §6.1.5(g): none of the path's valid policies is acceptable to the user.
    UserSet {
        valid: Vec<ObjectIdentifier>,
        acceptable: Vec<ObjectIdentifier>,
    },
}

/// The failure of §6.1.3(f) or §6.1.5 at `index`: explicit_policy is 0 and the tree NULL.
fn explicit_failure(
    path: &[&Cert],
    index: usize,
    emptied: Option<&Emptied>,
    explicit: Counter,
    inhibit_any: Counter,
    mapping: Counter,
) -> PolicyViolation {
    let subject = |at: usize| {
        path.get(at)
            .map_or_else(|| format!("certificate {at}"), |c| c.subject())
    };
    let why = match emptied {
        None => "the policy tree is empty".to_string(),
        Some(Emptied::NoPolicies { at }) => {
            format!("{} asserts no certificate policies", subject(*at))
        }
        Some(Emptied::NoMatch {
            at,
            asserted,
            allowed,
            any_inhibited,
        }) => {
            let mut s = if asserted.is_empty() {
                format!("{} asserts only anyPolicy", subject(*at))
            } else {
                format!(
                    "{} asserts {} but the path above it allows only {}",
                    subject(*at),
                    list(asserted),
                    list(allowed)
                )
            };
            if *any_inhibited {
                s.push_str(&format!(
                    "; its anyPolicy is not honoured: {}",
                    match inhibit_any.source {
                        Source::Input => "initial-any-policy-inhibit is set".to_string(),
                        Source::Cert(k) => format!("inhibitAnyPolicy of {} forbids it", subject(k)),
                    }
                ));
            }
            s
        }
        Some(Emptied::MappingInhibited { at, issuers }) => format!(
            "{} maps {} while policy mapping is inhibited by {}",
            subject(*at),
            list(issuers),
            match mapping.source {
                Source::Input => "the initial-policy-mapping-inhibit input".to_string(),
                Source::Cert(k) => format!("the inhibitPolicyMapping of {}", subject(k)),
            }
        ),
        Some(Emptied::UserSet { valid, acceptable }) => format!(
            "the path's valid policies ({}) include none of the acceptable policies ({})",
            list(valid),
            list(acceptable)
        ),
    };
    let required = match explicit.source {
        Source::Input => "the initial-explicit-policy input".to_string(),
        Source::Cert(k) => format!("the requireExplicitPolicy of {}", subject(k)),
    };
    PolicyViolation {
        index,
        detail: format!("{why}; an explicit policy is required by {required}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The extensions of one certificate

/// A certificatePolicies extension: its policies other than anyPolicy, sorted, and whether it
/// asserts anyPolicy.
#[derive(Debug)]
struct Policies {
    ids: Vec<ObjectIdentifier>,
    any: bool,
}

impl Policies {
    /// What the certificate asserts, anyPolicy left out.
    fn listed(&self) -> Vec<ObjectIdentifier> {
        self.ids.clone()
    }
}

/// The four policy extensions of one certificate, decoded.
#[derive(Debug)]
struct Extensions {
    /// certificatePolicies (§4.2.1.4).
    policies: Option<Policies>,
    /// policyMappings (§4.2.1.5) as (issuerDomainPolicy, subjectDomainPolicy), sorted, distinct.
    mappings: Option<Vec<(ObjectIdentifier, ObjectIdentifier)>>,
    /// policyConstraints (§4.2.1.11).
    constraints: Option<PolicyConstraints>,
    /// inhibitAnyPolicy (§4.2.1.14).
    inhibit_any: Option<u32>,
}

impl Extensions {
    /// Decodes the policy extensions of `cert`, the certificate at `index`.
    fn read(cert: &Cert, index: usize) -> Result<Self, PolicyViolation> {
        let malformed = |what: &str, why: String| PolicyViolation {
            index,
            detail: format!("{what} of {} is malformed: {why}", cert.subject()),
        };
        let decode_error = |e: CertError| match e {
            CertError::BadExtension { detail, .. } => format!("it does not decode ({detail})"),
            other => other.to_string(),
        };

        // §4.2: one instance of an extension at most; which of two a reader sees is arbitrary.
        for (oid, what) in [
            (CertificatePolicies::OID, "certificatePolicies"),
            (PolicyMappings::OID, "policyMappings"),
            (PolicyConstraints::OID, "policyConstraints"),
            (InhibitAnyPolicy::OID, "inhibitAnyPolicy"),
        ] {
            let count = cert
                .x509()
                .tbs_certificate
                .extensions
                .as_deref()
                .unwrap_or_default()
                .iter()
                .filter(|e| e.extn_id == oid)
                .count();
            if count > 1 {
                return Err(malformed(
                    what,
                    "the extension appears more than once (rfc 5280 §4.2)".into(),
                ));
            }
        }
        let policies = match cert
            .decoded::<CertificatePolicies>()
            .map_err(|e| malformed("certificatePolicies", decode_error(e)))?
        {
            None => None,
            Some(p) if p.0.is_empty() => {
                return Err(malformed(
                    "certificatePolicies",
                    "it lists no policy (rfc 5280 §4.2.1.4: SIZE (1..MAX))".into(),
                ));
            }
            Some(p) => {
                let mut ids: Vec<ObjectIdentifier> =
                    p.0.iter().map(|info| info.policy_identifier).collect();
                ids.sort_unstable();
                if let Some(twice) = ids.windows(2).find(|w| w[0] == w[1]) {
                    return Err(malformed(
                        "certificatePolicies",
                        format!(
                            "it lists {} twice (rfc 5280 §4.2.1.4: a policy OID must not appear \
                             more than once)",
                            name(&twice[0])
                        ),
                    ));
                }
                let any = ids.contains(&ANY_POLICY);
                ids.retain(|id| *id != ANY_POLICY);
                Some(Policies { ids, any })
            }
        };
        let mappings = match cert
            .decoded::<PolicyMappings>()
            .map_err(|e| malformed("policyMappings", decode_error(e)))?
        {
            None => None,
            Some(m) if m.0.is_empty() => {
                return Err(malformed(
                    "policyMappings",
                    "it lists no mapping (rfc 5280 §4.2.1.5: SIZE (1..MAX))".into(),
                ));
            }
            Some(m) => {
                let mut pairs: Vec<(ObjectIdentifier, ObjectIdentifier)> =
                    m.0.iter()
                        .map(|p| (p.issuer_domain_policy, p.subject_domain_policy))
                        .collect();
                pairs.sort_unstable();
                pairs.dedup();
                Some(pairs)
            }
        };
        let constraints = match cert
            .decoded::<PolicyConstraints>()
            .map_err(|e| malformed("policyConstraints", decode_error(e)))?
        {
            Some(c)
                if c.require_explicit_policy.is_none() && c.inhibit_policy_mapping.is_none() =>
            {
                return Err(malformed(
                    "policyConstraints",
                    "it is an empty sequence (rfc 5280 §4.2.1.11)".into(),
                ));
            }
            other => other,
        };
        let inhibit_any = cert
            .decoded::<InhibitAnyPolicy>()
            .map_err(|e| malformed("inhibitAnyPolicy", decode_error(e)))?
            .map(|skip| skip.0);
        Ok(Self {
            policies,
            mappings,
            constraints,
            inhibit_any,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The valid_policy_tree

/// A node of the valid_policy_tree (§6.1.2(a)) without its qualifier_set.
#[derive(Debug, Clone)]
struct Node {
    /// valid_policy.
    policy: ObjectIdentifier,
    /// The index of the parent in the level above (0 for the root, which has none).
    parent: usize,
    /// expected_policy_set.
    expected: Expected,
    /// How many live children the node has.
    children: usize,
    /// Not deleted.
    live: bool,
}

/// An expected_policy_set.
#[derive(Debug, Clone, Copy)]
enum Expected {
    /// {valid_policy}: what §6.1.3(d) gives every node it creates.
    Own,
    /// The subjectDomainPolicy values a mapping gave (§6.1.4(b)(1)): `Tree::mapped[start..end]`.
    Mapped { start: usize, end: usize },
}

/// The valid_policy_tree, never NULL: a NULL tree is `None` in [`process_policies`].
#[derive(Debug)]
struct Tree {
    /// `levels[d]`: the nodes of depth d.
    levels: Vec<Vec<Node>>,
    /// The subjectDomainPolicy values [`Expected::Mapped`] ranges point into.
    mapped: Vec<ObjectIdentifier>,
    /// Nodes created.
    nodes: usize,
    /// Work done.
    steps: usize,
}

/// The tree outgrew its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TooLarge {
    Nodes,
    Steps,
}

impl TooLarge {
    /// The violation at the certificate at `index`.
    fn at(self, index: usize) -> PolicyViolation {
        let detail = match self {
            Self::Nodes => format!(
                "the policy tree is too large: over {MAX_POLICY_NODES} nodes (policy mappings \
                 multiply it)"
            ),
            Self::Steps => {
                format!("the policy tree is too large: over {MAX_POLICY_STEPS} steps to process it")
            }
        };
        PolicyViolation { index, detail }
    }
}

/// What a level of §6.1.3(d) did to the tree.
#[derive(Debug)]
enum Level {
    /// The tree is not NULL.
    Kept,
    /// The tree is NULL; the expected policies of the level above, sorted.
    Emptied(Vec<ObjectIdentifier>),
}

impl Tree {
    /// §6.1.2(a): the root {anyPolicy, {}, {anyPolicy}} at depth 0.
    fn new() -> Self {
        Self {
            levels: vec![vec![Node {
                policy: ANY_POLICY,
                parent: 0,
                expected: Expected::Own,
                children: 0,
                live: true,
            }]],
            mapped: Vec::new(),
            nodes: 1,
            steps: 0,
        }
    }

    /// The root is live: the tree is not NULL.
    fn root_live(&self) -> bool {
        self.node(0, 0).is_some_and(|n| n.live)
    }

    fn node(&self, depth: usize, index: usize) -> Option<&Node> {
        self.levels.get(depth).and_then(|l| l.get(index))
    }

    fn node_mut(&mut self, depth: usize, index: usize) -> Option<&mut Node> {
        self.levels.get_mut(depth).and_then(|l| l.get_mut(index))
    }

    /// The nodes of depth `depth`.
    fn level(&self, depth: usize) -> &[Node] {
        self.levels.get(depth).map_or(&[], Vec::as_slice)
    }

    /// A node's expected_policy_set.
    fn expected<'a>(&'a self, node: &'a Node) -> &'a [ObjectIdentifier] {
        match node.expected {
            Expected::Own => std::slice::from_ref(&node.policy),
            Expected::Mapped { start, end } => self.mapped.get(start..end).unwrap_or_default(),
        }
    }

    /// The live node of depth `depth` whose valid_policy is anyPolicy. There is at most one: only
    /// an anyPolicy node expects anyPolicy (mappings to it are refused), so only it gets an
    /// anyPolicy child.
    fn any_node(&self, depth: usize) -> Option<usize> {
        self.level(depth)
            .iter()
            .position(|n| n.live && n.policy == ANY_POLICY)
    }

    fn step(&mut self, work: usize) -> Result<(), TooLarge> {
        self.steps = self.steps.saturating_add(work);
        if self.steps > MAX_POLICY_STEPS {
            return Err(TooLarge::Steps);
        }
        Ok(())
    }

    /// Creates a child of node `parent` of depth `depth - 1`.
    fn add(
        &mut self,
        depth: usize,
        parent: usize,
        policy: ObjectIdentifier,
        expected: Expected,
    ) -> Result<(), TooLarge> {
        if self.nodes >= MAX_POLICY_NODES {
            return Err(TooLarge::Nodes);
        }
        self.nodes = self.nodes.saturating_add(1);
        if let Some(p) = depth
            .checked_sub(1)
            .and_then(|up| self.node_mut(up, parent))
        {
            p.children = p.children.saturating_add(1);
        }
        while self.levels.len() <= depth {
            self.levels.push(Vec::new());
        }
        if let Some(level) = self.levels.get_mut(depth) {
            level.push(Node {
                policy,
                parent,
                expected,
                children: 0,
                live: true,
            });
        }
        Ok(())
    }

    /// Deletes a node, then every ancestor left without children (§6.1.3(d)(3), §6.1.4(b)(2)).
    /// The node's own descendants are not visited: callers delete leaves, or (§6.1.5(g)) mark the
    /// subtree dead level by level.
    fn delete(&mut self, mut depth: usize, mut index: usize) {
        loop {
            let Some(node) = self.node_mut(depth, index) else {
                return;
            };
            if !node.live {
                return;
            }
            node.live = false;
            let parent = node.parent;
            let Some(up) = depth.checked_sub(1) else {
                return;
            };
            let Some(p) = self.node_mut(up, parent) else {
                return;
            };
            p.children = p.children.saturating_sub(1);
            if p.children > 0 {
                return;
            }
            depth = up;
            index = parent;
        }
    }

    /// §6.1.3(d) for the certificate whose nodes have depth `depth`: (1) a node per asserted
    /// policy under each node expecting it, else under the anyPolicy node; (2) when anyPolicy is
    /// asserted and `any_honoured`, a node for every expected policy not yet a child; (3) prune.
    fn add_level(
        &mut self,
        depth: usize,
        policies: &Policies,
        any_honoured: bool,
    ) -> Result<Level, TooLarge> {
        let above = depth.saturating_sub(1);
        while self.levels.len() <= depth {
            self.levels.push(Vec::new());
        }

        // (d)(1): the level above indexed by expected policy.
        if !policies.ids.is_empty() {
            // Counted before anything is allocated for it.
            let work: usize = self
                .level(above)
                .iter()
                .filter(|n| n.live)
                .map(|n| self.expected(n).len())
                .sum();
            self.step(work.saturating_add(policies.ids.len()))?;
            let mut index: Vec<(ObjectIdentifier, usize)> = Vec::with_capacity(work);
            for (k, node) in self.level(above).iter().enumerate() {
                if node.live {
                    index.extend(self.expected(node).iter().map(|e| (*e, k)));
                }
            }
            index.sort_unstable();
            let any_parent = self.any_node(above);
            for p in &policies.ids {
                let from = index.partition_point(|(e, _)| e < p);
                let mut matched = false;
                for (_, k) in index
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|(e, _)| e == p)
                {
                    self.add(depth, *k, *p, Expected::Own)?;
                    matched = true;
                }
                if let (false, Some(a)) = (matched, any_parent) {
                    self.add(depth, a, *p, Expected::Own)?;
                }
            }
        }

        // (d)(2).
        if policies.any && any_honoured {
            let work: usize = self
                .level(above)
                .iter()
                .filter(|n| n.live)
                .map(|n| self.expected(n).len())
                .sum();
            self.step(work.saturating_add(self.level(depth).len()))?;
            let mut existing: Vec<(usize, ObjectIdentifier)> = self
                .level(depth)
                .iter()
                .filter(|n| n.live)
                .map(|n| (n.parent, n.policy))
                .collect();
            existing.sort_unstable();
            let mut todo: Vec<(usize, ObjectIdentifier)> = Vec::new();
            for (k, node) in self.level(above).iter().enumerate() {
                if node.live {
                    todo.extend(
                        self.expected(node)
                            .iter()
                            .filter(|e| existing.binary_search(&(k, **e)).is_err())
                            .map(|e| (k, *e)),
                    );
                }
            }
            for (k, e) in todo {
                self.add(depth, k, e, Expected::Own)?;
            }
        }

        // (d)(3).
        let emptied = !self.level(depth).iter().any(|n| n.live);
        let allowed = if emptied {
            let mut allowed: Vec<ObjectIdentifier> = self
                .level(above)
                .iter()
                .filter(|n| n.live)
                .flat_map(|n| self.expected(n).iter().copied())
                .collect();
            allowed.sort_unstable();
            allowed.dedup();
            allowed
        } else {
            Vec::new()
        };
        for k in 0..self.level(above).len() {
            if self
                .node(above, k)
                .is_some_and(|n| n.live && n.children == 0)
            {
                self.delete(above, k);
            }
        }
        Ok(if self.root_live() {
            Level::Kept
        } else {
            Level::Emptied(allowed)
        })
    }

    /// §6.1.4(b) for the certificate whose nodes have depth `depth` and its mappings `pairs`
    /// (sorted, none involving anyPolicy): when `allowed` (policy_mapping > 0), (1) a node whose
    /// valid_policy is mapped expects the subjectDomainPolicy values, and an issuerDomainPolicy
    /// without a node gets one under the anyPolicy node when there is one; otherwise (2) the nodes
    /// of mapped policies are deleted and the tree pruned. Whether the tree is still not NULL.
    fn map(
        &mut self,
        depth: usize,
        pairs: &[(ObjectIdentifier, ObjectIdentifier)],
        allowed: bool,
    ) -> Result<bool, TooLarge> {
        let base = self.mapped.len();
        if allowed {
            self.step(pairs.len())?;
            self.mapped.extend(pairs.iter().map(|(_, to)| *to));
        }
        // The issuerDomainPolicy of `pairs[from]` has a node (pairs of one issuer are adjacent).
        let mut seen = vec![false; pairs.len()];
        for k in 0..self.level(depth).len() {
            let Some(node) = self.node(depth, k).filter(|n| n.live) else {
                continue;
            };
            let policy = node.policy;
            let from = pairs.partition_point(|(p, _)| *p < policy);
            let count = pairs
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|(p, _)| *p == policy)
                .count();
            self.step(1)?;
            if count == 0 {
                continue;
            }
            if allowed {
                if let Some(s) = seen.get_mut(from) {
                    *s = true;
                }
                let (start, end) = (base.saturating_add(from), base.saturating_add(from + count));
                if let Some(node) = self.node_mut(depth, k) {
                    node.expected = Expected::Mapped { start, end };
                }
            } else {
                self.delete(depth, k);
            }
        }
        if allowed && let Some(a) = self.any_node(depth) {
            let grandparent = self.node(depth, a).map_or(0, |n| n.parent);
            let mut from = 0;
            while let Some((issuer, _)) = pairs.get(from).copied() {
                let count = pairs
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|(p, _)| *p == issuer)
                    .count();
                let to = from.saturating_add(count);
                if !seen.get(from).copied().unwrap_or(true) {
                    let expected = Expected::Mapped {
                        start: base.saturating_add(from),
                        end: base.saturating_add(to),
                    };
                    self.add(depth, grandparent, issuer, expected)?;
                }
                from = to;
            }
        }
        Ok(self.root_live())
    }

    /// §6.1.5(g)(iii) for a path of `n` certificates and a user-initial-policy-set `user` (sorted,
    /// not any-policy). Returns the valid_policy of the nodes whose parent is anyPolicy as they
    /// were before (the valid_policy_node_set), sorted, for a message.
    fn intersect(
        &mut self,
        n: usize,
        user: &[ObjectIdentifier],
    ) -> Result<Vec<ObjectIdentifier>, TooLarge> {
        let mut node_set = Vec::new();
        // (1), (2): level by level, so that a deleted node's children are deleted with it.
        for depth in 1..=n {
            let above = depth.saturating_sub(1);
            self.step(self.level(depth).len())?;
            for k in 0..self.level(depth).len() {
                let Some(node) = self.node(depth, k).filter(|n| n.live) else {
                    continue;
                };
                let (policy, parent) = (node.policy, node.parent);
                let Some(up) = self.node(above, parent) else {
                    continue;
                };
                if !up.live {
                    // A child of a node deleted by (2).
                    if let Some(node) = self.node_mut(depth, k) {
                        node.live = false;
                    }
                    continue;
                }
                if up.policy == ANY_POLICY && policy != ANY_POLICY {
                    node_set.push(policy);
                    if user.binary_search(&policy).is_err() {
                        self.delete(depth, k);
                    }
                }
            }
        }
        node_set.sort_unstable();
        node_set.dedup();
        // (3); (4) is the pruning `add` and `delete` do.
        if let Some(a) = self.any_node(n) {
            let parent = self.node(n, a).map_or(0, |n| n.parent);
            for p in user {
                if node_set.binary_search(p).is_err() {
                    self.add(n, parent, *p, Expected::Own)?;
                }
            }
            self.delete(n, a);
        }
        Ok(node_set)
    }

    /// The outcome's policies (see [`PolicyOutcome::policies`]) of a non-NULL tree over `n`
    /// certificates.
    fn outcome(&self, n: usize, any_user: bool) -> Option<Vec<ObjectIdentifier>> {
        if any_user && self.any_node(n).is_some() {
            return None;
        }
        let mut out = Vec::new();
        for depth in 1..=n {
            let above = depth.saturating_sub(1);
            out.extend(
                self.level(depth)
                    .iter()
                    .filter(|node| node.live && node.policy != ANY_POLICY)
                    .filter(|node| {
                        self.node(above, node.parent)
                            .is_some_and(|up| up.live && up.policy == ANY_POLICY)
                    })
                    .map(|node| node.policy),
            );
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

    use der::Encode;
    use rcgen::{CertificateParams, CustomExtension, DistinguishedName, DnType, Issuer, KeyPair};
    use x509_cert::ext::pkix::PolicyMapping;
    use x509_cert::ext::pkix::certpolicy::PolicyInformation;

    use super::*;

    const P1: &str = "1.3.6.1.4.1.99999.1";
    const P2: &str = "1.3.6.1.4.1.99999.2";
    const P3: &str = "1.3.6.1.4.1.99999.3";
    const ANY: &str = "2.5.29.32.0";

    fn oid(s: &str) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap(s)
    }

    fn oids(list: &[&str]) -> Vec<ObjectIdentifier> {
        list.iter().map(|s| oid(s)).collect()
    }

    fn ext(arcs: &[u64], content: Vec<u8>, critical: bool) -> CustomExtension {
        let mut e = CustomExtension::from_oid_content(arcs, content);
        e.set_criticality(critical);
        e
    }

    /// certificatePolicies with these policies, in this order (no qualifiers).
    fn policies(list: &[&str]) -> CustomExtension {
        let value = CertificatePolicies(
            list.iter()
                .map(|p| PolicyInformation {
                    policy_identifier: oid(p),
                    policy_qualifiers: None,
                })
                .collect(),
        );
        ext(&[2, 5, 29, 32], value.to_der().unwrap(), false)
    }

    /// policyMappings of (issuerDomainPolicy, subjectDomainPolicy) pairs.
    fn mappings(pairs: &[(&str, &str)]) -> CustomExtension {
        let value = PolicyMappings(
            pairs
                .iter()
                .map(|(from, to)| PolicyMapping {
                    issuer_domain_policy: oid(from),
                    subject_domain_policy: oid(to),
                })
                .collect(),
        );
        ext(&[2, 5, 29, 33], value.to_der().unwrap(), true)
    }

    /// policyConstraints (requireExplicitPolicy, inhibitPolicyMapping).
    fn constraints(require: Option<u32>, inhibit: Option<u32>) -> CustomExtension {
        let value = PolicyConstraints {
            require_explicit_policy: require,
            inhibit_policy_mapping: inhibit,
        };
        ext(&[2, 5, 29, 36], value.to_der().unwrap(), true)
    }

    fn inhibit_any(skip: u32) -> CustomExtension {
        ext(
            &[2, 5, 29, 54],
            InhibitAnyPolicy(skip).to_der().unwrap(),
            true,
        )
    }

    fn dn(cn: &str) -> DistinguishedName {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        dn
    }

    /// A certificate of `subject` issued under the name `issuer` (the signature does not matter
    /// here: policies are processed on a path already built).
    fn cert(subject: &str, issuer: &str, extensions: Vec<CustomExtension>) -> Cert {
        let mut issuer_params = CertificateParams::default();
        issuer_params.distinguished_name = dn(issuer);
        let issuer = Issuer::new(issuer_params, KeyPair::generate().unwrap());
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(subject);
        params.custom_extensions = extensions;
        let key = KeyPair::generate().unwrap();
        Cert::from_der(params.signed_by(&key, &issuer).unwrap().der()).unwrap()
    }

    /// A path from the certificate the anchor "Root" issued down: each entry is a subject and
    /// its extensions; each is issued by the one before ("Root" for the first). An entry whose
    /// subject repeats the one before is self-issued.
    fn path(specs: Vec<(&str, Vec<CustomExtension>)>) -> Vec<Cert> {
        let mut issuer = "Root".to_string();
        specs
            .into_iter()
            .map(|(subject, exts)| {
                let c = cert(subject, &issuer, exts);
                issuer = subject.to_string();
                c
            })
            .collect()
    }

    fn run(certs: &[Cert], opts: &PolicyOptions) -> Result<PolicyOutcome, PolicyViolation> {
        let refs: Vec<&Cert> = certs.iter().collect();
        process_policies(&refs, opts)
    }

    fn explicit() -> PolicyOptions {
        PolicyOptions {
            initial_explicit_policy: true,
            ..PolicyOptions::default()
        }
    }

    fn user(list: &[&str], explicit: bool) -> PolicyOptions {
        PolicyOptions {
            initial_policy_set: oids(list),
            initial_explicit_policy: explicit,
            ..PolicyOptions::default()
        }
    }

    fn valid(list: &[&str]) -> Result<PolicyOutcome, PolicyViolation> {
        Ok(PolicyOutcome {
            policies: Some(oids(list)),
        })
    }

    fn violation(index: usize, detail: &str) -> Result<PolicyOutcome, PolicyViolation> {
        Err(PolicyViolation {
            index,
            detail: detail.to_string(),
        })
    }

    // §6.1.3(e), (f) ----------------------------------------------------------------------------

    #[test]
    fn ok_no_policies_anywhere_without_explicit_policy() {
        let certs = path(vec![("CA", vec![]), ("EE", vec![])]);
        assert_eq!(run(&certs, &PolicyOptions::default()), valid(&[]));
    }

    #[test]
    fn fail_no_policies_with_initial_explicit_policy() {
        let certs = path(vec![("CA", vec![]), ("EE", vec![])]);
        assert_eq!(
            run(&certs, &explicit()),
            violation(
                0,
                "CN=CA asserts no certificate policies; an explicit policy is required by the \
                 initial-explicit-policy input"
            )
        );
    }

    #[test]
    fn fail_target_without_policies_under_explicit_policy() {
        let certs = path(vec![("CA", vec![policies(&[P1])]), ("EE", vec![])]);
        assert_eq!(
            run(&certs, &explicit()),
            violation(
                1,
                "CN=EE asserts no certificate policies; an explicit policy is required by the \
                 initial-explicit-policy input"
            )
        );
    }

    // §6.1.3(d)(1) ------------------------------------------------------------------------------

    #[test]
    fn ok_same_policy_down_the_path() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1, P2])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(run(&certs, &explicit()), valid(&[P1]));
    }

    #[test]
    fn fail_different_policies_under_explicit_policy() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1])]),
            ("EE", vec![policies(&[P2, P3])]),
        ]);
        assert_eq!(
            run(&certs, &explicit()),
            violation(
                1,
                &format!(
                    "CN=EE asserts {P2}, {P3} but the path above it allows only {P1}; an explicit \
                     policy is required by the initial-explicit-policy input"
                )
            )
        );
        // Without explicit policy the path is valid, for no policy.
        assert_eq!(run(&certs, &PolicyOptions::default()), valid(&[]));
    }

    #[test]
    fn ok_any_policy_ca_lets_the_target_choose() {
        let certs = path(vec![
            ("CA", vec![policies(&[ANY])]),
            ("EE", vec![policies(&[P2])]),
        ]);
        assert_eq!(run(&certs, &explicit()), valid(&[P2]));
    }

    #[test]
    fn ok_any_policy_throughout_is_every_policy() {
        let certs = path(vec![
            ("CA", vec![policies(&[ANY])]),
            ("EE", vec![policies(&[ANY])]),
        ]);
        assert_eq!(
            run(&certs, &explicit()),
            Ok(PolicyOutcome { policies: None })
        );
    }

    // §6.1.3(d)(2) and inhibit_anyPolicy (§6.1.2(e), §6.1.4(j)) ----------------------------------

    #[test]
    fn ok_target_any_policy_continues_the_ca_policy() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1])]),
            ("EE", vec![policies(&[ANY])]),
        ]);
        assert_eq!(run(&certs, &explicit()), valid(&[P1]));
    }

    #[test]
    fn fail_any_policy_under_initial_any_policy_inhibit() {
        let certs = path(vec![
            ("CA", vec![policies(&[ANY])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        let opts = PolicyOptions {
            initial_any_policy_inhibit: true,
            initial_explicit_policy: true,
            ..PolicyOptions::default()
        };
        assert_eq!(
            run(&certs, &opts),
            violation(
                0,
                "CN=CA asserts only anyPolicy; its anyPolicy is not honoured: \
                 initial-any-policy-inhibit is set; an explicit policy is required by the \
                 initial-explicit-policy input"
            )
        );
    }

    #[test]
    fn fail_inhibit_any_policy_zero_stops_the_target_any_policy() {
        let certs = path(vec![
            ("CA", vec![policies(&[ANY]), inhibit_any(0)]),
            ("EE", vec![policies(&[ANY])]),
        ]);
        assert_eq!(
            run(&certs, &explicit()),
            violation(
                1,
                "CN=EE asserts only anyPolicy; its anyPolicy is not honoured: inhibitAnyPolicy \
                 of CN=CA forbids it; an explicit policy is required by the \
                 initial-explicit-policy input"
            )
        );
    }

    #[test]
    fn ok_inhibit_any_policy_zero_lets_a_self_issued_ca_assert_it() {
        // §6.1.3(d)(2)(b): i < n and certificate i self-issued.
        let certs = path(vec![
            ("CA", vec![policies(&[ANY]), inhibit_any(0)]),
            ("CA", vec![policies(&[ANY])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(run(&certs, &explicit()), valid(&[P1]));
    }

    #[test]
    fn ok_inhibit_any_policy_one_reaches_the_next_ca_past_a_self_issued_one() {
        // §6.1.4(h): the self-issued certificate does not count.
        let certs = path(vec![
            ("CA", vec![policies(&[ANY]), inhibit_any(1)]),
            ("CA", vec![policies(&[ANY])]),
            ("Sub", vec![policies(&[ANY])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(run(&certs, &explicit()), valid(&[P1]));
    }

    #[test]
    fn fail_inhibit_any_policy_one_stops_the_second_ca_below() {
        let certs = path(vec![
            ("CA", vec![policies(&[ANY]), inhibit_any(1)]),
            ("Sub", vec![policies(&[ANY])]),
            ("Sub2", vec![policies(&[ANY])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &explicit()),
            violation(
                2,
                "CN=Sub2 asserts only anyPolicy; its anyPolicy is not honoured: inhibitAnyPolicy \
                 of CN=CA forbids it; an explicit policy is required by the \
                 initial-explicit-policy input"
            )
        );
    }

    // §6.1.4(i), §6.1.5 (a), (b): requireExplicitPolicy ----------------------------------------

    #[test]
    fn fail_require_explicit_policy_reached_while_the_tree_is_null() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(Some(1), None)]),
            ("Sub", vec![]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                2,
                "CN=Sub asserts no certificate policies; an explicit policy is required by the \
                 requireExplicitPolicy of CN=CA"
            )
        );
    }

    #[test]
    fn ok_require_explicit_policy_beyond_the_path() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(Some(3), None)]),
            ("Sub", vec![]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(run(&certs, &PolicyOptions::default()), valid(&[]));
    }

    #[test]
    fn ok_require_explicit_policy_met() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(Some(0), None)]),
            ("Sub", vec![policies(&[P1])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(run(&certs, &PolicyOptions::default()), valid(&[P1]));
    }

    #[test]
    fn ok_self_issued_ca_does_not_count_for_require_explicit_policy() {
        // requireExplicitPolicy 2: the self-issued CA is not counted (§6.1.4(h)), the wrap-up
        // decrement (§6.1.5(a)) leaves 1, so the NULL tree is accepted.
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(Some(2), None)]),
            ("CA", vec![]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(run(&certs, &PolicyOptions::default()), valid(&[]));
    }

    #[test]
    fn fail_require_explicit_policy_counts_a_ca_that_is_not_self_issued() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(Some(2), None)]),
            ("Sub", vec![]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                2,
                "CN=Sub asserts no certificate policies; an explicit policy is required by the \
                 requireExplicitPolicy of CN=CA"
            )
        );
    }

    #[test]
    fn fail_target_require_explicit_policy_zero_without_policies() {
        // §6.1.5(b).
        let certs = path(vec![
            ("CA", vec![policies(&[P1])]),
            ("EE", vec![constraints(Some(0), None)]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                1,
                "CN=EE asserts no certificate policies; an explicit policy is required by the \
                 requireExplicitPolicy of CN=EE"
            )
        );
    }

    #[test]
    fn ok_target_require_explicit_policy_zero_with_policies() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1])]),
            ("EE", vec![policies(&[P1]), constraints(Some(0), None)]),
        ]);
        assert_eq!(run(&certs, &PolicyOptions::default()), valid(&[P1]));
    }

    // §6.1.4 (a), (b): policy mappings ----------------------------------------------------------

    #[test]
    fn ok_mapping_followed_into_the_subject_domain() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), mappings(&[(P1, P2)])]),
            ("EE", vec![policies(&[P2])]),
        ]);
        // The outcome is in the anchor's domain.
        assert_eq!(run(&certs, &user(&[P1], true)), valid(&[P1]));
    }

    #[test]
    fn fail_mapped_policy_asserted_below_in_its_issuer_form() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), mappings(&[(P1, P2)])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &explicit()),
            violation(
                1,
                &format!(
                    "CN=EE asserts {P1} but the path above it allows only {P2}; an explicit \
                     policy is required by the initial-explicit-policy input"
                )
            )
        );
    }

    #[test]
    fn ok_mapping_from_any_policy_node() {
        // §6.1.4(b)(1): no node for P1, but an anyPolicy node: P1 is created, expecting P2.
        let certs = path(vec![
            ("CA", vec![policies(&[ANY]), mappings(&[(P1, P2)])]),
            ("EE", vec![policies(&[P2])]),
        ]);
        assert_eq!(run(&certs, &explicit()), valid(&[P1]));
    }

    #[test]
    fn fail_mapping_under_initial_policy_mapping_inhibit() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), mappings(&[(P1, P2)])]),
            ("EE", vec![policies(&[P2])]),
        ]);
        let opts = PolicyOptions {
            initial_policy_mapping_inhibit: true,
            initial_explicit_policy: true,
            ..PolicyOptions::default()
        };
        assert_eq!(
            run(&certs, &opts),
            violation(
                1,
                &format!(
                    "CN=CA maps {P1} while policy mapping is inhibited by the \
                     initial-policy-mapping-inhibit input; an explicit policy is required by the \
                     initial-explicit-policy input"
                )
            )
        );
    }

    #[test]
    fn fail_mapping_after_inhibit_policy_mapping_zero() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(None, Some(0))]),
            ("Sub", vec![policies(&[P1]), mappings(&[(P1, P2)])]),
            ("EE", vec![policies(&[P2])]),
        ]);
        assert_eq!(
            run(&certs, &explicit()),
            violation(
                2,
                &format!(
                    "CN=Sub maps {P1} while policy mapping is inhibited by the \
                     inhibitPolicyMapping of CN=CA; an explicit policy is required by the \
                     initial-explicit-policy input"
                )
            )
        );
    }

    #[test]
    fn ok_mapping_before_inhibit_policy_mapping_takes_effect() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(None, Some(1))]),
            ("Sub", vec![policies(&[P1]), mappings(&[(P1, P2)])]),
            ("EE", vec![policies(&[P2])]),
        ]);
        assert_eq!(run(&certs, &explicit()), valid(&[P1]));
    }

    #[test]
    fn fail_mapping_to_any_policy() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), mappings(&[(P1, ANY)])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                0,
                &format!(
                    "policyMappings of CN=CA maps {P1} to anyPolicy: a mapping to or from \
                     anyPolicy is not allowed (rfc 5280 §6.1.4(a))"
                )
            )
        );
    }

    #[test]
    fn fail_mapping_from_any_policy() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), mappings(&[(ANY, P2)])]),
            ("EE", vec![policies(&[P2])]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                0,
                &format!(
                    "policyMappings of CN=CA maps anyPolicy to {P2}: a mapping to or from \
                     anyPolicy is not allowed (rfc 5280 §6.1.4(a))"
                )
            )
        );
    }

    // §6.1.5(g): the user-initial-policy-set ---------------------------------------------------

    #[test]
    fn ok_user_set_keeps_its_policies() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1, P2])]),
            ("EE", vec![policies(&[P1, P2])]),
        ]);
        assert_eq!(run(&certs, &user(&[P2, P3], true)), valid(&[P2]));
    }

    #[test]
    fn fail_user_set_disjoint_under_explicit_policy() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1, P2])]),
            ("EE", vec![policies(&[P1, P2])]),
        ]);
        assert_eq!(
            run(&certs, &user(&[P3], true)),
            violation(
                1,
                &format!(
                    "the path's valid policies ({P1}, {P2}) include none of the acceptable \
                     policies ({P3}); an explicit policy is required by the \
                     initial-explicit-policy input"
                )
            )
        );
        assert_eq!(run(&certs, &user(&[P3], false)), valid(&[]));
    }

    #[test]
    fn ok_user_set_under_any_policy_leaf() {
        let certs = path(vec![
            ("CA", vec![policies(&[ANY])]),
            ("EE", vec![policies(&[ANY, P1])]),
        ]);
        assert_eq!(run(&certs, &user(&[P3, P1], true)), valid(&[P1, P3]));
    }

    // Malformed extensions ------------------------------------------------------------------------

    #[test]
    fn fail_policy_listed_twice() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1, P2, P1])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                0,
                &format!(
                    "certificatePolicies of CN=CA is malformed: it lists {P1} twice (rfc 5280 \
                     §4.2.1.4: a policy OID must not appear more than once)"
                )
            )
        );
    }

    #[test]
    fn fail_any_policy_listed_twice() {
        let certs = path(vec![("EE", vec![policies(&[ANY, ANY])])]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                0,
                "certificatePolicies of CN=EE is malformed: it lists anyPolicy twice (rfc 5280 \
                 §4.2.1.4: a policy OID must not appear more than once)"
            )
        );
    }

    #[test]
    fn fail_empty_certificate_policies() {
        let certs = path(vec![("EE", vec![policies(&[])])]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                0,
                "certificatePolicies of CN=EE is malformed: it lists no policy (rfc 5280 \
                 §4.2.1.4: SIZE (1..MAX))"
            )
        );
    }

    #[test]
    fn fail_empty_policy_constraints() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), constraints(None, None)]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                0,
                "policyConstraints of CN=CA is malformed: it is an empty sequence (rfc 5280 \
                 §4.2.1.11)"
            )
        );
    }

    #[test]
    fn fail_garbage_in_each_policy_extension() {
        // A SEQUENCE whose length runs past the end; an INTEGER where a SEQUENCE belongs.
        for (arcs, what) in [
            (&[2u64, 5, 29, 32][..], "certificatePolicies"),
            (&[2, 5, 29, 33][..], "policyMappings"),
            (&[2, 5, 29, 36][..], "policyConstraints"),
            (&[2, 5, 29, 54][..], "inhibitAnyPolicy"),
        ] {
            for garbage in [vec![0x30, 0x05, 0x06], vec![0x04, 0x00], vec![]] {
                let certs = path(vec![
                    ("CA", vec![ext(arcs, garbage.clone(), true)]),
                    ("EE", vec![policies(&[P1])]),
                ]);
                let err = run(&certs, &PolicyOptions::default()).unwrap_err();
                assert_eq!(err.index, 0, "{what} {garbage:02x?}");
                assert!(
                    err.detail
                        .starts_with(&format!("{what} of CN=CA is malformed: it does not decode")),
                    "{what} {garbage:02x?}: {}",
                    err.detail
                );
            }
        }
    }

    #[test]
    fn fail_negative_skip_certs() {
        // inhibitAnyPolicy ::= SkipCerts ::= INTEGER (0..MAX): -1 does not decode.
        let certs = path(vec![
            (
                "CA",
                vec![
                    policies(&[ANY]),
                    ext(&[2, 5, 29, 54], vec![0x02, 0x01, 0xff], true),
                ],
            ),
            ("EE", vec![policies(&[P1])]),
        ]);
        let err = run(&certs, &PolicyOptions::default()).unwrap_err();
        assert_eq!(err.index, 0);
        assert!(
            err.detail
                .starts_with("inhibitAnyPolicy of CN=CA is malformed: it does not decode"),
            "{}",
            err.detail
        );
    }

    #[test]
    fn fail_extension_twice() {
        let certs = path(vec![
            ("CA", vec![policies(&[P1]), policies(&[P2])]),
            ("EE", vec![policies(&[P1])]),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                0,
                "certificatePolicies of CN=CA is malformed: the extension appears more than once \
                 (rfc 5280 §4.2)"
            )
        );
    }

    #[test]
    fn fail_empty_path() {
        assert_eq!(
            run(&[], &PolicyOptions::default()),
            violation(
                0,
                "there is no certificate below the trust anchor to process policies of"
            )
        );
    }

    // The tree's bound --------------------------------------------------------------------------

    /// A CA asserting ten policies and mapping each to all ten: every level multiplies the
    /// tree by ten.
    fn exploding_ca(subject: &str) -> (&str, Vec<CustomExtension>) {
        let names: Vec<String> = (1..=10).map(|k| format!("1.3.6.1.4.1.99999.{k}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut pairs = Vec::new();
        for from in &refs {
            for to in &refs {
                pairs.push((*from, *to));
            }
        }
        (subject, vec![policies(&refs), mappings(&pairs)])
    }

    #[test]
    fn fail_work_over_the_bound() {
        // The step bound stops certificates that make each level costly without many nodes;
        // such certificates would be megabytes, so the tree is primed at the bound instead.
        let mut tree = Tree::new();
        tree.steps = MAX_POLICY_STEPS;
        let asserted = Policies {
            ids: vec![oid(P1)],
            any: false,
        };
        assert_eq!(
            tree.add_level(1, &asserted, true).map(|_| ()),
            Err(TooLarge::Steps)
        );
        assert_eq!(
            TooLarge::Steps.at(2),
            PolicyViolation {
                index: 2,
                detail: "the policy tree is too large: over 1000000 steps to process it".into()
            }
        );
        let mut tree = Tree::new();
        assert!(matches!(
            tree.add_level(1, &asserted, true),
            Ok(Level::Kept)
        ));
    }

    #[test]
    fn ok_mapped_tree_under_the_bound() {
        // 1 + 10 + 100 + 1000 nodes.
        let certs = path(vec![
            exploding_ca("A"),
            exploding_ca("B"),
            ("EE", vec![policies(&[P1, P2])]),
        ]);
        let all: Vec<String> = (1..=10).map(|k| format!("1.3.6.1.4.1.99999.{k}")).collect();
        let mut all: Vec<ObjectIdentifier> = all.iter().map(|s| oid(s)).collect();
        all.sort_unstable();
        assert_eq!(
            run(&certs, &explicit()),
            Ok(PolicyOutcome {
                policies: Some(all)
            })
        );
    }

    #[test]
    fn fail_mapped_tree_over_the_bound() {
        // The fourth level would hold 10,000 nodes (the target's mappings are not processed, its
        // policies are).
        let certs = path(vec![
            exploding_ca("A"),
            exploding_ca("B"),
            exploding_ca("C"),
            exploding_ca("EE"),
        ]);
        assert_eq!(
            run(&certs, &PolicyOptions::default()),
            violation(
                3,
                "the policy tree is too large: over 10000 nodes (policy mappings multiply it)"
            )
        );
    }

    // NIST PKITS sections 4.8 - 4.12 -------------------------------------------------------------

    use eds_fixtures::pkits::{CASES, Case};

    fn pkits_cert(file: &str) -> Cert {
        Cert::from_der(&eds_fixtures::pkits::cert_der(file)).unwrap()
    }

    /// Whether `child` names `parent` as its issuer: the names byte for byte, and the key
    /// identifiers when both are there (a self-issued CA and its subordinate share names).
    fn issued_by(child: &Cert, parent: &Cert) -> bool {
        child.issuer_der() == parent.subject_der()
            && match (child.authority_key_id(), parent.subject_key_id()) {
                (Some(aki), Some(ski)) => aki == ski,
                _ => true,
            }
    }

    /// The case's path, from the certificate the anchor issued to the end entity.
    fn pkits_path(case: &Case) -> Vec<Cert> {
        let mut issuer = pkits_cert("TrustAnchorRootCertificate.crt");
        let mut left: Vec<Cert> = case.inters.iter().map(|f| pkits_cert(f)).collect();
        let mut chain = Vec::new();
        while !left.is_empty() {
            let next: Vec<usize> = (0..left.len())
                .filter(|k| issued_by(&left[*k], &issuer))
                .collect();
            assert_eq!(next.len(), 1, "{}: {} candidates", case.id, next.len());
            issuer = left.remove(next[0]);
            chain.push(issuer.clone());
        }
        let ee = pkits_cert(case.ee);
        assert!(
            issued_by(&ee, &issuer),
            "{}: the end entity does not chain",
            case.id
        );
        chain.push(ee);
        chain
    }

    #[test]
    fn ok_every_pkits_policy_case_sections_4_8_to_4_12() {
        let cases: Vec<&Case> = CASES
            .iter()
            .filter(|c| ("40800".."41300").contains(&c.id))
            .collect();
        assert!(cases.len() > 60, "{} cases", cases.len());
        let mut wrong = Vec::new();
        for case in cases {
            let certs = pkits_path(case);
            let opts = PolicyOptions {
                initial_policy_set: oids(case.policy_set),
                initial_policy_mapping_inhibit: case.inhibit_mapping,
                initial_explicit_policy: case.explicit,
                initial_any_policy_inhibit: case.inhibit_any,
            };
            let got = run(&certs, &opts);
            if got.is_ok() != case.valid {
                wrong.push(format!(
                    "{} {} (set {:?}, explicit {}, mapping inhibit {}, any inhibit {}): {got:?}",
                    case.id,
                    case.ee,
                    case.policy_set,
                    case.explicit,
                    case.inhibit_mapping,
                    case.inhibit_any
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
