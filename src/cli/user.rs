//! `hailong user …`: staff accounts.

use anyhow::bail;
use clap::Subcommand;
use hailong::app::AppContext;
use hailong::domain::RoleKind;
use hailong::services::access::accounts;

use super::CLI_ACTOR;

#[derive(Subcommand)]
pub enum Action {
    /// Create an account; the password is asked for, or read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// admin (manages accounts), home-affairs (reads every department) or department.
        #[arg(long, value_enum)]
        role: RoleKind,
        /// The department of a department account.
        #[arg(long)]
        department: Option<String>,
        /// Read the password from standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account (it can no longer sign in; open sessions end).
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Set a new password (asked for, or read from standard input).
    Password {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A password from standard input (first line) or from a prompt without echo.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
    let second = rpassword::prompt_password("Repeat the password: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

pub fn run(ctx: &AppContext, action: Action) -> anyhow::Result<()> {
    match action {
        Action::Create {
            username,
            role,
            department,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let user = accounts::create_user(
                ctx,
                &username,
                role,
                department.as_deref(),
                &password,
                CLI_ACTOR,
            )?;
            println!("created {} ({})", user.username, user.role.kind());
        }
        Action::List => {
            for account in accounts::list(ctx)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    account.username,
                    account.role,
                    account.department.as_deref().unwrap_or("-"),
                    if account.disabled {
                        "disabled"
                    } else {
                        "active"
                    }
                );
            }
        }
        Action::Disable { username } => {
            accounts::set_disabled(ctx, &username, true, CLI_ACTOR)?;
            println!("disabled {username}");
        }
        Action::Enable { username } => {
            accounts::set_disabled(ctx, &username, false, CLI_ACTOR)?;
            println!("enabled {username}");
        }
        Action::Password {
            username,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            accounts::set_password(ctx, &username, &password, CLI_ACTOR)?;
            println!("password changed for {username}");
        }
    }
    Ok(())
}
