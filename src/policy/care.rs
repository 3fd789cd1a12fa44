//! Who may see and move home-care records: inquiries, medical records and drug purchase
//! orders. Medical data is visible to the patient, the physician in charge and administrators;
//! hospital staff see the drug orders they confirm, never the records behind them.

use entity::{drug_order, inquiry, medical_record};

use crate::auth::{Role, Viewer};

/// An inquiry is visible to its patient, the physician it is assigned to, and administrators.
pub fn can_see_inquiry(viewer: &Viewer, inquiry: &inquiry::Model) -> bool {
    viewer.is_admin()
        || inquiry.patient_id == viewer.user_id
        || inquiry.physician_id == Some(viewer.user_id)
}

/// A medical record is visible to its patient, its physician and administrators only.
pub fn can_read_record(viewer: &Viewer, record: &medical_record::Model) -> bool {
    viewer.is_admin()
        || record.patient_id == viewer.user_id
        || record.physician_id == viewer.user_id
}

/// A drug order is visible to the patient, the physician, administrators, and hospital staff
/// while it awaits confirmation or once they confirmed or cancelled it.
pub fn can_see_order(viewer: &Viewer, order: &drug_order::Model) -> bool {
    viewer.is_admin()
        || order.patient_id == viewer.user_id
        || order.physician_id == viewer.user_id
        || (viewer.has(Role::HospitalStaff)
            && (order.state == "awaiting_confirmation"
                || order.confirmed_by == Some(viewer.user_id)
                || order.cancelled_by == Some(viewer.user_id)))
}

/// Hospital staff (or administrators) confirm and cancel drug orders.
pub fn can_confirm_orders(viewer: &Viewer) -> bool {
    viewer.is_admin() || viewer.has(Role::HospitalStaff)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn viewer(user_id: i64, roles: &[Role]) -> Viewer {
        Viewer {
            user_id,
            token_id: 1,
            roles: roles.to_vec(),
        }
    }

    fn record() -> medical_record::Model {
        medical_record::Model {
            id: 1,
            inquiry_id: 1,
            patient_id: 10,
            physician_id: 20,
            description: None,
            video_file: String::new(),
            image_files: "[]".into(),
            needs_drugs: true,
            created_at: Utc::now(),
        }
    }

    fn order(state: &str, confirmed_by: Option<i64>) -> drug_order::Model {
        let now = Utc::now();
        drug_order::Model {
            id: 1,
            record_id: 1,
            patient_id: 10,
            physician_id: 20,
            state: state.into(),
            note: None,
            confirmed_by,
            confirmed_at: None,
            purchased_at: None,
            certificate_files: "[]".into(),
            delivering_at: None,
            completed_at: None,
            cancelled_by: None,
            cancelled_at: None,
            cancel_reason: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn records_are_for_the_patient_the_physician_and_administrators() {
        let r = record();
        assert!(can_read_record(&viewer(10, &[Role::Patient]), &r));
        assert!(can_read_record(&viewer(20, &[Role::Doctor]), &r));
        assert!(can_read_record(&viewer(1, &[Role::Administrator]), &r));
        assert!(!can_read_record(&viewer(21, &[Role::Doctor]), &r));
        assert!(!can_read_record(&viewer(30, &[Role::HospitalStaff]), &r));
    }

    #[test]
    fn staff_see_orders_they_handle() {
        let staff = viewer(30, &[Role::HospitalStaff]);
        assert!(can_see_order(&staff, &order("awaiting_confirmation", None)));
        assert!(can_see_order(&staff, &order("purchased", Some(30))));
        assert!(!can_see_order(&staff, &order("purchased", Some(31))));
        assert!(!can_see_order(
            &viewer(11, &[Role::Patient]),
            &order("awaiting_confirmation", None)
        ));
    }
}
