//! The certification center of the EDS law: issuance under art. 14, 14-1 and 15, the register
//! (art. 16, 21), revocation on the grounds of art. 17.1 and 18.1, CRLs (art. 18.3), and the
//! protection of keys and owner details (art. 21.2, 23).
//!
//! Storage is the [`store::Store`] trait this crate owns; [`store::sqlite::SqliteStore`] is the
//! embedded default and [`store::postgres::PostgresStore`] the shared one, chosen by a
//! [`store::RegisterUrl`]. Clocks and random generators are parameters of every operation.

pub mod center;
pub mod center_key;
pub mod certs;
pub mod cessation;
pub mod config;
pub mod crl;
mod delegated;
pub mod error;
pub mod fields;
pub mod gost;
pub mod idempotency;
pub mod issue;
mod key_policy;
pub mod keys;
pub mod ocsp;
mod owner_der;
pub mod register;
pub mod revoke;
pub mod root_crl;
pub mod store;
pub mod transfer;
pub mod tsa;

pub use delegated::SignerState;
pub use error::CaError;
