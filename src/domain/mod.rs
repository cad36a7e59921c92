//! Types that parse at the boundary: once a value of these types exists it is
//! valid, so the rest of the code does not re-check it.

mod answers;
mod period;
mod submission;

pub use answers::{Answer, Answers, Score};
pub use period::{Period, PeriodKind, PeriodMode};
pub use submission::{answer_field, FieldError, FieldErrors, RawSubmission, RawValue, Submission};

use chrono::{FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use std::fmt;
use uuid::Uuid;

/// Language of a page. Vietnamese unless the citizen asks for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// `?lang=en` selects English; anything else keeps Vietnamese.
    pub fn from_query(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Vi,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// The id a client chooses for a response before sending it, so that a retry
/// is recognised as the same response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseId(Uuid);

impl ResponseId {
    pub fn new_random() -> Self {
        ResponseId(Uuid::new_v4())
    }

    pub fn parse(text: &str) -> Option<Self> {
        Uuid::try_parse(text.trim())
            .ok()
            .filter(|u| !u.is_nil())
            .map(ResponseId)
    }

    pub fn from_uuid(uuid: Uuid) -> Self {
        ResponseId(uuid)
    }
}

impl fmt::Display for ResponseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// How a response reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Web,
    Api,
    Paper,
    Simulated,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Web,
        Channel::Api,
        Channel::Paper,
        Channel::Simulated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Paper => "paper",
            Channel::Simulated => "simulated",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed
/// offset is exact for Asia/Ho_Chi_Minh.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Today's date in Asia/Ho_Chi_Minh: the only time information stored with
/// a response.
pub fn today_in_vietnam() -> NaiveDate {
    Utc::now().with_timezone(&vietnam_offset()).date_naive()
}
