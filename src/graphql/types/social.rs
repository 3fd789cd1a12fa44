//! Social-area types: shipping addresses (收货地址) and user verifications (用户认证).

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use entity::{shipping_address, user_verification};

use super::{StoredFile, User, loaders};
use crate::domain::verifications::{Kind, state};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::{auth, is_owner};
use crate::policy::masking::{self, Disclosure};

/// A shipping address (收货地址) of the caller. Only its owner sees it.
#[derive(Clone, Debug)]
pub struct ShippingAddress(pub shipping_address::Model);

/// A shipping address (收货地址) of the caller. Only its owner sees it.
#[Object]
impl ShippingAddress {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("ShippingAddress", self.0.id)
    }

    /// The user the address belongs to.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.user_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// What the owner calls it (地址别名: 家里, 公司).
    async fn alias(&self) -> Option<&str> {
        self.0.alias.as_deref()
    }

    /// The recipient's name (收件人).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The recipient's mainland mobile number.
    async fn phone(&self) -> &str {
        &self.0.phone
    }

    /// Province (省).
    async fn province(&self) -> Option<&str> {
        self.0.province.as_deref()
    }

    /// City (市).
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// County or district (区/县).
    async fn county(&self) -> Option<&str> {
        self.0.county.as_deref()
    }

    /// Street, building and room (详细地址).
    async fn detail(&self) -> &str {
        &self.0.detail
    }

    /// Six-digit postcode (邮政编码).
    async fn postcode(&self) -> Option<&str> {
        self.0.postcode.as_deref()
    }

    /// Whether this is the owner's default address (at most one is).
    async fn is_default(&self) -> bool {
        self.0.is_default
    }

    /// When it was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// What a verification vouches for (the legacy `type`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum VerificationKind {
    /// A person (个人认证, legacy `user`): real name and ID card.
    User,
    /// An organization (企业认证, legacy `org`): name, address, certificate, legal representative.
    Org,
}

impl VerificationKind {
    /// The domain's kind.
    pub fn domain(self) -> Kind {
        match self {
            VerificationKind::User => Kind::Personal,
            VerificationKind::Org => Kind::Organization,
        }
    }
}

/// Where a verification stands (the legacy `state`: -1, 0, 1).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum VerificationState {
    /// Waiting for an administrator's review (等待, -1).
    Waiting,
    /// Rejected, with a reason; the owner may resubmit (拒绝, 0).
    Rejected,
    /// Approved (认证成功, 1).
    Approved,
}

impl VerificationState {
    /// The stored code.
    pub fn code(self) -> i16 {
        match self {
            VerificationState::Waiting => state::WAITING,
            VerificationState::Rejected => state::REJECTED,
            VerificationState::Approved => state::APPROVED,
        }
    }

    fn stored(code: i16) -> Self {
        match code {
            state::REJECTED => VerificationState::Rejected,
            state::APPROVED => VerificationState::Approved,
            _ => VerificationState::Waiting,
        }
    }
}

/// A user's verification (用户认证). Everyone sees it; others see the ID-card numbers, contact
/// number and names masked (`5******04****************6****9`, `187******82`) and no ID-card
/// images, certificate or rejection reason. The owner and administrators see everything.
#[derive(Clone, Debug)]
pub struct Verification(pub user_verification::Model);

impl Verification {
    fn disclosure(&self, ctx: &Context<'_>) -> Disclosure {
        let owner = self.0.user_id;
        let viewer = is_owner(ctx, owner)
            .then_some(owner)
            .or(auth(ctx).user_id());
        masking::disclosure(viewer, auth(ctx).is_admin(), owner)
    }

    fn personal(&self) -> bool {
        Kind::stored(&self.0.kind) == Kind::Personal
    }
}

async fn image(
    ctx: &Context<'_>,
    hash: Option<String>,
) -> async_graphql::Result<Option<StoredFile>> {
    let Some(hash) = hash else { return Ok(None) };
    Ok(loaders(ctx)?
        .file
        .load_one(hash)
        .await
        .map_err(load_err)?
        .map(StoredFile))
}

/// A user's verification (用户认证). Everyone sees it; others see the ID-card numbers, contact
/// number and names masked (`5******04****************6****9`, `187******82`) and no ID-card
/// images, certificate or rejection reason. The owner and administrators see everything.
#[Object]
impl Verification {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Verification", self.0.id)
    }

    /// The verified user.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.user_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// Personal or organization (认证类型); never changes.
    async fn kind(&self) -> VerificationKind {
        if self.personal() {
            VerificationKind::User
        } else {
            VerificationKind::Org
        }
    }

    /// Where the review stands (状态).
    async fn state(&self) -> VerificationState {
        VerificationState::stored(self.0.state)
    }

    /// What the verification says about the user (认证描述).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Personal: the real name (真实姓名); masked (`张*`) for others.
    async fn real_name(&self, ctx: &Context<'_>) -> Option<String> {
        masking::real_name(self.disclosure(ctx), self.0.real_name.as_deref())
    }

    /// Personal: the ID card (身份证信息); null for an organization.
    async fn id_card(&self, ctx: &Context<'_>) -> Option<VerificationIdCard> {
        let d = self.disclosure(ctx);
        self.personal().then(|| VerificationIdCard {
            number: masking::verification_number(d, self.0.id_number.as_deref()),
            front: masking::verification_image(d, self.0.id_front.as_deref()),
            rear: masking::verification_image(d, self.0.id_rear.as_deref()),
        })
    }

    /// Contact mobile number (手机号码 / 联系方式); masked (`187******82`) for others.
    async fn phone_number(&self, ctx: &Context<'_>) -> Option<String> {
        masking::verification_phone(self.disclosure(ctx), Some(&self.0.phone_number))
    }

    /// Organization: the organization (企业信息); null for a person.
    async fn org(&self, ctx: &Context<'_>) -> Option<VerificationOrg> {
        let d = self.disclosure(ctx);
        (!self.personal()).then(|| VerificationOrg {
            name: self.0.org_name.clone().unwrap_or_default(),
            address: self.0.org_address.clone().unwrap_or_default(),
            certificate: masking::verification_image(d, self.0.org_certificate.as_deref()),
        })
    }

    /// Organization: its legal representative (法人信息); null for a person.
    async fn person(&self, ctx: &Context<'_>) -> Option<LegalPerson> {
        let d = self.disclosure(ctx);
        (!self.personal()).then(|| LegalPerson {
            name: masking::real_name(d, self.0.person_name.as_deref()),
            number: masking::verification_number(d, self.0.person_number.as_deref()),
        })
    }

    /// Why an administrator rejected it; only for the owner and administrators.
    async fn reject_reason(&self, ctx: &Context<'_>) -> Option<String> {
        masking::review_note(self.disclosure(ctx), self.0.reject_reason.as_deref())
    }

    /// When it was last reviewed.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    /// When it was first submitted (首次提交认证时间).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When its data or state last changed (更新认证数据时间).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The ID card of a personal verification, as the viewer may see it.
pub struct VerificationIdCard {
    number: Option<String>,
    front: Option<String>,
    rear: Option<String>,
}

/// The ID card of a personal verification, as the viewer may see it.
#[Object]
impl VerificationIdCard {
    /// ID-card number (身份证号码); masked for others.
    async fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }

    /// Photo of the front (身份证正面); null for others.
    async fn front(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        image(ctx, self.front.clone()).await
    }

    /// Photo of the back (身份证背面); null for others.
    async fn rear(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        image(ctx, self.rear.clone()).await
    }
}

/// The organization of an organization verification, as the viewer may see it.
pub struct VerificationOrg {
    name: String,
    address: String,
    certificate: Option<String>,
}

/// The organization of an organization verification, as the viewer may see it.
#[Object]
impl VerificationOrg {
    /// Its name (企业名称).
    async fn name(&self) -> &str {
        &self.name
    }

    /// Its address (企业地址).
    async fn address(&self) -> &str {
        &self.address
    }

    /// Its certificate or business licence (企业证书); null for others.
    async fn certificate(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        image(ctx, self.certificate.clone()).await
    }
}

/// The legal representative (法人) of an organization, as the viewer may see it.
pub struct LegalPerson {
    name: Option<String>,
    number: Option<String>,
}

/// The legal representative (法人) of an organization, as the viewer may see it.
#[Object]
impl LegalPerson {
    /// Name (法人名称); masked (`李*`) for others.
    async fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// ID-card number (法人身份证号码); masked for others.
    async fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }
}

/// A user's verification through the request's loader (one statement per batch of users).
pub(crate) async fn verification_of_user(
    ctx: &Context<'_>,
    user_id: i64,
) -> async_graphql::Result<Option<Verification>> {
    Ok(loaders(ctx)?
        .verification
        .load_one(user_id)
        .await
        .map_err(load_err)?
        .map(Verification))
}
