//! Reading uploaded spreadsheets (.xlsx, .xls, .ods, .csv) within bounds, so that a small hostile
//! file cannot make the server unpack or hold much more than it sent.
//!
//! A zip container (.xlsx, .ods) is inspected before anything is unpacked for good: its entries,
//! their declared sizes, then every entry streamed through the inflater into nothing while its
//! real size is counted; too many entries, too many bytes in total or too high a compression
//! ratio refuse the file. The first sheet of an .xlsx is then read cell by cell (never as one
//! dense range, whose size a sparse cell far away would decide), refusing the file at the first
//! cell past the row or column limit or longer than the cell limit.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

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
    if is_zip {
        let entries = check_zip(bytes, limits)?;
        if entries.iter().any(|e| e == "xl/workbook.xml") {
            return read_xlsx(bytes, limits);
        }
    }
    read_other(bytes, limits)
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

/// .xls, .ods and .xlsb through calamine's whole-sheet reader (a zip is checked first), then
/// held to the same row, column and cell limits.
fn read_other(bytes: &[u8], limits: &ImportsConfig) -> AppResult<SheetRows> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        refuse(format!(
            "not a readable spreadsheet (.xlsx, .xls, .ods or .csv): {e}"
        ))
    })?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| refuse("the workbook has no sheet"))?
        .map_err(|e| refuse(format!("unreadable sheet: {e}")))?;
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
