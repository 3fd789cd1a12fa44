//! Re-exports of every entity under a distinct name.

pub use super::notification::Entity as Notification;
pub use super::region::Entity as Region;
pub use super::session_token::Entity as SessionToken;
pub use super::stored_file::Entity as StoredFile;
pub use super::user::Entity as User;
