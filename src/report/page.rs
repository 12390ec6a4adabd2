//! The HTML page around a report's charts and sentences.
//!
//! Architecture invariant: the page loads nothing: no script, no external URL; its only
//! `url(` is the embedded font (a `data:` URI holding exactly the characters the page
//! uses), and the only other URL in it is SVG's namespace name.

use super::ReportError;
use super::charts::Scale;
use super::lang::Lang;
use crate::base::fonts;
use std::fmt::Write as _;

/// The whole page: `body` under a title, with the embedded font's subset for exactly the
/// characters the page uses as an `@font-face` data URI, set first for the text and for
/// the SVG charts' labels (whose `font-family` attribute a CSS rule overrides). So Chinese
/// labels render on a machine without a CJK font, and the page fetches nothing.
pub fn page(lang: Lang, title: &str, style: &str, body: &str) -> Result<String, ReportError> {
    let title = esc(title);
    let face = fonts::face_css(&format!("{title}{body}"))?;
    let family = fonts::WEB_FAMILY;
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{face}\nbody,svg text{{font-family:\"{family}\",sans-serif}}body{{margin:2em auto;color:#222}}{style}</style></head><body>\n{body}</body></html>\n",
        lang.code(),
    ))
}

/// `s` with the characters HTML gives a meaning escaped.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The inline style of a value coloured by `scale`: its background, and its text dark or
/// light to stay readable.
fn colour_style(scale: &Scale, v: f64) -> String {
    let c = scale.colour(v);
    let ink = Scale::ink(c);
    format!(
        "background:rgb({},{},{});color:rgb({},{},{})",
        c.0, c.1, c.2, ink.0, ink.1, ink.2
    )
}

/// A table cell coloured by `scale`, its text dark or light to stay readable.
pub fn cell(scale: &Scale, v: f64) -> String {
    format!("<td style=\"{}\">{v:.3}</td>", colour_style(scale, v))
}

/// A table cell coloured by `scale` with a second line under the value (its interval).
pub fn cell_noted(scale: &Scale, v: f64, note: &str) -> String {
    format!(
        "<td style=\"{}\">{v:.3}<br><small>{}</small></td>",
        colour_style(scale, v),
        esc(note)
    )
}

/// The legend of a coloured table: `title`, then swatches from the scale's low end to its
/// high end, each labelled with its value.
pub fn scale_legend(scale: &Scale, title: &str) -> String {
    let mut s = format!("<p class=\"scale\">{}: ", esc(title));
    for v in scale.ticks() {
        let _ = write!(
            s,
            "<span style=\"{};padding:.1em .5em\">{}</span>",
            colour_style(scale, v),
            Scale::tick_text(v)
        );
    }
    s.push_str("</p>\n");
    s
}
