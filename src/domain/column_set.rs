//! Sets of a table's columns, as read by the list resolvers that read only the columns their
//! selection shows ([`PostColumns`](super::post_columns::PostColumns),
//! [`CommentColumns`](super::post_columns::CommentColumns),
//! [`UserColumns`](super::user_columns::UserColumns)).

/// Defines `$name`, a set of the columns of `$column` (a sea-orm column enum of at most 32
/// columns) that always holds the columns `$base`.
macro_rules! column_set {
    ($(#[$meta:meta])* $name:ident, $column:ty, [$($base:ident),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The columns every reader needs.
            pub const BASE: Self = Self(0 $(| (1 << (<$column>::$base as u32)))+);

            /// Every column: the whole model.
            pub fn all() -> Self {
                <$column as sea_orm::Iterable>::iter().fold(Self::BASE, Self::with)
            }

            /// This set and `column`.
            #[must_use]
            pub fn with(self, column: $column) -> Self {
                Self(self.0 | (1 << (column as u32)))
            }

            /// Both sets.
            #[must_use]
            pub fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            /// Whether the set holds `column`.
            pub fn has(self, column: $column) -> bool {
                self.0 & (1 << (column as u32)) != 0
            }

            /// Whether the set holds every column of `other`.
            pub fn covers(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether the set is every column.
            pub fn is_all(self) -> bool {
                self.covers(Self::all())
            }

            /// The columns of the set, in table order.
            pub fn columns(self) -> impl Iterator<Item = $column> {
                <$column as sea_orm::Iterable>::iter().filter(move |c| self.has(*c))
            }
        }
    };
}

pub(crate) use column_set;
