//! The progress bar of the commands that work through a folder of signatures.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar on standard error counting `len` signatures, `done` naming what happens to each
/// ("verified", "extended"); hidden when `quiet` (JSON output, or standard error is not a
/// terminal for the caller's purposes).
pub(crate) fn signatures(len: usize, quiet: bool, done: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(len).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} signatures {done} ({{per_sec}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Worker threads for a folder: `jobs` when given, else one per core, within 1 – 64.
pub(crate) fn jobs(jobs: Option<usize>) -> usize {
    jobs.or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .clamp(1, 64)
}
