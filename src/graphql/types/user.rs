use async_graphql::{Context, Enum, ID, Object, SelectionField};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::user;

use super::profiles::{AssistantProfile, ConsultantProfile, DoctorProfile, PatientProfile};
use super::{CoinEntry, Notification, Region, StoredFile, Wallet, loaders};
use crate::auth::Role;
use crate::domain::follows::Direction;
use crate::domain::notifications;
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::user_columns::UserColumns;
use crate::graphql::connection::{Conn, PageArgs, to_connection, wants_total};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::public_url;
use crate::graphql::{auth, services};
use crate::policy;
use crate::policy::masking::{self, Disclosure};

/// A person's account on the platform.
#[derive(Clone, Debug)]
pub struct User(pub user::Model);

/// Whether an account can be used.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AccountStatus {
    /// Usable.
    Active,
    /// Disabled by an administrator.
    Disabled,
    /// Deactivated (注销) by its owner.
    Deactivated,
}

/// A person's gender as they disclosed it.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Gender {
    /// Not disclosed (保密).
    Undisclosed,
    /// Male (男).
    Male,
    /// Female (女).
    Female,
}

impl Gender {
    /// From the stored code.
    pub fn from_code(code: i16) -> Self {
        match code {
            1 => Gender::Male,
            2 => Gender::Female,
            _ => Gender::Undisclosed,
        }
    }

    /// The stored code (0, 1, 2).
    pub fn code(self) -> i16 {
        match self {
            Gender::Undisclosed => 0,
            Gender::Male => 1,
            Gender::Female => 2,
        }
    }
}

/// How much of a user's personal data the caller sees.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FieldDisclosure {
    /// Everything (the owner or an administrator).
    Full,
    /// A carer (the doctor of a clinic the user is booked in, or the user's assistant): name,
    /// phone, birthday and patient profile in full; email and ID-card number masked, address
    /// hidden.
    Care,
    /// Masked contact details; birthday, address and age hidden.
    Masked,
}

impl User {
    /// The `users` columns that the fields selected under `field` (a field of type `User`)
    /// read; every column as soon as one field is not listed here. Keep it next to the
    /// resolvers below: a field that reads a column of the model must name it here.
    pub(crate) fn columns_for(field: &SelectionField<'_>) -> UserColumns {
        use user::Column as C;
        let mut columns = UserColumns::BASE;
        for selected in field.selection_set() {
            let column = match selected.name() {
                // Read nothing of the model but `id` and `status`.
                "__typename"
                | "id"
                | "status"
                | "disclosure"
                | "verification"
                | "roles"
                | "patientProfile"
                | "doctorProfile"
                | "assistantProfile"
                | "consultantProfile"
                | "notifications"
                | "unreadNotificationCount"
                | "followerCount"
                | "followingCount"
                | "isFollowedByMe"
                | "followsMe"
                | "followers"
                | "followings"
                | "postCount"
                | "commentCount"
                | "likesReceived"
                | "coinsReceived"
                | "isFollowedBy"
                | "isFollowing"
                | "coinBalance"
                | "coinEntries"
                | "checkin"
                | "vip" => None,
                "uuid" => Some(C::Uuid),
                "username" => Some(C::Username),
                "displayName" => Some(C::DisplayName),
                "phone" => Some(C::Phone),
                "email" => Some(C::Email),
                "realName" => Some(C::RealName),
                "idCardNumber" => Some(C::IdCardNumber),
                "birthday" | "age" => Some(C::Birthday),
                "address" => Some(C::Address),
                "gender" => Some(C::Gender),
                "bio" => Some(C::Bio),
                "location" => Some(C::Location),
                "inviteCode" => Some(C::InviteCode),
                "avatar" | "avatarHash" | "avatarUrl" => Some(C::Avatar),
                "background" | "backgroundUrl" => Some(C::Background),
                "province" => Some(C::ProvinceCode),
                "city" => Some(C::CityCode),
                "county" => Some(C::CountyCode),
                "hasPassword" => Some(C::PasswordHash),
                "createdAt" | "wallet" => Some(C::CreatedAt),
                "updatedAt" => Some(C::UpdatedAt),
                "lastActiveAt" => Some(C::LastActiveAt),
                _ => return UserColumns::all(),
            };
            if let Some(column) = column {
                columns = columns.with(column);
            }
        }
        columns
    }

    /// The one disclosure decision for this user's sensitive fields: full for the owner and
    /// administrators, `Care` for a doctor the user is booked with or an assistant the user is
    /// bound to (one batched lookup, only for viewers holding those roles), masked otherwise.
    async fn visibility(&self, ctx: &Context<'_>) -> Disclosure {
        let viewer = crate::graphql::is_owner(ctx, self.0.id)
            .then_some(self.0.id)
            .or(auth(ctx).user_id());
        let d = masking::disclosure(viewer, auth(ctx).is_admin(), self.0.id);
        if d == Disclosure::Full {
            return d;
        }
        let may_care = auth(ctx)
            .viewer
            .as_ref()
            .is_some_and(|v| v.has(Role::Doctor) || v.has(Role::Assistant));
        if !may_care {
            return d;
        }
        let Ok(loaders) = loaders(ctx) else { return d };
        match loaders.registrations.cared_for.load_one(self.0.id).await {
            Ok(Some(true)) => Disclosure::Care,
            _ => d,
        }
    }

    /// Whether the viewer is the physician of this user's open home visit (one batched
    /// lookup, only for viewers holding the doctor role).
    async fn on_home_visit(&self, ctx: &Context<'_>) -> bool {
        let is_doctor = auth(ctx)
            .viewer
            .as_ref()
            .is_some_and(|v| v.has(Role::Doctor));
        if !is_doctor {
            return false;
        }
        let Ok(loaders) = loaders(ctx) else {
            return false;
        };
        matches!(
            loaders.registrations.home_visits.load_one(self.0.id).await,
            Ok(Some(true))
        )
    }

    async fn region(
        &self,
        ctx: &Context<'_>,
        code: Option<i32>,
    ) -> async_graphql::Result<Option<Region>> {
        let Some(code) = code else { return Ok(None) };
        Ok(loaders(ctx)?
            .region
            .load_one(code)
            .await
            .map_err(load_err)?
            .map(Region))
    }

    async fn has_role(&self, ctx: &Context<'_>, role: Role) -> async_graphql::Result<bool> {
        Ok(loaders(ctx)?
            .roles
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .is_some_and(|roles| roles.contains(&role)))
    }
}

/// A person's account on the platform.
#[Object]
impl User {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("User", self.0.id)
    }

    /// Stable public UUID (medassist's `uuid`).
    async fn uuid(&self) -> uuid::Uuid {
        self.0.uuid
    }

    /// Unique login name.
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// Name shown to others (nickname, 昵称).
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Whether the account can be used.
    async fn status(&self) -> AccountStatus {
        match self.0.status.as_str() {
            "disabled" => AccountStatus::Disabled,
            "deactivated" => AccountStatus::Deactivated,
            _ => AccountStatus::Active,
        }
    }

    /// How much of this user's personal data the caller sees: `FULL` for the owner and
    /// administrators, `MASKED` for everyone else.
    async fn disclosure(&self, ctx: &Context<'_>) -> FieldDisclosure {
        match self.visibility(ctx).await {
            Disclosure::Full => FieldDisclosure::Full,
            Disclosure::Care => FieldDisclosure::Care,
            Disclosure::Masked => FieldDisclosure::Masked,
        }
    }

    /// Mobile number; masked (`138****0001`) for others.
    async fn phone(&self, ctx: &Context<'_>) -> Option<String> {
        masking::phone(self.visibility(ctx).await, self.0.phone.as_deref())
    }

    /// E-mail address; masked (`a***@qq.com`) for others.
    async fn email(&self, ctx: &Context<'_>) -> Option<String> {
        masking::email(self.visibility(ctx).await, self.0.email.as_deref())
    }

    /// Legal name (真实姓名); masked (`张*`) for others.
    async fn real_name(&self, ctx: &Context<'_>) -> Option<String> {
        masking::real_name(self.visibility(ctx).await, self.0.real_name.as_deref())
    }

    /// Resident ID-card number (身份证号); masked (`110101**********1234`) for others.
    async fn id_card_number(&self, ctx: &Context<'_>) -> Option<String> {
        masking::id_card(self.visibility(ctx).await, self.0.id_card_number.as_deref())
    }

    /// Date of birth; null for others.
    async fn birthday(&self, ctx: &Context<'_>) -> Option<NaiveDate> {
        masking::birthday(self.visibility(ctx).await, self.0.birthday)
    }

    /// Age in whole years, from the birthday; null for others.
    async fn age(&self, ctx: &Context<'_>) -> Option<i32> {
        let birthday = masking::birthday(self.visibility(ctx).await, self.0.birthday)?;
        let today = Utc::now().date_naive();
        let mut age = today.year() - birthday.year();
        if (today.month(), today.day()) < (birthday.month(), birthday.day()) {
            age -= 1;
        }
        Some(age.max(0))
    }

    /// Street address (详细地址); null for others.
    async fn address(&self, ctx: &Context<'_>) -> Option<String> {
        let disclosure = self.visibility(ctx).await;
        // The physician of the user's open home visit (在家就医) needs to find the home.
        if disclosure != Disclosure::Full && self.on_home_visit(ctx).await {
            return self.0.address.clone();
        }
        masking::address(disclosure, self.0.address.as_deref())
    }

    /// Gender as disclosed.
    async fn gender(&self) -> Gender {
        Gender::from_code(self.0.gender)
    }

    /// Short self-description (个人简介).
    async fn bio(&self) -> Option<&str> {
        self.0.bio.as_deref()
    }

    /// Free-text location shown on the profile, e.g. `四川省 成都市`.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// Invitation code others can register with.
    async fn invite_code(&self) -> Option<&str> {
        self.0.invite_code.as_deref()
    }

    /// The user's verification (用户认证), personal or organization; null when none. Everyone
    /// sees it, others with its sensitive parts masked or hidden.
    async fn verification(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::Verification>> {
        super::verification_of_user(ctx, self.0.id).await
    }

    /// The avatar image.
    async fn avatar(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        let Some(hash) = self.0.avatar.clone() else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .file
            .load_one(hash)
            .await
            .map_err(load_err)?
            .map(StoredFile))
    }

    /// The profile background image.
    async fn background(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        let Some(hash) = self.0.background.clone() else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .file
            .load_one(hash)
            .await
            .map_err(load_err)?
            .map(StoredFile))
    }

    /// File address (SHA-256) of the avatar image.
    async fn avatar_hash(&self) -> Option<&str> {
        self.0.avatar.as_deref()
    }

    /// Absolute URL of the avatar image.
    async fn avatar_url(&self, ctx: &Context<'_>) -> Option<String> {
        self.0
            .avatar
            .as_ref()
            .map(|h| format!("{}/files/{h}", public_url(ctx)))
    }

    /// Absolute URL of the profile background image.
    async fn background_url(&self, ctx: &Context<'_>) -> Option<String> {
        self.0
            .background
            .as_ref()
            .map(|h| format!("{}/files/{h}", public_url(ctx)))
    }

    /// Province of residence.
    async fn province(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        self.region(ctx, self.0.province_code).await
    }

    /// City of residence.
    async fn city(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        self.region(ctx, self.0.city_code).await
    }

    /// County or district of residence.
    async fn county(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        self.region(ctx, self.0.county_code).await
    }

    /// Approved roles the account holds (applications: `roleApplications`). Being a patient is
    /// health data: `PATIENT` shows only to the user, administrators and the user's carers.
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Role>> {
        let mut roles = loaders(ctx)?
            .roles
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        if !masking::patient_role_visible(self.visibility(ctx).await) {
            roles.retain(|r| *r != Role::Patient);
        }
        Ok(roles)
    }

    /// Whether the account has a password (only the owner and administrators see it).
    async fn has_password(&self, ctx: &Context<'_>) -> Option<bool> {
        (self.visibility(ctx).await == Disclosure::Full).then_some(self.0.password_hash.is_some())
    }

    /// The patient profile (health data): only the owner and administrators see it.
    async fn patient_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PatientProfile>> {
        if !masking::patient_profile_visible(self.visibility(ctx).await)
            || !self.has_role(ctx, Role::Patient).await?
        {
            return Ok(None);
        }
        Ok(loaders(ctx)?
            .patient_profile
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .map(PatientProfile))
    }

    /// The doctor profile, when the user is a doctor or applied to be one (its `verifyState`
    /// tells which).
    async fn doctor_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<DoctorProfile>> {
        Ok(loaders(ctx)?
            .doctor_profile
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .map(DoctorProfile))
    }

    /// The doctor's-assistant profile, when the user is an assistant or applied to be one (its
    /// `verifyState` tells which).
    async fn assistant_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<AssistantProfile>> {
        Ok(loaders(ctx)?
            .assistant_profile
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .map(AssistantProfile))
    }

    /// The consultant profile, when the user is a consultant or applied to be one.
    async fn consultant_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ConsultantProfile>> {
        Ok(loaders(ctx)?
            .consultant_profile
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .map(ConsultantProfile))
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the account's data last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When the user last logged in.
    async fn last_active_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_active_at
    }

    /// The user's notifications, newest first. Only the user may read them.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only unread ones.", default = false)] unread_only: bool,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Notification>> {
        policy::require_self(auth(ctx), self.0.id)?;
        let window = PageArgs::forward(first, after).to_request()?;
        // Boxed, as every database call of a resolver here (see `graphql::types`).
        let page = Box::pin(notifications::list_for_user(
            &services(ctx)?.db,
            self.0.id,
            unread_only,
            window,
            wants_total(ctx),
        ))
        .await?;
        Ok(to_connection(page, Notification))
    }

    /// Number of unread notifications. Only the user may read it.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        policy::require_self(auth(ctx), self.0.id)?;
        Ok(notifications::unread_count(&services(ctx)?.db, self.0.id).await?)
    }

    /// Number of followers (粉丝数).
    async fn follower_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.follow_counts(ctx).await?.followers)
    }

    /// Number of users this user follows (关注数).
    async fn following_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.follow_counts(ctx).await?.followings)
    }

    /// Whether the caller follows this user (social `has_follower`); false when anonymous.
    async fn is_followed_by_me(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.follow_relation(ctx).await?.followed_by_viewer)
    }

    /// Whether this user follows the caller (social `has_following`); false when anonymous.
    async fn follows_me(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.follow_relation(ctx).await?.follows_viewer)
    }

    /// The users who follow this user (粉丝), most recent follow first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn followers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        self.follow_list(ctx, Direction::Followers, None, first, after)
            .await
    }

    /// The users this user follows (关注), most recent follow first; with `role`, only those
    /// holding it (the doctors a patient follows: `followings(role: DOCTOR)`).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn followings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only users holding this role.")] role: Option<crate::auth::Role>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        self.follow_list(ctx, Direction::Followings, role, first, after)
            .await
    }

    /// Number of posts the user published.
    async fn post_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.content_counts(ctx).await?.posts)
    }

    /// Number of comments the user wrote (deleted ones excluded).
    async fn comment_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.content_counts(ctx).await?.comments)
    }

    /// Likes the user's posts received in all (被喜欢统计数).
    async fn likes_received(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.content_counts(ctx).await?.likes_received)
    }

    /// Coins the user's posts received in rewards (social `be_reward_count`).
    async fn coins_received(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.content_counts(ctx).await?.coins_received)
    }

    /// Whether the given user follows this user (social `following` check).
    async fn is_followed_by(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The possible follower (global ID).")] user_id: ID,
    ) -> async_graphql::Result<bool> {
        let other = crate::graphql::node::decode_int_id(&user_id, "User")?;
        self.follow_pair(ctx, other, self.0.id).await
    }

    /// Whether this user follows the given user (social `follower` check).
    async fn is_following(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The possibly followed user (global ID).")] user_id: ID,
    ) -> async_graphql::Result<bool> {
        let other = crate::graphql::node::decode_int_id(&user_id, "User")?;
        self.follow_pair(ctx, self.0.id, other).await
    }

    /// Coins held (杏仁币数, social `currency.sum`); only the user and administrators see it.
    async fn coin_balance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        Ok(self.wallet_of(ctx).await?.map(|w| w.0.balance))
    }

    /// The coin wallet (balance, total income and expenses); only the user and
    /// administrators see it.
    async fn wallet(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Wallet>> {
        self.wallet_of(ctx).await
    }

    /// The user's coin changes (杏仁币变动记录), newest first, optionally since a time; only the
    /// user and administrators may read them.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn coin_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only changes at or after this time.")] since: Option<DateTime<Utc>>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<CoinEntry>> {
        let viewer = auth(ctx).require()?;
        if !policy::community::may_read_private(Some(viewer), self.0.id) {
            return Err(crate::error::AppError::Forbidden(
                "only the owner may read this ledger".into(),
            )
            .into());
        }
        let window = PageArgs::forward(first, after).to_request()?;
        let page = Box::pin(crate::domain::coins::entries(
            &services(ctx)?.db,
            self.0.id,
            since,
            window,
            wants_total(ctx),
        ))
        .await?;
        Ok(to_connection(page, CoinEntry))
    }

    /// Daily check-ins (签到): total, consecutive days and the last day.
    async fn checkin(&self, ctx: &Context<'_>) -> async_graphql::Result<super::Checkin> {
        super::community_reviews::checkin_of(ctx, self.0.id).await
    }

    /// The VIP membership (会员); null when none or expired.
    async fn vip(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::VipMembership>> {
        super::community_reviews::vip_of(ctx, self.0.id).await
    }
}

impl User {
    async fn follow_pair(
        &self,
        ctx: &Context<'_>,
        follower: i64,
        followee: i64,
    ) -> async_graphql::Result<bool> {
        Ok(loaders(ctx)?
            .community
            .follow_pair
            .load_one((follower, followee))
            .await
            .map_err(load_err)?
            .unwrap_or(false))
    }

    async fn follow_counts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::domain::follows::FollowCounts> {
        Ok(loaders(ctx)?
            .community
            .follow_counts
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }

    async fn follow_relation(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::graphql::community_loaders::FollowRelation> {
        Ok(loaders(ctx)?
            .community
            .follow_relation
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }

    async fn content_counts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::graphql::community_loaders::ContentCounts> {
        Ok(loaders(ctx)?
            .community
            .content_counts
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }

    async fn wallet_of(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Wallet>> {
        let owner = crate::graphql::is_owner(ctx, self.0.id);
        if !owner && !policy::community::may_read_private(auth(ctx).viewer.as_ref(), self.0.id) {
            return Ok(None);
        }
        let wallet = loaders(ctx)?
            .community
            .wallet
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or(entity::wallet::Model {
                user_id: self.0.id,
                balance: 0,
                total_income: 0,
                total_expenses: 0,
                updated_at: self.0.created_at,
            });
        Ok(Some(Wallet(wallet)))
    }

    async fn follow_list(
        &self,
        ctx: &Context<'_>,
        direction: Direction,
        role: Option<crate::auth::Role>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let loaders = loaders(ctx)?;
        let page = match role {
            Some(role) => {
                loaders
                    .volunteer
                    .role_followings
                    .load_one((self.0.id, role, window))
                    .await
            }
            None => {
                loaders
                    .community
                    .follow_pages
                    .load_one((self.0.id, direction, window))
                    .await
            }
        }
        .map_err(load_err)?
        .unwrap_or_else(|| crate::domain::Page::from_probe(Vec::new(), window, Some(0)));
        let users = loaders
            .user
            .load_many(page.items.iter().copied())
            .await
            .map_err(load_err)?;
        let page = crate::domain::Page {
            items: page
                .items
                .iter()
                .filter_map(|id| users.get(id).cloned())
                .collect(),
            offset: page.offset,
            has_next: page.has_next,
            total: page.total,
        };
        Ok(to_connection(page, User))
    }
}
