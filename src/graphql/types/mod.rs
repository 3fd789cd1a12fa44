//! GraphQL object types over domain models. Every field has a doc comment: GraphiQL shows it.
//!
//! Resolver futures stay small. async-graphql resolves every selected field of an object in a
//! future of its own, allocated on the heap, whose size is that of the type's largest field
//! resolver: one field that awaits a sea-orm statement or a DataLoader inline (hundreds to
//! thousands of bytes of state) makes every field of the type, `displayName` included, allocate
//! and copy that much. So a resolver boxes such work (`Box::pin(…).await`), above all where the
//! answer usually comes from the request's read-ahead maps without waiting at all.

mod care;
mod clinics;
mod community;
mod community_reviews;
mod consultation;
mod file;
mod interview;
mod notification;
mod profiles;
mod region;
mod social;
mod user;
mod volunteer;

pub use care::{CareUpdate, DrugOrder, Inquiry, MedicalRecord, RecordRead};
pub(crate) use clinics::file_url;
pub use clinics::{
    FreeClinic, FreeClinicBookingState, FreeClinicSlot, FreeClinicState, Hospital, MembershipState,
    Organization, OrganizationMembership, SpecialProject,
};
pub(crate) use community::user_of;
pub use community::{
    CoinEntry, Comment, IncomeRankEntry, IncomeRanking, MyIncomeRank, Post, Wallet,
};
pub use community_reviews::{Checkin, CheckinReceipt, DoctorCertification, Report, VipMembership};
pub use consultation::{
    ConsultantComment, ConsultationDashboard, ConsultationOrder, DutyDay, DutySlot, Suspension,
};
pub use file::StoredFile;
pub use interview::{
    ClientProfile, CounselingTemplate, CrisisAlert, EmergencyContact, InterviewArchive,
    InterviewSession,
};
pub use notification::Notification;
pub use profiles::{
    AssistantProfile, ConsultantProfile, DoctorProfile, MaritalStatus, PatientProfile, VerifyState,
};
pub use region::{Region, RegionLevel};
pub(crate) use social::verification_of_user;
pub use social::{ShippingAddress, Verification, VerificationKind, VerificationState};
pub use user::{AccountStatus, FieldDisclosure, Gender, User};
pub use volunteer::{Banner, ChatDialog, ChatMessage, Message, MessageKind, News};

use super::loaders::Loaders;

/// The request's loaders.
pub(crate) fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
}
