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
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IdenStatic, QueryFilter, QueryResult,
    QuerySelect, QueryTrait,
};

use super::column_set::column_set;
use super::row_values::{ColumnValue, Positions};

use crate::error::AppResult;

column_set!(
    /// A set of columns of `users`. Always holds `id` and `status` (deactivated users are
    /// hidden).
    UserColumns,
    user::Column,
    [Id, Status]
);

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
    for column in columns.columns() {
        query = query.column(column);
    }
    let statement = query
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .build(db.get_database_backend());
    let rows = db.query_all_raw(statement).await?;
    let mut out = HashMap::with_capacity(rows.len());
    let Some(first) = rows.first() else {
        return Ok(out);
    };
    let layout = UserLayout::find(first, "", columns)?;
    for row in &rows {
        let model = layout.read(row)?;
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
    for column in columns.columns() {
        select.expr_as(
            Expr::col((Alias::new(format!("{prefix}users")), column)),
            Alias::new(format!("{prefix}{}", column.as_str())),
        );
    }
}

/// Where the rows of one statement hold the `users` columns of a set, each named `prefix` +
/// its name: found once, in the statement's first row, and read by position in every row (see
/// [`row_values`](super::row_values)).
#[derive(Debug)]
pub struct UserLayout {
    columns: UserColumns,
    positions: Positions,
}

impl UserLayout {
    /// The positions of `columns` (named `prefix` + name) in `row`'s statement.
    pub fn find(row: &QueryResult, prefix: &str, columns: UserColumns) -> Result<Self, DbErr> {
        let columns = columns.union(UserColumns::BASE);
        let mut positions = Positions::default();
        for column in columns.columns() {
            positions.find(row, column as usize, prefix, column.as_str())?;
        }
        Ok(Self { columns, positions })
    }

    fn get<T: ColumnValue>(&self, row: &QueryResult, column: user::Column) -> Result<T, DbErr> {
        self.positions.read(row, column as usize)
    }

    /// The user a [`join_into`] added to `row` (`None` when the join found none).
    pub fn joined(&self, row: &QueryResult) -> Result<Option<user::Model>, DbErr> {
        match self.get::<Option<i64>>(row, user::Column::Id)? {
            Some(_) => self.read(row).map(Some),
            None => Ok(None),
        }
    }

    /// The model `row` holds: the columns of the set, the others empty.
    pub fn read(&self, row: &QueryResult) -> Result<user::Model, DbErr> {
        use user::Column as C;
        let columns = self.columns;
        macro_rules! get {
            ($column:expr, $empty:expr) => {
                if columns.has($column) {
                    self.get(row, $column)?
                } else {
                    $empty
                }
            };
        }
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        Ok(user::Model {
            id: self.get(row, C::Id)?,
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
            status: self.get(row, C::Status)?,
            created_at: get!(C::CreatedAt, epoch),
            updated_at: get!(C::UpdatedAt, epoch),
        })
    }
}
