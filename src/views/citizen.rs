//! Citizen pages: the list of surveys, the questionnaire, the thank-you page.

use std::collections::HashMap;

use maud::{html, Markup, PreEscaped};

use super::layout::{kiosk_page, page};
use crate::definitions::{
    Catalog, Condition, Question, QuestionKind, Section, Site, Survey, Unit, COMMENT_MAX_CHARS,
};
use crate::domain::FieldErrors;
use crate::domain::InvitationCode;
use crate::i18n::Lang;

const SCALE_VI: [&str; 5] = [
    "Rất không hài lòng",
    "Không hài lòng",
    "Bình thường",
    "Hài lòng",
    "Rất hài lòng",
];
const SCALE_EN: [&str; 5] = [
    "Very dissatisfied",
    "Dissatisfied",
    "Neutral",
    "Satisfied",
    "Very satisfied",
];

fn scale_label(lang: Lang, score: usize) -> &'static str {
    match lang {
        Lang::Vi => SCALE_VI[score - 1],
        Lang::En => SCALE_EN[score - 1],
    }
}

pub fn index(lang: Lang, catalog: &Catalog, today: chrono::NaiveDate) -> Markup {
    let title = lang.pick(
        "Khảo sát sự hài lòng của người dân",
        "Citizen satisfaction surveys",
    );
    let body = html! {
        h1 { (title) }
        p { (lang.pick(
            "Ý kiến của Ông/Bà giúp các cơ quan nhà nước phục vụ tốt hơn. Phiếu khảo sát ẩn danh: không cần đăng nhập, không hỏi tên hay số điện thoại.",
            "Your opinion helps public offices serve you better. Surveys are anonymous: no login, no name or phone number asked.")) }
        @for department in catalog.departments.iter().filter(|d| d.surveyed) {
            @let surveys: Vec<&Survey> = catalog.surveys.iter().map(|v| &v.survey).filter(|s| s.department == department.code).collect();
            @if !surveys.is_empty() {
                h2 { (department.name_on(today).get(lang)) }
                ul.plain {
                    @for survey in surveys {
                        li { a href={ "/s/" (survey.slug) "?lang=" (lang.code()) } { (survey.title.get(lang)) } }
                    }
                }
            }
        }
    };
    page(lang, &catalog.site, title, "/", body)
}

/// Everything the questionnaire page shows.
pub struct FormView<'a> {
    pub lang: Lang,
    pub site: &'a Site,
    pub survey: &'a Survey,
    pub version: &'a str,
    pub department_name: &'a str,
    pub units: Vec<&'a Unit>,
    pub selected_unit: Option<&'a str>,
    pub response_id: String,
    /// What the citizen sent, to keep their answers when the form comes back.
    pub values: &'a HashMap<String, Vec<String>>,
    pub errors: &'a FieldErrors,
    pub notice: Option<&'a str>,
    /// The invitation code the form was opened with, if any.
    pub invitation: Option<&'a InvitationCode>,
    /// On a tablet at a counter: its service point and idle time.
    pub kiosk: Option<(&'a str, u32)>,
}

impl FormView<'_> {
    fn value(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    fn has_value(&self, key: &str, value: &str) -> bool {
        self.values.get(key).is_some_and(|values| {
            values
                .iter()
                .any(|v| v == value || v.split(';').any(|part| part == value))
        })
    }

    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|e| e.message(self.lang))
    }
}

fn answer_field(key: &str) -> String {
    crate::domain::answer_field(key)
}

/// What every questionnaire page shows above its questions: the body, the
/// title, the notice and the summary of faults (focused on arrival).
/// `page_of` says where a fault's item is when it is on another screen
/// (the review lists faults of every screen): the link goes there.
fn form_head(
    view: &FormView,
    summary_intro: &str,
    page_of: &dyn Fn(&str) -> Option<String>,
) -> Markup {
    let lang = view.lang;
    let survey = view.survey;
    html! {
        p.muted { (view.department_name) }
        h1 { (survey.title.get(lang)) }
        @if let Some(notice) = view.notice { p.note role="status" { (notice) } }
        @if !view.errors.is_empty() {
            div.summary role="alert" tabindex="-1" autofocus #errors {
                p { strong { (summary_intro) } }
                ul {
                    @for (field, error) in &view.errors.0 {
                        li { a href={ (page_of(field).unwrap_or_default()) "#" (first_input_of(survey, field)) } { (field_title(survey, field, lang)) } ": " (error.message(lang)) }
                    }
                }
            }
        }
    }
}

/// The fields every page of the form carries back.
fn hidden_fields(view: &FormView) -> Markup {
    let lang = view.lang;
    html! {
        input type="hidden" name="id" value=(view.response_id);
        input type="hidden" name="version" value=(view.version);
        input type="hidden" name="lang" value=(lang.code());
        @if let Some((unit, idle)) = view.kiosk {
            input type="hidden" name="kiosk" value=(unit);
            input type="hidden" name="idle" value=(idle);
        }
        @if let Some(code) = view.invitation {
            input type="hidden" name="code" value=(code.as_str());
            p.note {
                (lang.pick("Ông/Bà được mời trả lời theo phiếu mời (mã ", "You were invited to answer (code "))
                (code.printed())
                (lang.pick("). Mã chỉ dùng một lần; câu trả lời không được lưu kèm mã.", "). The code works once; your answers are not stored with it."))
            }
        }
    }
}

fn unit_field(view: &FormView) -> Markup {
    let lang = view.lang;
    let unit_error = view.error("unit");
    html! {
        fieldset #q-unit {
            legend { label for="unit" { (lang.pick("Nơi Ông/Bà được phục vụ", "Where you were served")) " " span.req { (lang.pick("(bắt buộc)", "(required)")) } } }
            @if let Some(err) = &unit_error { p.err #err-unit { (err) } }
            select #unit name="unit" class=[unit_error.as_ref().map(|_| "invalid")]
                aria-invalid=[unit_error.as_ref().map(|_| "true")]
                aria-describedby=[unit_error.as_ref().map(|_| "err-unit")] required {
                option value="" { (lang.pick("— Chọn —", "— Choose —")) }
                @for unit in &view.units {
                    option value=(unit.code) selected[view.selected_unit == Some(unit.code.as_str())] {
                        (unit.name.get(lang)) " (" (unit.commune) ")"
                    }
                }
            }
        }
    }
}

fn anonymity_note(lang: Lang) -> Markup {
    html! {
        p.muted { (lang.pick(
            "Phiếu ẩn danh. Cần chọn nơi Ông/Bà được phục vụ và trả lời ít nhất một câu đánh giá; các câu khác có thể bỏ qua. Chọn “Không áp dụng” nếu Ông/Bà không sử dụng dịch vụ đó.",
            "Anonymous. Choose where you were served and answer at least one rating; you may skip the other questions. Choose “Not applicable” for a service you did not use.")) }
    }
}

fn page_title(view: &FormView, screen: &str) -> String {
    let title = view.survey.title.get(view.lang);
    let prefix = if view.errors.is_empty() {
        ""
    } else {
        view.lang.pick("Lỗi: ", "Error: ")
    };
    if screen.is_empty() {
        format!("{prefix}{title}")
    } else {
        format!("{prefix}{title} – {screen}")
    }
}

/// The whole questionnaire on one page: what a form sent without screens
/// (an older page, a script) comes back as when it has faults.
pub fn form(view: &FormView) -> Markup {
    let lang = view.lang;
    let survey = view.survey;
    let general_error = view.error("answers");
    let self_href = format!("/s/{}", survey.slug);
    let all: Vec<&Section> = survey.sections.iter().collect();
    let body = html! {
        (form_head(view, lang.pick("Phiếu chưa gửi được. Vui lòng xem lại:", "The form was not sent. Please check:"), &|_| None))
        @if let Some(intro) = &survey.intro { p { (intro.get(lang)) } }
        (anonymity_note(lang))
        form method="post" action={ (self_href) "?lang=" (lang.code()) } novalidate {
            (hidden_fields(view))
            (unit_field(view))
            @if let Some(err) = &general_error { p.err #q-answers { (err) } }
            @let conditional_css = condition_css(survey, &all);
            @if !conditional_css.is_empty() { style { (PreEscaped(conditional_css)) } }
            @for section in &survey.sections {
                section #{ "s-" (section.key) } {
                    h2 { (section.label.get(lang)) }
                    @if let Some(condition) = &section.show_if { (condition_note(survey, condition, lang)) }
                    @for question in &section.questions {
                        (question_markup(view, question))
                    }
                }
            }
            button type="submit" { (lang.pick("Gửi phiếu", "Send")) }
        }
    };
    page(lang, view.site, &page_title(view, ""), &self_href, body)
}

/// One screen of the questionnaire: `page` indexes `sections` (those shown
/// given the answers so far); one past the last is the review screen.
pub struct ScreenView<'a> {
    pub form: FormView<'a>,
    pub sections: Vec<&'a Section>,
    pub page: usize,
}

impl ScreenView<'_> {
    fn total(&self) -> usize {
        self.sections.len() + 1
    }

    /// "Phần 2/6".
    fn progress(&self) -> String {
        format!(
            "{} {}/{}",
            self.form.lang.pick("Phần", "Part"),
            self.page + 1,
            self.total()
        )
    }
}

/// The address that resumes the questionnaire at `page`; never with an
/// invitation code, which must not share an address with the response id.
pub fn resume_href(slug: &str, id: &str, page: usize, lang: Lang) -> String {
    format!("/s/{slug}/r/{id}?page={page}&lang={}", lang.code())
}

pub fn screen(view: &ScreenView) -> Markup {
    let form_view = &view.form;
    let lang = form_view.lang;
    let survey = form_view.survey;
    let review = view.page >= view.sections.len();
    let section = view.sections.get(view.page).copied();
    let heading = match section {
        Some(section) => format!("{}: {}", view.progress(), section.label.get(lang)),
        None => format!(
            "{}: {}",
            view.progress(),
            lang.pick("Xem lại và gửi phiếu", "Review and send")
        ),
    };
    let self_href = match form_view.kiosk {
        // A kiosk's address never resumes a draft.
        Some((unit, idle)) => format!("/kiosk/{unit}/{}?idle={idle}", survey.slug),
        None => resume_href(&survey.slug, &form_view.response_id, view.page, lang),
    };
    let (other_lang, other_label) = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    // On the review, a fault links to the screen of its item, where the
    // form can be resumed by address (not on a kiosk, nor with a code).
    let resumable = review && form_view.kiosk.is_none() && form_view.invitation.is_none();
    let page_of = |field: &str| -> Option<String> {
        if !resumable {
            return None;
        }
        let key = field.strip_prefix("answers.").unwrap_or(field);
        let page = if key == "unit" {
            Some(0)
        } else {
            view.sections
                .iter()
                .position(|s| s.questions.iter().any(|q| q.key == key))
        }?;
        Some(resume_href(
            &survey.slug,
            &form_view.response_id,
            page,
            lang,
        ))
    };
    let body = html! {
        (form_head(form_view, lang.pick("Vui lòng xem lại:", "Please check:"), &page_of))
        @if view.page == 0 {
            @if let Some(intro) = &survey.intro { p { (intro.get(lang)) } }
            (anonymity_note(lang))
        }
        // A kiosk's browser must not bring back the previous citizen's ticks.
        form method="post" action={ "/s/" (survey.slug) "?lang=" (lang.code()) } novalidate autocomplete=[form_view.kiosk.map(|_| "off")] {
            // The first submit button is what Enter presses: it goes to the
            // next screen, never sends the questionnaire.
            @if !review {
                button.default type="submit" name="go" value="next" tabindex="-1" aria-hidden="true" { (lang.pick("Tiếp", "Next")) }
            }
            (hidden_fields(form_view))
            input type="hidden" name="page" value=(view.page);
            @if let Some(section) = section { input type="hidden" name="section" value=(section.key); }
            h2 { (heading) }
            @match section {
                Some(section) => {
                    @if view.page == 0 { (unit_field(form_view)) }
                    @let shown: Vec<&Question> = section
                        .questions
                        .iter()
                        .filter(|q| asked_here(survey, section, q, form_view.values))
                        .collect();
                    @let conditional_css = condition_css(survey, &[section]);
                    @if !conditional_css.is_empty() { style { (PreEscaped(conditional_css)) } }
                    @if let Some(condition) = &section.show_if { (condition_note(survey, condition, lang)) }
                    @for question in shown {
                        (question_markup(form_view, question))
                    }
                }
                None => {
                    @if let Some(err) = form_view.error("answers") { p.err #q-answers { (err) } }
                    (review_list(view))
                }
            }
            p.nav {
                @if view.page > 0 {
                    button type="submit" name="go" value="back" { (lang.pick("‹ Quay lại", "‹ Back")) }
                    " "
                }
                @if review {
                    button.send type="submit" name="go" value="send" { (lang.pick("Gửi phiếu", "Send")) }
                } @else if view.page + 1 == view.sections.len() {
                    button type="submit" name="go" value="next" { (lang.pick("Xem lại ›", "Review ›")) }
                } @else {
                    button type="submit" name="go" value="next" { (lang.pick("Tiếp ›", "Next ›")) }
                }
            }
            p { button.link type="submit" name="go" value={ "lang-" (other_lang) } lang=(other_lang) { (other_label) } }
        }
        p.muted { (lang.pick(
            "Câu trả lời được lưu tạm theo mã phiếu trong địa chỉ trang này, không dùng cookie, và tự xóa sau 7 ngày nếu chưa gửi. Có thể mở lại địa chỉ này để trả lời tiếp.",
            "Answers are kept under the form number in this page's address, without cookies, and deleted after 7 days if not sent. Open this address again to continue.")) }
    };
    match form_view.kiosk {
        Some(_) => kiosk_page(lang, form_view.site, &page_title(form_view, &heading), body),
        None => page(
            lang,
            form_view.site,
            &page_title(form_view, &heading),
            &self_href,
            body,
        ),
    }
}

/// Whether `question` of `section` is asked given the answers of earlier
/// screens: a condition on an earlier section's item is settled; one on
/// this section's items is left to the page (CSS) and the server.
fn asked_here(
    survey: &Survey,
    section: &Section,
    question: &Question,
    values: &HashMap<String, Vec<String>>,
) -> bool {
    question.show_if.as_ref().is_none_or(|condition| {
        let earlier: Condition = condition
            .iter()
            .filter(|(key, _)| !section.questions.iter().any(|q| &q.key == *key))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        crate::domain::pages::meets(survey, values, &earlier)
    })
}

/// The answers given, section by section, each with a button to change it.
fn review_list(view: &ScreenView) -> Markup {
    let form_view = &view.form;
    let lang = form_view.lang;
    let unit_name = form_view
        .selected_unit
        .and_then(|code| form_view.units.iter().find(|u| u.code == code))
        .map(|u| u.name.get(lang).to_string());
    html! {
        dl.review {
            dt { (lang.pick("Nơi Ông/Bà được phục vụ", "Where you were served")) }
            dd { (unit_name.unwrap_or_else(|| lang.pick("(chưa chọn)", "(not chosen)").to_string())) }
        }
        @for (i, section) in view.sections.iter().enumerate() {
            h3 { (section.label.get(lang)) }
            dl.review {
                @for question in &section.questions {
                    @if let Some(answer) = answer_text(form_view, question) {
                        dt { (question.label.get(lang)) }
                        dd { (answer) }
                    }
                }
            }
            p { button.link type="submit" name="go" value={ "edit-" (i) } { (lang.pick("Sửa phần này", "Change this part")) } }
        }
    }
}

/// An answer as words, or None when the item was skipped.
fn answer_text(view: &FormView, question: &Question) -> Option<String> {
    let lang = view.lang;
    let values: Vec<&str> = view
        .values
        .get(&question.key)?
        .iter()
        .flat_map(|v| v.split(';'))
        .filter(|v| !v.is_empty())
        .collect();
    let first = *values.first()?;
    Some(match question.kind {
        QuestionKind::Likert => match (first, &question.scale) {
            ("na" | "NA", _) => lang.pick("Không áp dụng", "Not applicable").to_string(),
            (value, Some(scale)) => scale
                .points
                .iter()
                .find(|p| p.value.to_string() == value)
                .map_or(value.to_string(), |p| p.label.get(lang).to_string()),
            (value, None) => value
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .map_or(value.to_string(), |n| {
                    format!("{n} – {}", scale_label(lang, n))
                }),
        },
        QuestionKind::Single | QuestionKind::Multi => values
            .iter()
            .map(|v| question.option_label(v).get(lang).to_string())
            .collect::<Vec<_>>()
            .join("; "),
        QuestionKind::YesNo => match first {
            "1" | "yes" | "true" => lang.pick("Có", "Yes").to_string(),
            _ => lang.pick("Không", "No").to_string(),
        },
        QuestionKind::Percent => format!("{first} %"),
        QuestionKind::Text => first.to_string(),
    })
}

/// The id of the input that answers `key` with `answer` (yes/no items are
/// sent as 1 and 0).
fn input_id(survey: &Survey, key: &str, answer: &str) -> String {
    let value = match (survey.question(key).map(|q| q.kind), answer) {
        (Some(QuestionKind::YesNo), "yes") => "1",
        (Some(QuestionKind::YesNo), "no") => "0",
        _ => answer,
    };
    format!("{key}-{value}")
}

/// Conditional items and sections without JavaScript: where the browser
/// understands `:has()`, an item whose condition is not met is hidden until
/// the answers that ask it are ticked; elsewhere it stays visible with its
/// note ("answer only if…"), and the server drops an answer to an item that
/// was not asked.
fn condition_css(survey: &Survey, sections: &[&Section]) -> String {
    let rule = |target: String, condition: &Condition| {
        let has: String = condition
            .iter()
            .map(|(key, answers)| {
                let ticked: Vec<String> = answers
                    .iter()
                    .map(|a| format!("#{}:checked", input_id(survey, key, a)))
                    .collect();
                format!(":has({})", ticked.join(","))
            })
            .collect();
        format!("{target}{{display:none}}form{has} {target}{{display:block}}")
    };
    let mut rules = String::new();
    for section in sections {
        if let Some(condition) = &section.show_if {
            rules.push_str(&rule(format!("#s-{}", section.key), condition));
        }
        for question in &section.questions {
            if let Some(condition) = &question.show_if {
                rules.push_str(&rule(format!("#q-{}", question.key), condition));
            }
        }
    }
    if rules.is_empty() {
        rules
    } else {
        format!("@supports selector(:has(*)){{{rules}}}")
    }
}

/// "Answer only if: <question> — <answer> or <answer>".
fn condition_note(survey: &Survey, condition: &Condition, lang: Lang) -> Markup {
    let parts: Vec<String> = condition
        .iter()
        .filter_map(|(key, answers)| {
            let question = survey.question(key)?;
            let labels: Vec<String> = answers
                .iter()
                .map(|a| question.option_label(a).get(lang).to_string())
                .collect();
            Some(format!(
                "{} — {}",
                question.label.get(lang),
                labels.join(lang.pick(" hoặc ", " or "))
            ))
        })
        .collect();
    html! {
        p.muted.condition {
            (lang.pick("Chỉ trả lời nếu: ", "Answer only if: ")) (parts.join("; "))
        }
    }
}

/// The id of the first input of the item `field` names: where a link from
/// the summary of faults puts the focus.
fn first_input_of(survey: &Survey, field: &str) -> String {
    let key = field.strip_prefix("answers.").unwrap_or(field);
    match survey.question(key) {
        None if key == "unit" => "unit".to_string(),
        None => format!("q-{key}"),
        Some(q) => match q.kind {
            QuestionKind::Likert => match &q.scale {
                Some(scale) => scale
                    .points
                    .first()
                    .map_or(format!("q-{key}"), |p| format!("{key}-{}", p.value)),
                None => format!("{key}-1"),
            },
            QuestionKind::Single | QuestionKind::Multi => q
                .options
                .first()
                .map_or(format!("q-{key}"), |o| format!("{key}-{}", o.key)),
            QuestionKind::YesNo => format!("{key}-1"),
            QuestionKind::Percent | QuestionKind::Text => format!("{key}-input"),
        },
    }
}

fn field_title(survey: &Survey, field: &str, lang: Lang) -> String {
    match field
        .strip_prefix("answers.")
        .and_then(|key| survey.question(key))
    {
        Some(question) => question.label.get(lang).to_string(),
        None => match field {
            "unit" => lang
                .pick("Nơi Ông/Bà được phục vụ", "Where you were served")
                .to_string(),
            "comment" => lang.pick("Ý kiến", "Comment").to_string(),
            "answers" => lang.pick("Câu trả lời", "Answers").to_string(),
            other => other.to_string(),
        },
    }
}

fn question_markup(view: &FormView, q: &Question) -> Markup {
    let lang = view.lang;
    let key = q.key.as_str();
    let field = if q.kind == QuestionKind::Text {
        key.to_string()
    } else {
        answer_field(key)
    };
    let error = view.error(&field);
    let err_id = format!("err-{key}");
    let described = error.as_ref().map(|_| err_id.clone());
    let invalid = error.as_ref().map(|_| "true");
    let id_of = |suffix: &str| format!("{key}-{suffix}");
    let note = q
        .show_if
        .as_ref()
        .map(|condition| condition_note(view.survey, condition, lang));
    html! {
        @match q.kind {
            QuestionKind::Likert => {
                fieldset #{ "q-" (key) } class=[error.as_ref().map(|_| "invalid")] aria-describedby=[described] {
                    legend { (q.label.get(lang)) } @if let Some(note) = &note { (note) }
                    @if let Some(err) = &error { p.err id=(err_id) { (err) } }
                    @match &q.scale {
                        None => {
                            div.scale {
                                @for score in 1..=5usize {
                                    @let value = score.to_string();
                                    label.opt for=(id_of(&value)) {
                                        input type="radio" id=(id_of(&value)) name=(key) value=(value) checked[view.has_value(key, &value)] aria-invalid=[invalid];
                                        b { (score) } (scale_label(lang, score))
                                    }
                                }
                            }
                        }
                        // A scale of its own: its points' words, in its order.
                        Some(scale) => {
                            @for point in &scale.points {
                                @let value = point.value.to_string();
                                label.choice for=(id_of(&value)) {
                                    input type="radio" id=(id_of(&value)) name=(key) value=(value) checked[view.has_value(key, &value)] aria-invalid=[invalid];
                                    " " (point.label.get(lang))
                                }
                            }
                        }
                    }
                    label.opt.na for=(id_of("na")) {
                        input type="radio" id=(id_of("na")) name=(key) value="na" checked[view.has_value(key, "na") || view.has_value(key, "NA")] aria-invalid=[invalid];
                        " " (lang.pick("Không áp dụng / không sử dụng", "Not applicable / did not use"))
                    }
                }
            }
            QuestionKind::Single | QuestionKind::Multi => {
                @let input_type = if q.kind == QuestionKind::Single { "radio" } else { "checkbox" };
                @let max = q.max_choices.filter(|_| q.kind == QuestionKind::Multi);
                fieldset #{ "q-" (key) } class=[error.as_ref().map(|_| "invalid")] aria-describedby=[described] data-max=[max] {
                    legend {
                        (q.label.get(lang))
                        @if let Some(max) = max {
                            " " span.muted { "(" (lang.pick("chọn tối đa ", "choose up to ")) (max) ")" }
                        }
                    }
                    // Filled in by /form.js: how many are chosen.
                    @if max.is_some() { p.count.muted aria-live="polite" {} }
                    @if let Some(note) = &note { (note) }
                    @if let Some(err) = &error { p.err id=(err_id) { (err) } }
                    @for option in &q.options {
                        label.choice for=(id_of(&option.key)) {
                            input type=(input_type) id=(id_of(&option.key)) name=(key) value=(option.key) checked[view.has_value(key, &option.key)] aria-invalid=[invalid];
                            " " (option.label.get(lang))
                        }
                    }
                }
            }
            QuestionKind::YesNo => {
                fieldset #{ "q-" (key) } class=[error.as_ref().map(|_| "invalid")] aria-describedby=[described] {
                    legend { (q.label.get(lang)) } @if let Some(note) = &note { (note) }
                    @if let Some(err) = &error { p.err id=(err_id) { (err) } }
                    @for (value, label) in [("1", lang.pick("Có", "Yes")), ("0", lang.pick("Không", "No"))] {
                        label.choice for=(id_of(value)) {
                            input type="radio" id=(id_of(value)) name=(key) value=(value) checked[view.has_value(key, value)] aria-invalid=[invalid];
                            " " (label)
                        }
                    }
                }
            }
            QuestionKind::Percent => {
                fieldset #{ "q-" (key) } class=[error.as_ref().map(|_| "invalid")] {
                    legend { label for=(id_of("input")) { (q.label.get(lang)) } } @if let Some(note) = &note { (note) }
                    @if let Some(err) = &error { p.err id=(err_id) { (err) } }
                    input type="number" id=(id_of("input")) name=(key) min="0" max=(q.percent_max()) step="1" inputmode="numeric"
                        value=[view.value(key)] aria-describedby=[described] aria-invalid=[invalid];
                }
            }
            QuestionKind::Text => {
                fieldset #{ "q-" (key) } class=[error.as_ref().map(|_| "invalid")] {
                    legend { label for=(id_of("input")) { (q.label.get(lang)) } } @if let Some(note) = &note { (note) }
                    @if let Some(err) = &error { p.err id=(err_id) { (err) } }
                    p.muted { (lang.pick(
                        "Không ghi họ tên, số điện thoại hay số giấy tờ tùy thân.",
                        "Do not write your name, phone number or ID number.")) }
                    textarea id=(id_of("input")) name=(key) maxlength=(COMMENT_MAX_CHARS) aria-describedby=[described] aria-invalid=[invalid] {
                        (view.value(key).unwrap_or_default())
                    }
                }
            }
        }
    }
}

/// Where "fill in another form" leads: the same service point, or on a
/// kiosk its blank form (and nowhere else).
pub enum Again<'a> {
    Unit(Option<&'a str>),
    Kiosk(&'a str),
}

/// The thank-you page; `results` when the survey's department publishes
/// its results (a link to them, except on a kiosk).
pub fn thanks(
    lang: Lang,
    site: &Site,
    survey: &Survey,
    again: Again,
    already: bool,
    results: bool,
) -> Markup {
    let title = lang.pick("Xin trân trọng cảm ơn Ông/Bà!", "Thank you!");
    let again_href = match &again {
        Again::Unit(Some(unit)) => format!("/s/{}?unit={}&lang={}", survey.slug, unit, lang.code()),
        Again::Unit(None) => format!("/s/{}?lang={}", survey.slug, lang.code()),
        Again::Kiosk(start) => start.to_string(),
    };
    let body = html! {
        h1 { (title) }
        p role="status" { (lang.pick(
            "Phiếu khảo sát của Ông/Bà đã được ghi nhận. Ý kiến của Ông/Bà giúp cơ quan nhà nước cải thiện chất lượng phục vụ.",
            "Your answers have been recorded. They help public offices improve their service.")) }
        @if already {
            p.note { (lang.pick(
                "Phiếu này đã được gửi trước đó; chúng tôi giữ câu trả lời của lần gửi đầu tiên.",
                "This form had already been sent; the answers from the first sending are kept.")) }
        }
        p { a href=(again_href) { (lang.pick("Điền một phiếu mới", "Fill in another form")) } }
        @if let Again::Unit(_) = again {
            @if results {
                p { a href={ "/results/" (survey.department) "?lang=" (lang.code()) } { (lang.pick("Kết quả khảo sát và những việc cơ quan đã làm", "Survey results and what the office did")) } }
            }
            p { a href={ "/?lang=" (lang.code()) } { (lang.pick("Các phiếu khảo sát khác", "Other surveys")) } }
        }
    };
    match again {
        Again::Kiosk(_) => kiosk_page(lang, site, title, body),
        Again::Unit(_) => page(
            lang,
            site,
            title,
            &format!("/s/{}/thanks", survey.slug),
            body,
        ),
    }
}

/// What is stored and what is not, in plain words, and whom to ask.
pub fn privacy(lang: Lang, site: &Site, min_cell: usize) -> Markup {
    let title = lang.pick("Quyền riêng tư", "Privacy");
    let body = html! {
        h1 { (title) }
        p { (lang.pick("Trang khảo sát này do ", "This survey site is run by ")) strong { (site.authority.get(lang)) } (lang.pick(" vận hành. Phiếu khảo sát là ẩn danh.", ". The survey is anonymous.")) }
        h2 { (lang.pick("Hệ thống lưu", "What is stored")) }
        ul {
            li { (lang.pick("Câu trả lời và ý kiến Ông/Bà viết; nơi được phục vụ; ngày gửi (không có giờ); phiên bản phiếu.", "Your answers and any comment you write; where you were served; the day you sent it (no time of day); the version of the questionnaire.")) }
            li { (lang.pick("Một mã phiếu ngẫu nhiên do trình duyệt tạo, để một phiếu gửi hai lần chỉ được tính một lần.", "A random form number made by your browser, so that a form sent twice counts once.")) }
            li { (lang.pick("Cách phiếu đến (trang web, phiếu giấy, máy tại quầy) và phiếu có kèm mã mời hay không.", "How the form came (web, paper, counter tablet) and whether it came with an invitation code.")) }
            li { (lang.pick("Khi trả lời từng phần: câu trả lời được giữ tạm theo mã phiếu đến khi Ông/Bà gửi, tối đa 7 ngày.", "While you answer part by part: your answers are kept under the form number until you send, for at most 7 days.")) }
        }
        h2 { (lang.pick("Hệ thống không lưu", "What is not stored")) }
        ul {
            li { (lang.pick("Họ tên, số điện thoại, số giấy tờ, địa chỉ: phiếu không hỏi. Nếu Ông/Bà ghi vào ý kiến, chúng được che khi cán bộ xem.", "Your name, phone number, ID number or address: the form does not ask. If you write them in a comment, they are masked when staff read it.")) }
            li { (lang.pick("Địa chỉ IP, loại máy, trình duyệt, giờ gửi; trang khảo sát không dùng cookie.", "Your IP address, device, browser or the time you sent; the survey pages set no cookie.")) }
            li { (lang.pick("Mã mời: chỉ dùng để biết mã đã được dùng; không lưu mã cùng câu trả lời, không lưu mã nào được phát cho hồ sơ nào.", "Invitation codes: used only to know a code has been used; a code is not stored with the answers, nor which dossier it was given for.")) }
        }
        h2 { (lang.pick("Ai xem được", "Who sees what")) }
        p { (lang.pick("Cán bộ các sở xem số liệu tổng hợp, không xem từng phiếu. Số liệu của dưới ", "Department staff see totals, never a single form. Figures from fewer than ")) (min_cell) (lang.pick(" người trả lời không được công bố; ý kiến chỉ hiện khi nơi phục vụ có đủ số phiếu đó.", " respondents are not published; comments are shown only where a service point has that many forms.")) }
        h2 { (lang.pick("Liên hệ", "Contact")) }
        p { (site.contact.get(lang)) }
    };
    page(lang, site, title, "/privacy", body)
}
