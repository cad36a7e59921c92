//! The terms the staff pages, exports and the written report use, in plain
//! Vietnamese (and English): one list, shown at `/glossary` (linked from
//! every staff page) and in the workbook's method sheet.

use crate::i18n::Lang;

/// (term, meaning) in Vietnamese, then in English.
pub struct Term {
    pub vi: (&'static str, &'static str),
    pub en: (&'static str, &'static str),
}

impl Term {
    pub fn get(&self, lang: Lang) -> (&'static str, &'static str) {
        match lang {
            Lang::Vi => self.vi,
            Lang::En => self.en,
        }
    }
}

pub const TERMS: &[Term] = &[
    Term {
        vi: ("Chỉ số hài lòng", "Tỷ lệ câu trả lời ở mức “hài lòng” hoặc “rất hài lòng” trong số câu trả lời hợp lệ; câu “không áp dụng” không tính. Chỉ số nhóm là trung bình các tiêu chí của nhóm; chỉ số chung theo cách tính của từng phiếu."),
        en: ("Satisfaction index", "The share of valid answers at “satisfied” or “very satisfied”; “not applicable” is not counted. An element's index is the mean of its items; the overall index follows each questionnaire's rule."),
    },
    Term {
        vi: ("Tỷ lệ hài lòng chung", "Số câu trả lời ở mức 4 hoặc 5 chia cho tổng số câu trả lời hợp lệ của mọi tiêu chí (cách tính của Bộ Y tế). Khác với chỉ số chung tính bằng trung bình các nhóm."),
        en: ("Overall satisfaction rate", "Answers at 4 or 5 divided by all valid answers to every item (the Ministry of Health's figure). Not the same as an overall index computed as a mean of elements."),
    },
    Term {
        vi: ("Tỷ lệ hài lòng toàn diện", "Tỷ lệ người trả lời hài lòng với mọi tiêu chí mà họ đã trả lời."),
        en: ("Comprehensive satisfaction", "The share of respondents satisfied with every item they answered."),
    },
    Term {
        vi: ("Điểm trung bình", "Trung bình số điểm của các câu trả lời hợp lệ, theo thang điểm của câu hỏi (thường từ 1 đến 5)."),
        en: ("Mean score", "The average of the points of the valid answers, on the question's scale (usually 1 to 5)."),
    },
    Term {
        vi: ("Khoảng tin cậy", "Khoảng giá trị mà chỉ số thật của toàn bộ người dân được phục vụ có khả năng cao (ví dụ 95\u{a0}%) nằm trong đó, khi mẫu được chọn ngẫu nhiên. Mẫu càng lớn, khoảng càng hẹp."),
        en: ("Confidence interval", "The range that very probably (e.g. 95\u{a0}%) holds the true figure for everyone served, when the sample is random. The larger the sample, the narrower the range."),
    },
    Term {
        vi: ("Có ý nghĩa thống kê", "Chênh lệch giữa hai kỳ lớn hơn mức có thể do ngẫu nhiên của mẫu (p nhỏ hơn ngưỡng). Chỉ khi đó mới nói “tăng” hay “giảm”; nếu không, ghi “không có thay đổi rõ rệt”."),
        en: ("Statistically significant", "A change larger than sampling chance would explain (p below the threshold). Only then is it called an increase or a decrease; otherwise “no clear change”."),
    },
    Term {
        vi: ("Điểm phần trăm", "Đơn vị của chênh lệch giữa hai tỷ lệ: từ 80\u{a0}% lên 83\u{a0}% là tăng 3 điểm phần trăm."),
        en: ("Percentage points", "The unit of a difference between two rates: from 80\u{a0}% to 83\u{a0}% is 3 points up."),
    },
    Term {
        vi: ("Cùng kỳ năm trước", "Cùng quý, 6 tháng, 9 tháng, tháng hoặc năm của năm liền trước, theo cùng cách tính kỳ."),
        en: ("Same period last year", "The same quarter, half, nine months, month or year of the year before, counted the same way."),
    },
    Term {
        vi: ("Kỳ báo cáo, theo lịch", "Theo kỳ báo cáo: kỳ chốt số liệu ngày 14 của tháng cuối kỳ và bắt đầu ngày 15 của tháng trước tháng đầu kỳ (quý I: 15/12 – 14/3). Theo lịch: từ ngày đầu đến ngày cuối của các tháng trong kỳ."),
        en: ("Reporting and calendar periods", "Reporting: a period closes on the 14th of its last month and starts on the 15th of the month before its first (Q1: 15 Dec – 14 Mar). Calendar: the first to the last day of its months."),
    },
    Term {
        vi: ("Quyền số", "Khi tính theo quyền số, phiếu ở nơi phục vụ có nhiều giao dịch mà ít phiếu được tính nặng hơn, để kết quả đại diện cho số người được phục vụ. Mặc định không dùng quyền số, như số liệu chính thức."),
        en: ("Weighting", "Weighted, responses from a service point with many transactions but few responses count more, so that the result represents everyone served. By default nothing is weighted, as in the official figures."),
    },
    Term {
        vi: ("Ẩn (dưới ngưỡng)", "Số liệu tính từ quá ít người trả lời (dưới ngưỡng, mặc định 5) không được công bố, để không ai bị nhận ra."),
        en: ("Suppressed (below the threshold)", "A figure from too few respondents (below the threshold, 5 by default) is not published, so that nobody can be recognised."),
    },
    Term {
        vi: ("Không công bố để bảo vệ người trả lời", "Một số liệu khác (kỳ lồng nhau, cách tính kỳ khác, hoặc một nơi phục vụ so với cả sở) chỉ khác số liệu này vài người trả lời; công bố cả hai sẽ làm lộ câu trả lời của họ, nên cả hai đều không công bố."),
        en: ("Withheld to protect respondents", "Another figure (a nested period, the other way of counting periods, or one service point against its department) differs from this one by only a few respondents; publishing both would reveal their answers, so neither is published."),
    },
    Term {
        vi: ("Độ tin cậy thấp", "Kết quả tính từ dưới 30 người trả lời: vẫn công bố nhưng cần thận trọng khi so sánh."),
        en: ("Low reliability", "A figure from fewer than 30 respondents: published, but compare with care."),
    },
    Term {
        vi: ("Chưa có phiếu trong kỳ", "Nơi phục vụ có giao dịch trong kỳ nhưng chưa có phiếu khảo sát nào; kết quả của sở không đại diện cho nơi này."),
        en: ("No responses in the period", "A service point with transactions in the period but no response; the department's figure does not represent it."),
    },
];
