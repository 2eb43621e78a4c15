//! Command-line structure of `eds`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Electronic documents and digital signatures under the Law of the Republic of Kazakhstan
/// "On Electronic Document and Electronic Digital Signature".
///
/// Run `eds demo` to see a test certification center issue, refuse and revoke certificates.
#[derive(Debug, Parser)]
#[command(name = "eds", version, propagate_version = true, max_term_width = 100)]
pub(crate) struct Cli {
    /// Data folder of the certification center.
    #[arg(long, global = true, env = "EDS_DATA", default_value = "data")]
    pub(crate) data: PathBuf,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// Pretend the current time is this RFC 3339 instant (for tests and back-dated demos).
    #[arg(long, global = true, env = "EDS_NOW", hide = true)]
    pub(crate) now: Option<String>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a test certification center (issue, refuse, revoke, publish CRLs).
    #[command(subcommand)]
    Ca(CaCommand),
    /// Initialise a center in a fresh data folder and run the shipped sample requests through it.
    ///
    /// The passphrase comes from EDS_CA_PASSPHRASE; without it the demo uses "demo" and says so.
    Demo {
        /// Owner's password for the PKCS#12 files of generated keys (default: "demo").
        #[arg(long, env = "EDS_OWNER_PASSWORD", hide_env_values = true)]
        owner_password: Option<String>,
    },
}

/// Where a secret comes from: never the command line itself.
#[derive(Debug, Args, Clone)]
pub(crate) struct PassphraseArgs {
    /// File whose first line is the center's key passphrase (instead of EDS_CA_PASSPHRASE).
    #[arg(long, value_name = "FILE")]
    pub(crate) passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CaCommand {
    /// Create a root center and an issuing center in the data folder.
    ///
    /// Keys are encrypted with the passphrase from EDS_CA_PASSPHRASE or --passphrase-file and
    /// written with mode 0600. Example:
    ///
    ///     EDS_CA_PASSPHRASE=secret eds ca init --data ./ca --name "TEST CA"
    Init {
        /// Key algorithm of both centers.
        #[arg(long, value_enum, default_value = "p256")]
        algorithm: Algorithm,
        /// Name of the center (the subjects are "<NAME> ROOT" and "<NAME>").
        #[arg(long, default_value = "EDS TEST CA")]
        name: String,
        /// Base URL where CRLs, CA certificates and OCSP are published.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
        /// Validity of owner certificates in days.
        #[arg(long, default_value_t = 365)]
        leaf_days: u32,
        /// Hours between a CRL's thisUpdate and nextUpdate (1..=24, EDS law art. 18.3).
        #[arg(long, default_value_t = 24)]
        crl_hours: u32,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// Issue a registration certificate from a registration request (JSON).
    ///
    /// The request names the applicant, the legal entity and roles, the key purpose, the
    /// documents presented and (unless --generate-key) the public key as a PKCS#10 CSR in
    /// `csr_pem`. A refusal under art. 14-1 exits with code 3 and is recorded in the register.
    /// Example:
    ///
    ///     eds ca issue request.json --generate-key --out-dir owner/
    Issue {
        /// The registration request.
        request: PathBuf,
        /// Let the center generate the owner's key pair (art. 21.1(1)); it is written as
        /// encrypted PKCS#8 and PKCS#12 under the owner's password.
        #[arg(long)]
        generate_key: bool,
        /// Algorithm of a generated key.
        #[arg(long, value_enum, default_value = "p256", requires = "generate_key")]
        key_algorithm: Algorithm,
        /// Folder for the certificate (and generated key files).
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
        /// File holding the owner's password for generated key files (else EDS_OWNER_PASSWORD).
        #[arg(long, value_name = "FILE")]
        owner_password_file: Option<PathBuf>,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// Revoke a certificate on a ground of art. 18.1 (or key compromise, art. 17.1).
    ///
    ///     eds ca revoke 4F1C…  --ground death --notified-by "registry office"
    Revoke {
        /// Serial number in hex (colons allowed).
        serial: String,
        /// The ground of revocation.
        #[arg(long, value_enum)]
        ground: Ground,
        /// Who notified the center.
        #[arg(long)]
        notified_by: String,
        /// When the notification was received (RFC 3339; default: now).
        #[arg(long)]
        received_at: Option<String>,
        /// When the key was compromised or the certificate became invalid (RFC 3339).
        #[arg(long)]
        invalidity_date: Option<String>,
        /// A note for the register.
        #[arg(long)]
        note: Option<String>,
    },
    /// Sign and publish a full CRL (crl/issuing.crl and .pem in the data folder).
    Crl {
        #[command(flatten)]
        secret: PassphraseArgs,
        /// Also write the CRL to this file (PEM if it ends in .pem, else DER).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the public register (confidential details redacted, art. 23).
    List {
        /// Only this IIN's certificates.
        #[arg(long)]
        iin: Option<String>,
        /// Only this BIN's certificates.
        #[arg(long)]
        bin: Option<String>,
        /// Only valid or only revoked certificates.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Show details the owners asked to keep confidential (operators only).
        #[arg(long)]
        include_confidential: bool,
    },
    /// Show one certificate of the register.
    Show {
        /// Serial number in hex.
        serial: String,
        /// Show details the owner asked to keep confidential.
        #[arg(long)]
        include_confidential: bool,
        /// Print the certificate as PEM.
        #[arg(long)]
        pem: bool,
    },
    /// The registry of persons and legal entities the center consults.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Record a court decision in force that forbids issuance (art. 14-1(3)).
    Ban {
        /// The person's IIN.
        #[arg(long, required_unless_present = "bin")]
        iin: Option<String>,
        /// The legal entity's BIN.
        #[arg(long)]
        bin: Option<String>,
        /// Reference of the court decision.
        #[arg(long)]
        decision: String,
        /// Date the decision entered into force (YYYY-MM-DD; default: today).
        #[arg(long)]
        from: Option<String>,
    },
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Export revoked certificates older than five years (art. 16.2) and remove them.
    Archive {
        /// File to write the archive to (JSON lines).
        #[arg(long)]
        out: PathBuf,
        /// Archive exactly these serials (refused if any is within its five years).
        serials: Vec<String>,
    },
    /// List the refusals recorded in the register.
    Refusals,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Import or update persons and legal entities from a JSON file.
    ///
    /// A recorded death, a changed name, a changed entity name or head, or a liquidation revokes
    /// the affected certificates at once (art. 18.1(3)–(5)).
    Import {
        /// `{"persons": [...], "entities": [...]}`.
        file: PathBuf,
        /// Who notified the center of these records.
        #[arg(long, default_value = "registry")]
        notified_by: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain; exits 7 if an entry was edited, removed or reordered.
    Verify,
    /// Print audit entries.
    Show {
        /// First sequence number.
        #[arg(long, default_value_t = 1)]
        from: u64,
        /// How many.
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Algorithm {
    /// ECDSA P-256 with SHA-256.
    P256,
    /// ECDSA P-384 with SHA-384.
    P384,
    /// Ed25519.
    Ed25519,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum StatusArg {
    /// Not revoked.
    Valid,
    /// Revoked.
    Revoked,
}

/// Grounds of EDS law art. 18.1 and 17.1.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Ground {
    /// 18.1(1): the holder or a representative asked.
    HolderRequest,
    /// 17.1: the private key was compromised.
    KeyCompromise,
    /// 18.1(2): false information or incomplete documents were found.
    FalseOrIncompleteDocuments,
    /// 18.1(3): the holder died.
    Death,
    /// 18.1(4): the holder's surname, name or patronymic changed.
    NameChange,
    /// 18.1(5): the legal entity changed name or head, was reorganised or liquidated.
    LegalEntityChange,
    /// 18.1(6): by agreement between the center and the holder.
    Agreement,
    /// 18.1(7): a court decision in force.
    CourtDecision,
}
