//! The `powsim` binary: a thin layer of argument parsing, progress display
//! and exit codes over the library.

mod cli;
mod experiments;

fn main() -> std::process::ExitCode {
    cli::main()
}
