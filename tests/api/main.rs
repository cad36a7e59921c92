//! Black-box tests through HTTP and the CLI, run against SQLite and, when
//! PostgreSQL server binaries exist, against a throwaway PostgreSQL cluster.

mod helpers;
mod postgres;

mod anonymity;
mod backup;
mod citizen_form;
mod cli;
mod disclosure;
mod error_pages;
mod exports;
mod faults;
mod feedback;
mod indices;
mod instances;
mod instruments;
mod openapi;
mod reports;
mod sampling;
mod sessions;
mod staff;
mod storage;
mod strict_inputs;
mod submissions;
mod surveys_api;
mod transactions;
