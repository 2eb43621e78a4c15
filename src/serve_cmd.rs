//! `eds serve` and `eds ca operator …`: the center on the network and its operators' tokens.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use ring::rand::SystemRandom;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use eds_ca::CaError;
use eds_ca::store::AuditEvent;
use eds_ca::tsa::TsaOptions;
use eds_server::{Clock, Limits, Options, Server, auth};

use crate::ca_cmd;
use crate::cli::{LogFormat, LogLevel, OperatorCommand, ServeArgs};
use crate::exit::Exit;

/// Register connections kept for OCSP answers and token lookups beside the center's own.
const READERS: usize = 4;

/// `eds serve`. `now` is the command line's clock; with `fixed_clock` (`--now`/`EDS_NOW` given)
/// the server's clock starts there and advances.
pub(crate) fn serve(
    data: &Path,
    register: Option<&str>,
    now: OffsetDateTime,
    fixed_clock: bool,
    args: &ServeArgs,
) -> anyhow::Result<Exit> {
    if args.trust.as_deref().is_some_and(crate::stdio::is_dash) {
        // The verification page reads the list again when it changes: it must be a file.
        return Err(crate::stdio::UsageError {
            message: "--trust - cannot be used with `eds serve`: the server rereads its trust list"
                .to_owned(),
            hint: "give --trust FILE",
        }
        .into());
    }
    init_logging(args.log_format, args.log_level)?;
    let passphrase = ca_cmd::passphrase(&args.secret)?;
    let clock = if fixed_clock {
        Clock::starting_at(now)
    } else {
        Clock::system()
    };
    let options = Options {
        data: data.to_path_buf(),
        passphrase,
        clock,
        limits: Limits {
            request_timeout: Duration::from_secs(args.request_timeout),
            shutdown_grace: Duration::from_secs(args.shutdown_grace),
            max_connections: args.max_connections.max(1),
            ..Limits::default()
        },
        readers: READERS,
        verify_trust: args.trust.clone(),
        register: ca_cmd::register_url(register)?,
    };
    if let Some(path) = &args.trust {
        // Read once here so a bad list stops the start with its reason, not the first upload.
        std::fs::metadata(path).map_err(|e| {
            anyhow::Error::new(crate::exit::NoInput(e))
                .context(format!("cannot read trust list {}", path.display()))
        })?;
        eds_verifier::trust::TrustList::load(path)
            .map_err(|e| crate::exit::data_error(format!("--trust {}", path.display()), e))?;
    }
    let tsa_policy = args.tsa_policy.parse().map_err(|e| {
        crate::stdio::usage(
            format!(
                "--tsa-policy {:?} is not an object identifier like 1.2.398.3.3.2.6.1: {e}",
                args.tsa_policy
            ),
            "give the TSA policy as a dotted OID",
        )
    })?;
    let tsa = TsaOptions {
        policy: tsa_policy,
        accuracy_seconds: args.tsa_accuracy.max(1),
    };
    // The center's URL: where its certificates send relying parties for CRLs and OCSP.
    let center_url = std::fs::read(data.join("center.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<eds_ca::config::CenterConfig>(&b).ok())
        .map(|c| c.base_url);
    let url_addr = center_url.as_deref().and_then(url_host_port);
    let listen = args
        .listen
        .or(url_addr)
        .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            eds_server::tls::TlsConfig::from_pem_files(cert, key).map_err(|e| {
                anyhow::Error::new(crate::stdio::UsageError {
                    message: e.to_string(),
                    hint: "give --tls-cert a PEM certificate chain and --tls-key its key (mode 0600)",
                })
            })?,
        ),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let server = Server::open_with_tsa(options, tsa).map_err(domain_error)?;
    ca_cmd::say_tightened(server.tightened());
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(n) = args.threads {
        runtime.worker_threads(n.max(1));
    }
    let runtime = runtime.build().context("start the async runtime")?;
    let served = runtime.block_on(async {
        // Before the first line says the server listens: a SIGTERM right after it is a
        // graceful stop, never the signal's default action.
        let shutdown = shutdown_signal()?;
        let listener = eds_server::bind(listen).await.map_err(domain_error)?;
        let addr = listener
            .local_addr()
            .context("read the listening address")?;
        // The first line on standard output, for whoever started the server on port 0.
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {scheme}://{addr}")?;
        out.flush()?;
        drop(out);
        if !addr.ip().is_loopback() {
            // Standard error is where the log goes too; a line of its own, not a log event, so
            // that no log level or format hides it.
            eprintln!("{}", non_loopback_warning(addr, tls.is_some()));
        }
        if let (Some(url), Some(want)) = (&center_url, url_addr)
            && want.port() != addr.port()
        {
            eprintln!(
                "warning: listening on port {}, but the center's certificates name {url} for \
                 their CRLs and OCSP: relying parties look there, not here; listen on port {} \
                 (`--listen {want}`) or forward that port here",
                addr.port(),
                want.port()
            );
        }
        server
            .serve_with(listener, tls, shutdown)
            .await
            .map_err(domain_error)
    });
    // `serve` has raised the cancel flag of every verification still running; their blocking
    // threads end at the verifier's next check. One still busy after this does not keep the
    // process alive past SIGTERM (dropping the runtime would wait for it).
    runtime.shutdown_timeout(Duration::from_secs(5));
    served?;
    Ok(Exit::Ok)
}

/// The socket address a center URL names: its host when that is an IP address (else
/// 127.0.0.1) and its port (else 80 or 443 by scheme).
fn url_host_port(url: &str) -> Option<std::net::SocketAddr> {
    let (default_port, rest) = if let Some(rest) = url.strip_prefix("http://") {
        (80, rest)
    } else {
        (443, url.strip_prefix("https://")?)
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if let Ok(addr) = authority.parse::<std::net::SocketAddr>() {
        return Some(addr);
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, p.parse().ok()?),
        _ => (authority, default_port),
    };
    let ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    Some(std::net::SocketAddr::new(ip, port))
}

/// What `eds serve` says on standard error when it listens beyond loopback: what holds.
pub(crate) fn non_loopback_warning(addr: std::net::SocketAddr, tls: bool) -> String {
    if tls {
        format!(
            "WARNING: listening on {addr}, beyond this machine, over HTTPS (--tls-cert): the \
             operator API takes bearer tokens only inside TLS; the public routes (OCSP, CRLs, \
             certificates, timestamps, verification) answer to anyone who reaches this address."
        )
    } else {
        format!(
            "WARNING: listening on {addr}, beyond this machine, over plain HTTP: the public routes \
             (OCSP, CRLs, certificates, timestamps, verification) answer to anyone who reaches \
             this address; the operator API (/api/v1/certificates..., and the register with a \
             token) answers 403 to every request, so no bearer token crosses the network \
             unencrypted. For the operator API serve HTTPS with --tls-cert FILE --tls-key FILE, \
             or listen on 127.0.0.1 (behind a TLS-terminating proxy on this machine)."
        )
    }
}

/// `eds ca operator …`.
pub(crate) fn operator(
    data: &Path,
    register: Option<&str>,
    json_out: bool,
    now: OffsetDateTime,
    cmd: OperatorCommand,
) -> anyhow::Result<Exit> {
    let center = ca_cmd::open_center(data, register)?;
    let store = center.store();
    match cmd {
        OperatorCommand::Add { name, secret } => {
            auth::check_operator_name(&name).map_err(|e| {
                crate::stdio::usage(
                    e.to_string(),
                    "name the operator with ASCII letters, digits, `.`, `_`, `@` or `-`",
                )
            })?;
            ca_cmd::authorise(&center, &secret)?;
            let token = auth::new_token(&SystemRandom::new())?;
            let id = store
                .add_operator(
                    &name,
                    &token.hash,
                    &AuditEvent {
                        at: now,
                        actor: "operator".into(),
                        action: "api-operator-added".into(),
                        details: json!({ "name": name }),
                    },
                )
                .map_err(CaError::from)?;
            if json_out {
                say!(
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({ "id": id, "name": name, "token": token.text })
                    )?
                );
            } else {
                say!("added operator {name} (#{id}); its bearer token, shown only now:");
                say!("{}", token.text);
                say!(
                    "the center keeps only its SHA-256; send it as `Authorization: Bearer <token>`"
                );
            }
        }
        OperatorCommand::List => {
            let operators = store.operators().map_err(CaError::from)?;
            if json_out {
                say!("{}", serde_json::to_string_pretty(&operators)?);
            } else {
                for op in &operators {
                    let revoked = match op.revoked_at {
                        Some(t) => format!("revoked {}", t.format(&Rfc3339)?),
                        None => "active".to_owned(),
                    };
                    say!(
                        "#{:<4} {:<32} added {}  {revoked}",
                        op.id,
                        op.name,
                        op.created_at.format(&Rfc3339)?
                    );
                }
                say!("{} operator(s)", operators.len());
            }
        }
        OperatorCommand::Revoke { name, secret } => {
            ca_cmd::authorise(&center, &secret)?;
            let op = store
                .revoke_operator(
                    &name,
                    &AuditEvent {
                        at: now,
                        actor: "operator".into(),
                        action: "api-operator-revoked".into(),
                        details: json!({ "name": name }),
                    },
                )
                .map_err(CaError::from)?;
            if json_out {
                say!("{}", serde_json::to_string_pretty(&op)?);
            } else {
                say!("revoked operator {name}: its token is refused from now on");
            }
        }
    }
    Ok(Exit::Ok)
}

/// Keeps the domain's error findable by the exit-code mapping of `main.rs`.
fn domain_error(e: eds_server::Error) -> anyhow::Error {
    match e {
        eds_server::Error::Ca(ca) => anyhow::Error::new(ca),
        eds_server::Error::Store(s) => anyhow::Error::new(CaError::Store(s)),
        other => anyhow::Error::new(other),
    }
}

/// Structured logs on standard error: this program's events at `level`, libraries' warnings.
fn init_logging(format: LogFormat, level: LogLevel) -> anyhow::Result<()> {
    let level = match level {
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
    };
    let filter = Targets::new()
        .with_default(LevelFilter::WARN.min(level))
        .with_target("eds_server", level)
        .with_target("eds", level);
    let registry = tracing_subscriber::registry().with(filter);
    let done = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Compact => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .compact()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    done.context("start logging")
}

/// Handles SIGTERM and SIGINT (Ctrl-C) from the call on (the handlers are installed here, not
/// when the future is first polled); the future completes on the first of them.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("handle SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}
