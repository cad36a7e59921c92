//! maud views: pure functions from view models to markup. No database, no
//! HTTP: handlers gather the data, views only draw it.

pub mod citizen;
pub mod layout;
