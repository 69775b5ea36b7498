//! The page layout: A4, fixed margins, text wrapped by an estimate of each character's width
//! (full width for CJK, a little over half for Latin), tables with ruled rows that continue on
//! the next page with their header repeated, and a footer with the page number.
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;
const LINE: f32 = 1.5;

/// A block of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's title, centred and large.
    Title(String),
    /// A line under the title (the institution, the session).
    Subtitle(String),
    /// Pairs of label and value, two to a line.
    Facts(Vec<(String, String)>),
    /// Running text, wrapped.
    Paragraph(String),
    /// A ruled table; `widths` are the columns' shares of the page width.
    Table { headers: Vec<String>, widths: Vec<f32>, rows: Vec<Vec<String>> },
    /// Lines for signatures (签名、日期), spaced out.
    Signatures(Vec<String>),
    /// Vertical space, in points.
    Space(f32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// Printed at the foot of every page, with the page number.
    pub footer: String,
}

/// The font: an OpenType/TrueType file or collection, and which face in it.
pub struct FontSource<'a> {
    pub data: &'a [u8],
    pub index: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the font cannot be read (face {0})")]
    Font(u32),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The estimated width of `text` at `size`.
fn width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if c.is_ascii() { 0.56 } else { 1.0 }).sum::<f32>() * size
}

/// `text` broken into lines no wider than `max` (at `size`), on any character: Chinese has no
/// spaces to break at.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for c in para.chars() {
            let mut next = line.clone();
            next.push(c);
            if width(&next, size) > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
        lines.push(line);
    }
    lines
}

/// Text placed on a page: x, baseline y, size, the text.
type Placed = (f32, f32, f32, String);
/// A rule: from (x1, y1) to (x2, y2).
type Rule = (f32, f32, f32, f32);

struct Pen<'d> {
    doc: &'d mut krilla::Document,
    font: Font,
    /// The text of the page being filled: (x, y, size, text) and rules (x1, y1, x2, y2).
    texts: Vec<Placed>,
    rules: Vec<Rule>,
    y: f32,
    pages: Vec<(Vec<Placed>, Vec<Rule>)>,
}

impl Pen<'_> {
    fn text(&mut self, x: f32, size: f32, text: &str) {
        self.texts.push((x, self.y + size, size, text.to_string()));
    }

    fn room(&mut self, need: f32) -> bool {
        if self.y + need > PAGE_H - MARGIN - 24.0 {
            self.break_page();
            true
        } else {
            false
        }
    }

    fn break_page(&mut self) {
        self.pages.push((std::mem::take(&mut self.texts), std::mem::take(&mut self.rules)));
        self.y = MARGIN;
    }

    fn finish(mut self, footer: &str) -> Result<(), RenderError> {
        self.break_page();
        let total = self.pages.len();
        for (i, (texts, rules)) in self.pages.into_iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| RenderError::Pdf("page size".into()))?;
            let mut page = self.doc.start_page_with(settings);
            let mut surface = page.surface();
            surface.set_fill(Some(Fill::default()));
            for (x, y, size, t) in &texts {
                surface.draw_text(Point::from_xy(*x, *y), self.font.clone(), *size, t, false, TextDirection::Auto);
            }
            let foot = format!("{footer}　第 {} 页 / 共 {total} 页", i + 1);
            surface.draw_text(Point::from_xy(MARGIN, PAGE_H - MARGIN + 12.0), self.font.clone(), 8.0, &foot, false, TextDirection::Auto);
            if !rules.is_empty() {
                let mut pb = PathBuilder::new();
                for (x1, y1, x2, y2) in &rules {
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                }
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke { width: 0.6, ..Stroke::default() }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            surface.finish();
            page.finish();
        }
        Ok(())
    }
}

/// Lays the document out and writes the PDF.
pub fn render(font: &FontSource<'_>, doc: &Document) -> Result<Vec<u8>, RenderError> {
    let font = Font::new(font.data.to_vec().into(), font.index).ok_or(RenderError::Font(font.index))?;
    let mut pdf = krilla::Document::new();
    let content = PAGE_W - 2.0 * MARGIN;
    let mut pen = Pen { doc: &mut pdf, font, texts: Vec::new(), rules: Vec::new(), y: MARGIN, pages: Vec::new() };
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                let size = 18.0;
                pen.room(size * 2.0);
                let x = MARGIN + ((content - width(t, size)) / 2.0).max(0.0);
                pen.text(x, size, t);
                pen.y += size * 2.0;
            }
            Block::Subtitle(t) => {
                let size = 11.0;
                for line in wrap(t, size, content) {
                    pen.room(size * LINE);
                    let x = MARGIN + ((content - width(&line, size)) / 2.0).max(0.0);
                    pen.text(x, size, &line);
                    pen.y += size * LINE;
                }
                pen.y += 6.0;
            }
            Block::Facts(pairs) => {
                let half = content / 2.0;
                for pair in pairs.chunks(2) {
                    pen.room(BODY * LINE);
                    for (i, (label, value)) in pair.iter().enumerate() {
                        let text = format!("{label}：{value}");
                        let line = wrap(&text, BODY, half - 8.0).into_iter().next().unwrap_or_default();
                        pen.text(MARGIN + i as f32 * half, BODY, &line);
                    }
                    pen.y += BODY * LINE;
                }
                pen.y += 6.0;
            }
            Block::Paragraph(t) => {
                for line in wrap(t, BODY, content) {
                    pen.room(BODY * LINE);
                    pen.text(MARGIN, BODY, &line);
                    pen.y += BODY * LINE;
                }
                pen.y += 4.0;
            }
            Block::Table { headers, widths, rows } => table(&mut pen, headers, widths, rows, content),
            Block::Signatures(lines) => {
                pen.room(BODY * 3.0 * lines.len() as f32);
                for l in lines {
                    pen.y += BODY * 1.5;
                    pen.text(MARGIN + content / 2.0, BODY, l);
                    pen.y += BODY * 1.5;
                }
            }
            Block::Space(h) => pen.y += h,
        }
    }
    pen.finish(&doc.footer)?;
    pdf.finish().map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

fn table(pen: &mut Pen<'_>, headers: &[String], widths: &[f32], rows: &[Vec<String>], content: f32) {
    let size = 9.0;
    let total: f32 = widths.iter().sum::<f32>().max(f32::MIN_POSITIVE);
    let cols: Vec<f32> = widths.iter().map(|w| w / total * content).collect();
    let cell_lines = |cells: &[String]| -> Vec<Vec<String>> { cells.iter().zip(&cols).map(|(c, w)| wrap(c, size, w - 6.0)).collect() };
    let draw_row = |pen: &mut Pen<'_>, lines: &[Vec<String>]| {
        let height = lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * size * LINE + 6.0;
        let top = pen.y;
        let mut x = MARGIN;
        for (cell, w) in lines.iter().zip(&cols) {
            for (k, l) in cell.iter().enumerate() {
                pen.texts.push((x + 3.0, top + 3.0 + size + k as f32 * size * LINE, size, l.clone()));
            }
            x += w;
        }
        pen.rules.push((MARGIN, top + height, MARGIN + content, top + height));
        pen.y += height;
        height
    };
    let header = cell_lines(headers);
    let header_height = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * LINE + 6.0;
    pen.room(header_height * 2.0);
    pen.rules.push((MARGIN, pen.y, MARGIN + content, pen.y));
    draw_row(pen, &header);
    for row in rows {
        let lines = cell_lines(row);
        let height = lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * size * LINE + 6.0;
        if pen.room(height) {
            // The header again at the top of the new page.
            pen.rules.push((MARGIN, pen.y, MARGIN + content, pen.y));
            draw_row(pen, &header);
        }
        draw_row(pen, &lines);
    }
    pen.y += 10.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_wraps_on_any_character_and_latin_takes_less_room() {
        let lines = wrap("本人承诺遵守考场纪律，独立完成考试。", 10.0, 60.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| width(l, 10.0) <= 60.0));
        assert!(width("abcd", 10.0) < width("考场纪律", 10.0));
        assert_eq!(wrap("一\n二", 10.0, 100.0), vec!["一".to_string(), "二".to_string()]);
    }
}
