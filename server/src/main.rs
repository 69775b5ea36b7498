//! `exam-server`: serve, demo, migrate, user add, audit verify.
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use exam_application::config::{Overrides, Settings};
use exam_application::demo;
use exam_application::open_db;
use exam_protocol::{NewAccount, Role};
use exam_web::Server;
use tracing_subscriber::EnvFilter;

/// jemalloc hands memory back to the system after peers and sockets go away (its background
/// thread purges freed pages), where the system allocator keeps the high-water mark; it also
/// fragments less with many threads.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
        /// The data directory was used by `demo`: disable its demo accounts (published
        /// password) and serve. Without it, `serve` refuses such a directory.
        #[arg(long)]
        disable_demo_accounts: bool,
    },
    /// Seed demo data (one account per role), print the accounts, and serve.
    Demo {
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Also seed this many bench candidates in open sessions of 30; the roster for
        /// `exam-client bench exam` goes to <data-dir>/bench-roster.json.
        #[arg(long)]
        candidates: Option<usize>,
        /// Let the demo session start without camera, microphone and screen (scripted tests
        /// and machines without a browser).
        #[arg(long)]
        without_media: bool,
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
    /// Question banks.
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
    /// The evidence log.
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
}

#[derive(Debug, Subcommand)]
enum EvidenceCommand {
    /// Re-hash every entry, check every checkpoint's signature and consistency, every hand-in
    /// against what is stored now, and the audit chain against its logged heads; exits 1 and
    /// names the first bad item.
    Verify {
        /// Only this session's hand-ins (the log itself is always checked whole).
        #[arg(long)]
        session: Option<i64>,
        /// Only this candidate's hand-ins.
        #[arg(long)]
        candidate: Option<i64>,
        /// The published verifier key to check against (default: the configured key's).
        #[arg(long)]
        key: Option<String>,
    },
    /// Check a candidate's receipt with the log's published key alone (no database needed).
    VerifyReceipt {
        /// The published verifier key, `<origin>+<key ID>+<key>`.
        #[arg(long)]
        key: String,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum BankCommand {
    /// Import items from a file (QTI, Moodle XML, GIFT, Aiken, XLSX template) and print the
    /// report as JSON. With --dry-run and no --bank it only parses and reports.
    Import {
        /// The bank to import into.
        #[arg(long)]
        bank: Option<i64>,
        /// Parse and report only; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// qti, qti_package, moodle_xml, gift, aiken or xlsx; detected from the content if absent.
        #[arg(long)]
        format: Option<String>,
        /// The author the items are recorded under (an author member of the bank).
        #[arg(long)]
        author: Option<String>,
        /// Language of the reasons: zh-CN (default) or en.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        file: PathBuf,
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
    Settings::load(common.config.as_deref(), &Overrides { listen, data_dir: common.data_dir.clone(), database_url: common.database_url.clone() })
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
        Command::Serve { listen, disable_demo_accounts } => {
            let s = settings(&cli.common, listen)?;
            let db = open_db(&s).await?;
            let live = demo::guard::live_demo_accounts(&db).await?;
            if !live.is_empty() {
                if !disable_demo_accounts {
                    eprintln!(
                        "exam-server: this database holds the demo accounts ({}) with the password published in the README.\n\
                         Serve a fresh data directory, or run `exam-server serve --disable-demo-accounts` to disable them.",
                        live.join(", ")
                    );
                    return Ok(std::process::ExitCode::from(2));
                }
                let n = demo::guard::disable(&db).await?;
                eprintln!("exam-server: {n} demo accounts disabled");
            }
            let server = Server::bind_with_db(s, db).await?;
            println!("exam-server listening on http://{}", server.local_addr()?);
            server.run(shutdown_signal()).await?;
        }
        Command::Demo { listen, candidates, without_media } => {
            let mut s = settings(&cli.common, listen)?;
            // The demo runs on plain http://127.0.0.1; a Secure cookie is still accepted there.
            s.auth.cookie_secure = s.auth.cookie_secure && s.listen.ip().is_loopback();
            // A bench signs every candidate in from one address.
            if let Some(n) = candidates {
                let wanted = u32::try_from(n.saturating_mul(2)).unwrap_or(u32::MAX);
                s.auth.login_attempts_per_minute = s.auth.login_attempts_per_minute.max(wanted);
            }
            let db = open_db(&s).await?;
            let inst = demo::seed(&db).await?;
            if without_media {
                demo::without_media(&db).await?;
            }
            let roster = match candidates {
                Some(n) if n > 0 => Some(demo::bench::seed(&db, inst, n, &s.data_dir).await?),
                _ => None,
            };
            let server = Server::bind_with_db(s, db).await?;
            let addr = server.local_addr()?;
            println!("exam-server demo on http://{addr}/  (sign in at http://{addr}/login)");
            println!("demo accounts, password {}:", demo::DEMO_PASSWORD);
            for a in demo::ACCOUNTS {
                println!("  {:<11} {:<18} {}", a.username, a.role.as_str(), a.display_name);
            }
            if let Ok(roster) = demo::roster(&server.state().db).await {
                println!("demo theory session 1 (candidates sign in at http://{addr}/exam with ticket, ID number and the demo password):");
                for c in roster {
                    println!("  ticket {}  {}  ID {}", c.ticket, c.name, c.id_number);
                }
            }
            if let Some(path) = roster {
                println!("bench roster: {}", path.display());
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
            let account = exam_application::accounts::create(&db, None, &new).await.context("creating the account")?;
            println!("{}", serde_json::to_string(&account)?);
        }
        Command::Bank { command: BankCommand::Import { bank, dry_run, format, author, lang, file } } => {
            return bank_import(&cli.common, bank, dry_run, format, author, &lang, &file).await;
        }
        Command::Evidence { command: EvidenceCommand::Verify { session, candidate, key } } => {
            let s = settings(&cli.common, None)?;
            let db = open_db(&s).await?;
            let key = match key {
                Some(k) => k,
                None => exam_application::evidence::EvidenceLog::open(&s.evidence, &s.data_dir)?.verifier_key(),
            };
            let verifier = evidence::note::NoteVerifier::from_text(&key).map_err(|e| anyhow::anyhow!("--key: {e}"))?;
            let scope = exam_application::evidence::verify::Scope { session, candidate };
            let archive = exam_application::archive::ArchiveService::open(&s)?;
            let report = exam_application::evidence::verify::verify(&db, &verifier, &s.data_dir, scope, &archive).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if let Some(bad) = &report.first_bad {
                eprintln!("evidence does not hold: {bad}");
                return Ok(std::process::ExitCode::from(1));
            }
        }
        Command::Evidence { command: EvidenceCommand::VerifyReceipt { key, file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let receipt: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
            match exam_application::evidence::receipt::verify(&receipt, key.trim()) {
                Ok(entry) => println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "ok": true, "entry": entry }))?),
                Err(why) => {
                    println!("{}", serde_json::json!({ "ok": false, "reason": why }));
                    eprintln!("the receipt does not hold: {why}");
                    return Ok(std::process::ExitCode::from(1));
                }
            }
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let s = settings(&cli.common, None)?;
            let db = open_db(&s).await?;
            let report = exam_application::audit::verify(&db, &s.data_dir).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.ok {
                eprintln!("audit chain broken at event {}: {}", report.first_broken_seq.unwrap_or_default(), report.reason.as_deref().unwrap_or(""));
                return Ok(std::process::ExitCode::from(1));
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// `exam-server bank import`: the report goes to stdout as JSON; a refused file exits 2 with
/// the reason on stderr (and as JSON on stdout, for scripts).
async fn bank_import(
    common: &Common,
    bank: Option<i64>,
    dry_run: bool,
    format: Option<String>,
    author: Option<String>,
    lang: &str,
    file: &std::path::Path,
) -> anyhow::Result<std::process::ExitCode> {
    use exam_application::banks::import as bank_import;
    use exam_web::http::i18n::Lang;
    use question_bank::import::{Format, Limits};

    let lang = Lang::parse_tag(lang).unwrap_or_default();
    let format = match format {
        Some(f) => Some(Format::parse(&f).with_context(|| format!("unknown format {f}"))?),
        None => None,
    };
    if bank.is_none() && !dry_run {
        anyhow::bail!("--bank is needed to import; use --dry-run to only check the file");
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string());
    let settings = settings(common, None)?;
    let limits = Limits { max_file_bytes: settings.http.max_import_bytes, ..Limits::default() };
    let (format, report, bytes) = match bank_import::parse(bytes, format, name, limits).await {
        Ok(parsed) => parsed,
        Err(e) => {
            println!("{}", serde_json::json!({ "error": e.code(), "reason": e.to_string() }));
            eprintln!("exam-server: {}: {e}", file.display());
            return Ok(std::process::ExitCode::from(2));
        }
    };
    let Some(bank_id) = bank else {
        let summary = bank_import::summary(format, &report, report.items.len(), true, lang);
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(std::process::ExitCode::SUCCESS);
    };
    let db = open_db(&settings).await?;
    anyhow::ensure!(bank_import::bank_exists(&db, bank_id).await?, "no bank {bank_id}");
    if dry_run {
        let summary = bank_import::summary(format, &report, report.items.len(), true, lang);
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let author = author.context("--author USERNAME is needed to record who imported the items")?;
    let imported = match bank_import::commit_as(&db, bank_id, &author, format, &report, &bytes).await {
        Ok(n) => n,
        Err(exam_application::AppError::NotFound) => anyhow::bail!("no account {author}, or {author} may not see bank {bank_id}"),
        Err(exam_application::AppError::Forbidden) => anyhow::bail!("{author} is not an author of bank {bank_id}"),
        Err(e) => return Err(e.into()),
    };
    let summary = bank_import::summary(format, &report, imported, false, lang);
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(std::process::ExitCode::SUCCESS)
}
