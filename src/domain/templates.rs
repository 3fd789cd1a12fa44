//! Template files consultants download (模板文件): the layouts of the spreadsheet imports, built
//! from the import column tables, plus whatever files consultants or administrators upload.
//! Uploading a file under an existing name replaces it. Several files download as one zip.

use std::io::Write;

use bytes::Bytes;
use chrono::Utc;
use entity::counseling_template;
use futures::TryStreamExt;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::counseling_imports::{ROSTER_COLUMNS, SESSION_COLUMNS, SheetColumn};
use super::files;
use crate::Services;
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy;
use crate::storage::FileKind;

/// Name of the built-in template of the interview-session import.
pub const SESSIONS_TEMPLATE: &str = "interview_records_template.xlsx";
/// Name of the built-in template of the duty-roster import.
pub const ROSTER_TEMPLATE: &str = "duty_roster_template.xlsx";

/// Most files one download may name.
pub const MAX_DOWNLOAD_FILES: usize = 50;

/// A file to hand out.
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

fn sheet_template(name: &str, columns: &[SheetColumn]) -> AppResult<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).map_err(AppError::internal)?;
    for (i, column) in columns.iter().enumerate() {
        let c = u16::try_from(i).map_err(AppError::internal)?;
        sheet
            .write_string_with_format(0, c, column.header, &bold)
            .map_err(AppError::internal)?;
        sheet
            .write_string(1, c, column.example)
            .map_err(AppError::internal)?;
        sheet.set_column_width(c, 16).map_err(AppError::internal)?;
    }
    workbook.save_to_buffer().map_err(AppError::internal)
}

/// The built-in templates: `(name, bytes)`.
pub fn builtin() -> AppResult<Vec<(&'static str, Vec<u8>)>> {
    Ok(vec![
        (
            SESSIONS_TEMPLATE,
            sheet_template("访谈记录", SESSION_COLUMNS)?,
        ),
        (ROSTER_TEMPLATE, sheet_template("排班", ROSTER_COLUMNS)?),
    ])
}

/// Stores the built-in templates under their names unless a file of that name exists (an
/// upload replaces a built-in one for good).
async fn ensure_builtins(s: &Services) -> AppResult<()> {
    let present: Vec<String> = counseling_template::Entity::find()
        .filter(counseling_template::Column::Name.is_in([SESSIONS_TEMPLATE, ROSTER_TEMPLATE]))
        .all(&s.db)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    if present.len() == 2 {
        return Ok(());
    }
    for (name, bytes) in builtin()? {
        if present.iter().any(|p| p == name) {
            continue;
        }
        let stored = files::upload(
            &s.db,
            &s.files,
            Bytes::from(bytes),
            Some(name),
            FileKind::Document,
            None,
        )
        .await?;
        counseling_template::Entity::insert(counseling_template::ActiveModel {
            name: Set(name.to_owned()),
            file_hash: Set(stored.hash),
            size: Set(stored.size),
            uploaded_by: Set(None),
            updated_at: Set(Utc::now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(counseling_template::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&s.db)
        .await?;
    }
    Ok(())
}

fn checked_name(name: &str) -> AppResult<String> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    if name.is_empty() || name.starts_with('.') {
        return Err(AppError::bad_field("files", "the file needs a name"));
    }
    if name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(AppError::bad_field(
            "files",
            "a file name has at most 255 printable characters",
        ));
    }
    Ok(name.to_owned())
}

/// A consultant or administrator uploads template files (spreadsheets, Word documents, PDF);
/// a file of an existing name replaces it. Every file is checked before any is stored.
pub async fn upload(
    s: &Services,
    viewer: &Viewer,
    uploads: Vec<(String, Bytes)>,
) -> AppResult<Vec<counseling_template::Model>> {
    policy::require_any_role(viewer, &[Role::Consultant, Role::Administrator])?;
    if uploads.is_empty() {
        return Err(AppError::bad_field("files", "send at least one file"));
    }
    let mut checked = Vec::with_capacity(uploads.len());
    for (name, bytes) in uploads {
        let name = checked_name(&name)?;
        s.files
            .sniff(&bytes, FileKind::Document)
            .map_err(|e| AppError::bad_field("files", format!("{name}: {}", e.public_message())))?;
        checked.push((name, bytes));
    }
    let txn = s.db.begin().await?;
    let mut names = Vec::with_capacity(checked.len());
    for (name, bytes) in checked {
        let stored = files::upload(
            &txn,
            &s.files,
            bytes,
            Some(&name),
            FileKind::Document,
            Some(viewer.user_id),
        )
        .await?;
        counseling_template::Entity::insert(counseling_template::ActiveModel {
            name: Set(name.clone()),
            file_hash: Set(stored.hash),
            size: Set(stored.size),
            uploaded_by: Set(Some(viewer.user_id)),
            updated_at: Set(Utc::now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(counseling_template::Column::Name)
                .update_columns([
                    counseling_template::Column::FileHash,
                    counseling_template::Column::Size,
                    counseling_template::Column::UploadedBy,
                    counseling_template::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        names.push(name);
    }
    txn.commit().await?;
    let mut saved = counseling_template::Entity::find()
        .filter(counseling_template::Column::Name.is_in(names.iter().cloned()))
        .all(&s.db)
        .await?;
    saved.sort_by_key(|t| names.iter().position(|n| n == &t.name));
    Ok(saved)
}

/// Every template file, by name (consultants and administrators).
pub async fn list(s: &Services, viewer: &Viewer) -> AppResult<Vec<counseling_template::Model>> {
    policy::require_any_role(viewer, &[Role::Consultant, Role::Administrator])?;
    ensure_builtins(s).await?;
    Ok(counseling_template::Entity::find()
        .order_by_asc(counseling_template::Column::Name)
        .all(&s.db)
        .await?)
}

async fn read_all(s: &Services, hash: &str) -> AppResult<Vec<u8>> {
    let chunks: Vec<Bytes> = s
        .files
        .get(hash)
        .await?
        .try_collect()
        .await
        .map_err(AppError::internal)?;
    Ok(chunks.concat())
}

fn content_type_of(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit('.').next().unwrap_or("") {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Template files by name: one file as itself, several as one zip (`templates.zip`). Unknown
/// names are refused, naming them.
pub async fn download(s: &Services, viewer: &Viewer, names: &[String]) -> AppResult<Download> {
    policy::require_any_role(viewer, &[Role::Consultant, Role::Administrator])?;
    let mut wanted: Vec<String> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !wanted.iter().any(|w| w == name) {
            wanted.push(name.to_owned());
        }
    }
    if wanted.is_empty() {
        return Err(AppError::bad_field("fileNames", "name at least one file"));
    }
    if wanted.len() > MAX_DOWNLOAD_FILES {
        return Err(AppError::bad_field(
            "fileNames",
            format!("at most {MAX_DOWNLOAD_FILES} files at once"),
        ));
    }
    ensure_builtins(s).await?;
    let found = counseling_template::Entity::find()
        .filter(counseling_template::Column::Name.is_in(wanted.iter().cloned()))
        .all(&s.db)
        .await?;
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|w| !found.iter().any(|f| &f.name == *w))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::NotFound(format!(
            "no template file named {}",
            missing.join(", ")
        )));
    }
    if let [only] = found.as_slice() {
        return Ok(Download {
            file_name: only.name.clone(),
            content_type: content_type_of(&only.name),
            bytes: read_all(s, &only.file_hash).await?,
        });
    }
    let mut contents = Vec::with_capacity(wanted.len());
    for name in &wanted {
        if let Some(t) = found.iter().find(|f| &f.name == name) {
            contents.push((t.name.clone(), read_all(s, &t.file_hash).await?));
        }
    }
    let bytes = tokio::task::spawn_blocking(move || -> AppResult<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in contents {
            zip.start_file(name, options).map_err(AppError::internal)?;
            zip.write_all(&bytes)?;
        }
        Ok(zip.finish().map_err(AppError::internal)?.into_inner())
    })
    .await
    .map_err(AppError::internal)??;
    Ok(Download {
        file_name: "templates.zip".into(),
        content_type: "application/zip",
        bytes,
    })
}
