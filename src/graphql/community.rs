//! The community in GraphQL: posts with comment floors, likes and coin rewards, follows, the
//! coin ledger, and finding people (同城, recommendations, income ranking). Resolvers only
//! translate; the rules live in `domain::{posts, follows, coins, discovery}`.

use async_graphql::{Context, Enum, ID, InputObject, Object};

use super::connection::{Conn, PageArgs, fetch_page, to_connection, wants_total};
use super::node::decode_int_id;
use super::types::{Comment, IncomeRankEntry, IncomeRanking, MyIncomeRank, Post, User, loaders};
use super::{auth, services};
use sea_orm::EntityTrait;

use crate::domain::coins;
use crate::domain::discovery::{self, RankQuery};
use crate::domain::follows;
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::posts::{self, PostFilter, PostInput as DomainPostInput, PostOrder, PostPatch};
use crate::error::AppError;
use crate::graphql::loaders::load_err;
use crate::policy;

/// Which posts a list shows.
#[derive(InputObject, Default)]
pub struct PostFilterInput {
    /// Only posts by this user (global ID).
    pub author_id: Option<ID>,
    /// Only the caller's own posts (requires a login; overrides `authorId`).
    #[graphql(default)]
    pub by_me: bool,
    /// Only posts carrying this tag.
    pub tag: Option<String>,
    /// Only posts whose title or body contains this text.
    pub keyword: Option<String>,
}

/// Order of a post list.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum PostListOrder {
    /// Newest first.
    #[default]
    Newest,
    /// Most liked first.
    MostLiked,
}

/// A new post.
#[derive(InputObject)]
pub struct PostInput {
    /// Title, 1 to 100 characters.
    pub title: String,
    /// Body, 1 to 20000 characters.
    pub body: String,
    /// Up to 5 tags of up to 20 characters.
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Up to 9 images: addresses (or URLs) of uploaded images, in order.
    #[graphql(default)]
    pub images: Vec<String>,
}

/// Changes to a post; absent fields stay as they are.
#[derive(InputObject, Default)]
pub struct PostUpdateInput {
    /// New title.
    pub title: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// New images (replace the old ones).
    pub images: Option<Vec<String>>,
}

fn post_id(id: &ID) -> Result<i64, AppError> {
    decode_int_id(id, "Post")
}

fn user_id(id: &ID) -> Result<i64, AppError> {
    decode_int_id(id, "User")
}

/// Community queries.
#[derive(Default)]
pub struct CommunityQuery;

/// Community queries.
#[Object]
impl CommunityQuery {
    /// Posts, newest or most liked first, filtered by author, tag or text.
    #[graphql(
        complexity = "first.or(last).map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    #[allow(clippy::too_many_arguments)] // a resolver's arguments are the field's arguments
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which posts.")] filter: Option<PostFilterInput>,
        #[graphql(desc = "Order of the list.", default)] order: PostListOrder,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
        #[graphql(
            desc = "Items per page when paging backward: the last ones of the list, or the ones \
                    before `before` (at most 100)."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item before which a backward page ends.")] before: Option<
            String,
        >,
    ) -> async_graphql::Result<Conn<Post>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let filter = filter.unwrap_or_default();
        let author_id = if filter.by_me {
            Some(auth(ctx).require()?.user_id)
        } else {
            filter.author_id.as_ref().map(user_id).transpose()?
        };
        let filter = PostFilter {
            author_id,
            tag: filter.tag,
            keyword: filter.keyword,
        };
        let order = match order {
            PostListOrder::Newest => PostOrder::Newest,
            PostListOrder::MostLiked => PostOrder::MostLiked,
        };
        let db = &services(ctx)?.db;
        let read = super::community_plan::list_read(ctx);
        let mut page: crate::domain::Page<_> =
            fetch_page(args, wants_total(ctx), |window, total| {
                posts::list_read(db, &filter, order, window, total, read)
            })
            .await?;
        super::community_plan::prime_posts(ctx, &mut page.items, read).await?;
        Ok(to_connection(page, |item| Post(item.post)))
    }

    /// A post by global ID.
    async fn post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the post.")] id: ID,
    ) -> async_graphql::Result<Option<Post>> {
        Ok(loaders(ctx)?
            .community
            .post
            .load_one(post_id(&id)?)
            .await
            .map_err(load_err)?
            .map(Post))
    }

    /// Active users living in the caller's city (同城用户), newest first. Requires a login.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn nearby_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            discovery::nearby(&services(ctx)?.db, viewer.user_id, window, wants_total(ctx)).await?;
        Ok(to_connection(page, User))
    }

    /// Users to follow (推荐用户): active users the caller does not follow yet, most followed
    /// first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn recommended_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let page = discovery::recommended(
            &services(ctx)?.db,
            auth(ctx).user_id(),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, User))
    }

    /// The income ranking (收入排行) over the coin ledger: coins received per user, most
    /// first, recomputed at most every three minutes; with the caller's own place.
    #[graphql(complexity = "limit.map_or(100, |l| l.max(0) as usize) * child_complexity + 1")]
    async fn income_ranking(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the last so many days (default: all time).")] days: Option<i32>,
        #[graphql(desc = "Only users of this city, e.g. `成都` or `成都市`.")] city: Option<String>,
        #[graphql(desc = "Places to return, 1 to 1000 (default 100).")] limit: Option<i32>,
    ) -> async_graphql::Result<IncomeRanking> {
        let days = days
            .map(|d| {
                u32::try_from(d).map_err(|_| AppError::bad_field("days", "days must be at least 1"))
            })
            .transpose()?;
        let limit = u64::try_from(limit.unwrap_or(100))
            .map_err(|_| AppError::bad_field("limit", "limit must be between 1 and 1000"))?;
        let city = city.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        let s = services(ctx)?;
        let viewer = auth(ctx).user_id();
        let (top, mine) =
            discovery::income_rank(&s.db, &s.rankings, RankQuery { days, city }, limit, viewer)
                .await?;
        let loaders = loaders(ctx)?;
        let mut ids: Vec<i64> = top.iter().map(|e| e.user_id).collect();
        ids.extend(mine.as_ref().map(|m| m.user_id));
        let users = loaders.user.load_many(ids).await.map_err(load_err)?;
        let entries = top
            .into_iter()
            .filter_map(|e| {
                users.get(&e.user_id).cloned().map(|u| IncomeRankEntry {
                    user: User(u),
                    amount: e.amount,
                    rank: i32::try_from(e.rank).unwrap_or(i32::MAX),
                })
            })
            .collect();
        let my_rank = mine.and_then(|m| {
            users.get(&m.user_id).cloned().map(|u| MyIncomeRank {
                user: User(u),
                amount: m.amount,
                rank: m
                    .rank
                    .map_or_else(|| format!("{}+", discovery::RANK_DEPTH), |r| r.to_string()),
            })
        });
        Ok(IncomeRanking { entries, my_rank })
    }
}

/// Community mutations. All require a login.
#[derive(Default)]
pub struct CommunityMutation;

/// Community mutations. All require a login.
#[Object]
impl CommunityMutation {
    /// Publishes a post.
    async fn create_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the post.")] input: PostInput,
    ) -> async_graphql::Result<Post> {
        let viewer = auth(ctx).require()?;
        let post = posts::create(
            &services(ctx)?.db,
            viewer.user_id,
            DomainPostInput {
                title: input.title,
                body: input.body,
                tags: input.tags,
                images: input.images,
            },
        )
        .await?;
        Ok(Post(post))
    }

    /// Edits one of the caller's posts.
    async fn update_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the post to update.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: PostUpdateInput,
    ) -> async_graphql::Result<Post> {
        let viewer = auth(ctx).require()?;
        let post = posts::update(
            &services(ctx)?.db,
            viewer,
            post_id(&id)?,
            PostPatch {
                title: input.title,
                body: input.body,
                tags: input.tags,
                images: input.images,
            },
        )
        .await?;
        Ok(Post(post))
    }

    /// Deletes a post (its author, or an administrator) with its floors and likes. Answers
    /// the deleted post's ID.
    async fn delete_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the post to delete.")] id: ID,
    ) -> async_graphql::Result<ID> {
        let viewer = auth(ctx).require()?;
        posts::delete(&services(ctx)?.db, viewer, post_id(&id)?).await?;
        Ok(id)
    }

    /// Likes a post (点赞); liking it again changes nothing.
    async fn like_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the post to like.")] id: ID,
    ) -> async_graphql::Result<Post> {
        let viewer = auth(ctx).require()?;
        Ok(Post(
            posts::like(&services(ctx)?.db, viewer.user_id, post_id(&id)?).await?,
        ))
    }

    /// Takes back a like; without one nothing changes.
    async fn unlike_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the post to unlike.")] id: ID,
    ) -> async_graphql::Result<Post> {
        let viewer = auth(ctx).require()?;
        Ok(Post(
            posts::unlike(&services(ctx)?.db, viewer.user_id, post_id(&id)?).await?,
        ))
    }

    /// Rewards a post with coins (投币), once per post: the coins move from the caller to the
    /// author. `CONFLICT` when the caller has too few coins or already rewarded it.
    async fn reward_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the post to reward.")] id: ID,
        #[graphql(desc = "Coins to give, 1 to 100.", default = 1)] amount: i64,
    ) -> async_graphql::Result<Post> {
        let viewer = auth(ctx).require()?;
        Ok(Post(
            posts::reward(&services(ctx)?.db, viewer.user_id, post_id(&id)?, amount).await?,
        ))
    }

    /// Writes the next floor of a post.
    async fn create_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post (global ID).")] post_id: ID,
        #[graphql(desc = "The text, 1 to 20000 characters.")] body: String,
    ) -> async_graphql::Result<Comment> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&post_id, "Post")?;
        Ok(Comment(
            posts::comment(&services(ctx)?.db, viewer.user_id, id, &body).await?,
        ))
    }

    /// Edits one of the caller's comments.
    async fn update_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the comment to update.")] id: ID,
        #[graphql(desc = "The new text of the comment.")] body: String,
    ) -> async_graphql::Result<Comment> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "Comment")?;
        Ok(Comment(
            posts::edit_comment(&services(ctx)?.db, viewer, id, &body).await?,
        ))
    }

    /// Deletes a comment (its author, or an administrator); the floor stays, empty.
    async fn delete_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the comment to delete.")] id: ID,
    ) -> async_graphql::Result<Comment> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "Comment")?;
        Ok(Comment(
            posts::delete_comment(&services(ctx)?.db, viewer, id).await?,
        ))
    }

    /// Follows a user (关注); following again changes nothing. Answers the user.
    async fn follow_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user to follow (global ID).")] user_id: ID,
    ) -> async_graphql::Result<User> {
        let viewer = auth(ctx).require()?;
        let target = decode_int_id(&user_id, "User")?;
        let db = &services(ctx)?.db;
        follows::follow(db, viewer.user_id, target).await?;
        followed_user(ctx, target).await
    }

    /// Stops following a user (取消关注); without a follow nothing changes. Answers the user.
    async fn unfollow_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user to stop following (global ID).")] user_id: ID,
    ) -> async_graphql::Result<User> {
        let viewer = auth(ctx).require()?;
        let target = decode_int_id(&user_id, "User")?;
        follows::unfollow(&services(ctx)?.db, viewer.user_id, target).await?;
        followed_user(ctx, target).await
    }

    /// Credits or debits a user's coins with a reason (administrators). `CONFLICT` when a
    /// debit would make the balance negative. Answers the new balance.
    async fn adjust_coins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user (global ID).")] user_id: ID,
        #[graphql(desc = "Coins to add (positive) or take (negative); not 0.")] amount: i64,
        #[graphql(desc = "Why, shown in the user's ledger.")] reason: String,
    ) -> async_graphql::Result<i64> {
        let viewer = auth(ctx).require()?;
        policy::require_admin(viewer)?;
        let target = decode_int_id(&user_id, "User")?;
        let entry = coins::adjust(&services(ctx)?.db, target, amount, reason).await?;
        Ok(entry.balance_after)
    }
}

/// The user a follow mutation concerns, fresh (its counts and relation reloaded).
async fn followed_user(ctx: &Context<'_>, id: i64) -> async_graphql::Result<User> {
    let db = &services(ctx)?.db;
    entity::user::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(AppError::from)?
        .map(User)
        .ok_or_else(|| AppError::NotFound(format!("no user {id}")).into())
}
