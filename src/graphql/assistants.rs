//! Doctors' assistants (医助) and their patients, and the volunteer centres (个人中心) and
//! homepages (首页) in GraphQL. Rules live in `domain::assistants` and `domain::homepages`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::node::decode_int_id;
use super::types::{Banner, FreeClinic, MaritalStatus, News, SpecialProject, User};
use super::{auth, services};
use crate::domain::assistants::{self, NewPatient};
use crate::domain::clinic_catalogue;
use crate::domain::free_clinics::{self, ClinicFilter, ClinicOrder};
use crate::domain::homepages;
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::volunteer_content::{self, Audience};
use crate::error::AppError;

fn optional_key(id: Option<&ID>, ty: &str, field: &str) -> Result<Option<i64>, AppError> {
    id.map(|id| {
        decode_int_id(id, ty).map_err(|_| AppError::bad_field(field, format!("expected a {ty} ID")))
    })
    .transpose()
}

/// A patient account a doctor's assistant creates (新建病人).
#[derive(InputObject)]
pub struct CreatePatientInput {
    /// Mainland mobile number (optional: the legacy form has none); with one, the patient can
    /// log in by SMS code. A number already registered is a CONFLICT: bind it instead.
    pub phone: Option<String>,
    /// Password (密码): at least 8 characters mixing letters, digits or symbols.
    pub password: String,
    /// Real name (真实姓名), 1 to 64 characters.
    pub real_name: String,
    /// 18-character resident ID number (身份证号); birthday and sex are taken from it.
    pub id_card_number: String,
    /// Height in cm (身高), 30 to 260.
    pub height_cm: f64,
    /// Weight in kg (体重), 2 to 400.
    pub weight_kg: f64,
    /// Marital status (婚否).
    pub marital_status: MaritalStatus,
    /// Drinks alcohol (是否饮酒).
    pub drinks: bool,
    /// Smokes (是否抽烟).
    pub smokes: bool,
    /// E-mail address (邮箱).
    pub email: Option<String>,
    /// Avatar (头像): URL or address of an uploaded image.
    pub avatar: Option<String>,
    /// Province (6-digit region code).
    pub province_code: Option<i32>,
    /// City (6-digit region code) inside the province.
    pub city_code: Option<i32>,
    /// County (6-digit region code) inside the city.
    pub county_code: Option<i32>,
    /// Street address (详细地址).
    pub address: Option<String>,
}

impl From<CreatePatientInput> for NewPatient {
    fn from(i: CreatePatientInput) -> Self {
        NewPatient {
            phone: i.phone,
            password: i.password,
            real_name: i.real_name,
            id_card_number: i.id_card_number,
            height_cm: i.height_cm,
            weight_kg: i.weight_kg,
            marital_status: i.marital_status.code(),
            drinks: i.drinks,
            smokes: i.smokes,
            email: i.email,
            avatar: i.avatar,
            province_code: i.province_code,
            city_code: i.city_code,
            county_code: i.county_code,
            address: i.address,
        }
    }
}

/// The answer of `bindPatient`.
#[derive(SimpleObject)]
pub struct BindPatientPayload {
    /// The bound patient.
    pub patient: User,
    /// False when the patient was already bound (nothing changed).
    pub created: bool,
}

/// A centre (个人中心): the caller and their unread system messages.
#[derive(SimpleObject)]
pub struct VolunteerCentre {
    /// The caller's account (用户信息).
    pub user: User,
    /// Number of the caller's unread system messages (未读消息数), as `messages` marks them.
    pub unread_message_count: u64,
}

/// A homepage (首页) of patients, doctors or assistants, optionally of one hospital or
/// organization. Each list is a short connection (defaults: 5 banners, 5 news, 10 clinics, 5
/// special projects).
pub struct VolunteerHomepage {
    audience: Audience,
    hospital_id: Option<i64>,
    organization_id: Option<i64>,
}

/// A homepage (首页) of patients, doctors or assistants, optionally of one hospital or
/// organization. Each list is a short connection (defaults: 5 banners, 5 news, 10 clinics, 5
/// special projects).
#[Object]
impl VolunteerHomepage {
    /// Whose homepage this is.
    async fn audience(&self) -> Audience {
        self.audience
    }

    /// The audience's banners (轮播图), plus the hospital's and organization's, by `sort`.
    #[graphql(
        complexity = "first.map_or(homepages::BANNERS as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn banners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 5, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Banner>> {
        let window = PageArgs::forward(first.or(Some(homepages::BANNERS)), after).to_request()?;
        let page = volunteer_content::list_banners(
            &services(ctx)?.db,
            self.audience,
            self.hospital_id,
            self.organization_id,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Banner))
    }

    /// The audience's published news (公告), newest first.
    #[graphql(
        complexity = "first.map_or(homepages::NEWS as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn news(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 5, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<News>> {
        let window = PageArgs::forward(first.or(Some(homepages::NEWS)), after).to_request()?;
        let page = volunteer_content::list_news(
            &services(ctx)?.db,
            self.audience,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, News))
    }

    /// Free clinics (义诊) not cancelled and not over, of the hospital or organization when
    /// the homepage has one, soonest first.
    #[graphql(
        complexity = "first.map_or(homepages::FREE_CLINICS as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn free_clinics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 10, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<FreeClinic>> {
        let window =
            PageArgs::forward(first.or(Some(homepages::FREE_CLINICS)), after).to_request()?;
        let filter = ClinicFilter {
            hospital_id: self.hospital_id,
            organization_id: self.organization_id,
            ..ClinicFilter::default()
        };
        let page = free_clinics::list(
            &services(ctx)?.db,
            &filter,
            None,
            ClinicOrder::Soonest,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, |(model, distance)| FreeClinic {
            model,
            distance,
        }))
    }

    /// Special projects (专题活动) of the hospital or organization when the homepage has one
    /// (else all), latest first.
    #[graphql(
        complexity = "first.map_or(homepages::SPECIAL_PROJECTS as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn special_projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 5, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<SpecialProject>> {
        let window =
            PageArgs::forward(first.or(Some(homepages::SPECIAL_PROJECTS)), after).to_request()?;
        let page = clinic_catalogue::list_special_projects(
            &services(ctx)?.db,
            self.organization_id,
            self.hospital_id,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, SpecialProject))
    }
}

/// Assistants' patients, patients' assistants, centres and homepages.
#[derive(Default)]
pub struct AssistantQuery;

/// Assistants' patients, patients' assistants, centres and homepages.
#[Object]
impl AssistantQuery {
    /// The calling assistant's patients (我的病人), latest bound first. Assistants only.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_patients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of the patient's real name, display name or phone number.")]
        keyword: Option<String>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = assistants::patients(
            &services(ctx)?.db,
            viewer,
            keyword.as_deref(),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, User))
    }

    /// The calling patient's assistants (我的医助), latest bound first. Patients only.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_assistants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            assistants::assistants_of_patient(&services(ctx)?.db, viewer, window, wants_total(ctx))
                .await?;
        Ok(to_connection(page, User))
    }

    /// The caller's centre (个人中心) as a member of `audience`: their account and unread
    /// message count. Only holders of the audience's role.
    async fn volunteer_centre(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose centre (patients, doctors or assistants).")] audience: Audience,
    ) -> async_graphql::Result<VolunteerCentre> {
        let viewer = auth(ctx).require()?;
        let (user, unread) = homepages::centre(&services(ctx)?.db, viewer, audience).await?;
        Ok(VolunteerCentre {
            user: User(user),
            unread_message_count: unread,
        })
    }

    /// A homepage (首页): the audience's, or a hospital's or an organization's. Holders of the
    /// audience's role and administrators only; an ID naming no hospital or organization is
    /// NOT_FOUND.
    async fn volunteer_homepage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose homepage.")] audience: Audience,
        #[graphql(desc = "A hospital's homepage.")] hospital_id: Option<ID>,
        #[graphql(desc = "An organization's homepage.")] organization_id: Option<ID>,
    ) -> async_graphql::Result<VolunteerHomepage> {
        let hospital_id = optional_key(hospital_id.as_ref(), "Hospital", "hospitalId")?;
        let organization_id =
            optional_key(organization_id.as_ref(), "Organization", "organizationId")?;
        let viewer = auth(ctx).require()?;
        homepages::open_homepage(
            &services(ctx)?.db,
            viewer,
            audience,
            hospital_id,
            organization_id,
        )
        .await?;
        Ok(VolunteerHomepage {
            audience,
            hospital_id,
            organization_id,
        })
    }
}

/// Binding and creating patients.
#[derive(Default)]
pub struct AssistantMutation;

/// Binding and creating patients.
#[Object]
impl AssistantMutation {
    /// Binds an existing patient account (添加病人) to the calling assistant, proven by the
    /// SMS code sent to the patient's phone (`sendCode` purpose BIND or GENERAL). Binding a
    /// patient already bound succeeds and changes nothing (`created: false`). Assistants only.
    async fn bind_patient(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patient's phone number.")] phone: String,
        #[graphql(desc = "The code the patient received.")] code: String,
    ) -> async_graphql::Result<BindPatientPayload> {
        let viewer = auth(ctx).require()?;
        let binding = assistants::bind_patient(services(ctx)?, viewer, &phone, &code).await?;
        Ok(BindPatientPayload {
            patient: User(binding.patient),
            created: binding.created,
        })
    }

    /// Creates a patient account (新建病人) bound to the calling assistant, in one
    /// transaction; every invalid field is reported at once. Assistants only.
    async fn create_patient(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the patient.")] input: CreatePatientInput,
    ) -> async_graphql::Result<User> {
        let viewer = auth(ctx).require()?;
        Ok(User(
            assistants::create_patient(services(ctx)?, viewer, input.into()).await?,
        ))
    }
}
