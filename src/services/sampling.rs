//! Probability samples that stay anonymous: waves (đợt khảo sát), a
//! stratified simple random draw of the transactions each service point
//! completed, one-time invitation codes, and the accounting of issued and
//! returned questionnaires (số phiếu phát ra / thu về).
//!
//! What is kept: per wave and service point, the number of transactions
//! listed, the target, the number of invitations issued and a digest of the
//! sorted references; per invitation not yet redeemed, the SHA-256 of its
//! code and its service point. What is not: the transaction references, the
//! codes themselves, which transaction a code went to, the order of the
//! draw. A redeemed invitation is deleted in the transaction that stores
//! its response, which carries only its design (`probability`); the wave
//! follows from the survey and the date. So no column, and no row order,
//! joins a code to the response it came with.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use rand::seq::index;
use rand::SeedableRng;
use rand_chacha::{ChaCha20Rng, ChaCha8Rng};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::app::AppContext;
use crate::db::waves::{self, InvitationRow, StratumRow, WaveRow};
use crate::db::{Conn, DbError};
use crate::domain::InvitationCode;
use crate::services::access::audit;
use crate::services::collect::import::RowFault;
use crate::stats::required_sample;

#[derive(Debug, thiserror::Error)]
pub enum WaveError {
    #[error("no survey \"{0}\"")]
    UnknownSurvey(String),
    #[error("no wave \"{0}\"")]
    UnknownWave(String),
    #[error("the wave must open on or before the day it closes")]
    Dates,
    #[error("allowance must be at least 0 and below 0.9 (an expected share of invitations not returned)")]
    Allowance,
    #[error("the wave overlaps wave \"{name}\" ({opens} – {closes}) of the same survey; waves of a survey may not overlap")]
    Overlap {
        name: String,
        opens: NaiveDate,
        closes: NaiveDate,
    },
    #[error("the wave was drawn already (seed {0}); a wave is drawn once")]
    AlreadyDrawn(i64),
    #[error("the wave closed on {0}: invitations drawn now could not be used")]
    Closed(NaiveDate),
    #[error("nothing drawn: {} fault(s)\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowFault>),
    #[error("the margin must be between 0.005 and 0.5")]
    Margin,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A wave to create.
pub struct NewWave {
    pub survey: String,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub allowance: f64,
}

/// Creates a wave, audited; waves of one survey may not overlap.
pub fn create_wave(ctx: &AppContext, actor: &str, wave: NewWave) -> Result<WaveRow, WaveError> {
    if ctx.catalog.survey(&wave.survey).is_none() {
        return Err(WaveError::UnknownSurvey(wave.survey));
    }
    if wave.opens_on > wave.closes_on {
        return Err(WaveError::Dates);
    }
    if !(0.0..0.9).contains(&wave.allowance) {
        return Err(WaveError::Allowance);
    }
    let row = WaveRow {
        id: Uuid::new_v4().to_string(),
        survey: wave.survey,
        name: wave.name,
        opens_on: wave.opens_on,
        closes_on: wave.closes_on,
        allowance: wave.allowance,
        seed: None,
        created_on: ctx.clock.today(),
    };
    ctx.db.write_tx(|conn| {
        if let Some(other) = waves::overlapping(conn, &row.survey, row.opens_on, row.closes_on)?
            .into_iter()
            .next()
        {
            return Err(WaveError::Overlap {
                name: other.name,
                opens: other.opens_on,
                closes: other.closes_on,
            });
        }
        waves::insert_wave(conn, &row)?;
        audit::record_in(
            conn,
            &ctx.clock,
            actor,
            "wave.create",
            &format!(
                "wave {} \"{}\" of {}, {} – {}",
                row.id, row.name, row.survey, row.opens_on, row.closes_on
            ),
        )?;
        Ok(row.clone())
    })
}

/// How large each stratum's sample should be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// From the planning formula (statistics.md) for this margin of error
    /// at the configured level and p = 0.5, with the stratum's size.
    Margin(f64),
    /// The same number of respondents at every service point.
    Fixed(u64),
}

/// The transactions of one service point, as listed.
struct Listed {
    first_line: u64,
    /// Sorted opaque references; None when only a count was given.
    references: Option<Vec<String>>,
    population: u64,
}

/// Reads a transaction list: `unit,reference` (one line per transaction)
/// or `unit,count`. Every fault is reported by line.
fn read_list(
    ctx: &AppContext,
    department: &str,
    wave: &WaveRow,
    input: impl Read,
) -> Result<BTreeMap<String, Listed>, Vec<RowFault>> {
    let fault = |line: u64, column: &str, message: String| RowFault {
        line,
        column: column.into(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|n| n.trim_start_matches('\u{feff}').to_string())
            .collect(),
        Err(e) => return Err(vec![fault(1, "-", format!("unreadable header: {e}"))]),
    };
    let by_reference = match headers.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["unit", "reference"] => true,
        ["unit", "count"] => false,
        _ => {
            return Err(vec![fault(
                1,
                "-",
                format!(
                    "the columns must be unit,reference (one line per transaction) or unit,count; found {}",
                    headers.join(",")
                ),
            )])
        }
    };
    let mut faults = Vec::new();
    let mut listed: BTreeMap<String, Listed> = BTreeMap::new();
    let mut seen_references: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                faults.push(fault(line, "-", format!("unreadable line: {e}")));
                continue;
            }
        };
        let unit = record.get(0).unwrap_or_default().to_string();
        match ctx.catalog.unit(&unit) {
            None => {
                faults.push(fault(
                    line,
                    "unit",
                    format!("unknown service point \"{unit}\""),
                ));
                continue;
            }
            Some(u) if u.department != department => {
                faults.push(fault(
                    line,
                    "unit",
                    format!("service point \"{unit}\" does not belong to this survey's department"),
                ));
                continue;
            }
            Some(u) if !u.open_during(wave.opens_on, wave.closes_on) => {
                faults.push(fault(
                    line,
                    "unit",
                    format!("service point \"{unit}\" is closed throughout the wave"),
                ));
                continue;
            }
            Some(_) => {}
        }
        let value = record.get(1).unwrap_or_default();
        let entry = listed.entry(unit.clone()).or_insert(Listed {
            first_line: line,
            references: by_reference.then(Vec::new),
            population: 0,
        });
        if by_reference {
            if value.is_empty() {
                faults.push(fault(line, "reference", "is empty".into()));
                continue;
            }
            if let Some(first) = seen_references.insert((unit, value.to_string()), line) {
                faults.push(fault(
                    line,
                    "reference",
                    format!("\"{value}\" is listed twice for this service point (first on line {first})"),
                ));
                continue;
            }
            if let Some(references) = entry.references.as_mut() {
                references.push(value.to_string());
            }
            entry.population += 1;
        } else {
            match value.parse::<u64>() {
                Ok(0) => faults.push(fault(
                    line,
                    "count",
                    "no transactions: an empty stratum cannot be sampled; leave the service point out".into(),
                )),
                Ok(count) if entry.population > 0 => faults.push(fault(
                    line,
                    "unit",
                    format!("\"{}\" has a count already (line {}); {count} not added", record.get(0).unwrap_or_default(), entry.first_line),
                )),
                Ok(count) => entry.population = count,
                Err(_) => faults.push(fault(
                    line,
                    "count",
                    format!("\"{value}\" is not a whole number of transactions"),
                )),
            }
        }
    }
    if listed.is_empty() && faults.is_empty() {
        faults.push(fault(1, "-", "the list has no transactions".into()));
    }
    if faults.is_empty() {
        for entry in listed.values_mut() {
            if let Some(references) = entry.references.as_mut() {
                references.sort_unstable();
            }
        }
        Ok(listed)
    } else {
        Err(faults)
    }
}

/// One invitation as printed on a slip. The reference (or the position in
/// a counted list, "#17") tells the counter whom to hand it to; it is
/// printed, never stored.
#[derive(Debug, Clone)]
pub struct Slip {
    pub reference: String,
    pub code: InvitationCode,
}

/// One service point's draw.
#[derive(Debug, Clone)]
pub struct DrawnStratum {
    pub unit: String,
    pub population: u64,
    pub target: u64,
    pub slips: Vec<Slip>,
}

#[derive(Debug, Clone)]
pub struct Draw {
    pub wave: WaveRow,
    pub strata: Vec<DrawnStratum>,
}

fn stratum_seed(seed: i64, unit: &str) -> u64 {
    // FNV-1a of the code: each stratum's draw depends only on the seed and
    // its own list, not on which other service points were listed.
    let unit_hash = unit.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (seed as u64) ^ unit_hash
}

/// Draws a stratified simple random sample of the listed transactions,
/// issues one invitation per sampled transaction and stores the wave's
/// strata and invitations in one transaction (audited). The same list and
/// seed select the same transactions; the codes are fresh random ones.
pub fn draw(
    ctx: &AppContext,
    actor: &str,
    wave_id: &str,
    list: impl Read,
    target: Target,
    seed: Option<i64>,
) -> Result<Draw, WaveError> {
    let wave = waves::find(&mut *ctx.db.reader()?, wave_id)?
        .ok_or_else(|| WaveError::UnknownWave(wave_id.to_string()))?;
    if let Some(seed) = wave.seed {
        return Err(WaveError::AlreadyDrawn(seed));
    }
    if wave.closes_on < ctx.clock.today() {
        return Err(WaveError::Closed(wave.closes_on));
    }
    if let Target::Margin(margin) = target {
        if !(0.005..=0.5).contains(&margin) {
            return Err(WaveError::Margin);
        }
    }
    let department = ctx
        .catalog
        .survey(&wave.survey)
        .map(|v| v.survey.department.clone())
        .ok_or_else(|| WaveError::UnknownSurvey(wave.survey.clone()))?;
    let listed = read_list(ctx, &department, &wave, list).map_err(WaveError::Rows)?;

    let mut faults = Vec::new();
    let mut sized = Vec::new();
    for (unit, entry) in &listed {
        let n_target = match target {
            Target::Margin(margin) => {
                required_sample(margin, ctx.stats.level, 0.5, Some(entry.population as f64)).cochran
            }
            Target::Fixed(n) => n,
        };
        if n_target > entry.population {
            faults.push(RowFault {
                line: entry.first_line,
                column: "unit".into(),
                message: format!(
                    "the target of {n_target} is larger than the {} transactions listed for \"{unit}\"",
                    entry.population
                ),
            });
            continue;
        }
        let inflated = (n_target as f64 / (1.0 - wave.allowance)).ceil() as u64;
        sized.push((unit, entry, n_target, inflated.min(entry.population)));
    }
    if !faults.is_empty() {
        return Err(WaveError::Rows(faults));
    }

    let seed = seed.unwrap_or_else(|| {
        i64::from_le_bytes(Uuid::new_v4().as_bytes()[..8].try_into().unwrap_or([0; 8]))
    });
    // Codes come from a generator seeded by the operating system, not from
    // the recorded seed: knowing the seed must not give valid codes.
    let mut code_seed = [0u8; 32];
    code_seed[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    code_seed[16..].copy_from_slice(Uuid::new_v4().as_bytes());
    let mut code_rng = ChaCha20Rng::from_seed(code_seed);

    let mut strata = Vec::new();
    let mut stratum_rows = Vec::new();
    let mut invitations = Vec::new();
    for (unit, entry, n_target, issued) in sized {
        let mut rng = ChaCha8Rng::seed_from_u64(stratum_seed(seed, unit));
        let mut chosen =
            index::sample(&mut rng, entry.population as usize, issued as usize).into_vec();
        chosen.sort_unstable();
        let slips: Vec<Slip> = chosen
            .into_iter()
            .map(|i| Slip {
                reference: match &entry.references {
                    Some(references) => references[i].clone(),
                    None => format!("#{}", i + 1),
                },
                code: InvitationCode::random(&mut code_rng),
            })
            .collect();
        let digest = entry.references.as_ref().map(|references| {
            let mut hasher = Sha256::new();
            for reference in references {
                hasher.update(reference.as_bytes());
                hasher.update([0u8]);
            }
            hex::encode(hasher.finalize())
        });
        stratum_rows.push(StratumRow {
            wave: wave.id.clone(),
            unit: unit.clone(),
            population: entry.population as i64,
            target: n_target as i64,
            issued: slips.len() as i64,
            list_digest: digest,
        });
        invitations.extend(slips.iter().map(|slip| InvitationRow {
            code_hash: slip.code.hash(),
            wave: wave.id.clone(),
            unit: unit.clone(),
        }));
        strata.push(DrawnStratum {
            unit: unit.clone(),
            population: entry.population,
            target: n_target,
            slips,
        });
    }
    // Stored in hash order: the table keeps no trace of the draw's order.
    invitations.sort_unstable_by(|a, b| a.code_hash.cmp(&b.code_hash));
    let issued: usize = strata.iter().map(|s| s.slips.len()).sum();
    ctx.db.write_tx(|conn| {
        if !waves::mark_drawn(conn, &wave.id, seed)? {
            let drawn = waves::find(conn, &wave.id)?
                .and_then(|w| w.seed)
                .unwrap_or(seed);
            return Err(WaveError::AlreadyDrawn(drawn));
        }
        waves::insert_strata(conn, &stratum_rows)?;
        waves::insert_invitations(conn, &invitations)?;
        audit::record_in(
            conn,
            &ctx.clock,
            actor,
            "wave.draw",
            &format!(
                "wave {} drawn with seed {seed}: {issued} invitations at {} service points",
                wave.id,
                strata.len()
            ),
        )?;
        Ok::<_, WaveError>(())
    })?;
    Ok(Draw {
        wave: WaveRow {
            seed: Some(seed),
            ..wave
        },
        strata,
    })
}

/// Issued and returned questionnaires of one service point in a wave.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct StratumAccount {
    pub unit: String,
    /// Transactions listed for the draw.
    pub population: u64,
    pub target: u64,
    /// Invitations issued (số phiếu phát ra).
    pub issued: u64,
    /// Invitations redeemed with a response (số phiếu thu về).
    pub returned: u64,
    /// Returned ÷ issued (AAPOR RR1); null when none were issued.
    pub response_rate: Option<f64>,
}

/// A wave and its accounting.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct WaveAccount {
    pub id: String,
    pub survey: String,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Null until the wave is drawn.
    pub seed: Option<i64>,
    pub issued: u64,
    pub returned: u64,
    pub response_rate: Option<f64>,
    /// Service points of the survey's department open during the wave and
    /// not in its draw.
    pub not_sampled: Vec<String>,
    pub strata: Vec<StratumAccount>,
}

fn rate(returned: u64, issued: u64) -> Option<f64> {
    (issued > 0).then(|| returned as f64 / issued as f64)
}

fn account_of(ctx: &AppContext, conn: &mut Conn, wave: WaveRow) -> Result<WaveAccount, DbError> {
    let outstanding: BTreeMap<String, i64> =
        waves::outstanding(conn, &wave.id)?.into_iter().collect();
    let strata: Vec<StratumAccount> = waves::strata(conn, &wave.id)?
        .into_iter()
        .map(|s| {
            let issued = s.issued.max(0) as u64;
            let left = outstanding.get(&s.unit).copied().unwrap_or(0).max(0) as u64;
            let returned = issued.saturating_sub(left);
            StratumAccount {
                unit: s.unit,
                population: s.population.max(0) as u64,
                target: s.target.max(0) as u64,
                issued,
                returned,
                response_rate: rate(returned, issued),
            }
        })
        .collect();
    let issued = strata.iter().map(|s| s.issued).sum();
    let returned = strata.iter().map(|s| s.returned).sum();
    let department = ctx
        .catalog
        .survey(&wave.survey)
        .map(|v| v.survey.department.clone())
        .unwrap_or_default();
    let not_sampled = if wave.seed.is_some() {
        ctx.catalog
            .units_of(&department)
            .filter(|u| u.open_during(wave.opens_on, wave.closes_on))
            .filter(|u| !strata.iter().any(|s| s.unit == u.code))
            .map(|u| u.code.clone())
            .collect()
    } else {
        Vec::new()
    };
    Ok(WaveAccount {
        id: wave.id,
        survey: wave.survey,
        name: wave.name,
        opens_on: wave.opens_on,
        closes_on: wave.closes_on,
        seed: wave.seed,
        issued,
        returned,
        response_rate: rate(returned, issued),
        not_sampled,
        strata,
    })
}

/// One wave's accounting.
pub fn account(ctx: &AppContext, wave_id: &str) -> Result<WaveAccount, WaveError> {
    let mut conn = ctx.db.reader()?;
    let wave = waves::find(&mut conn, wave_id)?
        .ok_or_else(|| WaveError::UnknownWave(wave_id.to_string()))?;
    Ok(account_of(ctx, &mut conn, wave)?)
}

/// The accounting of every wave of `survey` with a day in `from..=to`.
pub fn accounts_for(
    ctx: &AppContext,
    survey: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<WaveAccount>, DbError> {
    let mut conn = ctx.db.reader()?;
    waves::overlapping(&mut conn, survey, from, to)?
        .into_iter()
        .map(|wave| account_of(ctx, &mut conn, wave))
        .collect()
}

/// Every wave with its accounting, the latest first.
pub fn all_accounts(ctx: &AppContext) -> Result<Vec<WaveAccount>, DbError> {
    let mut conn = ctx.db.reader()?;
    waves::all(&mut conn)?
        .into_iter()
        .map(|wave| account_of(ctx, &mut conn, wave))
        .collect()
}

/// How the respondents behind a figure came to be in the sample.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SampleSummary {
    /// Respondents by design: `probability`, `self_selected`,
    /// `paper_sampled`, `paper_unsampled`, `simulated` (those with none
    /// are left out).
    pub respondents_by_design: BTreeMap<String, i64>,
    /// True when every respondent was drawn at random (invitation or
    /// sampled paper form); otherwise the intervals rest on an assumption
    /// of random selection that the sample does not give.
    pub random_only: bool,
    /// The waves of the survey in the period, with issued and returned.
    pub waves: Vec<WaveAccount>,
}

/// The sample behind a survey's figures for `from..=to` (one service point
/// or all), its respondents by design being `counts`.
pub fn summary(
    ctx: &AppContext,
    survey: &str,
    from: NaiveDate,
    to: NaiveDate,
    unit: Option<&str>,
    counts: std::collections::BTreeMap<crate::domain::Design, i64>,
) -> Result<SampleSummary, DbError> {
    let random_only = counts.keys().all(|design| design.is_random());
    let mut waves = accounts_for(ctx, survey, from, to)?;
    if let Some(unit) = unit {
        for wave in &mut waves {
            wave.strata.retain(|s| s.unit == unit);
            wave.issued = wave.strata.iter().map(|s| s.issued).sum();
            wave.returned = wave.strata.iter().map(|s| s.returned).sum();
            wave.response_rate = rate(wave.returned, wave.issued);
            wave.not_sampled.retain(|u| u == unit);
        }
    }
    Ok(SampleSummary {
        respondents_by_design: counts
            .into_iter()
            .map(|(design, n)| (design.as_str().to_string(), n))
            .collect(),
        random_only,
        waves,
    })
}
