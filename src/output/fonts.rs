//! The font compiled into the binary (WenQuanYi Micro Hei, Apache-2.0: Latin and CJK), so
//! that charts render Latin and Chinese labels on a machine with no font installed.

use plotters::style::FontStyle;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

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
