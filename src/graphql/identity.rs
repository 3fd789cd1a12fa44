//! Identity in GraphQL: who is calling, users and their profiles, and every account command
//! (codes, registration, logins, sessions, passwords, contacts, profiles, status, imports).
//! Resolvers translate; the rules live in `domain::accounts`, `domain::profiles` and
//! `domain::imports`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::loaders::load_err;
use super::node::decode_int_id;
use super::types::{Gender, MaritalStatus, User, loaders};
use super::{auth, read_upload, services};
use crate::auth::Role;
use crate::auth::captcha;
use crate::auth::codes::{Channel, Purpose};
use crate::domain::accounts::{
    self, IdentifierKind, Lookup, PasswordLogin, ProfileChanges, Registration, Session, UserFilter,
    UserOrder,
};
use crate::domain::imports::{self, ImportReport};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::profiles::{self, ConsultantChanges, DoctorChanges, PatientChanges, WorkDay};
use crate::error::AppError;
use crate::policy;

/// Queries about users.
#[derive(Default)]
pub struct IdentityQuery;

/// Queries about users.
#[Object]
impl IdentityQuery {
    /// The authenticated caller; null when anonymous. A presented token that is invalid,
    /// expired or revoked is an `UNAUTHENTICATED` error.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let auth = auth(ctx);
        if auth.viewer.is_none() && !auth.token_rejected {
            return Ok(None);
        }
        let viewer = auth.require()?;
        Ok(loaders(ctx)?
            .user
            .load_one(viewer.user_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// One user by exactly one of: global `id`, `uuid`, `username`, `phone` or `email`. Null
    /// when there is none (deactivated accounts are found only by administrators). Personal
    /// fields are masked unless the caller is the user or an administrator.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: Option<ID>,
        #[graphql(desc = "Stable UUID (medassist).")] uuid: Option<uuid::Uuid>,
        #[graphql(desc = "Exact username.")] username: Option<String>,
        #[graphql(desc = "Mobile number.")] phone: Option<String>,
        #[graphql(desc = "E-mail address.")] email: Option<String>,
    ) -> async_graphql::Result<Option<User>> {
        let mut keys = Vec::new();
        if let Some(id) = id {
            keys.push(Lookup::Id(decode_int_id(&id, "User")?));
        }
        if let Some(uuid) = uuid {
            keys.push(Lookup::Uuid(uuid));
        }
        if let Some(name) = username {
            keys.push(Lookup::Username(name));
        }
        if let Some(phone) = phone {
            keys.push(Lookup::Phone(phone));
        }
        if let Some(email) = email {
            keys.push(Lookup::Email(email));
        }
        let [key] = <[Lookup; 1]>::try_from(keys).map_err(|_| {
            AppError::bad_input("give exactly one of id, uuid, username, phone or email")
        })?;
        Ok(accounts::lookup(&services(ctx)?.db, auth(ctx), key)
            .await?
            .map(User))
    }

    /// Users, filtered and ordered. Deactivated accounts never appear; disabled ones only for
    /// administrators who ask for them.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which users.")] filter: Option<UserFilterInput>,
        #[graphql(desc = "Order of the list.", default)] order: UserOrder,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let page = accounts::list(
            &services(ctx)?.db,
            auth(ctx),
            &filter,
            order,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, User))
    }
}

/// Which users a list shows.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Part of the username or display name.
    pub name: Option<String>,
    /// Exact usernames.
    pub usernames: Option<Vec<String>>,
    /// Only these users (global IDs).
    pub ids: Option<Vec<ID>>,
    /// Only holders of this role.
    pub role: Option<Role>,
    /// Only users living in this city (6-digit code).
    pub city_code: Option<i32>,
    /// Keyset paging: only users after this one in the list's order (global ID).
    pub since: Option<ID>,
    /// Include disabled accounts (administrators only).
    #[graphql(default)]
    pub include_disabled: bool,
}

impl UserFilterInput {
    fn into_domain(self) -> Result<UserFilter, AppError> {
        let ids = self
            .ids
            .map(|ids| {
                if ids.len() > 100 {
                    return Err(AppError::bad_field("ids", "at most 100 ids"));
                }
                ids.iter().map(|id| decode_int_id(id, "User")).collect()
            })
            .transpose()?;
        Ok(UserFilter {
            name: self.name,
            usernames: self.usernames,
            ids,
            role: self.role,
            city_code: self.city_code,
            since_id: self
                .since
                .map(|id| decode_int_id(&id, "User"))
                .transpose()?,
            include_disabled: self.include_disabled,
        })
    }
}

/// A session handed out by a login or registration.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Opaque bearer token: send it as `Authorization: Bearer <token>` (or in any carrier a
    /// legacy dialect uses). Shown once.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub user: User,
    /// Whether this call created the account.
    pub is_new: bool,
}

/// What `sendVerificationCode` promises.
#[derive(SimpleObject)]
pub struct CodeSent {
    /// Always true: the answer is the same whether or not an account exists.
    pub accepted: bool,
    /// Seconds the code stays valid.
    pub expires_in_seconds: i64,
    /// Seconds before another code may be sent to the same destination.
    pub resend_after_seconds: i64,
}

/// Registration with a verified phone number or e-mail address.
#[derive(InputObject)]
pub struct RegisterInput {
    /// How the code was sent, and so which contact the account gets.
    pub channel: Channel,
    /// The phone number or e-mail address the code went to.
    pub destination: String,
    /// The 6-digit code.
    pub code: String,
    /// At least 8 characters mixing letters, digits or symbols.
    pub password: String,
    /// The role to register as (patient, doctor, assistant or consultant).
    pub role: Role,
    /// Desired username; generated when omitted.
    pub username: Option<String>,
    /// Name shown to others; derived from the contact when omitted.
    pub display_name: Option<String>,
}

/// A password login.
#[derive(InputObject)]
pub struct LoginInput {
    /// Phone number, e-mail address or username.
    pub identifier: String,
    /// What `identifier` is; `ANY` decides from its shape.
    #[graphql(default_with = "IdentifierKind::Any")]
    pub identifier_kind: IdentifierKind,
    /// The password.
    pub password: String,
    /// Log in as this role: the account must hold it, approved or applied for (a login never
    /// grants a role; registering with a verified code applies for one).
    pub role: Option<Role>,
}

/// Changes to one's personal data; omitted fields stay, empty strings clear.
#[derive(InputObject, Default)]
pub struct ProfileInput {
    /// New username (3-32 letters, digits, `_ . -`; unique).
    pub username: Option<String>,
    /// Name shown to others.
    pub display_name: Option<String>,
    /// Legal name.
    pub real_name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// Date of birth, `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// Self-description, at most 500 characters.
    pub bio: Option<String>,
    /// Address or URL of an uploaded image.
    pub avatar: Option<String>,
    /// Address or URL of an uploaded background image.
    pub background: Option<String>,
    /// Province code.
    pub province_code: Option<i32>,
    /// City code.
    pub city_code: Option<i32>,
    /// County code.
    pub county_code: Option<i32>,
    /// Street address.
    pub address: Option<String>,
    /// Free-text location.
    pub location: Option<String>,
    /// Resident ID-card number (checked: GB 11643 check digit and birth date); fills birthday
    /// and gender when they are unknown.
    pub id_card_number: Option<String>,
    /// E-mail address set without a code (legacy forum profiles); it must be free. Prefer
    /// `changeContact`.
    pub email: Option<String>,
    /// The current phone number, as legacy forms resend it: accepted only when unchanged
    /// (changing it needs `changeContact` and a code).
    pub phone: Option<String>,
    /// The current username, as legacy forms that cannot rename resend it: accepted only when
    /// unchanged (renaming goes through `username`).
    pub current_username: Option<String>,
}

impl From<PatientProfileInput> for PatientChanges {
    fn from(input: PatientProfileInput) -> Self {
        PatientChanges {
            height_cm: input.height_cm,
            weight_kg: input.weight_kg,
            marital_status: input.marital_status.map(MaritalStatus::code),
            drinks: input.drinks,
            smokes: input.smokes,
        }
    }
}

impl From<DoctorProfileInput> for DoctorChanges {
    fn from(input: DoctorProfileInput) -> Self {
        DoctorChanges {
            hospital_id: input.hospital_id,
            hospital_name: input.hospital_name,
            department: input.department,
            position: input.position,
            specialties: input.specialties,
            work_proof: input.work_proof,
            r#abstract: input.r#abstract,
            work_time: input.work_time,
        }
    }
}

impl From<ConsultantProfileInput> for ConsultantChanges {
    fn from(input: ConsultantProfileInput) -> Self {
        ConsultantChanges {
            organization: input.organization,
            introduction: input.introduction,
            experience: input.experience,
            expertise: input.expertise,
            education: input.education,
            certifications: input.certifications,
        }
    }
}

impl From<ProfileInput> for ProfileChanges {
    fn from(p: ProfileInput) -> Self {
        ProfileChanges {
            username: p.username,
            display_name: p.display_name,
            real_name: p.real_name,
            gender: p.gender.map(Gender::code),
            birthday: p.birthday,
            bio: p.bio,
            avatar: p.avatar,
            background: p.background,
            province_code: p.province_code,
            city_code: p.city_code,
            county_code: p.county_code,
            address: p.address,
            location: p.location,
            id_card_number: p.id_card_number,
            email: p.email,
            phone: p.phone,
            current_username: p.current_username,
        }
    }
}

/// Changes to a patient profile.
#[derive(InputObject, Default)]
pub struct PatientProfileInput {
    /// Height in centimetres (30-260).
    pub height_cm: Option<f64>,
    /// Weight in kilograms (2-400).
    pub weight_kg: Option<f64>,
    /// Marital status.
    pub marital_status: Option<MaritalStatus>,
    /// Whether the patient drinks.
    pub drinks: Option<bool>,
    /// Whether the patient smokes.
    pub smokes: Option<bool>,
}

/// Changes to a doctor profile.
#[derive(InputObject, Default)]
pub struct DoctorProfileInput {
    /// Hospital id (0 clears).
    pub hospital_id: Option<i64>,
    /// Hospital name.
    pub hospital_name: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Position or title.
    pub position: Option<String>,
    /// What the doctor is good at.
    pub specialties: Option<String>,
    /// Addresses or URLs of uploaded proof-of-employment images (at most 9).
    pub work_proof: Option<Vec<String>>,
    /// Introduction.
    pub r#abstract: Option<String>,
    /// Weekly work time: exactly 7 days, Monday first.
    pub work_time: Option<Vec<WorkDay>>,
}

/// Changes to a doctor's-assistant profile.
#[derive(InputObject, Default)]
pub struct AssistantProfileInput {
    /// Volunteer team (志愿团队); an empty string clears it.
    pub team_name: Option<String>,
}

/// Changes to a consultant profile.
#[derive(InputObject, Default)]
pub struct ConsultantProfileInput {
    /// Organisation: it comes from an approved membership (`applyToOrganization`), so only
    /// the current one (or an empty string) is accepted, for forms that send it back.
    pub organization: Option<String>,
    /// Introduction.
    pub introduction: Option<String>,
    /// Experience.
    pub experience: Option<String>,
    /// Expertise.
    pub expertise: Option<String>,
    /// Education.
    pub education: Option<String>,
    /// Certifications.
    pub certifications: Option<String>,
}

fn payload(session: Session) -> AuthPayload {
    AuthPayload {
        token: session.token,
        expires_at: session.expires_at,
        user: User(session.user),
        is_new: session.is_new,
    }
}

/// Sets the forum's session cookie next to the token (HttpOnly, SameSite=Lax).
fn set_session_cookie(ctx: &Context<'_>, token: &str, expires_at: DateTime<Utc>) {
    let Ok(services) = services(ctx) else { return };
    let auth = &services.config.auth;
    let max_age = (expires_at - Utc::now()).num_seconds().max(0);
    let secure = if auth.secure_cookies { "; Secure" } else { "" };
    ctx.append_http_header(
        http::header::SET_COOKIE,
        format!(
            "{}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
            auth.cookie_name
        ),
    );
}

fn session_payload(ctx: &Context<'_>, session: Session) -> AuthPayload {
    set_session_cookie(ctx, &session.token, session.expires_at);
    if let Ok(grant) = ctx.data::<super::SessionGrant>() {
        grant.grant(session.user.id);
    }
    payload(session)
}

/// The user an admin-capable mutation acts on: `user_id` when given, else the caller.
fn target(
    ctx: &Context<'_>,
    user_id: Option<ID>,
) -> async_graphql::Result<(crate::auth::Viewer, i64)> {
    let viewer = auth(ctx).require()?.clone();
    let target = match user_id {
        Some(id) => decode_int_id(&id, "User")?,
        None => viewer.user_id,
    };
    Ok((viewer, target))
}

async fn reload(ctx: &Context<'_>, user_id: i64) -> async_graphql::Result<User> {
    let user = accounts::lookup(&services(ctx)?.db, auth(ctx), Lookup::Id(user_id))
        .await?
        .ok_or_else(|| AppError::NotFound("no such user".into()))?;
    Ok(User(user))
}

/// Account commands.
#[derive(Default)]
pub struct IdentityMutation;

/// Account commands.
#[Object]
impl IdentityMutation {
    /// Sends a 6-digit verification code by SMS or e-mail for a purpose. Codes live 5 minutes
    /// and allow 5 guesses; one code per destination per minute, and per-address quotas. The
    /// answer never reveals whether an account exists. `captchaId` + `captchaAnswer` check an
    /// image captcha first when given (the volunteer dialect requires one).
    async fn send_verification_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "SMS or e-mail.")] channel: Channel,
        #[graphql(desc = "Phone number or e-mail address.")] destination: String,
        #[graphql(desc = "What the code is for.")] purpose: Purpose,
        #[graphql(desc = "Id of an image captcha (its cookie).")] captcha_id: Option<String>,
        #[graphql(desc = "The characters of the captcha image.")] captcha_answer: Option<String>,
    ) -> async_graphql::Result<CodeSent> {
        let services = services(ctx)?;
        if captcha_id.is_some() || captcha_answer.is_some() {
            captcha::verify(
                &services.db,
                captcha_id.as_deref(),
                captcha_answer.as_deref().unwrap_or(""),
            )
            .await?;
        }
        accounts::send_code(services, auth(ctx), channel, &destination, purpose).await?;
        Ok(CodeSent {
            accepted: true,
            expires_in_seconds: services.config.auth.code_ttl_secs,
            resend_after_seconds: services.config.auth.code_resend_secs,
        })
    }

    /// Registers an account with a verified contact and a password, and logs it in.
    async fn register(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The new account: identifier, password or verified code, and the role applied for."
        )]
        input: RegisterInput,
    ) -> async_graphql::Result<AuthPayload> {
        let session = accounts::register(
            services(ctx)?,
            auth(ctx),
            Registration {
                channel: input.channel,
                destination: input.destination,
                code: input.code,
                password: input.password,
                role: input.role,
                username: input.username,
                display_name: input.display_name,
            },
        )
        .await?;
        Ok(session_payload(ctx, session))
    }

    /// Logs in with a password (by phone, e-mail or username). Repeated failures lock the
    /// account for a while; an unknown account and a wrong password get the same answer.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The account's identifier (username, phone or e-mail) and its password or code."
        )]
        input: LoginInput,
    ) -> async_graphql::Result<AuthPayload> {
        let session = accounts::login_with_password(
            services(ctx)?,
            auth(ctx),
            PasswordLogin {
                kind: input.identifier_kind,
                identifier: input.identifier,
                password: input.password,
                role: input.role,
            },
        )
        .await?;
        Ok(session_payload(ctx, session))
    }

    /// Logs in with a code sent (purpose `LOGIN`) to the account's phone or e-mail.
    async fn login_with_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "SMS or e-mail.")] channel: Channel,
        #[graphql(desc = "Phone number or e-mail address.")] destination: String,
        #[graphql(desc = "The 6-digit code.")] code: String,
        #[graphql(desc = "Log in as this role.")] role: Option<Role>,
    ) -> async_graphql::Result<AuthPayload> {
        let session = accounts::login_with_code(
            services(ctx)?,
            auth(ctx),
            channel,
            &destination,
            &code,
            role,
        )
        .await?;
        Ok(session_payload(ctx, session))
    }

    /// Logs in with an SMS code, creating the account (without a password) when the number
    /// has none; `isNew` tells which.
    async fn login_or_register_by_phone(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Mobile number.")] phone: String,
        #[graphql(desc = "The 6-digit code (purpose `LOGIN`, or `REGISTER` for a new number).")]
        code: String,
        #[graphql(desc = "Role of a new account.", default_with = "Role::Patient")] role: Role,
    ) -> async_graphql::Result<AuthPayload> {
        let session =
            accounts::login_or_register_by_phone(services(ctx)?, auth(ctx), &phone, &code, role)
                .await?;
        Ok(session_payload(ctx, session))
    }

    /// Ends the caller's session: the token stops working at once.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let viewer = auth(ctx).require()?;
        accounts::logout(services(ctx)?, viewer).await?;
        let cookie = &services(ctx)?.config.auth.cookie_name;
        ctx.append_http_header(
            http::header::SET_COOKIE,
            format!("{cookie}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
        );
        Ok(true)
    }

    /// Sets a new password with a code (purpose `RESET`); every session of the account ends.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "SMS or e-mail.")] channel: Channel,
        #[graphql(desc = "The account's phone number or e-mail address.")] destination: String,
        #[graphql(desc = "The 6-digit code.")] code: String,
        #[graphql(desc = "The new password.")] new_password: String,
    ) -> async_graphql::Result<bool> {
        accounts::reset_password(services(ctx)?, channel, &destination, &code, &new_password)
            .await?;
        Ok(true)
    }

    /// Changes the caller's password; the current one is required when there is one. Other
    /// sessions end.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The current password.")] old_password: Option<String>,
        #[graphql(desc = "The new password.")] new_password: String,
    ) -> async_graphql::Result<bool> {
        let viewer = auth(ctx).require()?;
        accounts::change_password(
            services(ctx)?,
            viewer,
            old_password.as_deref(),
            &new_password,
        )
        .await?;
        Ok(true)
    }

    /// Binds a new phone number or e-mail address, proven by a code (purpose
    /// `CHANGE_CONTACT`) sent to it.
    async fn change_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which contact.")] channel: Channel,
        #[graphql(desc = "The new phone number or e-mail address.")] destination: String,
        #[graphql(desc = "The 6-digit code sent to it.")] code: String,
    ) -> async_graphql::Result<User> {
        let viewer = auth(ctx).require()?.clone();
        accounts::change_contact(services(ctx)?, &viewer, channel, &destination, &code).await?;
        reload(ctx, viewer.user_id).await
    }

    /// Removes the caller's phone number or e-mail address, with the password and a code
    /// (purpose `CHANGE_CONTACT`) sent to it.
    async fn unbind_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which contact.")] channel: Channel,
        #[graphql(desc = "The account's password.")] password: String,
        #[graphql(desc = "The 6-digit code sent to the contact.")] code: String,
    ) -> async_graphql::Result<User> {
        let viewer = auth(ctx).require()?.clone();
        accounts::unbind_contact(services(ctx)?, &viewer, channel, &password, &code).await?;
        reload(ctx, viewer.user_id).await
    }

    /// Edits personal data: one's own, or anyone's for an administrator.
    async fn update_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose profile (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
        #[graphql(desc = "The profile fields to change; omitted fields stay as they are.")]
        input: ProfileInput,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, user_id)?;
        let updated =
            accounts::update_profile(services(ctx)?, &viewer, target, input.into()).await?;
        Ok(User(updated))
    }

    /// Edits an account in one step: profile data (owner or administrator) and, for
    /// administrators only, the phone number, the password (ending the account's sessions) and
    /// a doctor's hospital (medassist user maintenance).
    #[allow(clippy::too_many_arguments)]
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose account (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
        #[graphql(desc = "Whose account, by UUID (medassist), instead of `userId`.")]
        user_uuid: Option<uuid::Uuid>,
        #[graphql(desc = "Profile changes.")] input: Option<ProfileInput>,
        #[graphql(desc = "New phone number (administrators).")] phone: Option<String>,
        #[graphql(desc = "New password (administrators).")] password: Option<String>,
        #[graphql(desc = "Hospital of a doctor (administrators).")] hospital_name: Option<String>,
    ) -> async_graphql::Result<User> {
        let (viewer, mut target) = target(ctx, user_id)?;
        if let Some(uuid) = user_uuid {
            target = accounts::lookup(&services(ctx)?.db, auth(ctx), Lookup::Uuid(uuid))
                .await?
                .ok_or_else(|| AppError::NotFound("no user has this uuid".into()))?
                .id;
        }
        let updated = accounts::update_account(
            services(ctx)?,
            &viewer,
            target,
            input.unwrap_or_default().into(),
            accounts::AdminChanges {
                phone,
                password,
                hospital_name,
            },
        )
        .await?;
        Ok(User(updated))
    }

    /// Edits personal data and role profiles in one transaction (the owner or an
    /// administrator). With `onlyHeldRoles` sections for roles the user does not hold are
    /// ignored; otherwise they are refused.
    #[allow(clippy::too_many_arguments)]
    async fn update_profiles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose profiles (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
        #[graphql(desc = "Personal data.")] profile: Option<ProfileInput>,
        #[graphql(desc = "Patient profile.")] patient: Option<PatientProfileInput>,
        #[graphql(desc = "Doctor profile.")] doctor: Option<DoctorProfileInput>,
        #[graphql(desc = "Assistant profile.")] assistant: Option<AssistantProfileInput>,
        #[graphql(desc = "Consultant profile.")] consultant: Option<ConsultantProfileInput>,
        #[graphql(desc = "Ignore sections of roles the user does not hold.", default)]
        only_held_roles: bool,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, user_id)?;
        accounts::update_profiles(
            services(ctx)?,
            &viewer,
            target,
            profile.unwrap_or_default().into(),
            accounts::RoleSections {
                patient: patient.map(Into::into),
                doctor: doctor.map(Into::into),
                assistant_team: assistant.map(|a| a.team_name),
                consultant: consultant.map(Into::into),
            },
            only_held_roles,
        )
        .await?;
        reload(ctx, target).await
    }

    /// Uploads an image and makes it the avatar (the caller's, or anyone's for an
    /// administrator).
    async fn set_avatar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The image (JPEG, PNG, GIF or WebP).")] file: Upload,
        #[graphql(desc = "Whose avatar (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, user_id)?;
        let services = services(ctx)?;
        let (name, bytes) = read_upload(ctx, file, services.files.max_upload_bytes()).await?;
        let updated =
            accounts::set_avatar(services, &viewer, target, bytes.into(), Some(&name)).await?;
        Ok(User(updated))
    }

    /// Edits a patient profile (its owner or an administrator).
    async fn update_patient_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose profile (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: PatientProfileInput,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, user_id)?;
        profiles::update_patient(services(ctx)?, &viewer, target, input.into()).await?;
        reload(ctx, target).await
    }

    /// Edits a doctor profile (its owner or an administrator).
    async fn update_doctor_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose profile (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: DoctorProfileInput,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, user_id)?;
        profiles::update_doctor(services(ctx)?, &viewer, target, input.into()).await?;
        reload(ctx, target).await
    }

    /// Edits a doctor's-assistant profile (its owner or an administrator).
    async fn update_assistant_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose profile (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
        #[graphql(desc = "Volunteer team.")] team_name: Option<String>,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, user_id)?;
        profiles::update_assistant(services(ctx)?, &viewer, target, team_name).await?;
        reload(ctx, target).await
    }

    /// Edits a consultant profile (its owner or an administrator).
    async fn update_consultant_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose profile (administrators); the caller's when omitted.")]
        user_id: Option<ID>,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: ConsultantProfileInput,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, user_id)?;
        profiles::update_consultant(services(ctx)?, &viewer, target, input.into()).await?;
        reload(ctx, target).await
    }

    /// Deactivates (注销) the caller's own account: it can no longer log in and every session
    /// ends. Give `channel` + `destination` + `code` (purpose `DEACTIVATE`, sent to the
    /// account's own contact) as proof; all three or none (the session alone, as the social
    /// dialect does).
    async fn deactivate_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How the code was sent.")] channel: Option<Channel>,
        #[graphql(desc = "The account's phone number or e-mail address.")] destination: Option<
            String,
        >,
        #[graphql(desc = "The 6-digit code.")] code: Option<String>,
    ) -> async_graphql::Result<bool> {
        let viewer = auth(ctx).require()?.clone();
        let proof = match (channel, destination, code) {
            (Some(c), Some(d), Some(code)) => Some((c, d, code)),
            (None, None, None) => None,
            _ => {
                return Err(AppError::bad_input(
                    "give channel, destination and code together, or none of them",
                )
                .into());
            }
        };
        accounts::deactivate(services(ctx)?, &viewer, proof).await?;
        Ok(true)
    }

    /// Disables or re-enables an account (administrators). Disabling ends its sessions.
    async fn set_user_disabled(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account.")] user_id: ID,
        #[graphql(desc = "True to disable, false to enable.")] disabled: bool,
    ) -> async_graphql::Result<User> {
        let (viewer, target) = target(ctx, Some(user_id))?;
        let updated = accounts::set_disabled(services(ctx)?, &viewer, target, disabled).await?;
        Ok(User(updated))
    }

    /// Creates accounts from a spreadsheet (.xlsx, .xls or .csv; administrators). The first
    /// row names the columns; see the README for them. Every row is checked first and a
    /// report lists each row; with errors nothing is imported unless `skipInvalid` is set, and
    /// no row is ever half-imported.
    async fn import_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The spreadsheet.")] file: Upload,
        #[graphql(desc = "Import the valid rows even when others have errors.", default)]
        skip_invalid: bool,
    ) -> async_graphql::Result<ImportReport> {
        let viewer = auth(ctx).require()?.clone();
        policy::require_admin(&viewer)?;
        let services = services(ctx)?;
        let (name, bytes) = read_upload(ctx, file, services.files.max_upload_bytes()).await?;
        Ok(imports::import_users(services, &viewer, &name, bytes, skip_invalid).await?)
    }
}
