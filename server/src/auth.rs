//! Operator credentials: bearer tokens (RFC 6750) made by `eds ca operator add`.
//!
//! A token is 32 bytes from the system generator, shown once as unpadded base64url (43
//! characters). The register keeps only the SHA-256 of those 32 bytes; a request's token is
//! hashed and looked up by that hash, so no comparison ever runs on the secret itself, and what
//! the lookup's timing could reveal is a hash of a 256-bit random value, which helps nobody
//! forge one.
//!
//! A missing token is 401, a token the center never issued is 401 (`invalid_token`), and the
//! token of a revoked operator is 403: the credential is recognised and is no longer allowed. A
//! refused call reaches no handler, so it writes nothing, the audit log included.
//!
//! Served over plain HTTP on an address beyond loopback, every operator route and every request
//! carrying a token is refused first, 403 [`Error::OperatorApiNeedsTls`] (see [`crate::tls`]).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SecureRandom;

use eds_ca::store::Operator;

use crate::error::Error;
use crate::{AppState, blocking};

/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;

/// Longest operator name.
pub const MAX_NAME_LEN: usize = 64;

/// A new credential: the token to hand to the operator once, and the hash to store.
pub struct NewToken {
    /// The token, unpadded base64url.
    pub text: String,
    /// SHA-256 of the token's bytes: what the register keeps.
    pub hash: [u8; 32],
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("hash", &hex::encode(self.hash))
            .finish_non_exhaustive()
    }
}

/// Draws a new token from `rng`.
pub fn new_token(rng: &dyn SecureRandom) -> Result<NewToken, Error> {
    let mut bytes = [0u8; TOKEN_BYTES];
    rng.fill(&mut bytes).map_err(|_| Error::Random)?;
    Ok(NewToken {
        text: URL_SAFE_NO_PAD.encode(bytes),
        hash: hash_bytes(&bytes),
    })
}

/// The hash under which a presented token is looked up; `None` when the text cannot be a token
/// (wrong length or alphabet).
pub fn token_hash(text: &str) -> Option<[u8; 32]> {
    let bytes = URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()?;
    let bytes: [u8; TOKEN_BYTES] = bytes.try_into().ok()?;
    Some(hash_bytes(&bytes))
}

fn hash_bytes(bytes: &[u8; TOKEN_BYTES]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Checks an operator name: 1 to [`MAX_NAME_LEN`] characters of `A–Z a–z 0–9 . _ @ -`,
/// starting with a letter or digit. The name is the actor of the operator's audit entries.
pub fn check_operator_name(name: &str) -> Result<(), Error> {
    let bad = |reason| {
        Err(Error::BadOperatorName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return bad("it must have 1 to 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'))
    {
        return bad("it may hold only A-Z a-z 0-9 . _ @ -");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return bad("it must start with a letter or a digit");
    }
    Ok(())
}

/// An operator whose bearer token was accepted.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated(pub(crate) Operator);

/// An operator when the request carries a token (which must then be valid), else nobody.
#[derive(Debug, Clone)]
pub(crate) struct MaybeAuthenticated(pub(crate) Option<Operator>);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        safe_transport(state)?;
        match MaybeAuthenticated::from_request_parts(parts, state).await? {
            MaybeAuthenticated(Some(op)) => Ok(Authenticated(op)),
            MaybeAuthenticated(None) => Err(Error::MissingCredential),
        }
    }
}

impl FromRequestParts<AppState> for MaybeAuthenticated {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(MaybeAuthenticated(None));
        };
        safe_transport(state)?;
        let text = value.to_str().map_err(|_| Error::InvalidCredential)?;
        let (scheme, token) = text.split_once(' ').ok_or(Error::InvalidCredential)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Error::InvalidCredential);
        }
        let hash = token_hash(token.trim()).ok_or(Error::InvalidCredential)?;
        let found = blocking(state, move |s| {
            Ok(s.reader().operator_by_token_hash(&hash)?)
        })
        .await?;
        match found {
            None => Err(Error::InvalidCredential),
            Some(Operator {
                name,
                revoked_at: Some(at),
                ..
            }) => Err(Error::RevokedCredential { name, at }),
            Some(op) => Ok(MaybeAuthenticated(Some(op))),
        }
    }
}

/// Refuses the operator API over plain HTTP beyond loopback.
fn safe_transport(state: &AppState) -> Result<(), Error> {
    match state.plain_beyond_loopback.get() {
        Some(listen) => Err(Error::OperatorApiNeedsTls {
            listen: listen.to_string(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;

    #[test]
    fn ok_token_round_trips_to_its_hash() {
        let t = new_token(&SystemRandom::new()).unwrap();
        assert_eq!(t.text.len(), 43);
        assert_eq!(token_hash(&t.text), Some(t.hash));
        let other = new_token(&SystemRandom::new()).unwrap();
        assert_ne!(other.hash, t.hash);
    }

    #[test]
    fn fail_token_of_wrong_shape_has_no_hash() {
        assert_eq!(token_hash(""), None);
        assert_eq!(token_hash("abc"), None);
        // 33 bytes.
        assert_eq!(token_hash(&URL_SAFE_NO_PAD.encode([0u8; 33])), None);
        // Standard alphabet padding is not base64url.
        assert_eq!(
            token_hash(&base64::engine::general_purpose::STANDARD.encode([0xFFu8; 32])),
            None
        );
    }

    #[test]
    fn ok_and_fail_operator_names() {
        assert!(check_operator_name("registry-gateway").is_ok());
        assert!(check_operator_name("a.b_c@d").is_ok());
        for (name, reason) in [
            ("", "it must have 1 to 64 characters"),
            ("-x", "it must start with a letter or a digit"),
            ("a b", "it may hold only A-Z a-z 0-9 . _ @ -"),
            ("ä", "it may hold only A-Z a-z 0-9 . _ @ -"),
        ] {
            assert_eq!(
                check_operator_name(name),
                Err(Error::BadOperatorName {
                    name: name.into(),
                    reason
                })
            );
        }
        assert!(check_operator_name(&"x".repeat(65)).is_err());
    }
}
