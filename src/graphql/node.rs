//! Relay global object identification: opaque global IDs and the `Node` interface.

use async_graphql::{ID, Interface};
use base64::Engine;

use super::types::{ChatDialog, ChatMessage, Message, News};
use super::types::{
    ClientProfile, Comment, ConsultationOrder, DrugOrder, Inquiry, InterviewArchive,
    InterviewSession, MedicalRecord, Notification, Post, Region, ShippingAddress, StoredFile, User,
    Verification,
};
use super::types::{DoctorCertification, Report};
use super::types::{FreeClinic, Hospital, Organization, OrganizationMembership, SpecialProject};
use crate::error::{AppError, AppResult};

/// An object with a globally unique, opaque ID that `node(id:)` resolves.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Globally unique, opaque identifier."))]
// The enum lives for one resolution; boxing the user would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Region(Region),
    StoredFile(StoredFile),
    User(User),
    Notification(Notification),
    Inquiry(Inquiry),
    MedicalRecord(MedicalRecord),
    DrugOrder(DrugOrder),
    ConsultationOrder(ConsultationOrder),
    InterviewArchive(InterviewArchive),
    InterviewSession(InterviewSession),
    ClientProfile(ClientProfile),
    Post(Post),
    RechargeOrder(super::recharge::RechargeOrder),
    Comment(Comment),
    Report(Report),
    DoctorCertification(DoctorCertification),
    ShippingAddress(ShippingAddress),
    Verification(Verification),
    News(News),
    Message(Message),
    ChatDialog(ChatDialog),
    ChatMessage(ChatMessage),
    Hospital(Hospital),
    Organization(Organization),
    OrganizationMembership(OrganizationMembership),
    SpecialProject(SpecialProject),
    FreeClinic(FreeClinic),
}

/// Encodes a global ID from a type name and a key.
pub fn global_id(type_name: &str, key: impl std::fmt::Display) -> ID {
    ID(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{type_name}:{key}")))
}

/// Decodes a global ID into its type name and key.
pub fn decode_global_id(id: &str) -> AppResult<(String, String)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .map_err(|_| AppError::bad_field("id", "malformed ID"))?;
    let text = String::from_utf8(bytes).map_err(|_| AppError::bad_field("id", "malformed ID"))?;
    let (ty, key) = text
        .split_once(':')
        .ok_or_else(|| AppError::bad_field("id", "malformed ID"))?;
    Ok((ty.to_owned(), key.to_owned()))
}

/// Decodes a global ID that must be of `expected` type with an integer key.
pub fn decode_int_id(id: &str, expected: &str) -> AppResult<i64> {
    let (ty, key) = decode_global_id(id)?;
    if ty != expected {
        return Err(AppError::bad_field(
            "id",
            format!("expected a {expected} ID, got a {ty} ID"),
        ));
    }
    key.parse()
        .map_err(|_| AppError::bad_field("id", "malformed ID"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = global_id("Region", 110105);
        assert_eq!(decode_int_id(&id, "Region").ok(), Some(110105));
        assert!(decode_int_id(&id, "User").is_err());
        assert!(decode_global_id("%%%").is_err());
    }
}
