//! Reading uploaded spreadsheets (.xlsx, .xls, .ods, .csv) within bounds, so that a small hostile
//! file cannot make the server unpack or hold much more than it sent.
//!
//! A zip container (.xlsx, .ods) is inspected before anything is unpacked for good: its entries,
//! their declared sizes, then every entry streamed through the inflater into nothing while its
//! real size is counted; too many entries, too many bytes in total or too high a compression
//! ratio refuse the file. The first sheet of an .xlsx is then read cell by cell (never as one
//! dense range, whose size a sparse cell far away would decide), refusing the file at the first
//! cell past the row or column limit or longer than the cell limit.
//!
//! calamine reads an .xls or .ods whole when it opens it, every sheet as one dense range whose
//! size the cells farthest apart decide, so these are checked first without materialising
//! anything: the records of an .xls workbook stream (its cells, and the dimensions it declares),
//! the `content.xml` of an .ods streamed (its non-empty cells, repeats multiplied). Every sheet
//! must fit the row and column limits, and all of them together a few sheets' worth of cells.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Cursor, Read, Write};

use calamine::{Data, Ods, Range, Reader, Xls, Xlsx};
use quick_xml::events::{BytesStart, Event};

use crate::config::ImportsConfig;
use crate::error::{AppError, AppResult};

/// Rows of a sheet as text: (row number in the sheet, cells from its first used column).
pub type SheetRows = Vec<(i32, Vec<Option<String>>)>;

fn refuse(message: impl Into<String>) -> AppError {
    AppError::bad_field("file", message)
}

/// Reads the first sheet (or the CSV) within `limits`.
pub fn read_bounded(file_name: &str, bytes: &[u8], limits: &ImportsConfig) -> AppResult<SheetRows> {
    let lower = file_name.to_lowercase();
    let is_zip = bytes.starts_with(b"PK");
    let is_cfb = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if lower.ends_with(".csv") || (!is_zip && !is_cfb) {
        return read_csv(bytes, limits);
    }
    if is_cfb {
        return read_xls(bytes, limits);
    }
    let entries = check_zip(bytes, limits)?;
    // What the container is comes from the names of its parts, wherever they stand in it.
    if has_part(&entries, XLSX_WORKBOOK) {
        return read_xlsx(bytes, limits);
    }
    if has_part(&entries, "content.xml") {
        return read_ods(bytes, limits);
    }
    read_other(bytes, limits)
}

/// The part every .xlsx holds (its workbook).
const XLSX_WORKBOOK: &str = "xl/workbook.xml";

/// Whether `entries` hold the part `path`, named as Office and LibreOffice may name it: in any
/// case, with `/` or `\` (as calamine looks parts up).
fn has_part(entries: &[String], path: &str) -> bool {
    entries
        .iter()
        .any(|e| e.replace('\\', "/").eq_ignore_ascii_case(path))
}

/// The office document a zip container holds, from the names of its parts (and an
/// OpenDocument's `mimetype`), whatever their order in the container: byte-signature sniffers
/// recognise an .xlsx or .docx only when `[Content_Types].xml` comes first, as Excel and Word
/// write it, and call anything else `application/zip`. Reads the central directory and at most
/// 128 bytes of one part, so that no bomb is unpacked; `None` for other zips and non-zips.
pub fn office_container_type(bytes: &[u8]) -> Option<&'static str> {
    if !bytes.starts_with(b"PK") {
        return None;
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(std::borrow::Cow::into_owned))
        .collect();
    if has_part(&names, "[Content_Types].xml") {
        if has_part(&names, XLSX_WORKBOOK) {
            return Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if has_part(&names, "word/document.xml") {
            return Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        }
        return None;
    }
    let mut mimetype = String::new();
    archive
        .by_name("mimetype")
        .ok()?
        .take(128)
        .read_to_string(&mut mimetype)
        .ok()?;
    match mimetype.trim() {
        "application/vnd.oasis.opendocument.spreadsheet" => {
            Some("application/vnd.oasis.opendocument.spreadsheet")
        }
        _ => None,
    }
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    refuse(format!(
        "not a readable spreadsheet (.xlsx, .xls, .ods or .csv): {e}"
    ))
}

/// Checks a zip container against the limits, unpacking each entry into nothing; returns the
/// entry names.
pub fn check_zip(bytes: &[u8], limits: &ImportsConfig) -> AppResult<Vec<String>> {
    let unreadable = |e: zip::result::ZipError| {
        refuse(format!(
            "not a readable spreadsheet (.xlsx, .xls, .ods or .csv): {e}"
        ))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > limits.max_zip_entries {
        return Err(refuse(format!(
            "the file holds {} parts; at most {} are accepted",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let max_total = limits.max_uncompressed_bytes.min(
        limits
            .max_compression_ratio
            .saturating_mul(bytes.len() as u64),
    );
    let too_big = || {
        refuse(format!(
            "the file unpacks to more than {} bytes (at most {} bytes, and at most {} times its size)",
            max_total, limits.max_uncompressed_bytes, limits.max_compression_ratio
        ))
    };
    // Declared sizes first: a file that admits to being a bomb is refused without inflating.
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(unreadable)?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > max_total {
        return Err(too_big());
    }
    // Then the real sizes, which a hostile file may have understated.
    let mut names = Vec::with_capacity(archive.len());
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(unreadable)?;
        names.push(entry.name().map_err(unreadable)?.into_owned());
        let budget = max_total - total;
        let read = std::io::copy(&mut entry.take(budget + 1), &mut std::io::sink())
            .map_err(|e| refuse(format!("unreadable spreadsheet part: {e}")))?;
        total += read;
        if total > max_total {
            return Err(too_big());
        }
    }
    Ok(names)
}

/// The text of one cell, refused when longer than the limit.
fn bounded_text(cell: &Data, limits: &ImportsConfig) -> AppResult<Option<String>> {
    let text = super::imports::cell_text(cell);
    match text {
        Some(t) if t.chars().count() > limits.max_cell_chars => Err(refuse(format!(
            "a cell holds more than {} characters",
            limits.max_cell_chars
        ))),
        other => Ok(other),
    }
}

fn too_many_rows(limits: &ImportsConfig) -> AppError {
    refuse(format!("at most {} rows per file", limits.max_rows))
}

fn too_many_columns(limits: &ImportsConfig) -> AppError {
    refuse(format!("at most {} columns per sheet", limits.max_columns))
}

/// Lays out cells by (row, column) as rows from the first used row and column.
fn layout(cells: BTreeMap<(u32, u32), String>, limits: &ImportsConfig) -> AppResult<SheetRows> {
    let Some(first_row) = cells.keys().map(|(r, _)| *r).min() else {
        return Ok(Vec::new());
    };
    let first_col = cells.keys().map(|(_, c)| *c).min().unwrap_or(0);
    let last_row = cells.keys().map(|(r, _)| *r).max().unwrap_or(first_row);
    let last_col = cells.keys().map(|(_, c)| *c).max().unwrap_or(first_col);
    let height = (last_row - first_row) as usize + 1;
    let width = (last_col - first_col) as usize + 1;
    if height > limits.max_rows + 1 {
        return Err(too_many_rows(limits));
    }
    if width > limits.max_columns {
        return Err(too_many_columns(limits));
    }
    let mut rows: SheetRows = (0..height)
        .map(|i| {
            (
                i32::try_from(first_row as usize + i + 1).unwrap_or(i32::MAX),
                vec![None; width],
            )
        })
        .collect();
    for ((r, c), text) in cells {
        if let Some(slot) = rows
            .get_mut((r - first_row) as usize)
            .and_then(|(_, row)| row.get_mut((c - first_col) as usize))
        {
            *slot = Some(text);
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8], limits: &ImportsConfig) -> AppResult<SheetRows> {
    let unreadable = |e: calamine::XlsxError| {
        refuse(format!(
            "not a readable spreadsheet (.xlsx, .xls, .ods or .csv): {e}"
        ))
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let name = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| refuse("the workbook has no sheet"))?;
    let mut reader = workbook
        .worksheet_cells_reader(&name)
        .map_err(|e| refuse(format!("unreadable sheet: {e}")))?;
    let mut cells = BTreeMap::new();
    let (mut first_row, mut first_col) = (u32::MAX, u32::MAX);
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| refuse(format!("unreadable sheet: {e}")))?
    {
        let (row, col) = cell.get_position();
        let Some(text) = bounded_text(&Data::from(cell.get_value().clone()), limits)? else {
            continue;
        };
        first_row = first_row.min(row);
        first_col = first_col.min(col);
        // Cells come row by row; any cell this far from the first is past the limits.
        if (row - first_row) as usize > limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if col.abs_diff(first_col) as usize >= limits.max_columns {
            return Err(too_many_columns(limits));
        }
        cells.insert((row, col), text);
    }
    layout(cells, limits)
}

/// Most sheets an .xls or .ods may hold (calamine reads them all when it opens the file).
const MAX_SHEETS: usize = 256;

/// All the sheets of an .xls or .ods together may hold this many times the cells of one sheet
/// at the row and column limits.
const SHEETS_CELLS_FACTOR: u64 = 4;

fn too_many_sheets() -> AppError {
    refuse(format!("at most {MAX_SHEETS} sheets per file"))
}

/// The cells a dense reader holds for the sheets of one file, and how many more it may hold.
struct CellsBudget {
    left: u64,
    total: u64,
}

impl CellsBudget {
    fn new(limits: &ImportsConfig) -> Self {
        let total = (limits.max_rows as u64 + 1)
            .saturating_mul(limits.max_columns as u64)
            .saturating_mul(SHEETS_CELLS_FACTOR);
        Self { left: total, total }
    }

    fn spend(&mut self, cells: u64) -> AppResult<()> {
        self.left = self.left.checked_sub(cells).ok_or_else(|| {
            refuse(format!(
                "the sheets of the file hold more than {} cells in all",
                self.total
            ))
        })?;
        Ok(())
    }
}

/// The smallest rectangle holding some cells (rows and columns inclusive), held to the row
/// and column limits as it grows.
#[derive(Default)]
struct Extent {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    fn add(&mut self, rows: (u64, u64), cols: (u64, u64), limits: &ImportsConfig) -> AppResult<()> {
        fn grow(span: &mut Option<(u64, u64)>, (first, last): (u64, u64)) -> u64 {
            let (lo, hi) = span.map_or((first, last), |(lo, hi)| (lo.min(first), hi.max(last)));
            *span = Some((lo, hi));
            (hi - lo).saturating_add(1)
        }
        if grow(&mut self.rows, rows) > limits.max_rows as u64 + 1 {
            return Err(too_many_rows(limits));
        }
        if grow(&mut self.cols, cols) > limits.max_columns as u64 {
            return Err(too_many_columns(limits));
        }
        Ok(())
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0 + 1).saturating_mul(c1 - c0 + 1),
            _ => 0,
        }
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The BIFF records of a stream as calamine walks them: (type, data), up to the first record
/// that does not fit (where calamine fails). CONTINUE records come as records of their own,
/// which calamine appends to the one before and no cell check looks at.
fn biff_records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = u16_at(rest, 0)?;
        let end = 4 + usize::from(u16_at(rest, 2)?);
        let data = rest.get(4..end)?;
        rest = rest.get(end..)?;
        Some((typ, data))
    })
}

/// The workbook stream of an .xls (BIFF8 "Workbook", or BIFF5 "Book", as calamine looks for
/// them), read no longer than the file.
fn xls_workbook_stream(bytes: &[u8]) -> AppResult<(&'static str, Vec<u8>)> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(unreadable)?;
    for name in ["/Workbook", "/Book"] {
        if cfb.is_stream(name) {
            let mut stream = Vec::new();
            cfb.open_stream(name)
                .map_err(unreadable)?
                .take(bytes.len() as u64 + 1)
                .read_to_end(&mut stream)
                .map_err(unreadable)?;
            if stream.len() > bytes.len() {
                return Err(unreadable("its workbook stream is longer than the file"));
            }
            return Ok((name, stream));
        }
    }
    Err(unreadable("no workbook stream"))
}

/// Checks every sheet of an .xls workbook stream, as calamine would read it (the sheets the
/// workbook globals point at, each up to its EOF record), against the limits: the dimensions it
/// declares (calamine reserves room for them) and the cells it holds.
fn check_xls(stream: &[u8], limits: &ImportsConfig) -> AppResult<()> {
    let mut sheets = Vec::new();
    for (typ, data) in biff_records(stream) {
        match typ {
            // FILEPASS: the rest is encrypted (calamine refuses it too).
            0x002F if u16_at(data, 0).is_some_and(|v| v != 0) => {
                return Err(refuse("the workbook is password protected"));
            }
            // BOUNDSHEET: where a sheet starts.
            0x0085 => {
                if let Some(pos) = u32_at(data, 0) {
                    sheets.push(pos as usize);
                }
                if sheets.len() > MAX_SHEETS {
                    return Err(too_many_sheets());
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    let mut budget = CellsBudget::new(limits);
    for pos in sheets {
        let sheet = stream
            .get(pos..)
            .ok_or_else(|| refuse("unreadable sheet: it starts past the end of the workbook"))?;
        let mut extent = Extent::default();
        for (typ, data) in biff_records(sheet) {
            let cols = match typ {
                0x000A => break,
                0x0200 => {
                    check_xls_dimensions(data, limits)?;
                    continue;
                }
                // FORMULA, NUMBER, LABEL, BOOLERR, RK, LABELSST, RSTRING: row, column.
                // (BLANK and MULBLANK hold no value and calamine skips them.)
                0x0006 | 0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x00D6 => {
                    u16_at(data, 2).map(|c| (c, c))
                }
                // MULRK: row, first column, values, last column.
                0x00BD if data.len() >= 6 => {
                    let first = u16_at(data, 2);
                    let last = u16_at(data, data.len() - 2);
                    match (first, last) {
                        (Some(first), Some(last)) if last >= first => Some((first, last)),
                        _ => return Err(refuse("unreadable sheet: a malformed MULRK record")),
                    }
                }
                _ => continue,
            };
            if let (Some(row), Some((c0, c1))) = (u16_at(data, 0), cols) {
                let row = u64::from(row);
                extent.add((row, row), (u64::from(c0), u64::from(c1)), limits)?;
            }
        }
        budget.spend(extent.cells())?;
    }
    Ok(())
}

/// A DIMENSIONS record, read as calamine reads it (which reserves room for that many cells).
fn check_xls_dimensions(data: &[u8], limits: &ImportsConfig) -> AppResult<()> {
    let read = match data.len() {
        10 => u16_at(data, 0)
            .map(u32::from)
            .zip(u16_at(data, 2).map(u32::from))
            .zip(u16_at(data, 4).zip(u16_at(data, 6))),
        14 => u32_at(data, 0)
            .zip(u32_at(data, 4))
            .zip(u16_at(data, 8).zip(u16_at(data, 10))),
        // calamine refuses the file.
        _ => return Ok(()),
    };
    let Some(((first_row, end_row), (first_col, end_col))) = read else {
        return Ok(());
    };
    let (first_col, end_col) = (u64::from(first_col), u64::from(end_col));
    let first_col = if first_col > 0xFF || end_col < first_col {
        0
    } else {
        first_col
    };
    let (first_row, end_row) = (u64::from(first_row), u64::from(end_row));
    let (last_row, last_col) = if end_row >= 1 && end_col >= 1 {
        (end_row - 1, end_col - 1)
    } else {
        (first_row, first_col)
    };
    if last_row < first_row || last_col < first_col {
        return Err(refuse("unreadable sheet: its dimensions are reversed"));
    }
    let declared = (last_row - first_row + 1).saturating_mul(last_col - first_col + 1);
    let most = (limits.max_rows as u64 + 1).saturating_mul(limits.max_columns as u64);
    if declared > most {
        return Err(refuse(format!(
            "the sheet declares more than {most} cells ({} rows of {} columns at most)",
            limits.max_rows, limits.max_columns
        )));
    }
    Ok(())
}

/// An .xls: its workbook stream is checked, then calamine reads a compound file holding that
/// stream alone (so that what it reads is what was checked, however the original container
/// could be read otherwise).
fn read_xls(bytes: &[u8], limits: &ImportsConfig) -> AppResult<SheetRows> {
    let (name, stream) = xls_workbook_stream(bytes)?;
    check_xls(&stream, limits)?;
    let checked = (|| -> std::io::Result<Vec<u8>> {
        // Version 3 (512-byte sectors) as Excel writes it: calamine refuses a version 4 file
        // whose root holds no mini stream.
        let mut container =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
        container.create_stream(name)?.write_all(&stream)?;
        container.flush()?;
        Ok(container.into_inner().into_inner())
    })()
    .map_err(unreadable)?;
    drop(stream);
    let mut workbook: Xls<_> =
        calamine::open_workbook_from_rs(Cursor::new(checked)).map_err(unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| refuse("the workbook has no sheet"))?
        .map_err(|e| refuse(format!("unreadable sheet: {e}")))?;
    dense_rows(&range, limits)
}

/// Checks the `content.xml` of an .ods (every part by that name) before calamine reads it.
fn check_ods(bytes: &[u8], limits: &ImportsConfig) -> AppResult<()> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(unreadable)?;
        if entry.name().map_err(unreadable)? == "content.xml" {
            check_ods_content(BufReader::new(entry), limits)?;
        }
    }
    Ok(())
}

/// A cell of an .ods being read: its repeats, whether calamine would hold it, its text.
struct OdsCell {
    repeats: u64,
    non_empty: bool,
    chars: u64,
    paragraphs: u64,
    depth: usize,
    annotation: Option<usize>,
}

/// A row of an .ods being read: its repeats, the next column, where its non-empty cells end,
/// the characters they hold.
struct OdsRow {
    repeats: u64,
    col: u64,
    end: Option<u64>,
    chars: u64,
}

fn ods_repeats(e: &BytesStart<'_>, name: &[u8]) -> AppResult<u64> {
    for a in e.attributes() {
        let a = a.map_err(unreadable)?;
        if a.key.as_ref() == name {
            return std::str::from_utf8(&a.value)
                .ok()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| unreadable("a malformed repeat count"));
        }
    }
    Ok(1)
}

/// Whether calamine holds a cell (it has a value, a type or a formula) or may (it has text).
fn ods_cell(e: &BytesStart<'_>) -> AppResult<OdsCell> {
    let mut non_empty = false;
    for a in e.attributes() {
        let a = a.map_err(unreadable)?;
        non_empty |= matches!(
            a.key.as_ref(),
            b"office:value-type"
                | b"office:value"
                | b"office:string-value"
                | b"office:date-value"
                | b"office:time-value"
                | b"office:boolean-value"
                | b"table:formula"
        );
    }
    Ok(OdsCell {
        repeats: ods_repeats(e, b"table:number-columns-repeated")?,
        non_empty,
        chars: 0,
        paragraphs: 0,
        depth: 1,
        annotation: None,
    })
}

/// Streams the `content.xml` of an .ods and holds every table to the limits: the rows and
/// columns its non-empty cells span (repeats multiplied; columns from the first, since
/// calamine holds the empty cells before a non-empty one in its row), the characters of each
/// cell (`text:s` spaces counted) and of all cells, repeats multiplied. Empty cells and rows
/// repeated past the last non-empty one (as LibreOffice writes them) cost nothing.
fn check_ods_content(input: impl BufRead, limits: &ImportsConfig) -> AppResult<()> {
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut budget = CellsBudget::new(limits);
    let most_chars = limits.max_uncompressed_bytes;
    let mut chars: u64 = 0;
    let mut tables = 0usize;
    let mut table: Option<(Extent, u64)> = None;
    let mut row: Option<OdsRow> = None;
    let mut cell: Option<OdsCell> = None;
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(unreadable)?;
        if let Some(c) = cell.as_mut() {
            let inside = c.annotation.is_some();
            match &event {
                Event::Start(e) => {
                    c.depth += 1;
                    match e.name().as_ref() {
                        b"office:annotation" if !inside => c.annotation = Some(c.depth),
                        b"text:p" if !inside => {
                            c.non_empty = true;
                            c.paragraphs += 1;
                        }
                        b"text:s" if !inside => {
                            c.chars = c.chars.saturating_add(ods_repeats(e, b"text:c")?);
                        }
                        _ => {}
                    }
                }
                Event::Empty(e) if !inside => match e.name().as_ref() {
                    b"text:p" => {
                        c.non_empty = true;
                        c.paragraphs += 1;
                    }
                    b"text:s" => c.chars = c.chars.saturating_add(ods_repeats(e, b"text:c")?),
                    _ => {}
                },
                Event::Text(t) if !inside => {
                    let count = String::from_utf8_lossy(t).chars().count() as u64;
                    c.chars = c.chars.saturating_add(count);
                }
                Event::GeneralRef(_) if !inside => c.chars = c.chars.saturating_add(1),
                Event::End(_) => {
                    if c.annotation == Some(c.depth) {
                        c.annotation = None;
                    }
                    c.depth -= 1;
                }
                Event::Eof => return Err(unreadable("the sheet ends inside a cell")),
                _ => {}
            }
            if c.depth == 0
                && let (Some(c), Some(r)) = (cell.take(), row.as_mut())
            {
                end_ods_cell(c, r, limits)?;
            }
            continue;
        }
        match &event {
            Event::Start(e) if e.name().as_ref() == b"table:table" => {
                tables += 1;
                if tables > MAX_SHEETS {
                    return Err(too_many_sheets());
                }
                table = Some((Extent::default(), 0));
            }
            Event::End(e) if e.name().as_ref() == b"table:table" => {
                if let Some((extent, _)) = table.take() {
                    budget.spend(extent.cells())?;
                }
            }
            Event::Start(e) if table.is_some() && e.name().as_ref() == b"table:table-row" => {
                row = Some(OdsRow {
                    repeats: ods_repeats(e, b"table:number-rows-repeated")?,
                    col: 0,
                    end: None,
                    chars: 0,
                });
            }
            Event::Empty(e) if table.is_some() && e.name().as_ref() == b"table:table-row" => {
                let repeats = ods_repeats(e, b"table:number-rows-repeated")?;
                if let Some((_, next_row)) = table.as_mut() {
                    *next_row = next_row.saturating_add(repeats);
                }
            }
            Event::End(e) if e.name().as_ref() == b"table:table-row" => {
                if let (Some(r), Some((extent, next_row))) = (row.take(), table.as_mut()) {
                    let first = *next_row;
                    *next_row = first.saturating_add(r.repeats);
                    if let Some(end) = r.end.filter(|_| r.repeats > 0) {
                        extent.add((first, *next_row - 1), (0, end - 1), limits)?;
                        chars = chars.saturating_add(r.chars.saturating_mul(r.repeats));
                        if chars > most_chars {
                            return Err(refuse(format!(
                                "the sheets of the file hold more than {most_chars} characters"
                            )));
                        }
                    }
                }
            }
            Event::Start(e) | Event::Empty(e)
                if row.is_some()
                    && matches!(
                        e.name().as_ref(),
                        b"table:table-cell" | b"table:covered-table-cell"
                    ) =>
            {
                let c = ods_cell(e)?;
                if matches!(event, Event::Start(_)) {
                    cell = Some(c);
                } else if let Some(r) = row.as_mut() {
                    end_ods_cell(c, r, limits)?;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

fn end_ods_cell(cell: OdsCell, row: &mut OdsRow, limits: &ImportsConfig) -> AppResult<()> {
    let chars = cell.chars.saturating_add(cell.paragraphs.saturating_sub(1));
    if chars > limits.max_cell_chars as u64 {
        return Err(refuse(format!(
            "a cell holds more than {} characters",
            limits.max_cell_chars
        )));
    }
    row.col = row.col.saturating_add(cell.repeats);
    if cell.non_empty && cell.repeats > 0 {
        if row.col > limits.max_columns as u64 {
            return Err(too_many_columns(limits));
        }
        row.end = Some(row.col);
        row.chars = row.chars.saturating_add(chars.saturating_mul(cell.repeats));
    }
    Ok(())
}

/// An .ods: its parts are checked (by [`check_zip`]), then its `content.xml`, then calamine
/// reads it.
fn read_ods(bytes: &[u8], limits: &ImportsConfig) -> AppResult<SheetRows> {
    check_ods(bytes, limits)?;
    let mut workbook: Ods<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| refuse("the workbook has no sheet"))?
        .map_err(|e| refuse(format!("unreadable sheet: {e}")))?;
    dense_rows(&range, limits)
}

/// Another zip container (.xlsb) through calamine's whole-sheet reader, after [`check_zip`].
fn read_other(bytes: &[u8], limits: &ImportsConfig) -> AppResult<SheetRows> {
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| refuse("the workbook has no sheet"))?
        .map_err(|e| refuse(format!("unreadable sheet: {e}")))?;
    dense_rows(&range, limits)
}

/// The used cells of a range calamine read whole, held to the row, column and cell limits.
fn dense_rows(range: &Range<Data>, limits: &ImportsConfig) -> AppResult<SheetRows> {
    let mut cells = BTreeMap::new();
    for (row, col, value) in range.used_cells() {
        if row > limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if col >= limits.max_columns {
            return Err(too_many_columns(limits));
        }
        if let Some(text) = bounded_text(value, limits)? {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            cells.insert(
                (
                    r0 + u32::try_from(row).unwrap_or(u32::MAX),
                    c0 + u32::try_from(col).unwrap_or(u32::MAX),
                ),
                text,
            );
        }
    }
    layout(cells, limits)
}

fn read_csv(bytes: &[u8], limits: &ImportsConfig) -> AppResult<SheetRows> {
    let text = std::str::from_utf8(bytes).map_err(|_| refuse("a CSV file must be UTF-8"))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| refuse(format!("unreadable CSV: {e}")))?;
        if rows.len() > limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if record.len() > limits.max_columns {
            return Err(too_many_columns(limits));
        }
        let line = record
            .position()
            .map_or(0, |p| i32::try_from(p.line()).unwrap_or(i32::MAX));
        let mut cells = Vec::with_capacity(record.len());
        for c in record.iter() {
            let c = c.trim();
            if c.chars().count() > limits.max_cell_chars {
                return Err(refuse(format!(
                    "a cell holds more than {} characters",
                    limits.max_cell_chars
                )));
            }
            cells.push(Some(c.to_owned()).filter(|c| !c.is_empty()));
        }
        rows.push((line, cells));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            zip.start_file(*name, options).expect("entry");
            zip.write_all(data).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        let limits = ImportsConfig::default();
        let bomb = zip_of(&[("xl/workbook.xml", &vec![b'a'; 8 * 1024 * 1024])]);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let err = check_zip(&bomb, &limits).expect_err("refused");
        assert!(
            err.public_message().contains("unpacks to more than"),
            "{err:?}"
        );
        let fine = zip_of(&[("a.xml", b"<x/>")]);
        assert_eq!(check_zip(&fine, &limits).expect("fine"), vec!["a.xml"]);
    }

    #[test]
    fn csv_rows_columns_and_cells_are_bounded() {
        let limits = ImportsConfig {
            max_rows: 2,
            max_columns: 3,
            max_cell_chars: 5,
            ..ImportsConfig::default()
        };
        assert_eq!(
            read_csv(b"a,b\n1,2\n3,4\n", &limits).expect("fits").len(),
            3
        );
        assert!(read_csv(b"a\n1\n2\n3\n", &limits).is_err());
        assert!(read_csv(b"a,b,c,d\n", &limits).is_err());
        assert!(read_csv(b"abcdef\n", &limits).is_err());
    }

    /// One BIFF record.
    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let len = u16::try_from(data.len()).expect("short record");
        [&typ.to_le_bytes()[..], &len.to_le_bytes(), data].concat()
    }

    fn bof(kind: u16) -> Vec<u8> {
        let mut data = vec![0u8; 16];
        data[..2].copy_from_slice(&0x0600u16.to_le_bytes());
        data[2..4].copy_from_slice(&kind.to_le_bytes());
        record(0x0809, &data)
    }

    fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
        let data = [
            &row.to_le_bytes()[..],
            &col.to_le_bytes(),
            &0u16.to_le_bytes(),
            &value.to_le_bytes(),
        ]
        .concat();
        record(0x0203, &data)
    }

    /// A minimal BIFF8 workbook in a compound file: globals (BOF, one BOUNDSHEET per sheet,
    /// EOF), then each sheet (BOF, its records, EOF).
    fn xls_of(sheets: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let bodies: Vec<Vec<u8>> = sheets
            .iter()
            .map(|records| [bof(0x0010), records.concat(), record(0x000A, &[])].concat())
            .collect();
        let boundsheet = |pos: usize, i: usize| {
            let name = format!("Sheet{i}");
            let pos = u32::try_from(pos).expect("small workbook");
            let data = [
                &pos.to_le_bytes()[..],
                &[0, 0, u8::try_from(name.len()).expect("short name"), 0],
                name.as_bytes(),
            ]
            .concat();
            record(0x0085, &data)
        };
        let globals_len = bof(0x0005).len()
            + (0..sheets.len())
                .map(|i| boundsheet(0, i + 1).len())
                .sum::<usize>()
            + 4;
        let mut stream = bof(0x0005);
        let mut pos = globals_len;
        for (i, body) in bodies.iter().enumerate() {
            stream.extend(boundsheet(pos, i + 1));
            pos += body.len();
        }
        stream.extend(record(0x000A, &[]));
        assert_eq!(stream.len(), globals_len);
        stream.extend(bodies.concat());
        let mut container =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
                .expect("compound file");
        container
            .create_stream("/Workbook")
            .expect("stream")
            .write_all(&stream)
            .expect("write");
        container.flush().expect("flush");
        container.into_inner().into_inner()
    }

    #[test]
    fn a_small_xls_reads_through_the_checked_copy() {
        let xls = xls_of(&[vec![number(0, 0, 1.0), number(1, 1, 2.0)]]);
        let rows = read_bounded("a.xls", &xls, &ImportsConfig::default()).expect("reads");
        assert_eq!(
            rows,
            vec![
                (1, vec![Some("1".to_owned()), None]),
                (2, vec![None, Some("2".to_owned())]),
            ]
        );
        // A workbook stream of 4096 bytes or more lives outside the mini stream.
        let long = xls_of(&[(0..400).map(|row| number(row, 0, 1.0)).collect()]);
        let rows = read_bounded("a.xls", &long, &ImportsConfig::default()).expect("reads");
        assert_eq!(rows.len(), 400);
    }

    #[test]
    fn xls_cells_far_apart_are_refused_before_calamine_reads_them() {
        let limits = ImportsConfig::default();
        let started = std::time::Instant::now();
        let far_down = xls_of(&[vec![number(0, 0, 1.0), number(60000, 0, 2.0)]]);
        let err = read_bounded("a.xls", &far_down, &limits).expect_err("refused");
        assert!(err.public_message().contains("rows"), "{err:?}");
        let far_right = xls_of(&[vec![number(0, 0, 1.0), number(0, 255, 2.0)]]);
        let err = read_bounded("a.xls", &far_right, &limits).expect_err("refused");
        assert!(err.public_message().contains("columns"), "{err:?}");
        // The check runs before calamine: on the far-down workbook (a dense range of 60001
        // cells at most here) and on the same cells 65535 rows by 256 columns apart.
        let corners = xls_of(&[vec![number(0, 0, 1.0), number(65535, 255, 2.0)]]);
        assert!(check_xls(&xls_workbook_stream(&corners).expect("stream").1, &limits).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // A MULRK spanning too many columns, and a second sheet, are checked as well.
        let mulrk = [
            &0u16.to_le_bytes()[..],
            &0u16.to_le_bytes(),
            &[0; 6 * 100],
            &99u16.to_le_bytes(),
        ]
        .concat();
        let wide = xls_of(&[vec![record(0x00BD, &mulrk)]]);
        assert!(read_bounded("a.xls", &wide, &limits).is_err());
        let second = xls_of(&[
            vec![number(0, 0, 1.0)],
            vec![number(0, 0, 1.0), number(9000, 0, 2.0)],
        ]);
        assert!(read_bounded("a.xls", &second, &limits).is_err());
    }

    #[test]
    fn xls_declared_dimensions_and_sheets_are_bounded() {
        let limits = ImportsConfig::default();
        let dimensions = |rows: (u32, u32), cols: (u16, u16)| {
            let data = [
                &rows.0.to_le_bytes()[..],
                &rows.1.to_le_bytes(),
                &cols.0.to_le_bytes(),
                &cols.1.to_le_bytes(),
                &[0, 0],
            ]
            .concat();
            record(0x0200, &data)
        };
        let huge = xls_of(&[vec![
            dimensions((0, 0xFFFF_FFF0), (0, 0xFF)),
            number(0, 0, 1.0),
        ]]);
        let err = read_bounded("a.xls", &huge, &limits).expect_err("refused");
        assert!(err.public_message().contains("declares"), "{err:?}");
        let reversed = xls_of(&[vec![dimensions((10, 5), (0, 1)), number(0, 0, 1.0)]]);
        assert!(read_bounded("a.xls", &reversed, &limits).is_err());
        let fine = xls_of(&[vec![
            dimensions((0, 2), (0, 2)),
            number(0, 0, 1.0),
            number(1, 1, 1.0),
        ]]);
        assert_eq!(
            read_bounded("a.xls", &fine, &limits).expect("reads").len(),
            2
        );
        // Each sheet within the limits, five of them past the budget of all sheets together.
        let full = vec![number(0, 0, 1.0), number(5000, 63, 2.0)];
        let five = xls_of(&vec![full; 5]);
        let err = read_bounded("a.xls", &five, &limits).expect_err("refused");
        assert!(err.public_message().contains("in all"), "{err:?}");
    }

    /// An .ods holding one table of `rows` (table-row elements).
    fn ods_of(rows: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1"><table:table-column table:number-columns-repeated="1024"/>{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            (
                "META-INF/manifest.xml",
                br#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
            ),
            ("content.xml", content.as_bytes()),
        ])
    }

    fn text_cell(text: &str) -> String {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
        )
    }

    #[test]
    fn a_libreoffice_shaped_ods_with_huge_empty_repeats_reads() {
        let started = std::time::Instant::now();
        let trailing = r#"<table:table-cell table:number-columns-repeated="1022"/>"#;
        let rows = format!(
            r#"<table:table-row>{}{}{trailing}</table:table-row><table:table-row>{}<table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p></table:table-cell>{trailing}</table:table-row><table:table-row table:number-rows-repeated="1048571"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
            text_cell("role"),
            text_cell("phone"),
            text_cell("patient<text:s text:c=\"2\"/>x"),
        );
        let rows = read_bounded("a.ods", &ods_of(&rows), &ImportsConfig::default()).expect("reads");
        assert_eq!(
            rows,
            vec![
                (1, vec![Some("role".to_owned()), Some("phone".to_owned())]),
                (2, vec![Some("patient  x".to_owned()), Some("3".to_owned())]),
            ]
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn ods_non_empty_repeats_are_refused_before_calamine_reads_them() {
        let limits = ImportsConfig::default();
        let started = std::time::Instant::now();
        let refused = |rows: &str, what: &str| {
            let err = read_bounded("a.ods", &ods_of(rows), &limits).expect_err(rows);
            assert!(err.public_message().contains(what), "{rows}: {err:?}");
        };
        let value = r#"<table:table-cell office:value-type="float" office:value="1"/>"#;
        refused(
            r#"<table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="10000000"/></table:table-row>"#,
            "columns",
        );
        refused(
            &format!(
                r#"<table:table-row table:number-rows-repeated="10000000">{value}</table:table-row>"#
            ),
            "rows",
        );
        // Empty cells or rows between non-empty ones are held too.
        refused(
            &format!(
                r#"<table:table-row>{value}<table:table-cell table:number-columns-repeated="10000000"/>{value}</table:table-row>"#
            ),
            "columns",
        );
        refused(
            &format!(
                r#"<table:table-row>{value}</table:table-row><table:table-row table:number-rows-repeated="10000000"><table:table-cell/></table:table-row><table:table-row>{value}</table:table-row>"#
            ),
            "rows",
        );
        // Spaces a cell's text expands to, and text repeated past the budget of all cells.
        refused(
            &format!(
                "<table:table-row>{}</table:table-row>",
                text_cell(r#"<text:s text:c="1000000000"/>"#)
            ),
            "characters",
        );
        let long = "x".repeat(4000);
        refused(
            &format!(
                r#"<table:table-row table:number-rows-repeated="5000"><table:table-cell office:value-type="string" table:number-columns-repeated="64"><text:p>{long}</text:p></table:table-cell></table:table-row>"#
            ),
            "characters",
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use std::sync::OnceLock;

        /// A valid small workbook, as rust_xlsxwriter writes it.
        fn workbook() -> &'static [u8] {
            static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
            BYTES.get_or_init(|| {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                for (col, header) in ["role", "phone", "nickname"].iter().enumerate() {
                    let col = u16::try_from(col).expect("few columns");
                    sheet.write(0, col, *header).expect("header");
                    sheet.write(1, col, "patient").expect("cell");
                }
                sheet.write(2, 1, 13_800_000_000_f64).expect("number");
                book.save_to_buffer().expect("workbook")
            })
        }

        fn names() -> impl Strategy<Value = &'static str> {
            prop_oneof![
                Just("a.xlsx"),
                Just("a.csv"),
                Just("a.xls"),
                Just("a.ods"),
                Just("a")
            ]
        }

        proptest! {
            // Bounded, so that it runs in the ordinary test run (and CI) in a few seconds.
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            #[test]
            fn arbitrary_bytes_never_panic(
                name in names(),
                bytes in prop::collection::vec(any::<u8>(), 0..1024),
            ) {
                let limits = ImportsConfig::default();
                let _ = read_bounded(name, &bytes, &limits);
                for magic in [&b"PK\x03\x04"[..], &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]] {
                    let mut prefixed = magic.to_vec();
                    prefixed.extend_from_slice(&bytes);
                    let _ = read_bounded(name, &prefixed, &limits);
                }
            }

            #[test]
            fn damaged_workbooks_never_panic(
                name in names(),
                flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
                cut in any::<prop::sample::Index>(),
                max_rows in 0usize..4,
                max_columns in 0usize..4,
            ) {
                let limits = ImportsConfig {
                    max_rows,
                    max_columns,
                    max_cell_chars: 8,
                    ..ImportsConfig::default()
                };
                let mut bytes = workbook().to_vec();
                let _ = read_bounded(name, &bytes, &limits);
                for (at, byte) in flips {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
                let _ = read_bounded(name, &bytes, &limits);
                bytes.truncate(cut.index(bytes.len()));
                let _ = read_bounded(name, &bytes, &limits);
            }
        }

        /// `bytes`' zip entries rewritten in `order` (indexes into the original entries).
        fn rezipped(bytes: &[u8], order: impl Fn(usize) -> Vec<usize>) -> Vec<u8> {
            let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
            let mut entries = Vec::new();
            for i in 0..archive.len() {
                let mut entry = archive.by_index(i).expect("entry");
                let mut data = Vec::new();
                entry.read_to_end(&mut data).expect("read");
                entries.push((entry.name().expect("name").into_owned(), data));
            }
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for i in order(entries.len()) {
                let (name, data) = &entries[i];
                zip.start_file(name.as_str(), options).expect("entry");
                zip.write_all(data).expect("write");
            }
            zip.finish().expect("finish").into_inner()
        }

        #[test]
        fn a_workbook_reads_whatever_the_order_of_its_zip_entries() {
            let reversed = rezipped(workbook(), |n| (0..n).rev().collect());
            // Rotated: the worksheet first, `[Content_Types].xml` somewhere in the middle.
            let rotated = rezipped(workbook(), |n| (0..n).map(|i| (i + n / 2) % n).collect());
            for bytes in [reversed, rotated] {
                assert_ne!(bytes.as_slice(), workbook());
                for name in ["a.xlsx", "a.XLSX", "upload", "a.bin"] {
                    let rows = read_bounded(name, &bytes, &ImportsConfig::default())
                        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
                    assert_eq!(rows.len(), 3, "{name}");
                    assert_eq!(rows[0].1[0].as_deref(), Some("role"));
                    assert_eq!(rows[2].1[1].as_deref(), Some("13800000000"));
                }
                // The bomb checks still hold for it.
                let tight = ImportsConfig {
                    max_zip_entries: 2,
                    ..ImportsConfig::default()
                };
                assert!(read_bounded("a.xlsx", &bytes, &tight).is_err());
            }
        }

        #[test]
        fn an_office_container_is_recognised_whatever_its_order() {
            let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            assert_eq!(office_container_type(workbook()), Some(xlsx));
            let reversed = rezipped(workbook(), |n| (0..n).rev().collect());
            assert_eq!(office_container_type(&reversed), Some(xlsx));
            assert_eq!(office_container_type(&zip_of(&[("a.xml", b"<x/>")])), None);
            assert_eq!(office_container_type(b"not a zip"), None);
            let ods = zip_of(&[
                ("content.xml", b"<x/>"),
                (
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                ),
            ]);
            assert_eq!(
                office_container_type(&ods),
                Some("application/vnd.oasis.opendocument.spreadsheet")
            );
        }

        #[test]
        fn a_valid_workbook_reads_within_bounds() {
            let rows =
                read_bounded("a.xlsx", workbook(), &ImportsConfig::default()).expect("reads");
            assert_eq!(rows.len(), 3);
            assert_eq!(rows[0].1[0].as_deref(), Some("role"));
            assert_eq!(rows[2].1[1].as_deref(), Some("13800000000"));
        }
    }
}
