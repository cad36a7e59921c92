//! Types that parse at the boundary: once a value of these types exists it is
//! valid, so the rest of the code does not re-check it.

mod access;
mod answers;
mod feedback;
mod invitation;
pub mod pages;
mod period;
mod stored_text;
mod submission;

pub use access::{Access, Role, RoleKind};

pub use answers::{Answer, Answers, Score};
pub use feedback::FeedbackStatus;
pub use invitation::InvitationCode;
pub use period::{Period, PeriodDescription, PeriodKind, PeriodMode};
pub use submission::{answer_field, FieldError, FieldErrors, RawSubmission, RawValue, Submission};

use std::fmt;

/// Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed
/// offset is exact for Asia/Ho_Chi_Minh.
pub fn vietnam_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Today's date in Asia/Ho_Chi_Minh by the system clock (see
/// `app::Clock`, which the service asks instead).
pub fn system_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&vietnam_offset())
        .date_naive()
}

use uuid::Uuid;

use stored_text::text_enum;

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

text_enum! {
    /// How a response reached us.
    Channel {
        Web => "web",
        Api => "api",
        Paper => "paper",
        Simulated => "simulated",
        Kiosk => "kiosk",
    }
}

text_enum! {
    /// How a response came to be in the sample: `probability` with an
    /// invitation code drawn at random from the transactions;
    /// `self_selected` whoever chose to answer (QR poster, link, kiosk, web);
    /// `paper_sampled` a paper form handed to a respondent drawn at random;
    /// `paper_unsampled` a paper form not known to have been so handed out.
    Design {
        Probability => "probability",
        SelfSelected => "self_selected",
        PaperSampled => "paper_sampled",
        PaperUnsampled => "paper_unsampled",
        Simulated => "simulated",
    }
}

impl Design {
    /// Whether the respondent was drawn at random, so that an interval's
    /// assumption of random selection holds. Simulated responses are drawn
    /// at random from a model, so they count as such (demonstrations only).
    pub fn is_random(self) -> bool {
        matches!(
            self,
            Design::Probability | Design::PaperSampled | Design::Simulated
        )
    }
}
