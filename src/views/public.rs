//! The public results pages: no sign-in, light as the citizen pages, lists
//! rather than wide tables so they read on a phone.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::layout::page;
use super::staff::{interval, value};
use crate::definitions::{Catalog, Site};
use crate::i18n::{count, Lang};
use crate::services::public_results::PublicResults;
use crate::stats::Estimate;

/// "68,4 % (64,1 % – 72,5 %), 312 người trả lời", or why it is not shown.
fn figure(lang: Lang, estimate: &Estimate, min_cell: usize) -> Markup {
    html! {
        strong { (value(lang, estimate)) }
        @if !estimate.suppressed && estimate.estimate.is_some() {
            " (" (interval(lang, estimate)) "), " (count(lang, estimate.n)) (lang.pick(" người trả lời", " respondents"))
        } @else if estimate.n == 0 {
            " " (lang.pick("(chưa có phiếu)", "(no responses)"))
        } @else if estimate.suppressed && !estimate.flags.contains(&crate::stats::Flag::Withheld) {
            " " (lang.pick("(dưới ", "(fewer than ")) (min_cell) (lang.pick(" người trả lời)", " respondents)"))
        }
    }
}

/// `/results`: the departments that publish, with links.
pub fn index(lang: Lang, site: &Site, catalog: &Catalog, today: NaiveDate) -> Markup {
    let title = lang.pick(
        "Kết quả khảo sát sự hài lòng",
        "Satisfaction survey results",
    );
    let public: Vec<_> = catalog
        .departments
        .iter()
        .filter(|d| d.surveyed && d.public_results)
        .collect();
    let body = html! {
        h1 { (title) }
        p { (lang.pick(
            "Mức hài lòng của người dân với dịch vụ công, theo từng cơ quan và nơi phục vụ, và những việc cơ quan đã làm sau khi người dân góp ý.",
            "How satisfied citizens are with public services, by office and service point, and what offices did after citizens' comments.")) }
        @if public.is_empty() {
            p { (lang.pick("Chưa có cơ quan nào công bố kết quả.", "No office publishes its results yet.")) }
        } @else {
            ul.plain { @for d in public {
                li { a href={ "/results/" (d.code) "?lang=" (lang.code()) } { (d.name_on(today).get(lang)) } }
            } }
        }
    };
    page(lang, site, title, "/results", body)
}

/// `/results/{department}`.
pub fn department(
    lang: Lang,
    site: &Site,
    catalog: &Catalog,
    results: &PublicResults,
    min_cell: usize,
    today: NaiveDate,
) -> Markup {
    let name = catalog
        .department(&results.department)
        .map_or(results.department.as_str(), |d| d.name_on(today).get(lang));
    let period = &results.period;
    let bounds = period.bounds();
    let body = html! {
        p { a href={ "/results?lang=" (lang.code()) } { (lang.pick("← Các cơ quan", "← All offices")) } }
        h1 { (name) }
        p { (lang.pick("Kết quả ", "Results of ")) (period.name(lang)) (lang.pick(
            ", quý gần nhất đã kết thúc. Chỉ số hài lòng là tỷ lệ câu trả lời “hài lòng” hoặc “rất hài lòng”; khoảng trong ngoặc là khoảng tin cậy 95\u{a0}%. Kết quả của dưới ",
            ", the latest complete quarter. The satisfaction index is the share of answers “satisfied” or “very satisfied”; the range in brackets is the 95\u{a0}% confidence interval. Results from fewer than "))
            (min_cell) (lang.pick(" người trả lời không được công bố.", " respondents are not published.")) }
        @for public in &results.surveys {
            @let survey = &public.survey.survey;
            @let figures = &public.figures;
            @let overall = &figures.report.current.estimates.overall;
            section {
                h2 { (survey.title.get(lang)) }
                p { (lang.pick("Chỉ số hài lòng chung: ", "Overall satisfaction: ")) (figure(lang, overall, min_cell)) }
                @if !figures.report.random_sample() {
                    p.muted { (lang.pick(
                        "Gồm phiếu người dân tự chọn gửi (mã QR, đường dẫn), không chỉ phiếu chọn mẫu ngẫu nhiên: kết quả có thể khác ý kiến của mọi người đã được phục vụ.",
                        "Includes forms citizens chose to send (QR code, link), not only a random sample: results may differ from the views of everyone served.")) }
                }
                h3 { (lang.pick("Qua các quý", "Quarter by quarter")) }
                ul.plain { @for (quarter, estimate) in &figures.trend {
                    li { (quarter.name(lang)) ": " (figure(lang, estimate, min_cell)) }
                } }
                h3 { (lang.pick("Theo nơi phục vụ", "By service point")) }
                ul.plain { @for line in &figures.units {
                    li { (catalog.unit(&line.report.unit).map_or(line.report.unit.clone(), |u| u.name_for(bounds, lang))) br;
                        (figure(lang, &line.report.overall, min_cell)) }
                } }
            }
        }
        section {
            h2 { (lang.pick("Ông/Bà đã góp ý — chúng tôi đã làm", "You told us — what we did")) }
            p { (lang.pick("Kết quả tiếp thu, trả lời ý kiến của người dân trong 12 tháng qua.", "How citizens' comments were taken up and answered in the last 12 months.")) }
            @if results.answers.is_empty() {
                p { (lang.pick("Chưa có trả lời nào được công bố trong 12 tháng qua.", "No answer published in the last 12 months.")) }
            } @else {
                ul.plain { @for answer in &results.answers {
                    li {
                        p.muted {
                            @if let Some(topic) = answer.topic.as_deref().and_then(|t| site.feedback.topic(t)) { (topic.name.get(lang)) " · " }
                            (catalog.unit(&answer.unit).map_or(answer.unit.clone(), |u| u.name_for(answer.quarter.bounds(), lang)))
                            " · " (lang.pick("góp ý ", "comment of ")) (answer.quarter.name(lang))
                        }
                        p { (answer.answer) }
                        p.muted { (lang.pick("Trả lời ngày ", "Answered on ")) (answer.answered_on.format("%d/%m/%Y")) }
                    }
                } }
            }
        }
    };
    page(
        lang,
        site,
        name,
        &format!("/results/{}", results.department),
        body,
    )
}
