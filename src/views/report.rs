//! The printable report page (A4).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::services::exports::report::Report;

const PRINT_STYLE: &str = r#"
body{font:13pt/1.5 "Times New Roman","Noto Serif","DejaVu Serif","Liberation Serif",Times,serif;color:#000;max-width:42rem;margin:2rem auto;padding:0 1rem}
h1{font-size:16pt;text-align:center}
h2{font-size:13pt;margin-top:1.5rem}
p{text-align:justify}
.tools{font-family:system-ui,sans-serif;font-size:10pt;background:#eef2f6;padding:.5rem .8rem;border-radius:.3rem}
@page{size:A4;margin:2cm 2cm 2cm 3cm}
@media print{.tools{display:none}body{margin:0;max-width:none}}
"#;

pub fn page(report: &Report) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (report.title) }
                link rel="icon" href="data:,";
                style { (PreEscaped(PRINT_STYLE)) }
            }
            body {
                main {
                    p.tools { "Bản nháp để đưa vào báo cáo. In ra khổ A4 bằng lệnh In của trình duyệt; bản Word (.docx) có cùng nội dung và bảng phụ lục." }
                    h1 { (report.title) }
                    @for section in &report.sections {
                        h2 { (section.title) }
                        @for paragraph in &section.paragraphs { p { (paragraph) } }
                    }
                    h2 { "Phương pháp" }
                    p { (report.method) }
                }
            }
        }
    }
}
