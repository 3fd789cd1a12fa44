//! Shipping addresses (收货地址) of the social area: at most [`MAX_ADDRESSES`] per user, at most
//! one default, newest first. Only the owner sees or changes them: another user's address is
//! "not found", for administrators too.
//!
//! Lengths are counted in GB18030 bytes, as the legacy document says (ASCII 1, Chinese 2, emoji
//! 4). Every invalid field of an input is reported at once ([`AppError::BadFields`]) and nothing
//! is written. Every write locks the owner's user row first, so concurrent writes of one user
//! run one after the other: the limit holds and exactly one default survives racing requests;
//! a partial unique index backs the one-default rule in the database.

use chrono::Utc;
use entity::{shipping_address, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::page::{self, Page, PageRequest};
use crate::auth::Viewer;
use crate::auth::codes::normalize_phone;
use crate::error::{AppError, AppResult, FieldErrors};

/// Most shipping addresses a user keeps.
pub const MAX_ADDRESSES: u64 = 20;

/// Longest alias, in GB18030 bytes.
pub const MAX_ALIAS: usize = 24;
/// Longest recipient name, in GB18030 bytes.
pub const MAX_NAME: usize = 24;
/// Longest province, city or county name, in GB18030 bytes.
pub const MAX_REGION: usize = 32;
/// Longest detailed address, in GB18030 bytes.
pub const MAX_DETAIL: usize = 160;

/// The fields of an address as a client sends them: everything a create needs (`name`, `phone`,
/// `detail` and `is_default` are required there), or the fields an update changes (absent ones
/// stay; an empty optional field is cleared).
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    pub alias: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub detail: Option<String>,
    pub postcode: Option<String>,
    pub is_default: Option<bool>,
}

/// Length of `s` in GB18030 bytes (ASCII 1, Chinese 2, emoji 4).
pub fn gb18030_len(s: &str) -> usize {
    // GB18030 encodes every Unicode scalar value, so nothing is replaced.
    encoding_rs::GB18030.encode(s).0.len()
}

/// A checked input: `Some(None)` clears an optional field.
#[derive(Debug, Default)]
struct Checked {
    alias: Option<Option<String>>,
    name: Option<String>,
    phone: Option<String>,
    province: Option<Option<String>>,
    city: Option<Option<String>>,
    county: Option<Option<String>>,
    detail: Option<String>,
    postcode: Option<Option<String>>,
    is_default: Option<bool>,
}

fn too_long(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if gb18030_len(value) > max {
        errors.add(
            field,
            format!(
                "{field} is at most {max} bytes in GB18030 (a Chinese character counts 2, an emoji 4)"
            ),
        );
    }
}

/// A required text: trimmed; absent or empty is an error on create, and empty on update.
fn required(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
    create: bool,
) -> Option<String> {
    match value.map(str::trim) {
        None if !create => None,
        None | Some("") => {
            errors.add(field, format!("{field} is required"));
            None
        }
        Some(v) => {
            too_long(errors, field, v, max);
            Some(v.to_owned())
        }
    }
}

/// An optional text: trimmed; empty clears it.
fn optional(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<Option<String>> {
    value.map(str::trim).map(|v| {
        too_long(errors, field, v, max);
        (!v.is_empty()).then(|| v.to_owned())
    })
}

/// Checks every field and reports every invalid one together.
fn check(input: &AddressInput, create: bool) -> AppResult<Checked> {
    let mut errors = FieldErrors::default();
    let mut out = Checked {
        alias: optional(&mut errors, "alias", input.alias.as_deref(), MAX_ALIAS),
        name: required(&mut errors, "name", input.name.as_deref(), MAX_NAME, create),
        province: optional(
            &mut errors,
            "province",
            input.province.as_deref(),
            MAX_REGION,
        ),
        city: optional(&mut errors, "city", input.city.as_deref(), MAX_REGION),
        county: optional(&mut errors, "county", input.county.as_deref(), MAX_REGION),
        detail: required(
            &mut errors,
            "detail",
            input.detail.as_deref(),
            MAX_DETAIL,
            create,
        ),
        is_default: input.is_default,
        ..Checked::default()
    };
    match input.phone.as_deref().map(str::trim) {
        None if !create => {}
        None | Some("") => errors.add("phone", "phone is required"),
        Some(phone) => {
            out.phone = errors.check("phone", normalize_phone(phone, "phone"));
        }
    }
    out.postcode = input.postcode.as_deref().map(str::trim).map(|p| {
        if p.is_empty() {
            None
        } else {
            if p.len() != 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
                errors.add("postcode", "postcode must be exactly 6 digits");
            }
            Some(p.to_owned())
        }
    });
    if create && input.is_default.is_none() {
        errors.add("isDefault", "isDefault is required");
    }
    errors.finish()?;
    Ok(out)
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("no shipping address {id}"))
}

/// Serializes the writes of one user's addresses: the first statement of each write
/// transaction locks the user's row (a row lock on PostgreSQL, the write lock on SQLite).
async fn lock_owner<C: ConnectionTrait>(txn: &C, user_id: i64) -> AppResult<()> {
    let locked = user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::col(user::Column::UpdatedAt))
        .filter(user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    if locked.rows_affected == 0 {
        return Err(AppError::Unauthenticated(
            "the account no longer exists".into(),
        ));
    }
    Ok(())
}

/// Clears the user's default address (all but `except`).
async fn clear_default<C: ConnectionTrait>(
    txn: &C,
    user_id: i64,
    except: Option<i64>,
) -> AppResult<()> {
    let mut update = shipping_address::Entity::update_many()
        .col_expr(shipping_address::Column::IsDefault, Expr::value(false))
        .filter(shipping_address::Column::UserId.eq(user_id))
        .filter(shipping_address::Column::IsDefault.eq(true));
    if let Some(id) = except {
        update = update.filter(shipping_address::Column::Id.ne(id));
    }
    update.exec(txn).await?;
    Ok(())
}

/// Adds an address for the caller; with `is_default` the previous default stops being one.
pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: AddressInput,
) -> AppResult<shipping_address::Model> {
    let checked = check(&input, true)?;
    let (Some(name), Some(phone), Some(detail), Some(is_default)) = (
        checked.name,
        checked.phone,
        checked.detail,
        checked.is_default,
    ) else {
        return Err(AppError::internal(
            "a checked address lacks a required field",
        ));
    };
    let txn = db.begin().await?;
    lock_owner(&txn, viewer.user_id).await?;
    let count = shipping_address::Entity::find()
        .filter(shipping_address::Column::UserId.eq(viewer.user_id))
        .count(&txn)
        .await?;
    if count >= MAX_ADDRESSES {
        return Err(AppError::bad_input(format!(
            "a user keeps at most {MAX_ADDRESSES} shipping addresses; delete one first"
        )));
    }
    if is_default {
        clear_default(&txn, viewer.user_id, None).await?;
    }
    let now = Utc::now();
    let model = shipping_address::ActiveModel {
        user_id: Set(viewer.user_id),
        alias: Set(checked.alias.flatten()),
        name: Set(name),
        phone: Set(phone),
        province: Set(checked.province.flatten()),
        city: Set(checked.city.flatten()),
        county: Set(checked.county.flatten()),
        detail: Set(detail),
        postcode: Set(checked.postcode.flatten()),
        is_default: Set(is_default),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Changes the given fields of one of the caller's addresses; `is_default = true` makes it the
/// only default.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    input: AddressInput,
) -> AppResult<shipping_address::Model> {
    let checked = check(&input, false)?;
    let txn = db.begin().await?;
    lock_owner(&txn, viewer.user_id).await?;
    let current = own(&txn, viewer, id).await?;
    if checked.is_default == Some(true) && !current.is_default {
        clear_default(&txn, viewer.user_id, Some(id)).await?;
    }
    let mut m = current.into_active_model();
    if let Some(alias) = checked.alias {
        m.alias = Set(alias);
    }
    if let Some(name) = checked.name {
        m.name = Set(name);
    }
    if let Some(phone) = checked.phone {
        m.phone = Set(phone);
    }
    if let Some(province) = checked.province {
        m.province = Set(province);
    }
    if let Some(city) = checked.city {
        m.city = Set(city);
    }
    if let Some(county) = checked.county {
        m.county = Set(county);
    }
    if let Some(detail) = checked.detail {
        m.detail = Set(detail);
    }
    if let Some(postcode) = checked.postcode {
        m.postcode = Set(postcode);
    }
    if let Some(is_default) = checked.is_default {
        m.is_default = Set(is_default);
    }
    m.updated_at = Set(Utc::now());
    let model = m.update(&txn).await?;
    txn.commit().await?;
    Ok(model)
}

/// Deletes one of the caller's addresses.
pub async fn delete(db: &DatabaseConnection, viewer: &Viewer, id: i64) -> AppResult<()> {
    let deleted = shipping_address::Entity::delete_many()
        .filter(shipping_address::Column::Id.eq(id))
        .filter(shipping_address::Column::UserId.eq(viewer.user_id))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

async fn own<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<shipping_address::Model> {
    find(db, viewer, id).await?.ok_or_else(|| not_found(id))
}

/// One of the caller's addresses; `None` for another user's or a missing one.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<shipping_address::Model>> {
    Ok(shipping_address::Entity::find_by_id(id)
        .filter(shipping_address::Column::UserId.eq(viewer.user_id))
        .one(db)
        .await?)
}

/// The caller's addresses, newest first.
pub async fn list(
    db: &DatabaseConnection,
    viewer: &Viewer,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<shipping_address::Model>> {
    let query = shipping_address::Entity::find()
        .filter(shipping_address::Column::UserId.eq(viewer.user_id));
    page::fetch(
        db,
        query,
        |q| {
            q.order_by_desc(shipping_address::Column::CreatedAt)
                .order_by_desc(shipping_address::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: AppError) -> Vec<String> {
        err.field_messages().into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn lengths_count_gb18030_bytes() {
        assert_eq!(gb18030_len("abc"), 3);
        assert_eq!(gb18030_len("张三"), 4);
        assert_eq!(gb18030_len("😀"), 4);
        assert_eq!(gb18030_len("家😀a"), 7);
    }

    #[test]
    fn a_create_lists_every_invalid_field() {
        let input = AddressInput {
            alias: Some("😀".repeat(7)),
            phone: Some("12345".into()),
            postcode: Some("61000a".into()),
            province: Some("省".repeat(17)),
            ..AddressInput::default()
        };
        let err = check(&input, true).map(|_| ()).expect_err("invalid");
        assert_eq!(
            fields(err),
            [
                "alias",
                "name",
                "province",
                "detail",
                "phone",
                "postcode",
                "isDefault"
            ]
        );
    }

    #[test]
    fn limits_are_inclusive() {
        let input = AddressInput {
            alias: Some("家".repeat(12)),
            name: Some("😀".repeat(6)),
            phone: Some("18818181818".into()),
            detail: Some("a".repeat(160)),
            postcode: Some("610000".into()),
            is_default: Some(false),
            ..AddressInput::default()
        };
        assert!(check(&input, true).is_ok());
        let longer = AddressInput {
            name: Some(format!("{}a", "😀".repeat(6))),
            ..input
        };
        let err = check(&longer, true).map(|_| ()).expect_err("too long");
        assert_eq!(fields(err), ["name"]);
    }

    #[test]
    fn an_update_checks_only_what_it_changes() {
        assert!(check(&AddressInput::default(), false).is_ok());
        let err = check(
            &AddressInput {
                name: Some(" ".into()),
                ..AddressInput::default()
            },
            false,
        )
        .map(|_| ())
        .expect_err("empty name");
        assert_eq!(fields(err), ["name"]);
    }
}
