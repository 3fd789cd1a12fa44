//! Spreadsheet imports of counselling data (.xlsx, .xls, .ods or .csv): interview sessions
//! (访谈记录) and the consultant's own duty roster (排班). Every row is checked first; the report
//! names each bad row and column. With a bad row nothing is imported unless the caller asks to
//! skip bad rows; a row is never half-imported (each is written inside a savepoint of the
//! import's one transaction).
//!
//! The column tables below are the one truth for the parsers and for the template files
//! consultants download (`domain::templates`).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use entity::interview_archive;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::imports::{ImportReport, ImportRow, MAX_ROWS, failure, read_sheet};
use super::interviews::{
    self, ArchiveInput, CrisisLevel, NewSession, SessionNotes, parse_clock, parse_date,
    parse_duration, parse_gender, parse_third_party,
};
use super::rosters;
use crate::Services;
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy;

/// One column of an import sheet.
#[derive(Debug, Clone, Copy)]
pub struct SheetColumn {
    /// Canonical key (also accepted as a header).
    pub key: &'static str,
    /// Header of the template (Chinese, as the legacy sheets have it).
    pub header: &'static str,
    /// Other accepted headers.
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// Example value of the template's second row.
    pub example: &'static str,
}

const fn col(
    key: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    example: &'static str,
) -> SheetColumn {
    SheetColumn {
        key,
        header,
        aliases,
        required,
        example,
    }
}

/// Columns of an interview-session import: one row per session; rows of the same student
/// (name, school, grade, class) go to one archive, opened when the consultant has none.
pub const SESSION_COLUMNS: &[SheetColumn] = &[
    col(
        "std_name",
        "学生姓名",
        &["姓名", "name", "student_name"],
        true,
        "张小明",
    ),
    col("gender", "性别", &["sex"], false, "男"),
    col(
        "student_id",
        "学籍号",
        &["studentid", "student_number"],
        false,
        "G3301002010",
    ),
    col("std_school", "学校", &["school"], true, "杭州第一中学"),
    col("std_grade", "年级", &["grade"], false, "高一"),
    col("std_class", "班级", &["class"], false, "3班"),
    col(
        "interview_type",
        "访谈类型",
        &["type", "类型"],
        false,
        "个体咨询",
    ),
    col("count", "访谈次数", &["次数", "第几次"], false, "1"),
    col("date", "访谈日期", &["日期"], true, "2026-11-02"),
    col("time", "访谈时间", &["时间"], true, "14:30"),
    col(
        "duration",
        "访谈时长",
        &["时长", "duration_minutes"],
        true,
        "50分钟",
    ),
    col(
        "visit_status",
        "访谈状态",
        &["visitstatus", "状态"],
        false,
        "已完成",
    ),
    col("description", "客观描述", &[], false, "情绪低落，睡眠差"),
    col(
        "doctor_evaluation",
        "医生评定",
        &["doctorevaluation", "评定"],
        false,
        "轻度焦虑",
    ),
    col(
        "follow_up_plan",
        "后续计划",
        &["followupplan"],
        false,
        "两周后复访",
    ),
    col(
        "next_visit_plan",
        "下次访谈计划",
        &["nextvisitplan"],
        false,
        "11月16日下午",
    ),
    col(
        "crisis_status",
        "危机状态",
        &["crisisstatus", "crisis"],
        false,
        "低危",
    ),
    col(
        "consultant_name",
        "咨询师姓名",
        &["consultantname", "咨询师"],
        false,
        "王老师",
    ),
    col(
        "third_party",
        "是否他评",
        &["isthirdpartyevaluation", "他评"],
        false,
        "否",
    ),
];

/// Columns of a duty-roster import: one row per date (or several, merged); time slots
/// separated by commas, semicolons or 、.
pub const ROSTER_COLUMNS: &[SheetColumn] = &[
    col("date", "日期", &["work_date"], true, "2026-12-01"),
    col(
        "time_slots",
        "时间段",
        &["work_schedules", "slots", "time", "时段", "排班"],
        true,
        "09:00-10:00,14:00-15:00",
    ),
];

fn normalize(header: &str) -> String {
    header.trim().to_lowercase().replace([' ', '-', '_'], "")
}

/// Which column of `table` each header names.
fn header_map(table: &[SheetColumn], header: &[Option<String>]) -> AppResult<Vec<Option<usize>>> {
    let map: Vec<Option<usize>> = header
        .iter()
        .map(|h| {
            let h = normalize(h.as_deref()?);
            table.iter().position(|c| {
                normalize(c.key) == h
                    || normalize(c.header) == h
                    || c.aliases.iter().any(|a| normalize(a) == h)
            })
        })
        .collect();
    for (i, column) in table.iter().enumerate() {
        if column.required && !map.contains(&Some(i)) {
            return Err(AppError::bad_field(
                "file",
                format!(
                    "the header row has no `{}` ({}) column",
                    column.header, column.key
                ),
            ));
        }
    }
    Ok(map)
}

/// The data rows of a sheet as `(row number, values by column key)`, blank rows dropped.
async fn sheet(
    s: &Services,
    table: &'static [SheetColumn],
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Vec<(i32, HashMap<&'static str, String>)>> {
    let mut rows = read_sheet(&s.config.imports, file_name, bytes)
        .await?
        .into_iter();
    let (_, header) = rows
        .next()
        .ok_or_else(|| AppError::bad_field("file", "the sheet is empty"))?;
    let map = header_map(table, &header)?;
    let mut out = Vec::new();
    for (number, values) in rows {
        if values.iter().all(Option::is_none) {
            continue;
        }
        let mut row = HashMap::new();
        for (column, value) in map.iter().zip(values) {
            if let (Some(c), Some(v)) = (column, value) {
                row.insert(table[*c].key, v);
            }
        }
        out.push((number, row));
        if out.len() > MAX_ROWS {
            return Err(AppError::bad_field(
                "file",
                format!("at most {MAX_ROWS} rows per file"),
            ));
        }
    }
    if out.is_empty() {
        return Err(AppError::bad_field("file", "the sheet has no data rows"));
    }
    Ok(out)
}

/// The legacy column name of an error's field, for the report.
fn column_of_field(field: Option<&str>) -> String {
    let field = field.unwrap_or("row");
    match field {
        "name" => "std_name",
        "school" => "std_school",
        "grade" => "std_grade",
        "class" => "std_class",
        "studentId" => "student_id",
        "visitStatus" => "visit_status",
        "doctorEvaluation" => "doctor_evaluation",
        "followUpPlan" => "follow_up_plan",
        "nextVisitPlan" => "next_visit_plan",
        "consultantName" => "consultant_name",
        other => other,
    }
    .to_owned()
}

fn row_error(row: i32, err: &AppError) -> ImportRow {
    let field = match err {
        AppError::BadInput { field, .. } => field.as_deref(),
        _ => None,
    };
    failure(row, &column_of_field(field), err.public_message())
}

/// A student as an import names them: name, school, grade, class.
type StudentKey = (String, String, String, String);

/// One valid session row: the student's archive key and the session.
struct SessionRow {
    key: StudentKey,
    kind: Option<String>,
    session: NewSession,
}

fn session_row(row: &HashMap<&'static str, String>) -> AppResult<SessionRow> {
    let get = |k: &str| row.get(k).cloned();
    let name = get("std_name")
        .ok_or_else(|| AppError::bad_field("std_name", "the student's name is required"))?;
    let school = get("std_school")
        .ok_or_else(|| AppError::bad_field("std_school", "the school is required"))?;
    let gender = match get("gender") {
        Some(g) => Some(
            parse_gender(&g).ok_or_else(|| AppError::bad_field("gender", "gender is 男 or 女"))?,
        ),
        None => None,
    };
    let count =
        match get("count") {
            Some(c) => Some(c.trim().parse::<i32>().map_err(|_| {
                AppError::bad_field("count", "the interview count is a whole number")
            })?),
            None => None,
        };
    let date = parse_date(
        &get("date").ok_or_else(|| AppError::bad_field("date", "the date is required"))?,
        "date",
    )?;
    let time = parse_clock(
        &get("time").ok_or_else(|| AppError::bad_field("time", "the time is required"))?,
    )?;
    let duration = parse_duration(
        &get("duration")
            .ok_or_else(|| AppError::bad_field("duration", "the duration is required"))?,
    )?;
    let crisis = match get("crisis_status") {
        Some(c) => Some(CrisisLevel::parse(&c).ok_or_else(|| {
            AppError::bad_field("crisis_status", "the crisis state is 无, 低, 中 or 高")
        })?),
        None => None,
    };
    let third = match get("third_party") {
        Some(t) => Some(
            parse_third_party(&t)
                .ok_or_else(|| AppError::bad_field("third_party", "是否他评 is 是 or 否"))?,
        ),
        None => None,
    };
    let grade = get("std_grade").unwrap_or_default();
    let class_name = get("std_class").unwrap_or_default();
    Ok(SessionRow {
        key: (
            name.clone(),
            school.clone(),
            grade.clone(),
            class_name.clone(),
        ),
        kind: get("interview_type"),
        session: NewSession {
            archive_id: 0,
            count,
            student_name: Some(name),
            gender,
            student_number: get("student_id"),
            school: Some(school),
            grade: Some(grade),
            class_name: Some(class_name),
            date: Some(date),
            time: Some(time),
            duration_minutes: Some(duration),
            notes: SessionNotes {
                visit_state: get("visit_status"),
                description: get("description"),
                evaluation: get("doctor_evaluation"),
                follow_up_plan: get("follow_up_plan"),
                next_visit_plan: get("next_visit_plan"),
                crisis,
                consultant_name: get("consultant_name"),
                third_party_evaluation: third,
                signature_file: None,
                attachment_files: None,
            },
        },
    })
}

/// The consultant's archive of a student, or a new one, inside `txn`.
async fn archive_for(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    key: &StudentKey,
    kind: Option<String>,
) -> AppResult<interview_archive::Model> {
    let (name, school, grade, class_name) = key;
    if let Some(found) = interview_archive::Entity::find()
        .filter(interview_archive::Column::ConsultantId.eq(viewer.user_id))
        .filter(interview_archive::Column::StudentName.eq(name.as_str()))
        .filter(interview_archive::Column::School.eq(school.as_str()))
        .filter(interview_archive::Column::Grade.eq(grade.as_str()))
        .filter(interview_archive::Column::ClassName.eq(class_name.as_str()))
        .order_by_asc(interview_archive::Column::Id)
        .one(txn)
        .await?
    {
        return Ok(found);
    }
    interviews::insert_archive(
        txn,
        viewer,
        ArchiveInput {
            student_name: Some(name.clone()),
            school: Some(school.clone()),
            grade: Some(grade.clone()),
            class_name: Some(class_name.clone()),
            kind,
            ..ArchiveInput::default()
        },
    )
    .await
}

/// Imports interview sessions from a spreadsheet into the consultant's archives. Sessions that
/// are `HIGH` crises alert the organization's administrators once the import is saved.
pub async fn import_sessions(
    s: &Services,
    viewer: &Viewer,
    file_name: &str,
    bytes: Vec<u8>,
    skip_invalid: bool,
) -> AppResult<ImportReport> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    let rows = sheet(s, SESSION_COLUMNS, file_name, bytes).await?;
    let mut report = Vec::with_capacity(rows.len());
    let mut parsed = Vec::with_capacity(rows.len());
    let mut counts: HashMap<(StudentKey, i32), i32> = HashMap::new();
    for (number, row) in &rows {
        match session_row(row) {
            Ok(r) => {
                if let Some(count) = r.session.count
                    && let Some(first) = counts.insert((r.key.clone(), count), *number)
                {
                    report.push(failure(
                        *number,
                        "count",
                        format!("row {first} has the same student and interview count"),
                    ));
                    parsed.push(None);
                    continue;
                }
                report.push(ImportRow::valid(*number));
                parsed.push(Some(r));
            }
            Err(e) => {
                report.push(row_error(*number, &e));
                parsed.push(None);
            }
        }
    }
    if report.iter().any(|r| !r.ok) && !skip_invalid {
        return Ok(ImportReport::of(report));
    }

    let txn = s.db.begin().await?;
    let mut crises = Vec::new();
    for (i, candidate) in parsed.into_iter().enumerate() {
        let Some(candidate) = candidate else { continue };
        let savepoint = txn.begin().await?;
        let written = async {
            let archive = archive_for(&savepoint, viewer, &candidate.key, candidate.kind).await?;
            let mut session = candidate.session;
            session.archive_id = archive.id;
            interviews::insert_session(&savepoint, viewer, &archive, session).await
        }
        .await;
        match written {
            Ok(session) => {
                savepoint.commit().await?;
                report[i].imported = true;
                report[i].created_id = Some(session.id);
                if interviews::crisis_of(&session) == CrisisLevel::High {
                    crises.push(session);
                }
            }
            Err(e) => {
                savepoint.rollback().await?;
                report[i] = row_error(report[i].row, &e);
                if !skip_invalid {
                    txn.rollback().await?;
                    return Ok(ImportReport::of(unimported(report)));
                }
            }
        }
    }
    txn.commit().await?;
    for session in &crises {
        interviews::alert_crisis(s, session).await;
    }
    Ok(ImportReport::of(report))
}

/// The report of an import that was rolled back: no row imported.
fn unimported(mut report: Vec<ImportRow>) -> Vec<ImportRow> {
    for r in &mut report {
        r.imported = false;
        r.created_id = None;
    }
    report
}

/// Imports the consultant's own duty roster: each date in the file gets exactly the slots the
/// file gives it (rows of one date merged); other dates are left alone.
pub async fn import_roster(
    s: &Services,
    viewer: &Viewer,
    file_name: &str,
    bytes: Vec<u8>,
    skip_invalid: bool,
) -> AppResult<ImportReport> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    let rows = sheet(s, ROSTER_COLUMNS, file_name, bytes).await?;
    let mut report = Vec::with_capacity(rows.len());
    // Date -> (rows, slots).
    let mut days: BTreeMap<NaiveDate, (Vec<usize>, Vec<String>)> = BTreeMap::new();
    for (i, (number, row)) in rows.iter().enumerate() {
        let parsed = (|| -> AppResult<(NaiveDate, Vec<String>)> {
            let date = parse_date(
                row.get("date")
                    .ok_or_else(|| AppError::bad_field("date", "the date is required"))?,
                "date",
            )?;
            let slots: Vec<String> = row
                .get("time_slots")
                .ok_or_else(|| AppError::bad_field("time_slots", "the time slots are required"))?
                .split([',', ';', '、', '，', '；', '\n'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            rosters::checked_slots(&slots)
                .map_err(|e| AppError::bad_field("time_slots", e.public_message()))?;
            Ok((date, slots))
        })();
        match parsed {
            Ok((date, slots)) => {
                let day = days.entry(date).or_default();
                day.0.push(i);
                day.1.extend(slots);
                report.push(ImportRow::valid(*number));
            }
            Err(e) => report.push(row_error(*number, &e)),
        }
    }
    // Slots of one date must not overlap across rows either.
    let mut checked: Vec<(NaiveDate, Vec<String>, Vec<usize>)> = Vec::new();
    for (date, (indexes, slots)) in days {
        match rosters::checked_slots(&slots) {
            Ok(slots) => checked.push((date, slots, indexes)),
            Err(e) => {
                for i in indexes {
                    report[i] = failure(
                        report[i].row,
                        "time_slots",
                        format!("{date}: {}", e.public_message()),
                    );
                }
            }
        }
    }
    if report.iter().any(|r| !r.ok) && !skip_invalid {
        return Ok(ImportReport::of(report));
    }
    let txn = s.db.begin().await?;
    for (date, slots, indexes) in checked {
        rosters::write_day(&txn, viewer.user_id, date, slots).await?;
        for i in indexes {
            report[i].imported = true;
        }
    }
    txn.commit().await?;
    Ok(ImportReport::of(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_keys_labels_and_aliases() {
        let header = vec![
            Some("学生姓名".to_owned()),
            Some("School".to_owned()),
            Some("访谈日期".to_owned()),
            Some("time".to_owned()),
            Some("时长".to_owned()),
            Some("unknown".to_owned()),
        ];
        let map = header_map(SESSION_COLUMNS, &header).expect("required columns present");
        assert_eq!(map[0].map(|i| SESSION_COLUMNS[i].key), Some("std_name"));
        assert_eq!(map[1].map(|i| SESSION_COLUMNS[i].key), Some("std_school"));
        assert_eq!(map[5], None);
        assert!(header_map(SESSION_COLUMNS, &header[..2]).is_err());
    }

    #[test]
    fn session_rows_are_validated() {
        let mut row: HashMap<&'static str, String> = HashMap::new();
        row.insert("std_name", "张三".into());
        row.insert("std_school", "一中".into());
        row.insert("date", "2026/11/02".into());
        row.insert("time", "14:30:00".into());
        row.insert("duration", "50分钟".into());
        row.insert("crisis_status", "高危".into());
        let ok = session_row(&row).expect("valid");
        assert_eq!(ok.session.time.as_deref(), Some("14:30"));
        assert_eq!(ok.session.duration_minutes, Some(50));
        assert_eq!(ok.session.notes.crisis, Some(CrisisLevel::High));
        row.insert("duration", "long".into());
        assert!(session_row(&row).is_err());
    }
}
