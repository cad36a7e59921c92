//! The written report: paragraphs in Vietnamese that Home Affairs pastes into
//! its periodic reform report, drafted from the numbers. Honest by
//! construction: a change that is not significant is never called an
//! increase or a decrease.

use crate::definitions::Catalog;
use crate::i18n::Lang;
use crate::i18n::{count, decimal, percent, points};
use crate::services::exports::ExportData;
use crate::services::feedback::FeedbackSummary;
use crate::services::indices::Weighting;
use crate::stats::{Comparison, Estimate, Verdict};

const VI: Lang = Lang::Vi;

/// One survey's paragraphs.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub paragraphs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub title: String,
    pub sections: Vec<Section>,
    pub method: String,
}

fn with_interval(e: &Estimate, level: f64) -> String {
    match (e.estimate, e.ci_low, e.ci_high) {
        (Some(v), Some(low), Some(high)) => format!(
            "{} (khoảng tin cậy {:.0}\u{a0}%: {} – {}; {} người trả lời)",
            percent(VI, v),
            level * 100.0,
            percent(VI, low),
            percent(VI, high),
            count(VI, e.n)
        ),
        (Some(v), _, _) => format!("{} ({} người trả lời)", percent(VI, v), count(VI, e.n)),
        _ => "chưa đủ số phiếu để công bố".into(),
    }
}

/// The sentence about the change since an earlier period, named as the
/// report names it ("quý II năm 2026", "cùng kỳ năm trước (quý III năm
/// 2025)").
pub fn change_sentence(comparison: &Comparison, earlier: &str) -> String {
    let significant = |direction: &str, difference: f64, p: f64| {
        format!(
            "So với {earlier}, chỉ số {direction} {} — thay đổi có ý nghĩa thống kê (p = {}).",
            points(VI, difference.abs()).trim_start_matches('+'),
            decimal(VI, p, 3)
        )
    };
    match comparison.verdict() {
        Verdict::Increase { difference, p } => significant("tăng", difference, p),
        Verdict::Decrease { difference, p } => significant("giảm", difference, p),
        Verdict::NoClearChange { difference, p } => format!(
            "So với {earlier}, không có thay đổi rõ rệt: chênh lệch {} nằm trong phạm vi sai số ngẫu nhiên của mẫu (p = {}).",
            points(VI, difference),
            decimal(VI, p, 2)
        ),
        Verdict::NotComparable => format!("Chưa so sánh được với {earlier} do thiếu số liệu ở một trong hai kỳ."),
    }
}

/// Questionnaires issued and returned in each wave, and what the intervals
/// assume when respondents were not drawn at random.
fn sample_sentences(sample: &crate::services::sampling::SampleSummary) -> Vec<String> {
    let mut out: Vec<String> = sample
        .waves
        .iter()
        .filter(|w| w.seed.is_some())
        .map(|w| {
            format!(
                "{} ({} – {}): phát ra {} phiếu, thu về {} phiếu, tỷ lệ phản hồi {}.",
                w.name,
                w.opens_on.format("%d/%m/%Y"),
                w.closes_on.format("%d/%m/%Y"),
                count(VI, w.issued as usize),
                count(VI, w.returned as usize),
                w.response_rate
                    .map_or_else(|| "—".to_string(), |r| crate::i18n::percent(VI, r))
            )
        })
        .collect();
    if !sample.random_only {
        let not_random: i64 = sample
            .respondents_by_design
            .iter()
            .filter(|(design, _)| {
                crate::domain::Design::parse(design).is_some_and(|d| !d.is_random())
            })
            .map(|(_, n)| n)
            .sum();
        out.push(format!(
            "Trong số phiếu có {} phiếu không do chọn mẫu ngẫu nhiên (người dân tự trả lời qua mã QR, đường dẫn, hoặc phiếu giấy không chọn mẫu): khoảng tin cậy được tính như với mẫu ngẫu nhiên và không phản ánh được sai lệch do người trả lời tự chọn.",
            count(VI, not_random as usize)
        ));
    }
    out
}

/// What a department did with the comments of the period, in one sentence.
pub fn feedback_sentence(department: &str, summary: &FeedbackSummary) -> String {
    let mut sentence = format!(
        "{department}: {} ý kiến của người dân (mới {}, đang xử lý {}, đã trả lời {}, không cần xử lý {})",
        count(VI, summary.total()),
        count(VI, summary.new),
        count(VI, summary.in_progress),
        count(VI, summary.answered),
        count(VI, summary.no_action)
    );
    if let Some(median) = summary.median_days_to_answer {
        sentence.push_str(&format!(
            "; thời gian trả lời trung vị {} ngày làm việc",
            decimal(VI, median, 1)
        ));
    }
    if let Some(share) = summary.share_in_time() {
        sentence.push_str(&format!(
            "; {} ý kiến đến hạn được trả lời trong {} ngày làm việc ({}/{})",
            percent(VI, share),
            summary.target_working_days,
            count(VI, summary.answered_in_time),
            count(VI, summary.due)
        ));
    }
    sentence.push('.');
    match summary.hidden {
        Some(hidden) => sentence.push_str(&format!(
            " {} ý kiến khác chưa hiển thị vì nơi phục vụ chưa đủ số phiếu tối thiểu trong quý.",
            count(VI, hidden)
        )),
        None if summary.some_hidden => sentence.push_str(
            " Một số ý kiến khác chưa hiển thị vì nơi phục vụ chưa đủ số phiếu tối thiểu trong quý.",
        ),
        None => {}
    }
    sentence
}

pub fn draft(data: &ExportData, catalog: &Catalog) -> Report {
    let period = &data.request.period;
    let (from, to) = period.bounds();
    let level = data.request.config.level;
    let today = data.generated_at.date_naive();
    let mut sections = Vec::new();
    for results in &data.surveys {
        let survey = &results.survey.survey;
        let department = catalog
            .department(&survey.department)
            .map(|d| d.name_as_of(to, today, VI))
            .unwrap_or_else(|| survey.department.clone());
        let current = &results.report.current;
        let overall = &current.estimates.overall;
        let mut paragraphs = Vec::new();
        paragraphs.push(format!(
            "{}: chỉ số hài lòng chung {} là {}.",
            survey.title.vi,
            period.name(VI),
            with_interval(overall, level)
        ));
        let mean = &current.mean_scores.overall;
        if let (Some(m), false) = (mean.estimate, mean.suppressed) {
            let bounds = match (mean.ci_low, mean.ci_high) {
                (Some(low), Some(high)) => format!(
                    " (khoảng tin cậy {:.0}\u{a0}%: {} – {})",
                    level * 100.0,
                    decimal(VI, low, 2),
                    decimal(VI, high, 2)
                ),
                _ => String::new(),
            };
            paragraphs.push(format!(
                "Điểm trung bình chung (thang điểm của phiếu): {}{bounds}.",
                decimal(VI, m, 2)
            ));
        }
        paragraphs.extend(sample_sentences(&results.report.sample));
        for (question, estimates) in
            crate::services::indices::other_items::questions(survey).zip(&current.other_items)
        {
            let Some(e) = estimates.mean.as_ref().filter(|e| !e.suppressed) else {
                continue;
            };
            let (Some(m), Some(low), Some(high)) = (e.estimate, e.ci_low, e.ci_high) else {
                continue;
            };
            paragraphs.push(format!(
                "“{}”: trung bình {}\u{a0}% (khoảng tin cậy {:.0}\u{a0}%: {} – {}; {} người trả lời).",
                question.label.vi,
                decimal(VI, m, 1),
                level * 100.0,
                decimal(VI, low, 1),
                decimal(VI, high, 1),
                count(VI, e.n)
            ));
        }
        // Increase, decrease or no clear change are said of random samples
        // only: a test of significance means nothing for self-selection.
        let random = results.report.random_sample();
        if !random && (results.report.compare.is_some() || results.report.year_ago.is_some()) {
            paragraphs.push(
                "Không kết luận tăng hay giảm so với kỳ trước và cùng kỳ năm trước: số liệu gồm phiếu không do chọn mẫu ngẫu nhiên, nên kiểm định ý nghĩa thống kê không áp dụng được.".to_string(),
            );
        }
        if let Some(compare) = results.report.compare.as_ref().filter(|_| random) {
            paragraphs.push(change_sentence(
                &compare.overall,
                &compare.previous.period.name(VI),
            ));
        }
        if let Some(year_ago) = &results.report.year_ago {
            if random {
                paragraphs.push(change_sentence(
                    &year_ago.overall,
                    &format!("cùng kỳ năm trước ({})", year_ago.previous.period.name(VI)),
                ));
            }
            let since = year_ago.previous.period.bounds().0;
            if let Some(note) = catalog.merger_note(&survey.department, Some(since), to, VI) {
                paragraphs.push(note);
            }
        }
        // The three weakest criteria with a shown estimate.
        let labels: Vec<&str> = survey.likert_items().map(|q| q.label.vi.as_str()).collect();
        let mut items: Vec<(&str, f64)> = current
            .estimates
            .elements
            .iter()
            .flat_map(|e| &e.items)
            .filter(|i| !i.index.suppressed)
            .filter_map(|i| Some((labels[i.item], i.index.estimate?)))
            .collect();
        items.sort_by(|a, b| a.1.total_cmp(&b.1));
        if !items.is_empty() {
            let weakest: Vec<String> = items
                .iter()
                .take(3)
                .map(|(label, v)| format!("“{}” ({})", label, percent(VI, *v)))
                .collect();
            paragraphs.push(format!(
                "Các tiêu chí có mức hài lòng thấp nhất: {}.",
                weakest.join("; ")
            ));
        }
        // Service points clearly below the provincial level: the whole
        // interval under the survey's overall estimate.
        if let Some(provincial) = overall.estimate.filter(|_| !overall.suppressed) {
            let below: Vec<String> = results
                .units
                .iter()
                .filter(|u| {
                    !u.overall.suppressed && u.overall.ci_high.is_some_and(|high| high < provincial)
                })
                .map(|u| {
                    let name = catalog
                        .unit(&u.unit)
                        .map_or(u.unit.clone(), |unit| unit.name_for((from, to), VI));
                    format!(
                        "{name} ({})",
                        percent(VI, u.overall.estimate.unwrap_or_default())
                    )
                })
                .collect();
            paragraphs.push(if below.is_empty() {
                "Không có nơi phục vụ nào thấp hơn rõ rệt so với mức chung của tỉnh.".into()
            } else {
                format!(
                    "Nơi phục vụ thấp hơn rõ rệt so với mức chung của tỉnh: {}.",
                    below.join("; ")
                )
            });
        }
        if survey.late_result.is_some() {
            let shares: Vec<String> = results
                .units
                .iter()
                .filter_map(|u| {
                    let late = u.late.as_ref()?;
                    late.late.estimate.filter(|_| !late.late.suppressed)?;
                    let name = catalog
                        .unit(&u.unit)
                        .map_or(u.unit.clone(), |unit| unit.name_for((from, to), VI));
                    let apology = if late.apology.suppressed || late.apology.estimate.is_none() {
                        "số người trễ hẹn quá ít để nêu tỷ lệ xin lỗi".to_string()
                    } else {
                        format!("được xin lỗi {}", with_interval(&late.apology, level))
                    };
                    Some(format!(
                        "{name}: trễ hẹn {}, {apology}",
                        with_interval(&late.late, level)
                    ))
                })
                .collect();
            if !shares.is_empty() {
                paragraphs.push(format!(
                    "Trả kết quả trễ hẹn và xin lỗi (theo người trả lời): {}.",
                    shares.join("; ")
                ));
            }
        }
        let gaps: Vec<String> = results
            .units
            .iter()
            .filter(|u| u.respondents == 0)
            .map(|u| {
                catalog
                    .unit(&u.unit)
                    .map_or(u.unit.clone(), |unit| unit.name_for((from, to), VI))
            })
            .collect();
        if !gaps.is_empty() {
            paragraphs.push(format!(
                "Chưa có phiếu khảo sát trong kỳ tại: {}.",
                gaps.join("; ")
            ));
        }
        let small: Vec<String> = results
            .units
            .iter()
            .filter(|u| u.respondents > 0 && u.overall.suppressed)
            .map(|u| {
                catalog
                    .unit(&u.unit)
                    .map_or(u.unit.clone(), |unit| unit.name_for((from, to), VI))
            })
            .collect();
        if !small.is_empty() {
            paragraphs.push(format!(
                "Số phiếu tại {} còn dưới {} nên kết quả không được công bố riêng.",
                small.join("; "),
                data.request.config.min_cell
            ));
        }
        sections.push(Section {
            title: format!("{department} — {}", survey.title.vi),
            paragraphs,
        });
    }
    let feedback: Vec<String> = data
        .feedback
        .iter()
        .filter(|(_, summary)| summary.total() > 0 || summary.some_hidden)
        .map(|(code, summary)| {
            let department = catalog
                .department(code)
                .map(|d| d.name_as_of(to, today, VI))
                .unwrap_or_else(|| code.clone());
            feedback_sentence(&department, summary)
        })
        .collect();
    if !feedback.is_empty() {
        sections.push(Section {
            title: "Tiếp nhận và xử lý ý kiến của người dân".into(),
            paragraphs: feedback,
        });
    }
    let weighting = match data.request.weighting {
        Weighting::None => "không dùng quyền số, mỗi phiếu tính như nhau (như số liệu chính thức)",
        Weighting::Volume => {
            "có quyền số theo số giao dịch của từng nơi phục vụ, có hiệu chỉnh tổng thể hữu hạn"
        }
    };
    let method = format!(
        "Phương pháp: chỉ số của mỗi tiêu chí là tỷ lệ câu trả lời hợp lệ ở mức “hài lòng” hoặc “rất hài lòng” \
         (câu “không áp dụng” không tính vào mẫu số); chỉ số nhóm là trung bình các tiêu chí, chỉ số chung theo quy tắc \
         của từng phiếu. Số liệu {} tính từ ngày {} đến ngày {} ({}), {}. Khoảng tin cậy {:.0}\u{a0}% tính theo \
         phương pháp tuyến tính hóa Taylor (Wilson cho từng tiêu chí, logit cho chỉ số tổng hợp). Chỉ những thay đổi \
         có ý nghĩa thống kê (p < {}) mới được nêu chiều hướng, và chỉ khi mọi phiếu được tính đều do chọn mẫu \
         ngẫu nhiên (phiếu mời có mã, phiếu giấy chọn mẫu); khi có ít nhất {} phiếu chọn ngẫu nhiên, chỉ số chỉ tính \
         trên các phiếu đó. Kết quả dựa trên dưới {} người trả lời không được công bố; \
         dưới {} người trả lời được ghi chú là độ tin cậy thấp.",
        period.name(VI),
        from.format("%d/%m/%Y"),
        to.format("%d/%m/%Y"),
        match period.mode {
            crate::domain::PeriodMode::Calendar => "theo lịch",
            crate::domain::PeriodMode::Reporting => "theo kỳ báo cáo, chốt số liệu ngày 14",
        },
        weighting,
        level * 100.0,
        decimal(VI, 1.0 - level, 2),
        data.request.config.min_reliable,
        data.request.config.min_cell,
        data.request.config.min_reliable,
    );
    Report {
        title: format!(
            "Kết quả khảo sát sự hài lòng của người dân {}",
            period.name(VI)
        ),
        sections,
        method,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(difference: f64, p: f64) -> Comparison {
        Comparison {
            difference: Some(difference),
            se: Some(0.01),
            z: Some(difference / 0.01),
            p: Some(p),
            significant: p < 0.05,
        }
    }

    #[test]
    fn changes_are_called_increases_or_decreases_only_when_significant() {
        let up = change_sentence(&comparison(0.061, 0.001), "quý II năm 2026");
        assert!(up.contains("tăng 6,1"), "{up}");
        let down = change_sentence(&comparison(-0.052, 0.01), "quý II năm 2026");
        assert!(down.contains("giảm 5,2"), "{down}");
        for (d, p) in [(0.03, 0.2), (-0.03, 0.2), (0.0, 1.0)] {
            let unclear = change_sentence(&comparison(d, p), "quý II năm 2026");
            assert!(unclear.contains("không có thay đổi rõ rệt"), "{unclear}");
            assert!(
                !unclear.contains("tăng") && !unclear.contains("giảm"),
                "{unclear}"
            );
        }
        let none = change_sentence(
            &Comparison {
                difference: None,
                se: None,
                z: None,
                p: None,
                significant: false,
            },
            "quý II năm 2026",
        );
        assert!(!none.contains("tăng") && !none.contains("giảm"), "{none}");
    }
}
