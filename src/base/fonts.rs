//! The font compiled into the binary (WenQuanYi Micro Hei, Apache-2.0: Latin and CJK), so
//! that charts render Latin and Chinese labels on a machine with no font installed: PNGs
//! draw with it directly, and `report.html` carries a subset of it (only the characters
//! the page uses) as an `@font-face` data URI, so a viewer without a CJK font still sees
//! Chinese text and nothing is fetched.
//!
//! It sits in the base layer because both chart-drawing layers use it: `report` (run and
//! sweep reports) and `validation` (the reference models' charts).

use base64::Engine as _;
use plotters::style::FontStyle;
use std::collections::BTreeSet;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// The embedded font could not be read or cut: the binary itself is broken.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("the embedded font does not parse ({0}): the binary is broken")]
    Parse(String),
    #[error("cannot subset the embedded font: {0}")]
    Subset(String),
}
/// The face of the collection we use (0: WenQuanYi Micro Hei; 1 is its monospaced twin).
const FACE: u32 = 0;
/// The CSS family name of the embedded subset.
pub const WEB_FAMILY: &str = "LinkageSans";

/// Register the font as `sans-serif` for every style (once).
pub fn ensure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            if plotters::style::register_font("sans-serif", style, FONT).is_err() {
                panic!("the embedded font does not parse: the binary is broken");
            }
        }
    });
}

/// A TrueType font holding the glyphs of every character of `text` that the embedded font
/// has, plus printable ASCII, with a Unicode cmap (browsers reject fonts without one).
/// The same text gives the same bytes.
pub fn subset(text: &str) -> Result<Vec<u8>, FontError> {
    let face = ttf_parser::Face::parse(FONT, FACE).map_err(|e| FontError::Parse(e.to_string()))?;
    let chars: BTreeSet<char> = text
        .chars()
        .filter(|c| !c.is_control())
        .chain((0x20u8..0x7f).map(char::from))
        .collect();
    // Glyph 0 (.notdef) first, as the subsetter requires; then each glyph once, in order.
    let glyphs: BTreeSet<u16> = std::iter::once(0)
        .chain(
            chars
                .iter()
                .filter_map(|&c| face.glyph_index(c))
                .map(|g| g.0),
        )
        .collect();
    let glyphs: Vec<u16> = glyphs.into_iter().collect();
    let data = allsorts::binary::read::ReadScope::new(FONT)
        .read::<allsorts::font_data::FontData<'_>>()
        .map_err(|e| FontError::Parse(e.to_string()))?;
    let provider = data
        .table_provider(FACE as usize)
        .map_err(|e| FontError::Parse(e.to_string()))?;
    allsorts::subset::subset(
        &provider,
        &glyphs,
        &allsorts::subset::SubsetProfile::Minimal,
        allsorts::subset::CmapTarget::Unicode,
    )
    .map_err(|e| FontError::Subset(e.to_string()))
}

/// A CSS `@font-face` rule naming [`WEB_FAMILY`], its source the [`subset`] for `text` as
/// a `data:` URI (base64).
pub fn face_css(text: &str) -> Result<String, FontError> {
    let font = subset(text)?;
    Ok(format!(
        "@font-face{{font-family:\"{WEB_FAMILY}\";src:url(data:font/ttf;base64,{}) format(\"truetype\")}}",
        base64::engine::general_purpose::STANDARD.encode(font)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_is_a_font_that_maps_every_character_asked_for() {
        let text = "联动治理 trust → 0.612 ×";
        let font = subset(text).unwrap();
        let face = ttf_parser::Face::parse(&font, 0).expect("the subset parses as a font");
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let g = face.glyph_index(c);
            assert!(g.is_some_and(|g| g.0 != 0), "{c:?} has no glyph");
        }
        assert!(face.glyph_index('碎').is_none(), "only what was asked for");
        assert!(
            font.len() < 60_000,
            "a subset, not the whole font: {}",
            font.len()
        );
        assert_eq!(subset(text).unwrap(), font, "the same text, the same bytes");
    }
}
