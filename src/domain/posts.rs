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
use super::post_columns::{CommentColumns, PostColumns, PostLayout};
use super::user_columns::{self, UserColumns, UserLayout};
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

/// What a list reads of each post: its columns, its author's (joined, in the same statement)
/// when the list shows authors, and a page of its floors (also in the same statement) when the
/// list shows one.
#[derive(Debug, Clone, Copy)]
pub struct ListRead {
    pub columns: PostColumns,
    pub author: Option<UserColumns>,
    pub floors: Option<FloorRead>,
}

/// A page of floors read with each post of a statement, with, given `author`, each floor's
/// author read with those columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloorRead {
    pub window: PageRequest,
    /// The floor columns to read (the others hold empty values).
    pub columns: CommentColumns,
    pub author: Option<UserColumns>,
}

impl FloorRead {
    /// The floor columns its statement reads: the set, those every list of floors needs, and
    /// the author's id when it joins the authors.
    fn floor_columns(&self) -> CommentColumns {
        let columns = self.columns.union(CommentColumns::BASE);
        match self.author {
            Some(_) => columns.with(post_comment::Column::AuthorId),
            None => columns,
        }
    }

    /// The prefix and columns of the floor authors it joins.
    fn author_prefixed(&self) -> Option<(&'static str, UserColumns)> {
        self.author.map(|columns| (FLOOR_AUTHOR, columns))
    }
}

/// A floor with its author (`None` when not read or gone).
pub type FloorWithAuthor = (post_comment::Model, Option<user::Model>);

/// A post of a page read by [`list_read`].
#[derive(Debug, Clone)]
pub struct ListedPost {
    pub post: post::Model,
    /// Its author, when the list read authors and the author's row exists.
    pub author: Option<user::Model>,
    /// Its page of floors, when the list read one.
    pub floors: Option<Page<FloorWithAuthor>>,
}

/// [`list`] reading only `read.columns` of the posts and, with `read.author`, their authors in
/// the same statement (a left join: `None` for a post whose author row is gone); with
/// `read.floors`, each post's page of floors comes in that statement too: the page of posts is
/// cut first (a subquery), then its floor pages are joined to it (see [`join_floor_pages`]), one
/// row per floor, and a post's columns are read once, from its first row.
pub async fn list_read<C: ConnectionTrait>(
    db: &C,
    filter: &PostFilter,
    order: PostOrder,
    window: PageRequest,
    with_total: bool,
    read: ListRead,
) -> AppResult<Page<ListedPost>> {
    use sea_orm::sea_query::{Asterisk, JoinType, Query};
    let query = filtered(filter)?;
    let total = if with_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let mut columns = read.columns;
    if read.floors.is_some() {
        // The outer statement orders by them.
        for key in order_keys(order) {
            columns = columns.with(*key);
        }
    }
    let mut query = ordered(query, order)
        .select_only()
        .offset(window.offset)
        .limit(window.limit + 1);
    for column in columns.columns() {
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
    let backend = db.get_database_backend();
    if let Some(floors) = read.floors {
        let page = Alias::new("page");
        let mut ids = Query::select();
        ids.column(post::Column::Id)
            .from_subquery(statement.clone(), Alias::new("page_ids"));
        let mut outer = Query::select();
        outer
            .column((page.clone(), Asterisk))
            .from_subquery(statement, page.clone());
        join_floor_pages(
            &mut outer,
            backend,
            (page.clone(), post::Column::Id),
            post_comment::Column::PostId.in_subquery(ids),
            floors,
            JoinType::LeftJoin,
        );
        for key in order_keys(order) {
            outer.order_by((page.clone(), *key), sea_orm::Order::Desc);
        }
        outer.order_by(floor_order(), sea_orm::Order::Asc);
        statement = outer;
    }
    let rows = db.query_all_raw(page::build(backend, &statement)).await?;
    let mut items: Vec<ListedPost> = Vec::with_capacity(rows.len());
    let mut floors: Vec<Vec<FloorWithAuthor>> = Vec::new();
    let Some(first) = rows.first() else {
        return Ok(Page::from_probe(items, window, total));
    };
    let layout = PostLayout::find(first, columns)?;
    let author = read
        .author
        .map(|columns| UserLayout::find(first, AUTHOR, columns))
        .transpose()?;
    let floor_layout = read
        .floors
        .map(|floors| {
            FloorLayout::find(
                first,
                FLOOR,
                floors.floor_columns(),
                floors.author_prefixed(),
            )
        })
        .transpose()?;
    for row in &rows {
        let id = layout.id(row)?;
        if items.last().is_none_or(|last| last.post.id != id) {
            items.push(ListedPost {
                post: layout.read(row)?,
                author: author
                    .as_ref()
                    .map(|a| a.joined(row))
                    .transpose()?
                    .flatten(),
                floors: None,
            });
            floors.push(Vec::new());
        }
        if let Some(floor_layout) = &floor_layout
            && let Some(floor) = floor_layout.joined(row)?
            && let Some(page) = floors.last_mut()
        {
            page.push(floor);
        }
    }
    if let Some(read) = read.floors {
        for (item, page) in items.iter_mut().zip(floors) {
            item.floors = Some(Page::from_probe(page, read.window, None));
        }
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
    order_keys(order)
        .iter()
        .fold(query, |query, column| query.order_by_desc(*column))
}

/// The columns `order` sorts by, each descending, the last one unique.
fn order_keys(order: PostOrder) -> &'static [post::Column] {
    match order {
        PostOrder::Newest => &[post::Column::Id],
        PostOrder::MostLiked => &[post::Column::LikeCount, post::Column::Id],
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
    let Some(first) = rows.first() else {
        return Ok(out);
    };
    let layout = FloorLayout::find(
        first,
        "",
        CommentColumns::all(),
        author.map(|a| (AUTHOR, a)),
    )?;
    for row in &rows {
        let (floor, author) = layout.read(row)?;
        out.insert(floor.post_id, (floor, author));
    }
    Ok(out)
}

/// One page of floors (in floor order) for each of `post_ids`, in one statement. The pages
/// carry no total: a post's number of floors is its `comment_count` (floors are never removed).
pub async fn comment_pages<C: ConnectionTrait>(
    db: &C,
    post_ids: &[i64],
    window: PageRequest,
) -> AppResult<HashMap<i64, Page<post_comment::Model>>> {
    let read = FloorRead {
        window,
        columns: CommentColumns::all(),
        author: None,
    };
    Ok(comment_pages_read(db, post_ids, read)
        .await?
        .into_iter()
        .map(|(id, page)| (id, page.map(|(floor, _)| floor)))
        .collect())
}

/// [`comment_pages`] with, given `author`, each floor's author read with those columns in the
/// same statement (a left join), by [`join_floor_pages`].
pub async fn comment_pages_read<C: ConnectionTrait>(
    db: &C,
    post_ids: &[i64],
    read: FloorRead,
) -> AppResult<HashMap<i64, Page<FloorWithAuthor>>> {
    use sea_orm::sea_query::{JoinType, Query};
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let parent = Alias::new("parent");
    let mut outer = Query::select();
    outer
        .from_as(post::Entity, parent.clone())
        .and_where(Expr::col((parent.clone(), post::Column::Id)).is_in(post_ids.iter().copied()));
    join_floor_pages(
        &mut outer,
        backend,
        (parent.clone(), post::Column::Id),
        post_comment::Column::PostId.is_in(post_ids.iter().copied()),
        read,
        JoinType::InnerJoin,
    );
    outer
        .order_by((parent, post::Column::Id), sea_orm::Order::Asc)
        .order_by(floor_order(), sea_orm::Order::Asc);
    let rows = db.query_all_raw(page::build(backend, &outer)).await?;
    let mut grouped: HashMap<i64, Vec<FloorWithAuthor>> = HashMap::new();
    if let Some(first) = rows.first() {
        let layout = FloorLayout::find(first, FLOOR, read.floor_columns(), read.author_prefixed())?;
        for row in &rows {
            if let Some(floor) = layout.joined(row)? {
                grouped.entry(floor.0.post_id).or_default().push(floor);
            }
        }
    }
    Ok(post_ids
        .iter()
        .map(|p| {
            let rows = grouped.remove(p).unwrap_or_default();
            (*p, Page::from_probe(rows, read.window, None))
        })
        .collect())
}

/// Alias of the floor pages joined by [`join_floor_pages`].
const FLOOR_PAGE: &str = "floor_page";
/// Prefix of the floor columns joined by [`join_floor_pages`].
const FLOOR: &str = "page_floor_";
/// Prefix of the floor authors' columns joined by [`join_floor_pages`].
const FLOOR_AUTHOR: &str = "joined_floor_author_";

/// Joins to `outer`, whose rows are posts with their id at `parent`, the floors of
/// `read.window` of each post (and one more, which only tells that a next page exists), their
/// columns named [`FLOOR`] + column, and with `read.author` their authors' columns named
/// [`FLOOR_AUTHOR`] + column (a left join). `join` is a left join to keep posts without floors
/// in the window, an inner one to drop them. Order the rows by [`floor_order`].
///
/// Each post's page is cut before its authors are joined, so that only the floors answered are
/// joined. On PostgreSQL a post's page, with its authors, is a `LATERAL` subquery (`ORDER BY
/// floor LIMIT … OFFSET …` on the `(post_id, floor)` index), which stops at the page's end and
/// looks up at most a page of authors by key. SQLite has no `LATERAL`: it numbers the floors
/// of the posts `parents` keeps (`ROW_NUMBER()` per post), keeps the numbers of the window and
/// joins their authors.
fn join_floor_pages(
    outer: &mut sea_orm::sea_query::SelectStatement,
    backend: sea_orm::DbBackend,
    parent: (Alias, post::Column),
    parents: sea_orm::sea_query::SimpleExpr,
    read: FloorRead,
    join: sea_orm::sea_query::JoinType,
) {
    use post_comment::{Column as F, Entity as Floors};
    use sea_orm::IdenStatic;
    use sea_orm::sea_query::{Asterisk, Query};
    let page = Alias::new(FLOOR_PAGE);
    let window = Alias::new("window_floors");
    let offset = read.window.offset;
    let probe = read.window.limit.saturating_add(1);
    let postgres = backend == sea_orm::DbBackend::Postgres;
    let mut floors = Query::select();
    let columns = read.floor_columns();
    floors
        .columns(columns.columns().map(|c| (Floors, c)))
        .from(Floors);
    let mut rows = Query::select();
    if postgres {
        floors
            .and_where(Expr::col((Floors, F::PostId)).equals(parent.clone()))
            .order_by((Floors, F::Floor), sea_orm::Order::Asc)
            .limit(probe)
            .offset(offset);
        rows.from_subquery(floors, window.clone());
    } else {
        floors
            .expr_as(
                Expr::cust(
                    "ROW_NUMBER() OVER (PARTITION BY post_comments.post_id ORDER BY post_comments.floor)",
                ),
                Alias::new("rn"),
            )
            .and_where(parents);
        let rn = || Expr::col((window.clone(), Alias::new("rn")));
        rows.from_subquery(floors, window.clone())
            .and_where(rn().gt(offset))
            .and_where(rn().lte(offset.saturating_add(probe)));
    }
    for column in columns.columns() {
        rows.expr_as(
            Expr::col((window.clone(), column)),
            Alias::new(format!("{FLOOR}{}", column.as_str())),
        );
    }
    if let Some(columns) = read.author {
        user_columns::join_into(&mut rows, (window, F::AuthorId), FLOOR_AUTHOR, columns);
    }
    if postgres {
        outer.join_lateral(join, rows, page.clone(), Expr::cust("TRUE"));
    } else {
        let post_id = Alias::new(format!("{FLOOR}{}", F::PostId.as_str()));
        outer.join_subquery(
            join,
            rows,
            page.clone(),
            Expr::col((page.clone(), post_id)).equals(parent),
        );
    }
    outer.column((page, Asterisk));
}

/// The column that orders the floors joined by [`join_floor_pages`] within their post.
fn floor_order() -> (Alias, Alias) {
    use sea_orm::IdenStatic;
    (
        Alias::new(FLOOR_PAGE),
        Alias::new(format!("{FLOOR}{}", post_comment::Column::Floor.as_str())),
    )
}

/// Where the rows of one statement hold the `post_comments` columns of a set (each named
/// `prefix` + its name) and, when it joined them, the floors' authors: found once, in the
/// statement's first row, and read by position in every row (see
/// [`row_values`](super::row_values)).
struct FloorLayout {
    columns: CommentColumns,
    positions: super::row_values::Positions,
    author: Option<UserLayout>,
}

impl FloorLayout {
    /// The positions in `row`'s statement of the floor columns `columns` (named `prefix` +
    /// name) and, given `(prefix, columns)`, of its authors' columns.
    fn find(
        row: &sea_orm::QueryResult,
        prefix: &str,
        columns: CommentColumns,
        author: Option<(&str, UserColumns)>,
    ) -> Result<Self, DbErr> {
        use sea_orm::IdenStatic;
        let columns = columns.union(CommentColumns::BASE);
        let mut positions = super::row_values::Positions::default();
        for column in columns.columns() {
            positions.find(row, column as usize, prefix, column.as_str())?;
        }
        let author = author
            .map(|(prefix, columns)| UserLayout::find(row, prefix, columns))
            .transpose()?;
        Ok(Self {
            columns,
            positions,
            author,
        })
    }

    fn get<T: super::row_values::ColumnValue>(
        &self,
        row: &sea_orm::QueryResult,
        column: post_comment::Column,
    ) -> Result<T, DbErr> {
        self.positions.read(row, column as usize)
    }

    /// The floor `row` holds (the columns of the set, the others empty) and its author (`None`
    /// when not read or not found).
    fn read(&self, row: &sea_orm::QueryResult) -> Result<FloorWithAuthor, DbErr> {
        use post_comment::Column as F;
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
        let floor = post_comment::Model {
            id: self.get(row, F::Id)?,
            post_id: self.get(row, F::PostId)?,
            author_id: get!(F::AuthorId, 0),
            floor: self.get(row, F::Floor)?,
            body: get!(F::Body, String::new()),
            created_at: get!(F::CreatedAt, chrono::DateTime::<Utc>::UNIX_EPOCH),
            edited_at: get!(F::EditedAt, None),
            deleted_at: self.get(row, F::DeletedAt)?,
        };
        let author = self
            .author
            .as_ref()
            .map(|a| a.joined(row))
            .transpose()?
            .flatten();
        Ok((floor, author))
    }

    /// The floor a left join of floors added to `row` with its author; `None` when the row
    /// has none (a post without floors in the window).
    fn joined(&self, row: &sea_orm::QueryResult) -> Result<Option<FloorWithAuthor>, DbErr> {
        match self.get::<Option<i64>>(row, post_comment::Column::Id)? {
            Some(_) => self.read(row).map(Some),
            None => Ok(None),
        }
    }
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
