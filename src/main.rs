//! The `eds` command line: clap structures, calls into the library crates, exit codes.
//!
//! Exit codes: one scheme for every command, the [`exit::Exit`] enum (docs/exit-codes.md).

// First, so `say!` is in scope in the modules below.
#[macro_use]
mod stdio;

mod ca_cmd;
mod cessation_cmd;
mod cli;
mod completions;
mod demo;
mod exit;
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

use crate::exit::Exit;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            // Every command's usage errors exit 64: 1 and 2 are verdicts (docs/exit-codes.md).
            let exit = match err.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Exit::Ok,
                _ => Exit::Usage,
            };
            if exit != Exit::Ok && wants_json(&args) {
                let (message, hint) = clap_message(&err);
                print_json_error(exit, &message, hint.as_deref());
            } else {
                let _ = err.print();
            }
            return exit.into();
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            let exit = Exit::of_error(&err);
            let hint = hint(&err);
            if json {
                print_json_error(exit, &format!("{err:#}"), hint);
            } else {
                eprintln!("error: {err:#}");
                if let Some(hint) = hint {
                    eprintln!("hint: {hint}");
                }
            }
            exit.into()
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

/// Prints a `--json` error: one object on one line of standard error (docs/exit-codes.md).
fn print_json_error(exit: Exit, message: &str, hint: Option<&str>) {
    let value = serde_json::json!({
        "error": { "kind": exit.kind(), "message": message, "hint": hint },
        "exit_code": exit.code(),
    });
    eprintln!("{value}");
}

fn run(cli: cli::Cli) -> anyhow::Result<Exit> {
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

fn hint(err: &anyhow::Error) -> Option<&'static str> {
    if let Some(hint) = stdio::hint(err) {
        return Some(hint);
    }
    if let Some(hint) = licensing_cmd::hint(err) {
        return Some(hint);
    }
    if let Some(hint) = cessation_cmd::hint(err) {
        return Some(hint);
    }
    if let Some(hint) = sign_cmd::hint(err) {
        return Some(hint);
    }
    match err.chain().find_map(|e| e.downcast_ref::<CaError>())? {
        CaError::NotInitialised { .. } => {
            Some("create a center with `eds ca init --data DIR`, or point --data at one")
        }
        CaError::WrongPassphrase => {
            Some("set EDS_CA_PASSPHRASE (or --passphrase-file) to the passphrase given at init")
        }
        CaError::Token(eds_pkcs11::TokenError::WrongPin { .. }) => Some(
            "set EDS_PKCS11_PIN (or --pin-file) to the token's user PIN, and unset EDS_CA_PASSPHRASE (it comes first); a token locks its PIN after a few wrong tries",
        ),
        CaError::Token(
            eds_pkcs11::TokenError::TokenNotFound { .. }
            | eds_pkcs11::TokenError::ObjectNotFound { .. },
        ) => Some(
            "plug in the token (SoftHSM: check SOFTHSM2_CONF) or correct the URI in center.json; `pkcs11-tool --list-objects` shows what it holds",
        ),
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
