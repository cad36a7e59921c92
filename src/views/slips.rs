//! The printable sheet of invitation slips: one A4 section per service
//! point, eight slips to a page, each with its code, a QR code for the
//! questionnaire with the code and service point filled in, and short
//! instructions. The transaction reference is printed on the counter's
//! stub only, to tell staff whom to hand the slip to; it is never stored.

use super::qr::{qr_svg, EcLevel};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::definitions::Catalog;
use crate::services::sampling::Draw;

/// What the sheet needs besides the draw.
pub struct SlipSheet<'a> {
    pub draw: &'a Draw,
    pub survey_title: &'a str,
    pub department_name: &'a str,
    /// `(code, name)` of each drawn service point.
    pub unit_names: &'a [(String, String)],
    /// The public address of the service, e.g. `https://khaosat.angiang.gov.vn`.
    pub base_url: &'a str,
}

/// The sheet of a draw, with the names in force when the wave opens.
pub fn sheet(catalog: &Catalog, draw: &Draw, base_url: &str) -> Markup {
    let opens = draw.wave.opens_on;
    let survey = catalog.survey(&draw.wave.survey);
    let department = survey
        .and_then(|v| catalog.department(&v.survey.department))
        .map(|d| d.name_on(opens).vi.clone())
        .unwrap_or_default();
    let unit_names: Vec<(String, String)> = draw
        .strata
        .iter()
        .map(|s| {
            let name = catalog
                .unit(&s.unit)
                .map_or_else(|| s.unit.clone(), |u| u.name_on(opens).vi.clone());
            (s.unit.clone(), name)
        })
        .collect();
    slips(&SlipSheet {
        draw,
        survey_title: survey.map_or(draw.wave.survey.as_str(), |v| v.survey.title.vi.as_str()),
        department_name: &department,
        unit_names: &unit_names,
        base_url,
    })
}

pub fn slips(sheet: &SlipSheet) -> Markup {
    let wave = &sheet.draw.wave;
    let closes = wave.closes_on.format("%d/%m/%Y").to_string();
    let base = sheet.base_url.trim_end_matches('/');
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Phiếu mời khảo sát – " (sheet.survey_title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    @for stratum in &sheet.draw.strata {
                        @let name = sheet.unit_names.iter().find(|(code, _)| *code == stratum.unit).map_or(stratum.unit.as_str(), |(_, name)| name.as_str());
                        section.unit {
                            h1 { (name) }
                            p.meta {
                                (wave.name) " · " (stratum.slips.len()) " phiếu mời phát ra, chọn ngẫu nhiên trong "
                                (stratum.population) " hồ sơ (mục tiêu " (stratum.target) " phiếu thu về)"
                            }
                            div.grid {
                                @for slip in &stratum.slips {
                                    @let link = format!("{base}/s/{}?unit={}&code={}", wave.survey, stratum.unit, slip.code.as_str());
                                    div.slip {
                                        p.stub { "Giao cho người có hồ sơ: " strong { (slip.reference) } }
                                        p.head { (sheet.department_name) }
                                        p.title { (sheet.survey_title) }
                                        div.qr { (PreEscaped(qr_svg(&link, EcLevel::L))) }
                                        p.code { "Mã mời: " strong { (slip.code.printed()) } }
                                        p.how {
                                            "Ông/Bà được chọn ngẫu nhiên để góp ý về việc giải quyết hồ sơ. "
                                            "Quét mã QR, hoặc vào " (base) "/s/" (wave.survey) " và nhập mã. "
                                            "Phiếu ẩn danh: câu trả lời không được lưu kèm mã. "
                                            "Mã dùng một lần, đến hết ngày " (closes) "."
                                        }
                                    }
                                }
                            }
                        }
                    }
                    section.list {
                        h1 { "Danh sách mã để mời qua điện thoại" }
                        p.meta { "Đọc cho người có hồ sơ đúng mã của họ; mỗi mã dùng một lần." }
                        table {
                            thead { tr { th { "Nơi phục vụ" } th { "Hồ sơ" } th { "Mã mời" } } }
                            tbody {
                                @for stratum in &sheet.draw.strata {
                                    @for slip in &stratum.slips {
                                        tr { td { (stratum.unit) } td { (slip.reference) } td { (slip.code.printed()) } }
                                    }
                                }
                            }
                        }
                    }
                    p.footer { "Mã chỉ in một lần: hệ thống không lưu mã và không lưu hồ sơ nào nhận mã nào, nên không thể in lại." }
                }
            }
        }
    }
}

const STYLE: &str = "
@page { size: A4; margin: 10mm; }
body { font-family: 'Times New Roman', 'Noto Serif', serif; font-size: 11pt; margin: 0; }
section.unit { break-after: page; }
h1 { font-size: 14pt; margin: 0 0 2mm; }
p { margin: 1mm 0; }
.meta, .footer { font-size: 9pt; color: #333; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
.slip { border: 1px dashed #555; padding: 3mm; break-inside: avoid; height: 62mm; overflow: hidden; }
.stub { font-size: 8pt; border-bottom: 1px dotted #999; padding-bottom: 1mm; }
.head, .title { font-size: 9pt; }
.title { font-weight: bold; }
.qr { float: right; width: 30mm; margin-left: 2mm; }
.qr svg { width: 30mm; height: 30mm; }
.code { font-size: 13pt; letter-spacing: 0.05em; }
.how { font-size: 8.5pt; }
.list table { border-collapse: collapse; font-size: 10pt; }
.list th, .list td { border: 1px solid #999; padding: 1mm 2mm; text-align: left; }
@media screen and (max-width: 40rem) { .grid { grid-template-columns: 1fr; } .slip { height: auto; } }
";
