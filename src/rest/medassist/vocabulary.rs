//! The medassist vocabulary: the one place where GraphQL data becomes the names, JSON types,
//! codes and formats of `shared/seeds/002_9c50656a4d79c16b.txt`.
//!
//! The table itself is `src/rest/contracts/medassist.json` (structures `MedassistUser`,
//! `MedassistInquiry`, `MedassistMedicalRecord`, `MedassistDrugOrder`, …, each property's
//! description naming the domain field); the OpenAPI document's response schemas come from it,
//! and the tests below hold every shape built here to the properties the table lists.
//!
//! Rules, decided once for all 34 routes:
//! - a field the document names (in a request body or a parameter table) keeps the document's
//!   name: `home_addr`, `inquiry_detail`, `reserved_phone`, `appointment_time`,
//!   `diagnostic_description`, `inquiry_video`, `medical_img`, `is_need_by_drug`,
//!   `bind_inquiry_id`, `certificate`, and the camelCase parameters `userUUID`, `medicalId`,
//!   `medical_id`, `isInquiry`, `raw`, `pageSize`;
//! - fields the document does not name are ours, in the document's body style (snake_case);
//! - states are the document's codes (`isInquiry` for an inquiry, `raw` for a drug order) beside
//!   a readable `state`; the states the document has no code for get codes of their own
//!   ([`INQUIRY_REJECTED`], [`INQUIRY_CANCELLED`], [`ORDER_CANCELLED`]);
//! - times are China Standard Time: `appointment_time` as the document writes it
//!   (`YYYY-MM-DD HH:MM`), every other time as `YYYY-MM-DD HH:MM:SS`;
//! - file references (`medical_img`, `certificate`) are one string, several joined by `,`;
//! - a documented field is never null: an absent text is `""`, an absent time `""`.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

/// `isInquiry` of a rejected inquiry (the document has no code for it).
pub const INQUIRY_REJECTED: i64 = 5;
/// `isInquiry` of an inquiry the patient withdrew (the document has no code for it).
pub const INQUIRY_CANCELLED: i64 = 6;
/// `raw` of a cancelled drug order (the document has no code for it).
pub const ORDER_CANCELLED: i64 = 6;

/// The `isInquiry` code of an inquiry state (the administrator's table of the document, the
/// only one that covers every state): 1 finished, 2 accepted but not visited, 3 no physician
/// assigned yet (pending approval or approved), 4 assigned and waiting for the physician;
/// 5 rejected and 6 cancelled are ours.
pub fn inquiry_code(state: &str) -> i64 {
    match state {
        "FINISHED" => 1,
        "ACCEPTED" => 2,
        "ASSIGNED" => 4,
        "REJECTED" => INQUIRY_REJECTED,
        "CANCELLED" => INQUIRY_CANCELLED,
        // PENDING_APPROVAL, APPROVED
        _ => 3,
    }
}

/// The `raw` code of a drug-order state (the document's table: 2 not bought yet, 3 delivered
/// but not received, 4 bought but not delivered, 5 completed; 1 is the filter "bought", the
/// union of 3, 4 and 5); 6 cancelled is ours.
pub fn order_code(state: &str) -> i64 {
    match state {
        "PURCHASED" => 4,
        "DELIVERING" => 3,
        "COMPLETED" => 5,
        "CANCELLED" => ORDER_CANCELLED,
        // AWAITING_CONFIRMATION, AWAITING_PURCHASE
        _ => 2,
    }
}

/// China Standard Time, the zone of the document's times.
fn china() -> Option<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
}

fn formatted(value: &Value, format: &str) -> Value {
    let text = value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .and_then(|at| Some(at.with_timezone(&china()?).format(format).to_string()))
        .unwrap_or_default();
    Value::String(text)
}

/// A time as `YYYY-MM-DD HH:MM:SS`, China Standard Time; `""` when absent.
pub fn time(value: &Value) -> Value {
    formatted(value, "%Y-%m-%d %H:%M:%S")
}

/// `appointment_time` as the document writes it, `YYYY-MM-DD HH:MM` China Standard Time.
pub fn minute(value: &Value) -> Value {
    formatted(value, "%Y-%m-%d %H:%M")
}

/// A text field: `""` when absent.
pub fn text(value: &Value) -> Value {
    match value {
        Value::String(_) => value.clone(),
        Value::Null => Value::String(String::new()),
        other => Value::String(other.to_string()),
    }
}

/// An integer field: 0 when absent.
pub fn int(value: &Value) -> Value {
    if value.is_i64() || value.is_u64() {
        value.clone()
    } else {
        Value::from(0)
    }
}

/// Lower-case form of a GraphQL enum value (`"FEMALE"` -> `"female"`).
pub fn lower(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.to_ascii_lowercase()),
        _ => Value::String(String::new()),
    }
}

/// File references as the document sends them: one string, several joined by `,`.
pub fn joined_urls(files: &Value) -> Value {
    let urls: Vec<&str> = files
        .as_array()
        .map(|files| files.iter().filter_map(|f| f["url"].as_str()).collect())
        .unwrap_or_default();
    Value::String(urls.join(","))
}

/// `MedassistUser`: a `MedassistUser` GraphQL fragment (contacts as the schema discloses them
/// to the caller: masked or hidden for others, `""` when hidden).
pub fn user(user: &Value) -> Value {
    let doctor = &user["doctorProfile"];
    let roles: Vec<Value> = user["roles"]
        .as_array()
        .map(|roles| roles.iter().map(lower).collect())
        .unwrap_or_default();
    json!({
        "uuid": text(&user["uuid"]),
        "username": text(&user["username"]),
        "nickname": text(&user["displayName"]),
        "real_name": text(&user["realName"]),
        "phone": text(&user["phone"]),
        "email": text(&user["email"]),
        "gender": lower(&user["gender"]),
        "home_addr": text(&user["address"]),
        "hospital": text(&doctor["hospitalName"]),
        "department": text(&doctor["department"]),
        "position": text(&doctor["position"]),
        "avatar": text(&user["avatarUrl"]),
        "roles": roles,
        "status": lower(&user["status"]),
        "created_at": time(&user["createdAt"]),
    })
}

/// A user, or null when there is none (an inquiry's physician before assignment).
pub fn maybe_user(value: &Value) -> Value {
    if value.is_null() {
        Value::Null
    } else {
        user(value)
    }
}

/// `MedassistInquiry`: a `MedassistInquiry` GraphQL fragment.
pub fn inquiry(inquiry: &Value) -> Value {
    let state = inquiry["state"].as_str().unwrap_or_default();
    json!({
        "id": int(&inquiry["legacyId"]),
        "type": text(&inquiry["kind"]),
        "inquiry_detail": text(&inquiry["detail"]),
        "reserved_phone": text(&inquiry["reservedPhone"]),
        "appointment_time": minute(&inquiry["appointmentAt"]),
        "home_addr": text(&inquiry["patient"]["address"]),
        "isInquiry": inquiry_code(state),
        "state": lower(&inquiry["state"]),
        "userUUID": text(&inquiry["physician"]["uuid"]),
        "patient": maybe_user(&inquiry["patient"]),
        "physician": maybe_user(&inquiry["physician"]),
        "decline_count": int(&inquiry["declineCount"]),
        "closed_reason": text(&inquiry["closedReason"]),
        "approved_at": time(&inquiry["approvedAt"]),
        "assigned_at": time(&inquiry["assignedAt"]),
        "accepted_at": time(&inquiry["acceptedAt"]),
        "finished_at": time(&inquiry["finishedAt"]),
        "created_at": time(&inquiry["createdAt"]),
        "updated_at": time(&inquiry["updatedAt"]),
    })
}

/// `MedassistMedicalRecord`: a `MedassistRecord` GraphQL fragment.
pub fn record(record: &Value) -> Value {
    let orders: Vec<Value> = record["drugOrders"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|o| {
                    let state = o["state"].as_str().unwrap_or_default();
                    json!({"id": int(&o["legacyId"]), "raw": order_code(state), "state": lower(&o["state"])})
                })
                .collect()
        })
        .unwrap_or_default();
    let inquiry = &record["inquiry"];
    json!({
        "medicalId": int(&record["legacyId"]),
        "bind_inquiry_id": int(&inquiry["legacyId"]),
        "type": text(&inquiry["kind"]),
        "inquiry_detail": text(&inquiry["detail"]),
        "diagnostic_description": text(&record["description"]),
        "inquiry_video": text(&record["video"]["url"]),
        "medical_img": joined_urls(&record["images"]),
        "is_need_by_drug": record["needsDrugs"].as_bool().unwrap_or(false),
        "patient": maybe_user(&record["patient"]),
        "physician": maybe_user(&record["physician"]),
        "drug_orders": orders,
        "created_at": time(&record["createdAt"]),
    })
}

/// `MedassistDrugOrder`: a `MedassistDrugOrder` GraphQL fragment.
pub fn order(order: &Value) -> Value {
    let state = order["state"].as_str().unwrap_or_default();
    json!({
        "id": int(&order["legacyId"]),
        "medical_id": int(&order["recordLegacyId"]),
        "raw": order_code(state),
        "state": lower(&order["state"]),
        "note": text(&order["note"]),
        "certificate": joined_urls(&order["certificates"]),
        "patient": maybe_user(&order["patient"]),
        "physician": maybe_user(&order["physician"]),
        "confirmed_by": maybe_user(&order["confirmedBy"]),
        "confirmed_at": time(&order["confirmedAt"]),
        "purchased_at": time(&order["purchasedAt"]),
        "delivering_at": time(&order["deliveringAt"]),
        "completed_at": time(&order["completedAt"]),
        "cancelled_at": time(&order["cancelledAt"]),
        "cancel_reason": text(&order["cancelReason"]),
        "created_at": time(&order["createdAt"]),
        "updated_at": time(&order["updatedAt"]),
    })
}

/// `MedassistRecordRead`: one audited read of a record.
pub fn record_read(read: &Value) -> Value {
    json!({
        "medicalId": int(&read["recordLegacyId"]),
        "read_at": time(&read["readAt"]),
        "reader": maybe_user(&read["reader"]),
    })
}

/// `MedassistFile`: a stored file (`POST /api/upload`).
pub fn file(file: &Value) -> Value {
    let mut out = json!({
        "address": text(&file["hash"]),
        "url": text(&file["url"]),
        "size": int(&file["size"]),
        "content_type": text(&file["contentType"]),
    });
    if let Some(obj) = out.as_object_mut() {
        for key in ["width", "height"] {
            if let Some(v) = file.get(key).filter(|v| !v.is_null()) {
                obj.insert(key.into(), v.clone());
            }
        }
    }
    out
}

/// `MedassistImportReport`: the per-row report of a bulk import.
pub fn import_report(report: &Value) -> Value {
    let rows: Vec<Value> = report["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    json!({
                        "row": int(&r["row"]),
                        "ok": r["ok"].as_bool().unwrap_or(false),
                        "imported": r["imported"].as_bool().unwrap_or(false),
                        "user_id": int(&r["userId"]),
                        "field": text(&r["field"]),
                        "error": text(&r["error"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "total": int(&report["total"]),
        "imported": int(&report["imported"]),
        "failed": int(&report["failed"]),
        "rows": rows,
    })
}

/// `{list, total, page, pageSize}`: a list the document does not page, whole unless the client
/// asked for a page.
pub fn list(items: Vec<Value>, total: &Value, page: Value, page_size: Value) -> Value {
    crate::rest::object([
        ("list", Value::Array(items)),
        ("total", int(total)),
        ("page", page),
        ("pageSize", page_size),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::{Dialect, contract};

    /// The property names the contract table lists for `structure`.
    fn table(structure: &str) -> Vec<String> {
        let mut names: Vec<String> =
            contract::contract(Dialect::Medassist).structures[structure]["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
        names.sort();
        names
    }

    fn keys(value: &Value) -> Vec<String> {
        let mut names: Vec<String> = value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn every_shape_has_exactly_the_tables_names() {
        let user_data = json!({"uuid": "u", "roles": ["DOCTOR"], "gender": "MALE", "status": "ACTIVE", "createdAt": "2024-10-02T12:30:00Z"});
        assert_eq!(keys(&user(&user_data)), table("MedassistUser"));
        let inquiry_data = json!({"legacyId": 2, "state": "ASSIGNED", "patient": user_data, "physician": user_data, "appointmentAt": "2024-10-02T12:30:00Z"});
        assert_eq!(keys(&inquiry(&inquiry_data)), table("MedassistInquiry"));
        let record_data = json!({"legacyId": 5, "inquiry": {"legacyId": 2}, "images": [{"url": "a"}, {"url": "b"}], "drugOrders": {"nodes": [{"legacyId": 7, "state": "DELIVERING"}]}});
        let shaped = record(&record_data);
        assert_eq!(keys(&shaped), table("MedassistMedicalRecord"));
        assert_eq!(shaped["medical_img"], "a,b");
        assert_eq!(shaped["drug_orders"][0]["raw"], 3);
        let order_data = json!({"legacyId": 7, "state": "CANCELLED"});
        let shaped = order(&order_data);
        assert_eq!(keys(&shaped), table("MedassistDrugOrder"));
        assert_eq!(shaped["raw"], ORDER_CANCELLED);
        assert_eq!(
            keys(&import_report(&json!({"rows": []}))),
            table("MedassistImportReport")
        );
        assert_eq!(keys(&record_read(&json!({}))), table("MedassistRecordRead"));
    }

    #[test]
    fn times_are_china_time_in_the_documents_format() {
        assert_eq!(minute(&json!("2024-10-02T12:30:00Z")), "2024-10-02 20:30");
        assert_eq!(time(&json!("2024-10-02T16:30:05Z")), "2024-10-03 00:30:05");
        assert_eq!(time(&Value::Null), "");
    }

    #[test]
    fn codes_follow_the_document() {
        assert_eq!(inquiry_code("PENDING_APPROVAL"), 3);
        assert_eq!(inquiry_code("APPROVED"), 3);
        assert_eq!(inquiry_code("ASSIGNED"), 4);
        assert_eq!(inquiry_code("ACCEPTED"), 2);
        assert_eq!(inquiry_code("FINISHED"), 1);
        assert_eq!(inquiry_code("REJECTED"), INQUIRY_REJECTED);
        assert_eq!(order_code("AWAITING_CONFIRMATION"), 2);
        assert_eq!(order_code("AWAITING_PURCHASE"), 2);
        assert_eq!(order_code("PURCHASED"), 4);
        assert_eq!(order_code("DELIVERING"), 3);
        assert_eq!(order_code("COMPLETED"), 5);
    }
}
