use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// pwproxy: reset people's passwords in LDAP, Active Directory and 389 DS
/// through a small REST API.
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
    /// Check a deployment before it serves: the configuration, then the live
    /// directory (TLS and certificate, the service account's bind, base DNs,
    /// groups, readable attributes, what the directory kind relies on). One
    /// line per check; exit 0 when all pass, 1 when any fails, 2 when the
    /// configuration cannot be read.
    #[command(visible_alias = "check-config")]
    Check {
        #[arg(long, env = "PWPROXY_CONFIG")]
        config: PathBuf,
    },
    /// Work on the audit store.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit store's chain with audit.chain_key: exit 0 and the
    /// number of events when it holds, 1 and `first bad event: <id>` for the
    /// first event changed, inserted or after a removal, 2 when the store
    /// cannot be read.
    Verify {
        #[arg(long, env = "PWPROXY_CONFIG")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (Command::Serve { config }
    | Command::Check { config }
    | Command::Audit { command: AuditCommand::Verify { config } }) = &cli.command;
    let settings = match pwproxy::config::Settings::load(config) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("pwproxy: invalid configuration in {}: {e}", config.display());
            return ExitCode::from(2);
        }
    };
    let runtime = match runtime(settings.server.worker_threads) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pwproxy: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Command::Check { .. } = cli.command {
        let passed = runtime.block_on(pwproxy::check::run(&settings, &mut std::io::stdout()));
        return if passed { ExitCode::SUCCESS } else { ExitCode::from(1) };
    }
    if let Command::Audit { command: AuditCommand::Verify { .. } } = cli.command {
        let code = runtime.block_on(pwproxy::audit::verify::run(&settings, &mut std::io::stdout()));
        return ExitCode::from(code);
    }
    pwproxy::telemetry::init();
    match runtime.block_on(pwproxy::startup::serve(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("pwproxy stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `server.worker_threads`: on one thread (the default) the current-thread
/// scheduler, whose wake-ups never cross to another thread; beyond, a
/// work-stealing pool of that many threads (for HTTPS handshakes in numbers).
fn runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
    }
}
