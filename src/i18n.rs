//! Languages and the way each writes numbers and periods: what the pages,
//! the workbook and the written report share. Vietnamese is the default.

use serde::Serialize;

/// Language of a page or a document. Vietnamese unless English is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, clap::ValueEnum)]
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

/// A proportion (0–1) as a percentage with one decimal: 84,2 % in
/// Vietnamese, 84.2% in English.
pub fn percent(lang: Lang, proportion: f64) -> String {
    let text = format!("{:.1}", proportion * 100.0);
    match lang {
        // A no-break space keeps "84,2 %" on one line.
        Lang::Vi => format!("{}\u{a0}%", text.replace('.', ",")),
        Lang::En => format!("{text}%"),
    }
}

/// A difference of proportions in percentage points, signed.
pub fn points(lang: Lang, difference: f64) -> String {
    let text = format!("{:+.1}", difference * 100.0);
    match lang {
        Lang::Vi => format!("{}\u{a0}điểm phần trăm", text.replace('.', ",")),
        Lang::En => format!("{text} points"),
    }
}

/// A flag on an estimate in plain words.
pub fn flag_words(lang: Lang, flag: crate::stats::Flag) -> &'static str {
    use crate::stats::Flag;
    match flag {
        Flag::LowReliability => lang.pick(
            "độ tin cậy thấp (dưới 30 người trả lời)",
            "low reliability (fewer than 30 respondents)",
        ),
        Flag::SingleRespondentStratum => lang.pick(
            "có nơi phục vụ chỉ một phiếu",
            "a service point with one response",
        ),
        Flag::NoValidAnswers => lang.pick("chưa có câu trả lời hợp lệ", "no valid answer"),
        Flag::Withheld => lang.pick(
            "không công bố để bảo vệ người trả lời",
            "withheld to protect respondents",
        ),
    }
}

/// A number with `places` decimals (mean scores, p-values).
pub fn decimal(lang: Lang, value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A count with thousands separators (1.234 in Vietnamese, 1,234 in English).
pub fn count(lang: Lang, n: usize) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_and_english_number_formats() {
        assert_eq!(percent(Lang::Vi, 0.84213), "84,2\u{a0}%");
        assert_eq!(percent(Lang::En, 0.84213), "84.2%");
        assert_eq!(points(Lang::Vi, 0.031), "+3,1\u{a0}điểm phần trăm");
        assert_eq!(points(Lang::En, -0.004), "-0.4 points");
        assert_eq!(decimal(Lang::Vi, 3.857, 2), "3,86");
        assert_eq!(count(Lang::Vi, 1234567), "1.234.567");
        assert_eq!(count(Lang::En, 999), "999");
        assert_eq!(count(Lang::En, 1000), "1,000");
    }

    #[test]
    fn only_english_is_recognised_besides_the_vietnamese_default() {
        assert_eq!(Lang::from_query(Some("EN")), Lang::En);
        assert_eq!(Lang::from_query(Some("fr")), Lang::Vi);
        assert_eq!(Lang::from_query(None), Lang::Vi);
    }
}
