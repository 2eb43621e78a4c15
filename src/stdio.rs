//! `-` on the command line: standard input for a file that is read, standard output for a file
//! that is written (the POSIX utility convention, XBD §12.2 guideline 13), in every command.
//!
//! Commands name their inputs to [`check_one_stdin`] before doing anything, read through
//! [`read`], [`reader`] or [`path_for_reading`], write through [`write`], and print their
//! human-readable lines with `say!`, which moves to standard error once standard
//! output carries data.

use std::borrow::Cow;
use std::fs;
use std::io::{self, IsTerminal as _, Read, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;

use crate::exit::{CantCreate, NoInput};

/// The name that stands for standard input or output.
const DASH: &str = "-";

/// Set once standard input has been read, so a second reader fails instead of reading nothing.
static STDIN_READ: AtomicBool = AtomicBool::new(false);

/// Set once data goes to standard output: messages go to standard error from then on.
static STDOUT_TAKEN: AtomicBool = AtomicBool::new(false);

/// A command line that parses but cannot run as written: exit 64, [`crate::exit::Exit::Usage`].
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct UsageError {
    /// What is wrong, naming the arguments.
    pub(crate) message: String,
    /// What to do instead.
    pub(crate) hint: &'static str,
}

/// A [`UsageError`]: the command line cannot run as written (exit 64).
pub(crate) fn usage(message: impl Into<String>, hint: &'static str) -> anyhow::Error {
    UsageError {
        message: message.into(),
        hint,
    }
    .into()
}

/// Whether `path` is `-`.
pub(crate) fn is_dash(path: &Path) -> bool {
    path.as_os_str() == DASH
}

/// `path` as messages show it when it is read.
pub(crate) fn input_name(path: &Path) -> Cow<'_, str> {
    if is_dash(path) {
        Cow::Borrowed("standard input")
    } else {
        path.to_string_lossy()
    }
}

/// `path` as messages show it when it is written.
pub(crate) fn output_name(path: &Path) -> Cow<'_, str> {
    if is_dash(path) {
        Cow::Borrowed("standard output")
    } else {
        path.to_string_lossy()
    }
}

/// Fails with a [`UsageError`] naming both when more than one of `inputs` (argument name, path)
/// is `-`: standard input can be read once.
pub(crate) fn check_one_stdin<'a>(
    inputs: impl IntoIterator<Item = (&'a str, &'a Path)>,
) -> anyhow::Result<()> {
    let dashes: Vec<&str> = inputs
        .into_iter()
        .filter(|(_, path)| is_dash(path))
        .map(|(name, _)| name)
        .collect();
    if let [first, second, ..] = dashes.as_slice() {
        return Err(UsageError {
            message: format!(
                "{first} and {second} both read standard input (`-`); only one argument may"
            ),
            hint: "give all but one of them as files",
        }
        .into());
    }
    Ok(())
}

/// The bytes of `path`, or of standard input for `-`; a failure is [`NoInput`] (exit 66).
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, NoInput> {
    if is_dash(path) {
        let mut bytes = Vec::new();
        take_stdin()?.read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        Ok(fs::read(path)?)
    }
}

/// A reader of `path`, or of standard input for `-` (for documents read in chunks); a failure
/// to open is [`NoInput`] (exit 66).
pub(crate) fn reader(path: &Path) -> Result<Box<dyn Read>, NoInput> {
    if is_dash(path) {
        Ok(Box::new(take_stdin()?))
    } else {
        Ok(Box::new(fs::File::open(path)?))
    }
}

/// A path that library calls taking paths can open: `/dev/stdin` for `-` (Linux and the BSDs
/// have it; a pipe is read once, in order).
pub(crate) fn path_for_reading(path: &Path) -> PathBuf {
    if is_dash(path) {
        PathBuf::from("/dev/stdin")
    } else {
        path.to_path_buf()
    }
}

/// Writes `bytes` to `path`, or to standard output for `-`.
///
/// A file is written through a temporary file beside it and renamed into place, so a failure
/// never leaves half of it (and `--add-to X --out X` replaces X only once the new one is whole).
/// Binary output (`binary`) is refused when standard output is a terminal.
pub(crate) fn write(path: &Path, bytes: &[u8], binary: bool) -> anyhow::Result<()> {
    write_synced(path, bytes, binary, true)
}

/// [`write`], flushing the file to disk before the rename only when `sync` (a batch writes its
/// files unsynced and flushes them in groups with [`sync_group`] on another thread).
pub(crate) fn write_synced(
    path: &Path,
    bytes: &[u8],
    binary: bool,
    sync: bool,
) -> anyhow::Result<()> {
    if is_dash(path) {
        let mut out = io::stdout().lock();
        if binary && out.is_terminal() {
            return Err(UsageError {
                message: "refusing to write binary data to the terminal (`--out -`)".to_owned(),
                hint: "give --out FILE, or pipe standard output into a file or another command",
            }
            .into());
        }
        STDOUT_TAKEN.store(true, Ordering::SeqCst);
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(CantCreate)
            .context("write standard output");
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(name);
    let written = fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        if sync { f.sync_all() } else { Ok(()) }
    });
    if let Err(err) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(CantCreate(err)).with_context(|| format!("write {}", path.display()));
    }
    Ok(())
}

/// Flushes written files, then the folders holding them (once each), to disk; returns the
/// index in `paths` and the error of each file that could not be flushed (a folder's failure
/// counts for every file in it).
pub(crate) fn sync_group(paths: &[&Path]) -> Vec<(usize, String)> {
    let mut failed = Vec::new();
    let mut folders: Vec<&Path> = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        if let Err(e) = fs::File::open(path).and_then(|f| f.sync_all()) {
            failed.push((i, format!("flush {} to disk: {e}", path.display())));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !folders.contains(&dir) {
            folders.push(dir);
        }
    }
    for dir in folders {
        if let Err(e) = fs::File::open(dir).and_then(|f| f.sync_all()) {
            for (i, path) in paths.iter().enumerate() {
                let in_dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                if in_dir == dir {
                    failed.push((i, format!("flush {} to disk: {e}", dir.display())));
                }
            }
        }
    }
    failed
}

/// Marks standard output as carrying data (`--out -`) before it is written, so messages printed
/// earlier go to standard error too.
pub(crate) fn reserve_stdout(path: &Path) {
    if is_dash(path) {
        STDOUT_TAKEN.store(true, Ordering::SeqCst);
    }
}

/// Prints one line of a human-readable (or `--json`) report: on standard output, or on standard
/// error when standard output carries data. Use through `say!`.
/// A reader that closed standard output (`eds … | head`) stops the report, not the command:
/// the rest is dropped and the command ends with its own exit code (no panic, as `println!`
/// gives); any other write error is said once on standard error.
pub(crate) fn say_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if STDOUT_TAKEN.load(Ordering::SeqCst) {
        eprintln!("{args}");
        return;
    }
    if STDOUT_FAILED.load(Ordering::SeqCst) {
        return;
    }
    if let Err(e) = writeln!(std::io::stdout().lock(), "{args}") {
        STDOUT_FAILED.store(true, Ordering::SeqCst);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("warning: cannot write the report to standard output: {e}");
        }
    }
}

/// Standard output failed (closed by its reader, say): nothing more is written to it.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// The hint of a [`UsageError`] in `err`'s chain.
pub(crate) fn hint(err: &anyhow::Error) -> Option<&'static str> {
    err.chain()
        .find_map(|e| e.downcast_ref::<UsageError>())
        .map(|e| e.hint)
}

/// Whether `err` is a [`UsageError`] (exit 64, [`crate::exit::Exit::Usage`]).
pub(crate) fn is_usage(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.downcast_ref::<UsageError>().is_some())
}

/// Standard input, once per run.
fn take_stdin() -> io::Result<io::StdinLock<'static>> {
    if STDIN_READ.swap(true, Ordering::SeqCst) {
        return Err(io::Error::other(
            "standard input was already read for another argument",
        ));
    }
    Ok(io::stdin().lock())
}

/// `println!` that moves to standard error once standard output carries data (`--out -`).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stdio::say_line(format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_one_dash_among_files() {
        let inputs = [("--in", Path::new("-")), ("--cert", Path::new("cert.pem"))];
        assert!(check_one_stdin(inputs).is_ok());
    }

    #[test]
    fn fail_two_dashes_name_both() {
        let inputs = [
            ("--in", Path::new("-")),
            ("--cert", Path::new("cert.pem")),
            ("--add-to", Path::new("-")),
        ];
        let err = check_one_stdin(inputs).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("--in and --add-to both read standard input (`-`); only one argument may")
        );
    }

    #[test]
    fn ok_names_of_dash() {
        assert_eq!(input_name(Path::new("-")), "standard input");
        assert_eq!(output_name(Path::new("-")), "standard output");
        assert_eq!(input_name(Path::new("a.p7s")), "a.p7s");
        assert_eq!(path_for_reading(Path::new("-")), Path::new("/dev/stdin"));
        assert_eq!(path_for_reading(Path::new("./-x")), Path::new("./-x"));
    }
}
