//! The certification center: issuance under the EDS law, the register, revocation, CRL.

pub mod store;
