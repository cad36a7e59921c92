//! Feedback items: where what a department does with a citizen's comment
//! stands.

use super::stored_text::text_enum;
use crate::i18n::Lang;

text_enum! {
    /// Where a feedback item stands: `new` until someone takes it up,
    /// `in_progress` while it is looked into, then `answered` (with a public
    /// answer) or `no_action` (nothing to answer: thanks, praise, off topic).
    FeedbackStatus {
        New => "new",
        InProgress => "in_progress",
        Answered => "answered",
        NoAction => "no_action",
    }
}

impl FeedbackStatus {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            FeedbackStatus::New => lang.pick("Mới", "New"),
            FeedbackStatus::InProgress => lang.pick("Đang xử lý", "In progress"),
            FeedbackStatus::Answered => lang.pick("Đã trả lời", "Answered"),
            FeedbackStatus::NoAction => lang.pick("Không cần xử lý", "No action needed"),
        }
    }

    /// Whether the item still waits for the department.
    pub fn open(self) -> bool {
        matches!(self, FeedbackStatus::New | FeedbackStatus::InProgress)
    }
}
