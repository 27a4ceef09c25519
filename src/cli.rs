//! The command line: `scholia build [SITE_DIR] [-o OUT] [--instructor] [--drafts]`,
//! `scholia check [SITE_DIR] [--format human|json] [--strict] [--fix]`, `scholia serve`.
//!
//! Exit status: 0 built (or checked), 1 content errors, 2 usage errors.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::pipeline::{self, Failure};

#[derive(Debug, Parser)]
#[command(
    name = "scholia",
    version,
    about = "Build annotated readers: texts with margin notes, cross-links and search."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site in SITE_DIR (its `content/` folder) into a static website.
    Build(BuildArgs),
    /// Build, serve the site on loopback, rebuild whenever content changes, and reload
    /// open pages (showing a failed rebuild's mistakes in them).
    Serve(ServeArgs),
    /// Check the site in SITE_DIR as a build would, writing nothing.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The site folder, holding `content/`.
    #[arg(default_value = ".")]
    pub site_dir: PathBuf,
    /// `human` (as `build` prints them) or `json` (one object per line on standard
    /// output, see docs/check.md).
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::check::Format,
    /// Fail (exit status 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Rewrite the `quote`, `prefix` and `suffix` of every note anchored fuzzily, in
    /// place, leaving the rest of each sidecar byte for byte as it was.
    #[arg(long)]
    pub fix: bool,
    /// Check as `build --instructor` would (instructor notes included).
    #[arg(long)]
    pub instructor: bool,
    /// Include texts with `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Check as if the site were published at URL (overrides `base_url` in `_site.yaml`).
    #[arg(long, value_name = "URL", value_parser = base_url_arg)]
    pub base_url: Option<url::Url>,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// The address to listen on; anything but loopback exposes your drafts.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port to listen on; 0 lets the system pick a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the browser once it is served.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The site folder, holding `content/`.
    #[arg(default_value = ".")]
    pub site_dir: PathBuf,
    /// Where to write the site [default: SITE_DIR/public, or SITE_DIR/public-instructor
    /// with --instructor].
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Include notes with `audience: instructor` (never publish this build; it goes to
    /// SITE_DIR/public-instructor unless --output says otherwise).
    #[arg(long)]
    pub instructor: bool,
    /// Include texts with `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Print how long each stage took.
    #[arg(long)]
    pub timings: bool,
    /// The address the site will be published at (overrides `base_url` in `_site.yaml`):
    /// it goes into canonical links, Open Graph, the sitemap and the feed; links between
    /// pages stay relative.
    #[arg(long, value_name = "URL", value_parser = base_url_arg)]
    pub base_url: Option<url::Url>,
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

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Build(args) => build(&options(&args), args.timings),
        Command::Serve(args) => serve(args),
        Command::Check(args) => check(&args),
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

/// Whether to colour diagnostics: on a terminal, unless `NO_COLOR` says not to.
fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
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
    let result = pipeline::build(options, &mut diags);
    report(options, &mut diags, result, timings)
}

/// Prints a build's diagnostics, then its summary or why it failed.
fn report(
    options: &BuildOptions,
    diags: &mut Diagnostics,
    result: Result<pipeline::Report, Failure>,
    timings: bool,
) -> ExitCode {
    let color = color();
    diags.sort();
    eprint!("{}", diags.render(color));
    match result {
        Ok(report) => {
            if timings {
                for (stage, t) in &report.timings {
                    eprintln!("{stage:>8}: {:.1} ms", t.as_secs_f64() * 1000.0);
                }
            }
            let warnings = match diags.warning_count() {
                0 => String::new(),
                n => format!(", {n} warning{}", plural(n)),
            };
            eprintln!(
                "built {} text{} with {} note{} into {}{warnings}",
                report.texts,
                plural(report.texts),
                report.notes,
                plural(report.notes),
                options.output.display()
            );
            ExitCode::SUCCESS
        }
        Err(Failure::Content) => {
            let n = diags.error_count();
            eprintln!(
                "error: the build failed with {n} error{}; {} was left as it was",
                plural(n),
                options.output.display()
            );
            ExitCode::from(1)
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
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
            Command::Check(_) => panic!("check has no output folder"),
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
