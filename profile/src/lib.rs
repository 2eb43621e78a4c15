//! The rules of the Law of the Republic of Kazakhstan No. 370 of 7 January 2003 "On Electronic
//! Document and Electronic Digital Signature" (the EDS law) and of the national certificate
//! profile, as plain data and pure functions.
//!
//! The same rule serves the certification center when it issues and the verifier when it checks.
//! Nothing here reads a clock, touches storage or performs cryptography: dates are parameters.
//!
//! | module | source |
//! |---|---|
//! | [`accreditation`] | EDS law art. 20-2.1–2: the root needs no accreditation; an issuing center at most three years |
//! | [`ident`] | IIN and BIN structure (the national identity number registers) |
//! | [`age`] | EDS law art. 14: the age of sixteen |
//! | [`grounds`] | EDS law art. 14-1 (refusal), art. 17.1 and 18.1 (revocation) |
//! | [`oids`], [`holder`] | EDS law art. 15 (certificate content) and the national center's profile |
//! | [`revocation`] | EDS law art. 18.3: the register changed within one day of the notice |
//! | [`request`] | what an applicant presents to the center (art. 14, 14-1) |
//! | [`documents`] | Order No. 34/қе of the Chairman of the National Security Committee: the forms of the eight licensing services; RFC 8785 for the signed bytes |
//! | [`calendar`] | Law "On holidays in the RK" art. 5, Labour Code art. 84–85: working days and the terms of the eight services |
//! | [`kz_time`] | Government Decree No. 20 of 19 January 2024 (one time zone, UTC+5): the legal date of an instant, used for every date of the law |
//! | [`ber`] | X.690: BER → DER, for the files real signers write (shared by signer and verifier) |

pub mod accreditation;
pub mod age;
pub mod ber;
pub mod calendar;
pub mod documents;
pub mod grounds;
pub mod holder;
pub mod ident;
pub mod kz_time;
pub mod names;
pub mod oids;
pub mod request;
pub mod revocation;
