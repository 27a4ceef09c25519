//! The `scholia` command; all of it lives in the library ([`scholia::cli::main`]), where
//! the tests reach it too.

fn main() -> std::process::ExitCode {
    scholia::cli::main()
}
