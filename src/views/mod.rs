//! maud views: pure functions from view models to markup. No database, no
//! HTTP: handlers gather the data, views only draw it.

pub mod charts;
pub mod citizen;
pub mod errors;
pub mod feedback;
pub mod layout;
pub mod posters;
pub mod public;
pub mod qr;
pub mod report;
pub mod slips;
pub mod staff;
pub mod waves;
