//! Who may read what: staff roles and the one access model that sessions and
//! API tokens share. An administrator manages accounts and reads no scores.

use std::fmt;

use super::stored_text::text_enum;

text_enum! {
    /// The kind of a staff account or API token, as stored.
    RoleKind {
        Admin => "admin",
        HomeAffairs => "home-affairs",
        Department => "department",
    }
}

/// What a staff account is, with its department when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Manages accounts; reads no survey data.
    Admin,
    /// Reads every department.
    HomeAffairs,
    /// Reads only its own department.
    Department(String),
}

impl Role {
    /// The role stored as `kind` and `department`; `None` when the two do
    /// not fit together (a department role without a department…).
    pub fn from_parts(kind: RoleKind, department: Option<String>) -> Option<Role> {
        match (kind, department) {
            (RoleKind::Admin, None) => Some(Role::Admin),
            (RoleKind::HomeAffairs, None) => Some(Role::HomeAffairs),
            (RoleKind::Department, Some(code)) => Some(Role::Department(code)),
            _ => None,
        }
    }

    pub fn kind(&self) -> RoleKind {
        match self {
            Role::Admin => RoleKind::Admin,
            Role::HomeAffairs => RoleKind::HomeAffairs,
            Role::Department(_) => RoleKind::Department,
        }
    }

    pub fn department(&self) -> Option<&str> {
        match self {
            Role::Department(code) => Some(code),
            _ => None,
        }
    }

    /// The scores this role may read: none for an administrator.
    pub fn access(&self) -> Option<Access> {
        match self {
            Role::Admin => None,
            Role::HomeAffairs => Some(Access::HomeAffairs),
            Role::Department(code) => Some(Access::Department(code.clone())),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Department(code) => write!(f, "department {code}"),
            other => f.write_str(other.kind().as_str()),
        }
    }
}

/// What a caller — a signed-in staff member or an API token — may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Every department.
    HomeAffairs,
    /// One department only.
    Department(String),
}

impl Access {
    pub fn may_read(&self, department: &str) -> bool {
        match self {
            Access::HomeAffairs => true,
            Access::Department(own) => own == department,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_administrator_reads_no_scores_and_a_department_only_its_own() {
        assert_eq!(Role::Admin.access(), None);
        let health = Role::Department("health".into()).access().unwrap();
        assert!(health.may_read("health"));
        assert!(!health.may_read("education"));
        assert!(Role::HomeAffairs.access().unwrap().may_read("education"));
    }

    #[test]
    fn stored_parts_that_do_not_fit_are_no_role() {
        assert_eq!(Role::from_parts(RoleKind::Department, None), None);
        assert_eq!(
            Role::from_parts(RoleKind::Admin, Some("health".into())),
            None
        );
        assert_eq!(
            Role::from_parts(RoleKind::Department, Some("health".into())),
            Some(Role::Department("health".into()))
        );
        assert_eq!(RoleKind::parse("home-affairs"), Some(RoleKind::HomeAffairs));
        assert_eq!(RoleKind::parse("root"), None);
    }
}
