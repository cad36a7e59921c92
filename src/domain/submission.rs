//! Parsing a submitted response, whatever its origin (JSON API, HTML form,
//! CSV row, simulator), into a [`Submission`] — or into a field-by-field list
//! of what is wrong. One set of rules for every channel.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use super::answers::{Answer, Answers, Score};
use super::ResponseId;
use crate::definitions::{Catalog, Question, QuestionKind, Survey, COMMENT_KEY, COMMENT_MAX_CHARS};
use crate::i18n::Lang;

/// A value as it arrived: typed JSON, or text fields (form, CSV) where one
/// key may carry several values.
#[derive(Debug, Clone)]
pub enum RawValue {
    Json(Value),
    Text(Vec<String>),
}

impl RawValue {
    pub fn text(value: impl Into<String>) -> RawValue {
        RawValue::Text(vec![value.into()])
    }
}

/// A response before validation.
#[derive(Debug, Clone, Default)]
pub struct RawSubmission {
    pub id: Option<RawValue>,
    pub unit: Option<RawValue>,
    pub comment: Option<RawValue>,
    pub answers: Vec<(String, RawValue)>,
}

/// A valid response, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub id: ResponseId,
    pub unit: String,
    pub answers: Answers,
    pub comment: Option<String>,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Missing,
    InvalidId,
    UnknownUnit(String),
    UnitOfOtherDepartment(String),
    /// The service point did not serve citizens on the response's date.
    UnitClosed(String, NaiveDate),
    /// An invitation code that is malformed, unknown, used already, of
    /// another service point or of no wave open that day.
    InvitationCode,
    ExpectedText,
    CommentTooLong,
    UnknownQuestion,
    CommentNotAnAnswer,
    /// Not a point of the item's scale (lowest, highest) nor "na".
    ExpectedScore(u8, u8),
    ExpectedOption,
    UnknownOption(String),
    ExpectedOptionList,
    RepeatedOption(String),
    TooManyChoices(usize),
    ExpectedPercent(u8),
    ExpectedYesNo,
    TooManyValues,
    NoLikertAnswered,
    NotAnObject,
    UnknownField,
}

impl FieldError {
    pub fn message(&self, lang: Lang) -> String {
        use FieldError::*;
        match (self, lang) {
            (Missing, Lang::En) => "is required".into(),
            (Missing, Lang::Vi) => "Vui lòng điền mục này.".into(),
            (InvalidId, _) => "must be a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            (UnknownUnit(c), Lang::En) => format!("unknown service point \"{c}\""),
            (UnknownUnit(_), Lang::Vi) => "Vui lòng chọn nơi Ông/Bà được phục vụ.".into(),
            (UnitOfOtherDepartment(c), Lang::En) => {
                format!("service point \"{c}\" does not belong to this survey's department")
            }
            (UnitOfOtherDepartment(_), Lang::Vi) => {
                "Nơi được chọn không thuộc cơ quan của phiếu khảo sát này.".into()
            }
            (InvitationCode, Lang::En) => "is not an invitation code that can be used here today: unknown, used already, for another service point, or outside its survey wave; send without it to answer anyway".into(),
            (InvitationCode, Lang::Vi) => "Mã mời không đúng, đã được dùng, không thuộc nơi được chọn hoặc ngoài thời gian của đợt khảo sát. Ông/Bà vẫn có thể gửi ý kiến mà không cần mã.".into(),
            (UnitClosed(c, on), Lang::En) => {
                format!("service point \"{c}\" did not serve citizens on {on}")
            }
            (UnitClosed(_, on), Lang::Vi) => format!(
                "Nơi được chọn không tiếp nhận hồ sơ vào ngày {}.",
                on.format("%d/%m/%Y")
            ),
            (ExpectedText, _) => "must be a string".into(),
            (CommentTooLong, Lang::En) => {
                format!("must be at most {COMMENT_MAX_CHARS} characters")
            }
            (CommentTooLong, Lang::Vi) => {
                format!("Ý kiến tối đa {COMMENT_MAX_CHARS} ký tự.")
            }
            (UnknownQuestion, _) => "is not a question of this survey".into(),
            (CommentNotAnAnswer, _) => {
                "free text is sent in the top-level \"comment\" field".into()
            }
            (ExpectedScore(low, high), Lang::En) => {
                format!("must be an integer {low}–{high} or \"na\"")
            }
            (ExpectedScore(low, high), Lang::Vi) => {
                format!("Vui lòng chọn một mức từ {low} đến {high} hoặc “Không áp dụng”.")
            }
            (ExpectedOption, _) => "must be one option key (a string)".into(),
            (UnknownOption(o), Lang::En) => format!("\"{o}\" is not an option of this question"),
            (UnknownOption(_), Lang::Vi) => "Lựa chọn không hợp lệ.".into(),
            (ExpectedOptionList, _) => "must be an array of option keys".into(),
            (RepeatedOption(o), _) => format!("option \"{o}\" is given twice"),
            (TooManyChoices(max), Lang::En) => format!("at most {max} options may be chosen"),
            (TooManyChoices(max), Lang::Vi) => format!("Chọn tối đa {max} mục."),
            (ExpectedPercent(max), Lang::En) => format!("must be an integer from 0 to {max}"),
            (ExpectedPercent(max), Lang::Vi) => {
                format!("Vui lòng nhập một số nguyên từ 0 đến {max}.")
            }
            (ExpectedYesNo, Lang::En) => "must be true or false".into(),
            (ExpectedYesNo, Lang::Vi) => "Vui lòng chọn Có hoặc Không.".into(),
            (TooManyValues, _) => "must be given once".into(),
            (NoLikertAnswered, Lang::En) => {
                "at least one rated question (score 1–5) must be answered".into()
            }
            (NoLikertAnswered, Lang::Vi) => {
                "Vui lòng đánh giá ít nhất một câu hỏi (mức 1–5).".into()
            }
            (NotAnObject, _) => "must be an object".into(),
            (UnknownField, _) => "is not a field of a response".into(),
        }
    }
}

/// Faults by field name (`id`, `unit`, `comment`, `answers`, `answers.A1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, error: FieldError) {
        self.0.entry(field.into()).or_insert(error);
    }

    /// Adds `other`'s faults, keeping the first fault per field.
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, error) in other.0 {
            self.add(field, error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.get(field)
    }

    /// `{"answers.A1": "must be …"}` in the given language.
    pub fn messages(&self, lang: Lang) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(field, error)| (field.clone(), error.message(lang)))
            .collect()
    }

    /// One line naming every faulty field, for logs and CLI reports.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|(field, error)| format!("{field}: {}", error.message(Lang::En)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The prefix under which answer faults are reported.
pub fn answer_field(key: &str) -> String {
    format!("answers.{key}")
}

impl Submission {
    /// Validates `raw` as a response to `survey` given on `on`. When the id is absent,
    /// `default_id` supplies one (CSV rows without an id column).
    pub fn parse(
        raw: RawSubmission,
        survey: &Survey,
        catalog: &Catalog,
        on: NaiveDate,
        default_id: impl FnOnce() -> ResponseId,
    ) -> Result<Submission, FieldErrors> {
        let mut errors = FieldErrors::default();

        let id = match raw.id.map(|v| single_text(&v)).transpose() {
            Ok(None) | Ok(Some(None)) => Some(default_id()),
            Ok(Some(Some(text))) => {
                let id = ResponseId::parse(&text);
                if id.is_none() {
                    errors.add("id", FieldError::InvalidId);
                }
                id
            }
            Err(e) => {
                errors.add("id", e);
                None
            }
        };

        let unit = match raw.unit.map(|v| single_text(&v)).transpose() {
            Ok(None) | Ok(Some(None)) => {
                errors.add("unit", FieldError::Missing);
                None
            }
            Ok(Some(Some(code))) => match catalog.unit(&code) {
                None => {
                    errors.add("unit", FieldError::UnknownUnit(code));
                    None
                }
                Some(unit) if unit.department != survey.department => {
                    errors.add("unit", FieldError::UnitOfOtherDepartment(code));
                    None
                }
                Some(unit) if !unit.open_on(on) => {
                    errors.add("unit", FieldError::UnitClosed(code, on));
                    None
                }
                Some(unit) => Some(unit.code.clone()),
            },
            Err(e) => {
                errors.add("unit", e);
                None
            }
        };

        let comment = match raw.comment.map(|v| single_text(&v)).transpose() {
            Ok(None) | Ok(Some(None)) => None,
            Ok(Some(Some(text))) => {
                let text = text.trim().to_string();
                if text.chars().count() > COMMENT_MAX_CHARS {
                    errors.add(COMMENT_KEY, FieldError::CommentTooLong);
                    None
                } else if text.is_empty() || survey.comment_question().is_none() {
                    // A survey without a comment question ignores nothing
                    // silently: it rejects the field.
                    if !text.is_empty() {
                        errors.add(COMMENT_KEY, FieldError::UnknownQuestion);
                    }
                    None
                } else {
                    Some(text)
                }
            }
            Err(e) => {
                errors.add(COMMENT_KEY, e);
                None
            }
        };

        let mut answers = Answers::default();
        for (key, value) in raw.answers {
            let field = answer_field(&key);
            if key == COMMENT_KEY {
                errors.add(field, FieldError::CommentNotAnAnswer);
                continue;
            }
            let Some(question) = survey.question(&key) else {
                errors.add(field, FieldError::UnknownQuestion);
                continue;
            };
            if answers.0.contains_key(&key) {
                errors.add(field, FieldError::TooManyValues);
                continue;
            }
            match parse_answer(question, &value) {
                Ok(Some(answer)) => {
                    answers.0.insert(key, answer);
                }
                Ok(None) => {}
                Err(e) => errors.add(field, e),
            }
        }
        answers.drop_unasked(survey);
        if !answers.has_scored_likert()
            && !survey
                .likert_items()
                .any(|q| errors.get(&answer_field(&q.key)).is_some())
        {
            errors.add("answers", FieldError::NoLikertAnswered);
        }

        match (id, unit, errors.is_empty()) {
            (Some(id), Some(unit), true) => Ok(Submission {
                id,
                unit,
                answers,
                comment,
            }),
            _ => Err(errors),
        }
    }
}

/// A field that must hold at most one text: `Ok(None)` when absent or empty.
fn single_text(value: &RawValue) -> Result<Option<String>, FieldError> {
    match value {
        RawValue::Json(Value::Null) => Ok(None),
        RawValue::Json(Value::String(s)) => Ok(non_empty(s)),
        RawValue::Json(_) => Err(FieldError::ExpectedText),
        RawValue::Text(values) => match values.as_slice() {
            [] => Ok(None),
            [one] => Ok(non_empty(one)),
            _ => Err(FieldError::TooManyValues),
        },
    }
}

fn non_empty(s: &str) -> Option<String> {
    let trimmed = s.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// `Ok(None)` means the question was skipped.
fn parse_answer(question: &Question, value: &RawValue) -> Result<Option<Answer>, FieldError> {
    // Text inputs (form, CSV) give strings; the empty string is "skipped".
    let text = match value {
        RawValue::Json(Value::Null) => return Ok(None),
        RawValue::Json(_) => None,
        RawValue::Text(values) => {
            let values: Vec<&str> = values
                .iter()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Ok(None);
            }
            Some(values)
        }
    };
    let one_text = |values: &[&str]| -> Result<String, FieldError> {
        match values {
            [one] => Ok(one.to_string()),
            _ => Err(FieldError::TooManyValues),
        }
    };
    match question.kind {
        QuestionKind::Likert => {
            let (lowest, highest, _) = question.rating_range();
            let parsed = match (&text, value) {
                (Some(values), _) => {
                    let t = one_text(values)?;
                    if t.eq_ignore_ascii_case("na") {
                        Some(Answer::NotApplicable)
                    } else {
                        t.parse::<i64>()
                            .ok()
                            .and_then(|v| Score::new(v, (lowest, highest)))
                            .map(Answer::Score)
                    }
                }
                (None, RawValue::Json(Value::String(s))) if s == "na" => {
                    Some(Answer::NotApplicable)
                }
                (None, RawValue::Json(Value::Number(n))) => n
                    .as_i64()
                    .and_then(|v| Score::new(v, (lowest, highest)))
                    .map(Answer::Score),
                _ => None,
            };
            parsed
                .map(Some)
                .ok_or(FieldError::ExpectedScore(lowest, highest))
        }
        QuestionKind::Single => {
            let key = match (&text, value) {
                (Some(values), _) => one_text(values)?,
                (None, RawValue::Json(Value::String(s))) => s.clone(),
                _ => return Err(FieldError::ExpectedOption),
            };
            if question.option(&key).is_none() {
                return Err(FieldError::UnknownOption(key));
            }
            Ok(Some(Answer::Choice(key)))
        }
        QuestionKind::Multi => {
            let keys: Vec<String> = match (&text, value) {
                (Some(values), _) => values
                    .iter()
                    .flat_map(|v| v.split(';'))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect(),
                (None, RawValue::Json(Value::Array(items))) => items
                    .iter()
                    .map(|item| item.as_str().map(String::from))
                    .collect::<Option<Vec<_>>>()
                    .ok_or(FieldError::ExpectedOptionList)?,
                _ => return Err(FieldError::ExpectedOptionList),
            };
            if keys.is_empty() {
                return Ok(None);
            }
            let mut chosen: Vec<String> = Vec::with_capacity(keys.len());
            for key in keys {
                if question.option(&key).is_none() {
                    return Err(FieldError::UnknownOption(key));
                }
                if chosen.contains(&key) {
                    return Err(FieldError::RepeatedOption(key));
                }
                chosen.push(key);
            }
            if let Some(max) = question.max_choices {
                if chosen.len() > max {
                    return Err(FieldError::TooManyChoices(max));
                }
            }
            // Definition order, so the same choices always compare equal.
            let ordered = question
                .options
                .iter()
                .filter(|o| chosen.contains(&o.key))
                .map(|o| o.key.clone())
                .collect();
            Ok(Some(Answer::Choices(ordered)))
        }
        QuestionKind::Percent => {
            let number = match (&text, value) {
                (Some(values), _) => one_text(values)?.parse::<i64>().ok(),
                (None, RawValue::Json(Value::Number(n))) => n.as_i64(),
                _ => None,
            };
            number
                .filter(|n| (0..=i64::from(question.percent_max())).contains(n))
                .map(|n| Some(Answer::Percent(n as u8)))
                .ok_or(FieldError::ExpectedPercent(question.percent_max()))
        }
        QuestionKind::YesNo => {
            let flag = match (&text, value) {
                (Some(values), _) => match one_text(values)?.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" => Some(true),
                    "0" | "false" | "no" => Some(false),
                    _ => None,
                },
                (None, RawValue::Json(Value::Bool(b))) => Some(*b),
                _ => None,
            };
            flag.map(|b| Some(Answer::YesNo(b)))
                .ok_or(FieldError::ExpectedYesNo)
        }
        QuestionKind::Text => Err(FieldError::CommentNotAnAnswer),
    }
}

#[cfg(test)]
mod tests;
