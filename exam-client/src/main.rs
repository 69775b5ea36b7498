//! `exam-client`: command-line access to the exam API.
use clap::{Parser, Subcommand};
use exam_client::Client;

#[derive(Debug, Parser)]
#[command(name = "exam-client", version, about = "Command-line client of the exam server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Theory-test load: sign in, start, answer over WebSockets, hand in, check nothing was lost.
    Exam {
        #[arg(long)]
        server: String,
        #[arg(long)]
        candidates: usize,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Seconds between two answers of one candidate.
        #[arg(long, default_value_t = 1.0)]
        answer_every: f64,
        /// The roster `exam-server demo --candidates N` wrote.
        #[arg(long, default_value = "data/bench-roster.json")]
        roster: std::path::PathBuf,
        /// The server's process id, to report its peak memory.
        #[arg(long)]
        server_pid: Option<u32>,
        /// Sign-ins and connections in flight at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// Live proctoring load: candidates publish a VP8 + Opus clip over WebRTC, one proctor view
    /// each, the server records; recordings checked with ffprobe.
    Media {
        #[arg(long)]
        server: String,
        #[arg(long)]
        candidates: usize,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(long, default_value = "data/bench-roster.json")]
        roster: std::path::PathBuf,
        /// The clip: VP8 in IVF, and Opus in Ogg with one 20 ms packet per page.
        #[arg(long)]
        video: std::path::PathBuf,
        #[arg(long)]
        audio: std::path::PathBuf,
        /// The server's recordings directory, to check with ffprobe afterwards.
        #[arg(long)]
        recordings: Option<std::path::PathBuf>,
        #[arg(long)]
        server_pid: Option<u32>,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load benchmarks against a running server.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// A headless candidate: sign in with ticket and ID, publish a VP8 + Opus clip as camera and
    /// microphone over WebRTC, in a loop, until stopped (or for --seconds).
    Publish {
        #[arg(long)]
        server: String,
        #[arg(long)]
        ticket: String,
        #[arg(long)]
        id_number: String,
        #[arg(long, env = "EXAM_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        video: std::path::PathBuf,
        #[arg(long)]
        audio: std::path::PathBuf,
        #[arg(long)]
        seconds: Option<u64>,
    },
    /// Sign in and print the account as JSON. The password comes from EXAM_PASSWORD or a prompt.
    Login {
        #[arg(long)]
        server: String,
        #[arg(long)]
        user: String,
        #[arg(long, env = "EXAM_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("exam-client: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Bench { command: BenchCommand::Exam { server, candidates, seconds, answer_every, roster, server_pid, concurrency } } => {
            let figures =
                exam_client::bench::run(exam_client::bench::BenchOptions { server, candidates, seconds, answer_every, roster, server_pid, concurrency })
                    .await?;
            println!("{figures}");
        }
        Command::Bench { command: BenchCommand::Media { server, candidates, seconds, roster, video, audio, recordings, server_pid, concurrency } } => {
            let figures = exam_client::media_bench::run(exam_client::media_bench::MediaBenchOptions {
                server,
                candidates,
                seconds,
                roster,
                video,
                audio,
                recordings,
                server_pid,
                concurrency,
            })
            .await?;
            println!("{figures}");
        }
        Command::Publish { server, ticket, id_number, password, video, audio, seconds } => {
            let clip = std::sync::Arc::new(exam_client::media_peer::Clip::load(&video, &audio)?);
            let base = server.trim_end_matches('/');
            let token = exam_client::media_bench::candidate_token(base, &ticket, &id_number, &password).await?;
            let mut socket = exam_client::ExamSocket::connect(base, &token).await?;
            let publisher = exam_client::media_peer::Publisher::start(&mut socket, clip).await?;
            println!("publishing camera and microphone");
            match seconds {
                Some(s) => tokio::time::sleep(std::time::Duration::from_secs(s)).await,
                None => std::future::pending::<()>().await,
            }
            publisher.stop().await;
            socket.close().await;
        }
        Command::Login { server, user, password } => {
            let password = match password {
                Some(p) => p,
                None => rpassword::prompt_password(format!("{user} 的密码 / password: "))?,
            };
            let mut client = Client::new(&server);
            let resp = client.login(&user, &password).await?;
            println!("{}", serde_json::to_string_pretty(&resp.account)?);
        }
    }
    Ok(())
}
