use async_graphql::{Context, ID, Object, SelectionField, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{coin_entry, post, post_comment, wallet};

use super::{StoredFile, User, loaders};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::post_columns::{CommentColumns, PostColumns};
use crate::domain::posts;
use crate::graphql::connection::{Conn, PageArgs, to_connection};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::public_url;

/// A forum post (帖子): title, body, tags and images by one author, with its comment floors,
/// likes (点赞) and coin rewards (投币).
#[derive(Clone, Debug)]
pub struct Post(pub post::Model);

/// A user by id through the request's loader.
pub(crate) async fn user_of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<User>> {
    Ok(loaders(ctx)?
        .user
        .load_one(id)
        .await
        .map_err(load_err)?
        .filter(|u| u.status != crate::domain::accounts::status::DEACTIVATED)
        .map(User))
}

/// A post's or comment's author with only the columns the `author` field's selection reads
/// (read ahead for the whole page by the list, else batched through the loader); null once
/// the account is deactivated.
pub(crate) async fn author_of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<User>> {
    let key = (id, User::columns_for(&ctx.field()));
    let loaders = loaders(ctx)?;
    let shown = |user: Option<entity::user::Model>| {
        user.filter(|u| u.status != crate::domain::accounts::status::DEACTIVATED)
            .map(User)
    };
    if let Some(user) = loaders.user_columns_primed.get(&key) {
        return Ok(shown(user));
    }
    // Boxed, and no model held across the wait: the loader's future is large, and every field
    // of a type is resolved in a future the size of its largest field's (see `graphql::types`).
    let user = Box::pin(loaders.user_columns.load_one(key))
        .await
        .map_err(load_err)?;
    Ok(shown(user))
}

impl Post {
    /// The `posts` columns that the fields selected under `field` (a field of type `Post`)
    /// read; every column as soon as one field is not listed here. Keep it next to the
    /// resolvers below: a field that reads a column of the model must name it here.
    pub(crate) fn columns_for(field: &SelectionField<'_>) -> PostColumns {
        use post::Column as C;
        let mut columns = PostColumns::BASE;
        for selected in field.selection_set() {
            let column = match selected.name() {
                // Read nothing of the model but `id`.
                "__typename" | "id" | "legacyId" | "likedByMe" | "coinedByMe" | "firstComment" => {
                    continue;
                }
                "title" => C::Title,
                "body" => C::Body,
                "tags" => C::Tags,
                "images" | "coverUrl" => C::Images,
                "author" => C::AuthorId,
                "likeCount" => C::LikeCount,
                // A floor page's total is the post's counter.
                "commentCount" | "comments" => C::CommentCount,
                "coinCount" => C::CoinCount,
                "createdAt" => C::CreatedAt,
                "editedAt" => C::EditedAt,
                _ => return PostColumns::all(),
            };
            columns = columns.with(column);
        }
        columns
    }

    /// The viewer's like and reward state of the post.
    async fn viewer_state(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::graphql::community_loaders::ViewerPostState> {
        let community = &loaders(ctx)?.community;
        if let Some(state) = community.viewer_state_primed.get(&self.0.id) {
            return Ok(state);
        }
        Ok(community
            .viewer_state
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }
}

/// A forum post (帖子): title, body, tags and images by one author, with its comment floors,
/// likes (点赞) and coin rewards (投币).
#[Object]
impl Post {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Post", self.0.id)
    }

    /// The integer id the forum dialect uses (`post_id`).
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Title (帖子标题).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Body text.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Tags (帖子标签), in the author's order.
    async fn tags(&self) -> Vec<String> {
        posts::tags(&self.0)
    }

    /// The images, in order.
    async fn images(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StoredFile>> {
        let hashes = posts::images(&self.0);
        let files = loaders(ctx)?
            .file
            .load_many(hashes.iter().cloned())
            .await
            .map_err(load_err)?;
        Ok(hashes
            .iter()
            .filter_map(|h| files.get(h).cloned().map(StoredFile))
            .collect())
    }

    /// Absolute URL of the first image, if any (the forum's `post_pic` falls back to the
    /// author's avatar).
    async fn cover_url(&self, ctx: &Context<'_>) -> Option<String> {
        posts::images(&self.0)
            .first()
            .map(|h| format!("{}/files/{h}", public_url(ctx)))
    }

    /// The author; null once the account is deactivated.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        author_of(ctx, self.0.author_id).await
    }

    /// Number of likes.
    async fn like_count(&self) -> i32 {
        self.0.like_count
    }

    /// Number of comment floors (the last floor's number; deleted floors keep their place).
    async fn comment_count(&self) -> i32 {
        self.0.comment_count
    }

    /// Coins rewarded to the post in all.
    async fn coin_count(&self) -> i64 {
        self.0.coin_count
    }

    /// Whether the caller likes the post (false when anonymous).
    async fn liked_by_me(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.viewer_state(ctx).await?.liked)
    }

    /// Whether the caller rewarded the post with coins (false when anonymous).
    async fn coined_by_me(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.viewer_state(ctx).await?.rewarded)
    }

    /// Floor 1: the post's first comment (`post_first_comment_id`), if written.
    async fn first_comment(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Comment>> {
        let community = &loaders(ctx)?.community;
        let first = match community.first_comment_primed.get(&self.0.id) {
            Some(first) => first,
            None => community
                .first_comment
                .load_one(self.0.id)
                .await
                .map_err(load_err)?,
        };
        Ok(first.map(Comment))
    }

    /// The comment floors, in floor order.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Comment>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let community = &loaders(ctx)?.community;
        let primed = (self.0.id, window, Comment::connection_columns(&ctx.field()));
        let page = match community.comments_primed.get(&primed) {
            Some(page) => Some(page),
            None => Box::pin(community.comments.load_one((self.0.id, window)))
                .await
                .map_err(load_err)?,
        };
        let mut page =
            page.unwrap_or_else(|| crate::domain::Page::from_probe(Vec::new(), window, None));
        // Floors are never removed: the post's counter is their number.
        page.total = Some(u64::try_from(self.0.comment_count).unwrap_or(0));
        Ok(to_connection(page, Comment))
    }

    /// When it was published.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the author last edited it; null if never.
    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.0.edited_at
    }
}

/// A comment in a numbered floor (楼层) of a post; floor 1 is the post's first comment. A
/// deleted comment keeps its floor, without text.
#[derive(Clone, Debug)]
pub struct Comment(pub post_comment::Model);

impl Comment {
    /// The `post_comments` columns that the fields selected under `field` (a field of type
    /// `Comment`) read; every column as soon as one field is not listed here. Keep it next to
    /// the resolvers below: a field that reads a column of the model must name it here.
    pub(crate) fn columns_for(field: &SelectionField<'_>) -> CommentColumns {
        use post_comment::Column as C;
        let mut columns = CommentColumns::BASE;
        for selected in field.selection_set() {
            let column = match selected.name() {
                // Read only columns every set holds: id, post_id, floor, deleted_at.
                "__typename" | "id" | "legacyId" | "floor" | "isDeleted" | "post" => continue,
                "body" => C::Body,
                "author" => C::AuthorId,
                "createdAt" => C::CreatedAt,
                "editedAt" => C::EditedAt,
                _ => return CommentColumns::all(),
            };
            columns = columns.with(column);
        }
        columns
    }

    /// The columns the items of `connection` (a `comments` field: its `nodes` and
    /// `edges { node }`) read.
    pub(crate) fn connection_columns(connection: &SelectionField<'_>) -> CommentColumns {
        let mut columns = CommentColumns::BASE;
        for selected in connection.selection_set() {
            match selected.name() {
                "nodes" => columns = columns.union(Self::columns_for(&selected)),
                "edges" => {
                    for edge in selected.selection_set() {
                        if edge.name() == "node" {
                            columns = columns.union(Self::columns_for(&edge));
                        }
                    }
                }
                _ => {}
            }
        }
        columns
    }
}

/// A comment in a numbered floor (楼层) of a post; floor 1 is the post's first comment. A
/// deleted comment keeps its floor, without text.
#[Object]
impl Comment {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Comment", self.0.id)
    }

    /// The integer id the forum dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The floor number (楼层号), from 1.
    async fn floor(&self) -> i32 {
        self.0.floor
    }

    /// The text; null once deleted.
    async fn body(&self) -> Option<&str> {
        self.0.deleted_at.is_none().then_some(self.0.body.as_str())
    }

    /// Whether the comment was deleted.
    async fn is_deleted(&self) -> bool {
        self.0.deleted_at.is_some()
    }

    /// The author; null once deleted or deactivated.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        if self.0.deleted_at.is_some() {
            return Ok(None);
        }
        author_of(ctx, self.0.author_id).await
    }

    /// The post it belongs to.
    async fn post(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Post>> {
        Ok(loaders(ctx)?
            .community
            .post
            .load_one(self.0.post_id)
            .await
            .map_err(load_err)?
            .map(Post))
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last edited; null if never.
    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.0.edited_at
    }
}

/// One change of a user's coins (杏仁币变动记录): the ledger's entry.
#[derive(Clone, Debug)]
pub struct CoinEntry(pub coin_entry::Model);

/// One change of a user's coins (杏仁币变动记录): the ledger's entry.
#[Object]
impl CoinEntry {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("CoinEntry", self.0.id)
    }

    /// Coins gained (positive) or spent (negative); never 0.
    async fn amount(&self) -> i64 {
        self.0.amount
    }

    /// The balance right after this change.
    async fn balance_after(&self) -> i64 {
        self.0.balance_after
    }

    /// Why the coins moved (变动原因).
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// What the change concerns: `post`, `recharge_order`, `checkin` or `adjustment`.
    async fn related_type(&self) -> Option<&str> {
        self.0.related_type.as_deref()
    }

    /// Global ID of the post the change concerns, when it concerns one.
    async fn related_post_id(&self) -> Option<ID> {
        match (self.0.related_type.as_deref(), self.0.related_id) {
            (Some("post"), Some(id)) => Some(global_id("Post", id)),
            _ => None,
        }
    }

    /// When it happened (变动时间).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A user's coin wallet (钱包 / 积分): the balance is always the sum of the ledger.
#[derive(Clone, Debug)]
pub struct Wallet(pub wallet::Model);

/// A user's coin wallet (钱包 / 积分): the balance is always the sum of the ledger.
#[Object]
impl Wallet {
    /// Coins held now (杏仁币数).
    async fn balance(&self) -> i64 {
        self.0.balance
    }

    /// All coins ever received.
    async fn total_income(&self) -> i64 {
        self.0.total_income
    }

    /// All coins ever spent.
    async fn total_expenses(&self) -> i64 {
        self.0.total_expenses
    }

    /// When the balance last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One place of the income ranking (收入排行).
#[derive(SimpleObject, Clone, Debug)]
pub struct IncomeRankEntry {
    /// The user.
    pub user: User,
    /// Coins received in the period.
    pub amount: i64,
    /// The place, from 1.
    pub rank: i32,
}

/// The caller's own place in the income ranking.
#[derive(SimpleObject, Clone, Debug)]
pub struct MyIncomeRank {
    /// The caller.
    pub user: User,
    /// Coins the caller received in the period.
    pub amount: i64,
    /// The place as the social API shows it: a number, or `1000+` beyond the ranked places.
    pub rank: String,
}

/// The income ranking over the coin ledger, recomputed at most every three minutes.
#[derive(SimpleObject, Clone, Debug)]
pub struct IncomeRanking {
    /// The first places.
    pub entries: Vec<IncomeRankEntry>,
    /// The caller's place; null when anonymous or not living in the asked city.
    pub my_rank: Option<MyIncomeRank>,
}
