//! The fonts every export uses, compiled into the binary so output never depends on
//! the host: Noto Sans (Latin with accents, Greek, Cyrillic; regular and bold), Noto
//! Sans Thai, Droid Sans Fallback (Chinese, Japanese) and NanumSquare (Korean).
//! Licences: `assets/fonts/README.md`.
//!
//! A character none of them covers (emoji, mostly) is replaced by a visible
//! `[U+1F44B]`, never dropped: PDF/A forbids the empty `.notdef` glyph, and a reader
//! must see that something was there.

use std::sync::{Arc, LazyLock};

use parley::FontContext;
use parley::fontique::Blob;
use skrifa::MetadataProvider;

const FONTS: [&[u8]; 5] = [
    include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../assets/fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/NotoSansThai-Regular.ttf"),
    include_bytes!("../../assets/fonts/DroidSansFallbackFull.ttf"),
    include_bytes!("../../assets/fonts/NanumSquareR.ttf"),
];

/// The CSS-style family list parley falls back through, in order.
pub const FAMILIES: &str = "Noto Sans, Noto Sans Thai, Droid Sans Fallback, NanumSquare";

/// A font context that knows only the shipped fonts (parley is built without system
/// font discovery). Cloning shares the parsed collection.
pub static FONT_CONTEXT: LazyLock<FontContext> = LazyLock::new(|| {
    let mut context = FontContext::default();
    for bytes in FONTS {
        context
            .collection
            .register_fonts(Blob::new(Arc::new(bytes)), None);
    }
    context
});

/// True when some shipped font has a glyph for `character`.
pub fn covered(character: char) -> bool {
    FONTS.iter().any(|bytes| {
        skrifa::FontRef::new(bytes)
            .ok()
            .and_then(|font| font.charmap().map(character))
            .is_some_and(|glyph| glyph.to_u32() != 0)
    })
}

/// The text with every character the fonts cannot show replaced visibly; joiners and
/// variation selectors (invisible parts of an emoji sequence) go with the emoji.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            c if c.is_control() => out.push(' '),
            '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0020}'..='\u{E007F}' => {}
            c if c == ' ' || covered(c) => out.push(c),
            c => out.push_str(&format!("[U+{:04X}]", c as u32)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_fonts_cover_the_scripts_we_promise() {
        for text in [
            "Olá, ação — çé",
            "Καλημέρα",
            "Здравствуйте",
            "สวัสดีครับ",
            "你好，世界",
            "こんにちは",
            "안녕",
        ] {
            for character in text.chars().filter(|c| !c.is_whitespace()) {
                assert!(covered(character), "{character:?} of {text}");
            }
        }
    }

    #[test]
    fn what_no_font_covers_is_replaced_visibly() {
        assert_eq!(printable("hi 👋"), "hi [U+1F44B]");
        assert_eq!(printable("👍🏽"), "[U+1F44D][U+1F3FD]");
        assert_eq!(printable("❤\u{FE0F}"), printable("❤"));
        assert_eq!(printable("a\u{7}b\tc"), "a b    c");
    }
}
