//! The command line.

use std::path::PathBuf;

use clap::Parser;

/// Measures Feishu Sign-in against its references and prints the table of medians.
///
/// Run it through `scripts/bench.sh`, which builds the release artifacts and starts it under
/// Xvfb with a D-Bus session.
#[derive(Debug, Parser)]
#[command(name = "feishu-bench")]
pub struct Args {
    /// Starts of each app (cold start and memory; each waits `--settle-ms` before measuring).
    #[arg(long, default_value_t = 15)]
    pub launches: usize,
    /// Runs of each of the cheaper rows (sign-in, `feishu-auth token`, contention).
    #[arg(long, default_value_t = 60)]
    pub runs: usize,
    /// How long an app idles after its first render before its memory is read.
    #[arg(long, default_value_t = 3000)]
    pub settle_ms: u64,
    /// How long each idle window of rows 7 and 8 lasts, in seconds.
    #[arg(long, default_value_t = 60)]
    pub idle_secs: u64,
    /// Where the release builds are (default: this executable's folder, `target/release`).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Where `performance.svg` and `performance.md` are written.
    #[arg(long, default_value = "docs")]
    pub out_dir: PathBuf,
    /// Measure only these rows (1–10), for working on one of them; the docs are then not written.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<u8>,
}

impl Args {
    /// Whether row `n` is to be measured.
    pub fn wants(&self, n: u8) -> bool {
        self.only.is_empty() || self.only.contains(&n)
    }
}
