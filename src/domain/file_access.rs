//! Sensitive files follow their record: a stored file referenced by a medical record (video,
//! images), a drug order's certificate, a casebook, a diagnosis result (registration), a
//! counselling session (signature, attachments), a user verification (ID card, organization
//! certificate) or a doctor certification is served only to those who may read one of those
//! records, by that record's own read rule in `crate::policy` (or the domain rule it already
//! has), and every such read is written to the audit log under the record, beside its other
//! reads. Every other file (avatars, news and post images, templates) stays public.
//!
//! A record refers to a file by its SHA-256 address, bare or at the end of a URL, alone in a
//! column or inside a JSON array: a 64-hex-digit address found in the column is a reference
//! (the address cannot occur by accident inside another one's text).

use entity::{
    casebook, doctor_certification, drug_order, interview_session, medical_record, registration,
    user_verification,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::audit;
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::policy;

/// The sensitive records that refer to a file.
#[derive(Debug, Default)]
pub struct References {
    pub medical_records: Vec<medical_record::Model>,
    pub drug_orders: Vec<drug_order::Model>,
    pub casebooks: Vec<casebook::Model>,
    pub registrations: Vec<registration::Model>,
    pub interview_sessions: Vec<interview_session::Model>,
    pub verifications: Vec<user_verification::Model>,
    pub certifications: Vec<doctor_certification::Model>,
}

impl References {
    /// Whether no sensitive record refers to the file: it is public.
    pub fn is_empty(&self) -> bool {
        self.medical_records.is_empty()
            && self.drug_orders.is_empty()
            && self.casebooks.is_empty()
            && self.registrations.is_empty()
            && self.interview_sessions.is_empty()
            && self.verifications.is_empty()
            && self.certifications.is_empty()
    }
}

/// The condition "one of `columns` mentions `hash`".
fn mentions<C: ColumnTrait>(columns: &[C], hash: &str) -> Condition {
    columns
        .iter()
        .fold(Condition::any(), |any, c| any.add(c.contains(hash)))
}

/// Every sensitive record that refers to the file `hash` (a valid, lower-case address).
pub async fn references<C: ConnectionTrait>(db: &C, hash: &str) -> AppResult<References> {
    use entity::{
        casebook as cb, doctor_certification as dc, drug_order as dro, interview_session as is,
        medical_record as mr, registration as rg, user_verification as uv,
    };
    Ok(References {
        medical_records: mr::Entity::find()
            .filter(mentions(
                &[mr::Column::VideoFile, mr::Column::ImageFiles],
                hash,
            ))
            .all(db)
            .await?,
        drug_orders: dro::Entity::find()
            .filter(mentions(&[dro::Column::CertificateFiles], hash))
            .all(db)
            .await?,
        casebooks: cb::Entity::find()
            .filter(mentions(&[cb::Column::Photos], hash))
            .all(db)
            .await?,
        registrations: rg::Entity::find()
            .filter(mentions(&[rg::Column::ResultPhotos], hash))
            .all(db)
            .await?,
        interview_sessions: is::Entity::find()
            .filter(mentions(
                &[is::Column::SignatureFile, is::Column::AttachmentFiles],
                hash,
            ))
            .all(db)
            .await?,
        verifications: uv::Entity::find()
            .filter(mentions(
                &[
                    uv::Column::IdFront,
                    uv::Column::IdRear,
                    uv::Column::OrgCertificate,
                ],
                hash,
            ))
            .all(db)
            .await?,
        certifications: dc::Entity::find()
            .filter(mentions(
                &[dc::Column::QualificationFile, dc::Column::PracticeFile],
                hash,
            ))
            .all(db)
            .await?,
    })
}

/// The records of `refs` that `viewer` may read, as audit subjects `(type, id, owner)`, each
/// by its record's read rule.
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    refs: &References,
) -> AppResult<Vec<(&'static str, i64, Option<i64>)>> {
    let mut out = Vec::new();
    for r in &refs.medical_records {
        if policy::care::can_read_record(viewer, r) {
            out.push(("MedicalRecord", r.id, Some(r.patient_id)));
        }
    }
    for o in &refs.drug_orders {
        if policy::care::can_see_order(viewer, o) {
            out.push(("DrugOrder", o.id, Some(o.patient_id)));
        }
    }
    for r in &refs.registrations {
        if super::registrations::may_read(viewer, r) {
            out.push(("Registration", r.id, Some(r.patient_id)));
        }
    }
    if !refs.casebooks.is_empty() {
        // A casebook is read by its patient and through the registrations it joined.
        let joined = registration::Entity::find()
            .filter(registration::Column::CasebookId.is_in(refs.casebooks.iter().map(|c| c.id)))
            .all(db)
            .await?;
        for c in &refs.casebooks {
            let through_registration = joined
                .iter()
                .any(|r| r.casebook_id == Some(c.id) && super::registrations::may_read(viewer, r));
            if c.patient_id == viewer.user_id || viewer.is_admin() || through_registration {
                out.push(("Casebook", c.id, Some(c.patient_id)));
            }
        }
    }
    for s in &refs.interview_sessions {
        if policy::counseling::keeps_session(viewer, s) {
            out.push(("InterviewSession", s.id, None));
        }
    }
    for v in &refs.verifications {
        let d = policy::masking::disclosure(Some(viewer.user_id), viewer.is_admin(), v.user_id);
        if policy::masking::verification_image(d, Some("")).is_some() {
            out.push(("UserVerification", v.id, Some(v.user_id)));
        }
    }
    for c in &refs.certifications {
        if policy::community::may_read_private(Some(viewer), c.user_id) {
            out.push(("DoctorCertification", c.id, Some(c.user_id)));
        }
    }
    Ok(out)
}

/// Whether `viewer` may fetch a file referred to by `refs`; when they may, the read is written
/// to the audit log first (under each record they may read). `false`: they may read none.
pub async fn authorize_read<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    refs: &References,
) -> AppResult<bool> {
    let subjects = readable(db, viewer, refs).await?;
    if subjects.is_empty() {
        return Ok(false);
    }
    for kind in [
        "MedicalRecord",
        "DrugOrder",
        "Registration",
        "Casebook",
        "InterviewSession",
        "UserVerification",
        "DoctorCertification",
    ] {
        audit::reads(
            db,
            viewer,
            kind,
            subjects
                .iter()
                .filter(|(k, _, _)| *k == kind)
                .map(|(_, id, owner)| (*id, *owner)),
        )
        .await?;
    }
    Ok(true)
}
