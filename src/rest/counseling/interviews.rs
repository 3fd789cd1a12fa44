//! Case files of the counselling dialect: interview archives (`/api/consultant/interview/
//! records*`, the create path as documented `/api/consuntant/...` and corrected), their sessions
//! (`.../records/profile*`), client profiles (`.../records/personal-profile`), the spreadsheet
//! imports (`.../upload/records`, `/api/consultant/schedule/upload`) and template files
//! (`.../upload/template`, `.../template/list`; `.../download` answers the file itself and is
//! served by [`super::download`]).
//!
//! Documented choices: empty strings mean "not given"; `gender` is 男/女 (or male/female);
//! `crisisStatus` is answered 无/低危/中危/高危, the clients' words (低/中/高, none/low/medium/high,
//! 高风险 ... are accepted); `duration` is answered `50分钟` (`50`, `50分` ... accepted);
//! `isThirdPartyEvaluation` is true/false, 1/0 or 是/否; `signatureImage`
//! and `attachImages` are file parts, or addresses/URLs of files uploaded before (several
//! attachments: the part repeated, or a JSON array / comma-separated list of addresses). The
//! session routes need the archive's (create) or the session's (update) `id`, which the
//! document leaves out. Imports answer the per-row report as `data`; with a bad row nothing is
//! imported unless `skip_invalid` is true, and an import that imported nothing is refused:
//! code 422 with the report as `data`, never `code 0, "success"`.

use serde_json::{Map, Value, json};

use super::super::{Kind, Param, Route, Source, pick};
use super::consultations::{
    AUTH_PARAMS, PAGE, PAGE_SIZE_DESCRIPTION, date, gender_label, paged_as, route, take_text,
};
use super::identity::{TOKEN, USER_ID, drop_auth, text};
use crate::domain::interviews::{
    CrisisLevel, duration_label, parse_clock, parse_duration, parse_gender, parse_third_party,
};
use crate::error::{AppError, AppResult};

const ARCHIVE_FILTERS: [Param; 9] = [
    Param::optional(
        "std_name",
        Source::Body,
        Kind::String,
        "studentName",
        "Part of the student's name",
    ),
    Param::optional(
        "std_grade",
        Source::Body,
        Kind::String,
        "grade",
        "Grade (年级)",
    ),
    Param::optional(
        "std_class",
        Source::Body,
        Kind::String,
        "className",
        "Class (班级)",
    ),
    Param::optional(
        "std_school",
        Source::Body,
        Kind::String,
        "school",
        "Part of the school's name",
    ),
    Param::optional(
        "interview_count",
        Source::Body,
        Kind::String,
        "interviewCount",
        "Number of interviews",
    ),
    Param::optional(
        "interview_status",
        Source::Body,
        Kind::String,
        "state",
        "Case state label (访谈状态)",
    ),
    Param::optional(
        "interview_type",
        Source::Body,
        Kind::String,
        "kind",
        "Case type label (访谈类型)",
    ),
    Param::optional(
        "doctor_evaluation",
        Source::Body,
        Kind::String,
        "evaluation",
        "Part of the doctor's evaluation (医生评定)",
    ),
    Param::optional(
        "follow_up_plan",
        Source::Body,
        Kind::String,
        "followUpPlan",
        "Part of the follow-up plan (后续计划)",
    ),
];

const LIST_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    PAGE,
    Param::optional(
        "page_size",
        Source::Body,
        Kind::Int,
        "pageSize",
        PAGE_SIZE_DESCRIPTION,
    )
    .with_default("10"),
    ARCHIVE_FILTERS[0],
    ARCHIVE_FILTERS[1],
    ARCHIVE_FILTERS[2],
    ARCHIVE_FILTERS[3],
    ARCHIVE_FILTERS[4],
    ARCHIVE_FILTERS[5],
    ARCHIVE_FILTERS[6],
    ARCHIVE_FILTERS[7],
    ARCHIVE_FILTERS[8],
];

const CREATE_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "std_name",
        Source::Body,
        Kind::String,
        "studentName",
        "The student's name",
    ),
    Param::required("std_school", Source::Body, Kind::String, "school", "School"),
    ARCHIVE_FILTERS[1],
    ARCHIVE_FILTERS[2],
    ARCHIVE_FILTERS[4],
    ARCHIVE_FILTERS[5],
    ARCHIVE_FILTERS[6],
    Param::optional(
        "doctor_evaluation",
        Source::Body,
        Kind::String,
        "evaluation",
        "The doctor's evaluation (医生评定)",
    ),
    Param::optional(
        "follow_up_plan",
        Source::Body,
        Kind::String,
        "followUpPlan",
        "Follow-up plan (后续计划)",
    ),
];

const ARCHIVE_ID: Param = Param::required(
    "id",
    Source::Body,
    Kind::NodeId("InterviewArchive"),
    "id",
    "The archive's id",
);

const DELETE_PARAMS: &[Param] = &[USER_ID, TOKEN, ARCHIVE_ID];

const NOTE_PARAMS: [Param; 12] = [
    Param::optional(
        "visitStatus",
        Source::Body,
        Kind::String,
        "visitState",
        "Visit state (访谈状态)",
    ),
    Param::optional(
        "description",
        Source::Body,
        Kind::String,
        "description",
        "Objective description (客观描述)",
    ),
    Param::optional(
        "doctorEvaluation",
        Source::Body,
        Kind::String,
        "evaluation",
        "The doctor's evaluation (医生评定)",
    ),
    Param::optional(
        "followUpPlan",
        Source::Body,
        Kind::String,
        "followUpPlan",
        "Follow-up plan (后续计划)",
    ),
    Param::optional(
        "nextVisitPlan",
        Source::Body,
        Kind::String,
        "nextVisitPlan",
        "Plan of the next visit (下次访谈计划)",
    ),
    Param::optional(
        "crisisStatus",
        Source::Body,
        Kind::String,
        "crisis",
        "Crisis state: 无, 低危, 中危 or 高危 (低/中/高 accepted; 高危 alerts the organization's administrators)",
    ),
    Param::optional(
        "consultantName",
        Source::Body,
        Kind::String,
        "consultantName",
        "The consultant's name as signed",
    ),
    Param::optional(
        "isThirdPartyEvaluation",
        Source::Body,
        Kind::String,
        "thirdPartyEvaluation",
        "Whether the evaluation is by a third party: true/false, 1/0, 是/否",
    ),
    Param::optional(
        "signatureImage",
        Source::File,
        Kind::Upload,
        "signature",
        "The signature image (a file part)",
    ),
    Param::optional(
        "signatureImage",
        Source::Body,
        Kind::String,
        "signatureFile",
        "Or: address/URL of a signature image uploaded before",
    ),
    Param::optional(
        "attachImages",
        Source::File,
        Kind::Uploads,
        "attachments",
        "Attached images (the part repeated, at most 9)",
    ),
    Param::optional(
        "attachImages",
        Source::Body,
        Kind::Json,
        "attachmentFiles",
        "Or: addresses/URLs of images uploaded before (JSON array or comma-separated)",
    ),
];

const SESSION_CREATE_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "id",
        Source::Body,
        Kind::NodeId("InterviewArchive"),
        "archiveId",
        "The archive's id (咨询档案的ID; not in the document, required)",
    ),
    Param::optional(
        "count",
        Source::Body,
        Kind::Int,
        "count",
        "Which interview this is (第几次); the next one when absent",
    ),
    Param::optional(
        "name",
        Source::Body,
        Kind::String,
        "studentName",
        "The student's name; the archive's when absent",
    ),
    Param::optional("gender", Source::Body, Kind::String, "gender", "男 or 女"),
    Param::optional(
        "studentId",
        Source::Body,
        Kind::String,
        "studentNumber",
        "Student registration number (学籍号)",
    ),
    Param::optional(
        "school",
        Source::Body,
        Kind::String,
        "school",
        "School; the archive's when absent",
    ),
    Param::optional(
        "grade",
        Source::Body,
        Kind::String,
        "grade",
        "Grade; the archive's when absent",
    ),
    Param::optional(
        "class",
        Source::Body,
        Kind::String,
        "className",
        "Class; the archive's when absent",
    ),
    Param::required(
        "date",
        Source::Body,
        Kind::String,
        "date",
        "Day of the interview, YYYY-MM-DD",
    ),
    Param::required(
        "time",
        Source::Body,
        Kind::String,
        "time",
        "Local time it began, HH:MM",
    ),
    Param::required(
        "duration",
        Source::Body,
        Kind::String,
        "durationMinutes",
        "Length in minutes (50分钟 or 50)",
    ),
    NOTE_PARAMS[0],
    NOTE_PARAMS[1],
    NOTE_PARAMS[2],
    NOTE_PARAMS[3],
    NOTE_PARAMS[4],
    NOTE_PARAMS[5],
    NOTE_PARAMS[6],
    NOTE_PARAMS[7],
    NOTE_PARAMS[8],
    NOTE_PARAMS[9],
    NOTE_PARAMS[10],
    NOTE_PARAMS[11],
];

const SESSION_UPDATE_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "id",
        Source::Body,
        Kind::NodeId("InterviewSession"),
        "id",
        "The session's id (not in the document, required)",
    ),
    NOTE_PARAMS[0],
    NOTE_PARAMS[1],
    NOTE_PARAMS[2],
    NOTE_PARAMS[3],
    NOTE_PARAMS[4],
    NOTE_PARAMS[5],
    NOTE_PARAMS[6],
    NOTE_PARAMS[7],
    NOTE_PARAMS[8],
    NOTE_PARAMS[9],
    NOTE_PARAMS[10],
    NOTE_PARAMS[11],
];

const SESSIONS_PARAMS: &[Param] = &[USER_ID, TOKEN, ARCHIVE_ID];

const PROFILE_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "id",
        Source::Body,
        Kind::NodeId("ConsultationOrder"),
        "id",
        "The consultation's id (根据咨询ID获取档案)",
    ),
];

const SKIP_INVALID: Param = Param::optional(
    "skip_invalid",
    Source::Body,
    Kind::Bool,
    "skipInvalid",
    "Import the valid rows even when others have errors (default false: a bad row imports nothing)",
)
.with_default("false");

const SESSION_IMPORT_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "files",
        Source::File,
        Kind::Upload,
        "file",
        "The spreadsheet (.xlsx, .xls, .ods or .csv), laid out as interview_records_template.xlsx",
    ),
    SKIP_INVALID,
];

const ROSTER_IMPORT_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "files",
        Source::File,
        Kind::Upload,
        "file",
        "The spreadsheet (.xlsx, .xls, .ods or .csv), laid out as duty_roster_template.xlsx: 日期, 时间段",
    ),
    SKIP_INVALID,
];

const TEMPLATE_UPLOAD_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "files",
        Source::File,
        Kind::Uploads,
        "files",
        "Template files (spreadsheets, Word documents, PDF); the part may repeat. A file named like an existing one replaces it",
    ),
];

const IMPORT_EXAMPLE: &str = r#"{"total":2,"imported":1,"failed":1,"rows":[{"row":2,"ok":true,"imported":true,"created_id":31,"field":null,"error":null},{"row":3,"ok":false,"imported":false,"created_id":null,"field":"date","error":"the date is `YYYY-MM-DD`"}]}"#;

const SESSION_EXAMPLE: &str = r#"[{"id":31,"count":"1","name":"张小明","gender":"男","studentId":"G3301002010","school":"杭州第一中学","grade":"高一","class":"3班","date":"2026-11-02","time":"14:30","duration":"50分钟","visitStatus":"已完成","description":"情绪低落，睡眠差","doctorEvaluation":"轻度焦虑","followUpPlan":"两周后复访","nextVisitPlan":"11月16日下午","crisisStatus":"低危","consultantName":"王老师","signatureImage":"http://127.0.0.1:8080/files/9f86d0…","attachImage":"","isThirdPartyEvaluation":false}]"#;

/// One session, as the session commands answer it.
const SESSION_ITEM_EXAMPLE: &str = r#"{"id":31,"count":"1","name":"张小明","gender":"男","studentId":"G3301002010","school":"杭州第一中学","grade":"高一","class":"3班","date":"2026-11-02","time":"14:30","duration":"50分钟","visitStatus":"已完成","description":"情绪低落，睡眠差","doctorEvaluation":"轻度焦虑","followUpPlan":"两周后复访","nextVisitPlan":"11月16日下午","crisisStatus":"低危","consultantName":"王老师","signatureImage":"http://127.0.0.1:8080/files/9f86d0…","attachImage":"","isThirdPartyEvaluation":false}"#;

/// The case-file routes.
pub fn routes() -> Vec<Route> {
    let create = |path: &'static str, summary: &'static str| {
        route(
            path,
            summary,
            include_str!("ops/interview_archive_create.graphql"),
            CREATE_PARAMS,
            archive_created,
            r#"{"id":12}"#,
            archive_vars,
        )
    };
    let import_report = concat!(
        include_str!("ops/interview_import.graphql"),
        include_str!("ops/import_report_fields.graphql")
    );
    let roster_report = concat!(
        include_str!("ops/roster_import.graphql"),
        include_str!("ops/import_report_fields.graphql")
    );
    vec![
        route(
            "/api/consultant/interview/records",
            "The caller's interview archives (student cases), newest first, filtered: {total, data}. Only the consultant's own",
            include_str!("ops/interview_archives.graphql"),
            LIST_PARAMS,
            archive_list,
            r#"{"total":1,"data":[{"id":"12","std_name":"张小明","std_grade":"高一","std_class":"3班","std_school":"杭州第一中学","interview_count":"2","interview_status":"跟进中","interview_type":"个体咨询","doctor_evaluation":"轻度焦虑","follow_up_plan":"两周后复访","create_time":"2026-11-02 14:00:00"}]}"#,
            archive_vars,
        ),
        create(
            "/api/consuntant/interview/records/create",
            "Open an interview archive on a student (path as documented). Answers its id in data",
        ),
        create(
            "/api/consultant/interview/records/create",
            "Open an interview archive (corrected spelling of /api/consuntant/interview/records/create)",
        ),
        route(
            "/api/consultant/interview/records/delete",
            "Delete one of the caller's archives and all its sessions, in one transaction. Answers how many sessions went with it",
            include_str!("ops/interview_archive_delete.graphql"),
            DELETE_PARAMS,
            archive_deleted,
            r#"{"sessions_deleted":3}"#,
            drop_auth,
        ),
        route(
            "/api/consultant/interview/records/profile",
            "Every session of one of the caller's archives, by count (each read is audited)",
            concat!(
                include_str!("ops/interview_sessions.graphql"),
                include_str!("ops/interview_session_fields.graphql")
            ),
            SESSIONS_PARAMS,
            session_list,
            SESSION_EXAMPLE,
            drop_auth,
        ),
        route(
            "/api/consultant/interview/records/profile/create",
            "Add a session to one of the caller's archives (multipart: signatureImage, attachImages). A 高 crisis alerts the organization's administrators. Answers the session",
            concat!(
                include_str!("ops/interview_session_create.graphql"),
                include_str!("ops/interview_session_fields.graphql")
            ),
            SESSION_CREATE_PARAMS,
            session_added,
            SESSION_ITEM_EXAMPLE,
            session_vars,
        ),
        route(
            "/api/consultant/interview/records/profile/update",
            "Update a session's notes; its basic fields (count, student, date, time, duration) cannot change. Answers the session",
            concat!(
                include_str!("ops/interview_session_update.graphql"),
                include_str!("ops/interview_session_fields.graphql")
            ),
            SESSION_UPDATE_PARAMS,
            session_updated,
            SESSION_ITEM_EXAMPLE,
            session_vars,
        ),
        route(
            "/api/consultant/interview/records/personal-profile",
            "The personal profile of the client of one of the caller's consultations, with the emergency contact (the read is audited)",
            include_str!("ops/client_profile.graphql"),
            PROFILE_PARAMS,
            client_profile,
            r#"{"name":"李华","id":"8","gender":"女","age":"21","education":"本科","occupation":"学生","maritalStatus":"未婚","contact":"13812345678","emergencyContact":{"name":"李强","relationship":"父亲","phone":"13900000000"},"referral":"朋友介绍","complaint":"考试焦虑","goal":"缓解焦虑"}"#,
            drop_auth,
        ),
        route(
            "/api/consultant/interview/upload/records",
            "Import interview sessions from a spreadsheet into the caller's archives (rows of one student go to one archive, opened when needed). Answers the per-row report; when nothing was imported, code 422 with the report",
            import_report,
            SESSION_IMPORT_PARAMS,
            report,
            IMPORT_EXAMPLE,
            drop_auth,
        ),
        route(
            "/api/consultant/schedule/upload",
            "Import the caller's duty roster from a spreadsheet: each date in the file gets exactly its slots. Answers the per-row report; when nothing was imported, code 422 with the report",
            roster_report,
            ROSTER_IMPORT_PARAMS,
            roster_report_of,
            IMPORT_EXAMPLE,
            drop_auth,
        ),
        route(
            "/api/consultant/interview/upload/template",
            "Upload template files (spreadsheets, Word documents, PDF); a file named like an existing one replaces it. Answers [{fileName, fileSize}]",
            include_str!("ops/templates_upload.graphql"),
            TEMPLATE_UPLOAD_PARAMS,
            uploaded_templates,
            r#"[{"fileName":"访谈记录模板.xlsx","fileSize":"8421"}]"#,
            drop_auth,
        ),
        route(
            "/api/consultant/interview/template/list",
            "The template files, by name (the built-in import layouts and uploaded files): [{fileName, fileSize}]",
            include_str!("ops/templates.graphql"),
            AUTH_PARAMS,
            template_list,
            r#"[{"fileName":"duty_roster_template.xlsx","fileSize":"5932"},{"fileName":"interview_records_template.xlsx","fileSize":"6712"}]"#,
            drop_auth,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Answers

fn number_text(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        other => text(other),
    }
}

/// A documented integer, 0 when missing.
fn integer(value: &Value) -> Value {
    Value::from(value.as_i64().unwrap_or(0))
}

fn archive_list(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/interviewArchives")?;
    let list: Vec<Value> = conn["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|a| {
                    json!({
                        "id": number_text(&a["legacyId"]),
                        "std_name": text(&a["studentName"]),
                        "std_grade": text(&a["grade"]),
                        "std_class": text(&a["className"]),
                        "std_school": text(&a["school"]),
                        "interview_count": number_text(&a["interviewCount"]),
                        "interview_status": text(&a["state"]),
                        "interview_type": text(&a["kind"]),
                        "doctor_evaluation": text(&a["evaluation"]),
                        "follow_up_plan": text(&a["followUpPlan"]),
                        "create_time": text(&a["createdAtLocal"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(crate::rest::object([
        ("total", integer(&conn["totalCount"])),
        ("data", Value::Array(list)),
    ]))
}

fn archive_created(data: Value) -> AppResult<Value> {
    Ok(json!({"id": integer(pick(&data, "/createInterviewArchive/legacyId")?)}))
}

fn archive_deleted(data: Value) -> AppResult<Value> {
    Ok(
        json!({"sessions_deleted": integer(pick(&data, "/deleteInterviewArchive/sessionsDeleted")?)}),
    )
}

fn crisis_label(value: &Value) -> &'static str {
    value
        .as_str()
        .and_then(CrisisLevel::parse)
        .unwrap_or(CrisisLevel::None)
        .label()
}

fn session_of(s: &Value) -> Value {
    let attachments: Vec<&str> = s["attachments"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["url"].as_str()).collect())
        .unwrap_or_default();
    json!({
        "id": integer(&s["legacyId"]),
        "count": number_text(&s["count"]),
        "name": text(&s["studentName"]),
        "gender": gender_label(&s["gender"]),
        "studentId": text(&s["studentNumber"]),
        "school": text(&s["school"]),
        "grade": text(&s["grade"]),
        "class": text(&s["className"]),
        "date": text(&s["date"]),
        "time": text(&s["time"]),
        "duration": s["durationMinutes"].as_i64().map_or_else(String::new, duration_label),
        "visitStatus": text(&s["visitState"]),
        "description": text(&s["description"]),
        "doctorEvaluation": text(&s["evaluation"]),
        "followUpPlan": text(&s["followUpPlan"]),
        "nextVisitPlan": text(&s["nextVisitPlan"]),
        "crisisStatus": crisis_label(&s["crisis"]),
        "consultantName": text(&s["consultantName"]),
        "signatureImage": text(&s["signature"]["url"]),
        "attachImage": attachments.join(","),
        "isThirdPartyEvaluation": s["thirdPartyEvaluation"].as_bool().unwrap_or(false),
    })
}

fn session_list(data: Value) -> AppResult<Value> {
    let archive = pick(&data, "/interviewArchive")?;
    if archive.is_null() {
        return Err(AppError::NotFound("no such interview archive".into()));
    }
    Ok(Value::Array(
        archive["sessions"]["nodes"]
            .as_array()
            .map(|nodes| nodes.iter().map(session_of).collect())
            .unwrap_or_default(),
    ))
}

fn session_added(data: Value) -> AppResult<Value> {
    Ok(session_of(pick(&data, "/addInterviewSession")?))
}

fn session_updated(data: Value) -> AppResult<Value> {
    Ok(session_of(pick(&data, "/updateInterviewSession")?))
}

fn client_profile(data: Value) -> AppResult<Value> {
    let profile = data
        .pointer("/consultation/clientProfile")
        .cloned()
        .unwrap_or(Value::Null);
    if profile.is_null() {
        return Err(AppError::NotFound(
            "no client profile for this consultation".into(),
        ));
    }
    let contact = &profile["emergencyContact"];
    Ok(json!({
        "name": text(&profile["name"]),
        "id": number_text(&profile["legacyId"]),
        "gender": gender_label(&profile["gender"]),
        "age": number_text(&profile["age"]),
        "education": text(&profile["education"]),
        "occupation": text(&profile["occupation"]),
        "maritalStatus": text(&profile["maritalStatus"]),
        "contact": text(&profile["contact"]),
        "emergencyContact": {
            "name": text(&contact["name"]),
            "relationship": text(&contact["relationship"]),
            "phone": text(&contact["phone"]),
        },
        "referral": text(&profile["referral"]),
        "complaint": text(&profile["complaint"]),
        "goal": text(&profile["goal"]),
    }))
}

fn report_of(report: Value) -> Value {
    let rows: Vec<Value> = report["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    json!({
                        "row": r["row"],
                        "ok": r["ok"],
                        "imported": r["imported"],
                        "created_id": r["createdId"],
                        "field": r["field"],
                        "error": r["error"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "total": integer(&report["total"]),
        "imported": integer(&report["imported"]),
        "failed": integer(&report["failed"]),
        "rows": rows,
    })
}

/// The report of an import; when nothing was imported it is a refusal (code 422, the report
/// as data), not a success.
fn import_answer(report: Value) -> Value {
    let answer = report_of(report);
    let imported = answer["imported"].as_i64().unwrap_or(0);
    if imported == 0 {
        let failed = answer["failed"].as_i64().unwrap_or(0);
        let message = if failed > 0 {
            format!("nothing was imported: {failed} row(s) have errors (see data.rows)")
        } else {
            "nothing was imported".to_owned()
        };
        return crate::rest::dialect::failure(
            http::StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION",
            message,
            answer,
        );
    }
    answer
}

fn report(data: Value) -> AppResult<Value> {
    Ok(import_answer(
        pick(&data, "/importInterviewSessions")?.clone(),
    ))
}

fn roster_report_of(data: Value) -> AppResult<Value> {
    Ok(import_answer(pick(&data, "/importDutyRoster")?.clone()))
}

fn template_entries(list: &Value) -> Value {
    Value::Array(
        list.as_array()
            .map(|l| {
                l.iter()
                    .map(|t| json!({"fileName": text(&t["name"]), "fileSize": number_text(&t["size"])}))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

fn uploaded_templates(data: Value) -> AppResult<Value> {
    Ok(template_entries(pick(&data, "/uploadCounselingTemplates")?))
}

fn template_list(data: Value) -> AppResult<Value> {
    Ok(template_entries(pick(&data, "/counselingTemplates")?))
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// Archive filters and fields: empty strings are "not given", the count is a number.
fn archive_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    if vars.contains_key("page") || vars.contains_key("pageSize") {
        paged_as(vars, "page_size")?;
    } else {
        drop_auth(vars)?;
    }
    for name in [
        "studentName",
        "grade",
        "className",
        "school",
        "state",
        "kind",
        "evaluation",
        "followUpPlan",
    ] {
        match take_text(vars, name) {
            Some(v) => {
                vars.insert(name.into(), Value::String(v));
            }
            None => {
                vars.remove(name);
            }
        }
    }
    if let Some(count) = take_text(vars, "interviewCount") {
        let count: i64 = count.parse().map_err(|_| {
            AppError::bad_field("interview_count", "interview_count is a whole number")
        })?;
        vars.insert("interviewCount".into(), Value::from(count));
    }
    Ok(())
}

/// Session fields: legacy labels become the schema's values.
fn session_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    drop_auth(vars)?;
    for name in [
        "studentName",
        "studentNumber",
        "school",
        "grade",
        "className",
        "visitState",
        "description",
        "evaluation",
        "followUpPlan",
        "nextVisitPlan",
        "consultantName",
    ] {
        if let Some(Value::String(s)) = vars.get(name)
            && s.trim().is_empty()
        {
            vars.remove(name);
        }
    }
    if let Some(gender) = take_text(vars, "gender") {
        let code = parse_gender(&gender)
            .ok_or_else(|| AppError::bad_field("gender", "gender is 男 or 女"))?;
        vars.insert(
            "gender".into(),
            Value::from(match code {
                1 => "MALE",
                2 => "FEMALE",
                _ => "UNDISCLOSED",
            }),
        );
    }
    if let Some(day) = take_text(vars, "date") {
        vars.insert("date".into(), Value::String(date(&day, "date")?));
    }
    if let Some(time) = take_text(vars, "time") {
        vars.insert("time".into(), Value::String(parse_clock(&time)?));
    }
    if let Some(duration) = take_text(vars, "durationMinutes") {
        vars.insert(
            "durationMinutes".into(),
            Value::from(parse_duration(&duration)?),
        );
    }
    if let Some(crisis) = take_text(vars, "crisis") {
        let level = CrisisLevel::parse(&crisis).ok_or_else(|| {
            AppError::bad_field("crisisStatus", "crisisStatus is 无, 低危, 中危 or 高危")
        })?;
        vars.insert(
            "crisis".into(),
            Value::from(level.as_str().to_ascii_uppercase()),
        );
    }
    if let Some(third) = take_text(vars, "thirdPartyEvaluation") {
        let value = parse_third_party(&third).ok_or_else(|| {
            AppError::bad_field(
                "isThirdPartyEvaluation",
                "isThirdPartyEvaluation is true or false (是 or 否)",
            )
        })?;
        vars.insert("thirdPartyEvaluation".into(), Value::Bool(value));
    }
    if let Some(files) = vars.remove("attachmentFiles") {
        let list: Vec<String> = match files {
            Value::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Value::String(s) if s.trim_start().starts_with('[') => {
                serde_json::from_str::<Vec<String>>(&s).map_err(|_| {
                    AppError::bad_field("attachImages", "attachImages is a list of addresses")
                })?
            }
            Value::String(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => {
                return Err(AppError::bad_field(
                    "attachImages",
                    "attachImages is a list of addresses",
                ));
            }
        };
        vars.insert("attachmentFiles".into(), json!(list));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_session_fields_become_schema_values() {
        let mut vars = Map::new();
        vars.insert("gender".into(), json!("女"));
        vars.insert("date".into(), json!("2026-11-02"));
        vars.insert("time".into(), json!("14:30"));
        vars.insert("durationMinutes".into(), json!("50分钟"));
        vars.insert("crisis".into(), json!("高"));
        vars.insert("thirdPartyEvaluation".into(), json!("是"));
        vars.insert("attachmentFiles".into(), json!("a1, b2"));
        vars.insert("description".into(), json!(" "));
        session_vars(&mut vars).expect("valid");
        assert_eq!(vars["gender"], "FEMALE");
        assert_eq!(vars["durationMinutes"], 50);
        assert_eq!(vars["crisis"], "HIGH");
        assert_eq!(vars["thirdPartyEvaluation"], true);
        assert_eq!(vars["attachmentFiles"], json!(["a1", "b2"]));
        assert!(!vars.contains_key("description"));
        vars.insert("crisis".into(), json!("很高"));
        assert!(session_vars(&mut vars).is_err());
    }

    #[test]
    fn sessions_answer_the_clients_words() {
        let session = session_of(&json!({
            "legacyId": 3, "count": 1, "gender": "MALE", "date": "2026-11-02", "time": "14:30",
            "durationMinutes": 50, "crisis": "HIGH", "thirdPartyEvaluation": true,
            "attachments": [], "signature": null, "studentNumber": null,
        }));
        assert_eq!(session["duration"], "50分钟");
        assert_eq!(session["crisisStatus"], "高危");
        assert_eq!(session["signatureImage"], "");
        assert_eq!(session["visitStatus"], "");
    }

    #[test]
    fn an_import_that_imported_nothing_is_refused_with_its_report() {
        let refused = import_answer(json!({"total": 1, "imported": 0, "failed": 1, "rows": [
            {"row": 2, "ok": false, "imported": false, "createdId": null, "field": "date", "error": "bad"}
        ]}));
        assert_eq!(refused[crate::rest::dialect::FAILURE]["code"], 422);
        assert_eq!(refused["rows"][0]["field"], "date");
        let partial = import_answer(json!({"total": 2, "imported": 1, "failed": 1, "rows": []}));
        assert!(partial.get(crate::rest::dialect::FAILURE).is_none());
    }

    #[test]
    fn examples_are_json() {
        for route in routes() {
            if let Some(example) = route.example {
                assert!(
                    serde_json::from_str::<Value>(example).is_ok(),
                    "{}",
                    route.path
                );
            }
        }
    }
}
