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
enum Command {
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
