//! The exit codes of `eds`: one scheme for every command (docs/exit-codes.md).
//!
//! - 0, 1, 2 are verdicts: 0 done (every signature TOTAL_PASSED), 1 TOTAL_FAILED,
//!   2 INDETERMINATE. Only a verification gives 1 or 2.
//! - 3 to 8 are outcomes under the law and the register: refused, conflict, not found in the
//!   register, wrong passphrase, audit log broken, not fit to sign.
//! - 64 and up are the BSD `sysexits(3)` codes: 64 EX_USAGE (the command line), 65 EX_DATAERR
//!   (an input was read but is not what it should be), 66 EX_NOINPUT (an input cannot be read),
//!   69 EX_UNAVAILABLE (the operation could not run for another reason: `sysexits(3)`'s
//!   catch-all "something you wanted to do doesn't work"), 73 EX_CANTCREAT (an output cannot be
//!   written).
//!
//! Commands return an [`Exit`]; errors are classified by [`Exit::of_error`].

use std::io;
use std::path::Path;
use std::process::ExitCode;

use eds_ca::CaError;
use eds_ca::store::StoreError;

use crate::stdio;

/// How `eds` ends: the process's exit code and, for an error, the `kind` of its `--json` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: done; for a verification, every signature (every document) is TOTAL_PASSED.
    Ok,
    /// 1, a verdict: at least one signature is TOTAL_FAILED.
    TotalFailed,
    /// 2, a verdict: none failed, but at least one signature is INDETERMINATE.
    Indeterminate,
    /// 3: refused under the law (EDS law art. 14-1, 18, 21; the licensing rules).
    Refused,
    /// 4: conflicts with the register's state (already revoked, already initialised).
    Conflict,
    /// 5: a named object is not in the register (a serial, an operator, the center itself).
    NotFound,
    /// 6: a passphrase or password is wrong.
    WrongPassphrase,
    /// 7: the audit log's hash chain is broken.
    AuditBroken,
    /// 8: `eds sign --strict` refused a certificate unfit to sign.
    NotFitToSign,
    /// 64, EX_USAGE: the command line is wrong.
    Usage,
    /// 65, EX_DATAERR: an input was read but is not what it should be (not JSON, not a CSR,
    /// not a certificate, not a key file, not a signature where one is extended or extracted).
    DataError,
    /// 66, EX_NOINPUT: an input file does not exist or cannot be read.
    NoInput,
    /// 69, EX_UNAVAILABLE: the operation could not run for another reason (a server that does
    /// not answer, a key that does not match its certificate, a batch where some file failed).
    Failed,
    /// 73, EX_CANTCREAT: an output file cannot be written.
    CantCreate,
}

impl Exit {
    /// The process's exit code.
    pub(crate) const fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::TotalFailed => 1,
            Self::Indeterminate => 2,
            Self::Refused => 3,
            Self::Conflict => 4,
            Self::NotFound => 5,
            Self::WrongPassphrase => 6,
            Self::AuditBroken => 7,
            Self::NotFitToSign => 8,
            Self::Usage => 64,
            Self::DataError => 65,
            Self::NoInput => 66,
            Self::Failed => 69,
            Self::CantCreate => 73,
        }
    }

    /// The `error.kind` of a `--json` error ending so.
    pub(crate) const fn kind(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::TotalFailed => "total_failed",
            Self::Indeterminate => "indeterminate",
            Self::Refused => "refused",
            Self::Conflict => "conflict",
            Self::NotFound => "not_found",
            Self::WrongPassphrase => "wrong_passphrase",
            Self::AuditBroken => "audit_broken",
            Self::NotFitToSign => "not_fit_to_sign",
            Self::Usage => "usage",
            Self::DataError => "data_error",
            Self::NoInput => "no_input",
            Self::Failed => "failed",
            Self::CantCreate => "cant_create",
        }
    }

    /// How an error that stopped a command ends the process.
    pub(crate) fn of_error(err: &anyhow::Error) -> Self {
        if stdio::is_usage(err) {
            return Self::Usage;
        }
        if let Some(exit) = crate::licensing_cmd::exit_code(err)
            .or_else(|| crate::sign_cmd::exit_code(err))
            .or_else(|| crate::cessation_cmd::exit_code(err))
            .or_else(|| of_ca_error(err))
            .or_else(|| {
                err.chain()
                    .find_map(|e| e.downcast_ref::<eds_pkcs11::TokenError>())
                    .map(of_token_error)
            })
        {
            return exit;
        }
        // The markers last: a library error found in a file (a refusal, a wrong password) says
        // more than "the input is bad".
        if has::<NoInput>(err) {
            Self::NoInput
        } else if has::<CantCreate>(err) {
            Self::CantCreate
        } else if has::<DataError>(err) {
            Self::DataError
        } else {
            Self::Failed
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}

/// An input that does not exist or cannot be read: exit [`Exit::NoInput`]. Displays as the
/// operating system's error; the caller adds which input it was.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct NoInput(#[from] pub(crate) io::Error);

/// An output that cannot be written: exit [`Exit::CantCreate`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct CantCreate(#[from] pub(crate) io::Error);

/// An input that was read but is not what it should be: exit [`Exit::DataError`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DataError(pub(crate) String);

/// `err` as a [`DataError`]: `what` (e.g. "request x.json is not JSON") followed by its cause.
pub(crate) fn data_error(
    what: impl std::fmt::Display,
    err: impl std::fmt::Display,
) -> anyhow::Error {
    anyhow::Error::new(DataError(format!("{what}: {err}")))
}

/// Reads `path` (`-`: standard input), failing with [`NoInput`] under the context
/// "cannot read {what} {path}".
pub(crate) fn read_input(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    stdio::read(path).map_err(|e| {
        anyhow::Error::new(e).context(format!("cannot read {what} {}", stdio::input_name(path)))
    })
}

fn has<T: std::error::Error + Send + Sync + 'static>(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<T>().is_some())
}

fn of_ca_error(err: &anyhow::Error) -> Option<Exit> {
    let ca = err.chain().find_map(|e| e.downcast_ref::<CaError>())?;
    Some(match ca {
        CaError::Refused { .. }
        | CaError::RevocationNotice { .. }
        | CaError::GroundNotForHolder { .. }
        | CaError::InvalidField { .. } => Exit::Refused,
        CaError::AlreadyInitialised { .. }
        | CaError::Store(StoreError::AlreadyRevoked { .. })
        | CaError::Store(StoreError::DuplicateSerial { .. })
        | CaError::RetentionNotElapsed { .. }
        | CaError::NotRevoked { .. }
        | CaError::NotAnOwnerCertificate { .. }
        | CaError::InfrastructureCertificate { .. }
        | CaError::Store(StoreError::DuplicateOperator { .. })
        | CaError::Store(StoreError::OperatorAlreadyRevoked { .. })
        | CaError::Store(StoreError::TargetNotEmpty { .. }) => Exit::Conflict,
        CaError::Store(StoreError::SourceAuditBroken { .. }) => Exit::AuditBroken,
        CaError::NotInitialised { .. }
        | CaError::Store(StoreError::UnknownSerial { .. })
        | CaError::Store(StoreError::UnknownBan { .. })
        | CaError::Store(StoreError::UnknownOperator { .. }) => Exit::NotFound,
        CaError::WrongPassphrase => Exit::WrongPassphrase,
        CaError::Token(e) => of_token_error(e),
        CaError::BadRequest { .. } | CaError::BadCsr { .. } | CaError::NoPublicKey => {
            Exit::DataError
        }
        _ => return None,
    })
}

/// A key on a PKCS#11 token: a wrong or locked PIN is 6 like a wrong passphrase; a module,
/// token or key that is not there is 66 like a missing key file; a URI that does not parse is
/// 64; a call the token refused is 69.
fn of_token_error(e: &eds_pkcs11::TokenError) -> Exit {
    use eds_pkcs11::TokenError as T;
    match e {
        T::WrongPin { .. } | T::PinLocked { .. } => Exit::WrongPassphrase,
        T::NoModule | T::Module { .. } | T::TokenNotFound { .. } | T::ObjectNotFound { .. } => {
            Exit::NoInput
        }
        T::BadUri { .. } => Exit::Usage,
        T::AmbiguousToken { .. } | T::AmbiguousObject { .. } | T::UnsupportedKey { .. } => {
            Exit::DataError
        }
        _ => Exit::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_codes_are_distinct_and_verdicts_are_0_1_2() {
        let all = [
            Exit::Ok,
            Exit::TotalFailed,
            Exit::Indeterminate,
            Exit::Refused,
            Exit::Conflict,
            Exit::NotFound,
            Exit::WrongPassphrase,
            Exit::AuditBroken,
            Exit::NotFitToSign,
            Exit::Usage,
            Exit::DataError,
            Exit::NoInput,
            Exit::Failed,
            Exit::CantCreate,
        ];
        let mut codes: Vec<u8> = all.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(
            [Exit::Ok, Exit::TotalFailed, Exit::Indeterminate].map(Exit::code),
            [0, 1, 2]
        );
    }

    #[test]
    fn ok_missing_file_is_no_input_and_names_the_input() {
        let err = read_input(Path::new("/nonexistent/x.p7s"), "signature")
            .err()
            .map(|e| (Exit::of_error(&e), format!("{e:#}")));
        assert_eq!(
            err,
            Some((
                Exit::NoInput,
                "cannot read signature /nonexistent/x.p7s: No such file or directory (os error 2)"
                    .to_owned()
            ))
        );
    }

    #[test]
    fn ok_data_error_is_65_and_plain_failure_69() {
        let bad = data_error("request r.json is not JSON", "expected value");
        assert_eq!(Exit::of_error(&bad), Exit::DataError);
        assert_eq!(
            Exit::of_error(&anyhow::anyhow!("tsa unreachable")),
            Exit::Failed
        );
        assert_eq!(Exit::Failed.code(), 69);
    }
}
