//! Doctors' assistants (医助) and the patients they look after: binding an existing patient
//! with the SMS code the patient received (添加病人), creating a patient account (新建病人), an
//! assistant's patients (我的病人) and a patient's assistants (我的医助).
//!
//! Rules:
//! - Only an assistant binds or creates patients and lists "my patients"; only a patient lists
//!   "my assistants". The caller is always the session's user, never a client-sent id.
//! - Binding needs a live code sent to the patient's phone (purpose `BIND` or `GENERAL`, i.e.
//!   volunteer `/phone/verifycode`). A wrong code changes nothing but the code's attempt count.
//! - Binding is idempotent: binding a patient already bound succeeds and changes nothing (the
//!   legacy answer is an empty `data`; clients retry). Each new link adds one to the
//!   assistant's `help_count` (帮扶病人数), in the same transaction.
//! - The phone must belong to an active account holding the patient role (unknown number:
//!   `NOT_FOUND`; another kind of account: `BAD_USER_INPUT` on `phone`); an assistant cannot
//!   bind themself.
//! - A created patient gets a password, personal data and a patient profile checked by the
//!   rules of profile edits; every invalid field is reported at once and nothing is written.
//!   The phone number is optional (the legacy form has none): with one, the patient can log
//!   in by SMS code or password; a number already registered is a `CONFLICT` (bind it instead).

use chrono::Utc;
use entity::{assistant_patient, assistant_profile, user};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationDef, Set, TransactionTrait,
};

use super::accounts::{self, ProfileChanges, status};
use super::page::{self, Page, PageRequest};
use super::{idcard, profiles};
use crate::Services;
use crate::auth::codes::{self, Channel, Purpose};
use crate::auth::{self, Role, Viewer, passwords};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::policy;

/// The caller must be a doctor's assistant.
pub fn require_assistant(viewer: &Viewer) -> AppResult<()> {
    policy::require_any_role(viewer, &[Role::Assistant])
}

/// The caller must be a patient.
pub fn require_patient(viewer: &Viewer) -> AppResult<()> {
    policy::require_any_role(viewer, &[Role::Patient])
}

/// Whether `assistant_id` looks after `patient_id`.
pub async fn is_bound<C: ConnectionTrait>(
    db: &C,
    assistant_id: i64,
    patient_id: i64,
) -> AppResult<bool> {
    Ok(
        assistant_patient::Entity::find_by_id((assistant_id, patient_id))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Links an assistant and a patient inside the caller's transaction; a new link adds one to
/// the assistant's `help_count`. Answers whether the link is new.
async fn link_in<C: ConnectionTrait>(
    txn: &C,
    assistant_id: i64,
    patient_id: i64,
) -> AppResult<bool> {
    let inserted = assistant_patient::Entity::insert(assistant_patient::ActiveModel {
        assistant_id: Set(assistant_id),
        patient_id: Set(patient_id),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            assistant_patient::Column::AssistantId,
            assistant_patient::Column::PatientId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    profiles::ensure(txn, assistant_id, Role::Assistant).await?;
    assistant_profile::Entity::update_many()
        .col_expr(
            assistant_profile::Column::HelpCount,
            Expr::col(assistant_profile::Column::HelpCount).add(1),
        )
        .filter(assistant_profile::Column::UserId.eq(assistant_id))
        .exec(txn)
        .await?;
    Ok(true)
}

/// The outcome of [`bind_patient`].
#[derive(Debug, Clone)]
pub struct Binding {
    pub patient: user::Model,
    /// False when the patient was already bound (nothing changed).
    pub created: bool,
}

/// An assistant binds the patient account of `phone`, proven by the code sent to it.
pub async fn bind_patient(
    s: &Services,
    viewer: &Viewer,
    phone: &str,
    code: &str,
) -> AppResult<Binding> {
    require_assistant(viewer)?;
    let phone = codes::normalize_phone(phone, "phone")?;
    let code_id = codes::verify(
        &s.db,
        &s.config.auth,
        &phone,
        &[Purpose::Bind],
        code,
        "code",
    )
    .await?;
    let txn = s.db.begin().await?;
    let patient = accounts::find_by_contact(&txn, Channel::Sms, &phone)
        .await?
        .filter(|u| u.status == status::ACTIVE)
        .ok_or_else(|| AppError::NotFound("no patient account has this phone number".into()))?;
    if patient.id == viewer.user_id {
        return Err(AppError::bad_field(
            "phone",
            "this is your own phone number: an assistant cannot bind themself",
        ));
    }
    if !auth::roles_of(&txn, patient.id)
        .await?
        .contains(&Role::Patient)
    {
        return Err(AppError::bad_field(
            "phone",
            "this phone number belongs to an account that is not a patient",
        ));
    }
    codes::consume(&txn, code_id, "code").await?;
    let created = link_in(&txn, viewer.user_id, patient.id).await?;
    txn.commit().await?;
    Ok(Binding { patient, created })
}

/// A patient account an assistant creates (新建病人).
#[derive(Debug, Clone, Default)]
pub struct NewPatient {
    /// Optional mainland mobile number (not in the legacy form).
    pub phone: Option<String>,
    pub password: String,
    pub real_name: String,
    pub id_card_number: String,
    pub height_cm: f64,
    pub weight_kg: f64,
    pub marital_status: i16,
    pub drinks: bool,
    pub smokes: bool,
    pub email: Option<String>,
    /// File address or URL of an uploaded image.
    pub avatar: Option<String>,
    pub province_code: Option<i32>,
    pub city_code: Option<i32>,
    pub county_code: Option<i32>,
    pub address: Option<String>,
}

/// An assistant creates a patient account and is bound to it, in one transaction.
pub async fn create_patient(
    s: &Services,
    viewer: &Viewer,
    input: NewPatient,
) -> AppResult<user::Model> {
    require_assistant(viewer)?;
    let mut errors = FieldErrors::default();
    let phone = input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .and_then(|p| errors.check("phone", codes::normalize_phone(p, "phone")));
    let real_name = input.real_name.trim().to_owned();
    if real_name.is_empty() || real_name.chars().count() > 64 {
        errors.add("realName", "a real name has 1 to 64 characters");
    }
    let id_card = errors.check(
        "idCardNumber",
        idcard::validate_id_card(&input.id_card_number),
    );
    errors.check(
        "password",
        passwords::validate_strength(&input.password, "password"),
    );
    let patient = profiles::PatientChanges {
        height_cm: Some(input.height_cm),
        weight_kg: Some(input.weight_kg),
        marital_status: Some(input.marital_status),
        drinks: Some(input.drinks),
        smokes: Some(input.smokes),
    };
    profiles::check_patient(&patient, &mut errors);
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .and_then(|e| errors.check("email", codes::normalize_email(e, "email")));
    errors.finish()?;
    let hash = passwords::hash(&input.password).await?;
    let changes = ProfileChanges {
        real_name: Some(real_name),
        id_card_number: id_card,
        email,
        avatar: input.avatar,
        province_code: input.province_code,
        city_code: input.city_code,
        county_code: input.county_code,
        address: input.address,
        ..ProfileChanges::default()
    };
    let txn = s.db.begin().await?;
    let user =
        accounts::create_on_behalf_in(&txn, phone.as_deref(), hash, Role::Patient, changes).await?;
    profiles::update_patient_in(&txn, user.id, patient).await?;
    link_in(&txn, viewer.user_id, user.id).await?;
    txn.commit().await?;
    Ok(user)
}

/// `assistant_patients` joined onto `users` by one of its two ids.
fn link_of(column: assistant_patient::Column) -> RelationDef {
    assistant_patient::Entity::belongs_to(user::Entity)
        .from(column)
        .to(user::Column::Id)
        .into()
}

/// The caller's patients (an assistant's 我的病人), latest bound first; `keyword` matches part
/// of the real name, display name or phone number.
pub async fn patients<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    keyword: Option<&str>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user::Model>> {
    require_assistant(viewer)?;
    let mut query = user::Entity::find()
        .join_rev(
            JoinType::InnerJoin,
            link_of(assistant_patient::Column::PatientId),
        )
        .filter(assistant_patient::Column::AssistantId.eq(viewer.user_id));
    if let Some(k) = keyword.map(str::trim).filter(|k| !k.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(page::contains((user::Entity, user::Column::RealName), k))
                .add(page::contains((user::Entity, user::Column::DisplayName), k))
                .add(page::contains((user::Entity, user::Column::Phone), k)),
        );
    }
    page::fetch(
        db,
        query,
        |q| {
            q.order_by_desc(assistant_patient::Column::CreatedAt)
                .order_by_desc(user::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

/// The caller's assistants (a patient's 我的医助), latest bound first.
pub async fn assistants_of_patient<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user::Model>> {
    require_patient(viewer)?;
    let query = user::Entity::find()
        .join_rev(
            JoinType::InnerJoin,
            link_of(assistant_patient::Column::AssistantId),
        )
        .filter(assistant_patient::Column::PatientId.eq(viewer.user_id));
    page::fetch(
        db,
        query,
        |q| {
            q.order_by_desc(assistant_patient::Column::CreatedAt)
                .order_by_desc(user::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

/// Demo links (`seed --demo`): `demo-assistant` looks after `demo-patient` and two patients it
/// created. Does nothing without those accounts.
pub async fn seed_demo(db: &DatabaseConnection) -> AppResult<()> {
    let find = |name: &'static str| accounts::find_by_username(db, name);
    let (Some(assistant), Some(patient)) =
        (find("demo-assistant").await?, find("demo-patient").await?)
    else {
        return Ok(());
    };
    let hash = passwords::hash("demo-pass-2026").await?;
    let txn = db.begin().await?;
    link_in(&txn, assistant.id, patient.id).await?;
    for (name, id_card, height, weight) in [
        ("王秀英", "11010519491231002X", 158.0, 52.5),
        ("赵建国", "330106195003150016", 171.0, 68.0),
    ] {
        let user = accounts::create_on_behalf_in(
            &txn,
            None,
            hash.clone(),
            Role::Patient,
            ProfileChanges {
                real_name: Some(name.to_owned()),
                id_card_number: Some(id_card.to_owned()),
                ..ProfileChanges::default()
            },
        )
        .await?;
        profiles::update_patient_in(
            &txn,
            user.id,
            profiles::PatientChanges {
                height_cm: Some(height),
                weight_kg: Some(weight),
                marital_status: Some(1),
                drinks: Some(false),
                smokes: Some(name == "赵建国"),
            },
        )
        .await?;
        link_in(&txn, assistant.id, user.id).await?;
    }
    txn.commit().await?;
    Ok(())
}
