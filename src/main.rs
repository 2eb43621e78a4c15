//! The `eds` command line: clap structures, calls into the library crates, exit codes.
//!
//! Exit codes (docs/exit-codes.md): 0 done; 1 failed; 2 usage; 3 refused under the law;
//! 4 conflict (already revoked, already initialised); 5 not found; 6 wrong passphrase;
//! 7 audit log broken.

mod ca_cmd;
mod cli;
mod demo;
mod licensing_cmd;
mod serve_cmd;
mod sign_cmd;
mod verify_cmd;

use std::process::ExitCode;

use clap::Parser;

use eds_ca::CaError;
use eds_ca::store::StoreError;

/// Exit code: the law's rules refused the operation.
pub(crate) const EXIT_REFUSED: u8 = 3;
/// Exit code: the operation conflicts with the register's state.
pub(crate) const EXIT_CONFLICT: u8 = 4;
/// Exit code: a named object does not exist.
pub(crate) const EXIT_NOT_FOUND: u8 = 5;
/// Exit code: a passphrase or password is wrong.
pub(crate) const EXIT_WRONG_PASSPHRASE: u8 = 6;
/// Exit code: the audit log's hash chain is broken.
pub(crate) const EXIT_AUDIT_BROKEN: u8 = 7;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // `eds verify` and `eds cert verify` keep 1 and 2 for verdicts: their usage errors
            // exit 64 (docs/exit-codes.md).
            let code = match err.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => 0,
                _ if verify_cmd::is_verify_invocation(&args)
                    || licensing_cmd::is_license_verify(&args) =>
                {
                    verify_cmd::EXIT_USAGE
                }
                _ => 2,
            };
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = exit_code(&err);
            eprintln!("error: {err:#}");
            if let Some(hint) = hint(&err) {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<u8> {
    let now = ca_cmd::now(cli.now.as_deref())?;
    let fixed_clock = cli.now.is_some();
    match cli.command {
        cli::Command::Ca(cmd) => ca_cmd::run(&cli.data, cli.json, now, cmd),
        cli::Command::Demo { owner_password } => {
            demo::run(&cli.data, cli.json, now, owner_password.as_deref())
        }
        cli::Command::Sign(args) => sign_cmd::sign(&args, cli.json, now),
        cli::Command::Extract(args) => sign_cmd::extract(&args, cli.json),
        cli::Command::Verify(args) => verify_cmd::verify(&cli.data, cli.json, now, &args),
        cli::Command::Cert(verify_cmd::CertCommand::Verify(args)) => {
            verify_cmd::cert_verify(&cli.data, cli.json, now, &args)
        }
        cli::Command::Serve(args) => serve_cmd::serve(&cli.data, now, fixed_clock, &args),
        cli::Command::Submission(licensing_cmd::SubmissionCommand::Check(args)) => {
            licensing_cmd::submission_check(&cli.data, cli.json, now, &args)
        }
        cli::Command::License(licensing_cmd::LicenseCommand::Issue(args)) => {
            licensing_cmd::license_issue(&cli.data, cli.json, now, &args)
        }
        cli::Command::License(licensing_cmd::LicenseCommand::Verify(args)) => {
            licensing_cmd::license_verify(&cli.data, cli.json, now, &args)
        }
    }
}

fn ca_error(err: &anyhow::Error) -> Option<&CaError> {
    err.chain().find_map(|e| e.downcast_ref::<CaError>())
}

fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(code) = licensing_cmd::exit_code(err) {
        return code;
    }
    if let Some(code) = sign_cmd::exit_code(err) {
        return code;
    }
    if let Some(code) = verify_cmd::exit_code(err) {
        return code;
    }
    match ca_error(err) {
        Some(CaError::Refused { .. }) => EXIT_REFUSED,
        Some(CaError::AlreadyInitialised { .. })
        | Some(CaError::Store(StoreError::AlreadyRevoked { .. }))
        | Some(CaError::Store(StoreError::DuplicateSerial { .. }))
        | Some(CaError::RetentionNotElapsed { .. })
        | Some(CaError::NotRevoked { .. })
        | Some(CaError::NotAnOwnerCertificate { .. })
        | Some(CaError::Store(StoreError::DuplicateOperator { .. }))
        | Some(CaError::Store(StoreError::OperatorAlreadyRevoked { .. })) => EXIT_CONFLICT,
        Some(CaError::NotInitialised { .. })
        | Some(CaError::Store(StoreError::UnknownSerial { .. }))
        | Some(CaError::Store(StoreError::UnknownOperator { .. })) => EXIT_NOT_FOUND,
        Some(CaError::WrongPassphrase) => EXIT_WRONG_PASSPHRASE,
        _ => 1,
    }
}

fn hint(err: &anyhow::Error) -> Option<&'static str> {
    if let Some(hint) = licensing_cmd::hint(err) {
        return Some(hint);
    }
    if let Some(hint) = sign_cmd::hint(err) {
        return Some(hint);
    }
    match ca_error(err)? {
        CaError::NotInitialised { .. } => {
            Some("create a center with `eds ca init --data DIR`, or point --data at one")
        }
        CaError::WrongPassphrase => {
            Some("set EDS_CA_PASSPHRASE (or --passphrase-file) to the passphrase given at init")
        }
        CaError::Refused { .. } => {
            Some("the refusal is recorded; `eds ca refusals` lists it with its ground")
        }
        CaError::Store(StoreError::UnknownSerial { .. }) => {
            Some("`eds ca list` shows the serials in the register")
        }
        CaError::Store(StoreError::AlreadyRevoked { .. }) => {
            Some("nothing was changed; `eds ca show SERIAL` shows the first revocation")
        }
        CaError::RetentionNotElapsed { .. } => {
            Some("EDS law art. 16.2 keeps revoked certificates five years; try again after that")
        }
        _ => None,
    }
}
