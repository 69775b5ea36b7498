//! `exam-server`: serve, demo, migrate, user add, audit verify.
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use exam_protocol::{NewAccount, Role};
use exam_server::config::{Overrides, Settings};
use exam_server::{Server, demo, open_db, store};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(name = "exam-server", version, about = "职业技能等级认定在线监考考试系统 · proctored exam server")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Common {
    /// TOML settings file (see config.example.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory: SQLite file, recordings, documents.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL (sqlite://… or postgres://…); overrides the file and environment.
    #[arg(long, global = true)]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and pages until stopped.
    Serve {
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Seed demo data (one account per role), print the accounts, and serve.
    Demo {
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password comes from EXAM_PASSWORD or standard input.
    Add {
        #[arg(long)]
        role: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        institution: Option<i64>,
        #[arg(long, env = "EXAM_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exits 1 and names the first broken link if it does not hold.
    Verify,
}

fn settings(common: &Common, listen: Option<SocketAddr>) -> anyhow::Result<Settings> {
    Settings::load(common.config.as_deref(), &Overrides {
        listen,
        data_dir: common.data_dir.clone(),
        database_url: common.database_url.clone(),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("exam-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    match cli.command {
        Command::Serve { listen } => {
            let server = Server::bind(settings(&cli.common, listen)?).await?;
            println!("exam-server listening on http://{}", server.local_addr()?);
            server.run(shutdown_signal()).await?;
        }
        Command::Demo { listen } => {
            let mut s = settings(&cli.common, listen)?;
            // The demo runs on plain http://127.0.0.1; a Secure cookie is still accepted there.
            s.auth.cookie_secure = s.auth.cookie_secure && s.listen.ip().is_loopback();
            let db = open_db(&s).await?;
            demo::seed(&db).await?;
            let server = Server::bind_with_db(s, db).await?;
            let addr = server.local_addr()?;
            println!("exam-server demo on http://{addr}/  (sign in at http://{addr}/login)");
            println!("demo accounts, password {}:", demo::DEMO_PASSWORD);
            for a in demo::ACCOUNTS {
                println!("  {:<11} {:<18} {}", a.username, a.role.as_str(), a.display_name);
            }
            server.run(shutdown_signal()).await?;
        }
        Command::Migrate => {
            let s = settings(&cli.common, None)?;
            open_db(&s).await?;
            println!("migrations applied");
        }
        Command::User { command: UserCommand::Add { role, username, display_name, institution, password } } => {
            let role = Role::parse(&role).with_context(|| {
                let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role {role}; one of {}", names.join(", "))
            })?;
            let password = match password {
                Some(p) => p,
                None => {
                    let mut p = String::new();
                    std::io::stdin().read_to_string(&mut p).context("reading the password from stdin")?;
                    p.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let db = open_db(&settings(&cli.common, None)?).await?;
            let new = NewAccount { username, display_name, password, role, institution_id: institution };
            let account = exam_server::accounts::create(&db, None, &new).await.context("creating the account")?;
            println!("{}", serde_json::to_string(&account)?);
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let db = open_db(&settings(&cli.common, None)?).await?;
            let report = store::audit::verify(&db).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.ok {
                eprintln!(
                    "audit chain broken at event {}: {}",
                    report.first_broken_seq.unwrap_or_default(),
                    report.reason.as_deref().unwrap_or("")
                );
                return Ok(std::process::ExitCode::from(1));
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
