//! How the tests and the search benchmark start headless Chromium: a profile, `HOME` and
//! caches of its own in a temporary folder, and none of its own network traffic. Shared
//! by path with `examples/search_bench.rs`, so both run the browser the same way.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use headless_chrome::{Browser, LaunchOptions};

/// Starts `binary` headless, its window `window` wide and high, closing it after `idle`
/// without a command. Keep the folder returned (its profile) as long as the browser.
pub(crate) fn start(
    binary: PathBuf,
    window: (u32, u32),
    idle: Duration,
) -> (Browser, tempfile::TempDir) {
    let dirs = tempfile::Builder::new()
        .prefix("scholia-chromium-")
        .tempdir()
        .expect("temporary folder");
    let sub = |name: &str| {
        let dir = dirs.path().join(name);
        std::fs::create_dir_all(&dir).expect("temporary folder");
        dir
    };
    let (profile, home, config, cache) = (sub("profile"), sub("home"), sub("config"), sub("cache"));
    let envs = HashMap::from([
        ("HOME".to_string(), home.display().to_string()),
        ("XDG_CONFIG_HOME".to_string(), config.display().to_string()),
        ("XDG_CACHE_HOME".to_string(), cache.display().to_string()),
    ]);
    let args = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let options = LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(binary.clone()),
        user_data_dir: Some(profile),
        window_size: Some(window),
        args: args.iter().map(OsStr::new).collect(),
        process_envs: Some(envs),
        idle_browser_timeout: idle,
        ..LaunchOptions::default()
    };
    let browser = Browser::new(options)
        .unwrap_or_else(|e| panic!("cannot start {}: {e:#}", binary.display()));
    (browser, dirs)
}
