//! hailong: citizen-satisfaction surveys for Vietnamese provincial
//! departments, with the official indices and honest confidence intervals.
//!
//! Layers read top-down: `web` → `services` → {`db`, `stats`,
//! `definitions`, `domain`, `i18n`}; `views` draws view models with `i18n`.

pub mod app;
pub mod config;
pub mod db;
pub mod definitions;
pub mod domain;
pub mod error;
pub mod glossary;
pub mod i18n;
pub mod metrics;
pub mod services;
pub mod startup;
pub mod stats;
pub mod views;
pub mod web;
