//! Role applications and their reviews in GraphQL: roles are granted, never taken. Rules live
//! in `domain::role_reviews` and `domain::memberships`.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::user_role;

use super::clinics::key_of;
use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::loaders::load_err;
use super::node::decode_int_id;
use super::types::{OrganizationMembership, User, loaders};
use super::{auth, services};
use crate::auth::Role;
use crate::domain::memberships;
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::role_reviews::{self, RoleDecision, RoleState};
use crate::error::AppError;

/// A role of a user with its review state: an application while pending, a granted role once
/// approved. Only the user, administrators and (for consultants) their organization's
/// administrators see it.
#[derive(Clone, Debug)]
pub struct RoleApplication(pub user_role::Model);

/// An application for a care role (doctor, assistant, consultant, hospital staff) and its
/// review: pending until an administrator (for consultants, also their organization's
/// administrator) approves or rejects it; an approval can be revoked.
#[Object]
impl RoleApplication {
    /// The user who holds or applied for the role.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.user_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// The role.
    async fn role(&self) -> Option<Role> {
        self.0.role.parse().ok()
    }

    /// Where the review stands; only `APPROVED` roles act.
    async fn state(&self) -> RoleState {
        RoleState::stored(&self.0.state)
    }

    /// The legacy `is_verify` code: 0 pending (待核验), 1 approved (启用), 2 rejected or
    /// revoked (禁用).
    async fn legacy_verify_state(&self) -> i16 {
        RoleState::stored(&self.0.state).legacy_code()
    }

    /// When the role was applied for (or applied for again), or granted.
    async fn applied_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }

    /// The reviewer's reason (rejections and revocations).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// Role applications to review.
#[derive(Default)]
pub struct RoleReviewQuery;

#[Object]
impl RoleReviewQuery {
    /// Role applications and decisions, oldest first: every doctor, assistant, consultant and
    /// hospital staff role for administrators; the consultants of their organizations for an
    /// organization's administrators.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn role_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only roles in this state (e.g. `PENDING`).")] state: Option<RoleState>,
        #[graphql(desc = "Only this role.")] role: Option<Role>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<RoleApplication>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = role_reviews::list(
            &services(ctx)?.db,
            viewer,
            state,
            role,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, RoleApplication))
    }

    /// The caller's roles with their review state, applications included.
    async fn my_role_applications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<RoleApplication>> {
        let viewer = auth(ctx).require()?;
        Ok(role_reviews::states_of(&services(ctx)?.db, viewer.user_id)
            .await?
            .into_iter()
            .map(|(_, row)| RoleApplication(row))
            .collect())
    }
}

/// Reviewing roles and organization administrators.
#[derive(Default)]
pub struct RoleReviewMutation;

#[Object]
impl RoleReviewMutation {
    /// Reviews a user's role: `APPROVE` a pending (or rejected, or revoked) one, `REJECT` a
    /// pending application, `REVOKE` an approved role. Administrators review every role; an
    /// organization's administrators review consultants who applied to their organization.
    /// The user is notified; a stale decision is `CONFLICT`. A revoked role stops acting at the
    /// user's next request.
    async fn review_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user (global ID).")] user_id: ID,
        #[graphql(desc = "The role reviewed.")] role: Role,
        #[graphql(desc = "The decision.")] decision: RoleDecision,
        #[graphql(desc = "A reason shown to the user (at most 500 characters).")] note: Option<
            String,
        >,
    ) -> async_graphql::Result<RoleApplication> {
        let viewer = auth(ctx).require()?;
        let user_id = decode_int_id(&user_id, "User")
            .map_err(|_| AppError::bad_field("userId", "expected a User ID"))?;
        let row =
            role_reviews::review(services(ctx)?, viewer, user_id, role, decision, note).await?;
        Ok(RoleApplication(row))
    }

    /// Makes an approved member an administrator of its organization, or takes that back
    /// (platform administrators). Organization administrators review the organization's
    /// consultants and see its rosters and crisis alerts.
    async fn set_organization_administrator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The approved membership.")] membership_id: ID,
        #[graphql(desc = "Whether the member administers the organization.")] is_admin: bool,
    ) -> async_graphql::Result<OrganizationMembership> {
        let viewer = auth(ctx).require()?;
        let id = key_of(&membership_id, "OrganizationMembership", "membershipId")?;
        let m = memberships::set_admin(&services(ctx)?.db, viewer, id, is_admin).await?;
        Ok(OrganizationMembership(m))
    }
}
