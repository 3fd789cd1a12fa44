//! Bulk account import from a spreadsheet (.xlsx, .xls, .ods or .csv): every row is checked
//! before anything is written; a report lists each row. With errors nothing is imported unless
//! the caller asks to skip bad rows; a row is never half-imported (each good row is created with
//! its role and profile in the one transaction of the whole import).
//!
//! The first row names the columns (English or Chinese, any order):
//! `role` (角色: patient/患者, doctor/physician/医生/医师, assistant/医助, consultant/咨询师,
//! hospital_staff/医院工作人员), `phone` (手机号), `email` (邮箱), `username` (用户名),
//! `nickname` (昵称), `password` (密码), `real_name` (姓名), `hospital` (医院, doctors),
//! `home_addr` (家庭住址). A row needs a role and a phone or an e-mail address.

use std::collections::HashSet;

use async_graphql::SimpleObject;
use calamine::Data;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set, TransactionTrait};

use crate::Services;
use crate::auth::codes;
use crate::auth::{Role, Viewer, passwords};
use crate::config::ImportsConfig;
use crate::domain::accounts;
use crate::error::{AppError, AppResult};

/// At most this many rows per file.
pub const MAX_ROWS: usize = 5000;

/// What happened to one row.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportRow {
    /// Row number in the sheet (the header is row 1).
    pub row: i32,
    /// Whether the row is valid.
    pub ok: bool,
    /// Whether an account was created from it.
    pub imported: bool,
    /// Id of the created account (account imports).
    pub user_id: Option<i64>,
    /// Id of the record the row created (the interview session of a session import).
    pub created_id: Option<i64>,
    /// Column at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub error: Option<String>,
}

/// The outcome of an import.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportReport {
    /// Rows read (without the header).
    pub total: i32,
    /// Accounts created.
    pub imported: i32,
    /// Rows with errors.
    pub failed: i32,
    /// One entry per row.
    pub rows: Vec<ImportRow>,
}

#[derive(Debug, Default, Clone)]
struct Candidate {
    row: i32,
    role: Option<Role>,
    phone: Option<String>,
    email: Option<String>,
    username: Option<String>,
    nickname: Option<String>,
    password: Option<String>,
    real_name: Option<String>,
    hospital: Option<String>,
    home_addr: Option<String>,
}

fn column_of(header: &str) -> Option<&'static str> {
    let h = header.trim().to_lowercase().replace([' ', '-'], "_");
    Some(match h.as_str() {
        "role" | "type" | "角色" | "用户类型" => "role",
        "phone" | "telephone" | "mobile" | "手机号" | "手机" | "电话" | "手机号码" => {
            "phone"
        }
        "email" | "e_mail" | "邮箱" | "电子邮箱" => "email",
        "username" | "user_name" | "用户名" | "账号" => "username",
        "nickname" | "display_name" | "name" | "昵称" => "nickname",
        "password" | "pwd" | "密码" => "password",
        "real_name" | "realname" | "姓名" | "真实姓名" => "real_name",
        "hospital" | "医院" => "hospital",
        "home_addr" | "address" | "家庭住址" | "地址" => "home_addr",
        _ => return None,
    })
}

fn role_of(value: &str) -> Option<Role> {
    Some(match value.trim().to_lowercase().as_str() {
        "patient" | "患者" | "病人" | "1" => Role::Patient,
        "doctor" | "physician" | "医生" | "医师" | "2" => Role::Doctor,
        "assistant" | "医助" | "3" => Role::Assistant,
        "consultant" | "咨询师" => Role::Consultant,
        "hospital_staff" | "staff" | "医院工作人员" => Role::HospitalStaff,
        _ => return None,
    })
}

pub(crate) fn cell_text(cell: &Data) -> Option<String> {
    let text = match cell {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        // Dates and times typed as such in the sheet: ISO text, as the parsers expect.
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(at) if dt.as_f64() < 1.0 => at.format("%H:%M").to_string(),
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.format("%Y-%m-%d").to_string(),
            Some(at) => at.format("%Y-%m-%d %H:%M").to_string(),
            None => dt.to_string(),
        },
        other => other.to_string(),
    };
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The rows of the first sheet (or the CSV) as text, parsed off the async threads within the
/// configured bounds (see [`super::sheets`]).
pub(crate) async fn read_sheet(
    limits: &ImportsConfig,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Vec<(i32, Vec<Option<String>>)>> {
    let name = file_name.to_owned();
    let limits = limits.clone();
    tokio::task::spawn_blocking(move || super::sheets::read_bounded(&name, &bytes, &limits))
        .await
        .map_err(AppError::internal)?
}

fn parse(rows: Vec<(i32, Vec<Option<String>>)>) -> AppResult<Vec<Candidate>> {
    let mut rows = rows.into_iter();
    let (_, header) = rows
        .next()
        .ok_or_else(|| AppError::bad_field("file", "the sheet is empty"))?;
    let columns: Vec<Option<&'static str>> = header
        .iter()
        .map(|h| h.as_deref().and_then(column_of))
        .collect();
    if !columns.contains(&Some("role")) {
        return Err(AppError::bad_field(
            "file",
            "the header row has no `role` column",
        ));
    }
    if !columns.contains(&Some("phone")) && !columns.contains(&Some("email")) {
        return Err(AppError::bad_field(
            "file",
            "the header row needs a `phone` or an `email` column",
        ));
    }
    let mut out = Vec::new();
    for (number, row) in rows {
        if row.iter().all(Option::is_none) {
            continue;
        }
        let mut c = Candidate {
            row: number,
            ..Candidate::default()
        };
        let mut role_text = None;
        for (column, value) in columns.iter().zip(row) {
            let (Some(column), Some(value)) = (column, value) else {
                continue;
            };
            match *column {
                "role" => role_text = Some(value),
                "phone" => c.phone = Some(value),
                "email" => c.email = Some(value),
                "username" => c.username = Some(value),
                "nickname" => c.nickname = Some(value),
                "password" => c.password = Some(value),
                "real_name" => c.real_name = Some(value),
                "hospital" => c.hospital = Some(value),
                "home_addr" => c.home_addr = Some(value),
                _ => {}
            }
        }
        c.role = role_text.as_deref().and_then(role_of);
        out.push(c);
        if out.len() > MAX_ROWS {
            return Err(AppError::bad_field(
                "file",
                format!("at most {MAX_ROWS} rows per file"),
            ));
        }
    }
    Ok(out)
}

impl ImportRow {
    /// A valid row, not imported yet.
    pub(crate) fn valid(row: i32) -> Self {
        ImportRow {
            row,
            ok: true,
            imported: false,
            user_id: None,
            created_id: None,
            field: None,
            error: None,
        }
    }
}

impl ImportReport {
    /// The report of `rows`, of which `imported` were imported.
    pub(crate) fn of(rows: Vec<ImportRow>) -> Self {
        let count = |f: fn(&ImportRow) -> bool| {
            i32::try_from(rows.iter().filter(|r| f(r)).count()).unwrap_or(i32::MAX)
        };
        ImportReport {
            total: i32::try_from(rows.len()).unwrap_or(i32::MAX),
            imported: count(|r| r.imported),
            failed: count(|r| !r.ok),
            rows,
        }
    }
}

/// A row with an error in `field`.
pub(crate) fn failure(row: i32, field: &str, message: impl Into<String>) -> ImportRow {
    ImportRow {
        row,
        ok: false,
        imported: false,
        user_id: None,
        created_id: None,
        field: Some(field.to_owned()),
        error: Some(message.into()),
    }
}

/// Imports accounts from a spreadsheet (administrators).
pub async fn import_users(
    s: &Services,
    viewer: &Viewer,
    file_name: &str,
    bytes: Vec<u8>,
    skip_invalid: bool,
) -> AppResult<ImportReport> {
    crate::policy::require_admin(viewer)?;
    let rows = read_sheet(&s.config.imports, file_name, bytes).await?;
    let mut candidates = parse(rows)?;
    if candidates.is_empty() {
        return Err(AppError::bad_field("file", "the sheet has no data rows"));
    }

    // Check every row, against the database and against the other rows.
    let mut report: Vec<ImportRow> = Vec::with_capacity(candidates.len());
    let mut seen: HashSet<String> = HashSet::new();
    for c in &mut candidates {
        let row = c.row;
        let result: Result<(), ImportRow> = async {
            if c.role.is_none() {
                return Err(failure(
                    row,
                    "role",
                    "role must be patient, doctor, assistant, consultant or hospital_staff",
                ));
            }
            if c.phone.is_none() && c.email.is_none() {
                return Err(failure(
                    row,
                    "phone",
                    "a row needs a phone number or an e-mail address",
                ));
            }
            if let Some(phone) = &c.phone {
                let phone = codes::normalize_phone(phone, "phone")
                    .map_err(|e| failure(row, "phone", e.public_message()))?;
                if !seen.insert(format!("phone:{phone}")) {
                    return Err(failure(
                        row,
                        "phone",
                        "this phone number appears twice in the file",
                    ));
                }
                if accounts::find_by_contact(&s.db, codes::Channel::Sms, &phone)
                    .await
                    .map_err(|e| failure(row, "phone", e.public_message()))?
                    .is_some()
                {
                    return Err(failure(
                        row,
                        "phone",
                        "this phone number is already registered",
                    ));
                }
                c.phone = Some(phone);
            }
            if let Some(email) = &c.email {
                let email = codes::normalize_email(email, "email")
                    .map_err(|e| failure(row, "email", e.public_message()))?;
                if !seen.insert(format!("email:{email}")) {
                    return Err(failure(
                        row,
                        "email",
                        "this e-mail address appears twice in the file",
                    ));
                }
                if accounts::find_by_contact(&s.db, codes::Channel::Email, &email)
                    .await
                    .map_err(|e| failure(row, "email", e.public_message()))?
                    .is_some()
                {
                    return Err(failure(
                        row,
                        "email",
                        "this e-mail address is already registered",
                    ));
                }
                c.email = Some(email);
            }
            if let Some(name) = &c.username {
                accounts::validate_username(name)
                    .map_err(|e| failure(row, "username", e.public_message()))?;
                if !seen.insert(format!("username:{name}")) {
                    return Err(failure(
                        row,
                        "username",
                        "this username appears twice in the file",
                    ));
                }
                if accounts::find_by_username(&s.db, name)
                    .await
                    .map_err(|e| failure(row, "username", e.public_message()))?
                    .is_some()
                {
                    return Err(failure(row, "username", "this username is taken"));
                }
            }
            if let Some(password) = &c.password {
                passwords::validate_strength(password, "password")
                    .map_err(|e| failure(row, "password", e.public_message()))?;
            }
            if c.nickname.as_ref().is_some_and(|n| n.chars().count() > 64) {
                return Err(failure(
                    row,
                    "nickname",
                    "a nickname has at most 64 characters",
                ));
            }
            if c.home_addr
                .as_ref()
                .is_some_and(|n| n.chars().count() > 200)
            {
                return Err(failure(
                    row,
                    "home_addr",
                    "an address has at most 200 characters",
                ));
            }
            Ok(())
        }
        .await;
        report.push(match result {
            Ok(()) => ImportRow::valid(row),
            Err(failed) => failed,
        });
    }
    let failed = report.iter().filter(|r| !r.ok).count();
    let total = report.len();
    if failed > 0 && !skip_invalid {
        return Ok(ImportReport {
            total: i32::try_from(total).unwrap_or(i32::MAX),
            imported: 0,
            failed: i32::try_from(failed).unwrap_or(i32::MAX),
            rows: report,
        });
    }

    let mut hashes = Vec::with_capacity(candidates.len());
    for (c, r) in candidates.iter().zip(&report) {
        hashes.push(match (&c.password, r.ok) {
            (Some(p), true) => Some(passwords::hash(p).await?),
            _ => None,
        });
    }
    let txn = s.db.begin().await?;
    let mut imported = 0;
    for ((c, r), hash) in candidates.iter().zip(report.iter_mut()).zip(hashes) {
        if !r.ok {
            continue;
        }
        let Some(role) = c.role else { continue };
        let username = c.username.clone().unwrap_or_else(|| {
            format!(
                "imp_{}",
                uuid::Uuid::new_v4()
                    .simple()
                    .to_string()
                    .get(..10)
                    .unwrap_or("user")
            )
        });
        let nickname = c
            .nickname
            .clone()
            .or_else(|| c.real_name.clone())
            .unwrap_or_else(|| username.clone());
        let user = accounts::create_user(&txn, &username, &nickname).await?;
        let mut model = user.clone().into_active_model();
        model.phone = Set(c.phone.clone());
        model.email = Set(c.email.clone());
        model.password_hash = Set(hash);
        model.real_name = Set(c.real_name.clone());
        model.address = Set(c.home_addr.clone());
        let user = model.update(&txn).await?;
        accounts::grant_role(&txn, user.id, role).await?;
        if role == Role::Doctor
            && let Some(hospital) = &c.hospital
            && let Some(profile) = entity::doctor_profile::Entity::find_by_id(user.id)
                .one(&txn)
                .await?
        {
            let mut p = profile.into_active_model();
            p.hospital_name = Set(Some(hospital.chars().take(100).collect()));
            p.update(&txn).await?;
        }
        r.imported = true;
        r.user_id = Some(user.id);
        r.created_id = Some(user.id);
        imported += 1;
    }
    txn.commit().await?;
    Ok(ImportReport {
        total: i32::try_from(total).unwrap_or(i32::MAX),
        imported,
        failed: i32::try_from(failed).unwrap_or(i32::MAX),
        rows: report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_rows(name: &str, bytes: Vec<u8>) -> AppResult<Vec<(i32, Vec<Option<String>>)>> {
        super::super::sheets::read_bounded(name, &bytes, &ImportsConfig::default())
    }

    #[test]
    fn reads_csv_with_chinese_headers() {
        let csv = "\u{feff}角色,手机号,昵称,密码\n患者,13800000001,张三,secret12\n医师,13800000002,李四,\n,,,\n";
        let rows = read_rows("u.csv", csv.as_bytes().to_vec()).expect("reads");
        let parsed = parse(rows).expect("parses");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].role, Some(Role::Patient));
        assert_eq!(parsed[0].row, 2);
        assert_eq!(parsed[1].role, Some(Role::Doctor));
        assert_eq!(parsed[1].row, 3);
        assert_eq!(parsed[1].password, None);
    }

    #[test]
    fn header_needs_role_and_contact() {
        let rows = read_rows("u.csv", b"phone,nickname\n13800000001,a\n".to_vec()).expect("reads");
        assert!(parse(rows).is_err());
        let rows = read_rows("u.csv", b"role,nickname\npatient,a\n".to_vec()).expect("reads");
        assert!(parse(rows).is_err());
    }

    #[test]
    fn garbage_is_not_a_spreadsheet() {
        assert!(read_rows("u.xlsx", b"PK\x03\x04garbage".to_vec()).is_err());
    }
}
