//! `eds completions SHELL` and `eds man`: shell completion scripts and man pages generated from
//! the clap definitions of [`crate::cli`], so they cannot drift from `--help`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, CommandFactory as _, ValueEnum};
use clap_complete::Shell as CompleteShell;

use crate::cli::Cli;
use crate::exit::Exit;
use crate::stdio::UsageError;

/// `eds completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

/// The shells `eds completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    /// bash: `eds completions bash > ~/.local/share/bash-completion/completions/eds`.
    Bash,
    /// zsh: `eds completions zsh > "${fpath[1]}/_eds"`.
    Zsh,
    /// fish: `eds completions fish > ~/.config/fish/completions/eds.fish`.
    Fish,
    /// PowerShell: `eds completions powershell >> $PROFILE`.
    Powershell,
}

/// `eds man`.
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write a page for `eds` and for every command and subcommand (eds.1, eds-verify.1,
    /// eds-ca-init.1, …) into this folder, creating it, instead of printing one page.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,

    /// The command whose page to print, as typed after `eds` (`verify`, `ca init`); none
    /// prints the page of `eds` itself.
    #[arg(value_name = "COMMAND", conflicts_with = "out")]
    pub(crate) command: Vec<String>,
}

/// Prints the completion script for `args.shell` on standard output.
pub(crate) fn completions(args: &CompletionsArgs) -> anyhow::Result<Exit> {
    let shell = match args.shell {
        Shell::Bash => CompleteShell::Bash,
        Shell::Zsh => CompleteShell::Zsh,
        Shell::Fish => CompleteShell::Fish,
        Shell::Powershell => CompleteShell::PowerShell,
    };
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "eds", &mut out);
    write_stdout(&out)?;
    Ok(Exit::Ok)
}

/// Prints one man page, or writes them all into `--out`.
pub(crate) fn man(args: &ManArgs) -> anyhow::Result<Exit> {
    let mut root = Cli::command();
    root.build();
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create the folder {}", dir.display()))?;
        let mut written = Vec::new();
        write_pages(&root, "eds", dir, &mut written)?;
        say!("wrote {} man pages into {}", written.len(), dir.display());
        for name in &written {
            say!("  {name}");
        }
        return Ok(Exit::Ok);
    }
    let mut cmd = root;
    let mut name = "eds".to_owned();
    for word in &args.command {
        let Some(sub) = cmd.find_subcommand(word).cloned() else {
            return Err(UsageError {
                message: format!("{name} has no command {word:?}"),
                hint: "run `eds --help` for the commands, e.g. `eds man verify`, `eds man ca init`",
            }
            .into());
        };
        name = format!("{name}-{word}");
        cmd = sub;
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.display_name(name))
        .render(&mut out)
        .context("failed to render the man page")?;
    write_stdout(&out)?;
    Ok(Exit::Ok)
}

/// Writes the page of `cmd` as `NAME.1`, then those of its subcommands (`NAME-SUB.1`).
fn write_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<String>,
) -> anyhow::Result<()> {
    let file = format!("{name}.1");
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone().display_name(name.to_owned()))
        .render(&mut out)
        .with_context(|| format!("failed to render {file}"))?;
    let path = dir.join(&file);
    std::fs::write(&path, &out).with_context(|| format!("failed to write {}", path.display()))?;
    written.push(file);
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("failed to write to standard output")
}
