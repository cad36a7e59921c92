//! Citizen pages: the list of surveys, the questionnaire, the thank-you page.

use std::collections::HashMap;

use maud::{html, Markup, PreEscaped};

use super::layout::page;
use crate::definitions::{
    Catalog, Condition, Question, QuestionKind, Survey, Unit, COMMENT_MAX_CHARS,
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
    page(lang, title, "/", body)
}

/// Everything the questionnaire page shows.
pub struct FormView<'a> {
    pub lang: Lang,
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

pub fn form(view: &FormView) -> Markup {
    let lang = view.lang;
    let survey = view.survey;
    let title = survey.title.get(lang);
    let unit_error = view.error("unit");
    let general_error = view.error("answers");
    let self_href = format!("/s/{}", survey.slug);
    let body = html! {
        p.muted { (view.department_name) }
        h1 { (title) }
        @if let Some(intro) = &survey.intro { p { (intro.get(lang)) } }
        p.muted { (lang.pick(
            "Phiếu ẩn danh. Ông/Bà có thể bỏ qua câu không muốn trả lời; chọn “Không áp dụng” nếu Ông/Bà không sử dụng dịch vụ đó.",
            "Anonymous. Skip any question you prefer not to answer; choose “Not applicable” for a service you did not use.")) }
        @if let Some(notice) = view.notice { p.note role="status" { (notice) } }
        @if !view.errors.is_empty() {
            div.summary role="alert" tabindex="-1" #errors {
                p { strong { (lang.pick("Phiếu chưa gửi được. Vui lòng xem lại:", "The form was not sent. Please check:")) } }
                ul {
                    @for (field, error) in &view.errors.0 {
                        li { a href={ "#" (anchor_for(field)) } { (field_title(survey, field, lang)) } ": " (error.message(lang)) }
                    }
                }
            }
        }
        form method="post" action={ (self_href) "?lang=" (lang.code()) } novalidate {
            input type="hidden" name="id" value=(view.response_id);
            input type="hidden" name="version" value=(view.version);
            input type="hidden" name="lang" value=(lang.code());
            @if let Some(code) = view.invitation {
                input type="hidden" name="code" value=(code.as_str());
                p.note {
                    (lang.pick("Ông/Bà được mời trả lời theo phiếu mời (mã ", "You were invited to answer (code "))
                    (code.printed())
                    (lang.pick("). Mã chỉ dùng một lần; câu trả lời không được lưu kèm mã.", "). The code works once; your answers are not stored with it."))
                }
            }
            fieldset #q-unit {
                legend { label for="unit" { (lang.pick("Nơi Ông/Bà được phục vụ", "Where you were served")) } }
                @if let Some(err) = &unit_error { p.err #err-unit { (err) } }
                select #unit name="unit" class=[unit_error.as_ref().map(|_| "invalid")]
                    aria-describedby=[unit_error.as_ref().map(|_| "err-unit")] {
                    option value="" { (lang.pick("— Chọn —", "— Choose —")) }
                    @for unit in &view.units {
                        option value=(unit.code) selected[view.selected_unit == Some(unit.code.as_str())] {
                            (unit.name.get(lang)) " (" (unit.commune) ")"
                        }
                    }
                }
            }
            @if let Some(err) = &general_error { p.err #q-answers { (err) } }
            @let conditional_css = condition_css(survey);
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
    page(lang, title, &self_href, body)
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
fn condition_css(survey: &Survey) -> String {
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
    for section in &survey.sections {
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

fn anchor_for(field: &str) -> String {
    match field.strip_prefix("answers.") {
        Some(key) => format!("q-{key}"),
        None => format!("q-{field}"),
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
                                        input type="radio" id=(id_of(&value)) name=(key) value=(value) checked[view.has_value(key, &value)];
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
                                    input type="radio" id=(id_of(&value)) name=(key) value=(value) checked[view.has_value(key, &value)];
                                    " " (point.label.get(lang))
                                }
                            }
                        }
                    }
                    label.opt.na for=(id_of("na")) {
                        input type="radio" id=(id_of("na")) name=(key) value="na" checked[view.has_value(key, "na") || view.has_value(key, "NA")];
                        " " (lang.pick("Không áp dụng / không sử dụng", "Not applicable / did not use"))
                    }
                }
            }
            QuestionKind::Single | QuestionKind::Multi => {
                @let input_type = if q.kind == QuestionKind::Single { "radio" } else { "checkbox" };
                fieldset #{ "q-" (key) } class=[error.as_ref().map(|_| "invalid")] aria-describedby=[described] {
                    legend {
                        (q.label.get(lang))
                        @if let Some(max) = q.max_choices {
                            " " span.muted { "(" (lang.pick("chọn tối đa ", "choose up to ")) (max) ")" }
                        }
                    }
                    @if let Some(note) = &note { (note) }
                    @if let Some(err) = &error { p.err id=(err_id) { (err) } }
                    @for option in &q.options {
                        label.choice for=(id_of(&option.key)) {
                            input type=(input_type) id=(id_of(&option.key)) name=(key) value=(option.key) checked[view.has_value(key, &option.key)];
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
                            input type="radio" id=(id_of(value)) name=(key) value=(value) checked[view.has_value(key, value)];
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
                        value=[view.value(key)] aria-describedby=[described];
                }
            }
            QuestionKind::Text => {
                fieldset #{ "q-" (key) } class=[error.as_ref().map(|_| "invalid")] {
                    legend { label for=(id_of("input")) { (q.label.get(lang)) } } @if let Some(note) = &note { (note) }
                    @if let Some(err) = &error { p.err id=(err_id) { (err) } }
                    p.muted { (lang.pick(
                        "Không ghi họ tên, số điện thoại hay số giấy tờ tùy thân.",
                        "Do not write your name, phone number or ID number.")) }
                    textarea id=(id_of("input")) name=(key) maxlength=(COMMENT_MAX_CHARS) aria-describedby=[described] {
                        (view.value(key).unwrap_or_default())
                    }
                }
            }
        }
    }
}

pub fn thanks(lang: Lang, survey: &Survey, unit: Option<&str>, already: bool) -> Markup {
    let title = lang.pick("Xin trân trọng cảm ơn Ông/Bà!", "Thank you!");
    let again = match unit {
        Some(unit) => format!("/s/{}?unit={}&lang={}", survey.slug, unit, lang.code()),
        None => format!("/s/{}?lang={}", survey.slug, lang.code()),
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
        p { a href=(again) { (lang.pick("Điền một phiếu mới", "Fill in another form")) } }
        p { a href={ "/?lang=" (lang.code()) } { (lang.pick("Các phiếu khảo sát khác", "Other surveys")) } }
    };
    page(lang, title, &format!("/s/{}/thanks", survey.slug), body)
}
