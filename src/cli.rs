//! The command line: `scholia build [SITE_DIR] [-o OUT] [--instructor] [--drafts]`,
//! `scholia check [SITE_DIR] [--format human|json] [--strict] [--fix]`, `scholia serve`,
//! `scholia init [DIR]`, `scholia new SLUG`, `scholia schema [KIND]`; `-q`/`-v` anywhere.
//!
//! Exit status: 0 built (or checked), 1 content errors, 2 usage errors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::pipeline::{self, Failure};
use crate::terminal::{verbosity, Usage, Verbosity};

#[derive(Debug, Parser)]
#[command(
    name = "scholia",
    // `scholia 0.1.0 (1a2b3c4)`: the commit comes from build.rs (`unknown` outside a checkout).
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SCHOLIA_COMMIT"), ")"),
    about = "Build annotated readers: texts with margin notes, cross-links and search."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Print only errors and warnings (nothing on a clean success).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Print more: each stage's time, each file written.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the site in SITE_DIR (its `content/` folder) into a static website.
    Build(BuildArgs),
    /// Build, serve the site on loopback, rebuild whenever content changes, and reload
    /// open pages (showing a failed rebuild's mistakes in them).
    Serve(ServeArgs),
    /// Check the site in SITE_DIR as a build would, writing nothing.
    Check(CheckArgs),
    /// Create a new site in DIR (missing or empty) that builds at once.
    Init(InitArgs),
    /// Add a text and its sidecar to the site: `content/SLUG.md` and `content/SLUG.yaml`.
    New(NewArgs),
    /// Print the JSON Schema of a content file's format, or write them all (--out).
    Schema(SchemaArgs),
    /// Bring annotations made elsewhere into the site's sidecars.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Make printable handouts of texts and class packs (all of them unless chosen).
    Handout(HandoutArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// The folder to create the site in; it must be missing or empty.
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(crate) struct NewArgs {
    /// The text's address under `content/`, without `.md`: `intro` or `unit-1/reading`.
    pub(crate) slug: String,
    /// Its title [default: from SLUG, `unit-1/the-prince` → "The prince"].
    #[arg(long)]
    pub(crate) title: Option<String>,
    /// The site folder, holding `content/`.
    #[arg(long = "site", value_name = "SITE_DIR", default_value = ".")]
    pub(crate) site_dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SchemaArgs {
    /// Which format to print on standard output.
    #[arg(value_enum, required_unless_present = "out", conflicts_with = "out")]
    kind: Option<crate::schema::Kind>,
    /// Write every schema into this folder instead (`sidecar.json`, `site.json`,
    /// `section.json`, `glossary.json`), replacing older ones.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

/// Where annotations come from.
#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// Import a Hypothesis export (JSON, from its client's "Export annotations") into
    /// the sidecars of the texts it annotates (see docs/annotations.md).
    Hypothesis(HypothesisArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct HypothesisArgs {
    /// The export file.
    pub(crate) export: PathBuf,
    /// The site folder, holding `content/`.
    #[arg(default_value = ".")]
    pub(crate) site_dir: PathBuf,
    /// Annotations of pages whose address starts with URL-PREFIX belong to the text
    /// SLUG-PREFIX + the rest of the address (repeatable; tried in order).
    #[arg(long = "map", value_name = "URL-PREFIX=SLUG-PREFIX", value_parser = crate::import::parse_map)]
    pub(crate) maps: Vec<crate::import::Mapping>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct HandoutArgs {
    /// The site folder, holding `content/`.
    #[arg(default_value = ".")]
    pub(crate) site_dir: PathBuf,
    /// A text to hand out, by slug (repeatable).
    #[arg(long = "text", value_name = "SLUG")]
    pub(crate) texts: Vec<String>,
    /// A pack of `_site.yaml` to hand out, by name (repeatable).
    #[arg(long = "pack", value_name = "NAME")]
    pub(crate) packs: Vec<String>,
    /// Make PDF handouts.
    #[arg(long)]
    pub(crate) pdf: bool,
    /// Make EPUB books.
    #[arg(long)]
    pub(crate) epub: bool,
    /// The instructor's edition: instructor notes and questions included (never hand
    /// it out).
    #[arg(long)]
    pub(crate) instructor: bool,
    /// The paper size, overriding `handout.paper` in `_site.yaml`.
    #[arg(long, value_enum)]
    pub(crate) paper: Option<crate::config::Paper>,
    /// Where to write the handouts [default: SITE_DIR/handouts, or
    /// SITE_DIR/handouts-instructor with --instructor].
    #[arg(short, long, value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The site folder, holding `content/`.
    #[arg(default_value = ".")]
    pub(crate) site_dir: PathBuf,
    /// `human` (as `build` prints them) or `json` (one object per line on standard
    /// output, see docs/check.md).
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: crate::check::Format,
    /// Fail (exit status 1) on warnings too.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Rewrite the `quote`, `prefix` and `suffix` of every note anchored fuzzily, in
    /// place, leaving the rest of each sidecar byte for byte as it was.
    #[arg(long)]
    pub(crate) fix: bool,
    /// Check as `build --instructor` would (instructor notes included).
    #[arg(long)]
    pub(crate) instructor: bool,
    /// Include texts with `draft: true`.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Check as if the site were published at URL (overrides `base_url` in `_site.yaml`).
    #[arg(long, value_name = "URL", value_parser = base_url_arg)]
    pub(crate) base_url: Option<url::Url>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) build: BuildArgs,
    /// The address to listen on; anything but loopback exposes your drafts.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) bind: std::net::IpAddr,
    /// The port to listen on; 0 lets the system pick a free one.
    #[arg(long, default_value_t = 1111)]
    pub(crate) port: u16,
    /// Open the site in the browser once it is served.
    #[arg(long)]
    pub(crate) open: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// The site folder, holding `content/`.
    #[arg(default_value = ".")]
    pub(crate) site_dir: PathBuf,
    /// Where to write the site [default: SITE_DIR/public, or SITE_DIR/public-instructor
    /// with --instructor].
    #[arg(short, long, value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
    /// Include notes with `audience: instructor` (never publish this build; it goes to
    /// SITE_DIR/public-instructor unless --output says otherwise).
    #[arg(long)]
    pub(crate) instructor: bool,
    /// Include texts with `draft: true`.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Print how long each stage took.
    #[arg(long)]
    pub(crate) timings: bool,
    /// The address the site will be published at (overrides `base_url` in `_site.yaml`):
    /// it goes into canonical links, Open Graph, the sitemap and the feed; links between
    /// pages stay relative.
    #[arg(long, value_name = "URL", value_parser = base_url_arg)]
    pub(crate) base_url: Option<url::Url>,
}

/// `--base-url`, checked as `base_url` in `_site.yaml` is; a bad one is a usage error.
fn base_url_arg(raw: &str) -> Result<url::Url, String> {
    use crate::config::BaseUrlError;
    crate::config::parse_base_url(raw).map_err(|e| match e {
        BaseUrlError::NotAbsolute => {
            "not an absolute URL: write it like `https://example.org/reader/`".to_string()
        }
        BaseUrlError::NotHttp(scheme) => {
            format!("an `http` or `https` URL is needed, not `{scheme}:`")
        }
        BaseUrlError::Malformed(why) => format!(
            "not a well-formed URL ({}): percent-encode what a URL cannot hold (a space is `%20`)",
            why.description()
        ),
        BaseUrlError::Fragment => {
            "a base URL cannot have a `#fragment`: every page's address starts with it".into()
        }
    })
}

/// The `scholia` command: parses the arguments and runs one command; the binary is this
/// function alone, so the integration tests and `cargo install` run the same code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    crate::terminal::set_verbosity(match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    });
    match cli.command {
        Command::Build(args) => build(&options(&args), args.timings),
        Command::Serve(args) => serve(args),
        Command::Check(args) => check(&args),
        Command::Init(args) => init(&args),
        Command::New(args) => new_text(&args),
        Command::Schema(args) => schema(&args),
        Command::Handout(args) => handout(&args),
        Command::Import(ImportCommand::Hypothesis(args)) => {
            crate::import::run(&crate::import::ImportOptions {
                export: args.export,
                site_dir: args.site_dir,
                maps: args.maps,
                color: color(),
            })
        }
    }
}

fn init(args: &InitArgs) -> ExitCode {
    match crate::scaffold::init(&args.dir) {
        Ok(files) => {
            if verbosity() >= Verbosity::Verbose {
                for f in &files {
                    eprintln!("created {}", args.dir.join(f).display());
                }
            }
            if verbosity() > Verbosity::Quiet {
                let dir = args.dir.display();
                eprintln!("created a site in {dir}: build it with `scholia build {dir}`, or preview it with `scholia serve {dir}`");
            }
            ExitCode::SUCCESS
        }
        Err(refusal) => refused(refusal),
    }
}

fn new_text(args: &NewArgs) -> ExitCode {
    match crate::scaffold::new_text(&args.site_dir, &args.slug, args.title.as_deref()) {
        Ok([text, sidecar]) => {
            if verbosity() > Verbosity::Quiet {
                eprintln!("created {} and {}", text.display(), sidecar.display());
            }
            ExitCode::SUCCESS
        }
        Err(refusal) => refused(refusal),
    }
}

fn refused(refusal: crate::scaffold::Refusal) -> ExitCode {
    match refusal {
        crate::scaffold::Refusal::Usage(why) => {
            eprintln!("error: {why}");
            ExitCode::from(2)
        }
        crate::scaffold::Refusal::Io(e) => {
            eprintln!("error: {e:#}; nothing was left behind");
            ExitCode::from(1)
        }
    }
}

fn schema(args: &SchemaArgs) -> ExitCode {
    use crate::schema::Kind;
    use std::io::Write;
    let Some(out) = &args.out else {
        let kind = args.kind.unwrap_or(Kind::Sidecar);
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(crate::schema::to_json(kind).as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot print the schema: {e}");
                ExitCode::from(1)
            }
        };
    };
    match crate::scaffold::write_schemas(out) {
        Ok(()) => {
            if verbosity() > Verbosity::Quiet {
                eprintln!("wrote {} schemas into {}", Kind::ALL.len(), out.display());
            }
            ExitCode::SUCCESS
        }
        Err(refusal) => refused(refusal),
    }
}

fn handout(args: &HandoutArgs) -> ExitCode {
    let folder = if args.instructor {
        "handouts-instructor"
    } else {
        "handouts"
    };
    let options = crate::handout::HandoutOptions {
        site_dir: args.site_dir.clone(),
        output: args
            .output
            .clone()
            .unwrap_or_else(|| args.site_dir.join(folder)),
        texts: args.texts.clone(),
        packs: args.packs.clone(),
        pdf: args.pdf,
        epub: args.epub,
        instructor: args.instructor,
        paper: args.paper,
    };
    let mut diags = Diagnostics::new();
    let result = crate::handout::run(&options, &mut diags);
    diags.sort();
    eprint!("{}", diags.render(color()));
    match result {
        Ok(written) => {
            eprintln!(
                "wrote {} handout{} into {}",
                written.handouts,
                plural(written.handouts),
                options.output.display()
            );
            ExitCode::SUCCESS
        }
        Err(failure) => failed(failure, "no handouts were made:", &options.output, &diags),
    }
}

/// What a failed build or handout says, and its exit status: 1 for content and I/O
/// errors, 2 for usage errors.
fn failed(failure: Failure, what: &str, output: &Path, diags: &Diagnostics) -> ExitCode {
    match failure {
        Failure::Content => {
            let n = diags.error_count();
            eprintln!(
                "error: {what} {n} error{}; {} was left as it was",
                plural(n),
                output.display()
            );
            ExitCode::from(1)
        }
        Failure::Io(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
        Failure::Usage(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    crate::check::run(&crate::check::CheckOptions {
        build: BuildOptions {
            output: BuildOptions::default_output(&args.site_dir, args.instructor),
            site_dir: args.site_dir.clone(),
            instructor: args.instructor,
            drafts: args.drafts,
            base_url: args.base_url.clone(),
        },
        format: args.format,
        strict: args.strict,
        fix: args.fix,
        color: color(),
    })
}

/// Whether to colour diagnostics (see [`crate::terminal::color`]).
fn color() -> bool {
    crate::terminal::color()
}

fn options(args: &BuildArgs) -> BuildOptions {
    BuildOptions {
        output: args
            .output
            .clone()
            .unwrap_or_else(|| BuildOptions::default_output(&args.site_dir, args.instructor)),
        site_dir: args.site_dir.clone(),
        instructor: args.instructor,
        drafts: args.drafts,
        base_url: args.base_url.clone(),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let options = crate::serve::ServeOptions {
        build: options(&args.build),
        bind: args.bind,
        port: args.port,
        timings: args.build.timings,
        open: args.open,
    };
    let timings = args.build.timings;
    match crate::serve::run(&options, &move |o, diags, result| {
        report(o, diags, result, timings);
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn build(options: &BuildOptions, timings: bool) -> ExitCode {
    let mut diags = Diagnostics::new();
    let progress = crate::terminal::Progress::start("building", pipeline::stage_count());
    // What the process had used when the build began and as each stage ended.
    let usage = std::cell::RefCell::new(vec![Usage::now()]);
    let result = pipeline::build_with_progress(options, &mut diags, &|stage| {
        progress.stage_done(stage);
        usage.borrow_mut().push(Usage::now());
    });
    progress.stop();
    report_with_usage(options, &mut diags, result, timings, &usage.into_inner())
}

/// Prints a build's diagnostics, then its summary or why it failed.
fn report(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    result: Result<pipeline::Report, Failure>,
    timings: bool,
) -> ExitCode {
    report_with_usage(options, diags, result, timings, &[])
}

/// [`report`], with what the process had used at the start and at the end of each stage
/// (one more than the stages), for `--timings`; empty if not known.
fn report_with_usage(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    result: Result<pipeline::Report, Failure>,
    timings: bool,
    usage: &[Usage],
) -> ExitCode {
    let color = color();
    diags.sort();
    eprint!("{}", diags.render(color));
    match result {
        Ok(report) => {
            if timings || verbosity() >= Verbosity::Verbose {
                let none = Usage::default();
                for (i, (stage, t)) in report.timings.iter().enumerate() {
                    let before = usage.get(i).unwrap_or(&none);
                    let after = usage.get(i + 1).unwrap_or(&none);
                    eprintln!("{}", Usage::line(stage, *t, before, after));
                }
            }
            if verbosity() > Verbosity::Quiet {
                eprintln!("{}", summary(options, &report, diags.warning_count()));
            }
            ExitCode::SUCCESS
        }
        Err(failure) => failed(failure, "the build failed with", &options.output, diags),
    }
}

/// The one line a successful build ends with: `built 2 texts with 61 notes (14 pages) into
/// public in 412 ms, 1 warning`.
fn summary(options: &BuildOptions, report: &pipeline::Report, warnings: usize) -> String {
    let time: std::time::Duration = report.timings.iter().map(|(_, t)| *t).sum();
    let warnings = match warnings {
        0 => String::new(),
        n => format!(", {n} warning{}", plural(n)),
    };
    format!(
        "built {} text{} with {} note{} ({} page{}) into {} in {}{warnings}",
        report.texts,
        plural(report.texts),
        report.notes,
        plural(report.notes),
        report.pages,
        plural(report.pages),
        options.output.display(),
        crate::terminal::duration(time),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn output(args: &[&str]) -> PathBuf {
        let cli = Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{e}"));
        match cli.command {
            Command::Build(args) => options(&args).output,
            Command::Serve(args) => options(&args.build).output,
            _ => panic!("only build and serve have an output folder"),
        }
    }

    /// Hardening item 14: an instructor build never lands in the `public/` one publishes,
    /// whether built or served.
    #[test]
    fn instructor_builds_default_to_their_own_folder() {
        let s = Path::new("site");
        assert_eq!(output(&["scholia", "build", "site"]), s.join("public"));
        for command in ["build", "serve"] {
            assert_eq!(
                output(&["scholia", command, "site", "--instructor"]),
                s.join("public-instructor")
            );
            assert_eq!(
                output(&["scholia", command, "site", "--instructor", "-o", "x"]),
                Path::new("x")
            );
        }
    }
}
