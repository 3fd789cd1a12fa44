//! Assistants (医助) and their patients, centres and homepages in this dialect: `POST
//! /assistant/bind/patient`, `POST /assistant/create/patient`, `GET /assistant/patient`, `GET
//! /custom/assistant`, `GET /custom/center`, `GET /assistant/center`, `GET /custom/homepage`
//! and `GET /assistant/homepage`.
//!
//! `/assistant/*` is for assistants and `/custom/*` for patients (the schema refuses others
//! with error_code 403). Patients answer the "@患者信息" structure (§2.2.3), assistants the
//! "@医助信息" (§2.2.5), clinics the "@义诊信息" (§2.2.8) and special projects §2.2.12.

use http::Method;
use serde_json::{Map, Value, json};

use super::super::{Access, Kind, Param, Route, Source, empty, pick};
use super::clinics::{clinic, nest, special_project};
use super::content::news_item;
use super::identity::{Shape, marital_status, profile};
use super::paging::{self, PAGE_PARAMS, paged_at};
use super::{int, text};
use crate::error::AppResult;
use crate::graphql::node::decode_int_id;

const BIND_PARAMS: &[Param] = &[
    Param::required(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "手机号: the patient's number (the code went there through POST /phone/verifycode)",
    ),
    Param::required(
        "verify_code",
        Source::Body,
        Kind::String,
        "code",
        "验证码: the code the patient received",
    ),
];

const CREATE_PARAMS: &[Param] = &[
    Param::optional(
        "avatars",
        Source::Body,
        Kind::String,
        "input.avatar",
        "头像: URL of an image uploaded with POST /imgupload",
    ),
    Param::required(
        "real_name",
        Source::Body,
        Kind::String,
        "input.realName",
        "真实姓名",
    ),
    Param::required(
        "idno",
        Source::Body,
        Kind::String,
        "input.idCardNumber",
        "身份证号: 18-character resident ID (fills birthday and sex)",
    ),
    Param::required(
        "height",
        Source::Body,
        Kind::Float,
        "input.heightCm",
        "身高 in cm",
    ),
    Param::required(
        "weight",
        Source::Body,
        Kind::Float,
        "input.weightKg",
        "体重 in kg",
    ),
    Param::required(
        "marital_status",
        Source::Body,
        Kind::Int,
        "input.maritalStatus",
        "婚否: 0 未婚, 1 已婚, 2 离异, 3 丧偶",
    ),
    Param::required(
        "drink_status",
        Source::Body,
        Kind::Bool,
        "input.drinks",
        "是否饮酒: 0 no, 1 yes",
    ),
    Param::required(
        "smoking_status",
        Source::Body,
        Kind::Bool,
        "input.smokes",
        "是否抽烟: 0 no, 1 yes",
    ),
    Param::optional("email", Source::Body, Kind::String, "input.email", "邮箱"),
    Param::optional(
        "province_id",
        Source::Body,
        Kind::Int,
        "input.provinceCode",
        "省份id (6-digit region code, see GET /city)",
    ),
    Param::optional(
        "city_id",
        Source::Body,
        Kind::Int,
        "input.cityCode",
        "城市id",
    ),
    Param::optional(
        "county_id",
        Source::Body,
        Kind::Int,
        "input.countyCode",
        "区县id",
    ),
    Param::optional(
        "addr",
        Source::Body,
        Kind::String,
        "input.address",
        "详细地址",
    ),
    Param::required(
        "pwd",
        Source::Body,
        Kind::String,
        "input.password",
        "密码: at least 8 characters mixing letters, digits or symbols",
    ),
    Param::optional(
        "phone",
        Source::Body,
        Kind::String,
        "input.phone",
        "手机号 (not in the document; optional): lets the patient log in by SMS code. A \
         number already registered is error_code 409: bind it with /assistant/bind/patient",
    ),
];

const PATIENTS_PARAMS: &[Param] = &[
    Param::optional(
        "keyword",
        Source::Query,
        Kind::String,
        "keyword",
        "搜索: part of the patient's real name or phone number",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const LIST_PARAMS: &[Param] = &PAGE_PARAMS;

const HOMEPAGE_PARAMS: &[Param] = &[
    Param::optional(
        "hospital_id",
        Source::Query,
        Kind::NodeId("Hospital"),
        "hospitalId",
        "医院id: that hospital's homepage (error_code 404 when there is none)",
    ),
    Param::optional(
        "org_id",
        Source::Query,
        Kind::NodeId("Organization"),
        "organizationId",
        "组织id: that organization's homepage (error_code 404 when there is none)",
    ),
];

const PATIENT_EXAMPLE: &str = r#"{"id":3,"real_name":"张*","phone":"155****1234","avatars":null,"idno":"110105**********8524","sex":2,"birthday":null,"age":47,"email":null,"height":"172","weight":"89","province_id":110000,"province_name":"北京市","city_id":110100,"city_name":"北京市","county_id":110105,"county_name":"朝阳区","addr":null,"marital_status":1,"drink_status":0,"smoking_status":0,"credit_score":null,"punctuality_score":null,"is_verify":1,"join_project_count":0,"done_project_count":0}"#;

const ASSISTANT_EXAMPLE: &str = r#"{"id":4,"real_name":"王*","phone":"138****0003","avatars":null,"idno":null,"email":"a***@demo.medgraph.test","team_name":"志愿团队","province_id":null,"province_name":null,"city_id":null,"city_name":null,"county_id":null,"county_name":null,"addr":null,"help_count":3,"is_verify":1}"#;

const HOMEPAGE_EXAMPLE: &str = r#"{"banner":[{"id":1,"title":"义诊周","photo":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","jump_mode":1,"jump_id":null,"href":"https://example.org"}],"news":[{"id":1,"title":"义诊活动","photo":null,"content":"<div>富文本</div>","publish_time":"2017-02-17 13:00:00"}],"project_list":[],"special_pro_list":[]}"#;

/// The document of a route that shapes users: the operation and the user fragment.
macro_rules! with_user_fields {
    ($file:literal) => {
        concat!(
            include_str!($file),
            include_str!("ops/identity_user_fields.graphql")
        )
    };
}

/// A logged-in volunteer route.
#[allow(clippy::too_many_arguments)]
fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    document: &'static str,
    params: &'static [Param],
    transform: super::super::Transform,
    prepare: Option<super::super::Prepare>,
    example: &'static str,
) -> Route {
    super::clinics::route(
        method,
        path,
        summary,
        Access::LoggedIn,
        document,
        params,
        transform,
        prepare,
        Some(example),
    )
}

/// The assistant, centre and homepage routes.
pub fn routes() -> Vec<Route> {
    let homepage = concat!(
        include_str!("ops/assistant_homepage.graphql"),
        include_str!("ops/content_news_fields.graphql"),
        include_str!("ops/clinic_fields.graphql"),
        include_str!("ops/special_project_fields.graphql"),
        include_str!("ops/hospital_fields.graphql"),
        include_str!("ops/org_fields.graphql"),
        include_str!("ops/identity_user_fields.graphql")
    );
    vec![
        route(
            Method::POST,
            "/assistant/bind/patient",
            "An assistant binds an existing patient account (添加病人) with the code the \
             patient received (POST /phone/verifycode). Binding a patient already bound \
             succeeds and changes nothing; a wrong code is error_code 422 and changes nothing; \
             an unknown number 404; a number of an account that is not a patient 422",
            include_str!("ops/assistant_bind_patient.graphql"),
            BIND_PARAMS,
            empty,
            None,
            "{}",
        ),
        route(
            Method::POST,
            "/assistant/create/patient",
            "An assistant creates a patient account (新建病人) bound to it, in one \
             transaction; every invalid field is named at once and nothing is written. \
             Answers the new patient's `id`",
            include_str!("ops/assistant_create_patient.graphql"),
            CREATE_PARAMS,
            created_patient,
            Some(prepare_create),
            r#"{"id":12}"#,
        ),
        route(
            Method::GET,
            "/assistant/patient",
            "The assistant's patients (我的病人), latest bound first, keyword on name or \
             phone, paged, in the patient structure (others' personal fields masked)",
            with_user_fields!("ops/assistant_patients.graphql"),
            PATIENTS_PARAMS,
            patients,
            Some(paging::prepare),
            PATIENT_EXAMPLE,
        ),
        route(
            Method::GET,
            "/custom/assistant",
            "The patient's assistants (我的医助), latest bound first, in the assistant \
             structure (help_count = patients bound); paged like every list",
            with_user_fields!("ops/assistant_of_patient.graphql"),
            LIST_PARAMS,
            assistants,
            Some(paging::prepare_whole),
            ASSISTANT_EXAMPLE,
        ),
        route(
            Method::GET,
            "/custom/center",
            "The patient's centre (个人中心): user_info in the patient structure and msg_count, \
             the unread messages of GET /message",
            with_user_fields!("ops/assistant_centre.graphql"),
            &[],
            patient_centre,
            Some(for_patients),
            r#"{"user_info":{"id":3,"real_name":"张三"},"msg_count":1}"#,
        ),
        route(
            Method::GET,
            "/assistant/center",
            "The assistant's centre (个人中心): user_info in the assistant structure and \
             msg_count, the unread messages of GET /message",
            with_user_fields!("ops/assistant_centre.graphql"),
            &[],
            assistant_centre,
            Some(for_assistants),
            r#"{"user_info":{"id":4,"real_name":"王五","help_count":3},"msg_count":1}"#,
        ),
        route(
            Method::GET,
            "/custom/homepage",
            "The patients' homepage (首页), or a hospital's or organization's: up to 5 banners, \
             5 news, 10 free clinics not over (soonest first, the 义诊信息 structure) and 5 \
             special projects",
            homepage,
            HOMEPAGE_PARAMS,
            homepage_data,
            Some(patients_homepage),
            HOMEPAGE_EXAMPLE,
        ),
        route(
            Method::GET,
            "/assistant/homepage",
            "The assistants' homepage (首页): up to 5 banners, 5 news and 10 free clinics not \
             over (soonest first)",
            homepage,
            &[],
            homepage_data,
            Some(assistants_homepage),
            r#"{"banner":[],"news":[],"project_list":[]}"#,
        ),
    ]
}

// ---- preparing variables ----

/// `POST /assistant/create/patient`: the marital code as the enum, then `input.*` nested.
fn prepare_create(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(code) = vars.get("input.maritalStatus") {
        let status = marital_status(code)?;
        vars.insert("input.maritalStatus".into(), status);
    }
    nest(vars);
    Ok(())
}

fn for_patients(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("audience".into(), Value::from("PATIENTS"));
    Ok(())
}

fn for_assistants(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("audience".into(), Value::from("ASSISTANTS"));
    Ok(())
}

fn patients_homepage(vars: &mut Map<String, Value>) -> AppResult<()> {
    for_patients(vars)?;
    vars.insert("withProjects".into(), Value::Bool(true));
    Ok(())
}

fn assistants_homepage(vars: &mut Map<String, Value>) -> AppResult<()> {
    for_assistants(vars)?;
    vars.insert("withProjects".into(), Value::Bool(false));
    Ok(())
}

// ---- results ----

fn created_patient(data: Value) -> AppResult<Value> {
    let id = pick(&data, "/createPatient/id")?;
    let id = decode_int_id(id.as_str().unwrap_or_default(), "User")?;
    Ok(json!({ "id": id }))
}

fn patients(data: Value) -> AppResult<Value> {
    paged_at(&data, "/myPatients", |u| {
        profile(u, Shape::Patient).map(Value::Object)
    })
}

fn assistants(data: Value) -> AppResult<Value> {
    paged_at(&data, "/myAssistants", |u| {
        profile(u, Shape::Assistant).map(Value::Object)
    })
}

fn centre(data: &Value, shape: Shape) -> AppResult<Value> {
    let centre = pick(data, "/volunteerCentre")?;
    Ok(json!({
        "user_info": profile(&centre["user"], shape)?,
        "msg_count": centre["unreadMessageCount"],
    }))
}

fn patient_centre(data: Value) -> AppResult<Value> {
    centre(&data, Shape::Patient)
}

fn assistant_centre(data: Value) -> AppResult<Value> {
    centre(&data, Shape::Assistant)
}

/// The legacy "@banner广告" (§2.2.1).
fn banner(b: &Value) -> Value {
    json!({
        "id": int(&b["legacyId"]),
        "title": text(&b["title"]),
        "photo": text(&b["imageUrl"]),
        "jump_mode": match b["jumpMode"].as_str() {
            Some("URL") => 1,
            Some("FREE_CLINIC") => 2,
            Some("NEWS") => 3,
            _ => 0,
        },
        "jump_id": int(&b["jumpId"]),
        "href": text(&b["href"]),
    })
}

fn nodes(data: &Value, pointer: &str) -> Vec<Value> {
    data.pointer(pointer)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn homepage_data(data: Value) -> AppResult<Value> {
    let home = pick(&data, "/volunteerHomepage")?;
    let mut out = Map::new();
    out.insert(
        "banner".into(),
        nodes(home, "/banners/nodes").iter().map(banner).collect(),
    );
    out.insert(
        "news".into(),
        nodes(home, "/news/nodes").iter().map(news_item).collect(),
    );
    out.insert(
        "project_list".into(),
        Value::Array(
            nodes(home, "/freeClinics/nodes")
                .iter()
                .map(clinic)
                .collect::<AppResult<_>>()?,
        ),
    );
    if home.get("specialProjects").is_some() {
        out.insert(
            "special_pro_list".into(),
            Value::Array(
                nodes(home, "/specialProjects/nodes")
                    .iter()
                    .map(special_project)
                    .collect::<AppResult<_>>()?,
            ),
        );
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn create_form_is_nested_with_codes() {
        let mut vars = Map::new();
        vars.insert("input.realName".into(), json!("张三"));
        vars.insert("input.maritalStatus".into(), json!(1));
        prepare_create(&mut vars).unwrap();
        assert_eq!(
            vars["input"],
            json!({"realName": "张三", "maritalStatus": "MARRIED"})
        );
        let mut bad = Map::new();
        bad.insert("input.maritalStatus".into(), json!(9));
        assert!(prepare_create(&mut bad).is_err());
    }

    #[test]
    fn banners_take_legacy_codes() {
        let b = banner(
            &json!({"legacyId": 3, "title": "t", "imageUrl": "u", "jumpMode": "NEWS", "jumpId": 7, "href": null}),
        );
        assert_eq!(b["jump_mode"], 3);
        assert_eq!(b["id"], 3);
        assert_eq!(b["photo"], "u");
    }

    #[test]
    fn examples_are_json() {
        for route in routes() {
            let example = route.example.unwrap();
            assert!(
                serde_json::from_str::<Value>(example).is_ok(),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
