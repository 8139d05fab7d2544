fn main() -> std::process::ExitCode {
    shadowfix::cli::run(std::env::args_os())
}
