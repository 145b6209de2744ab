fn main() -> std::process::ExitCode {
    modcache::cli::run()
}
