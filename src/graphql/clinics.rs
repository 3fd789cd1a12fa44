//! Free clinics (义诊) and their catalogue in GraphQL: hospitals (医院), organizations (组织)
//! and doctors' applications to them, special projects (专题活动), free clinics with their
//! time slots, and the doctor directory. Rules live in `domain::clinic_catalogue` and
//! `domain::free_clinics`.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::NaiveDate;

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::node::{Node, decode_int_id};
use super::types::{
    FreeClinic, Hospital, MembershipState, Organization, OrganizationMembership, SpecialProject,
    User,
};
use super::{auth, services};
use crate::domain::clinic_catalogue::{
    self, DoctorFilter as DomainDoctorFilter, DoctorOrder, HospitalFilter, MembershipFilter,
    NewHospital, NewSpecialProject,
};
use crate::domain::free_clinics::{
    self, ClinicFilter, ClinicOrder, NewFreeClinic, Point, SlotInput,
};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::error::AppError;

/// `node(id:)` for the free-clinic types: applications only for their doctor and
/// administrators, everything else for anyone.
pub(super) async fn resolve_node(
    ctx: &Context<'_>,
    ty: &str,
    key: &str,
) -> async_graphql::Result<Option<Node>> {
    let id = key
        .parse::<i64>()
        .map_err(|_| AppError::bad_field("id", "malformed ID"))?;
    let loaders = super::types::loaders(ctx)?;
    let err = super::loaders::load_err;
    Ok(match ty {
        "Hospital" => loaders
            .clinics
            .hospital
            .load_one(id)
            .await
            .map_err(err)?
            .map(|m| Node::Hospital(Hospital(m))),
        "Organization" => loaders
            .clinics
            .organization
            .load_one(id)
            .await
            .map_err(err)?
            .map(|m| Node::Organization(Organization(m))),
        "SpecialProject" => loaders
            .clinics
            .special_project
            .load_one(id)
            .await
            .map_err(err)?
            .map(|m| Node::SpecialProject(SpecialProject(m))),
        "FreeClinic" => loaders
            .clinics
            .clinic
            .load_one(id)
            .await
            .map_err(err)?
            .map(|m| Node::FreeClinic(FreeClinic::new(m))),
        _ => match auth(ctx).viewer.as_ref() {
            Some(viewer) => clinic_catalogue::find_membership(&services(ctx)?.db, viewer, id)
                .await?
                .map(|m| Node::OrganizationMembership(OrganizationMembership(m))),
            None => None,
        },
    })
}

/// An ID of `ty` given as argument `field`, as a database key.
pub(super) fn key_of(id: &ID, ty: &str, field: &str) -> Result<i64, AppError> {
    decode_int_id(id, ty).map_err(|_| AppError::bad_field(field, format!("expected a {ty} ID")))
}

fn optional_key(id: Option<&ID>, ty: &str, field: &str) -> Result<Option<i64>, AppError> {
    id.map(|id| key_of(id, ty, field)).transpose()
}

/// A point on the map, in degrees.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct LocationInput {
    /// Longitude, -180 to 180.
    pub longitude: f64,
    /// Latitude, -90 to 90.
    pub latitude: f64,
}

impl LocationInput {
    fn point(self) -> Result<Point, AppError> {
        Point::new(self.longitude, self.latitude).map_err(|_| {
            AppError::bad_field(
                "near",
                "a location is a longitude (-180 to 180) and a latitude (-90 to 90)",
            )
        })
    }
}

/// How a list of free clinics is ordered.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FreeClinicSort {
    /// Nearest to `near` first (离我最近); needs `near`.
    Nearest,
    /// Most recently published first (最新发布).
    Newest,
    /// Most places taken first (热门义诊).
    Popular,
    /// Soonest to begin first.
    Soonest,
}

impl From<FreeClinicSort> for ClinicOrder {
    fn from(s: FreeClinicSort) -> Self {
        match s {
            FreeClinicSort::Nearest => ClinicOrder::Nearest,
            FreeClinicSort::Newest => ClinicOrder::Newest,
            FreeClinicSort::Popular => ClinicOrder::Popular,
            FreeClinicSort::Soonest => ClinicOrder::Soonest,
        }
    }
}

/// Which free clinics a list shows. Cancelled clinics never; ended ones when asked.
#[derive(InputObject, Clone, Debug, Default)]
pub struct FreeClinicFilter {
    /// Part of the title, abstract or address.
    pub keyword: Option<String>,
    /// One of the clinic's service targets (服务对象), e.g. `老年人`.
    pub service_target: Option<String>,
    /// Department (科室, legacy `departments`: the kind of illness).
    pub department: Option<String>,
    /// Held at this hospital.
    pub hospital_id: Option<ID>,
    /// Held for this organization.
    pub organization_id: Option<ID>,
    /// Part of this special project.
    pub special_project_id: Option<ID>,
    /// Published by this doctor (a `User` ID).
    pub doctor_id: Option<ID>,
    /// Also clinics that are over (default: only those not over yet).
    #[graphql(default = false)]
    pub include_ended: bool,
}

impl FreeClinicFilter {
    fn domain(self) -> Result<ClinicFilter, AppError> {
        Ok(ClinicFilter {
            keyword: self.keyword,
            service_target: self.service_target,
            department: self.department,
            hospital_id: optional_key(self.hospital_id.as_ref(), "Hospital", "hospitalId")?,
            organization_id: optional_key(
                self.organization_id.as_ref(),
                "Organization",
                "organizationId",
            )?,
            special_project_id: optional_key(
                self.special_project_id.as_ref(),
                "SpecialProject",
                "specialProjectId",
            )?,
            doctor_id: optional_key(self.doctor_id.as_ref(), "User", "doctorId")?,
            include_ended: self.include_ended,
            include_cancelled: false,
        })
    }
}

/// How the doctor directory is ordered.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DoctorSort {
    /// Highest patient score first (评分最高); unscored doctors last.
    BestRated,
    /// Most visits first (热门医生).
    Popular,
}

/// Which doctors the directory shows.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DoctorFilter {
    /// Part of the name, hospital, department or specialties.
    pub keyword: Option<String>,
    /// Department (科室), exactly.
    pub department: Option<String>,
    /// Position or title (职称), exactly.
    pub position: Option<String>,
    /// Working at this hospital.
    pub hospital_id: Option<ID>,
    /// Approved members of this organization.
    pub organization_id: Option<ID>,
}

/// A time slot as a doctor plans it.
#[derive(InputObject, Clone, Debug)]
pub struct FreeClinicSlotInput {
    /// Beginning, `HH:MM` or `HH:MM:SS`, within the clinic's hours.
    pub begin: String,
    /// End, after the beginning and within the clinic's hours.
    pub end: String,
    /// Places, 1 to 1000.
    pub capacity: i32,
}

/// A free clinic to publish. Times are China Standard Time.
#[derive(InputObject, Clone, Debug)]
pub struct PublishFreeClinicInput {
    /// Title; defaults to the hospital's name and 义诊.
    pub title: Option<String>,
    /// Day (义诊日期): today or later.
    pub date: NaiveDate,
    /// Beginning, `HH:MM` or `HH:MM:SS`.
    pub begin: String,
    /// End, after the beginning on the same day, not already past.
    pub end: String,
    /// Places in all (人数), 1 to 1000: split over half-hour slots when `slots` is absent,
    /// else their sum.
    pub capacity: Option<i32>,
    /// The slots, in order and without overlaps, inside the clinic's hours.
    pub slots: Option<Vec<FreeClinicSlotInput>>,
    /// Address (义诊地址).
    pub address: String,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Introduction (活动简介).
    pub r#abstract: String,
    /// Deposit (挂号押金) in cents, 0 (none) to 1,000,000.
    #[graphql(default = 0)]
    pub deposit_cents: i64,
    /// Service targets (服务对象), at most 10.
    #[graphql(default)]
    pub service_targets: Vec<String>,
    /// Department; defaults to the doctor's.
    pub department: Option<String>,
    /// The hospital; defaults to the doctor's.
    pub hospital_id: Option<ID>,
    /// Held for an organization the doctor is an approved member of.
    pub organization_id: Option<ID>,
    /// Part of a special project (its organization follows), on one of its days.
    pub special_project_id: Option<ID>,
}

/// A hospital to add.
#[derive(InputObject, Clone, Debug)]
pub struct HospitalInput {
    /// Name.
    pub name: String,
    /// Address or URL of an uploaded image.
    pub logo: Option<String>,
    /// Addresses or URLs of uploaded images, at most 9.
    #[graphql(default)]
    pub banners: Vec<String>,
    /// Grade, e.g. `三级甲等`.
    pub level: Option<String>,
    /// Specialty tag.
    pub tag: Option<String>,
    /// County, city or province code; the enclosing levels follow.
    pub region_code: Option<i32>,
    /// Street address.
    pub address: Option<String>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
}

/// A special project to add.
#[derive(InputObject, Clone, Debug)]
pub struct SpecialProjectInput {
    /// The organization running it.
    pub organization_id: ID,
    /// The hospital hosting it, if one.
    pub hospital_id: Option<ID>,
    /// Title.
    pub title: String,
    /// Address or URL of an uploaded image.
    pub photo: Option<String>,
    /// Introduction.
    #[graphql(default)]
    pub r#abstract: String,
    /// Address.
    pub address: Option<String>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
    /// Service targets.
    #[graphql(default)]
    pub service_targets: Vec<String>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Daily opening, `HH:MM[:SS]`.
    pub begin_time: String,
    /// Daily closing, `HH:MM[:SS]`.
    pub end_time: String,
}

/// The catalogue, free clinics and the doctor directory.
#[derive(Default)]
pub struct ClinicQuery;

/// The catalogue, free clinics and the doctor directory.
#[Object]
impl ClinicQuery {
    /// Hospitals (医院) in id order: by part of their name, address or tag, or in a region.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn hospitals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of the name, address or tag.")] keyword: Option<String>,
        #[graphql(desc = "A province, city or county code.")] region_code: Option<i32>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Hospital>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = HospitalFilter {
            keyword,
            region_code,
        };
        let page =
            clinic_catalogue::list_hospitals(&services(ctx)?.db, &filter, window, wants_total(ctx))
                .await?;
        Ok(to_connection(page, Hospital))
    }

    /// Organizations (组织) in id order, by part of their name.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of the name.")] keyword: Option<String>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Organization>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let page = clinic_catalogue::list_organizations(
            &services(ctx)?.db,
            keyword.as_deref(),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Organization))
    }

    /// The caller's applications to organizations and memberships, newest first (doctors).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_organization_memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those in this state.")] state: Option<MembershipState>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<OrganizationMembership>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = MembershipFilter {
            doctor_id: Some(viewer.user_id),
            state: state.map(MembershipState::code),
            ..MembershipFilter::default()
        };
        let page = clinic_catalogue::list_memberships(
            &services(ctx)?.db,
            viewer,
            filter,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, OrganizationMembership))
    }

    /// Applications to organizations, newest first: those of one organization, in one state,
    /// or all (administrators).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn organization_memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only applications to this organization.")] organization_id: Option<ID>,
        #[graphql(desc = "Only those in this state.")] state: Option<MembershipState>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<OrganizationMembership>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = MembershipFilter {
            organization_id: optional_key(
                organization_id.as_ref(),
                "Organization",
                "organizationId",
            )?,
            state: state.map(MembershipState::code),
            doctor_id: None,
        };
        let page = clinic_catalogue::list_memberships(
            &services(ctx)?.db,
            viewer,
            filter,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, OrganizationMembership))
    }

    /// Special projects (专题活动), latest first: all, or those of an organization or hospital.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn special_projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this organization's.")] organization_id: Option<ID>,
        #[graphql(desc = "Only those at this hospital.")] hospital_id: Option<ID>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<SpecialProject>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let page = clinic_catalogue::list_special_projects(
            &services(ctx)?.db,
            optional_key(organization_id.as_ref(), "Organization", "organizationId")?,
            optional_key(hospital_id.as_ref(), "Hospital", "hospitalId")?,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, SpecialProject))
    }

    /// A special project by ID.
    async fn special_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the special project.")] id: ID,
    ) -> async_graphql::Result<Option<SpecialProject>> {
        let id = key_of(&id, "SpecialProject", "id")?;
        Ok(super::types::loaders(ctx)?
            .clinics
            .special_project
            .load_one(id)
            .await
            .map_err(super::loaders::load_err)?
            .map(SpecialProject))
    }

    /// Free clinics (义诊) that are not cancelled (and not over, unless asked), filtered, in
    /// `sort` order (default newest); with `near`, each has its `distance` in metres.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn free_clinics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to show.")] filter: Option<FreeClinicFilter>,
        #[graphql(desc = "The caller's position: distances, and sorting by them.")] near: Option<
            LocationInput,
        >,
        #[graphql(desc = "Order (default NEWEST).")] sort: Option<FreeClinicSort>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<FreeClinic>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = filter.unwrap_or_default().domain()?;
        let near = near.map(LocationInput::point).transpose()?;
        let page = free_clinics::list(
            &services(ctx)?.db,
            &filter,
            near,
            sort.map_or(ClinicOrder::Newest, ClinicOrder::from),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, |(model, distance)| FreeClinic {
            model,
            distance,
        }))
    }

    /// A free clinic by ID, cancelled ones too; with `near`, its `distance` in metres.
    async fn free_clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the free clinic.")] id: ID,
        #[graphql(desc = "The caller's position.")] near: Option<LocationInput>,
    ) -> async_graphql::Result<Option<FreeClinic>> {
        let id = key_of(&id, "FreeClinic", "id")?;
        let near = near.map(LocationInput::point).transpose()?;
        Ok(super::types::loaders(ctx)?
            .clinics
            .clinic
            .load_one(id)
            .await
            .map_err(super::loaders::load_err)?
            .map(|model| FreeClinic {
                distance: near.map(|p| p.distance_to(model.longitude, model.latitude)),
                model,
            }))
    }

    /// The caller's own free clinics, cancelled and ended ones too, latest day first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_free_clinics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<FreeClinic>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = free_clinics::mine(&services(ctx)?.db, viewer, window, wants_total(ctx)).await?;
        Ok(to_connection(page, FreeClinic::new))
    }

    /// The doctor directory: doctors whose profile is not disabled, filtered, best rated
    /// first unless `sort` says otherwise.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn doctors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which doctors.")] filter: Option<DoctorFilter>,
        #[graphql(desc = "Order (default BEST_RATED).")] sort: Option<DoctorSort>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = filter.unwrap_or_default();
        let domain_filter = DomainDoctorFilter {
            keyword: filter.keyword,
            department: filter.department,
            position: filter.position,
            hospital_id: optional_key(filter.hospital_id.as_ref(), "Hospital", "hospitalId")?,
            organization_id: optional_key(
                filter.organization_id.as_ref(),
                "Organization",
                "organizationId",
            )?,
        };
        let order = match sort {
            Some(DoctorSort::Popular) => DoctorOrder::Popular,
            _ => DoctorOrder::BestRated,
        };
        let page = clinic_catalogue::list_doctors(
            &services(ctx)?.db,
            &domain_filter,
            order,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, User))
    }
}

/// Publishing and cancelling free clinics, organization memberships, and the catalogue
/// (administrators).
#[derive(Default)]
pub struct ClinicMutation;

/// Publishing and cancelling free clinics, organization memberships, and the catalogue
/// (administrators).
#[Object]
impl ClinicMutation {
    /// Publishes a free clinic (doctors). Every invalid field is reported at once.
    async fn publish_free_clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the free clinic.")] input: PublishFreeClinicInput,
    ) -> async_graphql::Result<FreeClinic> {
        let viewer = auth(ctx).require()?;
        let new = NewFreeClinic {
            title: input.title,
            date: Some(input.date),
            begin: input.begin,
            end: input.end,
            capacity: input.capacity,
            slots: input.slots.map(|slots| {
                slots
                    .into_iter()
                    .map(|s| SlotInput {
                        begin: s.begin,
                        end: s.end,
                        capacity: s.capacity,
                    })
                    .collect()
            }),
            address: input.address,
            longitude: Some(input.longitude),
            latitude: Some(input.latitude),
            r#abstract: input.r#abstract,
            deposit_cents: input.deposit_cents,
            service_targets: input.service_targets,
            department: input.department,
            hospital_id: optional_key(input.hospital_id.as_ref(), "Hospital", "hospitalId")?,
            organization_id: optional_key(
                input.organization_id.as_ref(),
                "Organization",
                "organizationId",
            )?,
            special_project_id: optional_key(
                input.special_project_id.as_ref(),
                "SpecialProject",
                "specialProjectId",
            )?,
        };
        let clinic = free_clinics::publish(&services(ctx)?.db, viewer, new).await?;
        Ok(FreeClinic::new(clinic))
    }

    /// Cancels one of the caller's free clinics before it ends. Another doctor's clinic is
    /// `FORBIDDEN`; an ended or already cancelled one a `CONFLICT`.
    async fn cancel_free_clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the free clinic to cancel.")] id: ID,
    ) -> async_graphql::Result<FreeClinic> {
        let viewer = auth(ctx).require()?;
        let id = key_of(&id, "FreeClinic", "id")?;
        let s = services(ctx)?;
        let clinic = free_clinics::cancel(&s.db, s.bus.as_ref(), &s.payments, viewer, id).await?;
        Ok(FreeClinic::new(clinic))
    }

    /// Applies to join an organization (doctors). A pending or approved application is a
    /// `CONFLICT`; a rejected one is reopened.
    async fn apply_to_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ID of the organization to apply to.")] organization_id: ID,
    ) -> async_graphql::Result<OrganizationMembership> {
        let viewer = auth(ctx).require()?;
        let id = key_of(&organization_id, "Organization", "organizationId")?;
        let m = clinic_catalogue::apply_to_organization(&services(ctx)?.db, viewer, id).await?;
        Ok(OrganizationMembership(m))
    }

    /// Withdraws one of the caller's applications, or leaves the organization; answers the
    /// removed application's ID.
    async fn leave_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ID of the membership to end.")] membership_id: ID,
    ) -> async_graphql::Result<ID> {
        let viewer = auth(ctx).require()?;
        let id = key_of(&membership_id, "OrganizationMembership", "membershipId")?;
        let m = clinic_catalogue::leave_organization(&services(ctx)?.db, viewer, id).await?;
        Ok(super::node::global_id("OrganizationMembership", m.id))
    }

    /// Approves or rejects a pending application (administrators); deciding twice is a
    /// `CONFLICT`.
    async fn decide_organization_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the organization membership to decide.")] id: ID,
        #[graphql(desc = "True to approve the application, false to refuse it.")] approve: bool,
    ) -> async_graphql::Result<OrganizationMembership> {
        let viewer = auth(ctx).require()?;
        let id = key_of(&id, "OrganizationMembership", "id")?;
        let m =
            clinic_catalogue::decide_membership(&services(ctx)?.db, viewer, id, approve).await?;
        Ok(OrganizationMembership(m))
    }

    /// Adds a hospital (administrators).
    async fn create_hospital(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the hospital.")] input: HospitalInput,
    ) -> async_graphql::Result<Hospital> {
        let viewer = auth(ctx).require()?;
        let h = clinic_catalogue::create_hospital(
            &services(ctx)?.db,
            viewer,
            NewHospital {
                name: input.name,
                logo: input.logo,
                banners: input.banners,
                level: input.level,
                tag: input.tag,
                region_code: input.region_code,
                address: input.address,
                longitude: input.longitude,
                latitude: input.latitude,
            },
        )
        .await?;
        Ok(Hospital(h))
    }

    /// Adds an organization (administrators).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Name.")] name: String,
        #[graphql(desc = "Address or URL of an uploaded image.")] logo: Option<String>,
        #[graphql(desc = "Introduction.")] description: Option<String>,
    ) -> async_graphql::Result<Organization> {
        let viewer = auth(ctx).require()?;
        let o = clinic_catalogue::create_organization(
            &services(ctx)?.db,
            viewer,
            &name,
            logo.as_deref(),
            description.as_deref(),
        )
        .await?;
        Ok(Organization(o))
    }

    /// Adds a special project of an organization (administrators).
    async fn create_special_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the special project.")] input: SpecialProjectInput,
    ) -> async_graphql::Result<SpecialProject> {
        let viewer = auth(ctx).require()?;
        let time = |field: &str, text: &str| {
            free_clinics::parse_time(text)
                .ok_or_else(|| AppError::bad_field(field, format!("{field} is HH:MM or HH:MM:SS")))
        };
        let p = clinic_catalogue::create_special_project(
            &services(ctx)?.db,
            viewer,
            NewSpecialProject {
                organization_id: key_of(&input.organization_id, "Organization", "organizationId")?,
                hospital_id: optional_key(input.hospital_id.as_ref(), "Hospital", "hospitalId")?,
                title: input.title,
                photo: input.photo,
                r#abstract: input.r#abstract,
                address: input.address,
                longitude: input.longitude,
                latitude: input.latitude,
                service_targets: input.service_targets,
                starts_on: input.starts_on,
                ends_on: input.ends_on,
                begin_time: time("beginTime", &input.begin_time)?,
                end_time: time("endTime", &input.end_time)?,
            },
        )
        .await?;
        Ok(SpecialProject(p))
    }
}
