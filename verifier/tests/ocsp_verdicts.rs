//! The fixture matrix's online OCSP cases (issue 5): the center's own responder served by
//! `eds_server` on loopback, reached through a small tampering proxy named in the certificates'
//! OCSP address, and the whole engine's ETSI EN 319 102-1 indication and sub-indication asserted
//! for each answer: good, revoked, unknown, bad signature and a replayed answer (wrong nonce).
//! CRL fetching is off, so no distribution point can rescue a case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use der::Decode;
use ring::rand::SystemRandom;
use time::{Duration, OffsetDateTime};

use common::{Live, now};
use eds_signer::cms::{self as sign, Content as SignContent, SignOptions, Signer};
use eds_signer::keys::pkcs8::load_pkcs8;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{CertificateReport, Options, SignatureReport, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::{Indication, SubIndication};

const DOC: &[u8] = b"{\"kind\":\"licence\",\"number\":\"KZ12LAA00000042\"}";

/// What the proxy does with the responder's answer.
const PASS: u8 = 0;
/// One byte in the middle of the response's signature flipped.
const FLIP_SIGNATURE: u8 = 1;
/// The last answer passed unchanged, returned again without asking the responder: its nonce
/// is the one of an earlier request.
const REPLAY: u8 = 2;

/// A tampering HTTP proxy in front of the center's server (hand-written on std::net: one
/// request per connection, `Connection: close`, which is all the verifier's client needs here).
struct Proxy {
    mode: AtomicU8,
    upstream: OnceLock<String>,
    last: Mutex<Option<Vec<u8>>>,
}

impl Proxy {
    fn serve(self: Arc<Self>, listener: TcpListener) {
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                // A broken exchange shows up in the test as a fetch failure.
                let _ = self.exchange(stream);
            }
        });
    }

    fn exchange(&self, stream: TcpStream) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let (request_line, body) = read_request(&mut reader)?;
        let answer = match self.mode.load(Ordering::SeqCst) {
            REPLAY => self.last.lock().unwrap().clone().unwrap_or_default(),
            mode => {
                let mut answer = self.forward(&request_line, &body)?;
                if mode == FLIP_SIGNATURE {
                    flip_signature(&mut answer);
                } else {
                    *self.last.lock().unwrap() = Some(answer.clone());
                }
                answer
            }
        };
        let mut out = stream;
        write!(
            out,
            "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            answer.len()
        )?;
        out.write_all(&answer)?;
        out.flush()
    }

    /// Sends the same request line and body to the real server and returns its answer's body.
    fn forward(&self, request_line: &str, body: &[u8]) -> std::io::Result<Vec<u8>> {
        let upstream = self.upstream.get().expect("upstream set");
        let mut conn = TcpStream::connect(upstream)?;
        write!(
            conn,
            "{request_line}\r\nHost: {upstream}\r\nContent-Type: application/ocsp-request\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        conn.write_all(body)?;
        let mut reader = BufReader::new(conn);
        let mut status = String::new();
        reader.read_line(&mut status)?;
        if !status.contains(" 200 ") {
            // Not a panic: it would end the proxy thread for every later test.
            return Err(std::io::Error::other(format!(
                "responder answered {status}"
            )));
        }
        let mut length = None;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let mut answer = Vec::new();
        match length {
            Some(n) => {
                answer.resize(n, 0);
                reader.read_exact(&mut answer)?;
            }
            None => {
                reader.read_to_end(&mut answer)?;
            }
        }
        Ok(answer)
    }
}

/// Reads one HTTP/1.1 request: its request line and its body (by Content-Length).
fn read_request(reader: &mut impl BufRead) -> std::io::Result<(String, Vec<u8>)> {
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((request_line.trim_end().to_owned(), body))
}

fn flip_signature(response: &mut [u8]) {
    let outer = x509_ocsp::OcspResponse::from_der(response).expect("an OCSP response");
    let basic =
        x509_ocsp::BasicOcspResponse::from_der(outer.response_bytes.unwrap().response.as_bytes())
            .unwrap();
    let sig = basic.signature.raw_bytes().to_vec();
    let at = response
        .windows(sig.len())
        .position(|w| w == sig)
        .expect("signature bytes inside the response");
    response[at + sig.len() / 2] ^= 0x01;
}

struct World {
    live: Live,
    proxy: Arc<Proxy>,
    /// Held by each test: the proxy's mode is shared.
    turn: Mutex<()>,
}

/// One center, one server and one proxy for every test of this binary (key derivation is slow).
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = Arc::new(Proxy {
            mode: AtomicU8::new(PASS),
            upstream: OnceLock::new(),
            last: Mutex::new(None),
        });
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let live = common::start(Some(base_url.clone()));
        proxy
            .upstream
            .set(live.url.trim_start_matches("http://").to_owned())
            .unwrap();
        Arc::clone(&proxy).serve(listener);
        assert_eq!(live.good.ocsp_urls(), vec![format!("{base_url}/ocsp")]);
        World {
            live,
            proxy,
            turn: Mutex::new(()),
        }
    })
}

/// Takes the proxy for one test and sets its mode.
fn turn(mode: u8) -> (&'static World, MutexGuard<'static, ()>) {
    let w = world();
    let guard = w.turn.lock().unwrap_or_else(|e| e.into_inner());
    w.proxy.mode.store(mode, Ordering::SeqCst);
    (w, guard)
}

/// A fresh verifier (no cached answers): the center's issuing certificate is the trusted
/// center, OCSP on with a nonce, CRL fetching off, online.
fn verifier(live: &Live) -> Verifier {
    let revocation = RevocationChecker::new(RevocationOptions {
        ocsp: true,
        ocsp_nonce: true,
        fetch_crls: false,
        offline: false,
        ..RevocationOptions::default()
    })
    .unwrap();
    Verifier::new(
        Options {
            trust: TrustList::from_certs(vec![live.issuer.clone()]).unwrap(),
            at: None,
            extra_certs: Vec::new(),
            expectations: Expectations::default(),
            max_signature_checks: 100,
            required_eku: None,
            policy: Default::default(),
            cancel: Default::default(),
        },
        revocation,
    )
}

fn sign_with(leaf: &Cert, pkcs8: &[u8], at: OffsetDateTime) -> Vec<u8> {
    let key = load_pkcs8(pkcs8, None).unwrap();
    let signer = Signer::new(&key, leaf.der(), &[]).unwrap();
    sign::sign(
        &signer,
        SignContent::Bytes(DOC),
        &SignOptions::new(at),
        &SystemRandom::new(),
    )
    .unwrap()
}

fn verify_document(live: &Live, signature: &[u8]) -> SignatureReport {
    let report = verifier(live)
        .verify_document(signature, None, now())
        .unwrap();
    assert_eq!(report.signatures.len(), 1, "{report:#?}");
    let s = report.signatures[0].clone();
    assert_eq!(report.indication, s.indication);
    s
}

fn verify_certificate(live: &Live, leaf: &Cert) -> CertificateReport {
    verifier(live).verify_certificate(leaf, &[], now())
}

#[track_caller]
fn assert_signature(
    s: &SignatureReport,
    indication: Indication,
    sub: Option<SubIndication>,
    words: &[&str],
) {
    assert_eq!(
        (s.indication, s.sub_indication),
        (indication, sub),
        "{}\n{s:#?}",
        s.reason
    );
    for w in words {
        assert!(s.reason.contains(w), "`{w}` not in: {}", s.reason);
    }
}

#[track_caller]
fn assert_certificate(
    c: &CertificateReport,
    indication: Indication,
    sub: Option<SubIndication>,
    words: &[&str],
) {
    assert_eq!(
        (c.indication, c.sub_indication),
        (indication, sub),
        "{}\n{c:#?}",
        c.reason
    );
    for w in words {
        assert!(c.reason.contains(w), "`{w}` not in: {}", c.reason);
    }
}

#[track_caller]
fn assert_ocsp_source(source: Option<&String>, base_url: &str) {
    let source = source.expect("a revocation source");
    assert!(
        source.starts_with(&format!("OCSP {base_url}/ocsp, producedAt ")),
        "{source}"
    );
    assert!(source.ends_with(", nonce echoed"), "{source}");
}

#[test]
fn ok_ocsp_good_passes() {
    let (w, _turn) = turn(PASS);
    let live = &w.live;
    let signature = sign_with(&live.good, &live.good_key, now() - Duration::minutes(1));
    let s = verify_document(live, &signature);
    assert_signature(&s, Indication::TotalPassed, None, &[]);
    assert_ocsp_source(s.revocation_source.as_ref(), &live.base_url);

    let c = verify_certificate(live, &live.good);
    assert_certificate(&c, Indication::TotalPassed, None, &[]);
    assert_ocsp_source(c.revocation_source.as_ref(), &live.base_url);
}

#[test]
fn fail_ocsp_revoked_before_the_claimed_signing_time() {
    let (w, _turn) = turn(PASS);
    let live = &w.live;
    // Claimed after the revocation: no timestamp, so the claim is what the signature is judged at.
    let signature = sign_with(
        &live.revoked,
        &live.revoked_key,
        now() - Duration::minutes(1),
    );
    let s = verify_document(live, &signature);
    assert_signature(
        &s,
        Indication::TotalFailed,
        Some(SubIndication::Revoked),
        &["was revoked at", "(keyCompromise)", "claimed signing time"],
    );
    assert_ocsp_source(s.revocation_source.as_ref(), &live.base_url);

    // Certificate alone at now: the validation time is the signing time.
    let c = verify_certificate(live, &live.revoked);
    assert_certificate(
        &c,
        Indication::TotalFailed,
        Some(SubIndication::Revoked),
        &["the signing certificate was revoked at"],
    );
    assert_ocsp_source(c.revocation_source.as_ref(), &live.base_url);
}

#[test]
fn ocsp_unknown_is_a_chain_general_failure() {
    let (w, _turn) = turn(PASS);
    let live = &w.live;
    let c = verify_certificate(live, &live.unregistered);
    assert_certificate(
        &c,
        Indication::Indeterminate,
        Some(SubIndication::CertificateChainGeneralFailure),
        &["the OCSP responder does not know the signing certificate"],
    );
    assert_ocsp_source(c.revocation_source.as_ref(), &live.base_url);
}

#[test]
fn fail_ocsp_bad_signature_is_try_later() {
    let (w, _turn) = turn(FLIP_SIGNATURE);
    let live = &w.live;
    let signature = sign_with(&live.good, &live.good_key, now() - Duration::minutes(1));
    let s = verify_document(live, &signature);
    let words = [
        "the revocation status of the signing certificate is not known",
        "the OCSP response signature does not verify",
    ];
    assert_signature(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
        &words,
    );
    assert_eq!(s.revocation_source, None);

    let c = verify_certificate(live, &live.good);
    assert_certificate(
        &c,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
        &words,
    );
    assert_eq!(c.revocation_source, None);
}

#[test]
fn fail_ocsp_replayed_answer_wrong_nonce_is_try_later() {
    let (w, _turn) = turn(PASS);
    let live = &w.live;
    // An honest exchange first: the proxy keeps the answer (with that request's nonce).
    let c = verify_certificate(live, &live.good);
    assert_certificate(&c, Indication::TotalPassed, None, &[]);

    w.proxy.mode.store(REPLAY, Ordering::SeqCst);
    let words = [
        "the revocation status of the signing certificate is not known",
        "does not echo our nonce",
    ];
    let c = verify_certificate(live, &live.good);
    assert_certificate(
        &c,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
        &words,
    );
    assert_eq!(c.revocation_source, None);

    let signature = sign_with(&live.good, &live.good_key, now() - Duration::minutes(1));
    let s = verify_document(live, &signature);
    assert_signature(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::TryLater),
        &words,
    );
}
