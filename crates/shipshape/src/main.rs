//! The `shipshape` binary: argument parsing, choosing a renderer, exit codes. Everything else
//! lives in the library crates.

mod admission_cmd;
mod args;
mod db_cmd;
mod docker_cmd;
mod image_cmd;
mod image_source;
mod progress;
mod pss_cmd;
mod rules_cmd;
mod scan_cmd;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

/// Exit code: nothing at or above the fail threshold.
const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above the fail threshold.
const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, configuration or I/O error.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let stdout = std::io::stdout();
    let result = match cli.command {
        args::Command::Scan(scan_args) => scan_cmd::run(&scan_args),
        args::Command::Fix(mut scan_args) => {
            scan_args.fix = !scan_args.diff;
            scan_cmd::run(&scan_args)
        }
        args::Command::Rules(rules_args) => {
            rules_cmd::list(rules_args.format, &mut stdout.lock()).map(|()| false)
        }
        args::Command::Rule { code } => rules_cmd::show(&code, &mut stdout.lock()).map(|()| false),
        args::Command::Docker(docker_args) => docker_cmd::run(&docker_args),
        args::Command::Image(image_args) => image_cmd::run(&image_args),
        args::Command::Pss(pss_args) => pss_cmd::run(&pss_args, &mut stdout.lock()),
        args::Command::Admission(admission_args) => admission_cmd::run(&admission_args, &mut stdout.lock()),
        args::Command::Db(db_args) => db_cmd::run(&db_args, &mut stdout.lock()).map(|()| false),
    };
    match result {
        Ok(false) => ExitCode::from(EXIT_CLEAN),
        Ok(true) => ExitCode::from(EXIT_FINDINGS),
        Err(error) if is_broken_pipe(&error) => ExitCode::from(EXIT_CLEAN),
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "shipshape: error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        let io = e.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
        // serde_json reports a failed write as its own error type.
        let json = e.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind());
        io.or(json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}
