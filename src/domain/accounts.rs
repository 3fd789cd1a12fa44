//! Accounts: registration, logins, sessions, passwords, contacts, personal data, status.
//! Every command is one transaction; a failed command changes nothing (wrong verification-code
//! guesses and failed logins are counted, which is the point of counting them).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{user, user_role};
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::Services;
use crate::auth::codes::{self, Channel, Purpose};
use crate::auth::{self, Auth, Role, Viewer, passwords};
use crate::domain::page::{Page, PageRequest};
use crate::domain::profiles::text;
use crate::domain::{files, idcard, profiles, regions, role_reviews};
use crate::error::{AppError, AppResult};
use crate::ratelimit;

/// Account status values.
pub mod status {
    /// Usable.
    pub const ACTIVE: &str = "active";
    /// Disabled by an administrator.
    pub const DISABLED: &str = "disabled";
    /// Deactivated by its owner.
    pub const DEACTIVATED: &str = "deactivated";
}

/// Roles a person may apply for by registering (patients are approved at once, the others wait
/// for a review); the others are granted by administrators.
pub const SELF_SERVICE_ROLES: [Role; 4] = [
    Role::Patient,
    Role::Doctor,
    Role::Assistant,
    Role::Consultant,
];

/// Checks a username: 3 to 32 characters of letters, digits, `_`, `.` or `-`.
pub fn validate_username(username: &str) -> AppResult<()> {
    let len = username.chars().count();
    if !(3..=32).contains(&len) {
        return Err(AppError::bad_field(
            "username",
            "a username has 3 to 32 characters",
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(AppError::bad_field(
            "username",
            "a username holds only letters, digits, '_', '.' and '-'",
        ));
    }
    if username.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::bad_field(
            "username",
            "a username cannot be all digits (it would look like a phone number or an id)",
        ));
    }
    Ok(())
}

fn validate_display_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::bad_field(
            "displayName",
            "a display name has 1 to 64 characters",
        ));
    }
    Ok(name.to_owned())
}

fn conflict_on_unique(err: sea_orm::DbErr, what: &str) -> AppError {
    match AppError::from(err) {
        AppError::Conflict(_) => AppError::Conflict(format!("{what} is already taken")),
        other => other,
    }
}

fn random_suffix(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(|c| char::from(c).to_ascii_lowercase())
        .collect()
}

/// Creates an active account (seeds, operators, imports). A taken username is a `CONFLICT`.
pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    username: &str,
    display_name: &str,
) -> AppResult<user::Model> {
    validate_username(username)?;
    let display_name = validate_display_name(display_name)?;
    let now = Utc::now();
    user::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        username: Set(username.to_owned()),
        display_name: Set(display_name),
        status: Set(status::ACTIVE.into()),
        gender: Set(0),
        invite_code: Set(Some(random_suffix(8).to_uppercase())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| conflict_on_unique(e, &format!("the username {username}")))
}

/// Grants a role approved (idempotent) and creates its empty profile: what administrators,
/// seeds and imports do. Self-service paths apply instead ([`role_reviews::apply`]).
pub async fn grant_role<C: ConnectionTrait>(db: &C, user_id: i64, role: Role) -> AppResult<()> {
    role_reviews::grant(db, user_id, role, None).await
}

/// An account by username.
pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?)
}

/// Accounts by id, for the loaders.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Approved roles of several users, for the loaders.
pub async fn roles_by_user_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Role>>> {
    let mut map: HashMap<i64, Vec<Role>> = HashMap::new();
    for row in user_role::Entity::find()
        .filter(user_role::Column::UserId.is_in(ids.iter().copied()))
        .filter(user_role::Column::State.eq(role_reviews::state::APPROVED))
        .all(db)
        .await?
    {
        if let Ok(role) = row.role.parse() {
            map.entry(row.user_id).or_default().push(role);
        }
    }
    for roles in map.values_mut() {
        roles.sort();
    }
    Ok(map)
}

/// How a login names its account.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum IdentifierKind {
    /// Decide from the shape: an `@` is an e-mail address, 11 digits a phone number, anything
    /// else a username.
    Any,
    /// A mainland mobile number.
    Phone,
    /// An e-mail address.
    Email,
    /// A username.
    Username,
}

/// Which column an identifier matches, with the normalised value.
fn identify(kind: IdentifierKind, raw: &str) -> Option<(user::Column, String)> {
    let raw = raw.trim();
    match kind {
        IdentifierKind::Phone => codes::normalize_phone(raw, "phone")
            .ok()
            .map(|p| (user::Column::Phone, p)),
        IdentifierKind::Email => codes::normalize_email(raw, "email")
            .ok()
            .map(|e| (user::Column::Email, e)),
        IdentifierKind::Username => Some((user::Column::Username, raw.to_owned())),
        IdentifierKind::Any => {
            if raw.contains('@') {
                identify(IdentifierKind::Email, raw)
            } else if let Ok(p) = codes::normalize_phone(raw, "phone") {
                Some((user::Column::Phone, p))
            } else {
                Some((user::Column::Username, raw.to_owned()))
            }
        }
    }
}

async fn find_by<C: ConnectionTrait>(
    db: &C,
    column: user::Column,
    value: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(column.eq(value))
        .one(db)
        .await?)
}

/// An account by phone number or e-mail address (normalised first).
pub async fn find_by_contact<C: ConnectionTrait>(
    db: &C,
    channel: Channel,
    destination: &str,
) -> AppResult<Option<user::Model>> {
    let column = match channel {
        Channel::Sms => user::Column::Phone,
        Channel::Email => user::Column::Email,
    };
    find_by(db, column, destination).await
}

/// How callers look a user up.
#[derive(Debug, Clone)]
pub enum Lookup {
    Id(i64),
    Uuid(uuid::Uuid),
    Username(String),
    Phone(String),
    Email(String),
}

/// Finds a user by any unique key. Deactivated accounts are not found except by
/// administrators.
pub async fn lookup(
    db: &DatabaseConnection,
    auth: &Auth,
    by: Lookup,
) -> AppResult<Option<user::Model>> {
    let found = match by {
        Lookup::Id(id) => user::Entity::find_by_id(id).one(db).await?,
        Lookup::Uuid(uuid) => {
            user::Entity::find()
                .filter(user::Column::Uuid.eq(uuid))
                .one(db)
                .await?
        }
        Lookup::Username(name) => find_by(db, user::Column::Username, name.trim()).await?,
        Lookup::Phone(phone) => match codes::normalize_phone(&phone, "phone") {
            Ok(p) => find_by(db, user::Column::Phone, &p).await?,
            Err(_) => None,
        },
        Lookup::Email(email) => match codes::normalize_email(&email, "email") {
            Ok(e) => find_by(db, user::Column::Email, &e).await?,
            Err(_) => None,
        },
    };
    Ok(found.filter(|u| u.status != status::DEACTIVATED || auth.is_admin()))
}

/// A successful login or registration.
#[derive(Debug, Clone)]
pub struct Session {
    /// The bearer token; shown once.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: user::Model,
    /// Whether this call created the account.
    pub is_new: bool,
}

async fn open_session(s: &Services, user: user::Model, is_new: bool) -> AppResult<Session> {
    let (token, row) = auth::issue_token(&s.db, user.id, s.config.auth.token_ttl_hours).await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastActiveAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user.id))
        .exec(&s.db)
        .await?;
    Ok(Session {
        token,
        expires_at: row.expires_at,
        user,
        is_new,
    })
}

/// Decides whether a code for `purpose` is delivered to `destination`: purposes that need an
/// existing account deliver only when one exists (the answer is the same either way).
async fn should_deliver(
    db: &DatabaseConnection,
    channel: Channel,
    destination: &str,
    purpose: Purpose,
) -> AppResult<bool> {
    Ok(match purpose {
        Purpose::Login | Purpose::Reset | Purpose::Deactivate => {
            find_by_contact(db, channel, destination)
                .await?
                .is_some_and(|u| u.status == status::ACTIVE)
        }
        Purpose::Register | Purpose::ChangeContact | Purpose::Bind | Purpose::General => true,
    })
}

/// Sends a verification code. Rate-limited per destination and per client address; the answer
/// is the same whether or not an account exists.
pub async fn send_code(
    s: &Services,
    auth: &Auth,
    channel: Channel,
    destination: &str,
    purpose: Purpose,
) -> AppResult<()> {
    let field = channel.field();
    let destination = codes::normalize(channel, destination, field)?;
    let deliver = should_deliver(&s.db, channel, &destination, purpose).await?;
    codes::issue(
        &s.db,
        &s.config.auth,
        &s.codes,
        channel,
        &destination,
        purpose,
        &auth.ip_key(),
        deliver,
    )
    .await
}

/// A registration request.
#[derive(Debug, Clone)]
pub struct Registration {
    pub channel: Channel,
    pub destination: String,
    pub code: String,
    pub password: String,
    pub role: Role,
    pub username: Option<String>,
    pub display_name: Option<String>,
}

/// Registers an account with a verified phone number or e-mail address and a password, in the
/// given role, and logs it in.
pub async fn register(s: &Services, auth: &Auth, input: Registration) -> AppResult<Session> {
    if !SELF_SERVICE_ROLES.contains(&input.role) {
        return Err(AppError::bad_field(
            "role",
            "this role is granted by administrators, not by registration",
        ));
    }
    let field = input.channel.field();
    let destination = codes::normalize(input.channel, &input.destination, field)?;
    passwords::validate_strength(&input.password, "password")?;
    if let Some(name) = &input.username {
        validate_username(name.trim())?;
    }
    let display_name = input
        .display_name
        .as_deref()
        .map(validate_display_name)
        .transpose()?;
    ratelimit::check(
        &s.db,
        &format!("register:ip:{}", auth.ip_key()),
        3600,
        s.config.auth.codes_per_ip_per_hour,
        "registrations from this address",
    )
    .await?;
    let hash = passwords::hash(&input.password).await?;
    let code_id = codes::verify(
        &s.db,
        &s.config.auth,
        &destination,
        &[Purpose::Register],
        &input.code,
        "code",
    )
    .await?;
    // An existing account proven by the code applies for the role, with its own password.
    if let Some(account) = find_by_contact(&s.db, input.channel, &destination).await? {
        let what = match input.channel {
            Channel::Sms => "this phone number",
            Channel::Email => "this e-mail address",
        };
        let own = account.status == status::ACTIVE
            && passwords::verify(account.password_hash.as_deref(), &input.password).await?;
        if !own {
            return Err(AppError::Conflict(format!(
                "{what} is already registered; to apply for another role, register with the account's password"
            )));
        }
        let txn = s.db.begin().await?;
        codes::consume(&txn, code_id, "code").await?;
        role_reviews::apply(&txn, account.id, input.role).await?;
        txn.commit().await?;
        return open_session(s, account, false).await;
    }
    let txn = s.db.begin().await?;
    codes::consume(&txn, code_id, "code").await?;
    let user = create_with_contact(
        &txn,
        input.channel,
        &destination,
        input.username.as_deref().map(str::trim),
        display_name,
        Some(hash),
        input.role,
    )
    .await?;
    txn.commit().await?;
    open_session(s, user, true).await
}

/// Creates an account holding a verified contact, a role and optionally a password.
async fn create_with_contact<C: ConnectionTrait>(
    txn: &C,
    channel: Channel,
    destination: &str,
    username: Option<&str>,
    display_name: Option<String>,
    password_hash: Option<String>,
    role: Role,
) -> AppResult<user::Model> {
    let what = match channel {
        Channel::Sms => "this phone number",
        Channel::Email => "this e-mail address",
    };
    if find_by_contact(txn, channel, destination).await?.is_some() {
        return Err(AppError::Conflict(format!("{what} is already registered")));
    }
    let username = match username {
        Some(name) => {
            if find_by_username(txn, name).await?.is_some() {
                return Err(AppError::Conflict(format!("the username {name} is taken")));
            }
            name.to_owned()
        }
        None => format!("u_{}", random_suffix(10)),
    };
    let display_name = display_name.unwrap_or_else(|| match channel {
        Channel::Sms => format!(
            "用户{}",
            &destination[destination.len().saturating_sub(4)..]
        ),
        Channel::Email => destination
            .split('@')
            .next()
            .unwrap_or("user")
            .chars()
            .take(32)
            .collect(),
    });
    let now = Utc::now();
    let (phone, email) = match channel {
        Channel::Sms => (Some(destination.to_owned()), None),
        Channel::Email => (None, Some(destination.to_owned())),
    };
    let user = user::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        username: Set(username),
        display_name: Set(display_name),
        status: Set(status::ACTIVE.into()),
        phone: Set(phone),
        email: Set(email),
        gender: Set(0),
        password_hash: Set(password_hash),
        invite_code: Set(Some(random_suffix(8).to_uppercase())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, what))?;
    role_reviews::apply(txn, user.id, role).await?;
    Ok(user)
}

/// Creates an account on someone's behalf (a doctor's assistant creating a patient, 新建病人)
/// inside the caller's transaction: an optional phone number (without a code: the account's
/// owner proves it when they log in by SMS), a password, a role and personal data, checked as
/// profile edits are. A taken phone number or e-mail address is a `CONFLICT`.
pub(crate) async fn create_on_behalf_in<C: ConnectionTrait>(
    txn: &C,
    phone: Option<&str>,
    password_hash: String,
    role: Role,
    changes: ProfileChanges,
) -> AppResult<user::Model> {
    let display_name = changes
        .real_name
        .as_deref()
        .map(validate_display_name)
        .transpose()?;
    let user = match phone {
        Some(phone) => {
            let phone = codes::normalize_phone(phone, "phone")?;
            create_with_contact(
                txn,
                Channel::Sms,
                &phone,
                None,
                display_name,
                Some(password_hash),
                role,
            )
            .await?
        }
        None => {
            let name = display_name.unwrap_or_else(|| "患者".to_owned());
            let user = create_user(txn, &format!("u_{}", random_suffix(10)), &name).await?;
            let mut model = user.into_active_model();
            model.password_hash = Set(Some(password_hash));
            let user = model.update(txn).await?;
            grant_role(txn, user.id, role).await?;
            user
        }
    };
    update_profile_in(txn, user.id, changes).await
}

/// A password login.
#[derive(Debug, Clone)]
pub struct PasswordLogin {
    pub kind: IdentifierKind,
    pub identifier: String,
    pub password: String,
    /// The role the client logs in as: the account must hold it (approved or applied for);
    /// a login never grants a role.
    pub role: Option<Role>,
}

/// Counts a login attempt against the caller's address.
async fn check_login_rate(s: &Services, auth: &Auth) -> AppResult<()> {
    ratelimit::check(
        &s.db,
        &format!("login:ip:{}", auth.ip_key()),
        60,
        s.config.auth.logins_per_ip_per_minute,
        "login attempts from this address",
    )
    .await
}

fn wrong_credentials() -> AppError {
    AppError::Unauthenticated("the account or password is wrong".into())
}

fn lock_key(column: user::Column, value: &str) -> String {
    let column = match column {
        user::Column::Phone => "phone",
        user::Column::Email => "email",
        _ => "username",
    };
    format!("login-fail:{column}:{value}")
}

/// Logs in with a password. Per-address limits, a lock after repeated failures, and one answer
/// for an unknown account and a wrong password.
pub async fn login_with_password(
    s: &Services,
    auth: &Auth,
    input: PasswordLogin,
) -> AppResult<Session> {
    let cfg = &s.config.auth;
    check_login_rate(s, auth).await?;
    let Some((column, value)) = identify(input.kind, &input.identifier) else {
        return Err(wrong_credentials());
    };
    let key = lock_key(column, &value);
    let lock_secs = cfg.login_lock_minutes * 60;
    if ratelimit::count(&s.db, &key, lock_secs).await? >= cfg.login_failures_before_lock {
        return Err(locked(cfg.login_lock_minutes));
    }
    let account = find_by(&s.db, column, &value)
        .await?
        .filter(|u| u.status != status::DEACTIVATED);
    let ok = passwords::verify(
        account.as_ref().and_then(|u| u.password_hash.as_deref()),
        &input.password,
    )
    .await?;
    let Some(account) = account.filter(|_| ok) else {
        if ratelimit::hit(&s.db, &key, lock_secs).await? >= cfg.login_failures_before_lock {
            return Err(locked(cfg.login_lock_minutes));
        }
        return Err(wrong_credentials());
    };
    ratelimit::clear(&s.db, &key).await?;
    finish_login(s, account, input.role).await
}

fn locked(minutes: i64) -> AppError {
    AppError::RateLimited(format!(
        "too many failed logins; this account is locked for {minutes} minutes"
    ))
}

async fn finish_login(
    s: &Services,
    account: user::Model,
    role: Option<Role>,
) -> AppResult<Session> {
    if account.status == status::DISABLED {
        return Err(AppError::Forbidden(
            "this account has been disabled by an administrator".into(),
        ));
    }
    if let Some(role) = role {
        // A login never grants a role: the account must hold it (approved, or applied for:
        // an applicant completes their profile).
        if !role_reviews::held_or_applied(&s.db, account.id)
            .await?
            .contains(&role)
        {
            return Err(AppError::Forbidden(format!(
                "this account is not registered as {}; register with a verification code to apply for this role",
                role_with_article(role)
            )));
        }
    }
    open_session(s, account, false).await
}

/// "a doctor", "an assistant", … for messages.
pub fn role_with_article(role: Role) -> String {
    let name = role.as_str().replace('_', " ");
    match role {
        Role::Assistant | Role::Administrator => format!("an {name}"),
        _ => format!("a {name}"),
    }
}

/// Logs in with a verification code sent to the account's phone or e-mail.
pub async fn login_with_code(
    s: &Services,
    auth: &Auth,
    channel: Channel,
    destination: &str,
    code: &str,
    role: Option<Role>,
) -> AppResult<Session> {
    check_login_rate(s, auth).await?;
    let field = channel.field();
    let destination = codes::normalize(channel, destination, field)?;
    let code_id = codes::verify(
        &s.db,
        &s.config.auth,
        &destination,
        &[Purpose::Login],
        code,
        "code",
    )
    .await?;
    let txn = s.db.begin().await?;
    codes::consume(&txn, code_id, "code").await?;
    let account = find_by_contact(&txn, channel, &destination)
        .await?
        .filter(|u| u.status != status::DEACTIVATED)
        .ok_or_else(|| codes::invalid_code("code"))?;
    txn.commit().await?;
    finish_login(s, account, role).await
}

/// Logs in with a phone code, registering the number first when it has no account
/// (volunteer `/login/phone`); `is_new` tells which happened.
pub async fn login_or_register_by_phone(
    s: &Services,
    auth: &Auth,
    phone: &str,
    code: &str,
    role: Role,
) -> AppResult<Session> {
    check_login_rate(s, auth).await?;
    let phone = codes::normalize_phone(phone, "phone")?;
    let code_id = codes::verify(
        &s.db,
        &s.config.auth,
        &phone,
        &[Purpose::Login, Purpose::Register],
        code,
        "code",
    )
    .await?;
    let txn = s.db.begin().await?;
    codes::consume(&txn, code_id, "code").await?;
    match find_by_contact(&txn, Channel::Sms, &phone).await? {
        Some(account) if account.status == status::DEACTIVATED => Err(AppError::Forbidden(
            "this phone number belongs to a deactivated account".into(),
        )),
        Some(account) => {
            txn.commit().await?;
            finish_login(s, account, None).await
        }
        None => {
            let user =
                create_with_contact(&txn, Channel::Sms, &phone, None, None, None, role).await?;
            txn.commit().await?;
            open_session(s, user, true).await
        }
    }
}

/// Ends the caller's session (the presented token stops working at once).
pub async fn logout(s: &Services, viewer: &Viewer) -> AppResult<()> {
    auth::revoke_token(&s.db, viewer.token_id).await
}

/// Sets a new password with a code sent to the account's phone or e-mail; every session of
/// the account ends.
pub async fn reset_password(
    s: &Services,
    channel: Channel,
    destination: &str,
    code: &str,
    new_password: &str,
) -> AppResult<()> {
    let field = channel.field();
    let destination = codes::normalize(channel, destination, field)?;
    passwords::validate_strength(new_password, "password")?;
    let hash = passwords::hash(new_password).await?;
    let code_id = codes::verify(
        &s.db,
        &s.config.auth,
        &destination,
        &[Purpose::Reset],
        code,
        "code",
    )
    .await?;
    let txn = s.db.begin().await?;
    codes::consume(&txn, code_id, "code").await?;
    let account = find_by_contact(&txn, channel, &destination)
        .await?
        .filter(|u| u.status != status::DEACTIVATED)
        .ok_or_else(|| codes::invalid_code("code"))?;
    set_password_hash(&txn, account.id, hash).await?;
    auth::revoke_all_tokens(&txn, account.id).await?;
    txn.commit().await?;
    Ok(())
}

async fn set_password_hash<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    hash: String,
) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn load(db: &impl ConnectionTrait, user_id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such user".into()))
}

/// Changes the caller's password. The current one is required when the account has one;
/// other sessions end, the caller's stays.
pub async fn change_password(
    s: &Services,
    viewer: &Viewer,
    old_password: Option<&str>,
    new_password: &str,
) -> AppResult<()> {
    let account = load(&s.db, viewer.user_id).await?;
    if let Some(stored) = account.password_hash.as_deref() {
        let key = format!("login-fail:user:{}", account.id);
        let lock_secs = s.config.auth.login_lock_minutes * 60;
        if ratelimit::count(&s.db, &key, lock_secs).await?
            >= s.config.auth.login_failures_before_lock
        {
            return Err(locked(s.config.auth.login_lock_minutes));
        }
        let Some(old) = old_password else {
            return Err(AppError::bad_field(
                "oldPassword",
                "the current password is required",
            ));
        };
        if !passwords::verify(Some(stored), old).await? {
            ratelimit::hit(&s.db, &key, lock_secs).await?;
            return Err(AppError::bad_field(
                "oldPassword",
                "the current password is wrong",
            ));
        }
    }
    passwords::validate_strength(new_password, "password")?;
    let hash = passwords::hash(new_password).await?;
    let txn = s.db.begin().await?;
    set_password_hash(&txn, account.id, hash).await?;
    entity::session_token::Entity::update_many()
        .col_expr(
            entity::session_token::Column::RevokedAt,
            Expr::value(Utc::now()),
        )
        .filter(entity::session_token::Column::UserId.eq(account.id))
        .filter(entity::session_token::Column::Id.ne(viewer.token_id))
        .filter(entity::session_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Binds a new phone number or e-mail address to the caller, proven by a code sent to it.
pub async fn change_contact(
    s: &Services,
    viewer: &Viewer,
    channel: Channel,
    destination: &str,
    code: &str,
) -> AppResult<()> {
    let field = channel.field();
    let destination = codes::normalize(channel, destination, field)?;
    let code_id = codes::verify(
        &s.db,
        &s.config.auth,
        &destination,
        &[Purpose::ChangeContact],
        code,
        "code",
    )
    .await?;
    let txn = s.db.begin().await?;
    codes::consume(&txn, code_id, "code").await?;
    if let Some(other) = find_by_contact(&txn, channel, &destination).await? {
        if other.id == viewer.user_id {
            return Ok(());
        }
        return Err(AppError::Conflict(format!(
            "this {field} is already registered"
        )));
    }
    let column = match channel {
        Channel::Sms => user::Column::Phone,
        Channel::Email => user::Column::Email,
    };
    user::Entity::update_many()
        .col_expr(column, Expr::value(destination))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(viewer.user_id))
        .exec(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, &format!("this {field}")))?;
    txn.commit().await?;
    Ok(())
}

/// Removes the caller's phone number or e-mail address, with the password and a code sent to
/// it. The account must keep a way to log in: the other contact or its username + password.
pub async fn unbind_contact(
    s: &Services,
    viewer: &Viewer,
    channel: Channel,
    password: &str,
    code: &str,
) -> AppResult<()> {
    let account = load(&s.db, viewer.user_id).await?;
    let current = match channel {
        Channel::Sms => account.phone.clone(),
        Channel::Email => account.email.clone(),
    };
    let Some(current) = current else {
        return Err(AppError::bad_input(format!(
            "the account has no {} to unbind",
            if channel == Channel::Sms {
                "phone number"
            } else {
                "e-mail address"
            }
        )));
    };
    if !passwords::verify(account.password_hash.as_deref(), password).await? {
        return Err(AppError::bad_field("password", "the password is wrong"));
    }
    let code_id = codes::verify(
        &s.db,
        &s.config.auth,
        &current,
        &[Purpose::ChangeContact],
        code,
        "code",
    )
    .await?;
    let txn = s.db.begin().await?;
    codes::consume(&txn, code_id, "code").await?;
    let column = match channel {
        Channel::Sms => user::Column::Phone,
        Channel::Email => user::Column::Email,
    };
    user::Entity::update_many()
        .col_expr(column, Expr::value(Option::<String>::None))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(viewer.user_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes to a user's personal data; `None` leaves a field alone, an empty string clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub real_name: Option<String>,
    pub gender: Option<i16>,
    pub birthday: Option<String>,
    pub bio: Option<String>,
    /// File address of an uploaded image.
    pub avatar: Option<String>,
    pub background: Option<String>,
    pub province_code: Option<i32>,
    pub city_code: Option<i32>,
    pub county_code: Option<i32>,
    pub address: Option<String>,
    pub location: Option<String>,
    pub id_card_number: Option<String>,
    /// A new e-mail address without a code (legacy forum and administrator profiles); it must
    /// be free.
    pub email: Option<String>,
    /// The phone number as the client believes it is: accepted only when equal to the current
    /// one (legacy forms send the whole profile); changing it needs a code.
    pub phone: Option<String>,
    /// The username as the client believes it is, for forms where it cannot change: accepted
    /// only when equal to the current one.
    pub current_username: Option<String>,
}

async fn image_address<C: ConnectionTrait>(
    db: &C,
    value: Option<String>,
    field: &str,
) -> AppResult<Option<Option<String>>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let hash = files::address_of(&value);
    if hash.is_empty() {
        return Ok(Some(None));
    }
    if !crate::storage::is_valid_hash(&hash) {
        return Err(AppError::bad_field(
            field,
            "not a file address: give the address or URL an upload returned",
        ));
    }
    match files::find(db, &hash).await? {
        Some(file) if file.content_type.starts_with("image/") => Ok(Some(Some(file.hash))),
        Some(_) => Err(AppError::bad_field(field, "the file is not an image")),
        None => Err(AppError::bad_field(
            field,
            "no uploaded file has this address; upload the image first",
        )),
    }
}

/// Applies profile changes to `target` (the caller's own account, or any for an
/// administrator) and returns the updated account.
pub async fn update_profile(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    changes: ProfileChanges,
) -> AppResult<user::Model> {
    crate::policy::require_self_or_admin(viewer, target)?;
    let txn = s.db.begin().await?;
    let updated = update_profile_in(&txn, target, changes).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Role-profile sections of [`update_profiles`].
#[derive(Debug, Clone, Default)]
pub struct RoleSections {
    pub patient: Option<profiles::PatientChanges>,
    pub doctor: Option<profiles::DoctorChanges>,
    pub assistant_team: Option<Option<String>>,
    pub consultant: Option<profiles::ConsultantChanges>,
}

/// Updates personal data and role profiles in one transaction. With `only_held_roles`
/// sections for roles the user does not hold are ignored (the volunteer form carries every
/// role's fields and the server picks by the caller); otherwise they are refused.
pub async fn update_profiles(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    changes: ProfileChanges,
    sections: RoleSections,
    only_held_roles: bool,
) -> AppResult<user::Model> {
    crate::policy::require_self_or_admin(viewer, target)?;
    let txn = s.db.begin().await?;
    let roles = role_reviews::held_or_applied(&txn, target).await?;
    let allowed = |role: Role| -> AppResult<bool> {
        if roles.contains(&role) {
            Ok(true)
        } else if only_held_roles {
            Ok(false)
        } else {
            Err(AppError::Forbidden(format!(
                "the account does not hold the {} role",
                role.as_str().replace('_', " ")
            )))
        }
    };
    let updated = update_profile_in(&txn, target, changes).await?;
    if let Some(c) = sections.patient
        && allowed(Role::Patient)?
    {
        profiles::update_patient_in(&txn, target, c).await?;
    }
    if let Some(c) = sections.doctor
        && allowed(Role::Doctor)?
    {
        profiles::update_doctor_in(&txn, target, c).await?;
    }
    if let Some(team) = sections.assistant_team
        && allowed(Role::Assistant)?
    {
        profiles::update_assistant_in(&txn, target, team).await?;
    }
    if let Some(c) = sections.consultant
        && allowed(Role::Consultant)?
    {
        profiles::update_consultant_in(&txn, target, c).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Sets the avatar of `target` (the caller, or anyone for an administrator) to an uploaded
/// image.
pub async fn set_avatar(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    bytes: bytes::Bytes,
    file_name: Option<&str>,
) -> AppResult<user::Model> {
    crate::policy::require_self_or_admin(viewer, target)?;
    let file = files::upload(
        &s.db,
        &s.files,
        bytes,
        file_name,
        crate::storage::FileKind::Image,
        Some(viewer.user_id),
    )
    .await?;
    user::Entity::update_many()
        .col_expr(user::Column::Avatar, Expr::value(file.hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(target))
        .exec(&s.db)
        .await?;
    load(&s.db, target).await
}

/// Account fields only administrators set directly (medassist's user maintenance): a phone
/// number without a code and a password without the old one.
#[derive(Debug, Clone, Default)]
pub struct AdminChanges {
    pub phone: Option<String>,
    pub password: Option<String>,
    /// The hospital of a doctor.
    pub hospital_name: Option<String>,
}

/// Updates profile data and, for administrators, the phone number, password and hospital, in
/// one transaction. The owner may use it for profile data only.
pub async fn update_account(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    changes: ProfileChanges,
    admin: AdminChanges,
) -> AppResult<user::Model> {
    crate::policy::require_self_or_admin(viewer, target)?;
    let mut admin = admin;
    let mut phone = admin
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| codes::normalize_phone(p, "phone"))
        .transpose()?;
    if !viewer.is_admin() {
        // Legacy forms resend the phone number and password with every edit: unchanged ones
        // pass, changes need a code or the current password.
        let account = load(&s.db, target).await?;
        if phone.is_some() && phone != account.phone {
            return Err(AppError::Forbidden(
                "change your phone number with a verification code (changeContact)".into(),
            ));
        }
        phone = None;
        if let Some(password) = admin.password.take()
            && !passwords::verify(account.password_hash.as_deref(), &password).await?
        {
            return Err(AppError::Forbidden(
                "change your password with the current one (changePassword)".into(),
            ));
        }
    }
    if let Some(password) = &admin.password {
        passwords::validate_strength(password, "password")?;
    }
    let hash = match &admin.password {
        Some(p) => Some(passwords::hash(p).await?),
        None => None,
    };
    let txn = s.db.begin().await?;
    update_profile_in(&txn, target, changes).await?;
    if let Some(phone) = phone {
        if let Some(other) = find_by(&txn, user::Column::Phone, &phone).await?
            && other.id != target
        {
            return Err(AppError::Conflict(
                "this phone number is already registered".into(),
            ));
        }
        user::Entity::update_many()
            .col_expr(user::Column::Phone, Expr::value(phone))
            .filter(user::Column::Id.eq(target))
            .exec(&txn)
            .await
            .map_err(|e| conflict_on_unique(e, "this phone number"))?;
    }
    if let Some(hash) = hash {
        set_password_hash(&txn, target, hash).await?;
        auth::revoke_all_tokens(&txn, target).await?;
    }
    if let Some(hospital) = admin.hospital_name {
        let roles = role_reviews::held_or_applied(&txn, target).await?;
        if !roles.contains(&Role::Doctor) {
            return Err(AppError::bad_field(
                "hospital",
                "the account is not a doctor",
            ));
        }
        profiles::ensure(&txn, target, Role::Doctor).await?;
        let hospital = hospital.trim();
        if hospital.chars().count() > 100 {
            return Err(AppError::bad_field("hospital", "at most 100 characters"));
        }
        entity::doctor_profile::Entity::update_many()
            .col_expr(
                entity::doctor_profile::Column::HospitalName,
                Expr::value((!hospital.is_empty()).then(|| hospital.to_owned())),
            )
            .filter(entity::doctor_profile::Column::UserId.eq(target))
            .exec(&txn)
            .await?;
    }
    let updated = load(&txn, target).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn update_profile_in<C: ConnectionTrait>(
    txn: &C,
    target: i64,
    changes: ProfileChanges,
) -> AppResult<user::Model> {
    let account = load(txn, target).await?;
    let mut model = account.clone().into_active_model();
    if let Some(name) = changes.username {
        let name = name.trim().to_owned();
        if name != account.username {
            validate_username(&name)?;
            model.username = Set(name);
        }
    }
    if let Some(name) = changes.display_name {
        model.display_name = Set(validate_display_name(&name)?);
    }
    if let Some(v) = text(changes.real_name, "realName", 64)? {
        model.real_name = Set(v);
    }
    if let Some(g) = changes.gender {
        if !(0..=2).contains(&g) {
            return Err(AppError::bad_field(
                "gender",
                "gender is 0 (undisclosed), 1 (male) or 2 (female)",
            ));
        }
        model.gender = Set(g);
    }
    if let Some(v) = text(changes.birthday, "birthday", 10)? {
        let date = v
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| AppError::bad_field("birthday", "a date as YYYY-MM-DD"))
            })
            .transpose()?;
        if date.is_some_and(|d| d > Utc::now().date_naive() || chrono::Datelike::year(&d) < 1900) {
            return Err(AppError::bad_field(
                "birthday",
                "the birthday is not plausible",
            ));
        }
        model.birthday = Set(date);
    }
    if let Some(v) = text(changes.bio, "bio", 500)? {
        model.bio = Set(v);
    }
    if let Some(v) = image_address(txn, changes.avatar, "avatar").await? {
        model.avatar = Set(v);
    }
    if let Some(v) = image_address(txn, changes.background, "background").await? {
        model.background = Set(v);
    }
    if changes.province_code.is_some()
        || changes.city_code.is_some()
        || changes.county_code.is_some()
    {
        let province = changes
            .province_code
            .filter(|c| *c != 0)
            .or(account.province_code);
        let city = changes.city_code.filter(|c| *c != 0).or(account.city_code);
        let county = changes
            .county_code
            .filter(|c| *c != 0)
            .or(account.county_code);
        check_regions(txn, province, city, county).await?;
        model.province_code = Set(province);
        model.city_code = Set(city);
        model.county_code = Set(county);
    }
    if let Some(v) = text(changes.address, "address", 200)? {
        model.address = Set(v);
    }
    if let Some(v) = text(changes.location, "location", 100)? {
        model.location = Set(v);
    }
    if let Some(v) = text(changes.id_card_number, "idCardNumber", 18)? {
        match v {
            Some(number) => {
                let number = idcard::validate_id_card(&number)?;
                if account.birthday.is_none()
                    && !matches!(model.birthday, sea_orm::ActiveValue::Set(Some(_)))
                {
                    model.birthday = Set(idcard::birth_date(&number));
                }
                if account.gender == 0 && changes.gender.is_none() {
                    model.gender = Set(idcard::gender(&number));
                }
                model.id_card_number = Set(Some(number));
            }
            None => model.id_card_number = Set(None),
        }
    }
    if let Some(name) = changes
        .current_username
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        && name != account.username
    {
        return Err(AppError::bad_field(
            "currentUsername",
            "the username cannot be changed here",
        ));
    }
    if let Some(phone) = changes
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let phone = codes::normalize_phone(phone, "phone")?;
        if account.phone.as_deref() != Some(phone.as_str()) {
            return Err(AppError::bad_field(
                "phone",
                "the phone number cannot be changed here; change it with a verification code",
            ));
        }
    }
    if let Some(email) = changes.email {
        let email = email.trim();
        if email.is_empty() {
            model.email = Set(None);
        } else {
            let email = codes::normalize_email(email, "email")?;
            if account.email.as_deref() != Some(email.as_str()) {
                if find_by(txn, user::Column::Email, &email).await?.is_some() {
                    return Err(AppError::Conflict(
                        "this e-mail address is already registered".into(),
                    ));
                }
                model.email = Set(Some(email));
            }
        }
    }
    model.updated_at = Set(Utc::now());
    model
        .update(txn)
        .await
        .map_err(|e| conflict_on_unique(e, "the username or e-mail address"))
}

/// Checks that region codes exist, have the right level and nest.
async fn check_regions<C: ConnectionTrait>(
    db: &C,
    province: Option<i32>,
    city: Option<i32>,
    county: Option<i32>,
) -> AppResult<()> {
    let ids: Vec<i32> = [province, city, county].into_iter().flatten().collect();
    let found = regions::by_ids(db, &ids).await?;
    let check =
        |code: Option<i32>, level: i16, field: &str, parent: Option<i32>| -> AppResult<()> {
            let Some(code) = code else { return Ok(()) };
            let region = found.get(&code).ok_or_else(|| {
                AppError::bad_field(field, format!("no region has the code {code}"))
            })?;
            if region.level != level {
                return Err(AppError::bad_field(
                    field,
                    format!("{code} is not a region of the expected level"),
                ));
            }
            if let Some(parent) = parent
                && region.parent_id != parent
            {
                return Err(AppError::bad_field(
                    field,
                    format!("{code} does not lie in {parent}"),
                ));
            }
            Ok(())
        };
    check(province, 1, "provinceCode", None)?;
    check(city, 2, "cityCode", province)?;
    check(county, 3, "countyCode", city)?;
    Ok(())
}

/// Deactivates the caller's own account, proven by a code sent to its phone or e-mail: it can
/// no longer log in, and every session ends.
pub async fn deactivate(
    s: &Services,
    viewer: &Viewer,
    proof: Option<(Channel, String, String)>,
) -> AppResult<()> {
    let account = load(&s.db, viewer.user_id).await?;
    let mut code_id = None;
    if let Some((channel, destination, code)) = proof {
        let field = channel.field();
        let destination = codes::normalize(channel, &destination, field)?;
        let own = match channel {
            Channel::Sms => account.phone.as_deref(),
            Channel::Email => account.email.as_deref(),
        };
        if own != Some(destination.as_str()) {
            return Err(AppError::bad_field(
                field,
                "this is not the account's own contact",
            ));
        }
        code_id = Some(
            codes::verify(
                &s.db,
                &s.config.auth,
                &destination,
                &[Purpose::Deactivate],
                &code,
                "code",
            )
            .await?,
        );
    }
    let txn = s.db.begin().await?;
    if let Some(id) = code_id {
        codes::consume(&txn, id, "code").await?;
    }
    set_status_in(&txn, account.id, status::DEACTIVATED).await?;
    txn.commit().await?;
    Ok(())
}

async fn set_status_in<C: ConnectionTrait>(db: &C, user_id: i64, value: &str) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::Status, Expr::value(value))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    if value != status::ACTIVE {
        auth::revoke_all_tokens(db, user_id).await?;
    }
    Ok(())
}

/// An administrator disables (or re-enables) an account; disabling ends its sessions.
pub async fn set_disabled(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    disabled: bool,
) -> AppResult<user::Model> {
    crate::policy::require_admin(viewer)?;
    if target == viewer.user_id && disabled {
        return Err(AppError::bad_input(
            "administrators cannot disable themselves",
        ));
    }
    let txn = s.db.begin().await?;
    let account = load(&txn, target).await?;
    if account.status == status::DEACTIVATED {
        return Err(AppError::Conflict(
            "the account was deactivated by its owner".into(),
        ));
    }
    let value = if disabled {
        status::DISABLED
    } else {
        status::ACTIVE
    };
    set_status_in(&txn, target, value).await?;
    let updated = load(&txn, target).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Which users a list shows.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Part of the username or display name.
    pub name: Option<String>,
    /// Exact usernames.
    pub usernames: Option<Vec<String>>,
    pub ids: Option<Vec<i64>>,
    pub role: Option<Role>,
    pub city_code: Option<i32>,
    /// Only ids below (descending order) or above (ascending) this one: keyset paging.
    pub since_id: Option<i64>,
    /// Include disabled accounts (administrators only).
    pub include_disabled: bool,
}

/// Order of a user list.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum UserOrder {
    /// Newest accounts first.
    #[default]
    NewestFirst,
    /// Oldest accounts first.
    OldestFirst,
    /// Most recently active first.
    RecentlyActive,
}

/// Lists users. Deactivated accounts never appear; disabled ones only for administrators.
pub async fn list(
    db: &DatabaseConnection,
    auth: &Auth,
    filter: &UserFilter,
    order: UserOrder,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user::Model>> {
    let mut cond = Condition::all().add(user::Column::Status.ne(status::DEACTIVATED));
    if !(filter.include_disabled && auth.is_admin()) {
        cond = cond.add(user::Column::Status.eq(status::ACTIVE));
    }
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        cond = cond.add(
            Condition::any()
                .add(super::page::contains(user::Column::Username, name))
                .add(super::page::contains(user::Column::DisplayName, name)),
        );
    }
    if let Some(names) = &filter.usernames {
        cond = cond.add(user::Column::Username.is_in(names.iter().cloned()));
    }
    if let Some(ids) = &filter.ids {
        cond = cond.add(user::Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(city) = filter.city_code {
        cond = cond.add(user::Column::CityCode.eq(city));
    }
    if filter.role == Some(Role::Patient) {
        // Who is a patient is health data: administrators list every patient, verified carers
        // only those they take care of, nobody else any.
        let viewer = auth.require()?;
        if !viewer.is_admin() {
            let cared = crate::policy::patients_visible_to(viewer)?;
            cond = cond.add(cared);
        }
    }
    if let Some(role) = filter.role {
        cond = cond.add(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::Role.eq(role.as_str()))
                    .and_where(user_role::Column::State.eq(role_reviews::state::APPROVED))
                    .to_owned(),
            ),
        );
    }
    if let Some(since) = filter.since_id {
        cond = cond.add(match order {
            UserOrder::OldestFirst => user::Column::Id.gt(since),
            _ => user::Column::Id.lt(since),
        });
    }
    let query = user::Entity::find().filter(cond);
    let total = if with_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let query = match order {
        UserOrder::NewestFirst => query.order_by_desc(user::Column::Id),
        UserOrder::OldestFirst => query.order_by_asc(user::Column::Id),
        UserOrder::RecentlyActive => query
            .order_by(
                Expr::col(user::Column::LastActiveAt).is_null(),
                sea_orm::Order::Asc,
            )
            .order_by_desc(user::Column::LastActiveAt)
            .order_by_desc(user::Column::Id),
    };
    let rows = query
        .offset(window.offset)
        .limit(window.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, window, total))
}
