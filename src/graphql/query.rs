//! Query root, merged from one object per area.

use async_graphql::{Context, ID, MergedObject, Object};

use super::care::CareQuery;
use super::clinics::ClinicQuery;
use super::community::CommunityQuery;
use super::community_reviews::CommunityReviewQuery;
use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::counseling::CounselingQuery;
use super::identity::IdentityQuery;
use super::interviews::InterviewQuery;
use super::loaders::load_err;
use super::node::{Node, decode_global_id};
use super::recharge::RechargeQuery;
use super::social::SocialQuery;
use super::types::{
    ClientProfile, Comment, ConsultationOrder, DrugOrder, Inquiry, InterviewArchive,
    InterviewSession, MedicalRecord, Notification, Post, Region, RegionLevel, ShippingAddress,
    StoredFile, User, Verification, loaders,
};
use super::{auth, services};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::regions::{self, RegionFilter};
use crate::domain::{
    addresses, care, consultations, files, interviews, notifications, verifications,
};
use crate::error::AppError;

/// The entry point of every read: users, posts, free clinics, inquiries, counselling and more.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    NodeQuery,
    super::role_reviews::RoleReviewQuery,
    IdentityQuery,
    CareQuery,
    CommunityQuery,
    CounselingQuery,
    InterviewQuery,
    SocialQuery,
    RechargeQuery,
    RegionQuery,
    FileQuery,
    CommunityReviewQuery,
    super::volunteer::VolunteerQuery,
    ClinicQuery,
    super::registrations::RegistrationQuery,
    super::assistants::AssistantQuery,
);

/// Relay object identification.
#[derive(Default)]
pub struct NodeQuery;

/// Relay object identification.
#[Object]
impl NodeQuery {
    /// Fetches any object by its global ID; null when it does not exist or is not visible.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID, as any object's `id` field gives it.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        resolve_node(ctx, &id).await
    }

    /// Fetches several objects by global ID, in the given order (at most 100).
    #[graphql(complexity = "ids.len() * child_complexity + 1")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Global IDs; the answer has one entry per ID, in the same order (null where not visible)."
        )]
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > 100 {
            return Err(AppError::bad_field("ids", "at most 100 ids at once").into());
        }
        // Resolved together so the loaders batch ids of one type into one statement.
        futures::future::join_all(ids.iter().map(|id| resolve_node(ctx, id)))
            .await
            .into_iter()
            .collect()
    }
}

async fn resolve_node(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    let (ty, key) = decode_global_id(id)?;
    let bad = || AppError::bad_field("id", "malformed ID");
    let loaders = loaders(ctx)?;
    Ok(match ty.as_str() {
        "Region" => loaders
            .region
            .load_one(key.parse::<i32>().map_err(|_| bad())?)
            .await
            .map_err(load_err)?
            .map(|r| Node::Region(Region(r))),
        "User" => loaders
            .user
            .load_one(key.parse::<i64>().map_err(|_| bad())?)
            .await
            .map_err(load_err)?
            .filter(|u| {
                u.status != crate::domain::accounts::status::DEACTIVATED || auth(ctx).is_admin()
            })
            .map(|u| Node::User(User(u))),
        "StoredFile" => files::find(&services(ctx)?.db, &key)
            .await?
            .map(|f| Node::StoredFile(StoredFile(f))),
        "Notification" => {
            let id = key.parse::<i64>().map_err(|_| bad())?;
            notifications::find_visible(&services(ctx)?.db, auth(ctx), id)
                .await?
                .map(|n| Node::Notification(Notification(n)))
        }
        "ConsultationOrder" => {
            let id = key.parse::<i64>().map_err(|_| bad())?;
            match auth(ctx).viewer.as_ref() {
                Some(viewer) => consultations::find(&services(ctx)?.db, viewer, id)
                    .await?
                    .map(|m| Node::ConsultationOrder(ConsultationOrder(m))),
                None => None,
            }
        }
        "InterviewArchive" | "InterviewSession" | "ClientProfile" => {
            let id = key.parse::<i64>().map_err(|_| bad())?;
            let Some(viewer) = auth(ctx).viewer.as_ref() else {
                return Ok(None);
            };
            let db = &services(ctx)?.db;
            match ty.as_str() {
                "InterviewArchive" => interviews::find_archive(db, viewer, id)
                    .await?
                    .map(|m| Node::InterviewArchive(InterviewArchive(m))),
                "InterviewSession" => interviews::find_session(db, viewer, id)
                    .await?
                    .map(|m| Node::InterviewSession(InterviewSession(m))),
                _ => interviews::find_profile(db, viewer, id)
                    .await?
                    .map(|m| Node::ClientProfile(ClientProfile(m))),
            }
        }
        "Inquiry" | "MedicalRecord" | "DrugOrder" => {
            let id = key.parse::<i64>().map_err(|_| bad())?;
            let Some(viewer) = auth(ctx).viewer.as_ref() else {
                return Ok(None);
            };
            let db = &services(ctx)?.db;
            match ty.as_str() {
                "Inquiry" => care::find_inquiry(db, viewer, id)
                    .await?
                    .map(|m| Node::Inquiry(Inquiry(m))),
                "MedicalRecord" => care::find_record(db, viewer, id)
                    .await?
                    .map(|m| Node::MedicalRecord(MedicalRecord(m))),
                _ => care::find_order(db, viewer, id)
                    .await?
                    .map(|m| Node::DrugOrder(DrugOrder(m))),
            }
        }
        "Post" => loaders
            .community
            .post
            .load_one(key.parse::<i64>().map_err(|_| bad())?)
            .await
            .map_err(load_err)?
            .map(|p| Node::Post(Post(p))),
        "Comment" => crate::domain::posts::find_comment(
            &services(ctx)?.db,
            key.parse::<i64>().map_err(|_| bad())?,
        )
        .await?
        .map(|c| Node::Comment(Comment(c))),
        "News" | "Message" | "ChatDialog" | "ChatMessage" => {
            super::volunteer::resolve_node(ctx, &ty, &key).await?
        }
        "Hospital"
        | "Organization"
        | "OrganizationMembership"
        | "SpecialProject"
        | "FreeClinic" => super::clinics::resolve_node(ctx, &ty, &key).await?,
        "Report" | "DoctorCertification" => {
            super::community_reviews::resolve_node(ctx, &ty, &key).await?
        }
        "RechargeOrder" => {
            let id = key.parse::<i64>().map_err(|_| bad())?;
            let Some(viewer) = auth(ctx).viewer.as_ref() else {
                return Ok(None);
            };
            crate::domain::recharge::find(&services(ctx)?.db, viewer, id)
                .await?
                .map(|m| Node::RechargeOrder(super::recharge::RechargeOrder(m)))
        }
        "ShippingAddress" => {
            let id = key.parse::<i64>().map_err(|_| bad())?;
            let Some(viewer) = auth(ctx).viewer.as_ref() else {
                return Ok(None);
            };
            addresses::find(&services(ctx)?.db, viewer, id)
                .await?
                .map(|m| Node::ShippingAddress(ShippingAddress(m)))
        }
        "Verification" => {
            let id = key.parse::<i64>().map_err(|_| bad())?;
            verifications::find(&services(ctx)?.db, id)
                .await?
                .map(|m| Node::Verification(Verification(m)))
        }
        _ => return Err(AppError::bad_field("id", format!("unknown type {ty}")).into()),
    })
}

/// Regions of China.
#[derive(Default)]
pub struct RegionQuery;

/// Regions of China.
#[Object]
impl RegionQuery {
    /// Regions in the official order: children of `parentCode` (0 = provinces), of a `level`,
    /// or with a `name` (full or short).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn regions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Code of the enclosing region; 0 lists provinces.")] parent_code: Option<
            i32,
        >,
        #[graphql(desc = "Only regions of this level.")] level: Option<RegionLevel>,
        #[graphql(desc = "Exact full or short name, e.g. `北京市` or `北京`.")] name: Option<
            String,
        >,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Region>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = RegionFilter {
            parent_id: parent_code,
            level: level.map(RegionLevel::number),
            name,
        };
        let page = regions::list(&services(ctx)?.db, &filter, window, wants_total(ctx)).await?;
        Ok(to_connection(page, Region))
    }

    /// A region by its 6-digit code.
    async fn region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The region's 6-digit administrative code (e.g. 330100 for 杭州市).")]
        code: i32,
    ) -> async_graphql::Result<Option<Region>> {
        Ok(loaders(ctx)?
            .region
            .load_one(code)
            .await
            .map_err(load_err)?
            .map(Region))
    }

    /// The counties (districts) of a city given by full or short name; a municipality's name
    /// gives all its districts.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn districts_of_city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "City name, e.g. `杭州市`, `杭州` or `北京市`.")] name: String,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Region>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            regions::districts_of_city(&services(ctx)?.db, &name, window, wants_total(ctx)).await?;
        Ok(to_connection(page, Region))
    }
}

/// Stored files.
#[derive(Default)]
pub struct FileQuery;

/// Stored files.
#[Object]
impl FileQuery {
    /// A stored file by its SHA-256 address.
    async fn file(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file's SHA-256 (hex), as in its `/files/{hash}` address.")]
        hash: String,
    ) -> async_graphql::Result<Option<StoredFile>> {
        Ok(files::find(&services(ctx)?.db, &hash.to_ascii_lowercase())
            .await?
            .map(StoredFile))
    }
}
