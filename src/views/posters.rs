//! QR posters for the counters: one A4 page per service point and survey,
//! with the QR code of the questionnaire for that service point, the
//! survey's title, the authority, the address to type and two lines of
//! instructions. Printed from the browser (or saved as PDF there).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::qr::{qr_svg, EcLevel};
use crate::definitions::{Site, Survey, Unit};

/// One poster: a service point and a survey of its department.
pub struct Poster<'a> {
    pub unit: &'a Unit,
    pub survey: &'a Survey,
}

/// The sheet of posters; `base_url` is the service's public address.
pub fn sheet(site: &Site, posters: &[Poster], base_url: &str) -> Markup {
    let base = base_url.trim_end_matches('/');
    let shown = base
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Áp phích mã QR – " (site.authority.vi) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    @for poster in posters {
                        @let path = format!("/s/{}?unit={}", poster.survey.slug, poster.unit.code);
                        section.poster {
                            p.authority { (site.authority.vi) }
                            h1 { "Ông/Bà hài lòng với việc giải quyết hồ sơ tại đây không?" }
                            p.survey { (poster.survey.title.vi) }
                            div.qr { (PreEscaped(qr_svg(&format!("{base}{path}"), EcLevel::M))) }
                            ol.how {
                                li { "Quét mã QR bằng camera điện thoại (hoặc Zalo)." }
                                li { "Trả lời vài câu hỏi, khoảng 5 phút. Phiếu ẩn danh: không hỏi tên, số điện thoại." }
                            }
                            p.url { "Hoặc vào: " strong { (shown) (path) } }
                            p.unit { (poster.unit.name.vi) " · " (poster.unit.commune) }
                        }
                    }
                }
            }
        }
    }
}

const STYLE: &str = "
@page { size: A4; margin: 15mm; }
body { font-family: 'Noto Sans', 'DejaVu Sans', Arial, sans-serif; margin: 0; color: #000; }
section.poster { break-after: page; text-align: center; padding-top: 10mm; }
.authority { font-size: 14pt; font-weight: bold; text-transform: uppercase; }
h1 { font-size: 26pt; margin: 8mm 0 4mm; }
.survey { font-size: 14pt; }
.qr { margin: 8mm auto; width: 110mm; }
.qr svg { width: 110mm; height: 110mm; }
@media screen { .qr, .qr svg { max-width: 100%; height: auto; } .qr svg { aspect-ratio: 1; } }
ol.how { text-align: left; font-size: 15pt; max-width: 150mm; margin: 0 auto; }
.url { font-size: 13pt; margin-top: 6mm; word-break: break-all; }
.unit { font-size: 11pt; color: #333; }
";
