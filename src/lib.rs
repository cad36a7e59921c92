//! hailong: citizen-satisfaction surveys for Vietnamese provincial
//! departments, with the official indices and honest confidence intervals.

pub mod accounts;
pub mod collect;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod definitions;
pub mod domain;
pub mod error;
pub mod export;
pub mod import;
pub mod indices;
pub mod microdata;
pub mod report;
pub mod simulate;
pub mod startup;
pub mod stats;
pub mod tokens;
pub mod views;
pub mod volumes;
pub mod web;
