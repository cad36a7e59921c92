//! `hailong volumes import`: transactions per service point and period, the
//! population totals used by volume weighting. All rows or none.

use std::io::Read;

use crate::app::AppContext;
use crate::db::volumes::{self, VolumeRow};
use crate::db::DbError;
use crate::domain::PeriodKind;
use crate::services::collect::import::RowFault;

#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    #[error("nothing imported: {} fault(s)\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowFault>),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub fn import_csv(ctx: &AppContext, input: impl Read) -> Result<usize, VolumeError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let fault = |line: u64, column: &str, message: String| RowFault {
        line,
        column: column.into(),
        message,
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|n| n.trim_start_matches('\u{feff}').to_string())
            .collect(),
        Err(e) => {
            return Err(VolumeError::Rows(vec![fault(
                1,
                "-",
                format!("unreadable header: {e}"),
            )]))
        }
    };
    let mut faults = Vec::new();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(unit_col), Some(period_col), Some(count_col)) =
        (column("unit"), column("period"), column("transactions"))
    else {
        return Err(VolumeError::Rows(vec![fault(
            1,
            "-",
            "the header must name unit, period and transactions".into(),
        )]));
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                faults.push(fault(
                    e.position().map_or(0, |p| p.line()),
                    "-",
                    format!("unreadable row: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let unit = record.get(unit_col).unwrap_or_default();
        if ctx.catalog.unit(unit).is_none() {
            faults.push(fault(
                line,
                "unit",
                format!("unknown service point \"{unit}\""),
            ));
        }
        let period = match PeriodKind::parse(record.get(period_col).unwrap_or_default()) {
            Ok(kind) => Some(kind.to_string()),
            Err(message) => {
                faults.push(fault(line, "period", message));
                None
            }
        };
        let transactions = match record.get(count_col).unwrap_or_default().parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                faults.push(fault(
                    line,
                    "transactions",
                    "must be a whole number, 0 or more".into(),
                ));
                None
            }
        };
        if let (Some(period), Some(transactions)) = (period, transactions) {
            rows.push(VolumeRow {
                unit: unit.to_string(),
                period,
                transactions,
            });
        }
    }
    if !faults.is_empty() {
        return Err(VolumeError::Rows(faults));
    }
    ctx.db.write_tx(|conn| volumes::upsert_all(conn, &rows))?;
    Ok(rows.len())
}
