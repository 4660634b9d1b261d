//! The transition campaign (the release note's step 2, "inform your customers that they
//! can link their account"): invitations to connect an active identity provider, sent
//! once per user and provider to the users in the admin's scope who have no link to any
//! active provider, with the counts the admin follows, and the notice on My Account.

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::accounts::scope::AccountScope;
use crate::entities::{identity_providers, provider_invitations, user_identities, users};
use crate::error::{AppError, AppResult};
use crate::mail::{messages, Site};

/// Where the campaign for one active provider stands, within the admin's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderCampaign {
    pub provider_id: i32,
    pub provider: String,
    /// Invitations sent for this provider.
    pub invited: u64,
    /// Invited users who have connected this provider since.
    pub connected_since: u64,
    /// Users with no link to any active provider who were not invited for this one yet.
    pub not_invited: u64,
    /// Users with no link to any active provider at all (invited or not).
    pub still_without: u64,
}

/// Users with a link to an active provider.
fn linked_to_an_active_provider() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column((user_identities::Entity, user_identities::Column::UserId))
        .from(user_identities::Entity)
        .inner_join(
            identity_providers::Entity,
            Expr::col((identity_providers::Entity, identity_providers::Column::Id))
                .equals((user_identities::Entity, user_identities::Column::ProviderId)),
        )
        .and_where(Expr::col((identity_providers::Entity, identity_providers::Column::Active)).eq(true))
        .to_owned()
}

fn invited_for(provider_id: i32) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(provider_invitations::Column::UserId)
        .from(provider_invitations::Entity)
        .and_where(provider_invitations::Column::ProviderId.eq(provider_id))
        .to_owned()
}

fn linked_to(provider_id: i32) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(user_identities::Column::UserId)
        .from(user_identities::Entity)
        .and_where(user_identities::Column::ProviderId.eq(provider_id))
        .to_owned()
}

/// The users in `scope` without a link to any active provider, not yet invited for `provider_id`.
fn to_invite(scope: AccountScope, provider_id: i32) -> sea_orm::Select<users::Entity> {
    users::Entity::find()
        .filter(scope.condition(users::Column::AccountId))
        .filter(users::Column::Id.not_in_subquery(linked_to_an_active_provider()))
        .filter(users::Column::Id.not_in_subquery(invited_for(provider_id)))
}

/// The campaign of every active provider, for the users in `scope`.
pub(crate) async fn overview(db: &DatabaseConnection, scope: AccountScope) -> AppResult<Vec<ProviderCampaign>> {
    let active = identity_providers::Entity::find()
        .filter(identity_providers::Column::Active.eq(true))
        .order_by_asc(identity_providers::Column::Name)
        .all(db)
        .await?;
    let still_without = users::Entity::find()
        .filter(scope.condition(users::Column::AccountId))
        .filter(users::Column::Id.not_in_subquery(linked_to_an_active_provider()))
        .count(db)
        .await?;
    let mut campaigns = Vec::with_capacity(active.len());
    for provider in active {
        let invited_in_scope = users::Entity::find()
            .filter(scope.condition(users::Column::AccountId))
            .filter(users::Column::Id.in_subquery(invited_for(provider.id)));
        let invited = invited_in_scope.clone().count(db).await?;
        let connected_since =
            invited_in_scope.filter(users::Column::Id.in_subquery(linked_to(provider.id))).count(db).await?;
        let not_invited = to_invite(scope, provider.id).count(db).await?;
        campaigns.push(ProviderCampaign {
            provider_id: provider.id,
            provider: provider.name,
            invited,
            connected_since,
            not_invited,
            still_without,
        });
    }
    Ok(campaigns)
}

/// Invites every user in `scope` who has no link to an active provider and was not invited
/// for this one yet: an invitation row and its e-mail, together. Returns how many.
pub(crate) async fn invite(
    db: &DatabaseConnection,
    site: &Site,
    scope: AccountScope,
    provider_id: i32,
    invited_by: i32,
) -> AppResult<u64> {
    let provider = identity_providers::Entity::find_by_id(provider_id)
        .filter(identity_providers::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = to_invite(scope, provider.id).order_by_asc(users::Column::Id).all(db).await?;
    let mut sent = 0;
    for user in people {
        let txn = db.begin().await?;
        let row = provider_invitations::ActiveModel {
            user_id: sea_orm::Set(user.id),
            provider_id: sea_orm::Set(provider.id),
            invited_by: sea_orm::Set(Some(invited_by)),
            invited_at: sea_orm::Set(Utc::now()),
            dismissed_at: sea_orm::Set(None),
            ..Default::default()
        };
        let inserted = provider_invitations::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([provider_invitations::Column::UserId, provider_invitations::Column::ProviderId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        // Two admins pressing at once: the second finds the invitation there and sends nothing.
        if inserted == 1 && messages::connect_invitation(&txn, site, &user, provider.id, &provider.name).await? {
            sent += 1;
        }
        txn.commit().await?;
    }
    Ok(sent)
}

/// The providers the user was invited to connect, has not connected, and has not
/// dismissed the notice of (active providers only): what My Account points out.
pub(crate) async fn pending_for(db: &DatabaseConnection, user_id: i32) -> AppResult<Vec<(i32, String)>> {
    let invitations = provider_invitations::Entity::find()
        .filter(provider_invitations::Column::UserId.eq(user_id))
        .filter(provider_invitations::Column::DismissedAt.is_null())
        .all(db)
        .await?;
    let mut pending = Vec::new();
    for invitation in invitations {
        let provider = identity_providers::Entity::find_by_id(invitation.provider_id)
            .filter(identity_providers::Column::Active.eq(true))
            .one(db)
            .await?;
        let Some(provider) = provider else { continue };
        let linked = user_identities::Entity::find()
            .filter(
                Condition::all()
                    .add(user_identities::Column::UserId.eq(user_id))
                    .add(user_identities::Column::ProviderId.eq(provider.id)),
            )
            .count(db)
            .await?;
        if linked == 0 {
            pending.push((provider.id, provider.name));
        }
    }
    Ok(pending)
}

/// Hides the notice of one provider on My Account (the invitation stays counted). False
/// when there is no such notice.
pub(crate) async fn dismiss(db: &DatabaseConnection, user_id: i32, provider_id: i32) -> AppResult<bool> {
    let dismissed = provider_invitations::Entity::update_many()
        .col_expr(provider_invitations::Column::DismissedAt, Expr::value(Some(Utc::now())))
        .filter(provider_invitations::Column::UserId.eq(user_id))
        .filter(provider_invitations::Column::ProviderId.eq(provider_id))
        .filter(provider_invitations::Column::DismissedAt.is_null())
        .exec(db)
        .await?;
    Ok(dismissed.rows_affected == 1)
}
