//! The `tegenkracht` binary: parses the command line and runs a command.

use std::process::ExitCode;

fn main() -> ExitCode {
    tegenkracht::cli::main()
}
