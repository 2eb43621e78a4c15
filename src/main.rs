//! The `eds` command line: clap structures, calls into the library crates, exit codes.
//!
//! Exit codes (docs/exit-codes.md): 0 done; 1 failed; 2 usage; 3 refused under the law;
//! 4 conflict (already revoked, already initialised); 5 not found; 6 wrong passphrase;
//! 7 audit log broken; 8 `eds sign --strict` refused an unfit certificate.

// First, so `say!` is in scope in the modules below.
#[macro_use]
mod stdio;

mod ca_cmd;
mod cli;
mod completions;
mod demo;
mod extend_cmd;
mod licensing_cmd;
mod progress;
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
            if code != 0 && wants_json(&args) {
                let (message, hint) = clap_message(&err);
                print_json_error("usage", &message, hint.as_deref(), code);
            } else {
                let _ = err.print();
            }
            return ExitCode::from(code);
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = exit_code(&err);
            let hint = hint(&err);
            if json {
                print_json_error(error_kind(code), &format!("{err:#}"), hint, code);
            } else {
                eprintln!("error: {err:#}");
                if let Some(hint) = hint {
                    eprintln!("hint: {hint}");
                }
            }
            ExitCode::from(code)
        }
    }
}

/// Whether the command line asks for `--json` (looked for by hand when clap could not parse it;
/// words after `--` are operands).
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// A clap error as a message (its first line) and a hint (its tip and usage lines).
fn clap_message(err: &clap::Error) -> (String, Option<String>) {
    let text = err.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let message = lines
        .next()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_owned())
        .unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    let hint = (!rest.is_empty()).then(|| rest.join("; "));
    (message, hint)
}

/// The `kind` of a `--json` error, from its exit code (docs/exit-codes.md).
fn error_kind(code: u8) -> &'static str {
    match code {
        2 | stdio::EXIT_USAGE => "usage",
        verify_cmd::EXIT_INPUT => "input",
        EXIT_REFUSED => "refused",
        EXIT_CONFLICT => "conflict",
        EXIT_NOT_FOUND => "not_found",
        EXIT_WRONG_PASSPHRASE => "wrong_passphrase",
        EXIT_AUDIT_BROKEN => "audit_broken",
        sign_cmd::EXIT_NOT_FIT => "not_fit_to_sign",
        _ => "failed",
    }
}

/// Prints a `--json` error: one object on one line of standard error (docs/exit-codes.md).
fn print_json_error(kind: &str, message: &str, hint: Option<&str>, code: u8) {
    let value = serde_json::json!({
        "error": { "kind": kind, "message": message, "hint": hint },
        "exit_code": code,
    });
    eprintln!("{value}");
}

fn run(cli: cli::Cli) -> anyhow::Result<u8> {
    let now = ca_cmd::now(cli.now.as_deref())?;
    let fixed_clock = cli.now.is_some();
    match cli.command {
        cli::Command::Ca(cmd) => {
            ca_cmd::run(&cli.data, cli.register.as_deref(), cli.json, now, cmd)
        }
        cli::Command::Demo {
            owner_password,
            algorithm,
        } => demo::run(
            &cli.data,
            cli.json,
            now,
            owner_password.as_deref(),
            ca_cmd::algorithm(algorithm),
        ),
        cli::Command::Sign(args) => sign_cmd::sign(&args, &cli.data, cli.json, now),
        cli::Command::Extract(args) => sign_cmd::extract(&args, cli.json),
        cli::Command::Extend(args) => extend_cmd::extend(&args, cli.json, now),
        cli::Command::Verify(args) => verify_cmd::verify(&cli.data, cli.json, now, &args),
        cli::Command::Cert(verify_cmd::CertCommand::Verify(args)) => {
            verify_cmd::cert_verify(&cli.data, cli.json, now, &args)
        }
        cli::Command::Serve(args) => {
            serve_cmd::serve(&cli.data, cli.register.as_deref(), now, fixed_clock, &args)
        }
        cli::Command::Submission(licensing_cmd::SubmissionCommand::Check(args)) => {
            licensing_cmd::submission_check(&cli.data, cli.json, now, &args)
        }
        cli::Command::License(licensing_cmd::LicenseCommand::Issue(args)) => {
            licensing_cmd::license_issue(&cli.data, cli.json, now, &args)
        }
        cli::Command::License(licensing_cmd::LicenseCommand::HearingNotice(args)) => {
            licensing_cmd::license_hearing_notice(&cli.data, cli.json, now, &args)
        }
        cli::Command::License(licensing_cmd::LicenseCommand::HearingRecord(args)) => {
            licensing_cmd::license_hearing_record(&cli.data, cli.json, now, &args)
        }
        cli::Command::License(licensing_cmd::LicenseCommand::Verify(args)) => {
            licensing_cmd::license_verify(&cli.data, cli.json, now, &args)
        }
        cli::Command::Completions(args) => completions::completions(&args),
        cli::Command::Man(args) => completions::man(&args),
    }
}

fn ca_error(err: &anyhow::Error) -> Option<&CaError> {
    err.chain().find_map(|e| e.downcast_ref::<CaError>())
}

fn exit_code(err: &anyhow::Error) -> u8 {
    if stdio::is_usage(err) {
        return stdio::EXIT_USAGE;
    }
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
        Some(CaError::Refused { .. })
        | Some(CaError::RevocationNotice { .. })
        | Some(CaError::GroundNotForHolder { .. })
        | Some(CaError::InvalidField { .. }) => EXIT_REFUSED,
        Some(CaError::AlreadyInitialised { .. })
        | Some(CaError::Store(StoreError::AlreadyRevoked { .. }))
        | Some(CaError::Store(StoreError::DuplicateSerial { .. }))
        | Some(CaError::RetentionNotElapsed { .. })
        | Some(CaError::NotRevoked { .. })
        | Some(CaError::NotAnOwnerCertificate { .. })
        | Some(CaError::InfrastructureCertificate { .. })
        | Some(CaError::Store(StoreError::DuplicateOperator { .. }))
        | Some(CaError::Store(StoreError::OperatorAlreadyRevoked { .. }))
        | Some(CaError::Store(StoreError::TargetNotEmpty { .. })) => EXIT_CONFLICT,
        Some(CaError::Store(StoreError::SourceAuditBroken { .. })) => EXIT_AUDIT_BROKEN,
        Some(CaError::NotInitialised { .. })
        | Some(CaError::Store(StoreError::UnknownSerial { .. }))
        | Some(CaError::Store(StoreError::UnknownBan { .. }))
        | Some(CaError::Store(StoreError::UnknownOperator { .. })) => EXIT_NOT_FOUND,
        Some(CaError::WrongPassphrase) => EXIT_WRONG_PASSPHRASE,
        _ => 1,
    }
}

fn hint(err: &anyhow::Error) -> Option<&'static str> {
    if let Some(hint) = stdio::hint(err) {
        return Some(hint);
    }
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
        CaError::RevocationNotice { .. } => Some(
            "nothing was changed; give --received-at as the moment the notice reached the center \
             (not after now)",
        ),
        CaError::GroundNotForHolder { .. } => Some(
            "nothing was changed; an individual's certificate is revoked on a ground of art. 18.1 \
             other than legal-entity-change",
        ),
        CaError::InfrastructureCertificate { .. } => Some(
            "nothing was changed; the new certificate replaces the old one at once, in a running \
             `eds serve` too",
        ),
        CaError::NotAnOwnerCertificate { .. } => Some(
            "nothing was changed; a CA certificate is not revoked in the register (`eds ca list` \
             shows the owners' serials)",
        ),
        CaError::InvalidField { .. } => Some("nothing was changed; correct the field and retry"),
        CaError::RetentionNotElapsed { .. } => {
            Some("EDS law art. 16.2 keeps revoked certificates five years; try again after that")
        }
        _ => None,
    }
}
