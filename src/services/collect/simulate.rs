//! Realistic synthetic responses for demos, load tests and benchmarks.
//! Satisfaction differs by service point and by item, some items are "not
//! applicable", some respondents comment. The same seed gives the same data.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use uuid::Uuid;

use crate::db::DbError;
use crate::definitions::{Question, QuestionKind, SurveyVersion, Unit};
use crate::domain::{Channel, Design, RawSubmission, RawValue, ResponseId, Submission};
use crate::services::collect::{self, AppContext};

const COMMENTS: [&str; 12] = [
    "Nhân viên hướng dẫn nhiệt tình, chu đáo.",
    "Thời gian chờ đợi còn lâu, cần bố trí thêm người tiếp nhận.",
    "Phòng chờ nóng, nên lắp thêm quạt.",
    "Thủ tục nhanh gọn hơn trước.",
    "Nhà vệ sinh chưa sạch sẽ.",
    "Cần niêm yết phí, lệ phí rõ ràng hơn.",
    "Hài lòng với cách phục vụ.",
    "Khó tìm chỗ gửi xe.",
    "Nên có thêm hướng dẫn nộp hồ sơ trực tuyến.",
    "Cán bộ giải thích dễ hiểu.",
    "Trả kết quả trễ hẹn, không được thông báo trước.",
    "Cảm ơn đã phục vụ tận tình.",
];

#[derive(Debug, Clone)]
pub struct SimulateOptions {
    pub responses: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub seed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("--from {from} is after --to {to}")]
    EmptyRange { from: NaiveDate, to: NaiveDate },
    #[error("survey \"{0}\" has no service point to simulate responses for")]
    NoUnits(String),
    #[error("a simulated response failed validation: {0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Standard normal draw (Box–Muller); avoids a distributions dependency.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A stable number from a text, so each survey gets its own stream.
fn text_seed(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Generates and stores `options.responses` responses to `version`.
/// Returns (stored, already present).
pub fn simulate(
    ctx: &AppContext,
    version: &SurveyVersion,
    options: &SimulateOptions,
) -> Result<(usize, usize), SimulateError> {
    if options.from > options.to {
        return Err(SimulateError::EmptyRange {
            from: options.from,
            to: options.to,
        });
    }
    let survey = &version.survey;
    let units: Vec<&Unit> = ctx
        .catalog
        .units_of(&survey.department)
        .filter(|u| u.open_during(options.from, options.to))
        .collect();
    if units.is_empty() {
        return Err(SimulateError::NoUnits(survey.slug.clone()));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ text_seed(&survey.slug));
    // Service points differ in quality, items in difficulty: the structure a
    // department dashboard has to reveal.
    let unit_effect: Vec<f64> = units.iter().map(|_| 0.45 * normal(&mut rng)).collect();
    let questions: Vec<&Question> = survey.questions().collect();
    let item_effect: Vec<f64> = questions.iter().map(|_| 0.35 * normal(&mut rng)).collect();
    let not_applicable: Vec<f64> = questions
        .iter()
        .map(|_| rng.random_range(0.0..0.12))
        .collect();
    let days = (options.to - options.from).num_days() + 1;

    // Stored in chunks so a million responses need not sit in memory at once.
    const CHUNK: usize = 20_000;
    let (mut stored, mut present) = (0, 0);
    let mut rows = Vec::with_capacity(CHUNK.min(options.responses));
    let mut store = |rows: &mut Vec<_>| -> Result<(), SimulateError> {
        if !rows.is_empty() {
            let outcome = ctx.db.write_tx(|conn| collect::store_batch(conn, rows))?;
            rows.clear();
            stored += outcome.stored;
            present += outcome.replays + outcome.conflicts.len();
        }
        Ok(())
    };
    for _ in 0..options.responses {
        let date = options.from + Duration::days(rng.random_range(0..days));
        // Only service points open that day; some day of the range has one.
        let open: Vec<usize> = (0..units.len())
            .filter(|&u| units[u].open_on(date))
            .collect();
        let Some(&unit_index) = open.get(rng.random_range(0..open.len().max(1))) else {
            continue;
        };
        let person = 0.6 * normal(&mut rng);
        let mut answers = Vec::new();
        for (q, question) in questions.iter().enumerate() {
            if rng.random_bool(0.02) {
                continue; // skipped
            }
            let latent =
                1.0 + unit_effect[unit_index] + item_effect[q] + person + 0.7 * normal(&mut rng);
            let value = match question.kind {
                QuestionKind::Likert => {
                    if rng.random_bool(not_applicable[q]) {
                        Value::from("na")
                    } else {
                        let position: u8 = match latent {
                            l if l < -0.9 => 1,
                            l if l < -0.2 => 2,
                            l if l < 0.5 => 3,
                            l if l < 1.5 => 4,
                            _ => 5,
                        };
                        // On a shorter scale the same latent value lands
                        // on the point at the same relative height.
                        let (lowest, highest, _) = question.rating_range();
                        let span = f64::from(highest - lowest);
                        let points =
                            f64::from(lowest) + (f64::from(position - 1) / 4.0 * span).round();
                        Value::from(points as u8)
                    }
                }
                QuestionKind::Single => Value::from(
                    question.options[rng.random_range(0..question.options.len())]
                        .key
                        .as_str(),
                ),
                QuestionKind::Multi => {
                    let max = question
                        .max_choices
                        .unwrap_or(question.options.len())
                        .min(3);
                    let count = rng.random_range(1..=max);
                    let mut keys: Vec<&str> = Vec::new();
                    while keys.len() < count {
                        let key = question.options[rng.random_range(0..question.options.len())]
                            .key
                            .as_str();
                        if !keys.contains(&key) {
                            keys.push(key);
                        }
                    }
                    Value::from(keys)
                }
                QuestionKind::Percent => {
                    let percent = (75.0 + 12.0 * latent).clamp(0.0, 100.0);
                    Value::from(((percent / 5.0).round() * 5.0) as i64)
                }
                QuestionKind::YesNo => {
                    Value::from(rng.random_bool(1.0 / (1.0 + (-2.0 * latent).exp())))
                }
                QuestionKind::Text => continue,
            };
            answers.push((question.key.clone(), RawValue::Json(value)));
        }
        let comment = (survey.comment_question().is_some() && rng.random_bool(0.08))
            .then(|| COMMENTS[rng.random_range(0..COMMENTS.len())]);
        let id = Uuid::from_bytes(rng.random());
        let id = uuid::Builder::from_random_bytes(*id.as_bytes()).into_uuid();
        let raw = RawSubmission {
            id: Some(RawValue::text(id.to_string())),
            unit: Some(RawValue::text(&units[unit_index].code)),
            comment: comment.map(RawValue::text),
            answers,
        };
        // Through the same validation as a citizen's submission.
        let submission = Submission::parse(raw, survey, &ctx.catalog, date, ResponseId::new_random)
            .map_err(|errors| SimulateError::Invalid(errors.summary()))?;
        rows.push(collect::to_row(
            version,
            &submission,
            Channel::Simulated,
            Design::Simulated,
            date,
        ));
        if rows.len() == CHUNK {
            store(&mut rows)?;
        }
    }
    store(&mut rows)?;
    // Simulated responses of earlier days are late ones, counted per
    // batch: folded into one count per half-month.
    ctx.db.write_tx(crate::db::responses::fold_late_counts)?;
    Ok((stored, present))
}
