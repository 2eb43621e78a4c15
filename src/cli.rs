//! Command-line structure of `eds`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Electronic documents and digital signatures under the Law of the Republic of Kazakhstan
/// "On Electronic Document and Electronic Digital Signature".
///
/// Run `eds demo` to see the licensing flow end to end: certificates, a signed application, its
/// receipt, a signed licence verified, the officer revoked and a later licence failing.
#[derive(Debug, Parser)]
#[command(name = "eds", version, propagate_version = true, max_term_width = 100)]
pub(crate) struct Cli {
    /// Data folder of the certification center.
    #[arg(long, global = true, env = "EDS_DATA", default_value = "data")]
    pub(crate) data: PathBuf,

    /// The center's register: sqlite:PATH (a relative PATH is from the working folder) or
    /// postgres://USER@HOST/DATABASE. Default: the one the center's configuration names, else
    /// sqlite:register.sqlite in the data folder. `eds ca init --register …` records it in the
    /// configuration (without a password: PostgreSQL's comes from PGPASSWORD or a password file,
    /// PGPASSFILE else ~/.pgpass, mode 0600).
    #[arg(long, global = true, env = "EDS_REGISTER", value_name = "URL")]
    pub(crate) register: Option<String>,

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
    /// Run the licensing flow end to end in a fresh data folder, offline (docs/user-guide.md).
    ///
    /// A test center issues certificates to the licensing body's head and officer, a legal
    /// entity's head and an individual, and refuses a 15-year-old; the applicants sign their
    /// applications, the body accepts them with signed receipts, the officer signs a licence
    /// that a relying party verifies; the officer is revoked and a licence signed after that
    /// fails as REVOKED. Every file stays in the folder; the commands to rerun each step are
    /// printed at the end. The passphrase comes from EDS_CA_PASSPHRASE; without it the demo
    /// uses "demo" and says so.
    Demo {
        /// Owner's password for the PKCS#12 files of generated keys (default: "demo").
        #[arg(long, env = "EDS_OWNER_PASSWORD", hide_env_values = true)]
        owner_password: Option<String>,
        /// Key algorithm of the demo center (root, issuing center, OCSP responder, TSA) and of
        /// the owners' generated keys; gost2015-512 runs the whole flow on GOST keys in the
        /// national center's profile, gost2012-256-tc26 and gost2012-512-tc26 in the TC26 one.
        #[arg(long, value_enum, default_value = "p256")]
        algorithm: Algorithm,
    },
    /// Sign a document: CMS SignedData with the CAdES baseline attributes, attached or detached.
    #[command(long_about = SIGN_ABOUT)]
    Sign(SignArgs),
    /// Raise a signature to CAdES-T, -LT or -LTA: timestamps, validation data, archive
    /// timestamps.
    Extend(crate::extend_cmd::ExtendArgs),
    /// Take the signed document out of an attached signature.
    ///
    /// Nothing is verified here. A detached signature holds no document (exit 65): the document
    /// is the file it was made beside. Example:
    ///
    ///     eds extract --in licence.pdf.p7s --out licence.pdf
    Extract(ExtractArgs),
    /// Verify signatures: is the document authentic, and was the certificate valid when it was
    /// signed? (EDS law art. 10.1; ETSI EN 319 102-1 verdicts)
    // The variant's doc comment would hide the long help set on `VerifyArgs`: name it here.
    #[command(long_about = crate::verify_cmd::VERIFY_ABOUT)]
    Verify(crate::verify_cmd::VerifyArgs),
    /// Certificates: validate a path alone.
    #[command(subcommand)]
    Cert(crate::verify_cmd::CertCommand),
    /// Serve the center on the network: OCSP, CRL and certificates, the operator API.
    #[command(long_about = SERVE_ABOUT)]
    Serve(ServeArgs),
    /// Licensing: check a signed application and sign its receipt.
    #[command(subcommand)]
    Submission(crate::licensing_cmd::SubmissionCommand),
    /// Licensing: issue a signed licence (or permit, conclusion, refusal), verify one.
    #[command(subcommand)]
    License(crate::licensing_cmd::LicenseCommand),
    /// Print a shell completion script: bash, zsh, fish or powershell.
    Completions(crate::completions::CompletionsArgs),
    /// Print the man page of a command (`eds man verify`), or write every page (`--out DIR`).
    Man(crate::completions::ManArgs),
}

/// Where a secret comes from: never the command line itself. Every command that changes the
/// register takes it and checks it (it must decrypt the issuing center's key): write access to
/// the data folder alone changes nothing.
#[derive(Debug, Args, Clone)]
pub(crate) struct PassphraseArgs {
    /// File whose first line is the center's key passphrase (instead of EDS_CA_PASSPHRASE);
    /// `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) passphrase_file: Option<PathBuf>,
    /// For a center whose keys are on a PKCS#11 token (`ca init --keys pkcs11:…`): file whose
    /// first line is the token's user PIN (instead of EDS_PKCS11_PIN); mode 0600; `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase_file")]
    pub(crate) pin_file: Option<PathBuf>,
}

impl PassphraseArgs {
    /// The secret's files by their flags, for `stdio::check_one_stdin` (at most one input of a
    /// command may be `-`).
    pub(crate) fn inputs(&self) -> impl Iterator<Item = (&'static str, &std::path::Path)> {
        let passphrase = self.passphrase_file.as_deref();
        let pin = self.pin_file.as_deref();
        passphrase
            .map(|p| ("--passphrase-file", p))
            .into_iter()
            .chain(pin.map(|p| ("--pin-file", p)))
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum CaCommand {
    /// Create a root center and an issuing center in the data folder.
    ///
    /// Keys are encrypted with the passphrase from EDS_CA_PASSPHRASE or --passphrase-file and
    /// written with mode 0600. The first CRLs are published at once (crl/ in the folder). Each
    /// center gets its own name and URL, so two centers on one machine are never confused: the
    /// name defaults to "EDS TEST CA (<folder>)" and the URL to http://127.0.0.1:<port>, the
    /// port (8080-8979) derived from the name; `init` prints the URLs the certificates will
    /// name, and `eds serve` listens there by default. Example:
    ///
    ///     EDS_CA_PASSPHRASE=secret eds ca init --data ./ca --name "TEST CA" \
    ///         --url http://127.0.0.1:8080
    ///
    /// With --keys pkcs11:token=LABEL the four keys (root, issuing, OCSP, TSA) are generated on
    /// a PKCS#11 token and never leave it; the data folder holds no private key, center.json
    /// records the keys' URIs (never the PIN), and every command takes the token's PIN from
    /// EDS_PKCS11_PIN or --pin-file instead of a passphrase:
    ///
    ///     EDS_PKCS11_PIN=824613 eds ca init --data ./ca \
    ///         --keys 'pkcs11:token=eds-ca?module-path=/usr/lib/softhsm/libsofthsm2.so'
    Init {
        /// Key algorithm of both centers.
        #[arg(long, value_enum, default_value = "p256")]
        algorithm: Algorithm,
        /// Name of the center (the subjects are "<NAME> ROOT" and "<NAME>"); default: "EDS
        /// TEST CA (<folder>)" after the data folder's name.
        #[arg(long)]
        name: Option<String>,
        /// Base URL where CRLs, CA certificates and OCSP are published (what `eds serve`
        /// answers); default: http://127.0.0.1:<port>, the port derived from the name.
        #[arg(long = "url", visible_alias = "base-url", value_name = "URL")]
        base_url: Option<String>,
        /// Validity of owner certificates in days.
        #[arg(long, default_value_t = 365)]
        leaf_days: u32,
        /// Hours between a CRL's thisUpdate and nextUpdate (1..=24, EDS law art. 18.3).
        #[arg(long, default_value_t = 24)]
        crl_hours: u32,
        /// Where the center's keys live: `file` (default: encrypted PKCS#8 files in the data
        /// folder, under the passphrase) or a PKCS#11 URI (RFC 7512) of a token:
        /// `pkcs11:token=LABEL[;object=PREFIX][?module-path=MODULE.so]`. The module defaults to
        /// EDS_PKCS11_MODULE, else SoftHSM2's. P-256 and P-384 only (GOST keys stay in files).
        #[arg(long, value_name = "file|URI", default_value = "file")]
        keys: String,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// Issue a registration certificate from a registration request (JSON) or from flags.
    ///
    /// The request names the applicant, the legal entity and roles, the key purpose, the
    /// documents presented and (unless --generate-key) the public key as a PKCS#10 CSR: the
    /// file given with --csr, or `csr_pem` in the JSON; `additional_info.email` (art. 15.2)
    /// puts an agreed e-mail address in the subject alternative name. Instead of a JSON file,
    /// the applicant may be given with flags (--iin, --surname, --given-name, ...). Beside the
    /// certificate SERIAL.crt.pem the center writes SERIAL.chain.pem (its issuing and root
    /// certificates: `eds sign --chain`). A refusal under art. 14-1 exits with code 3 and is
    /// recorded in the register.
    /// Examples:
    ///
    ///     eds ca issue request.json --generate-key --out-dir owner/
    ///     eds ca issue --csr owner.csr --iin 850314300122 --surname Ахметов --given-name Ерлан \
    ///         --patronymic Серікұлы --out-dir owner/
    Issue {
        /// The registration request (JSON); `-` reads standard input. Without it, the
        /// applicant comes from the flags below.
        #[arg(required_unless_present = "iin")]
        request: Option<PathBuf>,
        /// The owner's PKCS#10 certificate request (PEM or DER): the public key to certify;
        /// `-` reads standard input. GOST requests (TC26 or the national center's encoding)
        /// are taken where the center's key policy names GOST keys (docs/gost.md).
        #[arg(long, value_name = "FILE", conflicts_with = "generate_key")]
        csr: Option<PathBuf>,
        #[command(flatten)]
        applicant: Box<crate::ca_cmd::ApplicantArgs>,
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
        /// File holding the owner's password for generated key files (else EDS_OWNER_PASSWORD);
        /// `-` reads standard input.
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
        /// When the notification was received (RFC 3339; default: now). EDS law art. 18.3: not
        /// after now (refused, exit 3); more than a day before now is recorded and flagged late.
        #[arg(long)]
        received_at: Option<String>,
        /// When the key was compromised or the certificate became invalid (RFC 3339).
        #[arg(long)]
        invalidity_date: Option<String>,
        /// A note for the register.
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// Sign and publish a full CRL (crl/issuing.crl and .pem in the data folder).
    ///
    /// Once the center stopped (EDS law art. 22) it signs no new CRL (exit 3); after `eds ca
    /// cessation finalize` this re-publishes the final CRL unchanged.
    Crl {
        #[command(flatten)]
        secret: PassphraseArgs,
        /// Also write the CRL to this file (PEM if it ends in .pem, else DER); `-` writes
        /// standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the public register, oldest first (confidential details redacted, art. 23).
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
        /// Date the decision entered into force (YYYY-MM-DD; default: today in Astana).
        #[arg(long)]
        from: Option<String>,
        /// Last day the ban applies, when the decision sets a term (YYYY-MM-DD); without it the
        /// ban applies until `eds ca unban`.
        #[arg(long)]
        until: Option<String>,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// Lift a court ban (art. 14-1(3)) recorded by `eds ca ban`, from a date on.
    Unban {
        /// The id `eds ca ban` printed.
        id: i64,
        /// Reference of the decision that lifts it (or ends the measure).
        #[arg(long)]
        decision: String,
        /// First day the ban no longer applies (YYYY-MM-DD; default: today in Astana).
        #[arg(long)]
        on: Option<String>,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copy a register from SQLite to an empty PostgreSQL database.
    ///
    /// Row for row, ids, sequence numbers and audit hashes included, in one transaction that is
    /// committed only when the source's audit log verified, every table has as many rows in the
    /// target as in the source, and the target's audit log verifies with the source's head. A
    /// target holding anything is refused (exit 4); a source whose audit log is broken too
    /// (exit 7). The center keeps using its old register until told otherwise: pass
    /// `--register URL` or set `register` in center.json. Example:
    ///
    ///     eds ca migrate --from sqlite:ca/register.sqlite --to postgres://eds@db/eds
    Migrate {
        /// The register to copy: sqlite:PATH.
        #[arg(long, value_name = "URL")]
        from: String,
        /// The empty register to copy into: postgres://USER@HOST/DATABASE.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Export revoked certificates older than five years (art. 16.2) and remove them.
    Archive {
        /// File to write the archive to (JSON lines); `-` writes standard output.
        #[arg(long)]
        out: PathBuf,
        /// Archive exactly these serials (refused if any is within its five years).
        serials: Vec<String>,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// List the refusals recorded in the register.
    Refusals,
    /// Export the whole register to a file another center imports (EDS law art. 22.3).
    ///
    /// Certificates (with their revocations), refusals, court bans and the whole audit log, in
    /// one JSON file with the SHA-256 of its body (docs/user-guide.md, "Handing the register
    /// to another center"). The audit log is verified first and records the export. Example:
    ///
    ///     eds ca export --data ./ca --out register.json
    Export(crate::cessation_cmd::ExportArgs),
    /// Import another center's export into this center's register (EDS law art. 22.3).
    ///
    /// Refused before anything is written when the digest does not match or the audit chain
    /// does not verify (exit 7), or when a serial is already in this register (exit 4).
    /// Example:
    ///
    ///     eds ca import --data ./next-ca register.json
    Import(crate::cessation_cmd::ImportArgs),
    /// A center that stops (EDS law art. 22): notice, status, what is kept.
    #[command(subcommand)]
    Cessation(crate::cessation_cmd::CessationCommand),
    /// Operators of the network API (`eds serve`) and their bearer tokens.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Replace the OCSP responder's or the timestamp authority's certificate.
    ///
    /// These certificates are never revoked like an owner's (`eds ca revoke` refuses them, exit
    /// 4): the issuing center certifies a new key of the center's algorithm, and a running `eds
    /// serve` signs with it from its next request, without a restart. The TSA also gets a new
    /// key by itself once a year; its certificates stay valid for years so that the tokens they
    /// made stay verifiable. With --compromised the replaced certificate is revoked for key
    /// compromise first (no token of the old TSA key is trusted from then on, RFC 3161 §4);
    /// publish a CRL afterwards (`eds ca crl`). Examples:
    ///
    ///     eds ca rotate ocsp
    ///     eds ca rotate tsa --compromised && eds ca crl
    Rotate {
        /// Which certificate.
        #[arg(value_enum)]
        service: RotateService,
        /// The replaced certificate's key was compromised: revoke it (ground key-compromise).
        #[arg(long)]
        compromised: bool,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
}

/// A service certificate `eds ca rotate` replaces.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum RotateService {
    /// The delegated OCSP signer (ocsp.crt.pem, ocsp.key.pem).
    Ocsp,
    /// The timestamp authority (tsa.crt.pem, tsa.key.pem).
    Tsa,
}

#[derive(Debug, Subcommand)]
pub(crate) enum OperatorCommand {
    /// Create an operator and print its bearer token, once: the center keeps only its hash.
    ///
    ///     eds ca operator add registry-gateway
    Add {
        /// The operator's name: the actor of its calls in the audit log (A-Z a-z 0-9 . _ @ -).
        name: String,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
    /// List operators, revoked ones included.
    List,
    /// Revoke an operator's token: its calls are refused (403) from now on.
    Revoke {
        /// The operator's name.
        name: String,
        #[command(flatten)]
        secret: PassphraseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Import or update persons and legal entities from a JSON file.
    ///
    /// A recorded death, a changed name, a changed entity name or head, or a liquidation revokes
    /// the affected certificates at once (art. 18.1(3)–(5)).
    Import {
        /// `{"persons": [...], "entities": [...]}`; `-` reads standard input.
        file: PathBuf,
        /// Who notified the center of these records.
        #[arg(long, default_value = "registry")]
        notified_by: String,
        #[command(flatten)]
        secret: PassphraseArgs,
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
    /// GOST 34.10-2015 512 bits with Streebog-512, in the national center's profile (its OIDs
    /// under 1.2.398.3.10, little-endian byte order). A GOST center certifies GOST 2015-512
    /// owner keys besides the usual ones.
    #[value(name = "gost2015-512")]
    Gost2015_512,
    /// GOST R 34.10-2012 256 bits with Streebog-256 on TC26 paramSetA, under the TC26 OIDs and
    /// byte order (RFC 9215), which OpenSSL's GOST engine reads. A TC26 center certifies TC26
    /// owner keys of both sizes besides the usual ones.
    #[value(name = "gost2012-256-tc26")]
    Gost2012_256Tc26,
    /// GOST R 34.10-2012 512 bits with Streebog-512 on TC26 paramSetA, TC26 OIDs and byte order
    /// (RFC 9215).
    #[value(name = "gost2012-512-tc26")]
    Gost2012_512Tc26,
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
    /// 18.1(5): the legal entity changed name or head, was reorganised or liquidated (only on a
    /// legal entity's certificate).
    LegalEntityChange,
    /// 18.1(6): by agreement between the center and the holder.
    Agreement,
    /// 18.1(7): a court decision in force.
    CourtDecision,
}

/// The long help of `eds sign`.
const SIGN_ABOUT: &str = "\
Sign a document with an electronic digital signature: CMS SignedData (RFC 5652) carrying the
CAdES-BASELINE-B signed attributes (content type, message digest, signing time and the signer's
certificate hash, RFC 5035), plus the signer's certificate and its chain below the root. This
is the format the national center's software produces and any relying party can check (EDS law
art. 10.1; art. 17.2(4) has the certificate travel with the document).

The key comes either from a PKCS#12 file (--p12, as the center hands keys to owners; its
certificate and chain come along) or from a PKCS#8 key (--key, PEM or DER, plain or encrypted)
with its certificate (--cert). The password is read from EDS_KEY_PASSWORD or the first line of
--password-file, never from the command line.

Algorithms: RSA (PKCS#1 v1.5, or PSS with --rsa-pss), ECDSA P-256/P-384, Ed25519 with SHA-2;
GOST with Streebog: the national center's GOST 34.10-2015 512-bit keys (its 2015 PKCS#12
files; its identifiers and byte order) and GOST R 34.10-2012 256/512 keys under the TC26
identifiers (RFC 9215), which OpenSSL's GOST engine verifies. The center's 2004 GOST keys
cannot sign here.

Levels (ETSI EN 319 122-1): B by default; T with --tsa (a signature timestamp); --level LT adds
the certificates of the signer's and the TSA's chains and the CRLs or OCSP responses proving
their status (from --crl/--ocsp files, else downloaded from the certificates' distribution
points and responders), so the signature verifies offline for years; --level LTA adds an archive
timestamp over all of it. `eds extend` raises an existing signature later.

Before signing, the certificate is checked as a relying party will: revoked in the register of
the center in --data, expired or not yet valid, for authentication only (EDS law art.
10.1(3)), or no certificate of the issuing center to carry (the center in --data supplies its
own) each print a warning; --strict refuses instead (exit 8, nothing written).

Batches: --in takes a folder (its signatures and hidden files left out) or several files; the
key file is opened once (one PBKDF2 of a .p12, not one per document) and --jobs threads sign,
with a progress bar, FILE.p7s beside each document or in --out-dir. A document that fails is
listed and the others are signed (exit 69).

Attached (default): the document is inside the signature, up to --max-attached-mib.
Detached (--detached): the signature is a separate file; the document is read in chunks, so
any size signs in constant memory. --add-to adds your signature to an existing one (a
co-signature): the earlier signatures stay byte for byte as they are.

Examples:

    # the officer signs a licence, the licence inside the signature
    EDS_KEY_PASSWORD=... eds sign --in licence.pdf --p12 officer.p12 --out licence.pdf.p7s

    # a large archive, detached, key and certificate as separate files
    eds sign --in archive.zip --key key.pem --cert cert.pem --chain ca.pem \\
        --detached --out archive.zip.p7s

    # a licence that must verify in ten years, offline
    eds sign --in licence.pdf --p12 officer.p12 --level LTA --tsa http://127.0.0.1:8080/tsa \\
        --out licence.pdf.p7s

    # every document of a folder, detached, two at a time: docs/X.p7s beside each X
    eds sign --in docs/ --p12 officer.p12 --detached --jobs 2

    # with a key on a PKCS#11 token (the PIN in EDS_PKCS11_PIN or --pin-file)
    eds sign --in licence.pdf --pkcs11 'pkcs11:token=officer;object=signing' \
        --chain chain.pem --out licence.pdf.p7s

    # the accountant co-signs the application the head signed
    eds sign --in application.pdf --p12 accountant.p12 \\
        --add-to application.pdf.p7s --out application.pdf.p7s

Check with OpenSSL (add -content FILE for a detached signature):

    openssl cms -verify -binary -inform DER -in licence.pdf.p7s -CAfile root.pem -out /dev/null";

/// `eds sign`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("key_source").required(true).args(["key", "p12", "pkcs11"])))]
pub(crate) struct SignArgs {
    /// The document to sign; `-` reads standard input. A folder, or several files (`--in a b`
    /// or `--in a --in b`), signs each with one key load: FILE.p7s beside each document or in
    /// --out-dir (a folder's signatures and hidden files are left out).
    #[arg(long = "in", value_name = "FILE", required = true, num_args = 1..)]
    pub(crate) input: Vec<PathBuf>,
    /// Private key, PKCS#8 (PEM or DER; encrypted ones need the password); needs --cert. `-`
    /// reads standard input.
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    pub(crate) key: Option<PathBuf>,
    /// PKCS#12 file with the key, its certificate and possibly the chain; `-` reads standard input.
    #[arg(long, value_name = "FILE.p12")]
    pub(crate) p12: Option<PathBuf>,
    /// A key on a PKCS#11 token (RFC 7512 URI: `pkcs11:token=LABEL;object=KEY[?module-path=
    /// MODULE.so]`); the key never leaves the token. Its certificate is read from the token
    /// (the certificate object of the key's id or label) unless --cert gives it. The PIN comes
    /// from --pin-file or EDS_PKCS11_PIN. ECDSA P-256 and P-384.
    #[arg(long, value_name = "URI")]
    pub(crate) pkcs11: Option<String>,
    /// File whose first line is the token's user PIN (instead of EDS_PKCS11_PIN), for
    /// --pkcs11; mode 0600; `-` reads standard input.
    #[arg(long, value_name = "FILE", requires = "pkcs11")]
    pub(crate) pin_file: Option<PathBuf>,
    /// File whose first line is the key's password (instead of EDS_KEY_PASSWORD); `-` reads
    /// standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// The signer's certificate (PEM or DER); with --p12 it replaces the file's own. `-` reads
    /// standard input.
    #[arg(long, value_name = "CERT.pem")]
    pub(crate) cert: Option<PathBuf>,
    /// Certificates above the signer's (PEM, any order; may be repeated): the issuing center
    /// and, if you have it, the root. `-` reads standard input.
    #[arg(long, value_name = "CHAIN.pem")]
    pub(crate) chain: Vec<PathBuf>,
    /// Leave the document out of the signature; verifiers need both files.
    #[arg(long)]
    pub(crate) detached: bool,
    /// Add this signature to an existing one (attached or detached; --in is its document);
    /// `-` reads standard input.
    #[arg(long, value_name = "EXISTING.p7s")]
    pub(crate) add_to: Option<PathBuf>,
    /// Where to write the signature (may be the --add-to file itself). `-` writes standard
    /// output (DER only into a pipe or file, not to a terminal; messages then go to stderr).
    #[arg(long, value_name = "OUT.p7s")]
    pub(crate) out: Option<PathBuf>,
    /// Folder for the signatures of a batch (FILE.p7s each; default: beside each document), or
    /// for the one signature of a single --in.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub(crate) out_dir: Option<PathBuf>,
    /// Documents signed at once in a batch (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// Write PEM (-----BEGIN CMS-----); the default is DER unless --out ends in .pem.
    #[arg(long, conflicts_with = "der")]
    pub(crate) pem: bool,
    /// Write DER (the usual .p7s form).
    #[arg(long)]
    pub(crate) der: bool,
    /// Also embed the root certificate (verifiers hold it as a trust anchor anyway).
    #[arg(long)]
    pub(crate) include_root: bool,
    /// Refuse to sign (exit 8) instead of warning when the certificate is revoked in the
    /// center of --data, expired or not yet valid, meant for authentication only, or when the
    /// signature would carry no certificate of the center that issued it.
    #[arg(long)]
    pub(crate) strict: bool,
    /// The signing time to state (RFC 3339, e.g. 2026-03-02T10:00:00+05:00); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) signing_time: Option<String>,
    /// Sign with RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys only).
    #[arg(long)]
    pub(crate) rsa_pss: bool,
    /// Largest document an attached signature takes, in MiB (at most 255).
    #[arg(long, value_name = "MIB", default_value_t = 128)]
    pub(crate) max_attached_mib: u64,
    /// Timestamp the new signature (CAdES-T): ask this RFC 3161 timestamp authority (an http://
    /// URL such as http://127.0.0.1:8080/tsa, `eds serve`'s) for a token over the signature
    /// value and add it as the unsigned attribute signatureTimeStampToken.
    #[arg(long, value_name = "URL")]
    pub(crate) tsa: Option<String>,
    /// Seconds to wait for the timestamp authority's answer (and for each download of LT).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "tsa")]
    pub(crate) tsa_timeout: u64,
    /// The CAdES baseline level (ETSI EN 319 122-1): B (default), T (default with --tsa), LT
    /// (T plus the chains' certificates and their CRLs or OCSP responses: verifies offline for
    /// years) or LTA (LT plus an archive timestamp). T, LT and LTA need --tsa. LT's revocation
    /// data comes from --crl/--ocsp files, else the certificates' CRL distribution points and
    /// OCSP responders; --chain certificates (the root) are embedded too.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(crate) level: Option<crate::extend_cmd::Level>,
    #[command(flatten)]
    pub(crate) lt: crate::extend_cmd::LtSources,
}

/// `eds extract`.
#[derive(Debug, Args)]
pub(crate) struct ExtractArgs {
    /// The attached signature (PEM or DER); `-` reads standard input.
    #[arg(long = "in", value_name = "SIGNED.p7s")]
    pub(crate) input: PathBuf,
    /// Where to write the document; `-` writes standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// The long help of `eds serve`.
const SERVE_ABOUT: &str = "\
Serve the certification center in --data on the network, on one port (loopback by default):

  POST /ocsp, GET /ocsp/{base64}       OCSP (RFC 6960; GET answers carry RFC 5019 cache headers)
  GET  /crl/issuing.crl                the current CRL, DER (re-signed after API revocations and
                                       half way to its nextUpdate)
  GET  /crl/root.crl                   the root center's CRL, DER (revoked issuing centers)
  GET  /cert/root.cer, /cert/issuing.cer   the CA certificates, DER
  POST /tsa                            timestamps (RFC 3161: application/timestamp-query in,
                                       application/timestamp-reply out), signed by tsa.crt.pem
  GET  /api/v1/register                the public register, redacted (art. 23)
  POST /api/v1/certificates            issue from a registration request with csr_pem (operator)
  GET  /api/v1/certificates/{serial}   one certificate (operator)
  POST /api/v1/certificates/{serial}/revoke   revoke: {ground, notified_by, invalidity_date?}
                                       (operator; 409 for the center's own certificates)
  GET  /, POST /verify                 the verification page, in Kazakh, Russian or English
                                       (?lang=kk|ru|en, else Accept-Language); POST
                                       /api/v1/verify answers the same as JSON

Operators send `Authorization: Bearer <token>`; `eds ca operator add NAME` makes a token.
`POST /api/v1/certificates` takes an `Idempotency-Key` header: the same key and body give the same
certificate again (200), across restarts. The first line on standard output is the bound address
(`listening on http://127.0.0.1:8080`, https with --tls-cert); logs go to standard error.
Listening beyond loopback prints a WARNING line there. Without --tls-cert/--tls-key such an
address serves the public routes only: the operator API answers 403 (operator-api-needs-tls), so
no token crosses the network in clear. `eds ca
rotate ocsp|tsa` replaces the responder's or the TSA's certificate; the running server signs with
the new one from its next request. SIGTERM or Ctrl-C stops accepting connections, lets requests in flight finish
and exits 0. The passphrase comes from EDS_CA_PASSPHRASE or --passphrase-file.

Example:

    EDS_CA_PASSPHRASE=... eds serve --data ./ca --listen 127.0.0.1:8080
    openssl ocsp -issuer ca/issuing.crt.pem -cert owner.pem -url http://127.0.0.1:8080/ocsp \\
        -CAfile ca/root.crt.pem";

/// `eds serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one); default: the host and port
    /// of the center's URL (`eds ca init` printed it; 127.0.0.1 when it names a host name).
    /// Another port than the URL's gets a warning: the certificates' CRL and OCSP URLs point
    /// there.
    #[arg(long, value_name = "ADDR:PORT")]
    pub(crate) listen: Option<std::net::SocketAddr>,
    /// Serve HTTPS (TLS 1.2/1.3) with this certificate chain (PEM, the server's certificate
    /// first). Needed for the operator API on an address beyond loopback: over plain HTTP there
    /// it answers 403 (`operator-api-needs-tls`) and only the public routes work.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<std::path::PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, SEC1 or PKCS#1), readable by its owner only.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<std::path::PathBuf>,
    /// Log format on standard error.
    #[arg(long, value_enum, default_value = "compact")]
    pub(crate) log_format: LogFormat,
    /// Least severe log level written (OCSP requests are logged at debug).
    #[arg(long, value_enum, default_value = "info")]
    pub(crate) log_level: LogLevel,
    /// Seconds a request may take before it is answered 408.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub(crate) request_timeout: u64,
    /// Seconds requests in flight may still run after SIGTERM.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub(crate) shutdown_grace: u64,
    /// Most connections open at once; one more is closed at once and the log says so. The
    /// open-file limit is raised to its hard limit at start, and the cap lowered to fit it.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub(crate) max_connections: usize,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Policy OID of the timestamp tokens (a request naming another policy is refused).
    #[arg(long, value_name = "OID", default_value = "1.2.398.3.3.2.6.1")]
    pub(crate) tsa_policy: String,
    /// Accuracy the timestamp tokens state, in seconds (at least 1: genTime is to the second).
    #[arg(long, value_name = "SECONDS", default_value_t = 1)]
    pub(crate) tsa_accuracy: u64,
    /// Centers the verification page (`/`) trusts besides this one: a trust list (JSON,
    /// docs/trust-list.md) or PEM roots. Their revocation status comes only from CRLs inside
    /// the signatures (the server fetches nothing).
    #[arg(long, value_name = "LIST")]
    pub(crate) trust: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub(crate) secret: PassphraseArgs,
}

/// Log line format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LogFormat {
    /// One short human-readable line per event.
    Compact,
    /// One JSON object per line.
    Json,
}

/// Log levels.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LogLevel {
    /// Failures only.
    Error,
    /// Failures and warnings.
    Warn,
    /// Requests, issuances, revocations, CRLs.
    Info,
    /// Every OCSP request too.
    Debug,
}
