//! The outbox: claiming due messages (one instance each, under a lease), recording what
//! SMTP answered, retrying with back-off, and what Admin → Outbox lists.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::smtp::{SendFailure, SmtpSender};
use crate::entities::enums::OutboxStatus;
use crate::entities::outbox_messages;
use crate::error::{AppError, AppResult};
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// How long an instance holds a message it is sending before another may take it over
/// (longer than any send may take: `MailSettings::send_timeout`, at most 90 s).
pub(crate) const LEASE_SECONDS: i64 = 120;
/// The longest send timeout the lease allows.
pub(crate) const MAX_SEND_SECONDS: u64 = 90;
/// Attempts before a message is marked failed (an admin can send it again).
pub(crate) const MAX_ATTEMPTS: i32 = 8;
/// Messages claimed per pass.
const BATCH: u64 = 20;
/// What a sent message that held a single-use link keeps of its body.
pub(crate) const BLANKED: &str = "(This message held a single-use link. Its text was removed once it was sent.)";

/// A stored text body as a viewer reads it: [`BLANKED`] in the viewer's language (for
/// Admin → Outbox), anything else as it is.
#[allow(dead_code)] // For Admin → Outbox (src/ui/pages/admin_outbox.rs), around `text_body`.
pub(crate) fn shown_body(body: &str, loc: &impl crate::i18n::Localize) -> String {
    if body == BLANKED {
        loc.t("mail-outbox-blanked")
    } else {
        body.to_string()
    }
}

/// When to try again after `attempts` failures: `base` doubled each time, at most an hour.
pub(crate) fn retry_delay(base: std::time::Duration, attempts: i32) -> Duration {
    let base = Duration::from_std(base).unwrap_or(Duration::seconds(30));
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let delay = base.checked_mul(2i32.saturating_pow(doublings)).unwrap_or(Duration::hours(1));
    delay.min(Duration::hours(1))
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delivery {
    pub sent: u32,
    pub retrying: u32,
    pub failed: u32,
}

/// Claims one message: only if it is still pending and nobody's lease on it is running.
/// Returns this claim's lease (to the millisecond, which every database keeps exactly).
async fn claim(db: &DatabaseConnection, id: i32) -> AppResult<Option<DateTime<Utc>>> {
    use chrono::SubsecRound;
    let now = Utc::now().trunc_subsecs(3);
    let lease = now + Duration::seconds(LEASE_SECONDS);
    let claimed = outbox_messages::Entity::update_many()
        .col_expr(outbox_messages::Column::ClaimedUntil, Expr::value(lease))
        .col_expr(outbox_messages::Column::Attempts, Expr::col(outbox_messages::Column::Attempts).add(1))
        .filter(outbox_messages::Column::Id.eq(id))
        .filter(outbox_messages::Column::Status.eq(OutboxStatus::Pending))
        .filter(
            Condition::any()
                .add(outbox_messages::Column::ClaimedUntil.is_null())
                .add(outbox_messages::Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok((claimed.rows_affected == 1).then_some(lease))
}

/// Sends what is due through `sender`: each message is claimed first, so two instances
/// never send the same one; a crash mid-send leaves it to be taken over after the lease.
pub(crate) async fn deliver_due(
    db: &DatabaseConnection,
    sender: &SmtpSender,
    pace: &crate::config::MailSettings,
    now: DateTime<Utc>,
) -> AppResult<Delivery> {
    let send_timeout = pace.send_timeout.min(std::time::Duration::from_secs(MAX_SEND_SECONDS));
    let due: Vec<i32> = outbox_messages::Entity::find()
        .select_only()
        .column(outbox_messages::Column::Id)
        .filter(outbox_messages::Column::Status.eq(OutboxStatus::Pending))
        .filter(outbox_messages::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(outbox_messages::Column::ClaimedUntil.is_null())
                .add(outbox_messages::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(outbox_messages::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let mut report = Delivery::default();
    for id in due {
        let Some(lease) = claim(db, id).await? else { continue };
        let Some(message) = outbox_messages::Entity::find_by_id(id).one(db).await? else { continue };
        let sent = tokio::time::timeout(send_timeout, sender.send(&message)).await.unwrap_or_else(|_| {
            Err(SendFailure { permanent: false, reason: "the SMTP server stopped answering".into() })
        });
        let done = Utc::now();
        // Only while this claim still holds: a result never overwrites another instance's.
        let mut update = outbox_messages::Entity::update_many()
            .col_expr(outbox_messages::Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(outbox_messages::Column::Id.eq(id))
            .filter(outbox_messages::Column::ClaimedUntil.eq(lease));
        match sent {
            Ok(()) => {
                report.sent += 1;
                update = update
                    .col_expr(outbox_messages::Column::Status, Expr::value(OutboxStatus::Sent))
                    .col_expr(outbox_messages::Column::SentAt, Expr::value(done))
                    .col_expr(outbox_messages::Column::LastError, Expr::value(Option::<String>::None));
                if message.sensitive {
                    update = update
                        .col_expr(outbox_messages::Column::TextBody, Expr::value(BLANKED))
                        .col_expr(outbox_messages::Column::HtmlBody, Expr::value(format!("<p>{BLANKED}</p>")));
                }
            }
            Err(failure) => {
                let gives_up = failure.permanent || message.attempts >= MAX_ATTEMPTS;
                tracing::warn!(message = id, attempts = message.attempts, reason = %failure.reason, "e-mail not sent");
                if gives_up {
                    report.failed += 1;
                    update = update.col_expr(outbox_messages::Column::Status, Expr::value(OutboxStatus::Failed));
                } else {
                    report.retrying += 1;
                }
                update = update.col_expr(outbox_messages::Column::LastError, Expr::value(failure.reason)).col_expr(
                    outbox_messages::Column::NextAttemptAt,
                    Expr::value(done + retry_delay(pace.retry_base, message.attempts)),
                );
            }
        }
        update.exec(db).await?;
    }
    Ok(report)
}

/// The outbox, newest first (provider admins only).
pub(crate) async fn list(db: &DatabaseConnection, page: PageQuery) -> AppResult<Paged<outbox_messages::Model>> {
    let keyset = Keyset::new(
        "outbox",
        vec![Term::desc(outbox_messages::Column::CreatedAt), Term::desc(outbox_messages::Column::Id)],
    );
    let key = |m: &outbox_messages::Model| vec![m.created_at.into(), m.id.into()];
    fetch_page(db, outbox_messages::Entity::find(), &keyset, key, &page).await
}

pub(crate) async fn find(db: &DatabaseConnection, id: i32) -> AppResult<outbox_messages::Model> {
    outbox_messages::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

/// Sends a failed message again from its next pass, with a fresh count of attempts.
pub(crate) async fn retry(db: &DatabaseConnection, id: i32) -> AppResult<bool> {
    let retried = outbox_messages::Entity::update_many()
        .col_expr(outbox_messages::Column::Status, Expr::value(OutboxStatus::Pending))
        .col_expr(outbox_messages::Column::Attempts, Expr::value(0))
        .col_expr(outbox_messages::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(outbox_messages::Column::Id.eq(id))
        .filter(outbox_messages::Column::Status.eq(OutboxStatus::Failed))
        .exec(db)
        .await?;
    Ok(retried.rows_affected == 1)
}

/// Whether an admin may read the body: a message holding a single-use link (a password
/// reset lets whoever reads it into the account) only under `serve --demo` without SMTP,
/// where the outbox is how the demo shows its mail; once sent, its body is blank anyway.
pub(crate) fn body_shown(message: &outbox_messages::Model, smtp_configured: bool, demo: bool) -> bool {
    !message.sensitive || (demo && !smtp_configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blanked_body_is_said_in_the_readers_language() {
        use crate::i18n::Lang;
        assert_eq!(shown_body(BLANKED, &Lang::En), BLANKED);
        assert!(shown_body(BLANKED, &Lang::EsCl).starts_with("(Este mensaje contenía un enlace de un solo uso."));
        assert_eq!(shown_body("Hola, Ana:", &Lang::EsCl), "Hola, Ana:");
    }

    #[test]
    fn retries_back_off_to_at_most_an_hour() {
        let base = std::time::Duration::from_secs(30);
        assert_eq!(retry_delay(base, 1), Duration::seconds(30));
        assert_eq!(retry_delay(base, 2), Duration::seconds(60));
        assert_eq!(retry_delay(base, 4), Duration::seconds(240));
        assert_eq!(retry_delay(base, 8), Duration::hours(1));
        assert_eq!(retry_delay(base, 500), Duration::hours(1));
        assert_eq!(retry_delay(base, 0), Duration::seconds(30));
    }
}
