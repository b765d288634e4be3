//! `feishu-dist OUT_DIR`: writes what the `.deb` and `.rpm` carry besides the binaries, generated
//! from the clap definitions so they cannot drift from the parsers:
//!
//! - `OUT_DIR/man1/`: feishu-auth(1), a page per subcommand (feishu-auth-login(1), …) and
//!   feishu-signin(1);
//! - `OUT_DIR/completions/{bash,zsh,fish}/`: feishu-auth's completions, named as each shell's
//!   vendor folder expects them.
//!
//! `scripts/stage-package.sh` runs it before `tauri build` bundles, and compresses the pages.

// A command-line program: its output is its interface.
#![allow(clippy::print_stderr)]

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::{CommandFactory, Parser};
use clap_complete::Shell;
use clap_mangen::Man;

// The two command lines, compiled here as they are (each depends on clap alone).
#[allow(dead_code)]
#[path = "../../../src-tauri/cli.rs"]
mod app_cli;
#[allow(dead_code)]
#[path = "../../feishu-auth/src/cli.rs"]
mod auth_cli;

/// Writes the man pages and shell completions for the packages.
#[derive(Debug, Parser)]
#[command(name = "feishu-dist")]
struct Args {
    /// The folder to write `man1/` and `completions/` into.
    out_dir: PathBuf,
    /// The pages' date (YYYY-MM-DD); scripts/package.sh passes the last commit's.
    #[arg(long, default_value = "")]
    date: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match write_all(&args.out_dir, &args.date) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("feishu-dist: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(out: &Path, date: &str) -> Result<(), String> {
    let man1 = out.join("man1");
    create_dir(&man1)?;
    // No `help` subcommand pages: `feishu-auth help login` is `man feishu-auth-login` here.
    let mut auth = auth_cli::Cli::command().disable_help_subcommand(true);
    auth.build();
    for sub in auth.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_subcommand_pages(sub, &man1, date)?;
    }
    write_page(&man1, &auth, date, &auth_sections())?;
    let mut app = app_cli::Cli::command();
    app.build();
    write_page(&man1, &app, date, &app_sections())?;

    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let (folder, name) = match shell {
            Shell::Bash => ("bash", "feishu-auth"),
            Shell::Zsh => ("zsh", "_feishu-auth"),
            _ => ("fish", "feishu-auth.fish"),
        };
        let dir = out.join("completions").join(folder);
        create_dir(&dir)?;
        let script = completion(shell, "feishu-auth", &mut auth_cli::Cli::command());
        let path = dir.join(name);
        fs::write(&path, script).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The completion script for `bin` in `shell`.
///
/// Bash's is generated for the name with `_` for `-` and registered for the real name: with a
/// hyphen in the name, clap_complete's bash script spells its states two ways and completes
/// nothing after a subcommand (clap-rs/clap#6421). The name only names the function and the
/// states; the command itself is matched as typed (`$1`).
fn completion(shell: Shell, bin: &str, cmd: &mut clap::Command) -> String {
    let generated_for = match shell {
        Shell::Bash => bin.replace('-', "_"),
        _ => bin.to_owned(),
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, cmd, &generated_for, &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    if generated_for == bin {
        return script;
    }
    let registration = format!(" {generated_for}");
    script
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("complete -F ") && line.ends_with(&registration) {
                format!("{}{bin}", &line[..line.len() - generated_for.len()])
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A page per subcommand (`feishu-auth-profile-add`, …), as `clap_mangen::generate_to` makes them.
fn write_subcommand_pages(cmd: &clap::Command, man1: &Path, date: &str) -> Result<(), String> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_subcommand_pages(sub, man1, date)?;
    }
    let see_also = Section {
        title: "SEE ALSO",
        paragraphs: vec![Paragraph::Text("feishu-auth(1)".to_owned())],
    };
    write_page(man1, cmd, date, &[see_also])
}

/// One page: clap_mangen's sections, then ours, then the version.
fn write_page(
    man1: &Path,
    cmd: &clap::Command,
    date: &str,
    extra: &[Section],
) -> Result<(), String> {
    // The footer names the program and its version on every page, a subcommand's included.
    let program = cmd.get_bin_name().unwrap_or(cmd.get_name());
    let program = program.split(' ').next().unwrap_or(program);
    let man = Man::new(cmd.clone().disable_help_subcommand(true))
        .date(date)
        .source(format!("{program} {}", env!("CARGO_PKG_VERSION")))
        .manual("User Commands");
    let path = man1.join(man.get_filename());
    let render = || -> io::Result<Vec<u8>> {
        let mut page = Vec::new();
        man.render_title(&mut page)?;
        man.render_name_section(&mut page)?;
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut page)?;
        }
        if cmd.has_subcommands() {
            man.render_subcommands_section(&mut page)?;
        }
        for section in extra {
            section.render(&mut page)?;
        }
        if cmd.get_version().is_some() {
            man.render_version_section(&mut page)?;
        }
        Ok(page)
    };
    let page = render().map_err(|e| format!("cannot render {}: {e}", path.display()))?;
    fs::write(&path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn create_dir(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// A section of our own, after clap's: plain text and tagged paragraphs.
#[derive(Debug)]
struct Section {
    title: &'static str,
    paragraphs: Vec<Paragraph>,
}

#[derive(Debug)]
enum Paragraph {
    Text(String),
    /// A term in bold, then its description, indented.
    Tagged(&'static str, &'static str),
}

impl Section {
    fn render(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, ".SH {}", self.title)?;
        for paragraph in &self.paragraphs {
            match paragraph {
                Paragraph::Text(text) => writeln!(w, ".PP\n{}", escape(text))?,
                Paragraph::Tagged(term, text) => {
                    writeln!(w, ".TP\n\\fB{}\\fR\n{}", escape(term), escape(text))?;
                }
            }
        }
        Ok(())
    }
}

/// Text as roff reads it: backslashes and hyphens escaped, no line starting with a control
/// character.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// The settings both programs read, in the order they apply.
fn settings_sections() -> Vec<Section> {
    use Paragraph::Tagged;
    vec![
        Section {
            title: "ENVIRONMENT",
            paragraphs: vec![
                Tagged("FEISHU_APP_ID, FEISHU_APP_SECRET", "The app's credentials from the Feishu or Lark developer console. With no App ID, the sandbox (a local Feishu emulator) is used."),
                Tagged("FEISHU_BRAND", "feishu (the default) or lark; the hosts follow."),
                Tagged("FEISHU_ACCOUNTS_URL, FEISHU_OPEN_URL", "Base URLs of the authorize page and of the Open API, for a proxy or an emulator."),
                Tagged("FEISHU_REDIRECT_URI", "The redirect URI registered for the app: http://127.0.0.1:28283/callback (the default) or dev.feishu-signin.app:/callback."),
                Tagged("FEISHU_SCOPES", "The scopes to request, separated by spaces."),
                Tagged("FEISHU_SIGNIN_BROWSER", "A command that opens the authorize URL (appended as its last argument) instead of the system browser."),
                Tagged("FEISHU_SIGNIN_DATA_DIR", "Where the session is kept; by default the app's folder in $XDG_DATA_HOME, shared by the app and feishu-auth."),
                Tagged("FEISHU_PROFILE", "The profile to use instead of the active one."),
                Tagged("RUST_LOG", "What to log on standard error: a level (error, warn, info, debug, trace) or target=level pairs, separated by commas."),
            ],
        },
        Section {
            title: "FILES",
            paragraphs: vec![
                Tagged("/etc/xdg/feishu-signin/config.toml", "Settings for every user of the machine, found through $XDG_CONFIG_DIRS and read first. Its locked key lists settings that the user's file, the window and the environment cannot change."),
                Tagged("~/.config/feishu-signin/config.toml", "The user's settings (the profile default), read after the system file; the environment overrides both, except locked keys."),
                Tagged("~/.config/feishu-signin/profiles/NAME.toml", "The settings of the profile NAME."),
                Tagged("~/.local/share/dev.feishu-signin.FeishuSignIn/", "The sessions (mode 0600), shared by the app and feishu-auth. Release 0.1's ~/.local/share/dev.feishu-signin.app is moved here on first start."),
                Tagged("~/.config/systemd/user/feishu-signin-keepalive-NAME.timer", "The timer of \"Keep me signed in while the app is closed\" (feishu-auth keepalive) for the profile NAME, with its .service."),
            ],
        },
    ]
}

fn auth_sections() -> Vec<Section> {
    use Paragraph::{Tagged, Text};
    let mut sections = settings_sections();
    sections.push(Section {
        title: "EXIT STATUS",
        paragraphs: vec![
            Tagged("0", "Success."),
            Tagged("1", "Anything else went wrong."),
            Tagged(
                "2",
                "A usage error: the command line is wrong, or names a profile that does not exist.",
            ),
            Tagged(
                "3",
                "Not signed in, or the session can no longer be refreshed: run feishu-auth login.",
            ),
            Tagged("4", "The browser did not come back in time."),
            Tagged("5", "The user declined on the consent page."),
            Tagged("6", "Feishu answered with an error code."),
        ],
    });
    sections.push(Section {
        title: "SEE ALSO",
        paragraphs: vec![Text("feishu-signin(1)".to_owned())],
    });
    sections
}

fn app_sections() -> Vec<Section> {
    let mut sections = settings_sections();
    sections[0].paragraphs.push(Paragraph::Tagged(
        "FEISHU_SIGNIN_DEMO",
        "1: with no App ID, open straight on the demo's sign-in (demo = true in the config file does the same). Without it, a window with no App ID says the app is not set up yet.",
    ));
    sections[0].paragraphs.push(Paragraph::Tagged(
        "WEBKIT_DISABLE_COMPOSITING_MODE",
        "Set to 1 by the app unless it is set: WebKitGTK paints the window without OpenGL compositing, which takes less memory; 0 brings compositing back.",
    ));
    sections.push(Section {
        title: "SEE ALSO",
        paragraphs: vec![Paragraph::Text("feishu-auth(1), xdg-mime(1)".to_owned())],
    });
    sections
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::{CommandFactory, Parser};

    use super::app_cli::Cli;

    #[test]
    fn the_app_takes_one_deep_link_and_nothing_else() {
        // What src-tauri/src/deep_link.rs reads: `[program, url]`.
        let cli = Cli::try_parse_from([
            "feishu-signin",
            "dev.feishu-signin.app:/callback?code=c&state=s",
        ])
        .unwrap();
        assert!(cli.url.is_some());
        assert!(Cli::try_parse_from(["feishu-signin"])
            .unwrap()
            .url
            .is_none());
        // No flags: the app answers none, so its page lists none.
        assert!(Cli::command().get_arguments().all(clap::Arg::is_positional));
        assert!(Cli::try_parse_from(["feishu-signin", "--help"]).is_err());
    }

    #[test]
    fn pages_and_completions_are_written_where_the_package_takes_them() {
        let out = tempfile::tempdir().unwrap();
        super::write_all(out.path(), "2026-01-01").unwrap();
        for file in [
            "man1/feishu-auth.1",
            "man1/feishu-auth-login.1",
            "man1/feishu-auth-profile-add.1",
            "man1/feishu-signin.1",
            "completions/bash/feishu-auth",
            "completions/zsh/_feishu-auth",
            "completions/fish/feishu-auth.fish",
        ] {
            assert!(out.path().join(file).is_file(), "{file}");
        }
        let page = std::fs::read_to_string(out.path().join("man1/feishu-auth.1")).unwrap();
        assert!(page.contains(".SH ENVIRONMENT") && page.contains("FEISHU_APP_ID"));
        // The hidden `emulator --for-app` stays out of the pages.
        assert!(!page.contains("for\\-app"));
    }
}
