//! The social area in GraphQL: shipping addresses (收货地址) and user verification (用户认证).
//! Rules live in `domain::addresses` and `domain::verifications`; what others see of a
//! verification in `policy::masking`.

use async_graphql::{Context, ID, InputObject, Object};

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::node::decode_int_id;
use super::types::{ShippingAddress, Verification, VerificationKind, VerificationState};
use super::{auth, services};
use crate::domain::addresses::{self, AddressInput};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::verifications::{
    self, IdCardInput, OrgInput, PersonInput, VerificationInput as DomainVerificationInput,
};

/// Social reads.
#[derive(Default)]
pub struct SocialQuery;

/// Social reads.
#[Object]
impl SocialQuery {
    /// The caller's shipping addresses (收货地址), newest first (at most 20 exist).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_shipping_addresses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<ShippingAddress>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = addresses::list(&services(ctx)?.db, viewer, window, wants_total(ctx)).await?;
        Ok(to_connection(page, ShippingAddress))
    }

    /// One of the caller's shipping addresses; null for another user's.
    async fn shipping_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the shipping address.")] id: ID,
    ) -> async_graphql::Result<Option<ShippingAddress>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ShippingAddress")?;
        Ok(addresses::find(&services(ctx)?.db, viewer, id)
            .await?
            .map(ShippingAddress))
    }

    /// Verifications (认证) for administrators to review, in one state or all, the longest
    /// unchanged first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn verifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only verifications in this state (e.g. WAITING).")] state: Option<
            VerificationState,
        >,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Verification>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = verifications::list(
            &services(ctx)?.db,
            viewer,
            state.map(VerificationState::code),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Verification))
    }
}

/// A shipping address as sent: for a create, `name`, `phone`, `detail` and `isDefault` are
/// required; for an update, only the given fields change (an empty optional text clears it).
/// Lengths count GB18030 bytes (ASCII 1, Chinese 2, emoji 4). Every invalid field is reported
/// at once in `extensions.fields`.
#[derive(InputObject, Default)]
pub struct ShippingAddressInput {
    /// What you call it (地址别名: 家里, 公司); at most 24 bytes.
    pub alias: Option<String>,
    /// The recipient's name (收件人); required on create; at most 24 bytes.
    pub name: Option<String>,
    /// The recipient's mainland mobile number; required on create.
    pub phone: Option<String>,
    /// Province (省); at most 32 bytes.
    pub province: Option<String>,
    /// City (市); at most 32 bytes.
    pub city: Option<String>,
    /// County or district (区/县); at most 32 bytes.
    pub county: Option<String>,
    /// Street, building and room (详细地址); required on create; at most 160 bytes.
    pub detail: Option<String>,
    /// Postcode: exactly 6 digits.
    pub postcode: Option<String>,
    /// Whether it is the default address; required on create. Making one the default makes
    /// the previous default an ordinary address.
    pub is_default: Option<bool>,
}

impl From<ShippingAddressInput> for AddressInput {
    fn from(i: ShippingAddressInput) -> Self {
        AddressInput {
            alias: i.alias,
            name: i.name,
            phone: i.phone,
            province: i.province,
            city: i.city,
            county: i.county,
            detail: i.detail,
            postcode: i.postcode,
            is_default: i.is_default,
        }
    }
}

/// The ID card of a personal verification.
#[derive(InputObject, Default)]
pub struct VerificationIdCardInput {
    /// The front photo: the address (or URL) of an uploaded image.
    pub front: Option<String>,
    /// The back photo: the address (or URL) of an uploaded image.
    pub rear: Option<String>,
    /// The ID-card number (GB 11643: 18 characters, check digit).
    pub number: Option<String>,
}

/// The organization of an organization verification.
#[derive(InputObject, Default)]
pub struct VerificationOrgInput {
    /// Its name (企业名称); at most 100 characters.
    pub name: Option<String>,
    /// Its address (企业地址); at most 200 characters.
    pub address: Option<String>,
    /// Its certificate or business licence: the address (or URL) of an uploaded image.
    pub certificate: Option<String>,
}

/// The legal representative of an organization.
#[derive(InputObject, Default)]
pub struct LegalPersonInput {
    /// Name (法人名称); at most 32 characters.
    pub name: Option<String>,
    /// ID-card number (GB 11643).
    pub number: Option<String>,
}

/// A verification's data (the legacy `data`). A personal one needs `idCard` (front, rear,
/// number) and `realName`; an organization one needs `org` (name, address, certificate) and
/// `person` (name, number); both need `phoneNumber` and `desc`. Parts of the other kind are
/// ignored. Every invalid field is reported at once in `extensions.fields` (`idCard.number`,
/// `org.certificate`, ...).
#[derive(InputObject, Default)]
pub struct VerificationInput {
    /// Personal: the ID card (身份证信息).
    pub id_card: Option<VerificationIdCardInput>,
    /// Personal: the real name (真实姓名); at most 32 characters.
    pub real_name: Option<String>,
    /// Contact mainland mobile number (手机号码 / 联系方式).
    pub phone_number: Option<String>,
    /// Description (认证描述); at most 200 characters.
    pub desc: Option<String>,
    /// Organization: the organization (企业信息).
    pub org: Option<VerificationOrgInput>,
    /// Organization: its legal representative (法人信息).
    pub person: Option<LegalPersonInput>,
}

impl From<VerificationInput> for DomainVerificationInput {
    fn from(i: VerificationInput) -> Self {
        DomainVerificationInput {
            id_card: i.id_card.map(|c| IdCardInput {
                front: c.front,
                rear: c.rear,
                number: c.number,
            }),
            real_name: i.real_name,
            phone_number: i.phone_number,
            desc: i.desc,
            org: i.org.map(|o| OrgInput {
                name: o.name,
                address: o.address,
                certificate: o.certificate,
            }),
            person: i.person.map(|p| PersonInput {
                name: p.name,
                number: p.number,
            }),
        }
    }
}

/// Social commands.
#[derive(Default)]
pub struct SocialMutation;

/// Social commands.
#[Object]
impl SocialMutation {
    /// Adds a shipping address (添加收货地址) for the caller: at most 20; with `isDefault` it
    /// becomes the only default.
    async fn create_shipping_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the shipping address.")] input: ShippingAddressInput,
    ) -> async_graphql::Result<ShippingAddress> {
        let viewer = auth(ctx).require()?;
        Ok(ShippingAddress(
            addresses::create(&services(ctx)?.db, viewer, input.into()).await?,
        ))
    }

    /// Changes the given fields of one of the caller's shipping addresses (修改收货地址);
    /// `isDefault: true` makes it the default (and the previous one not).
    async fn update_shipping_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the shipping address to update.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: ShippingAddressInput,
    ) -> async_graphql::Result<ShippingAddress> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ShippingAddress")?;
        Ok(ShippingAddress(
            addresses::update(&services(ctx)?.db, viewer, id, input.into()).await?,
        ))
    }

    /// Deletes one of the caller's shipping addresses (删除收货地址); returns its ID.
    async fn delete_shipping_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the shipping address to delete.")] id: ID,
    ) -> async_graphql::Result<ID> {
        let viewer = auth(ctx).require()?;
        let key = decode_int_id(&id, "ShippingAddress")?;
        addresses::delete(&services(ctx)?.db, viewer, key).await?;
        Ok(id)
    }

    /// Submits the caller's verification (首次提交认证信息); it waits for review. A second
    /// submission is a `CONFLICT`.
    async fn submit_verification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Personal (user) or organization (org).")] kind: VerificationKind,
        #[graphql(desc = "The fields of the verification.")] input: VerificationInput,
    ) -> async_graphql::Result<Verification> {
        let viewer = auth(ctx).require()?;
        Ok(Verification(
            verifications::submit(&services(ctx)?.db, viewer, kind.domain(), input.into()).await?,
        ))
    }

    /// Resubmits the caller's rejected verification (更新认证信息) with new data; the kind stays
    /// and it waits for review again. `CONFLICT` unless it was rejected.
    async fn resubmit_verification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The corrected verification.")] input: VerificationInput,
    ) -> async_graphql::Result<Verification> {
        let viewer = auth(ctx).require()?;
        Ok(Verification(
            verifications::resubmit(&services(ctx)?.db, viewer, input.into()).await?,
        ))
    }

    /// Deletes the caller's verification (删除认证信息), whatever its state.
    async fn delete_verification(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let viewer = auth(ctx).require()?;
        verifications::delete(&services(ctx)?.db, viewer).await?;
        Ok(true)
    }

    /// An administrator approves a waiting verification or rejects it with a reason.
    async fn review_verification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the verification to review.")] id: ID,
        #[graphql(desc = "true approves, false rejects.")] approve: bool,
        #[graphql(desc = "Why it is rejected (required to reject; at most 200 characters).")]
        reason: Option<String>,
    ) -> async_graphql::Result<Verification> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "Verification")?;
        Ok(Verification(
            verifications::review(&services(ctx)?.db, viewer, id, approve, reason).await?,
        ))
    }
}
