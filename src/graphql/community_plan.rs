//! Planning a post list from its selection. Once a page of posts is read, the list resolver
//! looks ahead at what its items select and reads it for the whole page in a fixed number of
//! statements: the floor pages (one per distinct window), the authors of posts and floors with
//! only the columns their selections read (one), floor 1 (one) and the viewer's like and reward
//! state (two). The results prime the request's read-ahead maps, which the item resolvers
//! consult before their loaders; the loaders remain for items reached any other way.
//!
//! Batching through the loaders alone depends on scheduling: a list of more than 30 items is
//! resolved through `FuturesOrdered`, which yields to the runtime every few items, so under load
//! the loader's 1 ms window closes with only a few keys and a page of 100 posts sent a statement
//! per handful of authors. The plan does not depend on when the items are polled.

use std::collections::{HashMap, HashSet};

use async_graphql::{Context, Lookahead, SelectionField, Value};
use entity::{post, post_comment};

use super::connection::PageArgs;
use super::types::{User, loaders};
use super::{auth, services};
use crate::domain::PageRequest;
use crate::domain::posts;
use crate::domain::user_columns::{self, UserColumns};
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

/// What the items of a post list select, as far as the plan reads ahead.
#[derive(Default)]
struct PostPlan {
    /// Column sets of the posts' `author` selections.
    authors: Vec<UserColumns>,
    /// Floor windows, each with the column sets of its floors' `author` selections.
    comments: Vec<(PageRequest, Vec<UserColumns>)>,
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
            plan.authors.extend(author_columns(&item));
            for field in item.field("comments").selection_fields() {
                let Some(window) = comments_window(&field) else {
                    continue;
                };
                let floors = Lookahead::from(field);
                let authors = items(&floors).iter().flat_map(author_columns).collect();
                plan.comments.push((window, authors));
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

/// Users wanted by (id, columns), read in one statement with the union of the columns.
#[derive(Default)]
struct UserWants(HashSet<(i64, UserColumns)>);

impl UserWants {
    fn add(&mut self, id: i64, sets: &[UserColumns]) {
        self.0.extend(sets.iter().map(|c| (id, *c)));
    }

    fn add_floors<'a>(
        &mut self,
        floors: impl IntoIterator<Item = &'a post_comment::Model>,
        sets: &[UserColumns],
    ) {
        if sets.is_empty() {
            return;
        }
        for floor in floors {
            if floor.deleted_at.is_none() {
                self.add(floor.author_id, sets);
            }
        }
    }
}

/// Reads ahead what the selection of the post connection being resolved needs for `posts` (the
/// page), and primes the request's read-ahead maps with it.
pub(crate) async fn prime_posts(ctx: &Context<'_>, posts: &[post::Model]) -> AppResult<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let plan = PostPlan::of(&ctx.look_ahead());
    let (Ok(loaders), Ok(services)) = (loaders(ctx), services(ctx)) else {
        return Ok(());
    };
    let db = &services.db;
    let community = &loaders.community;
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let mut wants = UserWants::default();
    for post in posts {
        wants.add(post.author_id, &plan.authors);
    }

    let mut windows: Vec<PageRequest> = plan.comments.iter().map(|(w, _)| *w).collect();
    windows.sort_by_key(|w| (w.offset, w.limit));
    windows.dedup();
    for window in windows {
        let pages = posts::comment_pages(db, &ids, window).await?;
        for (_, sets) in plan.comments.iter().filter(|(w, _)| *w == window) {
            wants.add_floors(pages.values().flat_map(|p| &p.items), sets);
        }
        community
            .comments_primed
            .put(pages.into_iter().map(|(id, page)| ((id, window), page)));
    }

    if !plan.first_comment.is_empty() {
        let mut firsts = posts::first_comments(db, &ids).await?;
        for sets in &plan.first_comment {
            wants.add_floors(firsts.values(), sets);
        }
        community
            .first_comment_primed
            .put(ids.iter().map(|id| (*id, firsts.remove(id))));
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

    if !wants.0.is_empty() {
        let columns = wants
            .0
            .iter()
            .fold(UserColumns::BASE, |all, (_, c)| all.union(*c));
        let user_ids: Vec<i64> = wants
            .0
            .iter()
            .map(|(id, _)| *id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let users: HashMap<i64, entity::user::Model> =
            user_columns::by_ids(db, &user_ids, columns).await?;
        loaders.user_columns_primed.put(
            wants
                .0
                .into_iter()
                .map(|(id, c)| ((id, c), users.get(&id).cloned())),
        );
    }
    Ok(())
}
