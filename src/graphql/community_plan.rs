//! Planning a post list from its selection. Before reading, the list resolver looks ahead at
//! what its items select: the page's statement reads only the post columns they show and joins
//! their authors with only the user columns those selections read ([`list_read`]). Once the
//! page is read, the rest is read for the whole page in a fixed number of statements: the floor
//! pages (one per distinct window, with their authors joined), floor 1 (one), the authors of
//! floor 1 (one) and the viewer's like and reward state (two). The results prime the request's
//! read-ahead maps, which the item resolvers consult before their loaders; the loaders remain
//! for items reached any other way.
//!
//! Batching through the loaders alone depends on scheduling: a list of more than 30 items is
//! resolved through `FuturesOrdered`, which yields to the runtime every few items, so under load
//! the loader's 1 ms window closes with only a few keys and a page of 100 posts sent a statement
//! per handful of authors. The plan does not depend on when the items are polled.

use async_graphql::{Context, Lookahead, SelectionField, Value};
use entity::post;

use super::connection::PageArgs;
use super::types::{Comment, Post, User, loaders};
use super::{auth, services};
use crate::domain::post_columns::{CommentColumns, PostColumns};
use crate::domain::posts::{self, FloorRead, FloorWithAuthor, ListRead, ListedPost};
use crate::domain::user_columns::UserColumns;
use crate::domain::{Page, PageRequest};
use crate::error::AppResult;

/// The item selections of a connection field: `nodes` and `edges { node }`.
fn items<'a>(connection: &Lookahead<'a>) -> [Lookahead<'a>; 2] {
    [
        connection.field("nodes"),
        connection.field("edges").field("node"),
    ]
}

/// The `users` columns of each `author` selection under `item`.
fn author_columns(item: &Lookahead<'_>) -> Vec<UserColumns> {
    item.field("author")
        .selection_fields()
        .iter()
        .map(User::columns_for)
        .collect()
}

/// The window a `comments(first:, after:)` selection asks for; `None` when its arguments are
/// not valid (the field's resolver then reports them).
fn comments_window(field: &SelectionField<'_>) -> Option<PageRequest> {
    let mut args = PageArgs::default();
    for (name, value) in field.arguments().ok()? {
        match (name.as_str(), value) {
            ("first", Value::Number(n)) => args.first = Some(i32::try_from(n.as_i64()?).ok()?),
            ("after", Value::String(s)) => args.after = Some(s),
            (_, Value::Null) => {}
            _ => return None,
        }
    }
    args.to_request().ok()
}

/// A `comments` selection of a post list's items.
struct FloorSelection {
    window: PageRequest,
    /// The floor columns its items read.
    columns: CommentColumns,
    /// The column sets of its floors' `author` selections.
    authors: Vec<UserColumns>,
}

/// What the items of a post list select, as far as the plan reads ahead.
#[derive(Default)]
struct PostPlan {
    /// The `posts` columns the items read.
    columns: Option<PostColumns>,
    /// Column sets of the posts' `author` selections.
    authors: Vec<UserColumns>,
    /// The `comments` selections.
    comments: Vec<FloorSelection>,
    first_comment: Vec<Vec<UserColumns>>,
    viewer_state: bool,
}

impl PostPlan {
    fn of(connection: &Lookahead<'_>) -> Self {
        let mut plan = Self::default();
        for item in items(connection) {
            if !item.exists() {
                continue;
            }
            for field in item.selection_fields() {
                let columns = Post::columns_for(&field);
                plan.columns = Some(plan.columns.map_or(columns, |c| c.union(columns)));
            }
            plan.authors.extend(author_columns(&item));
            for field in item.field("comments").selection_fields() {
                let Some(window) = comments_window(&field) else {
                    continue;
                };
                let columns = Comment::connection_columns(&field);
                let floors = Lookahead::from(field);
                let authors = items(&floors).iter().flat_map(author_columns).collect();
                plan.comments.push(FloorSelection {
                    window,
                    columns,
                    authors,
                });
            }
            for field in item.field("firstComment").selection_fields() {
                plan.first_comment
                    .push(author_columns(&Lookahead::from(field)));
            }
            plan.viewer_state |=
                item.field("likedByMe").exists() || item.field("coinedByMe").exists();
        }
        plan
    }
}

/// The columns to read of users shown through `sets` (`None` when no selection shows them).
fn union_of(sets: &[UserColumns]) -> Option<UserColumns> {
    sets.iter()
        .copied()
        .reduce(UserColumns::union)
        .map(|c| c.union(UserColumns::BASE))
}

/// Pushes `value` under `key(set)` for each of `sets`: moved into the last, cloned for the
/// others.
fn push_each<S: Copy, K, V: Clone>(
    out: &mut Vec<(K, V)>,
    sets: &[S],
    key: impl Fn(S) -> K,
    value: V,
) {
    if let Some((last, others)) = sets.split_last() {
        for set in others {
            out.push((key(*set), value.clone()));
        }
        out.push((key(*last), value));
    }
}

/// Takes the author read with `floor` (joined) as the value primed for each of `sets`, the
/// column sets of the `author` selections it is read for. A deleted floor shows no author.
fn take_floor_author(
    authors: &mut Vec<((i64, UserColumns), Option<entity::user::Model>)>,
    sets: &[UserColumns],
    (floor, author): FloorWithAuthor,
) -> entity::post_comment::Model {
    if floor.deleted_at.is_none() {
        push_each(authors, sets, |set| (floor.author_id, set), author);
    }
    floor
}

impl PostPlan {
    /// The distinct floor windows the items select, in a fixed order; the first is read with
    /// the page of posts.
    fn windows(&self) -> Vec<PageRequest> {
        let mut windows: Vec<PageRequest> = self.comments.iter().map(|c| c.window).collect();
        windows.sort_by_key(|w| (w.offset, w.limit));
        windows.dedup();
        windows
    }

    /// The column sets of the floor authors the selections of `window` show.
    fn floor_author_sets(&self, window: PageRequest) -> Vec<UserColumns> {
        self.comments
            .iter()
            .filter(|c| c.window == window)
            .flat_map(|c| c.authors.iter().copied())
            .collect()
    }

    /// The floor column sets of the selections of `window`, each once.
    fn floor_column_sets(&self, window: PageRequest) -> Vec<CommentColumns> {
        let mut sets: Vec<CommentColumns> = Vec::new();
        for c in self.comments.iter().filter(|c| c.window == window) {
            if !sets.contains(&c.columns) {
                sets.push(c.columns);
            }
        }
        sets
    }

    /// What to read for the floors of `window`: the union of its selections' columns, with
    /// their authors.
    fn floor_read(&self, window: PageRequest) -> FloorRead {
        FloorRead {
            window,
            columns: self
                .floor_column_sets(window)
                .into_iter()
                .fold(CommentColumns::BASE, CommentColumns::union),
            author: union_of(&self.floor_author_sets(window)),
        }
    }
}

/// What the page's own statement reads for the post connection being resolved: the post
/// columns its items show, their authors' columns when they show authors, and the first of the
/// floor windows they show, with those floors' authors.
pub(crate) fn list_read(ctx: &Context<'_>) -> ListRead {
    let plan = PostPlan::of(&ctx.look_ahead());
    let author = union_of(&plan.authors);
    let mut columns = plan.columns.unwrap_or(PostColumns::BASE);
    if author.is_some() {
        columns = columns.with(post::Column::AuthorId);
    }
    let floors = plan
        .windows()
        .first()
        .map(|window| plan.floor_read(*window));
    ListRead {
        columns,
        author,
        floors,
    }
}

/// Primes the floor pages of `window`, read with the union of the columns its selections read,
/// under each of those selections' own column sets (the key their resolvers look up), and the
/// authors read with them under each of the window's `author` column sets.
fn prime_floor_pages(
    loaders: &super::loaders::Loaders,
    plan: &PostPlan,
    window: PageRequest,
    pages: impl IntoIterator<Item = (i64, Page<FloorWithAuthor>)>,
) {
    let author_sets = plan.floor_author_sets(window);
    let column_sets = plan.floor_column_sets(window);
    let mut authors = Vec::new();
    let mut entries = Vec::new();
    for (id, page) in pages {
        let page = page.map(|floor| take_floor_author(&mut authors, &author_sets, floor));
        push_each(&mut entries, &column_sets, |set| (id, window, set), page);
    }
    loaders.user_columns_primed.put(authors);
    loaders.community.comments_primed.put(entries);
}

/// Primes the request's read-ahead maps with a page read by [`list_read`] (the posts' authors
/// and the floors read with them), and reads ahead the rest of what the selection of the post
/// connection being resolved needs.
pub(crate) async fn prime_posts(
    ctx: &Context<'_>,
    page: &mut [ListedPost],
    read: ListRead,
) -> AppResult<()> {
    if page.is_empty() {
        return Ok(());
    }
    let plan = PostPlan::of(&ctx.look_ahead());
    let (Ok(loaders), Ok(services)) = (loaders(ctx), services(ctx)) else {
        return Ok(());
    };
    if read.author.is_some() {
        let mut authors = Vec::with_capacity(page.len() * plan.authors.len());
        for item in page.iter_mut() {
            let id = item.post.author_id;
            push_each(
                &mut authors,
                &plan.authors,
                |set| (id, set),
                item.author.take(),
            );
        }
        loaders.user_columns_primed.put(authors);
    }
    let db = &services.db;
    let community = &loaders.community;
    let ids: Vec<i64> = page.iter().map(|item| item.post.id).collect();

    if let Some(floors) = read.floors {
        let pages = page
            .iter_mut()
            .filter_map(|item| Some((item.post.id, item.floors.take()?)));
        prime_floor_pages(loaders, &plan, floors.window, pages);
    }
    let read_with_page = read.floors.map(|f| f.window);
    for window in plan.windows() {
        if Some(window) == read_with_page {
            continue;
        }
        // The floors' authors come in the same statement, with the union of the columns of
        // this window's `author` selections.
        let pages = posts::comment_pages_read(db, &ids, plan.floor_read(window)).await?;
        prime_floor_pages(loaders, &plan, window, pages);
    }

    if !plan.first_comment.is_empty() {
        let sets: Vec<UserColumns> = plan.first_comment.concat();
        let mut firsts = posts::first_comments_read(db, &ids, union_of(&sets)).await?;
        let mut authors = Vec::new();
        let floors: Vec<_> = ids
            .iter()
            .map(|id| {
                let first = firsts.remove(id);
                (
                    *id,
                    first.map(|f| take_floor_author(&mut authors, &sets, f)),
                )
            })
            .collect();
        loaders.user_columns_primed.put(authors);
        community.first_comment_primed.put(floors);
    }

    if plan.viewer_state
        && let Some(viewer) = auth(ctx).user_id()
    {
        let liked = posts::liked_by(db, viewer, &ids).await?;
        let rewarded = posts::rewarded_by(db, viewer, &ids).await?;
        community.viewer_state_primed.put(ids.iter().map(|id| {
            (
                *id,
                crate::graphql::community_loaders::ViewerPostState {
                    liked: liked.contains(id),
                    rewarded: rewarded.contains(id),
                },
            )
        }));
    }

    Ok(())
}
