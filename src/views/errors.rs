//! The page every browser-facing error becomes: a title, a plain message,
//! a detail when the person can act on it, and the staff header when
//! someone is signed in.

use maud::{html, Markup};

use super::layout::frame;
use super::staff::{nav, Viewer};
use crate::definitions::Site;
use crate::i18n::Lang;

pub struct ErrorView<'a> {
    pub lang: Lang,
    pub title: &'a str,
    pub message: &'a str,
    pub detail: Option<&'a str>,
    pub viewer: Option<&'a Viewer>,
    /// Who runs the site, named on pages citizens see.
    pub site: Option<&'a Site>,
}

pub fn page(view: &ErrorView) -> Markup {
    let lang = view.lang;
    let body = html! {
        h1 { (view.title) }
        p { (view.message) }
        @if let Some(detail) = view.detail { p.summary { (detail) } }
        @if view.viewer.is_none() {
            p { a href={ "/?lang=" (lang.code()) } { (lang.pick("Về trang danh sách khảo sát", "Back to the list of surveys")) } }
        }
    };
    frame(
        lang,
        view.site.filter(|_| view.viewer.is_none()),
        view.title,
        Some("/"),
        nav(lang, view.viewer),
        view.viewer.is_some(),
        body,
    )
}
