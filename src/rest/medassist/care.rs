//! Home-care endpoints of the medassist dialect: inquiries (`/api/inquiry/*`), medical records
//! (`/api/medical/*`) and drug purchase orders (`/api/drug/*`).
//!
//! The legacy document gives paths and parameters only; the answers speak its vocabulary
//! (`super::vocabulary`, table in `src/rest/contracts/medassist.json`): an inquiry is
//! `MedassistInquiry`, a record `MedassistMedicalRecord`, an order `MedassistDrugOrder`, lists
//! are `{list, total, page, pageSize}` and whole unless a page is asked for. Ids are the integer
//! ids of these answers (`id`, `medicalId`). `appointment_time` is read as the document writes
//! it, `YYYY-MM-DD HH:MM` in China Standard Time (UTC+8), or RFC 3339.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use http::Method;
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Prepare, Route, Source, Transform, pick};
use super::identity::page_window;
use super::vocabulary as v;
use crate::error::{AppError, AppResult};

macro_rules! ops {
    ($op:literal, $fields:literal) => {
        concat!(
            include_str!(concat!("ops/", $op)),
            include_str!(concat!("ops/", $fields)),
            include_str!("ops/identity_user_fields.graphql")
        )
    };
}

#[allow(clippy::too_many_arguments)]
fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    document: &'static str,
    params: &'static [Param],
    transform: Transform,
    prepare: Option<Prepare>,
) -> Route {
    Route {
        dialect: Dialect::Medassist,
        method,
        path,
        summary,
        access: Access::LoggedIn,
        document,
        params,
        transform,
        example: None,
        status: http::StatusCode::OK,
        prepare,
    }
}

const PAGE: Param = Param::optional(
    "page",
    Source::Query,
    Kind::Int,
    "page",
    "Page number, from 1 (medgraph addition; the legacy document has no paging)",
);

const PAGE_SIZE: Param = Param::optional(
    "pageSize",
    Source::Query,
    Kind::Int,
    "pageSize",
    super::PAGE_SIZE_DESCRIPTION,
);

const fn id_param(type_name: &'static str, description: &'static str) -> Param {
    Param::required(
        "id",
        Source::Query,
        Kind::NodeId(type_name),
        "id",
        description,
    )
}

const CREATE_PARAMS: &[Param] = &[
    Param::required(
        "type",
        Source::Body,
        Kind::String,
        "kind",
        "Kind of care, e.g. 在家就医 (home visit); at most 32 characters",
    ),
    Param::required(
        "inquiry_detail",
        Source::Body,
        Kind::String,
        "detail",
        "What is wrong; at most 2000 characters",
    ),
    Param::optional(
        "reserved_phone",
        Source::Body,
        Kind::String,
        "reservedPhone",
        "Phone number to reach the patient at: 11 digits starting with 1, as the legacy system took them (the document's 12345671901 is accepted; nothing is sent to it); the account's phone when absent",
    ),
    Param::optional(
        "appointment_time",
        Source::Body,
        Kind::String,
        "appointmentTime",
        "Wished visit time, `YYYY-MM-DD HH:MM` in China Standard Time (as the document writes it, and as answers give it back) or RFC 3339. A time in the past is kept as the patient wrote it (the legacy system took it; approval and the physician settle the visit)",
    ),
];

const INQUIRY_ID: &[Param] = &[id_param("Inquiry", "The inquiry's `id`")];

const REJECT_PARAMS: &[Param] = &[
    id_param("Inquiry", "The inquiry's `id`"),
    Param::required(
        "reason",
        Source::Query,
        Kind::String,
        "reason",
        "Why, for the patient; at most 200 characters",
    ),
];

const CANCEL_PARAMS: &[Param] = &[
    id_param("Inquiry", "The inquiry's `id`"),
    Param::optional(
        "reason",
        Source::Query,
        Kind::String,
        "reason",
        "Why, optional; at most 200 characters",
    ),
];

const ASSIGN_PARAMS: &[Param] = &[
    id_param("Inquiry", "The inquiry's `id`"),
    Param::required(
        "userUUID",
        Source::Query,
        Kind::String,
        "physicianUuid",
        "The physician's `uuid` (as queryDoctorInformation shows it)",
    ),
];

const RECEPTION_PARAMS: &[Param] = &[
    id_param("Inquiry", "The inquiry's `id`"),
    Param::required(
        "isReception",
        Source::Query,
        Kind::Bool,
        "accept",
        "true to accept the inquiry, false to decline it (it goes back to assignment)",
    ),
];

const ADMIN_LIST_PARAMS: &[Param] = &[
    Param::optional(
        "isInquiry",
        Source::Query,
        Kind::Int,
        "isInquiry",
        "0 all (default), 1 finished, 2 physician assigned and accepted but no visit yet, 3 no physician assigned yet (pending approval or approved), 4 assigned, waiting for the physician to accept; medgraph's own codes 5 rejected, 6 cancelled",
    )
    .with_default("0"),
    PAGE,
    PAGE_SIZE,
];

const PHYSICIAN_LIST_PARAMS: &[Param] = &[
    Param::optional(
        "isInquiry",
        Source::Query,
        Kind::Int,
        "isInquiry",
        "0 all (default), 1 finished, 2 accepted but no visit yet, 4 not yet accepted; medgraph's own code 6 cancelled",
    )
    .with_default("0"),
    PAGE,
    PAGE_SIZE,
];

const PATIENT_LIST_PARAMS: &[Param] = &[
    Param::optional(
        "isInquiry",
        Source::Query,
        Kind::Int,
        "isInquiry",
        "0 all (default), 1 approved (approved, assigned, accepted or finished), 2 waiting for approval; medgraph's own codes 5 rejected, 6 cancelled. These are filters: an inquiry's own `isInquiry` in answers follows the administrator's table",
    )
    .with_default("0"),
    PAGE,
    PAGE_SIZE,
];

const RECORDS_PARAMS: &[Param] = &[
    Param::optional(
        "inquiryId",
        Source::Query,
        Kind::NodeId("Inquiry"),
        "inquiryId",
        "The inquiry whose record to show; the caller's own records when absent",
    ),
    PAGE,
    PAGE_SIZE,
];

const RECORD_ID: &[Param] = &[Param::required(
    "medicalId",
    Source::Query,
    Kind::NodeId("MedicalRecord"),
    "id",
    "The record's `id`",
)];

const REGISTER_PARAMS: &[Param] = &[
    Param::required(
        "bind_inquiry_id",
        Source::Body,
        Kind::NodeId("Inquiry"),
        "inquiryId",
        "The accepted inquiry the visit concludes",
    ),
    Param::optional(
        "diagnostic_description",
        Source::Body,
        Kind::String,
        "description",
        "Diagnosis and notes; at most 5000 characters",
    ),
    Param::required(
        "inquiry_video",
        Source::Body,
        Kind::String,
        "video",
        "Address or URL of the uploaded inquiry video (POST /api/upload)",
    ),
    Param::required(
        "medical_img",
        Source::Body,
        Kind::Json,
        "images",
        "Address or URL of an uploaded record image, or several joined by `,` (an array is accepted too); 1 to 9 images. Answers give it back as one string, URLs joined by `,`",
    ),
    Param::required(
        "is_need_by_drug",
        Source::Body,
        Kind::Bool,
        "needsDrugs",
        "Whether drugs must be bought for the patient (creates a drug order)",
    ),
    Param::optional(
        "drug_note",
        Source::Body,
        Kind::String,
        "drugNote",
        "What to buy, for the drug order (medgraph addition)",
    ),
];

const READS_PARAMS: &[Param] = &[PAGE, PAGE_SIZE];

const RAW: Param = Param::optional(
    "raw",
    Source::Query,
    Kind::Int,
    "raw",
    "0 all (default), 1 bought (bought, delivering or completed), 2 not bought yet (awaiting confirmation or purchase), 3 delivered but not received, 4 bought but not delivered, 5 completed; medgraph's own code 6 cancelled",
)
.with_default("0");

const ORDER_LIST_PARAMS: &[Param] = &[RAW, PAGE, PAGE_SIZE];

const ORDER_ID: &[Param] = &[id_param("DrugOrder", "The drug order's `id`")];

const CERTIFICATE: Param = Param::optional(
    "certificate",
    Source::Query,
    Kind::Json,
    "certificates",
    "Address or URL of an uploaded certificate file (purchase invoice, delivery screenshot), or several joined by `,` (an array is accepted too); answers give it back as one string, URLs joined by `,`",
);

const PURCHASE_PARAMS: &[Param] = &[id_param("DrugOrder", "The drug order's `id`"), CERTIFICATE];

const DELIVER_PARAMS: &[Param] = &[
    id_param("DrugOrder", "The drug order's `id`"),
    Param {
        description: "Address or URL of the uploaded certificate (purchase invoice and delivery screenshot), or an array of them; required unless given when the drugs were bought",
        ..CERTIFICATE
    },
];

const CANCEL_ORDER_PARAMS: &[Param] = &[
    id_param("DrugOrder", "The drug order's `id`"),
    Param::required(
        "reason",
        Source::Query,
        Kind::String,
        "reason",
        "Why; at most 200 characters",
    ),
];

const ORDERS_OF_RECORD_PARAMS: &[Param] = &[
    Param::required(
        "medical_id",
        Source::Query,
        Kind::NodeId("MedicalRecord"),
        "recordId",
        "The medical record's `id`",
    ),
    PAGE,
    PAGE_SIZE,
];

const SUMMARY_PARAMS: &[Param] = &[Param::optional(
    "patientUuid",
    Source::Query,
    Kind::String,
    "patientUuid",
    "The patient whose records to summarise, for a physician who treated them (medgraph addition); the caller's own records when absent",
)];

const DEMO_PARAMS: &[Param] = &[Param::required(
    "number",
    Source::Query,
    Kind::Int,
    "number",
    "How many accounts, 1 to 1000",
)];

/// The home-care routes.
pub fn routes() -> Vec<Route> {
    use Method as M;
    vec![
        route(
            M::GET,
            "/api/ai/getMedicalSum",
            "A language-model summary of the caller's medical records (or, with patientUuid, of a patient the calling physician treated). 503 when no language model is configured, 404 when there are no records; the records sent to the model are audited as read",
            include_str!("ops/care_medical_summary.graphql"),
            SUMMARY_PARAMS,
            medical_summary,
            Some(patient_uuid),
        ),
        Route {
            access: Access::Public,
            ..route(
                M::GET,
                "/api/mock/generatePatientAccount",
                "Creates N (1 to 1000) realistic demo patients with one password (development servers only; 404 with --production)",
                include_str!("ops/care_demo_accounts.graphql"),
                DEMO_PARAMS,
                demo_accounts,
                Some(demo_patients),
            )
        },
        Route {
            access: Access::Public,
            ..route(
                M::GET,
                "/api/mock/generatePhysicianAccount",
                "Creates N (1 to 1000) realistic demo physicians (hospital, department, title) with one password (development servers only; 404 with --production)",
                include_str!("ops/care_demo_accounts.graphql"),
                DEMO_PARAMS,
                demo_accounts,
                Some(demo_physicians),
            )
        },
        route(
            M::POST,
            "/api/inquiry/createInquiryRecord",
            "A patient asks for care; the inquiry waits for an administrator's approval. Answers the inquiry",
            ops!("care_create_inquiry.graphql", "care_inquiry_fields.graphql"),
            CREATE_PARAMS,
            created_inquiry,
            Some(appointment_time),
        ),
        route(
            M::PUT,
            "/api/inquiry/approveInquiryRecord",
            "An administrator approves a pending inquiry (409 from any other state)",
            ops!(
                "care_approve_inquiry.graphql",
                "care_inquiry_fields.graphql"
            ),
            INQUIRY_ID,
            approved_inquiry,
            None,
        ),
        route(
            M::PUT,
            "/api/inquiry/rejectInquiryRecord",
            "An administrator rejects a pending or approved inquiry (medgraph addition)",
            ops!("care_reject_inquiry.graphql", "care_inquiry_fields.graphql"),
            REJECT_PARAMS,
            rejected_inquiry,
            None,
        ),
        route(
            M::PUT,
            "/api/inquiry/cancelInquiryRecord",
            "The patient withdraws an inquiry no physician has accepted yet (medgraph addition)",
            ops!("care_cancel_inquiry.graphql", "care_inquiry_fields.graphql"),
            CANCEL_PARAMS,
            cancelled_inquiry,
            None,
        ),
        route(
            M::POST,
            "/api/inquiry/appointedPhysician",
            "An administrator assigns an approved inquiry to a physician, or reassigns one not yet accepted",
            ops!(
                "care_assign_physician.graphql",
                "care_inquiry_fields.graphql"
            ),
            ASSIGN_PARAMS,
            assigned_inquiry,
            Some(physician_uuid),
        ),
        route(
            M::GET,
            "/api/inquiry/queryAllInquiryRecord",
            "All inquiries, newest first, by state (administrators; others 403)",
            ops!("care_inquiries.graphql", "care_inquiry_fields.graphql"),
            ADMIN_LIST_PARAMS,
            inquiry_list,
            Some(admin_inquiries),
        ),
        route(
            M::GET,
            "/api/inquiry/queryPhysicianInquiryRecord",
            "The inquiries assigned to the calling physician, newest first, by state",
            ops!("care_inquiries.graphql", "care_inquiry_fields.graphql"),
            PHYSICIAN_LIST_PARAMS,
            inquiry_list,
            Some(physician_inquiries),
        ),
        route(
            M::GET,
            "/api/inquiry/queryPatientInquiryRecord",
            "The calling patient's inquiries, newest first, by state",
            ops!("care_inquiries.graphql", "care_inquiry_fields.graphql"),
            PATIENT_LIST_PARAMS,
            inquiry_list,
            Some(patient_inquiries),
        ),
        route(
            M::PUT,
            "/api/inquiry/physicianReception",
            "The assigned physician accepts (isReception=true) or declines an inquiry; a declined one goes back to assignment",
            ops!(
                "care_respond_inquiry.graphql",
                "care_inquiry_fields.graphql"
            ),
            RECEPTION_PARAMS,
            answered_inquiry,
            None,
        ),
        route(
            M::GET,
            "/api/inquiry/queryInquiryRecordById",
            "One inquiry (its patient, its physician or an administrator; 404 for others)",
            ops!("care_inquiry.graphql", "care_inquiry_fields.graphql"),
            INQUIRY_ID,
            one_inquiry,
            None,
        ),
        route(
            M::GET,
            "/api/medical/queryMedialRecordInformation",
            "The medical record of an inquiry, or the caller's records, newest first (the patient, the physician or administrators; every record shown is written to the audit log)",
            ops!("care_records.graphql", "care_record_fields.graphql"),
            RECORDS_PARAMS,
            record_list,
            Some(paged),
        ),
        route(
            M::POST,
            "/api/medical/medicalRegistration",
            "The physician in charge registers the visit of an accepted inquiry; the inquiry finishes and, when drugs are needed, a drug order is created. Files must be uploaded first (POST /api/upload): the video must be a video, the images images",
            ops!("care_register_record.graphql", "care_record_fields.graphql"),
            REGISTER_PARAMS,
            registered_record,
            Some(record_files),
        ),
        route(
            M::GET,
            "/api/medical/queryMedicalByID",
            "One medical record (the patient, the physician or administrators; 404 for others). The read is written to the audit log",
            ops!("care_record.graphql", "care_record_fields.graphql"),
            RECORD_ID,
            one_record,
            None,
        ),
        route(
            M::GET,
            "/api/medical/queryRecordReads",
            "Who read the caller's medical records, newest first, from the audit log (medgraph addition)",
            concat!(
                include_str!("ops/care_record_reads.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            READS_PARAMS,
            record_reads,
            Some(paged),
        ),
        route(
            M::GET,
            "/api/drug/queryPatientAgentDrugHistory",
            "The calling patient's drug orders, newest first, by state",
            ops!("care_orders.graphql", "care_order_fields.graphql"),
            ORDER_LIST_PARAMS,
            order_list,
            Some(patient_orders),
        ),
        route(
            M::GET,
            "/api/drug/queryPhysiciansAgentHistoryRecord",
            "The calling physician's drug orders, newest first, by state",
            ops!("care_orders.graphql", "care_order_fields.graphql"),
            ORDER_LIST_PARAMS,
            order_list,
            Some(physician_orders),
        ),
        route(
            M::GET,
            "/api/drug/queryAllDrug",
            "Drug orders, newest first, by state: all of them for administrators, those awaiting confirmation or handled by the caller for hospital staff, the caller's own for others",
            ops!("care_orders.graphql", "care_order_fields.graphql"),
            ORDER_LIST_PARAMS,
            order_list,
            Some(all_orders),
        ),
        route(
            M::GET,
            "/api/drug/queryDrugByMedicalId",
            "The drug orders of a medical record, oldest first",
            ops!("care_orders.graphql", "care_order_fields.graphql"),
            ORDERS_OF_RECORD_PARAMS,
            order_list,
            Some(paged),
        ),
        route(
            M::GET,
            "/api/drug/queryDrugByID",
            "One drug order (its patient, its physician, the hospital staff handling it or administrators; 404 for others)",
            ops!("care_order.graphql", "care_order_fields.graphql"),
            ORDER_ID,
            one_order,
            None,
        ),
        route(
            M::POST,
            "/api/drug/hospitalAgentDrugConfirmReceipt",
            "Hospital staff (or an administrator) confirm a drug order awaiting confirmation",
            ops!("care_confirm_order.graphql", "care_order_fields.graphql"),
            ORDER_ID,
            confirmed_order,
            None,
        ),
        route(
            M::POST,
            "/api/drug/physiciansOrderAgentDrug",
            "The physician of a confirmed order bought the drugs; the certificate may come now or at delivery",
            ops!("care_purchase_order.graphql", "care_order_fields.graphql"),
            PURCHASE_PARAMS,
            purchased_order,
            Some(certificates),
        ),
        route(
            M::POST,
            "/api/drug/physiciansOrderDelivery",
            "The physician takes a bought order for delivery, with the certificate (purchase invoice and delivery screenshot) unless given at purchase",
            ops!("care_deliver_order.graphql", "care_order_fields.graphql"),
            DELIVER_PARAMS,
            delivering_order,
            Some(certificates),
        ),
        route(
            M::POST,
            "/api/drug/patientConfirmReceipt",
            "The patient confirms receiving the drugs; the order completes (medgraph addition: the legacy document has no endpoint for this step)",
            ops!("care_receive_order.graphql", "care_order_fields.graphql"),
            ORDER_ID,
            received_order,
            None,
        ),
        route(
            M::POST,
            "/api/drug/cancelAgentDrug",
            "Hospital staff or an administrator cancel a drug order not bought yet (medgraph addition)",
            ops!("care_cancel_order.graphql", "care_order_fields.graphql"),
            CANCEL_ORDER_PARAMS,
            cancelled_order,
            None,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Answers

/// `{list, total, page, pageSize}` of the connection at `pointer`, each item in the
/// vocabulary of `item`.
fn list(data: &Value, pointer: &str, item: fn(&Value) -> Value) -> AppResult<Value> {
    let conn = pick(data, pointer)?;
    let items: Vec<Value> = conn["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(item).collect())
        .unwrap_or_default();
    let size = items.len();
    Ok(v::list(
        items,
        &conn["totalCount"],
        data.get("$page").cloned().unwrap_or(Value::from(1)),
        data.get("$pageSize").cloned().unwrap_or(Value::from(size)),
    ))
}

fn found(data: &Value, pointer: &str, what: &str) -> AppResult<Value> {
    match pick(data, pointer)? {
        Value::Null => Err(AppError::NotFound(format!("{what} not found"))),
        value => Ok(value.clone()),
    }
}

/// Answer functions that shape the object at one pointer of the data.
macro_rules! answers {
    ($($name:ident: $pointer:literal => $shape:path;)*) => {
        $(
            fn $name(data: Value) -> AppResult<Value> {
                Ok($shape(pick(&data, $pointer)?))
            }
        )*
    };
}

answers! {
    created_inquiry: "/createInquiry" => v::inquiry;
    approved_inquiry: "/approveInquiry" => v::inquiry;
    rejected_inquiry: "/rejectInquiry" => v::inquiry;
    cancelled_inquiry: "/cancelInquiry" => v::inquiry;
    assigned_inquiry: "/assignPhysician" => v::inquiry;
    answered_inquiry: "/respondToInquiry" => v::inquiry;
    registered_record: "/registerMedicalRecord" => v::record;
    confirmed_order: "/confirmDrugOrder" => v::order;
    purchased_order: "/purchaseDrugOrder" => v::order;
    delivering_order: "/deliverDrugOrder" => v::order;
    received_order: "/confirmDrugReceipt" => v::order;
    cancelled_order: "/cancelDrugOrder" => v::order;
}

fn one_inquiry(data: Value) -> AppResult<Value> {
    Ok(v::inquiry(&found(&data, "/inquiry", "inquiry")?))
}

fn one_record(data: Value) -> AppResult<Value> {
    Ok(v::record(&found(
        &data,
        "/medicalRecord",
        "medical record",
    )?))
}

fn one_order(data: Value) -> AppResult<Value> {
    Ok(v::order(&found(&data, "/drugOrder", "drug order")?))
}

fn inquiry_list(data: Value) -> AppResult<Value> {
    list(&data, "/inquiries", v::inquiry)
}

fn record_list(data: Value) -> AppResult<Value> {
    list(&data, "/medicalRecords", v::record)
}

fn order_list(data: Value) -> AppResult<Value> {
    list(&data, "/drugOrders", v::order)
}

fn medical_summary(data: Value) -> AppResult<Value> {
    let summary = pick(&data, "/medicalSummary")?;
    Ok(json!({
        "summary": v::text(&summary["summary"]),
        "record_count": v::int(&summary["recordCount"]),
        "patientUuid": v::text(&summary["patient"]["uuid"]),
    }))
}

fn demo_accounts(data: Value) -> AppResult<Value> {
    let created = pick(&data, "/generateDemoAccounts")?;
    let accounts: Vec<Value> = created["accounts"]
        .as_array()
        .map(|accounts| {
            accounts
                .iter()
                .map(|a| {
                    json!({
                        "uuid": v::text(&a["uuid"]),
                        "username": v::text(&a["username"]),
                        "real_name": v::text(&a["realName"]),
                        "phone": v::text(&a["phone"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "count": v::int(&created["count"]),
        "password": v::text(&created["password"]),
        "accounts": accounts,
    }))
}

fn record_reads(data: Value) -> AppResult<Value> {
    list(&data, "/medicalRecordReads", v::record_read)
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// China Standard Time, in which the legacy clients write times without a zone.
fn china() -> AppResult<FixedOffset> {
    FixedOffset::east_opt(8 * 3600).ok_or_else(|| AppError::internal("UTC+8 offset"))
}

/// `appointment_time` as `YYYY-MM-DD HH:MM[:SS]` (China Standard Time) or RFC 3339.
fn appointment_time(vars: &mut Map<String, Value>) -> AppResult<()> {
    let Some(raw) = vars.remove("appointmentTime") else {
        return Ok(());
    };
    let text = raw.as_str().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Ok(());
    }
    let parsed = DateTime::parse_from_rfc3339(text).ok().or_else(|| {
        ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .and_then(|naive| china().ok()?.from_local_datetime(&naive).single())
    });
    let at = parsed.ok_or_else(|| {
        AppError::bad_field(
            "appointment_time",
            "appointment_time must be `YYYY-MM-DD HH:MM` (China Standard Time) or RFC 3339",
        )
    })?;
    vars.insert(
        "appointmentAt".into(),
        Value::String(at.with_timezone(&chrono::Utc).to_rfc3339()),
    );
    Ok(())
}

/// The variable `var` (legacy name `legacy`) must be a UUID when present (the legacy
/// examples' short ids are not).
fn uuid_var(vars: &mut Map<String, Value>, var: &str, legacy: &str) -> AppResult<()> {
    let Some(raw) = vars.get(var) else {
        return Ok(());
    };
    let uuid = raw
        .as_str()
        .and_then(|s| uuid::Uuid::parse_str(s.trim()).ok())
        .ok_or_else(|| {
            AppError::bad_field(
                legacy,
                format!("{legacy} must be an account's uuid as the user endpoints show it (36 characters)"),
            )
        })?;
    vars.insert(var.into(), Value::String(uuid.to_string()));
    Ok(())
}

fn physician_uuid(vars: &mut Map<String, Value>) -> AppResult<()> {
    uuid_var(vars, "physicianUuid", "userUUID")
}

fn patient_uuid(vars: &mut Map<String, Value>) -> AppResult<()> {
    uuid_var(vars, "patientUuid", "patientUuid")
}

fn demo_patients(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("role".into(), Value::from("PATIENT"));
    Ok(())
}

fn demo_physicians(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("role".into(), Value::from("DOCTOR"));
    Ok(())
}

/// A file reference or a list of them (a JSON array, or a string holding one), as a list.
fn reference_list(value: Value, field: &str) -> AppResult<Vec<Value>> {
    let items = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items,
        Value::String(s) => {
            let s = s.trim();
            if s.starts_with('[') {
                match serde_json::from_str::<Value>(s) {
                    Ok(Value::Array(items)) => items,
                    _ => {
                        return Err(AppError::bad_field(
                            field,
                            format!("{field} must be a file address or an array of them"),
                        ));
                    }
                }
            } else {
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect()
            }
        }
        _ => {
            return Err(AppError::bad_field(
                field,
                format!("{field} must be a file address or an array of them"),
            ));
        }
    };
    if items.iter().any(|v| !v.is_string()) {
        return Err(AppError::bad_field(
            field,
            format!("{field} must hold file addresses (strings)"),
        ));
    }
    Ok(items)
}

fn record_files(vars: &mut Map<String, Value>) -> AppResult<()> {
    let images = reference_list(vars.remove("images").unwrap_or(Value::Null), "medical_img")?;
    vars.insert("images".into(), Value::Array(images));
    Ok(())
}

fn certificates(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(value) = vars.remove("certificates") {
        let list = reference_list(value, "certificate")?;
        vars.insert("certificates".into(), Value::Array(list));
    }
    Ok(())
}

fn paged(vars: &mut Map<String, Value>) -> AppResult<()> {
    page_window(vars)
}

/// `isInquiry` for administrators.
fn admin_inquiries(vars: &mut Map<String, Value>) -> AppResult<()> {
    inquiry_states(
        vars,
        "ALL",
        &[
            (0, &[]),
            (1, &["FINISHED"]),
            (2, &["ACCEPTED"]),
            (3, &["PENDING_APPROVAL", "APPROVED"]),
            (4, &["ASSIGNED"]),
            (v::INQUIRY_REJECTED, &["REJECTED"]),
            (v::INQUIRY_CANCELLED, &["CANCELLED"]),
        ],
    )
}

/// `isInquiry` for physicians.
fn physician_inquiries(vars: &mut Map<String, Value>) -> AppResult<()> {
    inquiry_states(
        vars,
        "PHYSICIAN",
        &[
            (0, &[]),
            (1, &["FINISHED"]),
            (2, &["ACCEPTED"]),
            (4, &["ASSIGNED"]),
            (v::INQUIRY_CANCELLED, &["CANCELLED"]),
        ],
    )
}

/// `isInquiry` for patients.
fn patient_inquiries(vars: &mut Map<String, Value>) -> AppResult<()> {
    inquiry_states(
        vars,
        "PATIENT",
        &[
            (0, &[]),
            (1, &["APPROVED", "ASSIGNED", "ACCEPTED", "FINISHED"]),
            (2, &["PENDING_APPROVAL"]),
            (v::INQUIRY_REJECTED, &["REJECTED"]),
            (v::INQUIRY_CANCELLED, &["CANCELLED"]),
        ],
    )
}

type CodeTable<'a> = &'a [(i64, &'a [&'a str])];

/// Replaces the legacy code `name` by the `states` it stands for (none: every state).
fn code_states(
    vars: &mut Map<String, Value>,
    name: &str,
    legacy: &str,
    table: CodeTable<'_>,
) -> AppResult<()> {
    let code = vars.remove(name).and_then(|v| v.as_i64()).unwrap_or(0);
    let states = table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, states)| *states)
        .ok_or_else(|| {
            let codes: Vec<String> = table.iter().map(|(c, _)| c.to_string()).collect();
            AppError::bad_field(legacy, format!("{legacy} is one of {}", codes.join(", ")))
        })?;
    if !states.is_empty() {
        vars.insert(
            "states".into(),
            Value::Array(states.iter().map(|s| Value::from(*s)).collect()),
        );
    }
    page_window(vars)
}

fn inquiry_states(
    vars: &mut Map<String, Value>,
    scope: &str,
    table: CodeTable<'_>,
) -> AppResult<()> {
    vars.insert("scope".into(), Value::from(scope));
    code_states(vars, "isInquiry", "isInquiry", table)
}

const RAW_TABLE: &[(i64, &[&str])] = &[
    (0, &[]),
    (1, &["PURCHASED", "DELIVERING", "COMPLETED"]),
    (2, &["AWAITING_CONFIRMATION", "AWAITING_PURCHASE"]),
    (3, &["DELIVERING"]),
    (4, &["PURCHASED"]),
    (5, &["COMPLETED"]),
    (v::ORDER_CANCELLED, &["CANCELLED"]),
];

fn patient_orders(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("scope".into(), Value::from("PATIENT"));
    code_states(vars, "raw", "raw", RAW_TABLE)
}

fn physician_orders(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("scope".into(), Value::from("PHYSICIAN"));
    code_states(vars, "raw", "raw", RAW_TABLE)
}

fn all_orders(vars: &mut Map<String, Value>) -> AppResult<()> {
    code_states(vars, "raw", "raw", RAW_TABLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_times_are_china_time() {
        let mut vars = Map::new();
        vars.insert("appointmentTime".into(), json!("2030-10-02 20:30"));
        appointment_time(&mut vars).expect("valid");
        assert_eq!(vars["appointmentAt"], "2030-10-02T12:30:00+00:00");
        let mut bad = Map::new();
        bad.insert("appointmentTime".into(), json!("tomorrow"));
        assert!(appointment_time(&mut bad).is_err());
    }

    #[test]
    fn codes_become_states() {
        let mut vars = Map::new();
        vars.insert("isInquiry".into(), json!(3));
        admin_inquiries(&mut vars).expect("valid");
        assert_eq!(vars["states"], json!(["PENDING_APPROVAL", "APPROVED"]));
        assert_eq!(vars["scope"], "ALL");
        let mut vars = Map::new();
        vars.insert("isInquiry".into(), json!(3));
        assert!(physician_inquiries(&mut vars).is_err());
        let mut vars = Map::new();
        patient_orders(&mut vars).expect("valid");
        assert!(!vars.contains_key("states"));
        let mut vars = Map::new();
        vars.insert("raw".into(), json!(9));
        assert!(physician_orders(&mut vars).is_err());
    }

    #[test]
    fn references_become_lists() {
        assert_eq!(
            reference_list(json!("a, b"), "f").expect("list"),
            vec![json!("a"), json!("b")]
        );
        assert_eq!(
            reference_list(json!("[\"a\"]"), "f").expect("list"),
            vec![json!("a")]
        );
        assert!(reference_list(json!([1]), "f").is_err());
        assert!(reference_list(json!({"a": 1}), "f").is_err());
    }
}
