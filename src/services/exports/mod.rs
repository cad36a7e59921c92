//! Index results for Home Affairs' periodic reports: one tidy long table
//! (CSV, JSON) and a workbook (XLSX), from the same estimates as the index
//! API. Suppressed cells are marked, never left blank or filled in.

pub mod appendix;
pub mod docx;
pub mod microdata;
pub mod report;

use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;

use crate::app::AppContext;
use crate::definitions::SurveyVersion;
use crate::domain::Period;
use crate::i18n::Lang;
use crate::services::feedback::{self, FeedbackSummary};
use crate::services::indices::disclosure::DisclosureGuard;
use crate::services::indices::{self, IndexError, IndexQuery, IndexReport, UnitReport, Weighting};
use crate::stats::{Estimate, Flag, StatsConfig};

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub period: Period,
    pub weighting: Weighting,
    /// One department, or all.
    pub department: Option<String>,
    pub config: StatsConfig,
}

/// One survey's results.
#[derive(Debug, Clone)]
pub struct SurveyResults {
    pub survey: Arc<SurveyVersion>,
    pub report: IndexReport,
    pub units: Vec<UnitReport>,
}

#[derive(Debug, Clone)]
pub struct ExportData {
    pub request: ExportRequest,
    pub generated_at: DateTime<FixedOffset>,
    pub surveys: Vec<SurveyResults>,
    /// Each surveyed department's feedback items of the period.
    pub feedback: Vec<(String, FeedbackSummary)>,
}

/// Computes every survey of the request (blocking).
pub fn gather(ctx: &AppContext, request: &ExportRequest) -> Result<ExportData, IndexError> {
    let surveys = ctx
        .catalog
        .surveys
        .iter()
        .filter(|s| {
            request
                .department
                .as_deref()
                .is_none_or(|d| s.survey.department == d)
        })
        .map(|survey| {
            let query = IndexQuery {
                survey: survey.clone(),
                period: request.period,
                unit: None,
                weighting: request.weighting,
                config: request.config,
                design: indices::default_design(
                    ctx,
                    &survey.survey.slug,
                    &request.period,
                    None,
                    &request.config,
                )?,
            };
            let [previous, year_ago] = indices::compared_periods(request.period);
            let guard = DisclosureGuard::load(
                ctx,
                survey,
                &[request.period, previous, year_ago],
                query.design,
            )?;
            let (report, units) = indices::compute_with_units(ctx, &query, &guard)?;
            Ok(SurveyResults {
                survey: survey.clone(),
                report,
                units,
            })
        })
        .collect::<Result<Vec<_>, IndexError>>()?;
    let departments: Vec<&str> = ctx
        .catalog
        .departments
        .iter()
        .filter(|d| d.surveyed)
        .filter(|d| {
            request
                .department
                .as_deref()
                .is_none_or(|code| d.code == code)
        })
        .map(|d| d.code.as_str())
        .collect();
    let feedback = feedback::summaries(ctx, &departments, &request.period)?;
    Ok(ExportData {
        request: request.clone(),
        generated_at: ctx.clock.now_in_vietnam(),
        surveys,
        feedback,
    })
}

/// A row of the tidy table.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Row {
    pub period: String,
    pub mode: String,
    pub weighting: String,
    pub department: String,
    pub survey: String,
    /// Empty for the whole survey, else a service point.
    pub unit: String,
    /// overall | pooled | comprehensive | mean_score | element |
    /// element_mean_score | item | option (key `ITEM=OPTION`: a share of
    /// those who answered) | mean (a percent item's mean) | feedback (a
    /// department's comments: key `new`, `in_progress`, `answered`,
    /// `no_action`, `hidden` (counts), `median_days_to_answer`,
    /// `answered_in_time` (share of the items due; `n` is how many were due))
    #[schema(value_type = String)]
    pub level: &'static str,
    pub key: String,
    pub label_vi: String,
    pub respondents: usize,
    pub n: usize,
    pub estimate: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub method: String,
    pub flags: String,
    pub suppressed: bool,
}

pub const CSV_HEADER: [&str; 18] = [
    "period",
    "mode",
    "weighting",
    "department",
    "survey",
    "unit",
    "level",
    "key",
    "label_vi",
    "respondents",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "method",
    "flags",
    "suppressed",
];

/// The flags of an estimate in words, for the workbook's notes column.
fn notes(lang: Lang, estimate: &Estimate) -> String {
    estimate
        .flags
        .iter()
        .map(|f| crate::i18n::flag_words(lang, *f))
        .collect::<Vec<_>>()
        .join("; ")
}

fn flag_names(estimate: &Estimate) -> String {
    estimate
        .flags
        .iter()
        .map(|f| match f {
            Flag::LowReliability => "low_reliability",
            Flag::SingleRespondentStratum => "single_respondent_stratum",
            Flag::NoValidAnswers => "no_valid_answers",
            Flag::Withheld => "withheld",
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn method_name(estimate: &Estimate) -> String {
    serde_json::to_value(estimate.method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The tidy long table: survey-level estimates, elements, items, then each
/// service point's overall index.
pub fn rows(data: &ExportData) -> Vec<Row> {
    let period = &data.request.period;
    let mut out = Vec::new();
    for results in &data.surveys {
        let survey = &results.survey.survey;
        let current = &results.report.current;
        let row = |unit: &str,
                   level: &'static str,
                   key: &str,
                   label: &str,
                   respondents: usize,
                   e: &Estimate| Row {
            period: period.label(),
            mode: period.mode.as_str().to_string(),
            weighting: data.request.weighting.as_str().to_string(),
            department: survey.department.clone(),
            survey: survey.slug.clone(),
            unit: unit.to_string(),
            level,
            key: key.to_string(),
            label_vi: label.to_string(),
            respondents,
            n: e.n,
            estimate: e.estimate,
            se: e.se,
            ci_low: e.ci_low,
            ci_high: e.ci_high,
            method: method_name(e),
            flags: flag_names(e),
            suppressed: e.suppressed,
        };
        let respondents = current.respondents;
        let estimates = &current.estimates;
        out.push(row(
            "",
            "overall",
            "",
            &survey.title.vi,
            respondents,
            &estimates.overall,
        ));
        out.push(row(
            "",
            "pooled",
            "",
            &survey.title.vi,
            respondents,
            &estimates.pooled,
        ));
        out.push(row(
            "",
            "comprehensive",
            "",
            &survey.title.vi,
            respondents,
            &estimates.comprehensive,
        ));
        out.push(row(
            "",
            "mean_score",
            "",
            &survey.title.vi,
            respondents,
            &current.mean_scores.overall,
        ));
        let labels: Vec<(&str, &str)> = survey
            .likert_items()
            .map(|q| (q.key.as_str(), q.label.vi.as_str()))
            .collect();
        for ((section, element), mean_score) in survey
            .sections
            .iter()
            .filter(|s| s.is_element())
            .zip(&estimates.elements)
            .zip(&current.mean_scores.elements)
        {
            out.push(row(
                "",
                "element",
                &section.key,
                &section.label.vi,
                respondents,
                &element.index,
            ));
            out.push(row(
                "",
                "element_mean_score",
                &section.key,
                &section.label.vi,
                respondents,
                mean_score,
            ));
            for item in &element.items {
                let (key, label) = labels[item.item];
                out.push(row("", "item", key, label, respondents, &item.index));
            }
        }
        for (question, estimates) in
            indices::other_items::questions(survey).zip(&current.other_items)
        {
            for option in &estimates.options {
                out.push(row(
                    "",
                    "option",
                    &format!("{}={}", question.key, option.key),
                    &format!(
                        "{}: {}",
                        question.label.vi,
                        question.option_label(&option.key).vi
                    ),
                    respondents,
                    &option.share,
                ));
            }
            if let Some(mean) = &estimates.mean {
                out.push(row(
                    "",
                    "mean",
                    &question.key,
                    &question.label.vi,
                    respondents,
                    mean,
                ));
            }
        }
        for unit in &results.units {
            out.push(row(
                &unit.unit,
                "overall",
                "",
                &survey.title.vi,
                unit.respondents,
                &unit.overall,
            ));
            if let (Some(late), Some(declared)) = (&unit.late, &survey.late_result) {
                out.push(row(
                    &unit.unit,
                    "option",
                    &format!("{}={}", declared.item, declared.option),
                    "Nhận kết quả trễ hẹn",
                    unit.respondents,
                    &late.late,
                ));
                out.push(row(
                    &unit.unit,
                    "option",
                    &format!("{}=yes", declared.apology),
                    "Được xin lỗi, hẹn lại (trong số trễ hẹn)",
                    unit.respondents,
                    &late.apology,
                ));
            }
        }
    }
    for (department, summary) in &data.feedback {
        let figure = |key: &str, label: &str, n: usize, estimate: Option<f64>, method: &str| Row {
            period: period.label(),
            mode: period.mode.as_str().to_string(),
            weighting: data.request.weighting.as_str().to_string(),
            department: department.clone(),
            survey: String::new(),
            unit: String::new(),
            level: "feedback",
            key: key.to_string(),
            label_vi: label.to_string(),
            respondents: summary.total(),
            n,
            estimate,
            se: None,
            ci_low: None,
            ci_high: None,
            method: method.to_string(),
            flags: String::new(),
            suppressed: false,
        };
        for (key, label, n) in [
            ("new", "Ý kiến mới", summary.new),
            ("in_progress", "Ý kiến đang xử lý", summary.in_progress),
            ("answered", "Ý kiến đã trả lời", summary.answered),
            ("no_action", "Ý kiến không cần xử lý", summary.no_action),
        ] {
            out.push(figure(key, label, n, Some(n as f64), "count"));
        }
        // How many comments of small cells wait is said only when it is at
        // least the threshold itself.
        let mut hidden = figure(
            "hidden",
            "Ý kiến chưa hiển thị (nơi phục vụ chưa đủ số phiếu)",
            summary.hidden.unwrap_or(0),
            summary.hidden.map(|n| n as f64),
            "count",
        );
        hidden.suppressed = summary.hidden.is_none() && summary.some_hidden;
        out.push(hidden);
        out.push(figure(
            "median_days_to_answer",
            "Thời gian trả lời, trung vị (ngày làm việc)",
            summary.answered,
            summary.median_days_to_answer,
            "median",
        ));
        out.push(figure(
            "answered_in_time",
            &format!(
                "Tỷ lệ trả lời trong {} ngày làm việc",
                summary.target_working_days
            ),
            summary.due,
            summary.share_in_time(),
            "share",
        ));
    }
    out
}

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// UTF-8 with a byte-order mark (so Excel shows Vietnamese correctly),
/// fractions with a dot decimal.
pub fn write_csv(rows: &[Row], out: impl Write) -> csv::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER)?;
    for r in rows {
        writer.write_record([
            r.period.as_str(),
            &r.mode,
            &r.weighting,
            &r.department,
            &r.survey,
            &r.unit,
            r.level,
            &r.key,
            &r.label_vi,
            &r.respondents.to_string(),
            &r.n.to_string(),
            &number(r.estimate),
            &number(r.se),
            &number(r.ci_low),
            &number(r.ci_high),
            &r.method,
            &r.flags,
            if r.suppressed { "true" } else { "false" },
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// The workbook: summary, elements and items, service points, method.
pub fn workbook(data: &ExportData, ctx: &AppContext, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let t = |vi: &'static str, en: &'static str| lang.pick(vi, en);
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDE7F0")
        .set_text_wrap();
    let pct = Format::new().set_num_format("0.0%");
    let points = Format::new().set_num_format("+0.0%;-0.0%;0.0%");
    let decimal = Format::new().set_num_format("0.000");
    let marked = Format::new().set_italic().set_font_color("#666666");
    let suppressed_text = t("ẩn (dưới ngưỡng)", "suppressed");
    let period = &data.request.period;
    let today = data.generated_at.date_naive();

    fn headers(
        sheet: &mut Worksheet,
        names: &[&str],
        widths: &[f64],
        format: &Format,
    ) -> Result<(), XlsxError> {
        for (col, (name, width)) in names.iter().zip(widths).enumerate() {
            sheet.write_string_with_format(0, col as u16, *name, format)?;
            sheet.set_column_width(col as u16, *width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    }
    // A proportion, or the suppression mark.
    let estimate_cell = |sheet: &mut Worksheet,
                         row: u32,
                         col: u16,
                         e: &Estimate,
                         value: Option<f64>|
     -> Result<(), XlsxError> {
        match value {
            Some(v) if !e.suppressed => sheet.write_number_with_format(row, col, v, &pct)?,
            _ if e.suppressed => {
                sheet.write_string_with_format(row, col, suppressed_text, &marked)?
            }
            _ => sheet.write_string_with_format(row, col, "—", &marked)?,
        };
        Ok(())
    };

    let summary = book.add_worksheet();
    summary.set_name(t("Tổng hợp", "Summary"))?;
    headers(
        summary,
        &[
            t("Cơ quan", "Department"),
            t("Khảo sát", "Survey"),
            t("Số người trả lời", "Respondents"),
            t("Chỉ số hài lòng", "Index"),
            t("Cận dưới", "Lower bound"),
            t("Cận trên", "Upper bound"),
            "n",
            t("Thay đổi so với kỳ trước", "Change since previous period"),
            "p",
            t("Có ý nghĩa thống kê", "Significant"),
            t("Kỳ so sánh", "Compared with"),
            t("Ghi chú", "Notes"),
        ],
        &[
            30.0, 46.0, 12.0, 12.0, 11.0, 11.0, 8.0, 16.0, 9.0, 12.0, 14.0, 18.0,
        ],
        &header,
    )?;
    for (i, results) in data.surveys.iter().enumerate() {
        let row = i as u32 + 1;
        let survey = &results.survey.survey;
        let overall = &results.report.current.estimates.overall;
        let department = ctx
            .catalog
            .department(&survey.department)
            .map(|d| d.name_as_of(period.bounds().1, today, lang));
        summary.write_string(
            row,
            0,
            department.unwrap_or_else(|| survey.department.clone()),
        )?;
        summary.write_string(row, 1, survey.title.get(lang))?;
        summary.write_number(row, 2, results.report.current.respondents as f64)?;
        estimate_cell(summary, row, 3, overall, overall.estimate)?;
        estimate_cell(summary, row, 4, overall, overall.ci_low)?;
        estimate_cell(summary, row, 5, overall, overall.ci_high)?;
        summary.write_number(row, 6, overall.n as f64)?;
        if let Some(compare) = &results.report.compare {
            match (compare.overall.difference, compare.overall.p) {
                (Some(d), Some(p)) => {
                    summary.write_number_with_format(row, 7, d, &points)?;
                    summary.write_number_with_format(row, 8, p, &decimal)?;
                    summary.write_string(
                        row,
                        9,
                        if compare.overall.significant {
                            t("có", "yes")
                        } else {
                            t("không", "no")
                        },
                    )?;
                }
                _ => {
                    summary.write_string_with_format(
                        row,
                        7,
                        t("không so sánh được", "not comparable"),
                        &marked,
                    )?;
                }
            }
            summary.write_string(row, 10, compare.previous.period.name(lang))?;
        }
        summary.write_string(row, 11, notes(lang, overall))?;
    }

    let details = book.add_worksheet();
    details.set_name(t("Nhóm và tiêu chí", "Elements and items"))?;
    headers(
        details,
        &[
            t("Khảo sát", "Survey"),
            t("Cấp", "Level"),
            t("Mã", "Key"),
            t("Nội dung", "Label"),
            t("Chỉ số", "Index"),
            t("Cận dưới", "Lower bound"),
            t("Cận trên", "Upper bound"),
            t("Điểm trung bình", "Mean score"),
            "n",
            t("Ghi chú", "Notes"),
        ],
        &[24.0, 10.0, 12.0, 60.0, 11.0, 11.0, 11.0, 12.0, 8.0, 18.0],
        &header,
    )?;
    let mut row = 1u32;
    for results in &data.surveys {
        let survey = &results.survey.survey;
        let labels: Vec<(&str, &str)> = survey
            .likert_items()
            .map(|q| (q.key.as_str(), q.label.get(lang)))
            .collect();
        let current = &results.report.current;
        for ((section, element), element_mean) in survey
            .sections
            .iter()
            .filter(|s| s.is_element())
            .zip(&current.estimates.elements)
            .zip(&current.mean_scores.elements)
        {
            let mut lines = vec![(
                t("nhóm", "element"),
                section.key.as_str(),
                section.label.get(lang),
                &element.index,
                Some(element_mean),
            )];
            for item in &element.items {
                let (key, label) = labels[item.item];
                lines.push((
                    t("tiêu chí", "item"),
                    key,
                    label,
                    &item.index,
                    Some(&item.mean_score),
                ));
            }
            for (level, key, label, e, mean) in lines {
                details.write_string(row, 0, &survey.slug)?;
                details.write_string(row, 1, level)?;
                details.write_string(row, 2, key)?;
                details.write_string(row, 3, label)?;
                estimate_cell(details, row, 4, e, e.estimate)?;
                estimate_cell(details, row, 5, e, e.ci_low)?;
                estimate_cell(details, row, 6, e, e.ci_high)?;
                if let Some(mean) = mean {
                    match mean.estimate {
                        Some(m) if !mean.suppressed => details.write_number_with_format(
                            row,
                            7,
                            m,
                            &Format::new().set_num_format("0.00"),
                        )?,
                        _ => details.write_string_with_format(row, 7, suppressed_text, &marked)?,
                    };
                }
                details.write_number(row, 8, e.n as f64)?;
                details.write_string(row, 9, notes(lang, e))?;
                row += 1;
            }
        }
    }

    let others = book.add_worksheet();
    others.set_name(t("Câu hỏi khác", "Other questions"))?;
    headers(
        others,
        &[
            t("Khảo sát", "Survey"),
            t("Mã", "Key"),
            t("Câu hỏi", "Question"),
            t("Lựa chọn", "Answer"),
            t("Tỷ lệ", "Share"),
            t("Cận dưới", "Lower bound"),
            t("Cận trên", "Upper bound"),
            t("Trung bình", "Mean"),
            "n",
            t("Ghi chú", "Notes"),
        ],
        &[24.0, 12.0, 60.0, 40.0, 11.0, 11.0, 11.0, 11.0, 8.0, 18.0],
        &header,
    )?;
    let mut row = 1u32;
    for results in &data.surveys {
        let survey = &results.survey.survey;
        for (question, estimates) in
            indices::other_items::questions(survey).zip(&results.report.current.other_items)
        {
            let write_start = |sheet: &mut Worksheet, row: u32, answer: &str| {
                sheet.write_string(row, 0, &survey.slug)?;
                sheet.write_string(row, 1, &question.key)?;
                sheet.write_string(row, 2, question.label.get(lang))?;
                sheet.write_string(row, 3, answer)?;
                Ok::<(), XlsxError>(())
            };
            for option in &estimates.options {
                let e = &option.share;
                write_start(others, row, question.option_label(&option.key).get(lang))?;
                estimate_cell(others, row, 4, e, e.estimate)?;
                estimate_cell(others, row, 5, e, e.ci_low)?;
                estimate_cell(others, row, 6, e, e.ci_high)?;
                others.write_number(row, 8, e.n as f64)?;
                others.write_string(row, 9, notes(lang, e))?;
                row += 1;
            }
            if let Some(e) = &estimates.mean {
                write_start(others, row, t("(trung bình)", "(mean)"))?;
                let one_decimal = Format::new().set_num_format("0.0");
                for (col, value) in [(7u16, e.estimate), (5, e.ci_low), (6, e.ci_high)] {
                    match value {
                        Some(v) if !e.suppressed => {
                            others.write_number_with_format(row, col, v, &one_decimal)?
                        }
                        _ => others.write_string_with_format(row, col, suppressed_text, &marked)?,
                    };
                }
                others.write_number(row, 8, e.n as f64)?;
                others.write_string(row, 9, notes(lang, e))?;
                row += 1;
            }
        }
    }

    let rank_text = |rank: Option<appendix::Rank>| match rank {
        Some(r) if r.separable => r.rank.to_string(),
        Some(r) => format!("{} (*)", r.rank),
        None => "—".to_string(),
    };
    let ranking_note = t(
        "(*) Xếp hạng theo giá trị ước lượng; các kết quả bằng nhau (đến 0,1 điểm phần trăm) cùng hạng. Dấu (*): khoảng tin cậy chồng lên khoảng tin cậy của đơn vị xếp liền trên hoặc liền dưới, nên thứ tự giữa chúng có thể do ngẫu nhiên của mẫu. Số liệu ẩn hoặc không công bố không được xếp hạng.",
        "(*) Ranked by estimate; equal results (to 0.1 percentage point) share a rank. (*): the interval overlaps that of the row ranked just above or below, so their order may be chance. Suppressed or withheld figures are not ranked.",
    );
    let appendix_rows = appendix::survey_rows(data, &ctx.catalog);
    let unit_rows = appendix::unit_rows(data, &ctx.catalog);
    // Surveys with the same elements share one table, whose columns name
    // them; the others get a table each, numbered on.
    let mut groups: Vec<(Vec<&str>, Vec<&appendix::AppendixRow>)> = Vec::new();
    for line in &appendix_rows {
        let labels: Vec<&str> = line.elements.iter().map(|e| e.label_vi.as_str()).collect();
        match groups.iter_mut().find(|(l, _)| *l == labels) {
            Some((_, lines)) => lines.push(line),
            None => groups.push((labels, vec![line])),
        }
    }
    let most_elements = appendix_rows
        .iter()
        .map(|r| r.elements.len())
        .chain(unit_rows.iter().map(|r| r.elements.len()))
        .max()
        .unwrap_or(0);
    let element_headers = |labels: &[&str]| -> Vec<String> {
        labels.iter().map(|label| format!("{label} (%)")).collect()
    };
    let write_row = |sheet: &mut Worksheet, row: u32, cells: &[String], format: &Format| {
        cells.iter().enumerate().try_for_each(|(col, text)| {
            sheet
                .write_string_with_format(row, col as u16, text, format)
                .map(|_| ())
        })
    };
    let percent_or_dash = |sheet: &mut Worksheet, row: u32, col: u16, value: Option<f64>| {
        match value {
            Some(v) => sheet.write_number_with_format(row, col, v, &pct),
            None => sheet.write_string_with_format(row, col, "—", &marked),
        }
        .map(|_| ())
    };
    let annex = book.add_worksheet();
    annex.set_name(t("Phụ lục", "Appendix"))?;
    let mut widths = vec![6.0, 30.0, 46.0, 10.0];
    widths.extend(std::iter::repeat_n(14.0, most_elements));
    widths.extend([12.0, 11.0, 11.0, 10.0, 14.0, 16.0]);
    for (col, width) in widths.iter().enumerate() {
        annex.set_column_width(col as u16, *width)?;
    }
    let mut row = 0u32;
    let mut number = 0;
    for (labels, lines) in &groups {
        let mut names: Vec<String> = vec![
            t("STT", "No.").into(),
            t("Cơ quan", "Department").into(),
            t("Dịch vụ", "Service").into(),
            t("Số phiếu", "Responses").into(),
        ];
        names.extend(element_headers(labels));
        names.extend(
            [
                t("Chỉ số chung", "Overall index"),
                t("Cận dưới", "Lower bound"),
                t("Cận trên", "Upper bound"),
                t("Xếp hạng", "Rank"),
                t("Cùng kỳ năm trước", "Same period last year"),
                t("Tăng/giảm", "Change"),
            ]
            .map(String::from),
        );
        write_row(annex, row, &names, &header)?;
        for line in lines {
            row += 1;
            number += 1;
            annex.write_number(row, 0, number as f64)?;
            annex.write_string(row, 1, &line.department_name_vi)?;
            annex.write_string(row, 2, &line.survey_title_vi)?;
            annex.write_number(row, 3, line.respondents as f64)?;
            for (e, element) in line.elements.iter().enumerate() {
                percent_or_dash(annex, row, 4 + e as u16, element.index)?;
            }
            let at = 4 + line.elements.len() as u16;
            percent_or_dash(annex, row, at, line.overall)?;
            percent_or_dash(annex, row, at + 1, line.ci_low)?;
            percent_or_dash(annex, row, at + 2, line.ci_high)?;
            annex.write_string(row, at + 3, rank_text(line.rank))?;
            percent_or_dash(annex, row, at + 4, line.same_period_last_year)?;
            match (line.change, line.change_significant) {
                (Some(change), Some(true)) => {
                    annex.write_number_with_format(row, at + 5, change, &points)?
                }
                (Some(_), _) => annex.write_string_with_format(
                    row,
                    at + 5,
                    t("không rõ rệt", "no clear change"),
                    &marked,
                )?,
                _ => annex.write_string_with_format(row, at + 5, "—", &marked)?,
            };
        }
        row += 2;
    }
    annex.write_string_with_format(row, 1, ranking_note, &marked)?;

    let units = book.add_worksheet();
    units.set_name(t("Nơi phục vụ", "Service points"))?;
    let mut widths = vec![26.0, 60.0, 12.0];
    widths.extend(std::iter::repeat_n(14.0, most_elements));
    widths.extend([12.0, 11.0, 11.0, 12.0, 24.0]);
    for (col, width) in widths.iter().enumerate() {
        units.set_column_width(col as u16, *width)?;
    }
    let mut row = 0u32;
    let mut ranked_units = unit_rows.iter();
    for results in &data.surveys {
        let survey = &results.survey.survey;
        units.write_string_with_format(
            row,
            0,
            survey.title.get(lang),
            &Format::new().set_bold(),
        )?;
        row += 1;
        let labels: Vec<&str> = survey
            .sections
            .iter()
            .filter(|s| s.is_element())
            .map(|s| s.label.get(lang))
            .collect();
        let mut names: Vec<String> = vec![
            t("Mã nơi phục vụ", "Code").into(),
            t("Nơi phục vụ", "Service point").into(),
            t("Số người trả lời", "Respondents").into(),
        ];
        names.extend(element_headers(&labels));
        names.extend(
            [
                t("Chỉ số chung", "Overall index"),
                t("Cận dưới", "Lower bound"),
                t("Cận trên", "Upper bound"),
                t("Xếp hạng trong khảo sát", "Rank within the survey"),
                t("Ghi chú", "Notes"),
            ]
            .map(String::from),
        );
        write_row(units, row, &names, &header)?;
        for unit in &results.units {
            row += 1;
            let rank = ranked_units.next().and_then(|u| u.rank);
            let name = ctx
                .catalog
                .unit(&unit.unit)
                .map(|u| u.name_for(period.bounds(), lang))
                .unwrap_or_default();
            units.write_string(row, 0, &unit.unit)?;
            units.write_string(row, 1, name)?;
            units.write_number(row, 2, unit.respondents as f64)?;
            for (e, element) in unit.elements.iter().enumerate() {
                estimate_cell(units, row, 3 + e as u16, element, element.estimate)?;
            }
            let at = 3 + unit.elements.len() as u16;
            estimate_cell(units, row, at, &unit.overall, unit.overall.estimate)?;
            estimate_cell(units, row, at + 1, &unit.overall, unit.overall.ci_low)?;
            estimate_cell(units, row, at + 2, &unit.overall, unit.overall.ci_high)?;
            units.write_string(row, at + 3, rank_text(rank))?;
            let gap = if unit.respondents == 0 {
                t("chưa có phiếu trong kỳ", "no responses (coverage gap)")
            } else {
                ""
            };
            let flags = [notes(lang, &unit.overall), gap.to_string()]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            units.write_string(row, at + 4, flags)?;
        }
        row += 2;
    }

    let comments = book.add_worksheet();
    comments.set_name(t("Ý kiến người dân", "Comments"))?;
    comments.set_column_width(0, 40.0)?;
    let target = data.feedback.first().map_or(
        crate::definitions::DEFAULT_FEEDBACK_TARGET_DAYS,
        |(_, s)| s.target_working_days,
    );
    let in_time = format!(
        "{} {target} {}",
        t("Trả lời trong", "Answered within"),
        t("ngày làm việc", "working days")
    );
    let headers = [
        t("Cơ quan", "Department"),
        t("Mới", "New"),
        t("Đang xử lý", "In progress"),
        t("Đã trả lời", "Answered"),
        t("Không cần xử lý", "No action needed"),
        t(
            "Chưa hiện (nơi chưa đủ phiếu)",
            "Not shown yet (too few responses)",
        ),
        t(
            "Thời gian trả lời, trung vị (ngày làm việc)",
            "Median time to answer (working days)",
        ),
        t("Đến hạn", "Due"),
        &in_time,
        t("Tỷ lệ trong hạn", "Share in time"),
    ];
    for (c, header) in headers.iter().enumerate() {
        comments.write_string_with_format(0, c as u16, *header, &Format::new().set_bold())?;
        if c > 0 {
            comments.set_column_width(c as u16, 16.0)?;
        }
    }
    for (i, (code, summary)) in data.feedback.iter().enumerate() {
        let row = i as u32 + 1;
        let name = ctx
            .catalog
            .department(code)
            .map(|d| d.name_as_of(period.bounds().1, data.generated_at.date_naive(), lang))
            .unwrap_or_else(|| code.clone());
        comments.write_string(row, 0, name)?;
        for (c, n) in [
            summary.new,
            summary.in_progress,
            summary.answered,
            summary.no_action,
        ]
        .into_iter()
        .enumerate()
        {
            comments.write_number(row, c as u16 + 1, n as f64)?;
        }
        match summary.hidden {
            Some(hidden) => comments.write_number(row, 5, hidden as f64)?,
            None if summary.some_hidden => comments.write_string(
                row,
                5,
                format!(
                    "{} {}",
                    t("dưới", "fewer than"),
                    data.request.config.min_cell
                ),
            )?,
            None => comments.write_number(row, 5, 0.0)?,
        };
        if let Some(median) = summary.median_days_to_answer {
            comments.write_number(row, 6, median)?;
        }
        comments.write_number(row, 7, summary.due as f64)?;
        comments.write_number(row, 8, summary.answered_in_time as f64)?;
        if let Some(share) = summary.share_in_time() {
            comments.write_number_with_format(
                row,
                9,
                share,
                &Format::new().set_num_format("0.0%"),
            )?;
        }
    }

    let method = book.add_worksheet();
    method.set_name(t("Phương pháp", "Method"))?;
    method.set_column_width(0, 34.0)?;
    method.set_column_width(1, 110.0)?;
    let (from, to) = period.bounds();
    let config = &data.request.config;
    let mut lines: Vec<(String, String)> = vec![
        (t("Kỳ", "Period").into(), format!(
            "{} ({}, {}), {} – {}",
            period.name(lang),
            period.label(),
            match period.mode {
                crate::domain::PeriodMode::Calendar => t("theo lịch", "calendar"),
                crate::domain::PeriodMode::Reporting => t("theo kỳ báo cáo, chốt số liệu ngày 14", "reporting, cut-off on the 14th"),
            },
            from.format("%d/%m/%Y"),
            to.format("%d/%m/%Y")
        )),
        (t("Quy ước kỳ báo cáo", "Reporting periods").into(), t(
            "Chế độ báo cáo: kỳ kết thúc ngày 14 của tháng cuối và bắt đầu ngày 15 của tháng trước tháng đầu (quý I: 15/12 – 14/3).",
            "Reporting mode: a period ends on the 14th of its last month and starts on the 15th of the month before its first (Q1: 15 Dec – 14 Mar).").into()),
        (t("Trọng số", "Weighting").into(), match data.request.weighting {
            Weighting::None => t("Không dùng quyền số: mỗi phiếu tính như nhau, như số liệu chính thức.", "Unweighted: every response counts the same, as in the official figures.").into(),
            Weighting::Volume => t("Quyền số theo số giao dịch của từng nơi phục vụ: w = N_h/n_h, phân tầng theo nơi phục vụ, có hiệu chỉnh tổng thể hữu hạn.", "By transactions per service point: w = N_h/n_h, stratified by service point, with finite population correction.").into(),
        }),
        (t("Chỉ số tiêu chí", "Item index").into(), t("Tỷ lệ câu trả lời hợp lệ ở mức hài lòng trở lên (4 hoặc 5 trên thang 1–5; câu có thang điểm riêng theo ngưỡng của thang đó); “không áp dụng” không tính vào mẫu số.", "Share of valid answers at satisfied or above (4 or 5 on the 1–5 scale; an item with a scale of its own by that scale's threshold); “not applicable” leaves the denominator.").into()),
        (t("Chỉ số nhóm và chỉ số chung", "Element and overall index").into(), t("Nhóm: trung bình không trọng số các tiêu chí; chung: theo quy tắc của phiếu (trung bình các nhóm, trung bình các tiêu chí, hoặc tỷ lệ gộp).", "Element: unweighted mean of its items; overall: by the survey's rule (mean of elements, mean of items, or pooled rate).").into()),
        (t("Sai số", "Standard errors").into(), t("Tuyến tính hóa Taylor qua giá trị ảnh hưởng của từng người trả lời (giữ hiệp phương sai giữa các tiêu chí).", "Taylor linearization over per-respondent influence values (keeps the covariance between items).").into()),
        (t("Khoảng tin cậy", "Intervals").into(), format!(
            "{} {}",
            t("Mức", "Level"),
            format!("{:.0}%. ", config.level * 100.0)
                + t("Wilson cho tiêu chí không trọng số; logit cho tiêu chí có trọng số và mọi chỉ số tổng hợp (Wilson khi ước lượng bằng 0 hoặc 1); t cho điểm trung bình.",
                    "Wilson for unweighted items; logit for weighted items and every composite (Wilson at 0 or 1); t for mean scores.")
        )),
        // The threshold the verdicts use: significance at 1 − level.
        (t("So sánh", "Comparisons").into(), format!(
            "{} {}.",
            t("Hai mẫu độc lập, kiểm định z; chỉ gọi là tăng/giảm khi p <", "Independent samples, z test; called an increase or decrease only when p <"),
            crate::i18n::decimal(lang, 1.0 - config.level, 3).trim_end_matches('0')
        )),
        (t("Ngưỡng", "Thresholds").into(), format!(
            "{}: {}; {}: {}",
            t("ẩn khi ít hơn", "suppressed below"), config.min_cell,
            t("độ tin cậy thấp khi ít hơn", "low reliability below"), config.min_reliable
        )),
        (t("Thời điểm tạo", "Generated").into(), data.generated_at.format("%Y-%m-%d %H:%M %:z").to_string()),
    ];
    for results in &data.surveys {
        lines.push((
            format!(
                "{} {}",
                t("Phiên bản phiếu", "Questionnaire versions"),
                results.survey.survey.slug
            ),
            results.report.current.versions.join(", "),
        ));
        let report = &results.report;
        let mut sample = match (report.design, report.random_sample()) {
            (crate::services::indices::SampleDesign::Random, _) => t(
                "Chỉ tính phiếu của người được chọn ngẫu nhiên (mã mời, phiếu giấy chọn mẫu).",
                "Only respondents drawn at random (invitation codes, sampled paper forms).",
            )
            .to_string(),
            (_, true) => t("Mọi phiếu đều do chọn mẫu ngẫu nhiên.", "Every respondent was drawn at random.").to_string(),
            (_, false) => t(
                "Gồm phiếu không do chọn mẫu ngẫu nhiên: khoảng tin cậy giả định mẫu ngẫu nhiên và không phản ánh sai lệch do người trả lời tự chọn.",
                "Includes respondents not drawn at random: the intervals assume random selection and cannot account for self-selection.",
            )
            .to_string(),
        };
        for wave in report.sample.waves.iter().filter(|w| w.seed.is_some()) {
            sample.push_str(&format!(
                " {}: {} {}, {} {}, {} {}.",
                wave.name,
                t("phát ra", "issued"),
                wave.issued,
                t("thu về", "returned"),
                wave.returned,
                t("tỷ lệ phản hồi", "response rate"),
                wave.response_rate
                    .map_or_else(|| "—".to_string(), |r| crate::i18n::percent(lang, r))
            ));
        }
        lines.push((
            format!("{} {}", t("Mẫu", "Sample"), results.survey.survey.slug),
            sample,
        ));
    }
    // The glossary the staff pages link to, in the same words.
    lines.push((t("Giải thích thuật ngữ", "Glossary").into(), String::new()));
    lines.extend(crate::glossary::TERMS.iter().map(|term| {
        let (name, meaning) = term.get(lang);
        (name.to_string(), meaning.to_string())
    }));
    for (i, (name, text)) in lines.iter().enumerate() {
        method.write_string_with_format(i as u32, 0, name, &Format::new().set_bold())?;
        method.write_string_with_format(i as u32, 1, text, &Format::new().set_text_wrap())?;
    }
    book.save_to_buffer()
}
