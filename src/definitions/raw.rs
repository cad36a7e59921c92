//! The file formats, exactly as written. Unknown fields are refused so a typo
//! (`lable = …`) is a fault, not a silently missing label.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{
    ChoiceOption, IndexRule, ItemRef, LateResult, Localized, QuestionKind, Scale, ScalePoint,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDepartments {
    pub departments: Vec<RawDepartment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDepartment {
    pub code: String,
    pub name: Localized,
    #[serde(default = "yes")]
    pub surveyed: bool,
    #[serde(default)]
    pub public_results: bool,
    #[serde(default)]
    pub history: Vec<RawNameChange>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNameChange {
    #[serde(deserialize_with = "toml_date")]
    pub from: NaiveDate,
    pub name: Localized,
    pub note: Option<Localized>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnits {
    pub units: Vec<RawUnit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnit {
    pub code: String,
    pub department: String,
    pub name: Localized,
    pub commune: String,
    pub kind: String,
    pub former_province: Option<String>,
    #[serde(default, deserialize_with = "toml_date_opt")]
    pub open_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "toml_date_opt")]
    pub open_until: Option<NaiveDate>,
    #[serde(default)]
    pub before: Vec<RawEarlierPlace>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEarlierPlace {
    #[serde(deserialize_with = "toml_date")]
    pub until: NaiveDate,
    pub name: Option<Localized>,
    pub locality: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFragment {
    pub sections: Vec<RawSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSurvey {
    pub department: String,
    pub title: Localized,
    pub intro: Option<Localized>,
    #[serde(default = "default_rule")]
    pub index_rule: IndexRule,
    pub edition: Option<String>,
    pub late_result: Option<LateResult>,
    pub sections: Vec<RawSection>,
}

fn default_rule() -> IndexRule {
    IndexRule::MeanOfElements
}

/// Either `include = "fragment"` alone, or `key`, `label` and `items`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub include: Option<String>,
    pub key: Option<String>,
    pub label: Option<Localized>,
    pub in_overall: Option<bool>,
    pub show_if: Option<BTreeMap<String, OneOrMany>>,
    pub items: Option<Vec<RawQuestion>>,
}

/// `"late"` or `["late", "never"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    pub key: String,
    pub kind: QuestionKind,
    pub label: Localized,
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
    pub max_choices: Option<usize>,
    pub max_percent: Option<u8>,
    pub continues: Option<ItemRef>,
    pub show_if: Option<BTreeMap<String, OneOrMany>>,
    pub scale: Option<RawScale>,
}

/// A named scale of `scales.toml`, or one written out for the item.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawScale {
    Named(String),
    Inline(Scale),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScales {
    #[serde(default)]
    pub scales: Vec<RawNamedScale>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNamedScale {
    pub key: String,
    pub points: Vec<ScalePoint>,
    pub satisfied_from: u8,
}

/// A TOML local date (`from = 2025-07-01`) or the same as a string.
fn toml_date<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum DateInput {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match DateInput::deserialize(deserializer)? {
        DateInput::Toml(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
            datetime.to_string()
        }
        DateInput::Toml(datetime) => {
            return Err(serde::de::Error::custom(format!(
                "expected a date without time, found {datetime}"
            )))
        }
        DateInput::Text(text) => text,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
        serde::de::Error::custom(format!("expected a date YYYY-MM-DD, found \"{text}\""))
    })
}

fn toml_date_opt<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    toml_date(deserializer).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub authority: Localized,
    pub contact: Localized,
    pub feedback: Option<RawFeedbackSettings>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeedbackSettings {
    pub target_working_days: Option<u32>,
    #[serde(default, deserialize_with = "toml_dates")]
    pub holidays: Vec<NaiveDate>,
    #[serde(default, deserialize_with = "toml_dates")]
    pub makeup_days: Vec<NaiveDate>,
    pub topics: Option<Vec<RawTopic>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub key: String,
    pub name: Localized,
}

fn toml_dates<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    struct Date(#[serde(deserialize_with = "toml_date")] NaiveDate);
    Ok(Vec::<Date>::deserialize(deserializer)?
        .into_iter()
        .map(|Date(d)| d)
        .collect())
}
