//! The repository's own tasks, run as `cargo xtask …` (an alias in `.cargo/config.toml`).
//!
//! `cargo xtask test` is the README's test command: on a fresh Debian machine it installs
//! what the browser, accessibility and validity tests need (Chromium, Java, the npm
//! checkers in `tests/tools`), skipping what is present, then runs the whole suite with
//! `SCHOLIA_FULL_TESTS=1`, which turns a missing tool from a skip into a failure
//! (`tests/support/mod.rs`). `cargo xtask lint` runs the format check, clippy and ESLint (on
//! the theme's scripts, from `tests/tools`, installed there the same way when missing).
//! `.ci/run` calls both, so CI runs exactly what the README tells people to run; it moves
//! clippy from `lint` into `test` (`lint --no-clippy`, `test --clippy`), where it lints the
//! workspace's crates as they compile, so the dependencies are compiled once, not twice.

mod machine;
mod plan;

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use plan::{Chromium, Eslint, Plan, NPM_CI};

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  test [--dry-run] [--clippy] [-- ARGS]
                               install what the tests need (when missing), then run
                               `cargo test --locked --workspace ARGS` with every test required
  setup [--dry-run]            only the installing part of `test`
  lint [--no-clippy]           cargo fmt --check, clippy with warnings denied, and ESLint
                               on themes/default/static/*.js (installing it in tests/tools
                               when missing; skipped without Node.js, except in CI)

--dry-run    say what would be installed and run, and do neither
--clippy     compile the workspace's crates with clippy, warnings denied, while testing:
             `lint`'s clippy check without compiling the dependencies a second time (CI)
--no-clippy  leave clippy to `test --clippy`";

/// Tells the tests that their tools are installed: a missing one fails instead of skipping.
const FULL_TESTS: &str = "SCHOLIA_FULL_TESTS";

fn main() -> ExitCode {
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    match parse(&args) {
        Ok(Task::Test {
            dry_run,
            clippy,
            args,
        }) => setup(dry_run).and_then(|chromium| {
            let mut cargo = cargo(["test", "--locked", "--workspace"]);
            cargo.args(args).env(FULL_TESTS, "1");
            if let Some(chromium) = chromium {
                cargo.env("CHROMIUM", chromium);
            }
            if clippy {
                with_clippy(&mut cargo, dry_run)?;
            }
            step(&mut cargo, dry_run)
        }),
        Ok(Task::Setup { dry_run }) => setup(dry_run).map(drop),
        Ok(Task::Lint { clippy }) => lint(clippy),
        Ok(Task::Help) => {
            println!("{USAGE}");
            Ok(())
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    .map_or_else(
        |failure| {
            if let Failure::Message(message) = &failure {
                eprintln!("error: {message}");
            }
            ExitCode::FAILURE
        },
        |()| ExitCode::SUCCESS,
    )
}

/// A task and its options, from the command line.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    Test {
        dry_run: bool,
        clippy: bool,
        args: Vec<OsString>,
    },
    Setup {
        dry_run: bool,
    },
    Lint {
        clippy: bool,
    },
    Help,
}

fn parse(args: &[OsString]) -> Result<Task, String> {
    let Some((task, rest)) = args.split_first() else {
        return Ok(Task::Help);
    };
    let (options, passed) = match rest.iter().position(|a| a == "--") {
        Some(i) => (&rest[..i], rest[i + 1..].to_vec()),
        None => (rest, Vec::new()),
    };
    let task = task.to_string_lossy();
    let allowed: &[&str] = match &*task {
        "test" => &["--dry-run", "--clippy"],
        "setup" => &["--dry-run"],
        "lint" => &["--no-clippy"],
        _ => &[],
    };
    if let Some(unknown) = options.iter().find(|o| !allowed.iter().any(|a| *o == *a)) {
        return Err(format!(
            "`{task}` has no option {} (arguments for cargo test go after `--`)",
            unknown.to_string_lossy()
        ));
    }
    let has = |option: &str| options.iter().any(|o| o == option);
    match &*task {
        "test" => Ok(Task::Test {
            dry_run: has("--dry-run"),
            clippy: has("--clippy"),
            args: passed,
        }),
        "setup" | "lint" | "help" | "--help" | "-h" if !passed.is_empty() => {
            Err(format!("`{task}` takes no arguments after `--`"))
        }
        "setup" => Ok(Task::Setup {
            dry_run: has("--dry-run"),
        }),
        "lint" => Ok(Task::Lint {
            clippy: !has("--no-clippy"),
        }),
        "help" | "--help" | "-h" => Ok(Task::Help),
        other => Err(format!("unknown task `{other}`")),
    }
}

/// Why a task failed. A command that failed has already said why on its own output.
enum Failure {
    Command,
    Message(String),
}

/// The repository root (this crate is its `xtask/` folder).
fn repo() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Installs what the tests need and is missing. Returns where Chromium is, for the tests.
fn setup(dry_run: bool) -> Result<Option<PathBuf>, Failure> {
    let repo = repo();
    let machine = machine::probe(&repo);
    let plan = plan::plan(&machine).map_err(Failure::Message)?;
    report_present(&machine);
    if plan.is_empty() {
        return Ok(chromium_path(&machine.chromium));
    }
    install(&plan, &repo, dry_run)?;
    if dry_run {
        return Ok(chromium_path(&machine.chromium));
    }
    let after = machine::probe(&repo);
    match plan::plan(&after) {
        Ok(left) if left.is_empty() => Ok(chromium_path(&after.chromium)),
        Ok(left) => Err(Failure::Message(format!(
            "still missing after installing: {}",
            missing_names(&left)
        ))),
        Err(message) => Err(Failure::Message(message)),
    }
}

fn chromium_path(chromium: &Chromium) -> Option<PathBuf> {
    match chromium {
        Chromium::Found(path) => Some(path.clone()),
        Chromium::Missing | Chromium::BadOverride(_) => None,
    }
}

fn missing_names(plan: &Plan) -> String {
    let mut names = plan.apt_names();
    if plan.npm_ci.is_some() {
        names.push("tests/tools/node_modules");
    }
    names.join(", ")
}

/// One line naming what is already here (and will not be installed).
fn report_present(machine: &plan::Machine) {
    let mut present = Vec::new();
    if let Chromium::Found(path) = &machine.chromium {
        present.push(format!("chromium ({})", path.display()));
    }
    for (found, name) in [
        (machine.epubcheck, "epubcheck"),
        (machine.chromedriver, "chromedriver"),
        (machine.java, "java"),
        (machine.pdftotext, "pdftotext"),
        (machine.npm, "npm"),
        (
            machine.checkers == plan::Checkers::Installed,
            "tests/tools/node_modules",
        ),
    ] {
        if found {
            present.push(name.to_string());
        }
    }
    if !present.is_empty() {
        println!("xtask: present: {}", present.join(", "));
    }
}

fn install(plan: &Plan, repo: &Path, dry_run: bool) -> Result<(), Failure> {
    if !plan.apt.is_empty() {
        for package in &plan.apt {
            println!("xtask: installing {}: {}", package.name, package.why);
        }
        step(
            Command::new("apt-get")
                .args(["update", "-qq"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
            dry_run,
        )?;
        step(
            Command::new("apt-get")
                .args(["install", "-y", "-qq"])
                .args(plan.apt_names())
                .env("DEBIAN_FRONTEND", "noninteractive"),
            dry_run,
        )?;
    }
    if let Some(why) = plan.npm_ci {
        println!("xtask: installing the checkers in tests/tools: {why}");
        let mut words = NPM_CI.split_whitespace();
        let program = words.next().unwrap_or("npm");
        step(
            Command::new(program)
                .args(words)
                .current_dir(repo.join("tests").join("tools")),
            dry_run,
        )?;
    }
    Ok(())
}

/// `cargo fmt --check` and (unless `clippy` is false) clippy over every target of the
/// workspace, warnings denied; then ESLint over the theme's scripts.
fn lint(clippy: bool) -> Result<(), Failure> {
    component("fmt", "rustfmt")?;
    step(&mut cargo(["fmt", "--all", "--check"]), false)?;
    if clippy {
        component("clippy", "clippy")?;
        step(
            cargo(["clippy", "--locked", "--workspace", "--all-targets"])
                .args(["--", "-D", "warnings"]),
            false,
        )?;
    }
    eslint()
}

/// Installs the Rust component behind `cargo <command>` when it is missing and rustup is
/// there to add it.
fn component(command: &str, name: &str) -> Result<(), Failure> {
    let present = cargo([command, "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present || machine::on_path("rustup").is_none() {
        return Ok(());
    }
    println!("xtask: installing the Rust component for `cargo {command}`");
    step(
        Command::new("rustup").args(["component", "add", name]),
        false,
    )
}

/// What `cargo clippy -- -D warnings` does, set on a `cargo test`: the workspace's crates
/// compile through `clippy-driver` (cargo's wrapper for workspace members only, so the
/// dependencies are built once, for the tests) with warnings denied. `CLIPPY_ARGS` is how
/// `cargo clippy` hands its arguments to the driver, `__CLIPPY_HACKERY__`-separated.
fn with_clippy(test: &mut Command, dry_run: bool) -> Result<(), Failure> {
    if !dry_run {
        component("clippy", "clippy")?;
    }
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .ok_or_else(|| Failure::Message("cannot ask rustc for its sysroot".into()))?;
    let driver = sysroot.join("bin").join("clippy-driver");
    if !dry_run && !driver.is_file() {
        return Err(Failure::Message(format!(
            "no {} (rustup component add clippy)",
            driver.display()
        )));
    }
    test.env("RUSTC_WORKSPACE_WRAPPER", driver)
        .env("CLIPPY_ARGS", CLIPPY_DENY_WARNINGS);
    Ok(())
}

/// `-D warnings`, as `cargo clippy` passes it to `clippy-driver`.
const CLIPPY_DENY_WARNINGS: &str = "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__";

/// The theme's scripts, held to the browser baseline (docs/browsers.md) by the rules in
/// `tests/tools/eslint.config.mjs`.
const SCRIPTS: &str = "themes/default/static";
/// `scholia serve`'s live script, held to the same rules.
const SERVE_SCRIPTS: &str = "src/serve";

/// ESLint from `tests/tools` over [`SCRIPTS`], after installing it there when missing.
fn eslint() -> Result<(), Failure> {
    let repo = repo();
    let plan = match plan::eslint(&machine::probe(&repo), machine::required()) {
        Ok(Eslint::Run(plan)) => plan,
        Ok(Eslint::Skip(notice)) => {
            println!("xtask: {notice}");
            return Ok(());
        }
        Err(message) => return Err(Failure::Message(message)),
    };
    install(&plan, &repo, false)?;
    let tools = Path::new("tests").join("tools");
    let mut eslint = Command::new("node");
    eslint
        .arg(tools.join("node_modules").join(machine::ESLINT))
        .arg("--config")
        .arg(tools.join("eslint.config.mjs"))
        .args(["--max-warnings", "0", SCRIPTS, SERVE_SCRIPTS])
        .current_dir(&repo);
    step(&mut eslint, false)
}

/// `cargo` (the one running this task) with `args`, in the repository root.
fn cargo<const N: usize>(args: [&str; N]) -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(args).current_dir(repo());
    command
}

/// Prints `command`, then runs it (unless `dry_run`); fails if it fails.
fn step(command: &mut Command, dry_run: bool) -> Result<(), Failure> {
    let shown = shown(command);
    if dry_run {
        println!("xtask: would run: {shown}");
        return Ok(());
    }
    println!("xtask: $ {shown}");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => {
            eprintln!("xtask: `{shown}` failed ({status})");
            Err(Failure::Command)
        }
        Err(e) => Err(Failure::Message(format!("cannot run `{shown}`: {e}"))),
    }
}

/// A command as a person would type it (with its environment and folder, when set).
fn shown(command: &Command) -> String {
    let mut words: Vec<String> = command
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), v?.to_string_lossy())))
        .collect();
    let program = Path::new(command.get_program());
    let program = if program.ends_with("cargo") || program == Path::new("cargo") {
        "cargo".into()
    } else {
        program.to_string_lossy()
    };
    words.push(program.into_owned());
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    let line = words.join(" ");
    match command.get_current_dir() {
        Some(dir) if dir != repo() => format!("(cd {} && {line})", dir.display()),
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn arguments_after_the_separator_go_to_cargo_test() {
        assert_eq!(
            parse(&args("test -- --test main browser")),
            Ok(Task::Test {
                dry_run: false,
                clippy: false,
                args: args("--test main browser"),
            })
        );
        assert_eq!(
            parse(&args("test --dry-run --clippy")),
            Ok(Task::Test {
                dry_run: true,
                clippy: true,
                args: vec![],
            })
        );
        assert_eq!(parse(&args("lint")), Ok(Task::Lint { clippy: true }));
        assert_eq!(
            parse(&args("lint --no-clippy")),
            Ok(Task::Lint { clippy: false })
        );
    }

    #[test]
    fn unknown_tasks_and_options_are_usage_errors() {
        assert!(parse(&args("tset")).is_err_and(|e| e.contains("unknown task `tset`")));
        assert!(parse(&args("test --test main")).is_err_and(|e| e.contains("after `--`")));
        assert!(parse(&args("lint --dry-run")).is_err());
        assert!(parse(&args("lint --clippy")).is_err());
        assert!(parse(&args("setup --clippy")).is_err());
        assert!(parse(&args("setup -- x")).is_err());
        assert_eq!(parse(&[]), Ok(Task::Help));
    }

    #[test]
    fn commands_are_shown_as_typed() {
        let mut npm = Command::new("npm");
        npm.args(["ci", "--ignore-scripts"])
            .current_dir(repo().join("tests/tools"));
        assert_eq!(
            shown(&npm),
            format!(
                "(cd {} && npm ci --ignore-scripts)",
                repo().join("tests/tools").display()
            )
        );
        let mut test = cargo(["test", "--locked"]);
        test.env(FULL_TESTS, "1");
        assert_eq!(shown(&test), "SCHOLIA_FULL_TESTS=1 cargo test --locked");
    }
}
