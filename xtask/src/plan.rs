//! What to install before the test suite (or ESLint) runs, decided from what the machine has.
//!
//! The decision is a pure function of a probed [`Machine`], so every case (a fresh machine,
//! a set-up one, not root, no apt-get, no Node.js) is a unit test here; `machine.rs` does
//! the probing and `main.rs` carries the plan out.

use std::fmt::Write as _;
use std::path::PathBuf;

/// What the test suite needs beyond Rust, as found on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Machine {
    /// Installing system packages needs root.
    pub(crate) root: bool,
    /// The only package manager this knows (the suite's machines run Debian).
    pub(crate) apt_get: bool,
    /// Debian's epubcheck, for the EPUB handout tests.
    pub(crate) epubcheck: bool,
    pub(crate) chromium: Chromium,
    pub(crate) chromedriver: bool,
    pub(crate) java: bool,
    /// `pdftotext` (poppler-utils), which reads printed pages back as text.
    pub(crate) pdftotext: bool,
    /// Node.js, which runs ESLint (`cargo xtask lint`).
    pub(crate) node: bool,
    pub(crate) npm: bool,
    pub(crate) checkers: Checkers,
}

/// Where Chromium is: `$CHROMIUM`, else `chromium` on `PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Chromium {
    Found(PathBuf),
    Missing,
    /// `$CHROMIUM` names something that is not a file: installing Debian's package would
    /// not help, since the tests would still use `$CHROMIUM`.
    BadOverride(PathBuf),
}

/// The npm checkers (axe-core, vnu-jar, ESLint) in `tests/tools/node_modules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Checkers {
    Installed,
    Missing,
    /// Older than `package-lock.json`, or incomplete.
    Stale,
}

/// A Debian package to install, and why the tests need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Package {
    pub(crate) name: &'static str,
    pub(crate) why: &'static str,
}

pub(crate) const CHROMIUM: Package = Package {
    name: "chromium",
    why: "the browser, accessibility and search tests drive headless Chromium",
};
pub(crate) const CHROMIUM_DRIVER: Package = Package {
    name: "chromium-driver",
    why: "chromedriver, the WebDriver server matching that Chromium (CI installs the pair)",
};
pub(crate) const EPUBCHECK: Package = Package {
    name: "epubcheck",
    why: "the EPUB handout tests validate the books with epubcheck",
};

pub(crate) const JAVA: Package = Package {
    name: "default-jre-headless",
    why: "the validity test runs the Nu HTML Checker (vnu.jar), a Java program",
};
pub(crate) const POPPLER: Package = Package {
    name: "poppler-utils",
    why: "pdftotext reads back the pages the print tests make",
};
pub(crate) const NPM: Package = Package {
    name: "npm",
    why: "to install the checkers pinned in tests/tools/package-lock.json",
};

/// The command that installs the checkers. `--ignore-scripts`: vnu-jar's install script
/// would fetch a Java runtime of its own if it found none.
pub(crate) const NPM_CI: &str = "npm ci --ignore-scripts --no-audit --no-fund";

/// What to do before running the tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Debian packages to install with `apt-get`, in order.
    pub(crate) apt: Vec<Package>,
    /// Why `npm ci` must run in `tests/tools`, when it must.
    pub(crate) npm_ci: Option<&'static str>,
}

impl Plan {
    pub(crate) fn is_empty(&self) -> bool {
        self.apt.is_empty() && self.npm_ci.is_none()
    }

    /// The packages as `apt-get install` takes them.
    pub(crate) fn apt_names(&self) -> Vec<&'static str> {
        self.apt.iter().map(|p| p.name).collect()
    }
}

/// What to install on `machine`, or, when it cannot be done here, a message saying what to
/// install by hand.
pub(crate) fn plan(machine: &Machine) -> Result<Plan, String> {
    if let Chromium::BadOverride(path) = &machine.chromium {
        return Err(format!(
            "$CHROMIUM is {}, which is not a file: point it at a Chromium binary, or unset it \
             to use Debian's chromium (which `cargo xtask test` installs)",
            path.display()
        ));
    }
    let plan = wanted(machine);
    if plan.apt.is_empty() || (machine.root && machine.apt_get) {
        return Ok(plan);
    }
    Err(by_hand(machine, &plan))
}

/// Everything missing, whether or not it can be installed here.
fn wanted(machine: &Machine) -> Plan {
    let mut plan = Plan::default();
    if machine.chromium == Chromium::Missing {
        plan.apt.push(CHROMIUM);
    }
    if !machine.chromedriver {
        plan.apt.push(CHROMIUM_DRIVER);
    }
    if !machine.epubcheck {
        plan.apt.push(EPUBCHECK);
    }
    if !machine.java {
        plan.apt.push(JAVA);
    }
    if !machine.pdftotext {
        plan.apt.push(POPPLER);
    }
    let checkers = checkers(machine);
    plan.apt.extend(checkers.apt);
    plan.npm_ci = checkers.npm_ci;
    plan
}

/// `npm ci` in `tests/tools` when its `node_modules` needs it, and npm for that.
fn checkers(machine: &Machine) -> Plan {
    let npm_ci = match machine.checkers {
        Checkers::Installed => None,
        Checkers::Missing => Some(
            "tests/tools/node_modules is missing: the accessibility and validity tests load \
             axe-core and vnu-jar from it, and `cargo xtask lint` runs its ESLint",
        ),
        Checkers::Stale => Some(
            "tests/tools/node_modules is older than package-lock.json or incomplete: \
             reinstalling the pinned axe-core, vnu-jar and ESLint",
        ),
    };
    let apt = if npm_ci.is_some() && !machine.npm {
        vec![NPM]
    } else {
        Vec::new()
    };
    Plan { apt, npm_ci }
}

/// What `cargo xtask lint` does about ESLint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Eslint {
    /// Carry out the plan (npm and `npm ci`, when missing), then run ESLint.
    Run(Plan),
    /// It cannot run here and nobody requires it: say why and go on.
    Skip(String),
}

/// Whether and how ESLint can run on `machine`. `required` (CI, or `SCHOLIA_FULL_TESTS`, as
/// for the tests' tools) turns what would be a skip into an error. It installs what
/// `cargo xtask test` would for `tests/tools`, never Node.js itself.
pub(crate) fn eslint(machine: &Machine, required: bool) -> Result<Eslint, String> {
    let why_not = if !machine.node {
        "ESLint needs Node.js, and there is no `node` on PATH; install Node.js (Debian: \
         `apt-get install nodejs npm`), then run `cargo xtask lint` again"
            .to_string()
    } else {
        let plan = checkers(machine);
        if plan.apt.is_empty() || (machine.root && machine.apt_get) {
            return Ok(Eslint::Run(plan));
        }
        format!(
            "ESLint is not installed in tests/tools; {}",
            by_hand(machine, &plan)
        )
    };
    if required {
        Err(why_not)
    } else {
        Ok(Eslint::Skip(format!(
            "skipped ESLint (CI runs it): {}",
            why_not.trim_end()
        )))
    }
}

/// Why the packages cannot be installed here, and the commands to run by hand.
fn by_hand(machine: &Machine, plan: &Plan) -> String {
    let why_not = if machine.apt_get {
        "installing them needs root, and this is not root"
    } else {
        "there is no apt-get here to install them with (they are Debian's names; install the \
         same programs with this system's package manager)"
    };
    let mut message = format!("the tests need packages this machine does not have; {why_not}:\n");
    for package in &plan.apt {
        let _ = writeln!(message, "  {:<22} {}", package.name, package.why);
    }
    message.push_str("Install them by hand, then run `cargo xtask test` again:\n");
    let names = plan.apt_names().join(" ");
    if machine.apt_get {
        let _ = writeln!(
            message,
            "  sudo apt-get update && sudo apt-get install -y {names}"
        );
    } else {
        let _ = writeln!(message, "  (your package manager) {names}");
    }
    if plan.npm_ci.is_some() {
        let _ = writeln!(message, "  (cd tests/tools && {NPM_CI})");
    }
    if plan.apt.contains(&CHROMIUM) {
        message.push_str("or point $CHROMIUM at a Chromium binary you already have.\n");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine with everything the suite needs, as root with apt-get.
    fn ready() -> Machine {
        Machine {
            root: true,
            apt_get: true,
            epubcheck: true,
            chromium: Chromium::Found(PathBuf::from("/usr/bin/chromium")),
            chromedriver: true,
            java: true,
            pdftotext: true,
            node: true,
            npm: true,
            checkers: Checkers::Installed,
        }
    }

    /// The machine the issue describes: Rust, Python, Node.js and Java, no Chromium, no
    /// `tests/tools/node_modules`.
    fn fresh() -> Machine {
        Machine {
            chromium: Chromium::Missing,
            chromedriver: false,
            checkers: Checkers::Missing,
            ..ready()
        }
    }

    #[test]
    fn a_ready_machine_installs_nothing() {
        assert_eq!(plan(&ready()), Ok(Plan::default()));
        assert!(plan(&ready()).is_ok_and(|p| p.is_empty()));
    }

    #[test]
    fn a_fresh_machine_as_root_installs_chromium_and_the_checkers() {
        let plan = plan(&fresh()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.apt_names(), ["chromium", "chromium-driver"]);
        assert!(plan.npm_ci.is_some_and(|why| why.contains("missing")));
    }

    #[test]
    fn stale_checkers_are_reinstalled_without_system_packages() {
        let machine = Machine {
            checkers: Checkers::Stale,
            ..ready()
        };
        let plan = plan(&machine).unwrap_or_else(|e| panic!("{e}"));
        assert!(plan.apt.is_empty());
        assert!(plan.npm_ci.is_some_and(|why| why.contains("older")));
    }

    #[test]
    fn npm_is_installed_only_when_the_checkers_need_installing() {
        let no_npm = Machine {
            npm: false,
            ..ready()
        };
        assert_eq!(plan(&no_npm), Ok(Plan::default()));
        let no_npm_no_checkers = Machine {
            checkers: Checkers::Missing,
            ..no_npm
        };
        let plan = plan(&no_npm_no_checkers).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.apt_names(), ["npm"]);
        assert!(plan.npm_ci.is_some());
    }

    #[test]
    fn missing_pdftotext_installs_poppler_utils() {
        let machine = Machine {
            pdftotext: false,
            ..ready()
        };
        let plan = plan(&machine).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.apt_names(), ["poppler-utils"]);
    }

    #[test]
    fn missing_java_installs_a_headless_runtime() {
        let machine = Machine {
            java: false,
            ..ready()
        };
        assert_eq!(
            plan(&machine).map(|p| p.apt_names()),
            Ok(vec!["default-jre-headless"])
        );
    }

    #[test]
    fn not_root_names_the_commands_to_run_by_hand() {
        let machine = Machine {
            root: false,
            ..fresh()
        };
        let message = plan(&machine).err().unwrap_or_default();
        assert!(message.contains("needs root"), "{message}");
        assert!(
            message.contains("sudo apt-get install -y chromium chromium-driver\n"),
            "{message}"
        );
        assert!(
            message.contains("(cd tests/tools && npm ci --ignore-scripts"),
            "{message}"
        );
        assert!(message.contains("$CHROMIUM"), "{message}");
    }

    #[test]
    fn not_root_is_fine_when_only_npm_ci_is_needed() {
        let machine = Machine {
            root: false,
            checkers: Checkers::Missing,
            ..ready()
        };
        assert!(plan(&machine).is_ok_and(|p| p.apt.is_empty() && p.npm_ci.is_some()));
    }

    #[test]
    fn no_apt_get_names_the_packages_and_what_they_are_for() {
        let machine = Machine {
            apt_get: false,
            java: false,
            ..fresh()
        };
        let message = plan(&machine).err().unwrap_or_default();
        assert!(message.contains("no apt-get"), "{message}");
        for package in [CHROMIUM, CHROMIUM_DRIVER, JAVA] {
            assert!(message.contains(package.name), "{message}");
            assert!(message.contains(package.why), "{message}");
        }
        assert!(!message.contains("sudo"), "{message}");
    }

    #[test]
    fn a_wrong_chromium_override_is_refused_even_as_root() {
        let machine = Machine {
            chromium: Chromium::BadOverride(PathBuf::from("/nowhere/chromium")),
            ..ready()
        };
        let message = plan(&machine).err().unwrap_or_default();
        assert!(message.contains("/nowhere/chromium"), "{message}");
        assert!(message.contains("not a file"), "{message}");
    }

    #[test]
    fn eslint_runs_at_once_on_a_ready_machine() {
        assert_eq!(eslint(&ready(), true), Ok(Eslint::Run(Plan::default())));
        assert_eq!(eslint(&ready(), false), Ok(Eslint::Run(Plan::default())));
    }

    #[test]
    fn eslint_installs_the_tools_first_when_they_are_missing_or_stale() {
        for checkers in [Checkers::Missing, Checkers::Stale] {
            let machine = Machine {
                checkers,
                ..ready()
            };
            let Ok(Eslint::Run(plan)) = eslint(&machine, true) else {
                panic!("{:?}", eslint(&machine, true));
            };
            assert!(plan.apt.is_empty(), "{plan:?}");
            assert!(plan.npm_ci.is_some_and(|why| why.contains("ESLint")));
        }
        // Without npm, as root with apt-get: npm first, as for the tests.
        let no_npm = Machine {
            npm: false,
            checkers: Checkers::Missing,
            ..ready()
        };
        assert!(
            matches!(eslint(&no_npm, true), Ok(Eslint::Run(plan)) if plan.apt_names() == ["npm"])
        );
    }

    #[test]
    fn eslint_without_node_fails_on_ci_and_is_skipped_elsewhere() {
        let machine = Machine {
            node: false,
            ..ready()
        };
        let message = eslint(&machine, true).err().unwrap_or_default();
        assert!(message.contains("no `node` on PATH"), "{message}");
        assert!(message.contains("install Node.js"), "{message}");
        match eslint(&machine, false) {
            Ok(Eslint::Skip(notice)) => {
                assert!(notice.starts_with("skipped ESLint"), "{notice}");
                assert!(notice.contains("no `node` on PATH"), "{notice}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn eslint_never_asks_for_the_browsers_packages() {
        let machine = Machine {
            root: false,
            ..fresh()
        };
        // Chromium is missing too, but ESLint needs only `npm ci`, which needs no root.
        assert!(
            matches!(eslint(&machine, true), Ok(Eslint::Run(plan)) if plan.apt.is_empty() && plan.npm_ci.is_some())
        );
    }

    #[test]
    fn eslint_without_npm_and_without_root_names_the_commands() {
        let machine = Machine {
            root: false,
            npm: false,
            checkers: Checkers::Missing,
            ..ready()
        };
        let message = eslint(&machine, true).err().unwrap_or_default();
        assert!(
            message.contains("sudo apt-get install -y npm\n"),
            "{message}"
        );
        assert!(message.contains("(cd tests/tools && npm ci"), "{message}");
        assert!(
            matches!(eslint(&machine, false), Ok(Eslint::Skip(notice)) if notice.contains("needs root"))
        );
    }
}
