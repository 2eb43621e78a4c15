//! A running `eds serve` on a loopback port, for the test files that drive the server.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Center;

/// A running `eds serve` on the real clock (no `EDS_NOW`), killed if the test ends before
/// stopping it.
pub(crate) struct Serving {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, read from the server's first line.
    pub(crate) url: String,
    log: PathBuf,
}

impl Serving {
    /// `eds serve --listen 127.0.0.1:0`.
    pub(crate) fn start(c: &Center) -> Serving {
        Serving::start_with(c, &[])
    }

    /// `eds serve --listen 127.0.0.1:0` plus `extra`.
    pub(crate) fn start_with(c: &Center, extra: &[&str]) -> Serving {
        Serving::listen(c, "127.0.0.1:0", extra)
    }

    /// `eds serve --listen ADDRESS` plus `extra`; reads the bound address from the first line
    /// (`listening on URL`). Standard error goes to `serve.log` in the center's folder.
    pub(crate) fn listen(c: &Center, address: &str, extra: &[&str]) -> Serving {
        let log = c.path("serve.log");
        let mut args = vec!["serve", "--listen", address];
        args.extend_from_slice(extra);
        let mut child = c
            .command(&args)
            .env_remove("EDS_NOW")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(fs::File::create(&log).unwrap()))
            .spawn()
            .expect("spawn eds serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "first line {first:?}; log:\n{}",
                    fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Serving {
            child: Some(child),
            url,
            log,
        }
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> String {
        self.child.as_ref().unwrap().id().to_string()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub(crate) fn terminate(&mut self) -> std::process::ExitStatus {
        let ok = Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status()
            .unwrap();
        assert!(ok.success());
        self.wait()
    }

    /// Waits at most 30 seconds for the server to exit; returns its status.
    pub(crate) fn wait(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "eds serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the server wrote to standard error so far.
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A center on the real clock whose certificates name the loopback port an `eds serve` on its
/// folder listens on (so its CRL, OCSP and TSA addresses answer), with the sample registry
/// imported; the server, and its TSA's URL.
pub(crate) fn online() -> (Center, Serving, String) {
    online_with("p256")
}

/// [`online`] with a center of `algorithm` (`eds ca init --algorithm`).
pub(crate) fn online_with(algorithm: &str) -> (Center, Serving, String) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut c = Center::new();
    c.now = None;
    c.init_with(algorithm, &["--base-url", &base]);
    c.import_registry();
    let serving = Serving::listen(&c, &format!("127.0.0.1:{port}"), &[]);
    (c, serving, format!("{base}/tsa"))
}
