fn main() -> std::process::ExitCode {
    scholia::cli::main()
}
