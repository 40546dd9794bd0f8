//! Lays the case out with parley (font fallback, line breaking for every script) and
//! writes it with krilla as PDF/A-2b, which krilla validates while writing: a missing
//! glyph or anything PDF/A forbids fails the export instead of producing a bad file.

use std::collections::HashMap;

use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use parley::{
    Alignment, AlignmentOptions, FontFamily, FontWeight, Layout, LayoutContext,
    PositionedLayoutItem, StyleProperty,
};

use super::CaseDocument;
use super::document::{Style, paragraphs};
use super::fonts::{FAMILIES, FONT_CONTEXT, printable};

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 50.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 28.0;
const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 48.0;
const BODY_INDENT: f32 = 12.0;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ExportError {
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error(
        "the case has {entries} entries and an export holds at most {max}; export it as of \
         an earlier moment (as_of)"
    )]
    TooManyEntries { entries: usize, max: usize },
    #[error(
        "the case fills {pages} pages and an export holds at most {max}; export it as of an \
         earlier moment (as_of)"
    )]
    TooManyPages { pages: usize, max: usize },
    #[error("the export was stopped: its request ended or its render time ran out")]
    Cancelled,
}

/// What one export may cost. An HTTP export is bounded; the operator's command-line
/// export is not.
#[derive(Debug, Clone, Copy)]
pub struct RenderLimits {
    pub max_entries: usize,
    pub max_pages: usize,
}

impl RenderLimits {
    pub const UNBOUNDED: Self = Self {
        max_entries: usize::MAX,
        max_pages: usize::MAX,
    };
}

/// Set from outside to stop a render between two paragraphs or two pages.
pub type StopFlag = std::sync::atomic::AtomicBool;

fn stop_requested(stop: &StopFlag) -> Result<(), ExportError> {
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        Err(ExportError::Cancelled)
    } else {
        Ok(())
    }
}

/// One laid-out paragraph and the space above it.
struct Block {
    text: String,
    layout: Layout<()>,
    indent: f32,
    space_above: f32,
}

/// One line placed on a page: block, line index, and the y of the line's top.
struct Placed {
    block: usize,
    line: usize,
    top: f32,
}

/// An empty PDF/A-2b document whose metadata names the case and the version shown.
fn new_document(
    header: &caselog_read_model::case_file::CaseHeader,
) -> Result<Document, ExportError> {
    let configuration = ConfigurationBuilder::new()
        .set_validator(Validator::A(Archival::A2_B))
        .finish()
        .map_err(|error| ExportError::Pdf(format!("{error:?}")))?;
    let mut pdf = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    // Only caselog's own words and ids go into the metadata, never user text.
    let mut metadata = Metadata::new();
    if let Some(at) = header.last_event_at {
        // The moment the document reflects, so the same version renders the same bytes.
        metadata = metadata.creation_date(pdf_date(at));
    }
    pdf.set_metadata(
        metadata
            .title(format!("caselog case {}", header.conversation_id))
            .creator("caselog".to_owned())
            .document_id(format!(
                "{}-{}",
                header.conversation_id, header.stream_version
            )),
    );
    Ok(pdf)
}

/// Renders `document` within `limits`, looking at `stop` between paragraphs and
/// pages so an abandoned export stops using the CPU.
pub fn render(
    document: &CaseDocument,
    limits: RenderLimits,
    stop: &StopFlag,
) -> Result<Vec<u8>, ExportError> {
    let entries = document.file.entries.len();
    if entries > limits.max_entries {
        return Err(ExportError::TooManyEntries {
            entries,
            max: limits.max_entries,
        });
    }
    let mut context = LayoutContext::new();
    let mut fonts = FONT_CONTEXT.clone();
    let mut block = |text: &str, size: f32, bold: bool, indent: f32, space_above: f32| {
        let text = printable(text);
        let mut builder = context.ranged_builder(&mut fonts, &text, 1.0, true);
        builder.push_default(StyleProperty::FontFamily(FontFamily::Source(
            FAMILIES.into(),
        )));
        builder.push_default(StyleProperty::FontSize(size));
        if bold {
            builder.push_default(StyleProperty::FontWeight(FontWeight::BOLD));
        }
        let mut layout = builder.build(&text);
        layout.break_all_lines(Some(PAGE_WIDTH - 2.0 * MARGIN - indent));
        layout.align(Alignment::Start, AlignmentOptions::default());
        Block {
            text,
            layout,
            indent,
            space_above,
        }
    };

    let header = &document.file.header;
    let mut blocks = Vec::new();
    for paragraph in paragraphs(document) {
        stop_requested(stop)?;
        let (size, bold, indent, space_above) = look(paragraph.style);
        blocks.push(block(&paragraph.text, size, bold, indent, space_above));
    }

    let pages = paginate(&blocks);
    if pages.len() > limits.max_pages {
        return Err(ExportError::TooManyPages {
            pages: pages.len(),
            max: limits.max_pages,
        });
    }
    let footer_text = |page: usize| {
        format!(
            "Case {} · chain head {} · Page {} of {}",
            header.conversation_id,
            &header.head_hash.get(..16).unwrap_or(&header.head_hash),
            page + 1,
            pages.len()
        )
    };
    let footers: Vec<Block> = (0..pages.len())
        .map(|page| block(&footer_text(page), 7.5, false, 0.0, 0.0))
        .collect();

    let mut pdf = new_document(header)?;
    let mut krilla_fonts = HashMap::new();
    for (index, placed) in pages.iter().enumerate() {
        stop_requested(stop)?;
        let mut page = pdf.start_page_with(
            PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
                .ok_or_else(|| ExportError::Pdf("page size".into()))?,
        );
        let mut surface = page.surface();
        for line in placed {
            let block = &blocks[line.block];
            draw_line(
                &mut surface,
                block,
                line.line,
                MARGIN + block.indent,
                line.top,
                &mut krilla_fonts,
            )?;
        }
        let footer = &footers[index];
        let top = FOOTER_BASELINE
            - footer
                .layout
                .lines()
                .next()
                .map_or(0.0, |l| l.metrics().baseline);
        draw_line(&mut surface, footer, 0, MARGIN, top, &mut krilla_fonts)?;
        surface.finish();
        page.finish();
    }
    pdf.finish()
        .map_err(|error| ExportError::Pdf(format!("{error:?}")))
}

fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> krilla::metadata::DateTime {
    use chrono::{Datelike, Timelike};
    krilla::metadata::DateTime::new(at.year() as u16)
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Size, boldness, indent and space above of each style.
fn look(style: Style) -> (f32, bool, f32, f32) {
    match style {
        Style::Title => (15.0, true, 0.0, 0.0),
        Style::Section => (11.0, true, 0.0, 12.0),
        Style::Line => (9.0, false, 0.0, 2.0),
        Style::EntryHeading => (8.5, true, 0.0, 9.0),
        Style::EntryBody => (10.0, false, BODY_INDENT, 2.0),
        Style::SmallPrint => (6.5, false, 0.0, 1.0),
    }
}

/// Places every line of every block on pages, top to bottom, breaking between lines.
fn paginate(blocks: &[Block]) -> Vec<Vec<Placed>> {
    let mut pages = vec![Vec::new()];
    let mut y = MARGIN;
    for (index, block) in blocks.iter().enumerate() {
        y += block.space_above;
        for (line_index, line) in block.layout.lines().enumerate() {
            let height = line.metrics().line_height;
            if y + height > CONTENT_BOTTOM && !pages.last().is_some_and(Vec::is_empty) {
                pages.push(Vec::new());
                y = MARGIN;
            }
            pages.last_mut().expect("at least one page").push(Placed {
                block: index,
                line: line_index,
                top: y,
            });
            y += height;
        }
    }
    pages
}

fn draw_line(
    surface: &mut krilla::surface::Surface<'_>,
    block: &Block,
    line_index: usize,
    left: f32,
    top: f32,
    fonts: &mut HashMap<(u64, u32), Font>,
) -> Result<(), ExportError> {
    let Some(line) = block.layout.lines().nth(line_index) else {
        return Ok(());
    };
    let metrics = line.metrics();
    // Baselines in the layout are measured from its top; this line now starts at `top`.
    let baseline = top + metrics.baseline - metrics.block_min_coord;
    for item in line.items() {
        let PositionedLayoutItem::GlyphRun(glyph_run) = item else {
            continue;
        };
        let run = glyph_run.run();
        let font_data = run.font();
        let (data, id) = font_data.data.clone().into_raw_parts();
        let font = match fonts.get(&(id, font_data.index)) {
            Some(font) => font.clone(),
            None => {
                let font = Font::new(data.into(), font_data.index)
                    .ok_or_else(|| ExportError::Pdf("a shipped font does not load".into()))?;
                fonts.insert((id, font_data.index), font.clone());
                font
            }
        };
        let size = run.font_size();
        let mut glyphs: Vec<KrillaGlyph> = Vec::new();
        for cluster in run.visual_clusters() {
            if cluster.is_ligature_continuation() {
                if let Some(last) = glyphs.last_mut() {
                    last.text_range.end = cluster.text_range().end;
                }
                continue;
            }
            for glyph in cluster.glyphs() {
                glyphs.push(KrillaGlyph::new(
                    GlyphId::new(glyph.id),
                    glyph.advance / size,
                    glyph.x / size,
                    glyph.y / size,
                    0.0,
                    cluster.text_range(),
                    None,
                ));
            }
        }
        if glyphs.is_empty() {
            continue;
        }
        surface.draw_glyphs(
            Point::from_xy(left + glyph_run.offset(), baseline),
            &glyphs,
            font,
            &block.text,
            size,
            false,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
