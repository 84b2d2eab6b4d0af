use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// pwproxy: reset people's passwords in LDAP / Active Directory through a small REST API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// TOML configuration file; every key can be overridden by an
        /// environment variable PWPROXY__SECTION__KEY.
        #[arg(long, env = "PWPROXY_CONFIG")]
        config: PathBuf,
    },
    /// Load and validate a configuration, then exit.
    CheckConfig {
        #[arg(long, env = "PWPROXY_CONFIG")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (Command::Serve { config } | Command::CheckConfig { config }) = &cli.command;
    let settings = match pwproxy::config::Settings::load(config) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("pwproxy: invalid configuration in {}: {e}", config.display());
            return ExitCode::from(2);
        }
    };
    if matches!(cli.command, Command::CheckConfig { .. }) {
        println!("configuration OK");
        return ExitCode::SUCCESS;
    }
    pwproxy::telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pwproxy: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(pwproxy::startup::serve(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("pwproxy stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
