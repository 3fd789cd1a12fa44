//! Re-exports of every entity under a distinct name.

pub use super::assistant_profile::Entity as AssistantProfile;
pub use super::audit_entry::Entity as AuditEntry;
pub use super::captcha::Entity as Captcha;
pub use super::client_profile::Entity as ClientProfile;
pub use super::consultant_comment::Entity as ConsultantComment;
pub use super::consultant_profile::Entity as ConsultantProfile;
pub use super::consultation_order::Entity as ConsultationOrder;
pub use super::counseling_template::Entity as CounselingTemplate;
pub use super::doctor_profile::Entity as DoctorProfile;
pub use super::drug_order::Entity as DrugOrder;
pub use super::duty_slot::Entity as DutySlot;
pub use super::inquiry::Entity as Inquiry;
pub use super::interview_archive::Entity as InterviewArchive;
pub use super::interview_session::Entity as InterviewSession;
pub use super::medical_record::Entity as MedicalRecord;
pub use super::notification::Entity as Notification;
pub use super::patient_profile::Entity as PatientProfile;
pub use super::region::Entity as Region;
pub use super::session_token::Entity as SessionToken;
pub use super::shipping_address::Entity as ShippingAddress;
pub use super::stored_file::Entity as StoredFile;
pub use super::suspension::Entity as Suspension;
pub use super::user::Entity as User;
pub use super::user_role::Entity as UserRole;
pub use super::user_verification::Entity as UserVerification;
pub use super::verification_code::Entity as VerificationCode;
