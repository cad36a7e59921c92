use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::definitions::Site;
use crate::i18n::Lang;

/// Inline so a page is one request: no external assets, nothing to fail on a
/// weak connection. Kept small; old Android browsers ignore what they do not
/// know (`:has`, `:focus-visible`) and still get a usable form.
const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#f4f5f7}
header{background:#0b4f8a;color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:1rem}
header a{color:#fff}
main{max-width:42rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
a{color:#0b4f8a}
a:focus,input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #1b1b1b;outline-offset:2px}
header a:focus,header button:focus{outline-color:#fff}
fieldset{border:1px solid #c9ced6;border-radius:.5rem;background:#fff;margin:0 0 .9rem;padding:.6rem .75rem .75rem;min-width:0}
legend{font-weight:600;padding:0 .2rem}
.scale{display:grid;grid-template-columns:repeat(5,1fr);gap:.3rem;margin-top:.4rem}
.opt{display:block;border:1px solid #aab3bf;border-radius:.4rem;padding:.35rem .2rem;text-align:center;min-height:3rem;cursor:pointer;background:#fafbfc;font-size:.8rem;line-height:1.2}
.opt b{display:block;font-size:1.1rem}
.opt input{margin:0 0 .2rem}
.opt:focus-within{outline:3px solid #1b1b1b}
.opt:has(input:checked){background:#d7e8f8;border-color:#0b4f8a}
.na{display:block;margin-top:.4rem;padding:.45rem .2rem;min-height:2.75rem;font-size:.9rem}
.choice{display:block;padding:.55rem .3rem;min-height:2.75rem;border-top:1px solid #eceff3;cursor:pointer}
.choice:first-of-type{border-top:0}
select,input[type=number],textarea{width:100%;font:inherit;padding:.55rem;border:1px solid #8d96a3;border-radius:.4rem;background:#fff}
textarea{min-height:7rem}
button{font:inherit;font-weight:600;background:#0b4f8a;color:#fff;border:0;border-radius:.5rem;padding:.8rem 1.5rem;width:100%;min-height:3rem;cursor:pointer}
.err{color:#a10e0e;font-weight:600;margin:.3rem 0}
.invalid{border-color:#a10e0e;border-width:2px}
.summary{border:2px solid #a10e0e;background:#fff;border-radius:.5rem;padding:.6rem .9rem;margin-bottom:1rem}
.note{background:#fff;border-left:4px solid #0b4f8a;padding:.6rem .9rem;margin:0 0 1rem}
.muted{color:#555;font-size:.9rem}
ul.plain{list-style:none;padding:0}
ul.plain li{background:#fff;border:1px solid #c9ced6;border-radius:.5rem;margin:.5rem 0;padding:.6rem .9rem}
.default{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
.req{font-weight:400;color:#a10e0e;font-size:.85rem}
p.nav{display:flex;gap:.5rem}p.nav button{flex:1}
button.link{background:none;color:#0b4f8a;text-decoration:underline;width:auto;min-height:2.75rem;padding:.3rem .2rem;font-weight:400}
dl.review dt{font-weight:600;margin-top:.5rem}dl.review dd{margin:0 0 .3rem}
footer{max-width:42rem;margin:0 auto;padding:0 1rem 2rem;font-size:.85rem;color:#444}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
"#;

/// Tables, cards and charts of the staff pages; citizens' pages go without.
const STAFF_STYLE: &str = r#"
main.wide{max-width:72rem}
nav.staff{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
nav.staff form{margin:0}
nav.staff button{width:auto;min-height:0;padding:.3rem .8rem;font-size:.9rem;background:#fff;color:#0b4f8a}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92rem}
th,td{border-bottom:1px solid #e1e5ea;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}
td.num{text-align:right;white-space:nowrap}
.scroll{overflow-x:auto;margin-bottom:1rem;position:relative}
.scroll table{min-width:36rem}
.card{background:#fff;border:1px solid #c9ced6;border-radius:.5rem;padding:.8rem 1rem;margin:0 0 1rem}
.big{font-size:2rem;font-weight:700;color:#0b4f8a}
.flag{display:inline-block;font-size:.78rem;padding:.05rem .4rem;border-radius:.3rem;background:#fff1cc;color:#6b4c00;margin:.1rem}
.suppressed{color:#666;font-style:italic}
.up{color:#0a6b2d;font-weight:600}.down{color:#a10e0e;font-weight:600}
svg.trend{width:100%;max-width:640px;height:auto;background:#fff}
svg.trend.narrow{display:none;max-width:280px}
@media (max-width:40rem){svg.trend.wide{display:none}svg.trend.narrow{display:block}}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.cue{display:none;font-size:.85rem;color:#444;margin:.2rem 0}
@media (max-width:40rem){.cue{display:block}}
main input,main select,main textarea,main button{font-size:1rem}
main select{max-width:100%}
.filters>*{min-width:0;max-width:100%}
.filters p{margin:.3rem 0}
h1{overflow-wrap:break-word}
dl.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(7.5rem,1fr));gap:.5rem;margin:.5rem 0}
dl.counts div{background:#fff;border:1px solid #c9ced6;border-radius:.4rem;padding:.4rem .6rem}
dl.counts dt{font-size:.85rem;color:#444}dl.counts dd{margin:0;font-weight:700;font-size:1.1rem}
ul.items{list-style:none;padding:0}
ul.items li{background:#fff;border:1px solid #c9ced6;border-radius:.5rem;padding:.3rem .8rem;margin:.5rem 0}
ul.items a{display:inline-block;min-height:1.5rem}
.status{font-size:.85rem;font-weight:600;padding:.05rem .4rem;border-radius:.3rem;background:#eef2f6}
.status.new{background:#fde8c8}.status.answered{background:#d6efdc}
blockquote{margin:.5rem 0;padding:.4rem .8rem;border-left:3px solid #9cc3e6;background:#fafbfc;overflow-wrap:anywhere}
dl.facts div{display:flex;gap:.5rem;flex-wrap:wrap}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
nav.pages{display:flex;justify-content:space-between;gap:1rem;margin:1rem 0}
nav.pages a{display:inline-block;padding:.5rem 0}
.filters{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end}
.filters label{display:block;font-size:.85rem}
.filters input,.filters select{width:auto;padding:.4rem}
.filters button{width:auto;min-height:0;padding:.5rem 1rem}
ul.comments{list-style:none;padding:0}
ul.comments li{background:#fff;border-left:3px solid #9cc3e6;padding:.4rem .7rem;margin:.4rem 0}
"#;

/// The page frame for citizens: language, title, a language switch, the
/// body, and who runs the site (header, footer, link previews).
pub fn page(lang: Lang, site: &Site, title: &str, switch_href: &str, body: Markup) -> Markup {
    frame(
        lang,
        Some(site),
        title,
        Some(switch_href),
        html! {},
        false,
        body,
    )
}

/// The frame of a kiosk screen: no link leads away from the questionnaire
/// (a page without the kiosk's reset would leave a citizen's answers on
/// the tablet); the language is switched by a button in the form.
pub fn kiosk_page(lang: Lang, site: &Site, title: &str, body: Markup) -> Markup {
    frame(lang, Some(site), title, None, html! {}, false, body)
}

/// The frame shared by every page; `nav` goes in the header beside the
/// language switch, `wide` widens the content for tables. With a `site`,
/// the header names the authority, the footer gives its contact and the
/// privacy page, and link previews (Open Graph) carry the title.
pub fn frame(
    lang: Lang,
    site: Option<&Site>,
    title: &str,
    switch_href: Option<&str>,
    nav: Markup,
    wide: bool,
    body: Markup,
) -> Markup {
    let (switch_lang, switch_label) = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    let separator = |href: &str| if href.contains('?') { '&' } else { '?' };
    let brand = site.map_or("hailong", |s| s.authority.get(lang));
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (brand) }
                @if site.is_some() {
                    meta name="description" content=(lang.pick("Phiếu khảo sát ẩn danh về sự hài lòng của người dân với dịch vụ công.", "An anonymous survey of citizens' satisfaction with public services."));
                    meta property="og:type" content="website";
                    meta property="og:title" content=(title);
                    meta property="og:site_name" content=(brand);
                    meta property="og:description" content=(lang.pick("Phiếu ẩn danh, không cần đăng nhập, khoảng 5 phút.", "Anonymous, no sign-in, about 5 minutes."));
                    meta property="og:locale" content=(lang.pick("vi_VN", "en_GB"));
                }
                // An empty icon stops browsers requesting /favicon.ico.
                link rel="icon" href="data:,";
                style { (PreEscaped(STYLE)) @if wide { (PreEscaped(STAFF_STYLE)) } }
            }
            body {
                a.skip href="#main" { (lang.pick("Bỏ qua đến nội dung", "Skip to content")) }
                header {
                    @match switch_href {
                        Some(switch_href) => {
                            a href={ "/?lang=" (lang.code()) } { strong { (brand) } }
                            nav.staff {
                                (nav)
                                a href={ (switch_href) (separator(switch_href)) "lang=" (switch_lang) } lang=(switch_lang) { (switch_label) }
                            }
                        }
                        None => { strong { (brand) } }
                    }
                }
                main #main class=[wide.then_some("wide")] { (body) }
                // Offline support, where the browser has it; the pages work without it.
                @if site.is_some() { script src="/form.js" defer {} }
                @if let Some(site) = site {
                    footer {
                        p { (site.authority.get(lang)) ". " (site.contact.get(lang)) }
                        @if switch_href.is_some() {
                            p { a href={ "/privacy?lang=" (lang.code()) } { (lang.pick("Quyền riêng tư: hệ thống lưu gì và không lưu gì", "Privacy: what is stored and what is not")) } }
                        }
                    }
                }
            }
        }
    }
}
