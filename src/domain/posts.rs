//! Forum posts (帖子) and their comment floors (楼层), likes (点赞) and coin rewards (投币).
//!
//! Counters on `posts` move in the same transaction as the rows they count, with relative
//! updates (`like_count = like_count + 1`), so they stay exact under concurrency. Every
//! transaction here starts with a write, so on SQLite it holds the write lock before reading.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{post, post_comment, post_like, post_reward, stored_file, user};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, TransactionTrait,
};

use super::coins::{self, CoinChange, Related};
use super::page::{self, Page, PageRequest};
use super::post_columns::{self, PostColumns};
use super::user_columns::{self, UserColumns};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest body or comment, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;
/// Most tags on a post.
pub const MAX_TAGS: usize = 5;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 20;
/// Most images on a post.
pub const MAX_IMAGES: usize = 9;
/// Most coins one reward may give.
pub const MAX_REWARD: i64 = 100;

/// What a new post holds.
#[derive(Debug, Clone, Default)]
pub struct PostInput {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    /// SHA-256 addresses of uploaded images.
    pub images: Vec<String>,
}

/// What an edit changes (absent: unchanged).
#[derive(Debug, Clone, Default)]
pub struct PostPatch {
    pub title: Option<String>,
    pub body: Option<String>,
    pub tags: Option<Vec<String>>,
    pub images: Option<Vec<String>>,
}

/// Which posts a list shows.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    pub author_id: Option<i64>,
    /// Posts carrying this tag.
    pub tag: Option<String>,
    /// Part of the title or body.
    pub keyword: Option<String>,
}

/// Order of a post list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostOrder {
    #[default]
    Newest,
    MostLiked,
}

fn check_title(title: &str) -> AppResult<String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(AppError::bad_field(
            "title",
            format!("the title must have 1 to {MAX_TITLE_CHARS} characters"),
        ));
    }
    Ok(title.to_owned())
}

fn check_body(field: &str, body: &str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::bad_field(
            field,
            format!("the text must have 1 to {MAX_BODY_CHARS} characters"),
        ));
    }
    Ok(body.to_owned())
}

fn check_tags(tags: &[String]) -> AppResult<String> {
    let mut seen = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
            return Err(AppError::bad_field(
                "tags",
                format!("each tag must have 1 to {MAX_TAG_CHARS} characters"),
            ));
        }
        if !seen.iter().any(|t: &String| t == tag) {
            seen.push(tag.to_owned());
        }
    }
    if seen.len() > MAX_TAGS {
        return Err(AppError::bad_field(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    serde_json::to_string(&seen).map_err(AppError::internal)
}

async fn check_images<C: ConnectionTrait>(db: &C, images: &[String]) -> AppResult<String> {
    if images.len() > MAX_IMAGES {
        return Err(AppError::bad_field(
            "images",
            format!("at most {MAX_IMAGES} images"),
        ));
    }
    let hashes: Vec<String> = images.iter().map(|h| super::files::address_of(h)).collect();
    if !hashes.is_empty() {
        let found: HashSet<String> = stored_file::Entity::find()
            .filter(stored_file::Column::Hash.is_in(hashes.clone()))
            .all(db)
            .await?
            .into_iter()
            .filter(|f| f.content_type.starts_with("image/"))
            .map(|f| f.hash)
            .collect();
        if let Some(missing) = hashes.iter().find(|h| !found.contains(*h)) {
            return Err(AppError::bad_field(
                "images",
                format!("{missing} is not an uploaded image"),
            ));
        }
    }
    serde_json::to_string(&hashes).map_err(AppError::internal)
}

/// The tags of a post.
pub fn tags(post: &post::Model) -> Vec<String> {
    serde_json::from_str(&post.tags).unwrap_or_default()
}

/// The image addresses of a post, in order.
pub fn images(post: &post::Model) -> Vec<String> {
    serde_json::from_str(&post.images).unwrap_or_default()
}

/// Publishes a post by `author_id`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    author_id: i64,
    input: PostInput,
) -> AppResult<post::Model> {
    let title = check_title(&input.title)?;
    let body = check_body("body", &input.body)?;
    let tags = check_tags(&input.tags)?;
    let images = check_images(db, &input.images).await?;
    let now = Utc::now();
    Ok(post::ActiveModel {
        author_id: Set(author_id),
        title: Set(title),
        body: Set(body),
        tags: Set(tags),
        images: Set(images),
        like_count: Set(0),
        comment_count: Set(0),
        coin_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        edited_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A post by id.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<post::Model>> {
    Ok(post::Entity::find_by_id(id).one(db).await?)
}

async fn existing<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<post::Model> {
    find(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no post {id}")))
}

/// Edits a post; only its author may.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
    patch: PostPatch,
) -> AppResult<post::Model> {
    let post = existing(db, id).await?;
    crate::policy::community::require_author(viewer, post.author_id)?;
    let mut model: post::ActiveModel = post.into();
    if let Some(title) = patch.title {
        model.title = Set(check_title(&title)?);
    }
    if let Some(body) = patch.body {
        model.body = Set(check_body("body", &body)?);
    }
    if let Some(tags) = patch.tags {
        model.tags = Set(check_tags(&tags)?);
    }
    if let Some(images) = patch.images {
        model.images = Set(check_images(db, &images).await?);
    }
    let now = Utc::now();
    model.updated_at = Set(now);
    model.edited_at = Set(Some(now));
    Ok(model.update(db).await?)
}

/// Deletes a post with its floors, likes and reports; its author or an administrator may.
/// Coins rewarded stay where they went (the ledger keeps its entries).
pub async fn delete<C: ConnectionTrait>(db: &C, viewer: &Viewer, id: i64) -> AppResult<()> {
    let post = existing(db, id).await?;
    crate::policy::community::require_author_or_admin(viewer, post.author_id)?;
    post::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Posts by id, for the loaders.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, post::Model>> {
    Ok(post::Entity::find()
        .filter(post::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// A page of posts.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &PostFilter,
    order: PostOrder,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<post::Model>> {
    page::fetch(
        db,
        filtered(filter)?,
        |q| ordered(q, order),
        window,
        with_total,
    )
    .await
}

/// What a list reads of each post: its columns, and its author's (joined, in the same
/// statement) when the list shows authors.
#[derive(Debug, Clone, Copy)]
pub struct ListRead {
    pub columns: PostColumns,
    pub author: Option<UserColumns>,
}

/// [`list`] reading only `read.columns` of the posts and, with `read.author`, their authors in
/// the same statement (a left join: `None` for a post whose author row is gone).
pub async fn list_read<C: ConnectionTrait>(
    db: &C,
    filter: &PostFilter,
    order: PostOrder,
    window: PageRequest,
    with_total: bool,
    read: ListRead,
) -> AppResult<Page<(post::Model, Option<user::Model>)>> {
    let query = filtered(filter)?;
    let total = if with_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let mut query = ordered(query, order)
        .select_only()
        .offset(window.offset)
        .limit(window.limit + 1);
    for column in read.columns.columns() {
        query = query.column(column);
    }
    let mut statement = QueryTrait::into_query(query);
    if let Some(author) = read.author {
        user_columns::join_into(
            &mut statement,
            (post::Entity, post::Column::AuthorId),
            AUTHOR,
            author,
        );
    }
    let rows = db
        .query_all_raw(db.get_database_backend().build(&statement))
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let post = post_columns::partial(&row, read.columns)?;
        let author = match read.author {
            Some(columns) => user_columns::joined(&row, AUTHOR, columns)?,
            None => None,
        };
        items.push((post, author));
    }
    Ok(Page::from_probe(items, window, total))
}

/// Prefix of the joined author's columns in [`list_read`], [`comment_pages_read`] and
/// [`first_comments_read`]; no column of theirs may begin with it (`author_` would make the
/// author's `id` a second `author_id`).
const AUTHOR: &str = "joined_author_";

/// The posts `filter` keeps.
fn filtered(filter: &PostFilter) -> AppResult<sea_orm::Select<post::Entity>> {
    let mut query = post::Entity::find();
    if let Some(author) = filter.author_id {
        query = query.filter(post::Column::AuthorId.eq(author));
    }
    if let Some(tag) = filter
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // Tags are stored as a JSON array of strings: match the quoted element.
        let quoted = serde_json::to_string(tag).map_err(AppError::internal)?;
        query = query.filter(page::contains(post::Column::Tags, &quoted));
    }
    if let Some(keyword) = filter
        .keyword
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        query = query.filter(
            Condition::any()
                .add(page::contains(post::Column::Title, keyword))
                .add(page::contains(post::Column::Body, keyword)),
        );
    }
    Ok(query)
}

fn ordered(
    query: sea_orm::Select<post::Entity>,
    order: PostOrder,
) -> sea_orm::Select<post::Entity> {
    match order {
        PostOrder::Newest => query.order_by_desc(post::Column::Id),
        PostOrder::MostLiked => query
            .order_by_desc(post::Column::LikeCount)
            .order_by_desc(post::Column::Id),
    }
}

/// A foreign-key failure on a post reference means the post does not exist.
fn missing_post(err: DbErr, post_id: i64) -> AppError {
    match AppError::from(err) {
        AppError::BadInput { .. } => AppError::NotFound(format!("no post {post_id}")),
        other => other,
    }
}

/// `user_id` likes the post; liking it again changes nothing. Answers the post.
pub async fn like(db: &DatabaseConnection, user_id: i64, post_id: i64) -> AppResult<post::Model> {
    let txn = db.begin().await?;
    let inserted = post_like::Entity::insert(post_like::ActiveModel {
        post_id: Set(post_id),
        user_id: Set(user_id),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([post_like::Column::PostId, post_like::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await
    .map_err(|e| missing_post(e, post_id))?;
    if inserted > 0 {
        bump(&txn, post_id, post::Column::LikeCount, 1).await?;
    }
    let post = existing(&txn, post_id).await?;
    txn.commit().await?;
    Ok(post)
}

/// `user_id` takes back a like; without one nothing changes. Answers the post.
pub async fn unlike(db: &DatabaseConnection, user_id: i64, post_id: i64) -> AppResult<post::Model> {
    let txn = db.begin().await?;
    let deleted = post_like::Entity::delete_many()
        .filter(post_like::Column::PostId.eq(post_id))
        .filter(post_like::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if deleted > 0 {
        bump(&txn, post_id, post::Column::LikeCount, -1).await?;
    }
    let post = existing(&txn, post_id).await?;
    txn.commit().await?;
    Ok(post)
}

async fn bump<C: ConnectionTrait>(
    db: &C,
    post_id: i64,
    column: post::Column,
    by: i64,
) -> AppResult<u64> {
    Ok(post::Entity::update_many()
        .col_expr(column, Expr::col(column).add(by))
        .filter(post::Column::Id.eq(post_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// `user_id` rewards the post with `amount` coins (投币), once per post: the coins move from
/// the rewarder's balance to the author's in one transaction. Answers the post.
pub async fn reward(
    db: &DatabaseConnection,
    user_id: i64,
    post_id: i64,
    amount: i64,
) -> AppResult<post::Model> {
    if !(1..=MAX_REWARD).contains(&amount) {
        return Err(AppError::bad_field(
            "amount",
            format!("a reward is 1 to {MAX_REWARD} coins"),
        ));
    }
    // Both wallets exist before the transaction, so inside it no transaction holds a
    // freshly inserted wallet row that another one waits for.
    let author_id = existing(db, post_id).await?.author_id;
    coins::open_wallet(db, user_id).await?;
    coins::open_wallet(db, author_id).await?;
    let txn = db.begin().await?;
    // The first statement writes (SQLite: the write lock before any read).
    coins::open_wallet(&txn, user_id).await?;
    let post = existing(&txn, post_id).await?;
    if post.author_id == user_id {
        return Err(AppError::bad_field(
            "postId",
            "you cannot reward your own post",
        ));
    }
    let fresh = post_reward::Entity::insert(post_reward::ActiveModel {
        post_id: Set(post_id),
        user_id: Set(user_id),
        amount: Set(amount),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([post_reward::Column::PostId, post_reward::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await
    .map_err(|e| missing_post(e, post_id))?;
    if fresh == 0 {
        return Err(AppError::Conflict(
            "you have already rewarded this post".into(),
        ));
    }
    let title: String = post.title.chars().take(40).collect();
    let debit = CoinChange {
        user_id,
        amount: -amount,
        reason: format!("投币：《{title}》"),
        related: Related::Post(post_id),
    };
    let credit = CoinChange {
        user_id: post.author_id,
        amount,
        reason: format!("帖子《{title}》获得投币"),
        related: Related::Post(post_id),
    };
    // Wallet rows are locked in ascending user order, so two users rewarding each other at
    // the same moment cannot deadlock (PostgreSQL); a failed debit rolls the credit back.
    let changes = if user_id < post.author_id {
        [debit, credit]
    } else {
        [credit, debit]
    };
    for change in changes {
        coins::apply(&txn, change).await?;
    }
    bump(&txn, post_id, post::Column::CoinCount, amount).await?;
    let post = existing(&txn, post_id).await?;
    txn.commit().await?;
    Ok(post)
}

/// Which of `post_ids` `user_id` likes.
pub async fn liked_by<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    post_ids: &[i64],
) -> AppResult<HashSet<i64>> {
    Ok(post_like::Entity::find()
        .filter(post_like::Column::UserId.eq(user_id))
        .filter(post_like::Column::PostId.is_in(post_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.post_id)
        .collect())
}

/// Which of `post_ids` `user_id` rewarded.
pub async fn rewarded_by<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    post_ids: &[i64],
) -> AppResult<HashSet<i64>> {
    Ok(post_reward::Entity::find()
        .filter(post_reward::Column::UserId.eq(user_id))
        .filter(post_reward::Column::PostId.is_in(post_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.post_id)
        .collect())
}

/// Writes the next floor of a post.
pub async fn comment(
    db: &DatabaseConnection,
    author_id: i64,
    post_id: i64,
    body: &str,
) -> AppResult<post_comment::Model> {
    let body = check_body("body", body)?;
    let txn = db.begin().await?;
    // The relative update both numbers the floor and, as the first write, serializes writers.
    if bump(&txn, post_id, post::Column::CommentCount, 1).await? == 0 {
        return Err(AppError::NotFound(format!("no post {post_id}")));
    }
    let post = existing(&txn, post_id).await?;
    let comment = post_comment::ActiveModel {
        post_id: Set(post_id),
        author_id: Set(author_id),
        floor: Set(post.comment_count),
        body: Set(body),
        created_at: Set(Utc::now()),
        edited_at: Set(None),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(comment)
}

/// A comment by id.
pub async fn find_comment<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<post_comment::Model>> {
    Ok(post_comment::Entity::find_by_id(id).one(db).await?)
}

async fn live_comment<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<post_comment::Model> {
    find_comment(db, id)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(|| AppError::NotFound(format!("no comment {id}")))
}

/// Edits a comment; only its author may.
pub async fn edit_comment<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
    body: &str,
) -> AppResult<post_comment::Model> {
    let comment = live_comment(db, id).await?;
    crate::policy::community::require_author(viewer, comment.author_id)?;
    let body = check_body("body", body)?;
    let mut model: post_comment::ActiveModel = comment.into();
    model.body = Set(body);
    model.edited_at = Set(Some(Utc::now()));
    Ok(model.update(db).await?)
}

/// Deletes a comment (its author or an administrator): the floor stays, empty, so the
/// numbering of the others holds.
pub async fn delete_comment<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<post_comment::Model> {
    let comment = live_comment(db, id).await?;
    crate::policy::community::require_author_or_admin(viewer, comment.author_id)?;
    let mut model: post_comment::ActiveModel = comment.into();
    model.body = Set(String::new());
    model.deleted_at = Set(Some(Utc::now()));
    Ok(model.update(db).await?)
}

/// Floor 1 of each of `post_ids` that has one.
pub async fn first_comments<C: ConnectionTrait>(
    db: &C,
    post_ids: &[i64],
) -> AppResult<HashMap<i64, post_comment::Model>> {
    Ok(first_comments_read(db, post_ids, None)
        .await?
        .into_iter()
        .map(|(id, (floor, _))| (id, floor))
        .collect())
}

/// [`first_comments`] with, given `author`, each floor's author read with those columns in the
/// same statement (a left join).
pub async fn first_comments_read<C: ConnectionTrait>(
    db: &C,
    post_ids: &[i64],
    author: Option<UserColumns>,
) -> AppResult<HashMap<i64, (post_comment::Model, Option<user::Model>)>> {
    let mut query = QueryTrait::into_query(
        post_comment::Entity::find()
            .filter(post_comment::Column::PostId.is_in(post_ids.iter().copied()))
            .filter(post_comment::Column::Floor.eq(1)),
    );
    if let Some(columns) = author {
        user_columns::join_into(
            &mut query,
            (post_comment::Entity, post_comment::Column::AuthorId),
            AUTHOR,
            columns,
        );
    }
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let floor = floor_of(&row)?;
        let author = match author {
            Some(columns) => user_columns::joined(&row, AUTHOR, columns)?,
            None => None,
        };
        out.insert(floor.post_id, (floor, author));
    }
    Ok(out)
}

/// A floor from a row holding every `post_comments` column under its own name: what
/// `from_query_result(row, "")` reads, without formatting each name into a new `String`.
fn floor_of(row: &sea_orm::QueryResult) -> Result<post_comment::Model, DbErr> {
    use post_comment::Column as F;
    use sea_orm::IdenStatic;
    Ok(post_comment::Model {
        id: row.try_get_by(F::Id.as_str())?,
        post_id: row.try_get_by(F::PostId.as_str())?,
        author_id: row.try_get_by(F::AuthorId.as_str())?,
        floor: row.try_get_by(F::Floor.as_str())?,
        body: row.try_get_by(F::Body.as_str())?,
        created_at: row.try_get_by(F::CreatedAt.as_str())?,
        edited_at: row.try_get_by(F::EditedAt.as_str())?,
        deleted_at: row.try_get_by(F::DeletedAt.as_str())?,
    })
}

/// One page of floors (in floor order) for each of `post_ids`, in one statement. The pages
/// carry no total: a post's number of floors is its `comment_count` (floors are never removed).
pub async fn comment_pages<C: ConnectionTrait>(
    db: &C,
    post_ids: &[i64],
    window: PageRequest,
) -> AppResult<HashMap<i64, Page<post_comment::Model>>> {
    Ok(comment_pages_read(db, post_ids, window, None)
        .await?
        .into_iter()
        .map(|(id, page)| (id, page.map(|(floor, _)| floor)))
        .collect())
}

/// [`comment_pages`] with, given `author`, each floor's author read with those columns in the
/// same statement (a left join).
///
/// The page of floors is cut before the authors are joined, so that only the floors answered
/// are joined. On PostgreSQL each post's page is a `LATERAL` subquery (`ORDER BY floor LIMIT …
/// OFFSET …` on the `(post_id, floor)` index), which stops at the page's end; SQLite, which has
/// no `LATERAL`, numbers each post's floors (`ROW_NUMBER()`) and keeps the page's numbers.
pub async fn comment_pages_read<C: ConnectionTrait>(
    db: &C,
    post_ids: &[i64],
    window: PageRequest,
    author: Option<UserColumns>,
) -> AppResult<HashMap<i64, Page<(post_comment::Model, Option<user::Model>)>>> {
    use post_comment::{Column as F, Entity as Floors};
    use sea_orm::sea_query::{JoinType, Query};
    const COLUMNS: [F; 8] = [
        F::Id,
        F::PostId,
        F::AuthorId,
        F::Floor,
        F::Body,
        F::CreatedAt,
        F::EditedAt,
        F::DeletedAt,
    ];
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let offset = window.offset;
    let probe = window.limit.saturating_add(1);
    let page = Alias::new("page");
    let mut outer = Query::select();
    outer.columns(COLUMNS.map(|c| (page.clone(), c)));
    if backend == sea_orm::DbBackend::Postgres {
        let parent = Alias::new("parent");
        let mut floors = Query::select();
        floors
            .columns(COLUMNS.map(|c| (Floors, c)))
            .from(Floors)
            .and_where(Expr::col((Floors, F::PostId)).equals((parent.clone(), post::Column::Id)))
            .order_by((Floors, F::Floor), sea_orm::Order::Asc)
            .limit(probe)
            .offset(offset);
        outer
            .from_as(post::Entity, parent.clone())
            .join_lateral(
                JoinType::InnerJoin,
                floors,
                page.clone(),
                Expr::cust("TRUE"),
            )
            .and_where(Expr::col((parent, post::Column::Id)).is_in(post_ids.iter().copied()));
    } else {
        let mut numbered = Query::select();
        numbered
            .columns(COLUMNS.map(|c| (Floors, c)))
            .expr_as(
                Expr::cust(
                    "ROW_NUMBER() OVER (PARTITION BY post_comments.post_id ORDER BY post_comments.floor)",
                ),
                Alias::new("rn"),
            )
            .from(Floors)
            .and_where(Expr::col((Floors, F::PostId)).is_in(post_ids.iter().copied()));
        let rn = || Expr::col((page.clone(), Alias::new("rn")));
        outer
            .from_subquery(numbered, page.clone())
            .and_where(rn().gt(offset))
            .and_where(rn().lte(offset.saturating_add(probe)));
    }
    if let Some(columns) = author {
        user_columns::join_into(&mut outer, (page.clone(), F::AuthorId), AUTHOR, columns);
    }
    outer
        .order_by((page.clone(), F::PostId), sea_orm::Order::Asc)
        .order_by((page, F::Floor), sea_orm::Order::Asc);
    let rows = db.query_all_raw(backend.build(&outer)).await?;
    let mut grouped: HashMap<i64, Vec<(post_comment::Model, Option<user::Model>)>> = HashMap::new();
    for row in rows {
        let floor = floor_of(&row)?;
        let author = match author {
            Some(columns) => user_columns::joined(&row, AUTHOR, columns)?,
            None => None,
        };
        grouped
            .entry(floor.post_id)
            .or_default()
            .push((floor, author));
    }
    Ok(post_ids
        .iter()
        .map(|p| {
            let rows = grouped.remove(p).unwrap_or_default();
            (*p, Page::from_probe(rows, window, None))
        })
        .collect())
}

/// Comments a user wrote (not deleted), per user, for the social `extra.comments_count`.
pub async fn comment_counts<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<HashMap<i64, u64>> {
    count_by(
        db,
        post_comment::Entity::find()
            .filter(post_comment::Column::AuthorId.is_in(user_ids.iter().copied()))
            .filter(post_comment::Column::DeletedAt.is_null()),
        post_comment::Column::AuthorId,
    )
    .await
}

/// Posts a user wrote, per user.
pub async fn post_counts<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<HashMap<i64, u64>> {
    count_by(
        db,
        post::Entity::find().filter(post::Column::AuthorId.is_in(user_ids.iter().copied())),
        post::Column::AuthorId,
    )
    .await
}

/// Likes and coins a user's posts received in all, per user.
pub async fn received<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<HashMap<i64, (u64, u64)>> {
    use sea_orm::QuerySelect;
    #[derive(FromQueryResult)]
    struct Row {
        author_id: i64,
        likes: i64,
        coins: i64,
    }
    let sum = |column: post::Column| {
        Expr::expr(sea_orm::sea_query::Func::sum(Expr::col(column))).cast_as(Alias::new("BIGINT"))
    };
    let rows = post::Entity::find()
        .select_only()
        .column(post::Column::AuthorId)
        .column_as(sum(post::Column::LikeCount), "likes")
        .column_as(sum(post::Column::CoinCount), "coins")
        .filter(post::Column::AuthorId.is_in(user_ids.iter().copied()))
        .group_by(post::Column::AuthorId)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.author_id,
                (
                    u64::try_from(r.likes).unwrap_or(0),
                    u64::try_from(r.coins).unwrap_or(0),
                ),
            )
        })
        .collect())
}

/// `COUNT(*)` of `query` grouped by `column`.
pub(crate) async fn count_by<E, C>(
    db: &C,
    query: sea_orm::Select<E>,
    column: E::Column,
) -> AppResult<HashMap<i64, u64>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::QuerySelect;
    #[derive(FromQueryResult)]
    struct Row {
        k: i64,
        n: i64,
    }
    let rows = query
        .select_only()
        .column_as(Expr::col(column), "k")
        .column_as(Expr::col(column).count(), "n")
        .group_by(column)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.k, u64::try_from(r.n).unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use sea_orm::{IdenStatic, Iterable};

    use super::*;

    /// The joined author's columns never take the name of a column of the rows they join.
    #[test]
    fn joined_author_columns_do_not_collide() {
        let own: Vec<&str> = post::Column::iter()
            .map(|c| c.as_str())
            .chain(post_comment::Column::iter().map(|c| c.as_str()))
            .collect();
        for column in user::Column::iter() {
            let joined = format!("{AUTHOR}{}", column.as_str());
            assert!(!own.contains(&joined.as_str()), "{joined}");
        }
    }
}
