//! Staff pages of the feedback loop: a department's items (cards, which
//! read on a phone), one item with the form that classifies and answers
//! it, and the counts of every department for Home Affairs.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::staff::{staff_frame, Viewer};
use crate::definitions::Catalog;
use crate::domain::{FeedbackStatus, Period};
use crate::i18n::{count, decimal, percent, Lang};
use crate::services::feedback::{
    FeedbackEdit, FeedbackFilter, FeedbackItem, FeedbackList, FeedbackSummary,
};

fn day(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn unit_name(catalog: &Catalog, code: &str, date: NaiveDate, lang: Lang) -> String {
    catalog
        .unit(code)
        .map(|u| u.name_for((date, date), lang))
        .unwrap_or_else(|| code.to_string())
}

fn department_name(catalog: &Catalog, code: &str, today: NaiveDate, lang: Lang) -> String {
    catalog
        .department(code)
        .map(|d| d.name_on(today).get(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The counts as a definition list: statuses, median, share in time.
pub fn summary_list(lang: Lang, summary: &FeedbackSummary) -> Markup {
    html! {
        dl.counts {
            @for status in FeedbackStatus::ALL {
                div { dt { (status.name(lang)) } dd { (count(lang, summary.count(*status))) } }
            }
            div { dt { (lang.pick("Thời gian trả lời (trung vị)", "Time to answer (median)")) }
                dd { @match summary.median_days_to_answer {
                    Some(days) => { (decimal(lang, days, 1)) " " (lang.pick("ngày làm việc", "working days")) }
                    None => { "—" }
                } } }
            div { dt { (lang.pick("Trả lời trong ", "Answered within ")) (summary.target_working_days) (lang.pick(" ngày làm việc", " working days")) }
                dd { @match summary.share_in_time() {
                    Some(share) => { (percent(lang, share)) " (" (count(lang, summary.answered_in_time)) "/" (count(lang, summary.due)) ")" }
                    None => { "—" }
                } } }
        }
        @match summary.hidden {
            Some(hidden) => {
                p.muted { (count(lang, hidden)) (lang.pick(
                    " ý kiến chưa hiển thị: nơi phục vụ chưa đủ số phiếu tối thiểu trong quý.",
                    " comments not shown yet: their service point has too few responses in the quarter.")) }
            }
            None if summary.some_hidden => {
                p.muted { (lang.pick(
                    "Một số ý kiến chưa hiển thị: nơi phục vụ chưa đủ số phiếu tối thiểu trong quý.",
                    "Some comments are not shown yet: their service point has too few responses in the quarter.")) }
            }
            None => {}
        }
    }
}

/// `/feedback` for Home Affairs: every department's counts.
pub fn overview(
    lang: Lang,
    viewer: &Viewer,
    catalog: &Catalog,
    period: &Period,
    today: NaiveDate,
    lines: &[(String, FeedbackSummary)],
) -> Markup {
    let title = lang.pick("Xử lý ý kiến người dân", "Handling citizens' comments");
    let body = html! {
        h1 { (title) }
        p { (lang.pick("Ý kiến của người dân, tính theo ngày gửi phiếu, ", "Citizens' comments, by the day their response was sent, ")) (period.name(lang)) "." }
        form.filters method="get" action="/feedback" {
            input type="hidden" name="lang" value=(lang.code());
            p { label for="period" { (lang.pick("Kỳ (ví dụ 2026-Q3)", "Period (e.g. 2026-Q3)")) }
                input #period name="period" value=(period.label()); }
            button type="submit" { (lang.pick("Xem", "Show")) }
        }
        @for (code, summary) in lines {
            section.card {
                h2 { (department_name(catalog, code, today, lang)) }
                p { (count(lang, summary.total())) (lang.pick(" ý kiến hiển thị.", " comments shown.")) }
                (summary_list(lang, summary))
            }
        }
    };
    staff_frame(lang, title, "/feedback", Some(viewer), body)
}

pub struct ListPage<'a> {
    pub lang: Lang,
    pub viewer: &'a Viewer,
    pub catalog: &'a Catalog,
    pub department: &'a str,
    pub period: Option<&'a Period>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub today: NaiveDate,
    pub filter: &'a FeedbackFilter,
    pub found: &'a FeedbackList,
    pub page: usize,
    pub page_size: usize,
}

fn item_href(lang: Lang, department: &str, key: &str) -> String {
    format!("/feedback/{department}/{key}?lang={}", lang.code())
}

fn status_badge(lang: Lang, item: &FeedbackItem, today: NaiveDate) -> Markup {
    html! {
        span class={ "status " (item.status.as_str()) } { (item.status.name(lang)) }
        @if item.status.open() && item.due_on < today {
            " " span.flag { (lang.pick("quá hạn", "overdue")) }
        }
    }
}

/// A department's items, newest first, with filters and counts.
pub fn list(page: &ListPage) -> Markup {
    let lang = page.lang;
    let catalog = page.catalog;
    let title = lang.pick("Ý kiến của người dân", "Citizens' comments");
    let path = format!("/feedback/{}", page.department);
    // The service returned this page's items only.
    let shown = &page.found.items;
    let matched = page.found.matched;
    let start = (page.page - 1) * page.page_size;
    let query_of = |page_no: usize| {
        let mut query = format!("?lang={}&page={page_no}", lang.code());
        if let Some(period) = page.period {
            query.push_str(&format!(
                "&period={}&mode={}",
                period.label(),
                period.mode.as_str()
            ));
        }
        for (name, value) in [
            ("status", page.filter.status.map(|s| s.as_str().to_string())),
            ("survey", page.filter.survey.clone()),
            ("unit", page.filter.unit.clone()),
        ] {
            if let Some(value) = value {
                query.push_str(&format!("&{name}={value}"));
            }
        }
        query
    };
    let body = html! {
        h1 { (title) " — " (department_name(catalog, page.department, page.today, lang)) }
        p { (lang.pick("Ý kiến gửi từ ", "Comments sent from ")) (day(page.from)) (lang.pick(" đến ", " to ")) (day(page.to))
            (lang.pick(". Mỗi ý kiến chỉ kèm ngày gửi phiếu và nơi phục vụ; thông tin cá nhân trong ý kiến đã được che.",
                ". Each comment carries only the day its response was sent and the service point; personal data in it is masked.")) }
        (summary_list(lang, &page.found.summary))
        form.filters method="get" action=(path) {
            input type="hidden" name="lang" value=(lang.code());
            p { label for="status" { (lang.pick("Trạng thái", "Status")) }
                select #status name="status" {
                    option value="" { (lang.pick("Tất cả", "All")) }
                    @for status in FeedbackStatus::ALL {
                        option value=(status.as_str()) selected[page.filter.status == Some(*status)] { (status.name(lang)) }
                    }
                } }
            p { label for="survey" { (lang.pick("Khảo sát", "Survey")) }
                select #survey name="survey" {
                    option value="" { (lang.pick("Tất cả", "All")) }
                    @for survey in catalog.surveys.iter().filter(|s| s.survey.department == page.department) {
                        option value=(survey.survey.slug) selected[page.filter.survey.as_deref() == Some(survey.survey.slug.as_str())] { (survey.survey.title.get(lang)) }
                    }
                } }
            p { label for="unit" { (lang.pick("Nơi phục vụ", "Service point")) }
                select #unit name="unit" {
                    option value="" { (lang.pick("Tất cả", "All")) }
                    @for unit in catalog.units_of(page.department) {
                        option value=(unit.code) selected[page.filter.unit.as_deref() == Some(unit.code.as_str())] { (unit.name_on(page.today).get(lang)) }
                    }
                } }
            p { label for="period" { (lang.pick("Kỳ (để trống: 12 tháng qua)", "Period (empty: last 12 months)")) }
                input #period name="period" value=(page.period.map(|p| p.label()).unwrap_or_default()); }
            button type="submit" { (lang.pick("Lọc", "Filter")) }
        }
        @if shown.is_empty() {
            p.muted { (lang.pick("Không có ý kiến nào khớp.", "No comment matches.")) }
        } @else {
            p.muted { (lang.pick("Ý kiến ", "Comments ")) (start + 1) "–" (start + shown.len()) (lang.pick(" trong ", " of ")) (count(lang, matched)) }
            ul.items {
                @for item in shown {
                    li {
                        p.meta { (status_badge(lang, item, page.today)) " · " (day(item.date)) " · " (unit_name(catalog, &item.unit, item.date, lang)) }
                        p { (item.comment) }
                        p { a href=(item_href(lang, page.department, &item.key)) {
                            (lang.pick("Xử lý ý kiến ngày ", "Handle the comment of ")) (day(item.date)) } }
                    }
                }
            }
        }
        @if page.page > 1 || start + shown.len() < matched {
            nav.pages aria-label=(lang.pick("Trang", "Pages")) {
                @if page.page > 1 { a href={ (path) (query_of(page.page - 1)) } { (lang.pick("← Trang trước", "← Previous page")) } }
                @if start + shown.len() < matched { a href={ (path) (query_of(page.page + 1)) } { (lang.pick("Trang sau →", "Next page →")) } }
            }
        }
    };
    staff_frame(lang, title, &path, Some(page.viewer), body)
}

/// What the item page says above the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Invalid(String),
}

pub struct ItemPage<'a> {
    pub lang: Lang,
    pub viewer: &'a Viewer,
    pub catalog: &'a Catalog,
    pub department: &'a str,
    pub item: &'a FeedbackItem,
    pub today: NaiveDate,
    pub notice: Option<&'a Notice>,
    /// What was sent and refused, shown again so nothing typed is lost.
    pub draft: Option<&'a FeedbackEdit>,
}

/// One item: the comment, its facts and the form that handles it.
pub fn item(page: &ItemPage) -> Markup {
    let lang = page.lang;
    let item = page.item;
    let title = lang.pick("Xử lý ý kiến", "Handle a comment");
    let path = format!("/feedback/{}/{}", page.department, item.key);
    let status = page.draft.map_or(item.status, |d| d.status);
    let topic = page
        .draft
        .map_or(item.topic.as_deref(), |d| d.topic.as_deref());
    let element = page
        .draft
        .map_or(item.element.as_deref(), |d| d.element.as_deref());
    let answer = page.draft.map_or(item.public_answer.as_deref(), |d| {
        d.public_answer.as_deref()
    });
    let note = page.draft.map_or(item.internal_note.as_deref(), |d| {
        d.internal_note.as_deref()
    });
    let settings = &page.catalog.site.feedback;
    let body = html! {
        p { a href={ "/feedback/" (page.department) "?lang=" (lang.code()) } { (lang.pick("← Danh sách ý kiến", "← All comments")) } }
        h1 { (title) }
        @match page.notice {
            Some(Notice::Saved) => { p.note role="status" { (lang.pick("Đã lưu.", "Saved.")) } }
            Some(Notice::Invalid(message)) => { p.err role="alert" { (lang.pick("Chưa lưu: ", "Not saved: ")) (message) } }
            None => {}
        }
        section.card {
            p.meta { (status_badge(lang, item, page.today)) }
            blockquote { (item.comment) }
            dl.facts {
                div { dt { (lang.pick("Ngày gửi phiếu", "Day the response was sent")) } dd { (day(item.date)) } }
                div { dt { (lang.pick("Nơi phục vụ", "Service point")) } dd { (unit_name(page.catalog, &item.unit, item.date, lang)) } }
                div { dt { (lang.pick("Khảo sát", "Survey")) } dd { (item.survey.survey.title.get(lang)) } }
                div { dt { (lang.pick("Hạn trả lời", "Answer due by")) } dd { (day(item.due_on)) " (" (settings.target_working_days) (lang.pick(" ngày làm việc)", " working days)")) } }
                @if let (Some(answered), Some(days)) = (item.closed_on, item.days_to_answer) {
                    div { dt { (lang.pick("Đã trả lời ngày", "Answered on")) } dd { (day(answered)) " (" (days) (lang.pick(" ngày làm việc)", " working days)")) } }
                }
            }
        }
        form method="post" action={ (path) "?lang=" (lang.code()) } {
            input type="hidden" name="csrf" value=(page.viewer.csrf);
            p { label for="status" { (lang.pick("Trạng thái", "Status")) }
                select #status name="status" {
                    @for s in FeedbackStatus::ALL { option value=(s.as_str()) selected[*s == status] { (s.name(lang)) } }
                } }
            p { label for="topic" { (lang.pick("Chủ đề", "Topic")) }
                select #topic name="topic" {
                    option value="" { (lang.pick("Chưa phân loại", "Not classified")) }
                    @for t in &settings.topics { option value=(t.key) selected[topic == Some(t.key.as_str())] { (t.name.get(lang)) } }
                } }
            p { label for="element" { (lang.pick("Yếu tố của phiếu", "Element of the questionnaire")) }
                select #element name="element" {
                    option value="" { (lang.pick("Không gắn yếu tố", "No element")) }
                    @for s in item.survey.survey.sections.iter().filter(|s| s.is_element()) {
                        option value=(s.key) selected[element == Some(s.key.as_str())] { (s.label.get(lang)) }
                    }
                } }
            p { label for="public_answer" { (lang.pick("Trả lời công khai (đăng trên trang kết quả khi trạng thái là “Đã trả lời”)", "Public answer (published on the results page once the status is “Answered”)")) }
                textarea #public_answer name="public_answer" maxlength="4000" { (answer.unwrap_or_default()) } }
            p { label for="internal_note" { (lang.pick("Ghi chú nội bộ (không công bố)", "Internal note (never published)")) }
                textarea #internal_note name="internal_note" maxlength="4000" { (note.unwrap_or_default()) } }
            button type="submit" { (lang.pick("Lưu", "Save")) }
        }
    };
    staff_frame(lang, title, &path, Some(page.viewer), body)
}
