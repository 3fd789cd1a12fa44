//! Subscription root (graphql-transport-ws over `/graphql`).

use async_graphql::{Context, Subscription};
use futures::{Stream, StreamExt};

use super::registrations::RegistrationChange;
use super::types::{CareUpdate, ChatMessage, CrisisAlert, Notification};
use super::{auth, services};
use crate::domain::care::{CareEvent, care_topic};
use crate::domain::chat::{ChatEvent, chat_topic};
use crate::domain::interviews::{CrisisEvent, crisis_topic};
use crate::domain::memberships;
use crate::domain::notifications::NotificationEvent;
use crate::domain::registrations::{RegistrationChanged, changes_topic};
use crate::events::notifications_topic;

/// Live events over graphql-transport-ws: notifications, chat, crisis alerts, registrations.
pub struct SubscriptionRoot;

/// Live events over graphql-transport-ws: notifications, chat, crisis alerts, registrations.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// The caller's new notifications as they arrive. Requires a token in `connectionParams`.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Notification> + use<>> {
        let viewer = auth(ctx).require()?;
        let bus = services(ctx)?.bus.clone();
        let user_id = viewer.user_id;
        Ok(bus
            .subscribe(&notifications_topic(user_id))
            .filter_map(move |payload| async move {
                serde_json::from_value::<NotificationEvent>(payload)
                    .ok()
                    .filter(|e| e.user_id == user_id)
                    .map(Notification::from)
            }))
    }

    /// New chat messages (留言) of the caller's dialogs, sent or received, as they are sent.
    /// Requires a token in `connectionParams`.
    async fn chat_messages(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = ChatMessage> + use<>> {
        let viewer = auth(ctx).require()?;
        let bus = services(ctx)?.bus.clone();
        let user_id = viewer.user_id;
        Ok(bus
            .subscribe(&chat_topic(user_id))
            .filter_map(move |payload| async move {
                serde_json::from_value::<ChatEvent>(payload)
                    .ok()
                    .filter(|e| e.sender_id == user_id || e.recipient_id == user_id)
                    .map(|e| ChatMessage(e.into()))
            }))
    }

    /// Changes of the caller's registrations for free clinics as a patient (joined, paid,
    /// cancelled, rejected, seen, result, scored, reviewed, clinicCancelled, refunded), as they
    /// happen. Requires a token in `connectionParams`.
    async fn registration_changes(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = RegistrationChange> + use<>> {
        let viewer = auth(ctx).require()?;
        let bus = services(ctx)?.bus.clone();
        let user_id = viewer.user_id;
        Ok(bus
            .subscribe(&changes_topic(user_id))
            .filter_map(move |payload| async move {
                serde_json::from_value::<RegistrationChanged>(payload)
                    .ok()
                    .filter(|e| e.patient_id == user_id)
                    .map(RegistrationChange)
            }))
    }

    /// Moves of the inquiries and drug orders the caller takes part in (as patient or
    /// physician), as they happen. Requires a token in `connectionParams`.
    async fn care_updates(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = CareUpdate> + use<>> {
        let viewer = auth(ctx).require()?;
        let bus = services(ctx)?.bus.clone();
        Ok(bus
            .subscribe(&care_topic(viewer.user_id))
            .filter_map(|payload| async move {
                serde_json::from_value::<CareEvent>(payload)
                    .ok()
                    .map(CareUpdate)
            }))
    }

    /// Counselling sessions that become a high crisis (危机状态: 高): every alert for platform
    /// administrators; those of the organizations they administer for an organization's
    /// administrators (an approved membership marked administrator). The alert carries no case
    /// content. Requires a token in `connectionParams`.
    async fn crisis_alerts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = CrisisAlert> + use<>> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let topics: Vec<String> = if viewer.is_admin() {
            vec![crisis_topic(None)]
        } else {
            let administered = memberships::administered(&s.db, viewer).await?;
            if administered.is_empty() {
                return Err(crate::error::AppError::Forbidden(
                    "only administrators and organization administrators receive crisis alerts"
                        .into(),
                )
                .into());
            }
            administered
                .into_iter()
                .map(|o| crisis_topic(Some(o)))
                .collect()
        };
        let streams: Vec<_> = topics.iter().map(|t| s.bus.subscribe(t)).collect();
        Ok(
            futures::stream::select_all(streams).filter_map(|payload| async move {
                serde_json::from_value::<CrisisEvent>(payload)
                    .ok()
                    .map(CrisisAlert)
            }),
        )
    }
}
