//! The written report as a Word document, the way administrative documents
//! are typed: Times New Roman, 14 pt body and 13 pt tables, A4 with the
//! usual margins (3 cm left, 2 cm elsewhere), justified paragraphs. The same
//! paragraphs as the printable page (`report::draft`), then the appendix
//! table and the method note. Written with `docx-rs`, not by hand.

use docx_rs::{
    AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts, Table, TableCell, TableRow,
};

use super::appendix::{AppendixRow, Rank};
use super::report::Report;
use crate::i18n::{decimal, percent, points, Lang};

const FONT: &str = "Times New Roman";
/// Sizes in half-points.
const BODY: usize = 28;
const TABLE: usize = 26;
const TITLE: usize = 32;
/// A4 in twentieths of a point, and margins of 3 cm left, 2 cm elsewhere.
const A4: (u32, u32) = (11906, 16838);
const CM: i32 = 567;

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .east_asia(FONT)
        .cs(FONT)
}

fn text(content: &str, size: usize) -> Run {
    Run::new().add_text(content).size(size).fonts(fonts())
}

fn body(content: &str) -> Paragraph {
    Paragraph::new()
        .add_run(text(content, BODY))
        .align(AlignmentType::Both)
}

fn heading(content: &str) -> Paragraph {
    Paragraph::new().add_run(text(content, BODY).bold())
}

fn cell(content: &str, bold: bool) -> TableCell {
    let run = text(content, TABLE);
    let run = if bold { run.bold() } else { run };
    TableCell::new().add_paragraph(Paragraph::new().add_run(run))
}

fn share(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |v| percent(Lang::Vi, v))
}

fn rank(rank: Option<Rank>) -> String {
    match rank {
        Some(r) if r.separable => r.rank.to_string(),
        Some(r) => format!("{} (*)", r.rank),
        None => "—".into(),
    }
}

/// The appendix as a table: STT, department, service, responses, overall
/// index and interval, rank, same period last year, change.
fn appendix_table(rows: &[AppendixRow]) -> Table {
    let header = [
        "STT",
        "Cơ quan",
        "Dịch vụ",
        "Số phiếu",
        "Chỉ số chung",
        "Khoảng tin cậy",
        "Xếp hạng",
        "Cùng kỳ năm trước",
        "Tăng/giảm",
    ];
    let mut table_rows = vec![TableRow::new(
        header.iter().map(|h| cell(h, true)).collect(),
    )];
    for (i, row) in rows.iter().enumerate() {
        let interval = match (row.ci_low, row.ci_high) {
            (Some(low), Some(high)) => format!("{} – {}", share(Some(low)), share(Some(high))),
            _ => "—".into(),
        };
        let change = match (row.change, row.change_significant) {
            (Some(change), Some(true)) => points(Lang::Vi, change),
            (Some(_), _) => "không rõ rệt".into(),
            _ => "—".into(),
        };
        table_rows.push(TableRow::new(vec![
            cell(&(i + 1).to_string(), false),
            cell(&row.department_name_vi, false),
            cell(&row.survey_title_vi, false),
            cell(&row.respondents.to_string(), false),
            cell(&share(row.overall), false),
            cell(&interval, false),
            cell(&rank(row.rank), false),
            cell(&share(row.same_period_last_year), false),
            cell(&change, false),
        ]));
    }
    Table::new(table_rows)
}

/// The document's bytes.
pub fn write(report: &Report, appendix: &[AppendixRow], level: f64) -> Result<Vec<u8>, String> {
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(2 * CM)
                .bottom(2 * CM)
                .left(3 * CM)
                .right(2 * CM),
        )
        .default_fonts(fonts())
        .default_size(BODY)
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&report.title, TITLE).bold())
                .align(AlignmentType::Center),
        );
    for section in &report.sections {
        doc = doc.add_paragraph(heading(&section.title));
        for paragraph in &section.paragraphs {
            doc = doc.add_paragraph(body(paragraph));
        }
    }
    doc = doc
        .add_paragraph(heading("Phụ lục: kết quả theo cơ quan và dịch vụ"))
        .add_table(appendix_table(appendix))
        .add_paragraph(body(&format!(
            "Khoảng tin cậy {}\u{a0}%. (*) Xếp hạng theo giá trị ước lượng; kết quả bằng nhau cùng hạng; dấu (*): khoảng tin cậy chồng lên khoảng tin cậy của đơn vị xếp liền trên hoặc liền dưới, nên thứ tự giữa chúng có thể do ngẫu nhiên của mẫu. “—”: chưa đủ phiếu để công bố hoặc không công bố để bảo vệ người trả lời.",
            decimal(Lang::Vi, level * 100.0, 0)
        )))
        .add_paragraph(heading("Phương pháp"))
        .add_paragraph(body(&report.method));
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| format!("cannot write the document: {e}"))?;
    Ok(out.into_inner())
}
