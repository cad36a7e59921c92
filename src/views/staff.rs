//! Staff pages: login, the department dashboard, the Home Affairs overview,
//! account administration. Every number is formatted from the same
//! estimates the index API returns.

use maud::{html, Markup};

use super::charts::{ci_bar, trend};
use super::layout::frame;
use crate::definitions::{Catalog, Localized};
use crate::domain::{Period, PeriodMode};
use crate::i18n::{count, decimal, flag_words, percent, points, Lang};
use crate::services::access::accounts::AccountSummary;
use crate::services::indices::dashboard::{OverviewLine, SurveyPanel};
use crate::stats::{Comparison, Estimate, Flag, Verdict};

/// Who is signed in, for the header: the name shown and the session's
/// CSRF token for the sign-out form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub username: String,
    pub csrf: String,
}

pub(crate) fn nav(lang: Lang, viewer: Option<&Viewer>) -> Markup {
    match viewer {
        None => html! {},
        Some(viewer) => html! {
            a href={ "/glossary?lang=" (lang.code()) } { (lang.pick("Giải thích thuật ngữ", "Glossary")) }
            span { (viewer.username) }
            form method="post" action={ "/logout?lang=" (lang.code()) } {
                input type="hidden" name="csrf" value=(viewer.csrf);
                button type="submit" { (lang.pick("Đăng xuất", "Sign out")) }
            }
        },
    }
}

pub(crate) fn staff_frame(
    lang: Lang,
    title: &str,
    path: &str,
    viewer: Option<&Viewer>,
    body: Markup,
) -> Markup {
    frame(lang, None, title, Some(path), nav(lang, viewer), true, body)
}

/// The glossary of the terms the figures use.
pub fn glossary(lang: Lang, viewer: Option<&Viewer>) -> Markup {
    let title = lang.pick("Giải thích thuật ngữ", "Glossary");
    let body = html! {
        h1 { (title) }
        dl.glossary {
            @for term in crate::glossary::TERMS {
                @let (name, meaning) = term.get(lang);
                dt { (name) }
                dd { (meaning) }
            }
        }
    };
    staff_frame(lang, title, "/glossary", viewer, body)
}

pub fn login(lang: Lang, csrf: &str, next: &str, message: Option<&str>, username: &str) -> Markup {
    let title = lang.pick("Đăng nhập cán bộ", "Staff sign-in");
    let body = html! {
        h1 { (title) }
        @if let Some(message) = message { p.summary role="alert" { (message) } }
        form method="post" action={ "/login?lang=" (lang.code()) } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            fieldset {
                legend { (title) }
                p { label for="username" { (lang.pick("Tên đăng nhập", "Username")) } br;
                    input #username type="text" name="username" value=(username) autocomplete="username" required; }
                p { label for="password" { (lang.pick("Mật khẩu", "Password")) } br;
                    input #password type="password" name="password" autocomplete="current-password" required; }
            }
            button type="submit" { (lang.pick("Đăng nhập", "Sign in")) }
        }
    };
    staff_frame(lang, title, "/login", None, body)
}

fn flags(lang: Lang, estimate: &Estimate) -> Markup {
    html! {
        @for flag in &estimate.flags {
            @match flag {
                Flag::NoValidAnswers => {},
                Flag::Withheld => span.flag title=(lang.pick("Một số liệu khác chỉ khác số liệu này vài người trả lời; công bố cả hai sẽ làm lộ câu trả lời của họ", "Another figure differs from this one by only a few respondents; publishing both would reveal their answers")) { (flag_words(lang, *flag)) },
                _ => span.flag { (flag_words(lang, *flag)) },
            }
        }
    }
}

/// Said above a table that may be wider than a phone's screen (shown on
/// narrow screens only); the table's box can be scrolled with the keyboard.
pub(crate) fn cue(lang: Lang) -> Markup {
    html! {
        p.cue aria-hidden="true" { "↔ " (lang.pick("Bảng rộng: vuốt ngang để xem hết", "Wide table: swipe sideways to see all of it")) }
    }
}

/// "84,2 %" or a suppression notice.
pub(crate) fn value(lang: Lang, estimate: &Estimate) -> Markup {
    match estimate.estimate {
        Some(v) if !estimate.suppressed => html! { (percent(lang, v)) },
        _ if estimate.flags.contains(&Flag::Withheld) => {
            html! { span.suppressed { (lang.pick("không công bố", "withheld")) } }
        }
        _ => html! { span.suppressed { (lang.pick("ẩn (dưới ngưỡng)", "suppressed")) } },
    }
}

/// A mean (a score in points, a percent answer) with `places` decimals, or
/// why it is not shown.
fn mean_value(lang: Lang, estimate: &Estimate, places: usize) -> Markup {
    match estimate.estimate {
        Some(v) if !estimate.suppressed => html! { (decimal(lang, v, places)) },
        _ => value(lang, estimate),
    }
}

fn mean_interval(lang: Lang, estimate: &Estimate, places: usize) -> String {
    match (estimate.ci_low, estimate.ci_high) {
        (Some(low), Some(high)) if !estimate.suppressed => format!(
            "{} – {}",
            decimal(lang, low, places),
            decimal(lang, high, places)
        ),
        _ => "—".into(),
    }
}

pub(crate) fn interval(lang: Lang, estimate: &Estimate) -> String {
    match (estimate.ci_low, estimate.ci_high) {
        (Some(low), Some(high)) if !estimate.suppressed => {
            format!("{} – {}", percent(lang, low), percent(lang, high))
        }
        _ => "—".into(),
    }
}

/// The change since an earlier period in plain words; a change that is not
/// significant is never called an increase or a decrease.
pub fn change_words(lang: Lang, comparison: &Comparison, earlier: &Period) -> Markup {
    let label = earlier.name(lang);
    let significant = |class: &str, vi: &str, en: &str, difference: f64, p: f64| {
        html! {
            span class=(class) { (lang.pick(vi, en)) " " (points(lang, difference.abs()).trim_start_matches('+')) }
            " " (lang.pick("so với ", "since ")) (label)
            " (" (lang.pick("có ý nghĩa thống kê", "statistically significant")) ", p = " (decimal(lang, p, 3)) ")"
        }
    };
    match comparison.verdict() {
        Verdict::Increase { difference, p } => significant("up", "Tăng", "Up", difference, p),
        Verdict::Decrease { difference, p } => significant("down", "Giảm", "Down", difference, p),
        Verdict::NoClearChange { p, .. } => html! {
            (lang.pick("Không có thay đổi rõ rệt so với ", "No clear change since ")) (label)
            " (p = " (decimal(lang, p, 2)) ")"
        },
        Verdict::NotComparable => html! {
            span.suppressed { (lang.pick("Không so sánh được với ", "Cannot compare with ")) (label) (lang.pick(" (thiếu dữ liệu)", " (not enough data)")) }
        },
    }
}

/// Links to the written report and every export, for the period and mode
/// on screen (one department's, or all for the overview).
fn report_links(lang: Lang, period: &Period, department: Option<&str>) -> Markup {
    let mut query = format!(
        "period={}&mode={}&lang={}",
        period.label(),
        period.mode.as_str(),
        lang.code()
    );
    if let Some(code) = department {
        query.push_str("&department=");
        query.push_str(code);
    }
    html! {
        nav.links aria-label=(lang.pick("Báo cáo và tải về", "Report and downloads")) {
            a href={ "/report?" (query) } { (lang.pick("Báo cáo (bản in)", "Written report (printable)")) }
            " · " a href={ "/report.docx?" (query) } { (lang.pick("Báo cáo (Word)", "Written report (Word)")) }
            " · " a href={ "/export/indices.xlsx?" (query) } { (lang.pick("Bảng tính Excel", "Excel workbook")) }
            " · " a href={ "/export/indices.csv?" (query) } { "CSV" }
            " · " a href={ "/export/indices.json?" (query) } { "JSON" }
            " · " a href={ "/export/appendix.csv?" (query) } { (lang.pick("Phụ lục xếp hạng (CSV)", "Ranked appendix (CSV)")) }
            " · " a href={ "/waves?lang=" (lang.code()) } { (lang.pick("Đợt khảo sát chọn mẫu ngẫu nhiên", "Survey waves (random samples)")) }
            @if let Some(code) = department {
                " · " a href={ "/posters/" (code) } { (lang.pick("Áp phích mã QR cho các quầy", "QR posters for the counters")) }
            }
        }
    }
}

/// The period on screen, named, with its days and whether it is still in
/// progress; a form to pick another: recent quarters, halves, nine months
/// and years offered (a datalist), any other label typed.
fn period_form(lang: Lang, action: &str, period: &Period, today: chrono::NaiveDate) -> Markup {
    let (from, to) = period.bounds();
    let in_progress = lang.pick("đang diễn ra", "in progress");
    let recent = Period::recent(today, period.mode);
    html! {
        p.period {
            strong { (period.name(lang)) }
            " (" (from.format("%d/%m/%Y")) " – " (to.format("%d/%m/%Y"))
            @if to >= today { "; " (in_progress) }
            ")"
        }
        form.filters method="get" action=(action) {
            input type="hidden" name="lang" value=(lang.code());
            div { label for="period" { (lang.pick("Kỳ (chọn hoặc gõ, vd. 2026-Q3, 2026-H1, 2026-M9, 2026)", "Period (pick or type, e.g. 2026-Q3, 2026-H1, 2026-M9, 2026)")) }
                input #period type="text" name="period" value=(period.label()) size="24" list="recent-periods";
                datalist #recent-periods {
                    @for (recent, running) in &recent {
                        option value=(recent.label()) {
                            (recent.name(lang)) @if *running { " (" (in_progress) ")" }
                        }
                    }
                }
            }
            div { label for="mode" { (lang.pick("Cách tính kỳ", "Period mode")) }
                select #mode name="mode" {
                    option value="calendar" selected[period.mode == PeriodMode::Calendar] { (lang.pick("Theo lịch", "Calendar")) }
                    option value="reporting" selected[period.mode == PeriodMode::Reporting] { (lang.pick("Kỳ báo cáo (chốt ngày 14)", "Reporting (cut-off on the 14th)")) }
                }
            }
            button type="submit" { (lang.pick("Xem", "Show")) }
        }
    }
}

/// A whole percentage, e.g. a confidence level or a progress share.
fn percent_label(lang: Lang, proportion: f64) -> String {
    let text = format!("{:.0}", proportion * 100.0);
    match lang {
        Lang::Vi => format!("{text}\u{a0}%"),
        Lang::En => format!("{text}%"),
    }
}

/// A service point's name, saying which province it was in for a period
/// that begins before the 2025 merger.
fn unit_name(catalog: &Catalog, code: &str, period: &Period, lang: Lang) -> String {
    catalog
        .unit(code)
        .map(|u| u.name_for(period.bounds(), lang))
        .unwrap_or_else(|| code.to_string())
}

pub struct DepartmentPage<'a> {
    pub lang: Lang,
    pub viewer: &'a Viewer,
    pub catalog: &'a Catalog,
    pub department: &'a str,
    pub department_name: &'a Localized,
    pub period: Period,
    pub panels: Vec<SurveyPanel>,
    /// Counts of the department's feedback items of the period.
    pub feedback: crate::services::feedback::FeedbackSummary,
    /// Whether the viewer is the department's own staff (who handle its
    /// feedback).
    pub own: bool,
    pub min_cell: usize,
    pub level: f64,
    pub today: chrono::NaiveDate,
}

pub fn department(page: &DepartmentPage) -> Markup {
    let lang = page.lang;
    let title = page.department_name.get(lang);
    let path = format!("/dashboard/{}", page.department);
    let body = html! {
        h1 { (title) }
        (period_form(lang, &path, &page.period, page.today))
        (report_links(lang, &page.period, Some(page.department)))
        section.card {
            h2 { (lang.pick("Xử lý ý kiến của người dân trong kỳ", "Citizens' comments handled in the period")) }
            (super::feedback::summary_list(lang, &page.feedback))
            @if page.own {
                p { a href={ "/feedback/" (page.department) "?lang=" (lang.code()) } { (lang.pick("Xem và trả lời ý kiến", "Read and answer the comments")) } }
            }
        }
        @if page.panels.is_empty() { p { (lang.pick("Cơ quan này chưa có phiếu khảo sát.", "This department has no survey.")) } }
        @for panel in &page.panels { (survey_panel(lang, page, panel)) }
    };
    staff_frame(lang, title, &path, Some(page.viewer), body)
}

fn survey_panel(lang: Lang, page: &DepartmentPage, panel: &SurveyPanel) -> Markup {
    let survey = &panel.survey.survey;
    let report = &panel.report;
    let current = &report.current;
    let overall = &current.estimates.overall;
    let previous = report.compare.as_ref();
    // Improvement priorities: elements and items, weakest first; suppressed last.
    let mut elements: Vec<(&Localized, &crate::stats::ElementEstimates, &Estimate)> = survey
        .sections
        .iter()
        .filter(|s| s.is_element())
        .zip(&current.estimates.elements)
        .zip(&current.mean_scores.elements)
        .map(|((s, e), mean)| (&s.label, e, mean))
        .collect();
    let order = |e: &Estimate| {
        if e.suppressed {
            f64::INFINITY
        } else {
            e.estimate.unwrap_or(f64::INFINITY)
        }
    };
    elements.sort_by(|a, b| order(&a.1.index).total_cmp(&order(&b.1.index)));
    let other_questions: Vec<&crate::definitions::Question> =
        crate::services::indices::other_items::questions(survey).collect();
    let labels: Vec<&Localized> = survey.likert_items().map(|q| &q.label).collect();
    let mut items: Vec<&crate::stats::ItemEstimates> = current
        .estimates
        .elements
        .iter()
        .flat_map(|e| &e.items)
        .collect();
    items.sort_by(|a, b| order(&a.index).total_cmp(&order(&b.index)));
    let trend_points: Vec<(String, &Estimate)> =
        panel.trend.iter().map(|(p, e)| (p.label(), e)).collect();
    html! {
        section.card {
            h2 { (survey.title.get(lang)) }
            p {
                span.big { (value(lang, overall)) }
                @if !overall.suppressed {
                    " " (lang.pick("khoảng tin cậy ", "confidence interval ")) (percent_label(lang, page.level)) ": " (interval(lang, overall))
                }
                " · n = " (count(lang, overall.n)) " " (flags(lang, overall))
            }
            @if overall.flags.contains(&Flag::Withheld) {
                p.suppressed { (lang.pick("Không công bố: một số liệu khác (kỳ lồng nhau, chế độ kỳ khác, hoặc nơi phục vụ so với cả sở) chỉ chênh lệch dưới ", "Withheld: another figure (a nested period, the other period mode, or a service point against its department) differs from this one by fewer than ")) (page.min_cell) (lang.pick(" người trả lời, nên công bố cả hai sẽ làm lộ câu trả lời của họ.", " respondents, so publishing both would reveal their answers.")) }
            } @else if overall.suppressed {
                p.suppressed { (lang.pick("Chưa đủ người trả lời để công bố (ngưỡng ", "Too few respondents to publish (threshold ")) (page.min_cell) ")." }
            }
            @if !report.random_sample() {
                p.note { (lang.pick(
                    "Số liệu gồm phiếu không do chọn mẫu ngẫu nhiên (người dân tự trả lời qua mã QR, đường dẫn, phiếu giấy không chọn mẫu): khoảng tin cậy và so sánh dưới đây giả định mẫu ngẫu nhiên và không phản ánh được sai lệch do người trả lời tự chọn.",
                    "These figures include responses not drawn at random (QR posters, links, unsampled paper forms): the intervals and comparisons below assume random selection and cannot account for self-selection.")) }
            }
            @for wave in report.sample.waves.iter().filter(|w| w.seed.is_some()) {
                p { (wave.name) ": " (lang.pick("phát ra ", "issued ")) (count(lang, wave.issued as usize)) (lang.pick(" phiếu, thu về ", ", returned ")) (count(lang, wave.returned as usize))
                    (lang.pick(" phiếu", ""))
                    @if let Some(rate) = wave.response_rate { (lang.pick(", tỷ lệ phản hồi ", ", response rate ")) (crate::i18n::percent(lang, rate)) } "." }
            }
            @if let Some(compare) = previous { p { (change_words(lang, &compare.overall, &compare.previous.period)) } }
            @if let Some(year_ago) = &report.year_ago {
                p { (lang.pick("Cùng kỳ năm trước: ", "Same period last year: ")) (change_words(lang, &year_ago.overall, &year_ago.previous.period)) }
            }

            h3 { (lang.pick("Các số liệu tổng hợp", "Summary figures")) }
            (cue(lang)) div.scroll tabindex="0" role="region" aria-label={ (lang.pick("Các số liệu tổng hợp", "Summary figures")) " — " (survey.title.get(lang)) } { table {
                thead { tr { th { (lang.pick("Số liệu", "Figure")) } th { (lang.pick("Giá trị", "Value")) } th { (lang.pick("Khoảng tin cậy", "Interval")) } th { "n" } } }
                tbody {
                    tr {
                        td { (lang.pick("Tỷ lệ hài lòng chung (câu trả lời ở mức hài lòng trở lên trên tổng số câu trả lời)", "Overall satisfaction rate (satisfied answers among all answers)")) }
                        td.num { (value(lang, &current.estimates.pooled)) } td.num { (interval(lang, &current.estimates.pooled)) } td.num { (count(lang, current.estimates.pooled.n)) }
                    }
                    tr {
                        td { (lang.pick("Tỷ lệ hài lòng toàn diện (người trả lời hài lòng với mọi câu)", "Comprehensive satisfaction (respondents satisfied with every item)")) }
                        td.num { (value(lang, &current.estimates.comprehensive)) } td.num { (interval(lang, &current.estimates.comprehensive)) } td.num { (count(lang, current.estimates.comprehensive.n)) }
                    }
                    tr {
                        td { (lang.pick("Điểm trung bình chung (theo thang điểm của câu hỏi)", "Overall mean score (on the questions' scale)")) }
                        td.num { (mean_value(lang, &current.mean_scores.overall, 2)) } td.num { (mean_interval(lang, &current.mean_scores.overall, 2)) } td.num { (count(lang, current.mean_scores.overall.n)) }
                    }
                }
            } }

            h3 { (lang.pick("Xu hướng 8 quý", "Trend over eight quarters")) }
            @if let Some(note) = page.catalog.merger_note(&survey.department, panel.trend.first().map(|(p, _)| p.bounds().0), page.period.bounds().1, lang) {
                p.note { (note) }
            }
            (trend(&trend_points, lang.pick("Chỉ số chung theo quý, dải là khoảng tin cậy", "Overall index by quarter; the band is the confidence interval")))
            details {
                summary { (lang.pick("Bảng số liệu xu hướng", "Trend as a table")) }
                (cue(lang)) div.scroll tabindex="0" role="region" aria-label={ (lang.pick("Bảng số liệu xu hướng", "Trend as a table")) " — " (survey.title.get(lang)) } { table {
                    thead { tr { th { (lang.pick("Quý", "Quarter")) } th { (lang.pick("Chỉ số", "Index")) } th { (lang.pick("Khoảng tin cậy", "Interval")) } th { "n" } } }
                    tbody { @for (period, estimate) in &panel.trend {
                        tr { td { (period.name(lang)) } td.num { (value(lang, estimate)) } td.num { (interval(lang, estimate)) } td.num { (count(lang, estimate.n)) } }
                    } }
                } }
            }

            h3 { (lang.pick("Ưu tiên cải thiện: các nhóm tiêu chí, yếu nhất trước", "Improvement priorities: elements, weakest first")) }
            (cue(lang)) div.scroll tabindex="0" role="region" aria-label={ (lang.pick("Ưu tiên cải thiện: các nhóm tiêu chí, yếu nhất trước", "Improvement priorities: elements, weakest first")) " — " (survey.title.get(lang)) } { table {
                thead { tr { th { (lang.pick("Nhóm", "Element")) } th { (lang.pick("Chỉ số", "Index")) } th { (lang.pick("Khoảng tin cậy", "Interval")) } th { span.vh { (lang.pick("Khoảng tin cậy trên thang 0–100 %", "Interval on a 0–100 % scale")) } } th { (lang.pick("Điểm TB", "Mean")) } th { "n" } } }
                tbody { @for (label, element, mean) in &elements {
                    tr {
                        td { (label.get(lang)) }
                        td.num { (value(lang, &element.index)) }
                        td.num { (interval(lang, &element.index)) }
                        td { (ci_bar(&element.index, &interval(lang, &element.index))) }
                        td.num { (mean_value(lang, mean, 2)) }
                        td.num { (count(lang, element.index.n)) " " (flags(lang, &element.index)) }
                    }
                } }
            } }
            h3 { (lang.pick("Các tiêu chí, yếu nhất trước", "Items, weakest first")) }
            (cue(lang)) div.scroll tabindex="0" role="region" aria-label={ (lang.pick("Các tiêu chí, yếu nhất trước", "Items, weakest first")) " — " (survey.title.get(lang)) } { table {
                thead { tr {
                    th { (lang.pick("Tiêu chí", "Item")) } th { (lang.pick("Hài lòng", "Satisfied")) } th { (lang.pick("Khoảng tin cậy", "Interval")) }
                    th { (lang.pick("Điểm TB", "Mean")) } th { "1" } th { "2" } th { "3" } th { "4" } th { "5" } th { (lang.pick("KAD", "N/A")) } th { "n" }
                } }
                tbody { @for item in &items {
                    tr {
                        td { (labels[item.item].get(lang)) }
                        td.num { (value(lang, &item.index)) }
                        td.num { (interval(lang, &item.index)) }
                        td.num { @if let (Some(m), false) = (item.mean_score.estimate, item.mean_score.suppressed) { (decimal(lang, m, 2)) } }
                        @match &item.distribution {
                            Some(d) => { @for c in [d.s1, d.s2, d.s3, d.s4, d.s5, d.na] { td.num { (count(lang, c)) } } },
                            None => { td.suppressed colspan="6" { (lang.pick("ẩn", "suppressed")) } },
                        }
                        td.num { (count(lang, item.index.n)) }
                    }
                } }
            } }

            @if !other_questions.is_empty() {
                h3 { (lang.pick("Các câu hỏi khác (tỷ lệ trên số người trả lời câu đó)", "Other questions (share of those who answered each)")) }
                (cue(lang)) div.scroll tabindex="0" role="region" aria-label={ (lang.pick("Các câu hỏi khác (tỷ lệ trên số người trả lời câu đó)", "Other questions (share of those who answered each)")) " — " (survey.title.get(lang)) } { table {
                    thead { tr { th { (lang.pick("Câu hỏi", "Question")) } th { (lang.pick("Lựa chọn", "Answer")) } th { (lang.pick("Tỷ lệ / trung bình", "Share / mean")) } th { (lang.pick("Khoảng tin cậy", "Interval")) } th { "n" } } }
                    tbody { @for (question, estimates) in other_questions.iter().zip(&current.other_items) {
                        @for (i, option) in estimates.options.iter().enumerate() {
                            tr {
                                td { @if i == 0 { (question.label.get(lang)) } }
                                td { (question.option_label(&option.key).get(lang)) }
                                td.num { (value(lang, &option.share)) }
                                td.num { (interval(lang, &option.share)) }
                                td.num { (count(lang, option.share.n)) }
                            }
                        }
                        @if let Some(mean) = &estimates.mean {
                            tr {
                                td { (question.label.get(lang)) }
                                td { (lang.pick("Trung bình (%)", "Mean (%)")) }
                                td.num { (mean_value(lang, mean, 1)) }
                                td.num { (mean_interval(lang, mean, 1)) }
                                td.num { (count(lang, mean.n)) }
                            }
                        }
                    } }
                } }
            }

            h3 { (lang.pick("Theo nơi phục vụ", "By service point")) }
            (cue(lang)) div.scroll tabindex="0" role="region" aria-label={ (lang.pick("Theo nơi phục vụ", "By service point")) " — " (survey.title.get(lang)) } { table {
                thead { tr {
                    th { (lang.pick("Nơi phục vụ", "Service point")) } th { (lang.pick("Chỉ số", "Index")) } th { (lang.pick("Khoảng tin cậy", "Interval")) } th { span.vh { (lang.pick("Khoảng tin cậy trên thang 0–100 %", "Interval on a 0–100 % scale")) } }
                    th { "n" } th { (lang.pick("Tiến độ cỡ mẫu (±5 điểm)", "Sample progress (±5 points)")) }
                } }
                tbody { @for line in &panel.units {
                    @let unit = &line.report;
                    tr {
                        td { (unit_name(page.catalog, &unit.unit, &page.period, lang)) }
                        @if unit.respondents == 0 {
                            td colspan="3" class="suppressed" { (lang.pick("Chưa có phiếu trong kỳ", "No responses in the period")) }
                        } @else {
                            td.num { (value(lang, &unit.overall)) }
                            td.num { (interval(lang, &unit.overall)) }
                            td { (ci_bar(&unit.overall, &interval(lang, &unit.overall))) }
                        }
                        td.num { (count(lang, unit.respondents)) " " (flags(lang, &unit.overall)) }
                        @let required = line.required.cochran;
                        td.num {
                            (count(lang, unit.respondents)) " / " (count(lang, required as usize))
                            " (" (percent_label(lang, (unit.respondents as f64 / required.max(1) as f64).min(1.0))) ")"
                            @if let Some(ministry) = line.required.ministry {
                                br; span.muted { (lang.pick("công thức của Bộ: ", "ministry formula: ")) (count(lang, ministry as usize)) }
                            }
                        }
                    }
                } }
            } }

            @if panel.units.iter().any(|u| u.report.late.is_some()) {
                h3 { (lang.pick("Trả kết quả trễ hẹn và xin lỗi", "Late results and apologies")) }
                p.muted { (lang.pick(
                    "Tỷ lệ người trả lời nhận kết quả trễ hẹn, và trong số đó, tỷ lệ nhận được văn bản xin lỗi, hẹn lại ngày trả kết quả.",
                    "Share of respondents who got their result late and, of those, the share who received a written apology with a new date.")) }
                (cue(lang)) div.scroll tabindex="0" role="region" aria-label={ (lang.pick("Trễ hẹn và xin lỗi theo nơi phục vụ", "Late results and apologies by service point")) " — " (survey.title.get(lang)) } { table {
                    thead { tr {
                        th scope="col" { (lang.pick("Nơi phục vụ", "Service point")) }
                        th scope="col" { (lang.pick("Trễ hẹn", "Late")) }
                        th scope="col" { (lang.pick("Khoảng tin cậy", "Interval")) }
                        th scope="col" { (lang.pick("Có xin lỗi (trong số trễ hẹn)", "Apology (of those late)")) }
                        th scope="col" { (lang.pick("Khoảng tin cậy", "Interval")) }
                    } }
                    tbody { @for line in &panel.units {
                        @if let Some(late) = &line.report.late {
                            tr {
                                td { (unit_name(page.catalog, &line.report.unit, &page.period, lang)) }
                                td.num { (value(lang, &late.late)) " " span.muted { "n=" (count(lang, late.late.n)) } }
                                td.num { (interval(lang, &late.late)) }
                                td.num { (value(lang, &late.apology)) " " span.muted { "n=" (count(lang, late.apology.n)) } }
                                td.num { (interval(lang, &late.apology)) }
                            }
                        }
                    } }
                } }
            }

            h3 { (lang.pick("Ý kiến của người dân", "Citizens' comments")) }
            @if panel.comments.is_empty() {
                p.muted { (lang.pick("Không có ý kiến hiển thị được trong kỳ (chỉ hiện ở nơi có từ ", "No comments to show for the period (shown only where at least ")) (page.min_cell) (lang.pick(" phiếu trở lên).", " people answered).")) }
            } @else {
                ul.comments { @for comment in &panel.comments {
                    li { (comment.text) br; span.muted { (unit_name(page.catalog, &comment.unit, &page.period, lang)) } }
                } }
            }
        }
    }
}

pub struct OverviewPage<'a> {
    pub lang: Lang,
    pub viewer: &'a Viewer,
    pub catalog: &'a Catalog,
    pub period: Period,
    pub lines: Vec<OverviewLine>,
    /// The day whose department names are shown.
    pub today: chrono::NaiveDate,
}

pub fn overview(page: &OverviewPage) -> Markup {
    let lang = page.lang;
    let title = lang.pick("Tổng hợp các sở", "All departments");
    let today = page.today;
    let body = html! {
        h1 { (title) }
        (period_form(lang, "/dashboard", &page.period, page.today))
        (report_links(lang, &page.period, None))
        p { a href={ "/feedback?lang=" (lang.code()) "&period=" (page.period.label()) "&mode=" (page.period.mode.as_str()) } {
            (lang.pick("Các sở xử lý ý kiến của người dân", "How departments handle citizens' comments")) } }
        (cue(lang)) div.scroll tabindex="0" role="region" aria-label=(lang.pick("Chỉ số của các sở", "Indices of every department")) { table {
            thead { tr {
                th { (lang.pick("Cơ quan", "Department")) } th { (lang.pick("Khảo sát", "Survey")) } th { (lang.pick("Chỉ số", "Index")) }
                th { (lang.pick("Khoảng tin cậy", "Interval")) } th { span.vh { (lang.pick("Khoảng tin cậy trên thang 0–100 %", "Interval on a 0–100 % scale")) } } th { "n" } th { (lang.pick("Thay đổi", "Change")) }
            } }
            tbody { @for line in &page.lines {
                @let survey = &line.survey.survey;
                @let overall = &line.report.current.estimates.overall;
                tr {
                    td { a href={ "/dashboard/" (survey.department) "?lang=" (lang.code()) "&period=" (page.period.label()) "&mode=" (page.period.mode.as_str()) } {
                        (page.catalog.department(&survey.department).map(|d| d.name_as_of(page.period.bounds().1, today, lang)).unwrap_or_else(|| survey.department.clone())) } }
                    td { (survey.title.get(lang)) }
                    td.num { (value(lang, overall)) }
                    td.num { (interval(lang, overall)) }
                    td { (ci_bar(overall, &interval(lang, overall))) }
                    td.num { (count(lang, overall.n)) " " (flags(lang, overall)) }
                    td { @if let Some(c) = &line.report.compare { (change_words(lang, &c.overall, &c.previous.period)) } }
                }
            } }
        } }
    };
    staff_frame(lang, title, "/dashboard", Some(page.viewer), body)
}

/// A role in words.
fn role_name(lang: Lang, role: crate::domain::RoleKind) -> &'static str {
    use crate::domain::RoleKind;
    match role {
        RoleKind::Admin => lang.pick("Quản trị tài khoản", "Account administrator"),
        RoleKind::HomeAffairs => {
            lang.pick("Sở Nội vụ (xem mọi sở)", "Home Affairs (every department)")
        }
        RoleKind::Department => lang.pick("Cán bộ sở", "Department staff"),
    }
}

pub fn users(
    lang: Lang,
    viewer: &Viewer,
    users: &[AccountSummary],
    catalog: &Catalog,
    today: chrono::NaiveDate,
) -> Markup {
    let title = lang.pick("Tài khoản cán bộ", "Staff accounts");
    let body = html! {
        h1 { (title) }
        p.muted { (lang.pick("Tạo tài khoản và đặt mật khẩu bằng lệnh: hailong user create / hailong user password.", "Create accounts and set passwords with: hailong user create / hailong user password.")) }
        p { a href={ "/admin/audit?lang=" (lang.code()) } { (lang.pick("Nhật ký thao tác", "Audit log")) } }
        (cue(lang)) div.scroll tabindex="0" role="region" aria-label=(lang.pick("Tài khoản cán bộ", "Staff accounts")) { table {
            thead { tr { th scope="col" { (lang.pick("Tên đăng nhập", "Username")) } th scope="col" { (lang.pick("Vai trò", "Role")) } th scope="col" { (lang.pick("Sở", "Department")) } th scope="col" { (lang.pick("Trạng thái", "Status")) } th scope="col" { (lang.pick("Thao tác", "Action")) } } }
            tbody { @for user in users {
                tr {
                    td { (user.username) }
                    td { (role_name(lang, user.role)) }
                    td { (user.department.as_deref().map_or("—".to_string(), |code| catalog.department(code).map_or(code.to_string(), |d| d.name_on(today).get(lang).to_string()))) }
                    td { @if user.disabled { (lang.pick("đã khóa", "disabled")) } @else { (lang.pick("hoạt động", "active")) } }
                    td {
                        @if user.username != viewer.username {
                            form method="post" action={ "/admin/users/" (user.username) "/" (if user.disabled { "enable" } else { "disable" }) "?lang=" (lang.code()) } {
                                input type="hidden" name="csrf" value=(viewer.csrf);
                                button type="submit" { @if user.disabled { (lang.pick("Mở khóa", "Enable")) } @else { (lang.pick("Khóa…", "Disable…")) } }
                            }
                        }
                    }
                }
            } }
        } }
    };
    staff_frame(lang, title, "/admin/users", Some(viewer), body)
}

/// "Disable this account?": disabling ends the person's sessions at once.
pub fn confirm_disable(lang: Lang, viewer: &Viewer, username: &str) -> Markup {
    let title = lang.pick("Khóa tài khoản?", "Disable the account?");
    let body = html! {
        h1 { (title) }
        p { (lang.pick("Khóa tài khoản ", "Disable the account ")) strong { (username) } (lang.pick("? Người dùng sẽ bị đăng xuất ngay trên mọi thiết bị và không đăng nhập được cho đến khi được mở khóa.", "? They are signed out at once on every device and cannot sign in until it is enabled again.")) }
        form method="post" action={ "/admin/users/" (username) "/disable?lang=" (lang.code()) } {
            input type="hidden" name="csrf" value=(viewer.csrf);
            input type="hidden" name="confirm" value="yes";
            button type="submit" { (lang.pick("Khóa tài khoản", "Disable the account")) }
        }
        p { a href={ "/admin/users?lang=" (lang.code()) } { (lang.pick("Không, quay lại", "No, go back")) } }
    };
    staff_frame(lang, title, "/admin/users", Some(viewer), body)
}

/// The audit log, with its filters.
pub fn audit(
    lang: Lang,
    viewer: &Viewer,
    filter: &crate::db::audit::AuditFilter,
    rows: &[crate::db::audit::AuditRow],
) -> Markup {
    let title = lang.pick("Nhật ký thao tác", "Audit log");
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let body = html! {
        h1 { (title) }
        form.filters method="get" action="/admin/audit" {
            input type="hidden" name="lang" value=(lang.code());
            div { label for="actor" { (lang.pick("Người thực hiện", "Actor")) } input #actor name="actor" value=[filter.actor.as_deref()]; }
            div { label for="action" { (lang.pick("Thao tác (bắt đầu bằng)", "Action (starts with)")) } input #action name="action" value=[filter.action.as_deref()] placeholder="wave."; }
            div { label for="from" { (lang.pick("Từ ngày", "From")) } input #from type="date" name="from" value=[date(filter.from)]; }
            div { label for="to" { (lang.pick("Đến ngày", "To")) } input #to type="date" name="to" value=[date(filter.to)]; }
            button type="submit" { (lang.pick("Lọc", "Filter")) }
        }
        p.muted { (rows.len()) (lang.pick(" mục, mới nhất trước (tối đa 500; giờ UTC).", " entries, newest first (at most 500; times in UTC).")) }
        (cue(lang)) div.scroll tabindex="0" role="region" aria-label=(lang.pick("Nhật ký thao tác", "Audit log")) { table {
            thead { tr { th scope="col" { (lang.pick("Thời điểm", "When")) } th scope="col" { (lang.pick("Người thực hiện", "Actor")) } th scope="col" { (lang.pick("Thao tác", "Action")) } th scope="col" { (lang.pick("Chi tiết", "Detail")) } } }
            tbody { @for row in rows { tr {
                td { (row.at.format("%Y-%m-%d %H:%M:%S")) }
                td { (row.actor) }
                td { (row.action) }
                td { (row.detail) }
            } } }
        } }
        p { a href={ "/admin/users?lang=" (lang.code()) } { (lang.pick("Tài khoản cán bộ", "Staff accounts")) } }
    };
    staff_frame(lang, title, "/admin/audit", Some(viewer), body)
}
