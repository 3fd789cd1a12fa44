//! Reading only the `users` columns a reader needs. Showing an author's name must not read the
//! password hash or the ID-card number: a list resolver works out from its selection which
//! columns its users need ([`UserColumns`]) and reads just those, for the whole page at once.
//! The columns left out hold their type's empty value in the returned model (`None`, `""`, 0),
//! and nothing may read them: the model is only handed to the selection it was read for.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::user;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoColumnRef, JoinType, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, Iterable, QueryFilter, QueryResult,
    QuerySelect, QueryTrait,
};

use crate::error::AppResult;

/// A set of columns of `users`. Always holds `id` and `status` (deactivated users are hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserColumns(u32);

impl UserColumns {
    /// `id` and `status`: what every reader needs.
    pub const BASE: Self = Self(bit(user::Column::Id) | bit(user::Column::Status));

    /// Every column: the whole model.
    pub fn all() -> Self {
        user::Column::iter().fold(Self::BASE, Self::with)
    }

    /// This set and `column`.
    #[must_use]
    pub fn with(self, column: user::Column) -> Self {
        Self(self.0 | bit(column))
    }

    /// Both sets.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set holds `column`.
    pub fn has(self, column: user::Column) -> bool {
        self.0 & bit(column) != 0
    }

    /// Whether the set holds every column of `other`.
    pub fn covers(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is every column.
    pub fn is_all(self) -> bool {
        self.covers(Self::all())
    }
}

const fn bit(column: user::Column) -> u32 {
    1 << (column as u32)
}

/// Users by id with only `columns` read (one statement); the others hold empty values.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    columns: UserColumns,
) -> AppResult<HashMap<i64, user::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    if columns.is_all() {
        return super::accounts::by_ids(db, ids).await;
    }
    let mut query = user::Entity::find().select_only();
    for column in user::Column::iter().filter(|c| columns.has(*c)) {
        query = query.column(column);
    }
    let statement = query
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .build(db.get_database_backend());
    let rows = db.query_all_raw(statement).await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let model = partial(&row, "", columns)?;
        out.insert(model.id, model);
    }
    Ok(out)
}

/// Adds `columns` of a joined `users` (by `user_id`'s equality with `on`) to `select`, each as
/// `prefix` + its name: a list reads its rows and their users in one statement, and reads the
/// users back with [`joined`].
pub fn join_into(
    select: &mut SelectStatement,
    on: impl IntoColumnRef,
    prefix: &str,
    columns: UserColumns,
) {
    select.join_as(
        JoinType::LeftJoin,
        user::Entity,
        Alias::new(format!("{prefix}users")),
        Expr::col((Alias::new(format!("{prefix}users")), user::Column::Id)).equals(on),
    );
    for column in user::Column::iter().filter(|c| columns.has(*c)) {
        select.expr_as(
            Expr::col((Alias::new(format!("{prefix}users")), column)),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// The value of column `prefix` + `column` of `row`. sea-orm's `QueryResult::try_get` formats
/// that name into a new `String` for every value it reads (a list of 100 rows reads hundreds);
/// this builds it on the stack.
pub fn column_value<T: sea_orm::TryGetable>(
    row: &QueryResult,
    prefix: &str,
    column: &str,
) -> Result<T, sea_orm::DbErr> {
    if prefix.is_empty() {
        return row.try_get_by(column);
    }
    let mut name = [0_u8; 64];
    let len = prefix.len() + column.len();
    if len > name.len() {
        return row.try_get(prefix, column);
    }
    name[..prefix.len()].copy_from_slice(prefix.as_bytes());
    name[prefix.len()..len].copy_from_slice(column.as_bytes());
    match std::str::from_utf8(&name[..len]) {
        Ok(name) => row.try_get_by(name),
        Err(_) => row.try_get(prefix, column),
    }
}

/// The user [`join_into`] added to a row (`None` when the join found none).
pub fn joined(
    row: &QueryResult,
    prefix: &str,
    columns: UserColumns,
) -> Result<Option<user::Model>, sea_orm::DbErr> {
    let id: Option<i64> = column_value(row, prefix, user::Column::Id.as_str())?;
    match id {
        Some(_) => partial(row, prefix, columns).map(Some),
        None => Ok(None),
    }
}

/// A model from a row holding `columns` (named `prefix` + column); the others empty.
fn partial(
    row: &QueryResult,
    prefix: &str,
    columns: UserColumns,
) -> Result<user::Model, sea_orm::DbErr> {
    use user::Column as C;
    macro_rules! get {
        ($column:expr, $empty:expr) => {
            if columns.has($column) {
                column_value(row, prefix, $column.as_str())?
            } else {
                $empty
            }
        };
    }
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    Ok(user::Model {
        id: column_value(row, prefix, C::Id.as_str())?,
        uuid: get!(C::Uuid, uuid::Uuid::nil()),
        username: get!(C::Username, String::new()),
        display_name: get!(C::DisplayName, String::new()),
        real_name: get!(C::RealName, None),
        phone: get!(C::Phone, None),
        email: get!(C::Email, None),
        gender: get!(C::Gender, 0),
        birthday: get!(C::Birthday, None),
        bio: get!(C::Bio, None),
        avatar: get!(C::Avatar, None),
        background: get!(C::Background, None),
        province_code: get!(C::ProvinceCode, None),
        city_code: get!(C::CityCode, None),
        county_code: get!(C::CountyCode, None),
        address: get!(C::Address, None),
        location: get!(C::Location, None),
        id_card_number: get!(C::IdCardNumber, None),
        invite_code: get!(C::InviteCode, None),
        password_hash: get!(C::PasswordHash, None),
        last_active_at: get!(C::LastActiveAt, None),
        status: column_value(row, prefix, C::Status.as_str())?,
        created_at: get!(C::CreatedAt, epoch),
        updated_at: get!(C::UpdatedAt, epoch),
    })
}
