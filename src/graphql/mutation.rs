//! Mutation root, merged from one object per area.

use async_graphql::{Context, ID, MergedObject, Object, Upload};
use bytes::Bytes;

use super::care::CareMutation;
use super::clinics::ClinicMutation;
use super::community::CommunityMutation;
use super::community_reviews::CommunityReviewMutation;
use super::counseling::CounselingMutation;
use super::identity::IdentityMutation;
use super::interviews::InterviewMutation;
use super::node::decode_int_id;
use super::recharge::RechargeMutation;
use super::social::SocialMutation;
use super::types::StoredFile;
use super::{auth, read_upload, services};
use crate::domain::{files, notifications};
use crate::policy;
use crate::storage::FileKind;

/// The entry point of every change: accounts, posts, clinics, registrations, orders and more.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    IdentityMutation,
    CareMutation,
    CommunityMutation,
    CounselingMutation,
    InterviewMutation,
    SocialMutation,
    RechargeMutation,
    FileMutation,
    NotificationMutation,
    CommunityReviewMutation,
    super::volunteer::VolunteerMutation,
    ClinicMutation,
    super::registrations::RegistrationMutation,
    super::assistants::AssistantMutation,
    super::role_reviews::RoleReviewMutation,
);

/// Uploads.
#[derive(Default)]
pub struct FileMutation;

/// Uploads.
#[Object]
impl FileMutation {
    /// Uploads a file (GraphQL multipart request). The type is sniffed from the bytes and must be
    /// allowed for `kind`; the same bytes uploaded twice give the same file. Requires a login.
    async fn upload_file(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file part of the multipart request.")] file: Upload,
        #[graphql(desc = "What the file must be.", default_with = "FileKind::Any")] kind: FileKind,
    ) -> async_graphql::Result<StoredFile> {
        let viewer = policy::require_uploader(auth(ctx))?.clone();
        let services = services(ctx)?;
        let (name, bytes) = read_upload(ctx, file, services.files.max_upload_bytes()).await?;
        let model = files::upload(
            &services.db,
            &services.files,
            Bytes::from(bytes),
            Some(&name),
            kind,
            Some(viewer.user_id),
        )
        .await?;
        Ok(StoredFile(model))
    }
}

/// The caller's notifications.
#[derive(Default)]
pub struct NotificationMutation;

/// The caller's notifications.
#[Object]
impl NotificationMutation {
    /// Marks the caller's notifications read: the given ones, or all when `ids` is omitted.
    /// Returns how many changed.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "IDs of the notifications to mark read; all of the caller's when omitted."
        )]
        ids: Option<Vec<ID>>,
    ) -> async_graphql::Result<u64> {
        let viewer = auth(ctx).require()?;
        let ids = ids
            .map(|ids| {
                ids.iter()
                    .map(|id| decode_int_id(id, "Notification"))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(notifications::mark_read(&services(ctx)?.db, viewer.user_id, ids.as_deref()).await?)
    }
}
