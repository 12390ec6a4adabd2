//! The `linkage` command line: clap definitions, checked options, and the commands that
//! glue the library together. Every error a user can cause ends as one line on stderr
//! and exit code 2; nothing here panics on bad input.

mod attribute;
mod bench;
mod calibrate;
mod params;
mod run;
pub mod sweep;
mod validate;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "linkage",
    version,
    about = "Simulate fragmented, integrated and linkage governance of a city under shocks"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario under one or more regimes and compare them.
    Run(RunArgs),
    /// List the built-in scenarios.
    Scenarios,
    /// Check a scenario (built-in name or .toml file) without running it; every problem
    /// is reported, each with its file, line and column.
    Check {
        /// Built-in scenario name or path to a .toml file.
        scenario: String,
    },
    /// Reproduce published models with the engine's machinery: all parts, or one of
    /// epstein, epidemic, granovetter, drift, incidents, shocks. Exits 1 if any check fails.
    Validate {
        /// One part to run (default: all).
        part: Option<String>,
        /// Smaller sizes and fewer seeds (what `cargo test` runs).
        #[arg(long)]
        quick: bool,
        /// Also draw the validation charts (SVG) into this folder.
        #[arg(long)]
        charts: Option<std::path::PathBuf>,
    },
    /// Class mode: a local web page where a class sets the mechanisms with sliders, runs
    /// the regimes side by side and compares strategies on a shared board (docs/teaching.md).
    Serve(ServeArgs),
    /// Epstein's civil violence Model I on a torus; one CSV row per tick.
    Epstein(validate::EpsteinArgs),
    /// Run an experiment: every cell × replicate, in parallel, resumable.
    Sweep(sweep::SweepArgs),
    /// Write report.html (self-contained) and plots/ for a run folder or a sweep folder.
    Report {
        /// A run folder (with ticks.csv, summary.csv, params.toml) or a sweep folder (with summary.csv and experiment.toml); a table written as Parquet alone (--format parquet) is read from its .parquet file.
        dir: std::path::PathBuf,
        #[command(flatten)]
        lang: LangArgs,
    },
    /// Measure what a tick costs against size and threads, and check the performance
    /// targets (docs/performance.md). Each measurement runs in its own process.
    Bench(bench::BenchArgs),
    /// One measurement of `linkage bench`, printed as a JSON line (used by bench).
    #[command(hide = true)]
    BenchOne(bench::BenchOneArgs),
    /// One sweep of `linkage bench`, printed as a JSON line (used by bench).
    #[command(hide = true)]
    BenchSweep(bench::BenchSweepArgs),
    /// Every parameter with its value, unit and source as markdown (docs/parameters.md);
    /// with --influence also its measured influence (±20%, one at a time).
    Params(params::ParamsArgs),
    /// Sensitivity indices of a finished morris or sobol sweep: writes DIR/indices.csv
    /// and prints the findings (docs/experiments.md).
    Analyze {
        /// The sweep folder (with experiment.toml and runs.csv).
        dir: std::path::PathBuf,
        /// Bootstrap resamples for the 95% intervals (0: none).
        #[arg(long, default_value_t = crate::experiment::sensitivity::BOOTSTRAP as u32,
              value_parser = clap::value_parser!(u32).range(0..=100_000))]
        resamples: u32,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Attribute the difference between two regimes to their mechanisms: exact Shapley
    /// values over the 2^k hybrid regimes, run as a resumable sweep.
    Attribute(attribute::AttributeArgs),
    /// Fit scenario parameters to empirical targets (ABC-SMC): writes the accepted
    /// parameter sets, the fitted scenario (best.toml), the fit and a report.
    Calibrate(calibrate::CalibrateArgs),
    /// Combine shard folders of one sweep (each holding CSV or Parquet files, or both)
    /// into the files of the whole sweep.
    Merge {
        /// Shard folders.
        #[arg(required = true)]
        dirs: Vec<std::path::PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Which files hold the merged tables: csv, parquet or both, as `linkage sweep
        /// --format` (whatever the shards hold).
        #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
        format: FormatArg,
    },
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Built-in scenario name or path to a scenario .toml file (e.g. a run's params.toml).
    #[arg(long, default_value = crate::scenario::builtin::DEFAULT)]
    pub scenario: String,
    /// Regime(s) to run: repeat the option or separate with commas. Default: every regime
    /// of the scenario (fragmented, integrated, linkage).
    #[arg(long = "regime", value_delimiter = ',')]
    pub regimes: Vec<String>,
    /// Random seed (a whole number from 0 to 9223372036854775807). Default: the scenario's.
    #[arg(long, value_parser = parse_seed, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Days to simulate (a whole number ≥ 1). Default: the scenario's. Shocks that end
    /// after the last day are dropped, and the burn-in is shortened to fit.
    #[arg(long, value_parser = parse_ticks, allow_negative_numbers = true)]
    pub ticks: Option<u32>,
    /// Scale the scenario to N residents, keeping its proportions (N ≥ 100).
    #[arg(long, value_parser = parse_residents, allow_negative_numbers = true)]
    pub residents: Option<u64>,
    /// Set a numeric parameter of the scenario by its path, e.g. --set
    /// regimes.linkage.social=0.5 or --set shocks[0].intensity=0.5 (repeat for more;
    /// `linkage params` lists the paths). Applied first, as if the file were edited;
    /// --seed, --ticks, --residents and --warmup then apply on top. params.toml records
    /// the values used (a whole-number field takes the rounded value).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub settings: Vec<crate::experiment::single::Setting>,
    /// Days stepped before day 0 without shocks and not reported, so the run starts from
    /// the model's settled state (0 to 3650). Default: the scenario's (365). 0 starts from
    /// the drawn state, which is faster but drifts through the first year
    #[arg(long, value_parser = parse_warmup, allow_negative_numbers = true)]
    pub warmup: Option<u32>,
    /// Worker threads (≥ 1). Default: all cores. Results do not depend on it.
    #[arg(long, value_parser = parse_threads, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Output folder. Default: runs/<scenario>-<timestamp>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Runs of each regime (1 to 10000). Replicate 1 is the run's own seed and writes the
    /// folder's usual files; from 2 on, replicates.csv has every replicate's summary and
    /// each regime's headline metrics are shown with 95% intervals.
    #[arg(long, default_value_t = 1, value_parser = parse_replicates, allow_negative_numbers = true)]
    pub replicates: u32,
    /// No progress bar and no notes on stderr (the table still goes to stdout).
    #[arg(long)]
    pub quiet: bool,
    /// Do not run the no-shock twins. By default each regime of a scenario with a shock
    /// also runs its twin (the same world copied at the shock's start and stepped on
    /// without it), and resilience is measured against it; that costs the days from the
    /// shock's start again. Without the twin, resilience is measured against the
    /// pre-shock mean.
    #[arg(long)]
    pub no_twin: bool,
    /// Which files hold the run's tables: csv (ticks.csv, summary.csv, territory.csv,
    /// incidents.csv), parquet (the same tables as .parquet files: typed columns, ZSTD,
    /// the run's parameters in each file's metadata) or both. params.toml is always
    /// written (and with --replicates, replicates.csv or .parquet alike).
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The files of a run's tables, as the command line spells them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    #[default]
    Csv,
    Parquet,
    Both,
}

impl From<FormatArg> for crate::output::files::Format {
    fn from(f: FormatArg) -> crate::output::files::Format {
        use crate::output::files::Format;
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Parquet => Format::Parquet,
            FormatArg::Both => Format::Both,
        }
    }
}

/// The language of a report, as the command line spells it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    #[default]
    En,
    Zh,
}

impl From<LangArg> for crate::report::Lang {
    fn from(l: LangArg) -> crate::report::Lang {
        match l {
            LangArg::En => crate::report::Lang::En,
            LangArg::Zh => crate::report::Lang::Zh,
        }
    }
}

/// `linkage serve`'s options.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The port to listen on (0: any free port, printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 lets the room's
    /// network in (the address participants type is printed).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The page's language at first (each participant can switch).
    #[command(flatten)]
    pub lang: LangArgs,
    /// The most residents a run may ask for (≥ 100).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(100..))]
    pub max_residents: u64,
    /// The most days a run may ask for (≥ 1).
    #[arg(long, default_value_t = 730, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_days: u32,
    /// Simulations at once, one core each (≥ 1). Default: all cores.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub workers: Option<u64>,
    /// Megabytes the cache of finished runs may hold (≥ 16); the least recently asked-for go first.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u64).range(16..=1_048_576))]
    pub cache_mb: u64,
}

/// `--lang`, shared by `report` and by every command that can write a report.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct LangArgs {
    /// Language of the report's labels and sentences.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
}

/// `--report` and `--lang`, flattened into the commands that write a folder (`run`,
/// `sweep`, `analyze`, `attribute`).
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct ReportArgs {
    /// Also write report.html and plots/ into the output folder when done.
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub lang: LangArgs,
}

impl ReportArgs {
    /// Write the report of `dir` if `--report` was given.
    pub(crate) fn write_into(&self, dir: &std::path::Path) -> Result<(), Failure> {
        if self.report {
            report(dir, self.lang.lang.into())?;
        }
        Ok(())
    }
}

fn whole<T: std::str::FromStr>(s: &str, what: &str, allowed: &str) -> Result<T, String> {
    s.trim()
        .parse::<T>()
        .map_err(|_| format!("{what} must be {allowed}"))
}

// The checks of the command line's numbers: also the Python package's, so that a bad
// value gets the same message there.

pub fn parse_seed(s: &str) -> Result<u64, String> {
    // TOML integers are signed 64-bit: a larger seed could not be read back from params.toml.
    let allowed = "a whole number from 0 to 9223372036854775807";
    match whole::<u64>(s, "the seed", allowed)? {
        n if n <= i64::MAX as u64 => Ok(n),
        _ => Err(format!("the seed must be {allowed}")),
    }
}

pub fn parse_ticks(s: &str) -> Result<u32, String> {
    let allowed = "a whole number from 1 to 4294967295";
    match whole::<u32>(s, "the tick count", allowed)? {
        0 => Err(format!("the tick count must be {allowed}")),
        n => Ok(n),
    }
}

pub fn parse_warmup(s: &str) -> Result<u32, String> {
    let allowed = "a whole number from 0 to 3650";
    match whole::<u32>(s, "the warm-up", allowed)? {
        n if n <= 3650 => Ok(n),
        _ => Err(format!("the warm-up must be {allowed}")),
    }
}

pub fn parse_residents(s: &str) -> Result<u64, String> {
    let allowed = "a whole number from 100 to 100000000";
    match whole::<u64>(s, "the resident count", allowed)? {
        n if (100..=100_000_000).contains(&n) => Ok(n),
        _ => Err(format!("the resident count must be {allowed}")),
    }
}

fn parse_replicates(s: &str) -> Result<u32, String> {
    let allowed = "a whole number from 1 to 10000";
    match whole::<u32>(s, "the replicate count", allowed)? {
        n if (1..=10_000).contains(&n) => Ok(n),
        _ => Err(format!("the replicate count must be {allowed}")),
    }
}

pub fn parse_threads(s: &str) -> Result<usize, String> {
    let allowed = "a whole number from 1 to 1024";
    match whole::<usize>(s, "the thread count", allowed)? {
        n if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!("the thread count must be {allowed}")),
    }
}

/// An error for the user: a one-line message and an exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    /// Bad input: exit code 2.
    pub fn input(message: impl std::fmt::Display) -> Failure {
        Failure {
            code: 2,
            message: message.to_string(),
        }
    }

    /// The machine, not the input (a missing tool, a failed install): exit code 1.
    pub fn environment(message: impl std::fmt::Display) -> Failure {
        Failure {
            code: 1,
            message: message.to_string(),
        }
    }
}

impl From<crate::base::pool::PoolError> for Failure {
    /// The OS refused the threads: not the user's input, exit code 1.
    fn from(e: crate::base::pool::PoolError) -> Failure {
        Failure {
            code: 1,
            message: e.to_string(),
        }
    }
}

/// `linkage` and the subcommand of this command line, if the first argument names one:
/// whose `--help` an error points to.
fn subcommand() -> String {
    use clap::CommandFactory;
    let named = std::env::args()
        .nth(1)
        .filter(|a| Cli::command().find_subcommand(a).is_some());
    match named {
        Some(name) => format!("linkage {name}"),
        None => "linkage".to_string(),
    }
}

/// clap's rendered error as one line. clap puts the problem on the first line and its
/// particulars on the lines below: the missing arguments one a line under a line ending
/// in ':', the allowed values in brackets, a tip; then a usage block and a pointer to
/// `--help`. The particulars are joined onto the problem (a list with commas, a tip after
/// ';'), the usage dropped, and the pointer names the subcommand's help.
fn clap_error_line(rendered: &str, command: &str) -> String {
    let mut line = String::new();
    let mut listing = false;
    let mut in_usage = false;
    for text in rendered.lines() {
        let text = text.trim();
        if text.is_empty() {
            in_usage = false;
            continue;
        }
        if in_usage || text.starts_with("For more information") {
            continue;
        }
        if text.starts_with("Usage:") {
            in_usage = true;
        } else if line.is_empty() {
            line.push_str(text);
            listing = text.ends_with(':');
        } else if text.starts_with("tip:") {
            line.push_str("; ");
            line.push_str(text);
            listing = false;
        } else {
            // The first item of a list follows its ':'; the next ones a comma.
            line.push_str(if listing && !line.ends_with(':') {
                ", "
            } else {
                " "
            });
            line.push_str(text);
        }
    }
    if line.is_empty() {
        line.push_str("error: invalid arguments");
    }
    format!("{line} (see '{command} --help')")
}

/// Parse the arguments, run the command, and return the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    2
                } else {
                    0
                };
            }
            eprintln!(
                "{}",
                clap_error_line(&e.render().to_string(), &subcommand())
            );
            return 2;
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Scenarios => {
            for name in crate::scenario::builtin::NAMES {
                println!(
                    "{name:<22} {}",
                    crate::scenario::builtin::describe(name).unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Check { scenario } => check(&scenario),
        Command::Validate {
            part,
            quick,
            charts,
        } => validate::validate(part.as_deref(), quick, charts.as_deref()),
        Command::Serve(args) => serve(&args),
        Command::Epstein(args) => validate::epstein(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Report { dir, lang } => report(&dir, lang.lang.into()),
        Command::Merge { dirs, out, format } => sweep::merge(&dirs, &out, format),
        Command::Analyze {
            dir,
            resamples,
            report,
        } => sweep::analyze(&dir, resamples as usize, &report),
        Command::Attribute(args) => attribute::attribute(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Params(args) => params::params(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::BenchOne(args) => bench::bench_one(&args),
        Command::BenchSweep(args) => bench::bench_sweep(&args),
    };
    match result {
        Ok(()) => 0,
        Err(f) => {
            for line in f.message.lines() {
                eprintln!("error: {line}");
            }
            f.code
        }
    }
}

/// `linkage check`: load and validate, then summarise what would run.
fn check(name: &str) -> Result<(), Failure> {
    let s = crate::scenario::Scenario::load(name).map_err(Failure::input)?;
    let memory = crate::engine::memory::total_bytes();
    let what = format!("scenario {name}");
    crate::engine::memory::check_fits(&s, &what, s.regimes.len() as u64, 1, memory)
        .map_err(Failure::input)?;
    let regimes: Vec<&str> = s.regimes.keys().map(|k| k.as_str()).collect();
    let shocks: Vec<String> = s
        .shocks
        .iter()
        .map(|sh| {
            let (a, b) = sh.window();
            format!("{} days {a}-{}", sh.name(), b - 1)
        })
        .collect();
    println!(
        "ok: {} ({} residents, {} days, seed {}; regimes {}; shocks: {})",
        s.name,
        s.run.residents,
        s.run.ticks,
        s.run.seed,
        regimes.join(", "),
        if shocks.is_empty() {
            "none".to_string()
        } else {
            shocks.join(", ")
        }
    );
    Ok(())
}

/// `linkage report DIR`.
pub(crate) fn report(dir: &std::path::Path, lang: crate::report::Lang) -> Result<(), Failure> {
    use crate::report::ReportError;
    let files = crate::report::write(dir, lang).map_err(|e| match e {
        // The folder could not be read back: the user's input. Writing or drawing failed:
        // not the input's fault.
        ReportError::Write { .. } | ReportError::Chart { .. } | ReportError::Font(_) => Failure {
            code: 1,
            message: e.to_string(),
        },
        e => Failure::input(e),
    })?;
    eprintln!(
        "wrote {}/report.html and plots/{{{}}}",
        dir.display(),
        files.join(", ")
    );
    Ok(())
}

/// `linkage serve`: start the class-mode server and serve until Ctrl-C.
fn serve(args: &ServeArgs) -> Result<(), Failure> {
    let options = crate::serve::Options {
        bind: args.bind,
        port: args.port,
        lang: args.lang.lang.into(),
        limits: crate::serve::request::Limits {
            max_residents: args.max_residents,
            max_days: args.max_days,
        },
        workers: args
            .workers
            .map_or_else(crate::base::pool::all_cores, |w| w as usize),
        cache_bytes: (args.cache_mb as usize).saturating_mul(1 << 20),
    };
    crate::serve::serve(options).map_err(|e| match e {
        crate::serve::ServeError::Listen { .. } => Failure::input(e),
        crate::serve::ServeError::Setup(_) => Failure::environment(e),
    })
}

#[cfg(test)]
mod tests {
    use super::clap_error_line;

    #[test]
    fn clap_errors_keep_their_particulars_on_one_line() {
        let missing = "error: the following required arguments were not provided:\n  <DIRS>...\n  --out <OUT>\n\nUsage: linkage merge --out <OUT> <DIRS>...\n\nFor more information, try '--help'.\n";
        assert_eq!(
            clap_error_line(missing, "linkage merge"),
            "error: the following required arguments were not provided: <DIRS>..., --out <OUT> (see 'linkage merge --help')"
        );
        let value = "error: invalid value 'floor=x' for '--rule <RULE>'\n  [possible values: literal, floor, round]\n\n  tip: a similar value exists: 'floor'\n\nFor more information, try '--help'.\n";
        assert_eq!(
            clap_error_line(value, "linkage epstein"),
            "error: invalid value 'floor=x' for '--rule <RULE>' [possible values: literal, floor, round]; tip: a similar value exists: 'floor' (see 'linkage epstein --help')"
        );
        assert_eq!(
            clap_error_line("", "linkage"),
            "error: invalid arguments (see 'linkage --help')"
        );
    }
}
