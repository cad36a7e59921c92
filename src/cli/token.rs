//! `hailong token …`: API tokens for the index API and the exports.

use clap::Subcommand;
use hailong::app::AppContext;
use hailong::domain::RoleKind;
use hailong::services::access::tokens;

use super::CLI_ACTOR;

/// The roles a token may have: tokens read scores, so never admin.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TokenRole {
    /// Reads every department.
    HomeAffairs,
    /// Reads its own department only.
    Department,
}

impl From<TokenRole> for RoleKind {
    fn from(role: TokenRole) -> RoleKind {
        match role {
            TokenRole::HomeAffairs => RoleKind::HomeAffairs,
            TokenRole::Department => RoleKind::Department,
        }
    }
}

#[derive(Subcommand)]
pub enum Action {
    /// Create a token; it is printed once, alone on the last line.
    Create {
        #[arg(long, value_enum)]
        role: TokenRole,
        /// The department of a department token.
        #[arg(long)]
        department: Option<String>,
        /// A label saying who or what uses the token.
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke the token with this id or name (audited).
    Revoke { id_or_name: String },
}

pub fn run(ctx: &AppContext, action: Action) -> anyhow::Result<()> {
    match action {
        Action::Create {
            role,
            department,
            name,
        } => {
            let token = tokens::create(ctx, role.into(), department.as_deref(), &name, CLI_ACTOR)?;
            println!(
                "created token {} ({}, role {}{}); store it now, it is not shown again:",
                token.row.id,
                token.row.name,
                token.row.role,
                token
                    .row
                    .department
                    .as_deref()
                    .map(|d| format!(", department {d}"))
                    .unwrap_or_default()
            );
            println!("{}", token.secret);
        }
        Action::List => {
            for row in tokens::list(ctx)? {
                println!(
                    "{}\t{}\t{}\t{}\tcreated {}\t{}",
                    row.id,
                    row.name,
                    row.role,
                    row.department.as_deref().unwrap_or("-"),
                    row.created_on,
                    row.revoked_on
                        .map(|d| format!("revoked {d}"))
                        .unwrap_or_else(|| "active".into())
                );
            }
        }
        Action::Revoke { id_or_name } => {
            let revoked = tokens::revoke(ctx, &id_or_name, CLI_ACTOR)?;
            println!("revoked {revoked} token(s)");
        }
    }
    Ok(())
}
