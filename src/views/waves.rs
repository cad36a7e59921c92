//! Staff pages for survey waves: the list with response rates, a form to
//! create one, and a wave's accounting with the form that draws it.

use maud::{html, Markup};

use super::staff::{cue, staff_frame, Viewer};
use crate::definitions::Catalog;
use crate::i18n::{count, percent, Lang};
use crate::services::sampling::WaveAccount;

fn rate(lang: Lang, rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| percent(lang, r))
}

fn survey_title<'a>(catalog: &'a Catalog, slug: &'a str, lang: Lang) -> &'a str {
    catalog
        .survey(slug)
        .map_or(slug, |v| v.survey.title.get(lang))
}

/// Every wave the viewer may see, and the form to create one.
pub fn list(
    lang: Lang,
    viewer: &Viewer,
    catalog: &Catalog,
    waves: &[WaveAccount],
    surveys: &[(String, String)],
    error: Option<&str>,
) -> Markup {
    let title = lang.pick(
        "Đợt khảo sát chọn mẫu ngẫu nhiên",
        "Survey waves with random samples",
    );
    let body = html! {
        h1 { (title) }
        p { (lang.pick(
            "Mỗi đợt: nhập danh sách hồ sơ đã giải quyết của từng nơi phục vụ, hệ thống chọn ngẫu nhiên và in phiếu mời có mã dùng một lần. Câu trả lời kèm mã được tính là mẫu ngẫu nhiên; mã không được lưu cùng câu trả lời.",
            "For each wave: enter the dossiers each service point completed; hailong draws at random and prints invitation slips with one-time codes. Answers sent with a code count as a random sample; the code is not stored with them.")) }
        @if waves.is_empty() {
            p.muted { (lang.pick("Chưa có đợt khảo sát nào.", "No wave yet.")) }
        } @else {
            (cue(lang)) div.scroll tabindex="0" role="region" aria-label=(lang.pick("Các đợt khảo sát", "Survey waves")) { table {
                thead { tr {
                    th scope="col" { (lang.pick("Đợt", "Wave")) }
                    th scope="col" { (lang.pick("Khảo sát", "Survey")) }
                    th scope="col" { (lang.pick("Thời gian", "Dates")) }
                    th scope="col" { (lang.pick("Phát ra", "Issued")) }
                    th scope="col" { (lang.pick("Thu về", "Returned")) }
                    th scope="col" { (lang.pick("Tỷ lệ phản hồi", "Response rate")) }
                } }
                tbody { @for wave in waves { tr {
                    td { a href={ "/waves/" (wave.id) "?lang=" (lang.code()) } { (wave.name) } }
                    td { (survey_title(catalog, &wave.survey, lang)) }
                    td { (wave.opens_on.format("%d/%m/%Y")) " – " (wave.closes_on.format("%d/%m/%Y")) }
                    @if wave.seed.is_some() {
                        td.num { (count(lang, wave.issued as usize)) }
                        td.num { (count(lang, wave.returned as usize)) }
                        td.num { (rate(lang, wave.response_rate)) }
                    } @else {
                        td colspan="3" { (lang.pick("chưa chọn mẫu", "not drawn yet")) }
                    }
                } } }
            } }
        }
        h2 { (lang.pick("Tạo đợt mới", "New wave")) }
        @if let Some(error) = error { p.err role="alert" { (error) } }
        form method="post" action={ "/waves?lang=" (lang.code()) } {
            input type="hidden" name="csrf" value=(viewer.csrf);
            p { label for="survey" { (lang.pick("Khảo sát", "Survey")) } br;
                select #survey name="survey" required {
                    @for (slug, name) in surveys { option value=(slug) { (name) } }
                } }
            p { label for="name" { (lang.pick("Tên đợt (ví dụ: Đợt quý IV năm 2026)", "Name (e.g. Đợt quý IV năm 2026)")) } br;
                input #name name="name" required maxlength="120"; }
            p { label for="opens" { (lang.pick("Ngày bắt đầu", "Opens on")) } br; input #opens type="date" name="opens" required; }
            p { label for="closes" { (lang.pick("Ngày kết thúc", "Closes on")) } br; input #closes type="date" name="closes" required; }
            p { label for="allowance" { (lang.pick("Tỷ lệ dự phòng không phản hồi (0–0,9)", "Allowance for non-response (0–0.9)")) } br;
                input #allowance name="allowance" value="0.2" inputmode="decimal"; }
            button type="submit" { (lang.pick("Tạo đợt", "Create")) }
        }
    };
    staff_frame(lang, title, "/waves", Some(viewer), body)
}

/// One wave: issued and returned by service point, and the draw form while
/// it is not drawn.
pub fn detail(
    lang: Lang,
    viewer: &Viewer,
    catalog: &Catalog,
    wave: &WaveAccount,
    error: Option<&str>,
) -> Markup {
    let title = wave.name.as_str();
    let unit_name = |code: &str| {
        catalog.unit(code).map_or(code.to_string(), |u| {
            u.name_on(wave.opens_on).get(lang).to_string()
        })
    };
    let body = html! {
        h1 { (title) }
        p { (survey_title(catalog, &wave.survey, lang)) " · "
            (wave.opens_on.format("%d/%m/%Y")) " – " (wave.closes_on.format("%d/%m/%Y")) }
        @match wave.seed {
            Some(seed) => {
                p { (lang.pick("Phát ra ", "Issued ")) (count(lang, wave.issued as usize))
                    (lang.pick(" phiếu, thu về ", ", returned ")) (count(lang, wave.returned as usize))
                    (lang.pick(" phiếu, tỷ lệ phản hồi ", ", response rate ")) (rate(lang, wave.response_rate))
                    (lang.pick(". Hạt giống của lần chọn mẫu: ", ". Seed of the draw: ")) (seed) "." }
                (cue(lang)) div.scroll tabindex="0" role="region" aria-label=(lang.pick("Mẫu theo nơi phục vụ", "Sample by service point")) { table {
                    thead { tr {
                        th scope="col" { (lang.pick("Nơi phục vụ", "Service point")) }
                        th scope="col" { (lang.pick("Số hồ sơ", "Transactions")) }
                        th scope="col" { (lang.pick("Mục tiêu", "Target")) }
                        th scope="col" { (lang.pick("Phát ra", "Issued")) }
                        th scope="col" { (lang.pick("Thu về", "Returned")) }
                        th scope="col" { (lang.pick("Tỷ lệ phản hồi", "Response rate")) }
                    } }
                    tbody { @for s in &wave.strata { tr {
                        td { (unit_name(&s.unit)) }
                        td.num { (count(lang, s.population as usize)) }
                        td.num { (count(lang, s.target as usize)) }
                        td.num { (count(lang, s.issued as usize)) }
                        td.num { (count(lang, s.returned as usize)) }
                        td.num { (rate(lang, s.response_rate)) }
                    } } }
                } }
                @if !wave.not_sampled.is_empty() {
                    p { (lang.pick("Không có trong mẫu (thiếu danh sách hồ sơ): ", "Not in the draw (no list): "))
                        (wave.not_sampled.iter().map(|u| unit_name(u)).collect::<Vec<_>>().join("; ")) }
                }
            }
            None => {
                h2 { (lang.pick("Chọn mẫu và in phiếu mời", "Draw and print the slips")) }
                p { (lang.pick(
                    "Dán danh sách hồ sơ đã giải quyết trong kỳ, mỗi dòng một hồ sơ: mã nơi phục vụ, số hồ sơ (dòng đầu: unit,reference); hoặc chỉ số lượng: unit,count. Số hồ sơ chỉ dùng để in trên phần cuống phiếu, không được lưu.",
                    "Paste the dossiers completed in the period, one per line: service point code, dossier number (first line: unit,reference); or counts only: unit,count. Dossier numbers are printed on the slips' stubs and not stored.")) }
                p.note { (lang.pick(
                    "Mã mời chỉ hiện một lần, trên trang phiếu mời sau khi chọn mẫu: hãy in ngay.",
                    "The codes are shown once, on the slips page after the draw: print it at once.")) }
                @if let Some(error) = error { pre.err role="alert" { (error) } }
                form method="post" action={ "/waves/" (wave.id) "/draw?lang=" (lang.code()) } {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    p { label for="transactions" { (lang.pick("Danh sách hồ sơ (CSV)", "Transaction list (CSV)")) } br;
                        textarea #transactions name="transactions" rows="12" cols="60" required {} }
                    p { label for="margin" { (lang.pick("Sai số mong muốn (ví dụ 0,05)", "Margin of error (e.g. 0.05)")) } br;
                        input #margin name="margin" value="0.05" inputmode="decimal"; }
                    p { label for="target" { (lang.pick("hoặc số phiếu thu về mong muốn mỗi nơi", "or a target of returned forms per service point")) } br;
                        input #target name="target" inputmode="numeric"; }
                    p { label for="seed" { (lang.pick("Hạt giống (để trống: ngẫu nhiên)", "Seed (empty: random)")) } br;
                        input #seed name="seed" inputmode="numeric"; }
                    button type="submit" { (lang.pick("Chọn mẫu", "Draw")) }
                }
            }
        }
        p { a href={ "/waves?lang=" (lang.code()) } { (lang.pick("Tất cả các đợt", "All waves")) } }
    };
    staff_frame(lang, title, "/waves", Some(viewer), body)
}
