//! Counselling case files: interview archives and sessions, client profiles, the spreadsheet
//! imports, template files, the audit log of reads and crisis alerts, through the counselling
//! dialect (`userID` + `token` in the body) and GraphQL.

use std::time::Duration;

use futures::StreamExt;
use medgraph::auth::{Auth, Role, Viewer};
use serde_json::{Value, json};

use crate::care_graphql::{listen, next};
use crate::common::{self, PNG_1X1, TestApp, first_code};
use crate::counseling_consultations::{consultant, fails, ok, post};

/// A multipart request of text fields and file parts `(field, file name, content type, bytes)`.
async fn multipart(
    app: &TestApp,
    path: &str,
    fields: &[(String, String)],
    files: &[(&str, &str, &str, &[u8])],
) -> Value {
    let (status, value) = app.post_multipart(path, fields, files).await;
    assert_eq!(status, http::StatusCode::OK, "{value}");
    value
}

fn with(base: &[(String, String)], more: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all = base.to_vec();
    all.extend(more.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    all
}

async fn audit_count(app: &TestApp, subject_type: &str) -> i64 {
    app.count_rows_where("audit_log", &format!("subject_type = '{subject_type}'"))
        .await
}

fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet
                .write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), *value)
                .unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// The report of an import that imported nothing: code 422 with the per-row report as data,
/// never `code 0, "success"`.
fn refused(body: &Value) -> Value {
    assert_eq!(body["code"], 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing was imported")),
        "{body}"
    );
    assert_eq!(body["data"]["imported"], 0, "{body}");
    body["data"].clone()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test]
async fn archives_and_sessions_are_the_consultants_own() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811120001").await;
    let other = consultant(&app, "lisi", "13811120002").await;

    // Bad input is refused and creates nothing.
    let missing = post(
        &app,
        "/api/consuntant/interview/records/create",
        me.auth(json!({"std_name": "", "std_school": "一中"})),
    )
    .await;
    fails(&missing, 422);
    let bad_count = post(
        &app,
        "/api/consuntant/interview/records/create",
        me.auth(json!({"std_name": "张三", "std_school": "一中", "interview_count": "many"})),
    )
    .await;
    fails(&bad_count, 422);
    assert_eq!(app.count_rows("interview_archives").await, 0);
    // The wrong token pair: 401.
    let stranger = post(
        &app,
        "/api/consuntant/interview/records/create",
        json!({"userID": other.id, "token": me.token, "std_name": "张三", "std_school": "一中"}),
    )
    .await;
    fails(&stranger, 401);

    // The documented typo path and its corrected spelling both create.
    let first = ok(&post(
        &app,
        "/api/consuntant/interview/records/create",
        me.auth(json!({
            "std_name": "张小明", "std_grade": "高一", "std_class": "3班", "std_school": "杭州第一中学",
            "interview_count": "0", "interview_status": "跟进中", "interview_type": "个体咨询",
            "doctor_evaluation": "轻度焦虑", "follow_up_plan": "两周后复访",
        })),
    )
    .await);
    let archive = first["id"].as_i64().unwrap();
    ok(&post(
        &app,
        "/api/consultant/interview/records/create",
        me.auth(json!({"std_name": "李小红", "std_school": "杭州第二中学", "interview_status": "已结案"})),
    )
    .await);
    ok(&post(
        &app,
        "/api/consultant/interview/records/create",
        other.auth(json!({"std_name": "张小明", "std_school": "杭州第一中学"})),
    )
    .await);

    // Lists: the consultant's own only, filtered, paged.
    let all = ok(&post(
        &app,
        "/api/consultant/interview/records",
        me.auth(json!({"page": 1, "page_size": "10", "std_name": ""})),
    )
    .await);
    assert_eq!(all["total"], 2, "{all}");
    let found = ok(&post(
        &app,
        "/api/consultant/interview/records",
        me.auth(
            json!({"page": 1, "page_size": "10", "std_name": "小明", "interview_status": "跟进中"}),
        ),
    )
    .await);
    assert_eq!(found["total"], 1);
    let row = &found["data"][0];
    assert_eq!(row["id"], archive.to_string());
    assert_eq!(row["std_class"], "3班");
    assert_eq!(row["interview_count"], "0");
    assert_eq!(row["doctor_evaluation"], "轻度焦虑");
    assert_eq!(row["create_time"].as_str().unwrap().len(), 19);

    // A session with a signature and two attachments (multipart), the archive's count rises.
    let base = me.fields();
    let bad = multipart(
        &app,
        "/api/consultant/interview/records/profile/create",
        &with(
            &base,
            &[
                ("id", &archive.to_string()),
                ("time", "14:30"),
                ("duration", "50"),
            ],
        ),
        &[],
    )
    .await;
    fails(&bad, 422);
    assert!(bad["message"].as_str().unwrap().contains("date"), "{bad}");
    let not_image = multipart(
        &app,
        "/api/consultant/interview/records/profile/create",
        &with(
            &base,
            &[
                ("id", &archive.to_string()),
                ("date", "2026-11-02"),
                ("time", "14:30"),
                ("duration", "50"),
            ],
        ),
        &[(
            "signatureImage",
            "s.txt",
            "text/plain",
            b"not an image at all",
        )],
    )
    .await;
    fails(&not_image, 422);
    assert_eq!(app.count_rows("interview_sessions").await, 0);

    let created = ok(&multipart(
        &app,
        "/api/consultant/interview/records/profile/create",
        &with(
            &base,
            &[
                ("id", &archive.to_string()),
                ("gender", "男"),
                ("studentId", "G3301002010"),
                ("date", "2026-11-02"),
                ("time", "14:30"),
                ("duration", "50分钟"),
                ("visitStatus", "已完成"),
                ("description", "情绪低落，睡眠差"),
                ("doctorEvaluation", "轻度焦虑"),
                ("crisisStatus", "低"),
                ("consultantName", "王老师"),
                ("isThirdPartyEvaluation", "否"),
            ],
        ),
        &[
            ("signatureImage", "sign.png", "image/png", PNG_1X1),
            ("attachImages", "a.png", "image/png", PNG_1X1),
            ("attachImages", "b.png", "image/png", PNG_1X1),
        ],
    )
    .await);
    assert_eq!(created["count"], "1");
    assert_eq!(
        created["name"], "张小明",
        "the archive's student by default"
    );
    assert_eq!(created["class"], "3班");
    // Answered in the clients' words: minutes as `50分钟`, 低 as 低危.
    assert_eq!(created["duration"], "50分钟");
    assert_eq!(created["crisisStatus"], "低危");
    assert!(
        created["signatureImage"]
            .as_str()
            .unwrap()
            .contains("/files/")
    );
    assert_eq!(
        created["attachImage"].as_str().unwrap().split(',').count(),
        2
    );
    let session = created["id"].as_i64().unwrap();
    // A second one, by addresses of files uploaded before.
    let signature = created["signatureImage"].as_str().unwrap().to_owned();
    let second = ok(&post(
        &app,
        "/api/consultant/interview/records/profile/create",
        me.auth(json!({
            "id": archive, "date": "2026-11-16", "time": "15:00", "duration": "45",
            "signatureImage": signature, "attachImages": [signature],
        })),
    )
    .await);
    assert_eq!(second["count"], "2");
    assert_eq!(second["crisisStatus"], "无");
    // A count already taken: conflict.
    let taken = post(
        &app,
        "/api/consultant/interview/records/profile/create",
        me.auth(json!({"id": archive, "count": 2, "date": "2026-11-20", "time": "15:00", "duration": "45"})),
    )
    .await;
    fails(&taken, 409);

    // Updating keeps the basic fields and the notes not sent.
    let updated = ok(&post(
        &app,
        "/api/consultant/interview/records/profile/update",
        me.auth(json!({
            "id": session, "visitStatus": "复访", "date": "1999-01-01", "name": "改名", "crisisStatus": "中",
        })),
    )
    .await);
    assert_eq!(updated["visitStatus"], "复访");
    assert_eq!(updated["crisisStatus"], "中危");
    assert_eq!(updated["description"], "情绪低落，睡眠差");
    assert_eq!(updated["date"], "2026-11-02");
    assert_eq!(updated["name"], "张小明");
    assert!(!updated["signatureImage"].as_str().unwrap().is_empty());

    let before = audit_count(&app, "InterviewSession").await;
    let sessions = ok(&post(
        &app,
        "/api/consultant/interview/records/profile",
        me.auth(json!({"id": archive})),
    )
    .await);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["count"], "1");
    assert_eq!(sessions[0]["studentId"], "G3301002010");
    assert_eq!(sessions[0]["isThirdPartyEvaluation"], false);
    assert_eq!(sessions[1]["count"], "2");
    // Each session handed out is in the audit log.
    assert_eq!(audit_count(&app, "InterviewSession").await, before + 2);

    let listed = ok(&post(
        &app,
        "/api/consultant/interview/records",
        me.auth(json!({"page": 1, "page_size": "10", "std_name": "小明"})),
    )
    .await);
    assert_eq!(listed["data"][0]["interview_count"], "2");

    // Another consultant reaches none of it, through any route.
    let before = audit_count(&app, "InterviewSession").await;
    fails(
        &post(
            &app,
            "/api/consultant/interview/records/profile",
            other.auth(json!({"id": archive})),
        )
        .await,
        404,
    );
    fails(
        &post(
            &app,
            "/api/consultant/interview/records/profile/update",
            other.auth(json!({"id": session, "visitStatus": "x"})),
        )
        .await,
        404,
    );
    fails(
        &post(
            &app,
            "/api/consultant/interview/records/profile/create",
            other.auth(
                json!({"id": archive, "date": "2026-11-20", "time": "15:00", "duration": "45"}),
            ),
        )
        .await,
        404,
    );
    fails(
        &post(
            &app,
            "/api/consultant/interview/records/delete",
            other.auth(json!({"id": archive.to_string()})),
        )
        .await,
        404,
    );
    let theirs = ok(&post(
        &app,
        "/api/consultant/interview/records",
        other.auth(json!({"page": 1, "page_size": "10"})),
    )
    .await);
    assert_eq!(theirs["total"], 1);
    assert_eq!(audit_count(&app, "InterviewSession").await, before);

    // Nor does an administrator: case files are the consultant's alone.
    let (_, admin) = app.admin().await;
    let archive_id = medgraph::graphql::node::global_id("InterviewArchive", archive);
    let session_id = medgraph::graphql::node::global_id("InterviewSession", session);
    let seen = app
        .graphql(
            "query($a: ID!, $s: ID!) { interviewArchive(id: $a) { legacyId } node(id: $s) { id } interviewSession(id: $s) { legacyId } }",
            json!({"a": archive_id.0, "s": session_id.0}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        seen["data"],
        json!({"interviewArchive": null, "node": null, "interviewSession": null}),
        "{seen}"
    );
    let listing = app
        .graphql(
            "{ interviewArchives { totalCount } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(first_code(&listing), "FORBIDDEN");

    // Deleting the archive deletes its sessions with it.
    let deleted = ok(&post(
        &app,
        "/api/consultant/interview/records/delete",
        me.auth(json!({"id": archive.to_string()})),
    )
    .await);
    assert_eq!(deleted["sessions_deleted"], 2);
    assert_eq!(app.count_rows("interview_sessions").await, 0);
    assert_eq!(app.count_rows("interview_archives").await, 2);
}

#[tokio::test]
async fn client_profiles_follow_consultations_and_are_audited() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811120011").await;
    let other = consultant(&app, "lisi", "13811120012").await;
    let day = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
    let walk_in = json!({
        "name": "李华", "age": "21", "gender": "女", "type": "线下咨询", "date": day,
        "time": "09:00-10:00", "contact": "13812345678", "key_word": ["考试焦虑"],
    });
    let order = ok(&post(
        &app,
        "/api/consultant/orders/create",
        me.auth(walk_in.clone()),
    )
    .await)["id"]
        .as_i64()
        .unwrap();
    // The same client again: the same profile.
    let again = ok(&post(&app, "/api/consultant/orders/create", me.auth(walk_in)).await)["id"]
        .as_i64()
        .unwrap();
    assert_eq!(app.count_rows("client_profiles").await, 1);

    let profile = ok(&post(
        &app,
        "/api/consultant/interview/records/personal-profile",
        me.auth(json!({"id": order.to_string()})),
    )
    .await);
    assert_eq!(profile["name"], "李华");
    assert_eq!(profile["gender"], "女");
    assert_eq!(profile["age"], "21");
    assert_eq!(profile["contact"], "13812345678");
    assert_eq!(profile["emergencyContact"]["phone"], "");
    assert_eq!(audit_count(&app, "ClientProfile").await, 1);

    // GraphQL completes the profile; the dialect shows it.
    let id = medgraph::graphql::node::global_id("ClientProfile", profile["id"].as_str().unwrap());
    let bad = app
        .graphql(
            "mutation($id: ID!) { updateClientProfile(id: $id, input: {age: 300}) { age } }",
            json!({"id": id.0}),
            Some(&me.token),
        )
        .await;
    assert_eq!(first_code(&bad), "BAD_USER_INPUT");
    let updated = app
        .graphql(
            r#"mutation($id: ID!) { updateClientProfile(id: $id, input: {education: "本科", emergencyName: "李强", emergencyRelationship: "父亲", emergencyPhone: "13900000000", goal: "缓解焦虑"}) { education emergencyContact { name phone } } }"#,
            json!({"id": id.0}),
            Some(&me.token),
        )
        .await;
    assert_eq!(
        updated["data"]["updateClientProfile"]["emergencyContact"]["name"], "李强",
        "{updated}"
    );
    let profile = ok(&post(
        &app,
        "/api/consultant/interview/records/personal-profile",
        me.auth(json!({"id": again})),
    )
    .await);
    assert_eq!(profile["education"], "本科");
    assert_eq!(profile["emergencyContact"]["relationship"], "父亲");
    assert_eq!(profile["goal"], "缓解焦虑");
    assert_eq!(profile["age"], "21", "unchanged fields stay");

    // Another consultant: 404, nothing read, nothing audited.
    let before = audit_count(&app, "ClientProfile").await;
    fails(
        &post(
            &app,
            "/api/consultant/interview/records/personal-profile",
            other.auth(json!({"id": order})),
        )
        .await,
        404,
    );
    let theirs = app
        .graphql(
            "query($id: ID!) { clientProfile(id: $id) { name } clientProfiles { totalCount } }",
            json!({"id": id.0}),
            Some(&other.token),
        )
        .await;
    assert_eq!(theirs["data"]["clientProfile"], Value::Null, "{theirs}");
    assert_eq!(theirs["data"]["clientProfiles"]["totalCount"], 0);
    assert_eq!(audit_count(&app, "ClientProfile").await, before);
    let stolen = app
        .graphql(
            "mutation($id: ID!) { updateClientProfile(id: $id, input: {goal: \"x\"}) { goal } }",
            json!({"id": id.0}),
            Some(&other.token),
        )
        .await;
    assert_eq!(first_code(&stolen), "NOT_FOUND");
}

#[tokio::test]
async fn interview_sessions_import_from_spreadsheets() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811120021").await;
    let header = vec![
        "学生姓名",
        "性别",
        "学校",
        "年级",
        "班级",
        "访谈日期",
        "访谈时间",
        "访谈时长",
        "客观描述",
        "危机状态",
    ];
    let good = vec![
        header.clone(),
        vec![
            "张三",
            "男",
            "一中",
            "高一",
            "1班",
            "2026-10-01",
            "14:00",
            "50",
            "第一次",
            "无",
        ],
        vec![
            "张三",
            "男",
            "一中",
            "高一",
            "1班",
            "2026-10-08",
            "14:00",
            "45分钟",
            "第二次",
            "低",
        ],
        vec![
            "李四",
            "女",
            "二中",
            "高二",
            "2班",
            "2026/10/09",
            "09:30",
            "30",
            "",
            "",
        ],
    ];
    let mut bad = good.clone();
    bad.push(vec![
        "王五",
        "男",
        "三中",
        "高三",
        "3班",
        "10月9日",
        "09:30",
        "30",
        "",
        "",
    ]);
    bad.push(vec![
        "赵六",
        "男",
        "三中",
        "高三",
        "3班",
        "2026-10-09",
        "09:30",
        "30",
        "",
        "很高",
    ]);

    // A bad row: nothing imported, each bad row named; a refusal, not a success.
    let report = refused(
        &multipart(
            &app,
            "/api/consultant/interview/upload/records",
            &me.fields(),
            &[("files", "records.xlsx", XLSX, &xlsx(&bad))],
        )
        .await,
    );
    assert_eq!(report["total"], 5);
    assert_eq!(report["imported"], 0);
    assert_eq!(report["failed"], 2);
    assert_eq!(report["rows"][3]["row"], 5);
    assert_eq!(report["rows"][3]["field"], "date");
    assert_eq!(report["rows"][4]["field"], "crisis_status");
    assert_eq!(app.count_rows("interview_sessions").await, 0);
    assert_eq!(app.count_rows("interview_archives").await, 0);

    // Asked to skip them: the good rows, two students, two archives.
    let report = ok(&multipart(
        &app,
        "/api/consultant/interview/upload/records",
        &with(&me.fields(), &[("skip_invalid", "true")]),
        &[("files", "records.xlsx", XLSX, &xlsx(&bad))],
    )
    .await);
    assert_eq!(report["imported"], 3, "{report}");
    assert_eq!(app.count_rows("interview_sessions").await, 3);
    assert_eq!(app.count_rows("interview_archives").await, 2);
    let archives = app
        .graphql(
            "{ interviewArchives(studentName: \"张三\") { nodes { interviewCount sessions { totalCount nodes { count durationMinutes crisis } } } } }",
            json!({}),
            Some(&me.token),
        )
        .await;
    let archive = &archives["data"]["interviewArchives"]["nodes"][0];
    assert_eq!(archive["interviewCount"], 2, "{archives}");
    assert_eq!(archive["sessions"]["nodes"][1]["durationMinutes"], 45);
    assert_eq!(archive["sessions"]["nodes"][1]["crisis"], "LOW");

    // The same file again: rows that give no count become the next sessions of the archives.
    let csv = "学生姓名,学校,年级,班级,访谈次数,访谈日期,访谈时间,访谈时长\n张三,一中,高一,1班,1,2026-10-20,14:00,50\n";
    let report = refused(
        &multipart(
            &app,
            "/api/consultant/interview/upload/records",
            &me.fields(),
            &[("files", "more.csv", "text/csv", csv.as_bytes())],
        )
        .await,
    );
    assert_eq!(report["imported"], 0, "count 1 is taken: {report}");
    assert!(
        report["rows"][0]["error"]
            .as_str()
            .unwrap()
            .contains("session number 1"),
        "{report}"
    );
    assert_eq!(app.count_rows("interview_sessions").await, 3);

    // Not a spreadsheet, or without the needed columns: an error, nothing written.
    let garbage = multipart(
        &app,
        "/api/consultant/interview/upload/records",
        &me.fields(),
        &[("files", "x.xlsx", XLSX, b"PK\x03\x04 not really a zip")],
    )
    .await;
    fails(&garbage, 422);
    let headerless = multipart(
        &app,
        "/api/consultant/interview/upload/records",
        &me.fields(),
        &[(
            "files",
            "x.xlsx",
            XLSX,
            &xlsx(&[vec!["foo", "bar"], vec!["1", "2"]]),
        )],
    )
    .await;
    fails(&headerless, 422);
    assert!(headerless["message"].as_str().unwrap().contains("学生姓名"));
}

#[tokio::test]
async fn duty_rosters_import_from_xls_and_xlsx() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811120031").await;
    let xls = std::fs::read("tests/fixtures/counseling_roster.xls").unwrap();
    // The .xls fixture has a reversed slot on 2031-03-04.
    let report = refused(
        &multipart(
            &app,
            "/api/consultant/schedule/upload",
            &[
                ("user_id".into(), me.id.to_string()),
                ("token".into(), me.token.clone()),
            ],
            &[("files", "roster.xls", "application/vnd.ms-excel", &xls)],
        )
        .await,
    );
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(report["imported"], 0);
    assert_eq!(report["rows"][2]["field"], "time_slots");
    assert_eq!(app.count_rows("duty_slots").await, 0);

    let report = ok(&multipart(
        &app,
        "/api/consultant/schedule/upload",
        &with(&me.fields(), &[("skip_invalid", "1")]),
        &[("files", "roster.xls", "application/vnd.ms-excel", &xls)],
    )
    .await);
    assert_eq!(report["imported"], 2, "{report}");
    // A date cell and a text date of the same day merge: three slots that day.
    let roster = app
        .graphql(
            "{ dutyRoster(year: 2031, month: 3) { date slots { timeSlot } } }",
            json!({}),
            Some(&me.token),
        )
        .await;
    let days = roster["data"]["dutyRoster"].as_array().unwrap();
    assert_eq!(days.len(), 1, "{roster}");
    assert_eq!(days[0]["date"], "2031-03-03");
    assert_eq!(days[0]["slots"].as_array().unwrap().len(), 3);

    // Overlapping slots of one date across rows are refused.
    let overlapping = xlsx(&[
        vec!["日期", "时间段"],
        vec!["2031-03-05", "09:00-10:00"],
        vec!["2031-03-05", "09:30-10:30"],
    ]);
    let report = refused(
        &multipart(
            &app,
            "/api/consultant/schedule/upload",
            &me.fields(),
            &[("files", "roster.xlsx", XLSX, &overlapping)],
        )
        .await,
    );
    assert_eq!(report["failed"], 2, "{report}");
    assert!(
        report["rows"][0]["error"]
            .as_str()
            .unwrap()
            .contains("overlap")
    );
    // A replacement of a date already on the roster.
    let replacing = xlsx(&[
        vec!["date", "time_slots"],
        vec!["2031-03-03", "08:00-09:00"],
    ]);
    let report = ok(&multipart(
        &app,
        "/api/consultant/schedule/upload",
        &me.fields(),
        &[("files", "roster.xlsx", XLSX, &replacing)],
    )
    .await);
    assert_eq!(report["imported"], 1);
    assert_eq!(app.count_rows("duty_slots").await, 1);
}

#[tokio::test]
async fn template_files_upload_list_and_download() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811120041").await;
    let listed = ok(&post(
        &app,
        "/api/consultant/interview/template/list",
        me.auth(json!({})),
    )
    .await);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["fileName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "duty_roster_template.xlsx",
            "interview_records_template.xlsx"
        ]
    );
    assert!(
        listed[0]["fileSize"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1000
    );

    // The built-in template is the layout the import reads.
    let download = |names: Value| {
        let body = me.auth(json!({"fileNames": names}));
        http::Request::builder()
            .method("POST")
            .uri("/api/consultant/interview/download")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap()
    };
    let (status, headers, bytes) = app
        .send(download(json!(["interview_records_template.xlsx"])))
        .await;
    assert_eq!(status, http::StatusCode::OK);
    assert_eq!(headers["content-type"], XLSX);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("interview_records_template.xlsx")
    );
    let report = ok(&multipart(
        &app,
        "/api/consultant/interview/upload/records",
        &me.fields(),
        &[("files", "t.xlsx", XLSX, &bytes)],
    )
    .await);
    assert_eq!(report["imported"], 1, "the example row imports: {report}");

    // Uploads: two files in one request; a same-named upload replaces the file.
    let sheet = xlsx(&[vec!["访谈记录"], vec!["模板"]]);
    let uploaded = ok(&multipart(
        &app,
        "/api/consultant/interview/upload/template",
        &me.fields(),
        &[
            ("files", "访谈记录模板.xlsx", XLSX, &sheet),
            ("files", "duty_roster_template.xlsx", XLSX, &sheet),
        ],
    )
    .await);
    assert_eq!(uploaded.as_array().unwrap().len(), 2, "{uploaded}");
    assert_eq!(uploaded[0]["fileName"], "访谈记录模板.xlsx");
    let listed = ok(&post(
        &app,
        "/api/consultant/interview/template/list",
        me.auth(json!({})),
    )
    .await);
    assert_eq!(listed.as_array().unwrap().len(), 3);
    // Not a document: refused, nothing stored.
    let refused = multipart(
        &app,
        "/api/consultant/interview/upload/template",
        &me.fields(),
        &[
            ("files", "ok.xlsx", XLSX, &sheet),
            ("files", "photo.png", "image/png", PNG_1X1),
        ],
    )
    .await;
    fails(&refused, 422);
    let listed = ok(&post(
        &app,
        "/api/consultant/interview/template/list",
        me.auth(json!({})),
    )
    .await);
    assert_eq!(listed.as_array().unwrap().len(), 3);

    // Several names: one zip holding each file.
    let (status, headers, bytes) = app
        .send(download(json!([
            "访谈记录模板.xlsx",
            "interview_records_template.xlsx"
        ])))
        .await;
    assert_eq!(status, http::StatusCode::OK);
    assert_eq!(headers["content-type"], "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(zip.len(), 2);
    assert_eq!(
        zip.by_index(0).unwrap().name().unwrap(),
        "访谈记录模板.xlsx"
    );

    // Unknown names and missing lists answer in the envelope.
    let (status, _, bytes) = app.send(download(json!(["nope.xlsx"]))).await;
    assert_eq!(status, http::StatusCode::OK);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    fails(&body, 404);
    assert!(body["message"].as_str().unwrap().contains("nope.xlsx"));
    let (_, _, bytes) = app.send(download(Value::Null)).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    fails(&body, 422);

    // Only consultants and administrators.
    let (_, patient) = app
        .account("patient", "13811120049", "patient-pass-1", &[Role::Patient])
        .await;
    let templates = app
        .graphql(
            "{ counselingTemplates { name } }",
            json!({}),
            Some(&patient),
        )
        .await;
    assert_eq!(first_code(&templates), "FORBIDDEN");
}

#[tokio::test]
async fn high_crises_alert_the_organizations_administrators() {
    let app = common::app().await;
    let (platform_admin, admin_token) = app.admin().await;
    let ours_org = app.organization(&admin_token, "阳光心理中心").await;
    let theirs_org = app.organization(&admin_token, "别的中心").await;
    // Organizations are joined: approved memberships, one of them marked administrator.
    let me = consultant(&app, "wangfang", "13811120051").await;
    app.join_organization(&admin_token, &me.token, &ours_org)
        .await;
    let org_admin = consultant(&app, "orgadmin", "13811120052").await;
    let membership = app
        .join_organization(&admin_token, &org_admin.token, &ours_org)
        .await;
    app.make_organization_administrator(&admin_token, &membership)
        .await;
    let other_admin = consultant(&app, "otheradmin", "13811120053").await;
    let membership = app
        .join_organization(&admin_token, &other_admin.token, &theirs_org)
        .await;
    app.make_organization_administrator(&admin_token, &membership)
        .await;
    let (org_admin, other_admin) = (org_admin.id, other_admin.id);

    let subscribe = |user: i64, roles: &[Role]| {
        let auth = Auth {
            viewer: Some(Viewer {
                user_id: user,
                token_id: 0,
                roles: roles.to_vec(),
            }),
            ..Auth::default()
        };
        let request = app.state.prepare(
            async_graphql::Request::new(
                "subscription { crisisAlerts { sessionId archiveId consultantId organization level } }",
            ),
            auth,
            String::new(),
        );
        listen(app.state.schema.execute_stream(request).boxed())
    };
    let mut ours = subscribe(org_admin, &[Role::Consultant]);
    let mut theirs = subscribe(other_admin, &[Role::Consultant]);
    let mut platform = subscribe(platform_admin, &[Role::Administrator]);
    // A member who administers nothing is refused.
    let mut consultant_only = subscribe(me.id, &[Role::Consultant]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = tokio::time::timeout(Duration::from_secs(5), consultant_only.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        refused.errors[0].extensions.as_ref().unwrap().get("code"),
        Some(&async_graphql::Value::from("FORBIDDEN"))
    );

    let archive = ok(&post(
        &app,
        "/api/consultant/interview/records/create",
        me.auth(json!({"std_name": "张小明", "std_school": "一中"})),
    )
    .await)["id"]
        .as_i64()
        .unwrap();
    // Low: nobody is alerted. Raised to high: the organization's administrator is.
    let session = ok(&post(
        &app,
        "/api/consultant/interview/records/profile/create",
        me.auth(json!({"id": archive, "date": "2026-11-02", "time": "14:30", "duration": "50", "crisisStatus": "低"})),
    )
    .await)["id"]
        .as_i64()
        .unwrap();
    ok(&post(
        &app,
        "/api/consultant/interview/records/profile/update",
        me.auth(json!({"id": session, "crisisStatus": "高"})),
    )
    .await);
    let alert = next(&mut ours).await;
    let alert = &alert["crisisAlerts"];
    assert_eq!(alert["level"], "HIGH");
    assert_eq!(alert["organization"], "阳光心理中心");
    assert_eq!(
        alert["sessionId"],
        medgraph::graphql::node::global_id("InterviewSession", session).0
    );
    // Still high: no second alert. A new high session: another.
    ok(&post(
        &app,
        "/api/consultant/interview/records/profile/update",
        me.auth(json!({"id": session, "crisisStatus": "高", "description": "复核"})),
    )
    .await);
    ok(&post(
        &app,
        "/api/consultant/interview/records/profile/create",
        me.auth(json!({"id": archive, "date": "2026-11-03", "time": "14:30", "duration": "50", "crisisStatus": "高危"})),
    )
    .await);
    let second = next(&mut ours).await;
    assert_ne!(second["crisisAlerts"]["sessionId"], alert["sessionId"]);
    // The platform's administrators hear every alert.
    for expected in [&alert["sessionId"], &second["crisisAlerts"]["sessionId"]] {
        let heard = next(&mut platform).await;
        assert_eq!(&heard["crisisAlerts"]["sessionId"], expected);
    }
    assert!(
        tokio::time::timeout(Duration::from_millis(300), ours.recv())
            .await
            .is_err()
    );
    // Another organization's administrator hears nothing.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), theirs.recv())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn deep_archive_queries_run_a_fixed_number_of_statements() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811120061").await;
    let services = &app.state.services;
    let viewer = Viewer {
        user_id: me.id,
        token_id: 0,
        roles: vec![Role::Consultant],
    };
    let signature = medgraph::domain::files::upload(
        &services.db,
        &services.files,
        bytes::Bytes::from_static(PNG_1X1),
        Some("s.png"),
        medgraph::storage::FileKind::Image,
        Some(me.id),
    )
    .await
    .unwrap()
    .hash;
    for i in 0..20 {
        let profile = medgraph::domain::interviews::create_profile(
            &services.db,
            &viewer,
            medgraph::domain::interviews::ClientProfileInput {
                name: Some(format!("学生{i}")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let archive = medgraph::domain::interviews::create_archive(
            &services.db,
            &viewer,
            medgraph::domain::interviews::ArchiveInput {
                student_name: Some(format!("学生{i}")),
                school: Some("一中".into()),
                client_profile_id: Some(profile.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        for n in 0..10 {
            medgraph::domain::interviews::add_session(
                services,
                &viewer,
                medgraph::domain::interviews::NewSession {
                    archive_id: archive.id,
                    date: Some(chrono::NaiveDate::from_ymd_opt(2026, 10, 1 + n).unwrap()),
                    time: Some("14:00".into()),
                    duration_minutes: Some(50),
                    notes: medgraph::domain::interviews::SessionNotes {
                        signature_file: Some(signature.clone()),
                        attachment_files: Some(vec![signature.clone()]),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
    }
    let query = |archives: i32, sessions: i32| {
        format!(
            "{{ interviewArchives(first: {archives}) {{ totalCount nodes {{ studentName createdAtLocal clientProfile {{ name emergencyContact {{ phone }} }} sessions(first: {sessions}) {{ totalCount nodes {{ count crisis signature {{ url }} attachments {{ size }} }} }} }} }} }}"
        )
    };
    let mut counts = Vec::new();
    for (archives, sessions) in [(2, 1), (20, 10)] {
        let before = app.statements();
        let response = app
            .graphql(&query(archives, sessions), json!({}), Some(&me.token))
            .await;
        assert!(response["errors"].is_null(), "{response}");
        let nodes = response["data"]["interviewArchives"]["nodes"]
            .as_array()
            .unwrap();
        assert_eq!(nodes.len(), usize::try_from(archives).unwrap());
        assert_eq!(nodes[0]["sessions"]["totalCount"], 10);
        assert_eq!(
            nodes[0]["sessions"]["nodes"].as_array().unwrap().len(),
            usize::try_from(sessions).unwrap()
        );
        counts.push(app.statements() - before);
    }
    eprintln!("deep archive query statements: {counts:?}");
    assert_eq!(counts[0], counts[1], "statements: {counts:?}");
    assert!(counts[1] <= 14, "statements: {counts:?}");
    // Every session and profile handed out was audited (in one statement per batch).
    assert_eq!(
        audit_count(&app, "InterviewSession").await,
        2 * 10 + 20 * 10
    );
    assert_eq!(audit_count(&app, "ClientProfile").await, 2 + 20);
}

#[tokio::test]
async fn demo_data_has_counselling_case_files() {
    let app = common::app().await;
    let services = &app.state.services;
    assert!(
        medgraph::seed::demo_if_empty(&services.db, &services.files, &services.bus)
            .await
            .unwrap()
    );
    assert_eq!(app.count_rows("client_profiles").await, 6);
    assert_eq!(app.count_rows("interview_archives").await, 3);
    assert_eq!(app.count_rows("interview_sessions").await, 6);
    assert_eq!(
        app.count_rows_where("interview_sessions", "crisis_state = 'high'")
            .await,
        1
    );
    assert_eq!(app.count_rows("duty_slots").await, 21);
    assert_eq!(
        app.count_rows_where("consultation_orders", "client_profile_id IS NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn an_applicant_consultant_imports_nothing_until_approved() {
    let app = common::app().await;
    // Registering through the counselling app applies for the consultant role.
    let phone = "13811120071";
    ok(&post(&app, "/api/consultant/auth/phone", json!({"phone": phone})).await);
    let code = app.last_code(phone).unwrap();
    ok(&post(
        &app,
        "/api/consultant/auth/register",
        json!({"userName": "applicant", "account": phone, "accountType": "phone", "password": "consult-pass-1", "verificationCode": code}),
    )
    .await);
    let login = ok(&post(
        &app,
        "/api/consultant/auth/login",
        json!({"loginType": "password", "accountType": "phone", "account": phone, "credential": "consult-pass-1"}),
    )
    .await);
    let me = crate::counseling_consultations::Consultant {
        id: login["userInfo"]["userID"].as_i64().unwrap(),
        token: login["token"].as_str().unwrap().to_owned(),
    };
    let rows = vec![
        vec![
            "学生姓名",
            "性别",
            "学校",
            "年级",
            "班级",
            "访谈日期",
            "访谈时间",
            "访谈时长",
            "客观描述",
            "危机状态",
        ],
        vec![
            "张三",
            "男",
            "一中",
            "高一",
            "1班",
            "2026-10-01",
            "14:00",
            "50",
            "第一次",
            "无",
        ],
    ];
    let import = |me: &crate::counseling_consultations::Consultant| {
        let fields = me.fields();
        let app = &app;
        let file = xlsx(&rows);
        async move {
            multipart(
                app,
                "/api/consultant/interview/upload/records",
                &fields,
                &[("files", "records.xlsx", XLSX, &file)],
            )
            .await
        }
    };
    // The applicant: refused in the dialect's envelope, nothing written.
    let refused = import(&me).await;
    fails(&refused, 403);
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("verified consultant")),
        "{refused}"
    );
    assert_eq!(app.count_rows("interview_sessions").await, 0);
    assert_eq!(app.count_rows("interview_archives").await, 0);

    // Approved by an administrator, the same request imports.
    let (_, admin) = app.admin().await;
    app.approve_role(&admin, me.id, "CONSULTANT").await;
    let report = ok(&import(&me).await);
    assert_eq!(report["imported"], 1, "{report}");
    assert_eq!(app.count_rows("interview_sessions").await, 1);
}
