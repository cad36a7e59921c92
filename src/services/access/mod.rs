//! Who may do what: staff accounts, API tokens, the audit log and the
//! sign-in throttle. The access model itself ([`Access`](crate::domain::Access))
//! is a domain type shared by sessions and tokens.

pub mod accounts;
pub mod audit;
pub mod throttle;
pub mod tokens;

use crate::domain::Access;

/// A caller allowed to read scores: a signed-in staff member or an API
/// token, with the name the audit log records for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub access: Access,
    /// `username`, or `token:NAME` for a token.
    pub actor: String,
}
