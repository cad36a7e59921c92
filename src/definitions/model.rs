//! Validated survey-definition values. Everything here has passed
//! [`super::load`]; code that holds a `Survey` can trust its invariants
//! (unique keys, options where choices need them, at least one Likert item).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::i18n::Lang;
pub use crate::stats::IndexRule;

/// A text in Vietnamese (the default) and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub vi: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Likert,
    Single,
    Multi,
    YesNo,
    Percent,
    Text,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Likert => "likert",
            QuestionKind::Single => "single",
            QuestionKind::Multi => "multi",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Percent => "percent",
            QuestionKind::Text => "text",
        }
    }

    pub fn has_options(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multi)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub key: String,
    pub label: Localized,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Question {
    pub key: String,
    pub kind: QuestionKind,
    pub label: Localized,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// For multiple choice: the most options a respondent may tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<usize>,
    /// For percent items: the largest accepted answer, when the form allows
    /// more than 100 (the Ministry of Health's G1: expectations exceeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<u8>,
    /// The item of an earlier edition that this item continues: the same
    /// question, whose answers count as answers to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continues: Option<ItemRef>,
    /// Asked only when earlier answers meet this condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// For rated items: the answer scale, when it is not the 1–5
    /// satisfaction scale (a 3-level satisfaction, 0–2 points…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
}

/// The answer scale of a rated item: consecutive whole points, at most
/// five, and from which point an answer counts as satisfied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scale {
    /// The points in the order the form shows them.
    pub points: Vec<ScalePoint>,
    /// Answers of this many points or more count as satisfied.
    pub satisfied_from: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalePoint {
    pub value: u8,
    pub label: Localized,
}

impl Scale {
    pub fn lowest(&self) -> u8 {
        self.points.iter().map(|p| p.value).min().unwrap_or(1)
    }

    pub fn highest(&self) -> u8 {
        self.points.iter().map(|p| p.value).max().unwrap_or(5)
    }
}

/// The 1–5 satisfaction scale: lowest and highest point, satisfied from.
pub const LIKERT_RANGE: (u8, u8, u8) = (1, 5, 4);

/// When an item or a section is asked: for every named earlier item, the
/// answer is one of the listed answers (option keys; `yes`/`no` for a
/// yes/no item; for a multiple choice, any ticked option counts). An item
/// that is not asked has no answer: one sent is dropped, and a skipped
/// condition is not a missing answer.
pub type Condition = BTreeMap<String, Vec<String>>;

/// An item of some edition of a questionnaire: the identity of a series of
/// answers. Without `edition`, the first (unnamed) edition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    pub key: String,
}

/// Accepted percent answers go from 0 to this unless a form says otherwise.
pub const DEFAULT_MAX_PERCENT: u8 = 100;

impl Question {
    pub fn option(&self, key: &str) -> Option<&ChoiceOption> {
        self.options.iter().find(|o| o.key == key)
    }

    /// The label of an answer: an option's, or "Có"/"Yes" and
    /// "Không"/"No" for the `yes` and `no` of a yes/no item.
    pub fn option_label(&self, key: &str) -> Localized {
        match (self.option(key), key) {
            (Some(option), _) => option.label.clone(),
            (None, "yes") => Localized {
                vi: "Có".into(),
                en: "Yes".into(),
            },
            (None, "no") => Localized {
                vi: "Không".into(),
                en: "No".into(),
            },
            (None, other) => Localized {
                vi: other.into(),
                en: other.into(),
            },
        }
    }

    /// A rated item's (lowest point, highest point, satisfied from).
    pub fn rating_range(&self) -> (u8, u8, u8) {
        match &self.scale {
            Some(scale) => (scale.lowest(), scale.highest(), scale.satisfied_from),
            None => LIKERT_RANGE,
        }
    }

    /// A rated answer's position on the item's scale, 1 for the lowest
    /// point: how the compact Likert string and the estimators hold it.
    pub fn scale_position(&self, points: u8) -> u8 {
        points - self.rating_range().0 + 1
    }

    pub fn percent_max(&self) -> u8 {
        self.max_percent.unwrap_or(DEFAULT_MAX_PERCENT)
    }
}

/// A section of the questionnaire. A section holding Likert items is an
/// *element* in the sense of the official indices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Section {
    pub key: String,
    pub label: Localized,
    /// Whether this element counts in the survey's overall index. Items a
    /// province adds to a national instrument (SIPAS procedure-specific
    /// items) are reported but kept out, so the overall index stays
    /// comparable with the official one.
    pub in_overall: bool,
    /// Every item of the section is asked only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    pub questions: Vec<Question>,
}

impl Section {
    /// The conditions under which `question`, one of this section's, is
    /// asked: the section's, then its own.
    pub fn conditions_of<'a>(&'a self, question: &'a Question) -> Vec<&'a Condition> {
        self.show_if.iter().chain(question.show_if.iter()).collect()
    }

    pub fn is_element(&self) -> bool {
        self.questions
            .iter()
            .any(|q| q.kind == QuestionKind::Likert)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Survey {
    pub slug: String,
    pub department: String,
    pub title: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Localized>,
    pub index_rule: IndexRule,
    /// The edition of the instrument. Answers given to another edition
    /// never count for an item of this one by key alone: only items that
    /// say which earlier item they continue (`continues`) carry a series
    /// across editions. Without it, the first edition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// Which items record a late result and an apology for it, when the
    /// questionnaire asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_result: Option<LateResult>,
    pub sections: Vec<Section>,
}

/// The items that record whether a result came later than promised and,
/// when it did, whether the office apologised (the province's letter asks
/// departments to apologise for late or wrong results): `item`'s option
/// `option` is a late result; the yes/no item `apology` is asked after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LateResult {
    pub item: String,
    pub option: String,
    pub apology: String,
}

/// The key under which the one free-text question is declared and submitted.
pub const COMMENT_KEY: &str = "comment";
/// Longest accepted comment, in characters.
pub const COMMENT_MAX_CHARS: usize = 2000;

impl Survey {
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions().find(|q| q.key == key)
    }

    /// Likert items in definition order: the order of the compact score
    /// string stored with every response.
    pub fn likert_items(&self) -> impl Iterator<Item = &Question> {
        self.questions().filter(|q| q.kind == QuestionKind::Likert)
    }

    /// The series `question` belongs to: the earlier item it continues,
    /// else itself in this edition.
    pub fn series_of(&self, question: &Question) -> ItemRef {
        question.continues.clone().unwrap_or_else(|| ItemRef {
            edition: self.edition.clone(),
            key: question.key.clone(),
        })
    }

    /// For each item of `self` (the current questionnaire), the key the
    /// same question had in `earlier`, if `earlier` asked it: an item of the
    /// same series and kind. Answers stored under that key in a response to
    /// `earlier` are answers to this item; any other answer of `earlier` is
    /// to a question this one does not ask.
    ///
    /// Within an edition the key is the series, whatever `continues` says;
    /// across editions only `continues` joins two items. Either way an item
    /// whose answers would not mean the same is a new series: another kind,
    /// another answer scale, or other conditions (asked of other people).
    pub fn earlier_keys<'a>(&self, earlier: &'a Survey) -> HashMap<&str, &'a str> {
        let same_edition = self.edition == earlier.edition;
        let by_series: HashMap<ItemRef, &Question> = earlier
            .questions()
            .map(|q| {
                let series = if same_edition {
                    ItemRef {
                        edition: earlier.edition.clone(),
                        key: q.key.clone(),
                    }
                } else {
                    earlier.series_of(q)
                };
                (series, q)
            })
            .collect();
        self.questions()
            .filter_map(|q| {
                let series = if same_edition {
                    ItemRef {
                        edition: self.edition.clone(),
                        key: q.key.clone(),
                    }
                } else {
                    self.series_of(q)
                };
                let before = by_series.get(&series)?;
                let same_meaning = before.kind == q.kind
                    && before.rating_range() == q.rating_range()
                    && earlier.conditions_of(before) == self.conditions_of(q);
                same_meaning.then_some((q.key.as_str(), before.key.as_str()))
            })
            .collect()
    }

    /// The conditions under which `question` is asked: its section's and
    /// its own (both must hold).
    pub fn conditions_of<'a>(&'a self, question: &'a Question) -> Vec<&'a Condition> {
        match self
            .sections
            .iter()
            .find(|s| s.questions.iter().any(|q| q.key == question.key))
        {
            Some(section) => section.conditions_of(question),
            None => question.show_if.iter().collect(),
        }
    }

    pub fn comment_question(&self) -> Option<&Question> {
        self.questions().find(|q| q.kind == QuestionKind::Text)
    }

    /// The version identifier: a hash of the canonical serialisation, so
    /// reformatting a file does not create a version but any change of
    /// meaning (a label, an option, an order) does.
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("a survey always serialises");
        let digest = Sha256::digest(&canonical);
        hex::encode(&digest[..8])
    }
}

/// One exact version of a questionnaire: what a stored response points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyVersion {
    pub hash: String,
    pub survey: Survey,
}

impl SurveyVersion {
    pub fn new(survey: Survey) -> Self {
        SurveyVersion {
            hash: survey.content_hash(),
            survey,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameChange {
    pub from: NaiveDate,
    pub name: Localized,
    pub note: Option<Localized>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub code: String,
    pub name: Localized,
    /// Whether the department runs surveys (Home Affairs coordinates only).
    pub surveyed: bool,
    /// Whether its results are on the public results page.
    pub public_results: bool,
    /// Later names, oldest first; the code stays the same across them.
    pub history: Vec<NameChange>,
}

impl Department {
    /// The name in force at the end of a reported period, followed by
    /// today's when it has changed since: "Sở Kế hoạch và Đầu tư (nay là Sở
    /// Tài chính)". Reports name bodies as they were.
    pub fn name_as_of(&self, period_end: NaiveDate, today: NaiveDate, lang: Lang) -> String {
        let then = self.name_on(period_end).get(lang);
        let now = self.name_on(today).get(lang);
        if then == now {
            then.to_string()
        } else {
            format!("{then} ({} {now})", lang.pick("nay là", "now"))
        }
    }

    /// The name in force on `date`.
    pub fn name_on(&self, date: NaiveDate) -> &Localized {
        self.history
            .iter()
            .rev()
            .find(|change| change.from <= date)
            .map(|change| &change.name)
            .unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub code: String,
    pub department: String,
    pub name: Localized,
    pub commune: String,
    pub kind: String,
    /// The province it belonged to before the merger of 1 July 2025, when
    /// not An Giang.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub former_province: Option<String>,
    /// The first day it served citizens, when it opened after the surveys
    /// began (commune desks of the two-level government: 1 July 2025).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_from: Option<NaiveDate>,
    /// The last day it served citizens, when it has closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_until: Option<NaiveDate>,
    /// Earlier names and places, oldest first: `name` and `commune` above
    /// are those in force since the last entry's `until`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<EarlierPlace>,
}

/// What a service point was called, and where it was, until a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EarlierPlace {
    /// The first day the next name and place were in force.
    pub until: NaiveDate,
    /// The name then, when it differed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Localized>,
    /// The commune or, where the commune is not recorded, the district
    /// and province it lay in.
    pub locality: String,
}

/// The day An Giang and Kiên Giang became one province (and local
/// government two-level): figures of periods that begin before it mix
/// service points that belonged to two provinces.
pub fn province_merger() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("a valid date")
}

impl Unit {
    /// The name in force at the end of a period, followed by "(tỉnh Kiên
    /// Giang cũ)" when the period begins before the merger and the service
    /// point was then in another province.
    pub fn name_for(&self, (start, end): (NaiveDate, NaiveDate), lang: Lang) -> String {
        let name = self.name_on(end).get(lang);
        match &self.former_province {
            Some(province) if start < province_merger() => format!(
                "{name} ({} {province} {})",
                lang.pick("tỉnh", "former"),
                lang.pick("cũ", "province")
            ),
            _ => name.to_string(),
        }
    }

    fn earlier_on(&self, date: NaiveDate) -> Option<&EarlierPlace> {
        self.before.iter().find(|place| date < place.until)
    }

    /// The name in force on `date`.
    pub fn name_on(&self, date: NaiveDate) -> &Localized {
        self.earlier_on(date)
            .and_then(|place| place.name.as_ref())
            .unwrap_or(&self.name)
    }

    /// The commune (or recorded locality) in force on `date`.
    pub fn locality_on(&self, date: NaiveDate) -> &str {
        self.earlier_on(date)
            .map_or(self.commune.as_str(), |place| place.locality.as_str())
    }

    /// Whether it served citizens on `date`.
    pub fn open_on(&self, date: NaiveDate) -> bool {
        self.open_during(date, date)
    }

    /// Whether it served citizens on some day of `from..=to`.
    pub fn open_during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.open_from.is_none_or(|open| open <= to)
            && self.open_until.is_none_or(|close| close >= from)
    }
}

/// Who runs the service, named on every citizen page so that a page reached
/// from a QR code at a counter says whose it is (`site.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// The body responsible, e.g. "Ủy ban nhân dân tỉnh An Giang".
    pub authority: Localized,
    /// Where citizens can ask about the survey or their data.
    pub contact: Localized,
    /// How departments handle citizens' comments.
    #[serde(skip)]
    pub feedback: FeedbackSettings,
}

/// A topic a feedback item can be classified under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub key: String,
    pub name: Localized,
}

/// The target for answering feedback and the calendar it is counted on
/// (`site.toml`, `[feedback]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackSettings {
    /// An item is answered in time within this many working days of its
    /// response's date.
    pub target_working_days: u32,
    pub calendar: super::WorkingCalendar,
    pub topics: Vec<Topic>,
}

/// The default target: 15 working days.
pub const DEFAULT_FEEDBACK_TARGET_DAYS: u32 = 15;

impl FeedbackSettings {
    pub fn topic(&self, key: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.key == key)
    }
}

impl Default for FeedbackSettings {
    /// 15 working days, weekends only as days off, and topics of our own
    /// (no official list of feedback topics was found).
    fn default() -> FeedbackSettings {
        let topic = |key: &str, vi: &str, en: &str| Topic {
            key: key.to_string(),
            name: Localized {
                vi: vi.to_string(),
                en: en.to_string(),
            },
        };
        FeedbackSettings {
            target_working_days: DEFAULT_FEEDBACK_TARGET_DAYS,
            calendar: super::WorkingCalendar::default(),
            topics: vec![
                topic(
                    "attitude",
                    "Thái độ, tác phong cán bộ",
                    "Staff attitude and conduct",
                ),
                topic(
                    "time",
                    "Thời gian giải quyết, trễ hẹn",
                    "Processing time and delays",
                ),
                topic(
                    "procedure",
                    "Thủ tục, hồ sơ, giấy tờ",
                    "Procedures and paperwork",
                ),
                topic("fees", "Phí, lệ phí, chi phí", "Fees and costs"),
                topic(
                    "information",
                    "Thông tin, hướng dẫn",
                    "Information and guidance",
                ),
                topic(
                    "facilities",
                    "Cơ sở vật chất, nơi chờ",
                    "Facilities and waiting area",
                ),
                topic(
                    "online",
                    "Dịch vụ công trực tuyến",
                    "Online public services",
                ),
                topic("other", "Khác", "Other"),
            ],
        }
    }
}

impl Default for Site {
    /// A deployment that has not named itself.
    fn default() -> Site {
        let text = |vi: &str, en: &str| Localized {
            vi: vi.to_string(),
            en: en.to_string(),
        };
        Site {
            authority: text(
                "Khảo sát sự hài lòng của người dân",
                "Citizen satisfaction survey",
            ),
            contact: text(
                "Cơ quan vận hành chưa ghi thông tin liên hệ (survey-definitions/site.toml).",
                "The operator has not given a contact (survey-definitions/site.toml).",
            ),
            feedback: FeedbackSettings::default(),
        }
    }
}
