//! The users of an account: who may manage them, inviting one by e-mail, accepting an
//! invitation, changing a role, deactivating and reactivating, removing an invitation.
//!
//! The rules are plain functions ([`roles_for`], [`may_manage`], [`check_role_change`],
//! [`keeps_an_admin`]); the database functions read the account through the viewer's
//! scope (anything outside it is a 404), lock the account's row while they count its
//! admins, and write the change, its audit
//! entry and any mail in one transaction.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::scope::AccountScope;
use super::{admin_role, check_name, Viewer};
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::{AccountTier, TokenPurpose, UserRole};
use crate::entities::{accounts, identity_providers, user_tokens, users};
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::identity::links;
use crate::identity::local;
use crate::identity::oidc::VerifiedIdentity;
use crate::identity::password::{self, NewPasswordError};
use crate::mail::{messages, tokens, Site};

/// Days an invitation link works.
pub(crate) const INVITATION_DAYS: i64 = 7;

/// The roles a user of an account of `tier` may have: only customer accounts offer a choice.
pub(crate) fn roles_for(tier: AccountTier) -> &'static [UserRole] {
    match tier {
        AccountTier::Customer => &[UserRole::CustomerAdmin, UserRole::CustomerUser],
        AccountTier::Reseller => &[UserRole::ResellerAdmin],
        AccountTier::Provider => &[UserRole::ProviderAdmin],
    }
}

/// Whether `viewer` manages the users of `account`: the provider admin every account, a
/// reseller admin its own and its customers', a customer admin its own; nobody else.
pub(crate) fn may_manage(viewer: &Viewer, account: &accounts::Model) -> bool {
    viewer.is_account_admin() && AccountScope::of(viewer).allows(account.id, account.parent_id)
}

/// Whether a user counts as one of the account's admins: active, joined, an admin role.
pub(crate) fn is_active_admin(user: &users::Model, tier: AccountTier) -> bool {
    user.active && user.joined_at.is_some() && user.role == admin_role(tier)
}

/// Whether the account still has an active admin when `leaving` (an active admin now)
/// stops being one: `active_admins` counts them all, `leaving` included.
pub(crate) fn keeps_an_admin(active_admins: u64, leaving_is_admin: bool) -> bool {
    !leaving_is_admin || active_admins > 1
}

/// Checks a role change of `target` (in an account of `tier`) by `actor_id`.
pub(crate) fn check_role_change(
    actor_id: i32,
    target: &users::Model,
    tier: AccountTier,
    new_role: UserRole,
    active_admins: u64,
) -> Result<(), MemberError> {
    if !roles_for(tier).contains(&new_role) {
        return Err(MemberError::RoleNotOffered);
    }
    if target.id == actor_id {
        return Err(MemberError::OwnRole);
    }
    let demotes = new_role != admin_role(tier) && is_active_admin(target, tier);
    if demotes && !keeps_an_admin(active_admins, true) {
        return Err(MemberError::LastAdmin);
    }
    Ok(())
}

/// Invitations one account may send per hour (each one mails a stranger).
pub(crate) const INVITATIONS_PER_HOUR: u64 = 20;

/// Why a change to the users of an account was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MemberError {
    #[error("{1}")]
    Field(&'static str, String),
    #[error("This e-mail already has an account.")]
    EmailTaken,
    #[error("This account has no such role.")]
    RoleNotOffered,
    #[error("You cannot change your own role: ask another administrator.")]
    OwnRole,
    #[error("You cannot deactivate yourself: ask another administrator.")]
    OwnUser,
    #[error("An account keeps at least one active administrator: make someone else an administrator first.")]
    LastAdmin,
    #[error("This user has joined already: deactivate them instead.")]
    AlreadyJoined,
    #[error("Tick “Sure” to confirm.")]
    NotConfirmed,
    #[error("This account has sent {INVITATIONS_PER_HOUR} invitations in the last hour: try again later.")]
    TooManyInvitations,
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(MemberError);

impl MemberError {
    /// The refusal said in `loc`'s language (the users page's); `Display` stays English.
    /// A name's or e-mail address's message is the shared checks', said in `loc`'s language.
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            MemberError::Field(_, message) => crate::identity::field_message(loc, message),
            MemberError::EmailTaken => loc.t("members-error-email-taken"),
            MemberError::RoleNotOffered => loc.t("members-error-role-not-offered"),
            MemberError::OwnRole => loc.t("members-error-own-role"),
            MemberError::OwnUser => loc.t("members-error-own-user"),
            MemberError::LastAdmin => loc.t("members-error-last-admin"),
            MemberError::AlreadyJoined => loc.t("members-error-already-joined"),
            MemberError::NotConfirmed => loc.t("members-error-not-confirmed"),
            MemberError::TooManyInvitations => {
                tr!(loc, "members-error-too-many-invitations", count = INVITATIONS_PER_HOUR)
            }
            MemberError::Failed(error) => error.to_string(),
        }
    }
}

/// A user of the account, as the users page lists them.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub user: users::Model,
    pub invited_by: Option<String>,
}

/// The account of `code` when the viewer manages its users, else 404.
pub(crate) async fn managed_account(
    db: &DatabaseConnection,
    viewer: &Viewer,
    code: &str,
) -> AppResult<accounts::Model> {
    let account = super::store::find_by_code(db, AccountScope::of(viewer), code).await?;
    if !may_manage(viewer, &account) {
        return Err(AppError::NotFound);
    }
    Ok(account)
}

/// The account's users, admins first, then by e-mail, with who invited them.
pub(crate) async fn members_of(db: &DatabaseConnection, account: &accounts::Model) -> AppResult<Vec<Member>> {
    let users = users::Entity::find()
        .filter(users::Column::AccountId.eq(account.id))
        .order_by_asc(users::Column::Email)
        .all(db)
        .await?;
    let inviter_ids: Vec<i32> = users.iter().filter_map(|u| u.invited_by).collect();
    let inviters = users::Entity::find().filter(users::Column::Id.is_in(inviter_ids)).all(db).await?;
    let admin = admin_role(account.tier);
    let mut members: Vec<Member> = users
        .into_iter()
        .map(|user| {
            let invited_by =
                user.invited_by.and_then(|id| inviters.iter().find(|i| i.id == id)).map(|i| i.name.clone());
            Member { user, invited_by }
        })
        .collect();
    members.sort_by_key(|m| m.user.role != admin);
    Ok(members)
}

/// Locks the account's row and counts its active admins. The lock is a write (a row lock
/// in PostgreSQL, the one writer's lock in SQLite) taken before anything is read, so two
/// changes to one account's admins wait for each other and the second counts afresh.
async fn lock_and_count_admins(txn: &DatabaseTransaction, account: &accounts::Model) -> AppResult<u64> {
    accounts::Entity::update_many()
        .col_expr(accounts::Column::Id, Expr::col(accounts::Column::Id).into())
        .filter(accounts::Column::Id.eq(account.id))
        .exec(txn)
        .await?;
    Ok(users::Entity::find()
        .filter(users::Column::AccountId.eq(account.id))
        .filter(users::Column::Role.eq(admin_role(account.tier)))
        .filter(users::Column::Active.eq(true))
        .filter(users::Column::JoinedAt.is_not_null())
        .count(txn)
        .await?)
}

/// A user of the account, read in the transaction, or 404.
async fn member<C: ConnectionTrait>(db: &C, account: &accounts::Model, user_id: i32) -> AppResult<users::Model> {
    users::Entity::find_by_id(user_id)
        .filter(users::Column::AccountId.eq(account.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// What the invitation form sends.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct InviteForm {
    pub name: String,
    pub email: String,
    pub role: String,
}

/// A checked invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewMember {
    pub name: String,
    pub email: String,
    pub role: UserRole,
}

/// Checks the invitation form for an account of `tier` (the first refused field).
pub(crate) fn check_invite(form: &InviteForm, tier: AccountTier) -> Result<NewMember, MemberError> {
    let name = check_name(&form.name).map_err(|e| MemberError::Field("name", e))?;
    let email = local::check_email(&form.email).map_err(|e| MemberError::Field("email", e))?;
    let role =
        UserRole::parse(&form.role).filter(|r| roles_for(tier).contains(r)).ok_or(MemberError::RoleNotOffered)?;
    Ok(NewMember { name, email, role })
}

/// Invites a user into `account` (managed by the viewer): the user waiting to join, the
/// link mailed, the audit entry, in one transaction.
pub(crate) async fn invite(
    db: &DatabaseConnection,
    site: &Site,
    viewer: &Viewer,
    ip: Option<String>,
    account: &accounts::Model,
    form: &InviteForm,
) -> Result<users::Model, MemberError> {
    let new = check_invite(form, account.tier)?;
    let now = Utc::now();
    let recent = users::Entity::find()
        .filter(users::Column::AccountId.eq(account.id))
        .filter(users::Column::InvitedBy.is_not_null())
        .filter(users::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(db)
        .await?;
    if recent >= INVITATIONS_PER_HOUR {
        return Err(MemberError::TooManyInvitations);
    }
    if users::Entity::find().filter(users::Column::Email.eq(&new.email)).count(db).await? > 0 {
        return Err(MemberError::EmailTaken);
    }
    let txn = db.begin().await?;
    let inserted = users::ActiveModel {
        account_id: Set(account.id),
        email: Set(new.email.clone()),
        name: Set(new.name.clone()),
        role: Set(new.role),
        password_hash: Set(None),
        failed_logins: Set(0),
        active: Set(true),
        joined_at: Set(None),
        invited_by: Set(Some(viewer.user.id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        // The same address invited a moment ago.
        Err(e) if crate::error::is_unique_violation(&e) => {
            txn.rollback().await?;
            return Err(MemberError::EmailTaken);
        }
        Err(e) => return Err(e.into()),
    };
    let token = tokens::issue(&txn, user.id, TokenPurpose::Invitation, Duration::days(INVITATION_DAYS)).await?;
    messages::user_invitation(&txn, site, account, &user, &viewer.user.name, &token).await?;
    let changes =
        [Change::set("e-mail", &new.email), Change::set("name", &new.name), Change::set("role", new.role.label())];
    let by = AuditActor::of(viewer, ip);
    audit::record(&txn, &by, Some(account.id), "user invited", &target(account, &user), &changes).await?;
    txn.commit().await?;
    Ok(user)
}

fn target(account: &accounts::Model, user: &users::Model) -> String {
    format!("user {} of account {}", user.email, account.code)
}

/// Changes a user's role (customer accounts: admin ↔ user).
pub(crate) async fn change_role(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    account: &accounts::Model,
    user_id: i32,
    role: &str,
) -> Result<users::Model, MemberError> {
    let new_role = UserRole::parse(role).ok_or(MemberError::RoleNotOffered)?;
    let txn = db.begin().await?;
    let admins = lock_and_count_admins(&txn, account).await?;
    let user = member(&txn, account, user_id).await?;
    check_role_change(viewer.user.id, &user, account.tier, new_role, admins)?;
    if user.role == new_role {
        return Ok(user);
    }
    let mut row: users::ActiveModel = user.clone().into();
    row.role = Set(new_role);
    let updated = row.update(&txn).await?;
    let changes = [Change::new("role", user.role.label(), new_role.label())];
    let by = AuditActor::of(viewer, ip);
    audit::record(&txn, &by, Some(account.id), "user role changed", &target(account, &user), &changes).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deactivates a user: they cannot sign in, every session of theirs ends; their history stays.
pub(crate) async fn deactivate(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    account: &accounts::Model,
    user_id: i32,
) -> Result<users::Model, MemberError> {
    let txn = db.begin().await?;
    let admins = lock_and_count_admins(&txn, account).await?;
    let user = member(&txn, account, user_id).await?;
    if user.id == viewer.user.id {
        return Err(MemberError::OwnUser);
    }
    if !keeps_an_admin(admins, is_active_admin(&user, account.tier)) {
        return Err(MemberError::LastAdmin);
    }
    if !user.active {
        return Ok(user);
    }
    users::Entity::update_many()
        .col_expr(users::Column::Active, Expr::value(false))
        .filter(users::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    crate::identity::session::end_all(&txn, user.id).await?;
    // Links mailed before (an invitation, a reset) do not work after a reactivation.
    let now = chrono::Utc::now();
    for purpose in [TokenPurpose::Invitation, TokenPurpose::PasswordReset] {
        crate::mail::tokens::spend_all(&txn, user.id, purpose, now).await?;
    }
    let changes = [Change::new("active", "yes", "no")];
    let by = AuditActor::of(viewer, ip);
    audit::record(&txn, &by, Some(account.id), "user deactivated", &target(account, &user), &changes).await?;
    txn.commit().await?;
    Ok(user)
}

/// Reactivates a deactivated user: they may sign in again.
pub(crate) async fn reactivate(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    account: &accounts::Model,
    user_id: i32,
) -> Result<users::Model, MemberError> {
    let txn = db.begin().await?;
    let user = member(&txn, account, user_id).await?;
    if user.active {
        return Ok(user);
    }
    let mut row: users::ActiveModel = user.clone().into();
    row.active = Set(true);
    let updated = row.update(&txn).await?;
    let changes = [Change::new("active", "no", "yes")];
    let by = AuditActor::of(viewer, ip);
    audit::record(&txn, &by, Some(account.id), "user reactivated", &target(account, &user), &changes).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Removes an invitation nobody accepted: the user and their tokens.
pub(crate) async fn remove_invitation(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    account: &accounts::Model,
    user_id: i32,
) -> Result<users::Model, MemberError> {
    let txn = db.begin().await?;
    let user = member(&txn, account, user_id).await?;
    if user.joined_at.is_some() {
        return Err(MemberError::AlreadyJoined);
    }
    user_tokens::Entity::delete_many().filter(user_tokens::Column::UserId.eq(user.id)).exec(&txn).await?;
    // Only while still not joined: an acceptance a moment ago wins.
    let removed = users::Entity::delete_many()
        .filter(users::Column::Id.eq(user.id))
        .filter(users::Column::JoinedAt.is_null())
        .exec(&txn)
        .await?;
    if removed.rows_affected != 1 {
        txn.rollback().await?;
        return Err(MemberError::AlreadyJoined);
    }
    let changes = [Change::new("invitation", &user.email, "(removed)")];
    let by = AuditActor::of(viewer, ip);
    audit::record(&txn, &by, Some(account.id), "invitation removed", &target(account, &user), &changes).await?;
    txn.commit().await?;
    Ok(user)
}

/// What a row's form on the users page asks for.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct ChangeForm {
    pub intent: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub confirm: String,
}

/// A change to one user of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MemberChange {
    Role(String),
    Deactivate,
    Reactivate,
    RemoveInvitation,
}

impl MemberChange {
    /// The change a form asks for; destructive ones need "Sure" ticked.
    pub(crate) fn parse(form: &ChangeForm) -> Result<MemberChange, MemberError> {
        let confirmed = form.confirm == "yes";
        match form.intent.as_str() {
            "role" => Ok(MemberChange::Role(form.role.clone())),
            "deactivate" if confirmed => Ok(MemberChange::Deactivate),
            "remove" if confirmed => Ok(MemberChange::RemoveInvitation),
            "deactivate" | "remove" => Err(MemberError::NotConfirmed),
            "reactivate" => Ok(MemberChange::Reactivate),
            _ => Err(AppError::BadRequest("Unknown change.".into()).into()),
        }
    }

    /// What the page says once the change is made, in `loc`'s language.
    pub(crate) fn done(&self, user: &users::Model, loc: &impl Localize) -> String {
        let email = user.email.as_str();
        match self {
            MemberChange::Role(_) => {
                tr!(loc, "members-done-role", email = email, role = role_in_sentence(loc, user.role))
            }
            MemberChange::Deactivate => tr!(loc, "members-done-deactivated", email = email),
            MemberChange::Reactivate => tr!(loc, "members-done-reactivated", email = email),
            MemberChange::RemoveInvitation => tr!(loc, "members-done-invitation-removed", email = email),
        }
    }
}

/// Makes `change` to a user of `account` (managed by the viewer).
pub(crate) async fn apply(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    account: &accounts::Model,
    user_id: i32,
    change: &MemberChange,
) -> Result<users::Model, MemberError> {
    match change {
        MemberChange::Role(role) => change_role(db, viewer, ip, account, user_id, role).await,
        MemberChange::Deactivate => deactivate(db, viewer, ip, account, user_id).await,
        MemberChange::Reactivate => reactivate(db, viewer, ip, account, user_id).await,
        MemberChange::RemoveInvitation => remove_invitation(db, viewer, ip, account, user_id).await,
    }
}

/// What an invitation link shows: who is invited, to which account, by whom.
#[derive(Debug, Clone)]
pub(crate) struct Invitation {
    /// The token's row: what a flow through an identity provider carries instead of the link.
    pub token_id: i32,
    pub user: users::Model,
    pub account: accounts::Model,
    pub invited_by: Option<String>,
}

/// The invitation a link is for, while it works (not used, not expired, not joined yet,
/// the user not removed or deactivated).
pub(crate) async fn invitation_of_link(db: &DatabaseConnection, raw: &str) -> AppResult<Option<Invitation>> {
    match tokens::find_valid(db, raw, TokenPurpose::Invitation, Utc::now()).await? {
        Some((token, user)) => invitation_for(db, token, user).await,
        None => Ok(None),
    }
}

/// The same for the invitation token's row a handed-over flow carries.
pub(crate) async fn invitation_of_token(db: &DatabaseConnection, token_id: i32) -> AppResult<Option<Invitation>> {
    match tokens::find_valid_by_id(db, token_id, TokenPurpose::Invitation, Utc::now()).await? {
        Some((token, user)) => invitation_for(db, token, user).await,
        None => Ok(None),
    }
}

async fn invitation_for(
    db: &DatabaseConnection,
    token: user_tokens::Model,
    user: users::Model,
) -> AppResult<Option<Invitation>> {
    if user.joined_at.is_some() || !user.active {
        return Ok(None);
    }
    let Some(account) = accounts::Entity::find_by_id(user.account_id).one(db).await? else { return Ok(None) };
    let invited_by = match user.invited_by {
        Some(id) => users::Entity::find_by_id(id).one(db).await?.map(|u| u.name),
        None => None,
    };
    Ok(Some(Invitation { token_id: token.id, user, account, invited_by }))
}

/// Why an invitation link did not let the user join.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AcceptError {
    #[error("This invitation link has expired or was already used. Ask the person who invited you for a new one.")]
    LinkNotValid,
    #[error(transparent)]
    NewPassword(#[from] NewPasswordError),
    /// The identity chosen to join with is already another user's way in.
    #[error("This {provider} account is already connected to another user, so you cannot join with it.")]
    IdentityTaken { provider: String },
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(AcceptError);

impl AcceptError {
    /// The refusal said in `loc`'s language; `Display` stays English. (A new password's
    /// message comes from the password rules as they say it.)
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            AcceptError::LinkNotValid => loc.t("members-error-link-not-valid"),
            AcceptError::IdentityTaken { provider } => {
                tr!(loc, "members-error-identity-taken", provider = provider.as_str())
            }
            AcceptError::NewPassword(error) => error.to_string(),
            AcceptError::Failed(error) => error.to_string(),
        }
    }
}

/// A role as a list or a choice shows it ("Customer admin"), in `loc`'s language.
pub(crate) fn role_label(loc: &impl Localize, role: UserRole) -> String {
    loc.t(match role {
        UserRole::CustomerUser => msg!("members-role-customer-user"),
        UserRole::CustomerAdmin => msg!("members-role-customer-admin"),
        UserRole::ResellerAdmin => msg!("members-role-reseller-admin"),
        UserRole::ProviderAdmin => msg!("members-role-provider-admin"),
    })
}

/// A role inside a sentence ("is now a customer admin"), in `loc`'s language.
pub(crate) fn role_in_sentence(loc: &impl Localize, role: UserRole) -> String {
    loc.t(match role {
        UserRole::CustomerUser => msg!("members-role-in-sentence-customer-user"),
        UserRole::CustomerAdmin => msg!("members-role-in-sentence-customer-admin"),
        UserRole::ResellerAdmin => msg!("members-role-in-sentence-reseller-admin"),
        UserRole::ProviderAdmin => msg!("members-role-in-sentence-provider-admin"),
    })
}

/// How an invited user joins.
enum JoinedWith<'a> {
    Password(String),
    Provider(&'a identity_providers::Model, &'a VerifiedIdentity),
}

/// Accepts an invitation with a password: the user joins (address verified: the link
/// proved it), the token is spent, the audit log says so. Returns the joined user.
pub(crate) async fn accept(
    db: &DatabaseConnection,
    raw: &str,
    new: &str,
    confirmation: &str,
    ip: Option<String>,
) -> Result<users::Model, AcceptError> {
    let Some((token, _)) = tokens::find_valid(db, raw, TokenPurpose::Invitation, Utc::now()).await? else {
        return Err(AcceptError::LinkNotValid);
    };
    password::check_new_password(new, confirmation)?;
    let hash = password::hash_off_thread(new).await?;
    join(db, None, token.id, JoinedWith::Password(hash), ip).await
}

/// Accepts an invitation with an identity from a provider (after the flow started on the
/// invitation page came back): the identity is linked as the user's way in, the user
/// joins, and the security event, the notice and the audit entry are written with it.
pub(crate) async fn accept_with_identity(
    db: &DatabaseConnection,
    site: &Site,
    token_id: i32,
    provider: &identity_providers::Model,
    identity: &VerifiedIdentity,
    ip: Option<String>,
) -> Result<users::Model, AcceptError> {
    join(db, Some(site), token_id, JoinedWith::Provider(provider, identity), ip).await
}

/// The user of invitation `token_id` joins: in one transaction the user is marked joined
/// (only if not joined meanwhile and still active), the token and its siblings are spent,
/// the way in is stored, and the audit log says so.
async fn join(
    db: &DatabaseConnection,
    site: Option<&Site>,
    token_id: i32,
    with: JoinedWith<'_>,
    ip: Option<String>,
) -> Result<users::Model, AcceptError> {
    let now: DateTime<Utc> = Utc::now();
    let Some((token, user)) = tokens::find_valid_by_id(db, token_id, TokenPurpose::Invitation, now).await? else {
        return Err(AcceptError::LinkNotValid);
    };
    if let JoinedWith::Provider(provider, identity) = &with {
        if links::find_linked_user(db, provider, identity).await?.is_some() {
            return Err(AcceptError::IdentityTaken { provider: provider.name.clone() });
        }
    }
    let txn = db.begin().await?;
    let mut update = users::Entity::update_many()
        .col_expr(users::Column::JoinedAt, Expr::value(Some(now)))
        .col_expr(users::Column::EmailVerifiedAt, Expr::value(Some(user.email_verified_at.unwrap_or(now))));
    if let JoinedWith::Password(hash) = &with {
        update = update
            .col_expr(users::Column::PasswordHash, Expr::value(Some(hash.clone())))
            .col_expr(users::Column::PasswordChangedAt, Expr::value(Some(now)));
    }
    let joined = update
        .filter(users::Column::Id.eq(user.id))
        .filter(users::Column::JoinedAt.is_null())
        .filter(users::Column::Active.eq(true))
        .exec(&txn)
        .await?;
    // Two tabs submitting one link: only the first joins.
    if joined.rows_affected != 1 || !tokens::spend(&txn, token.id, now).await? {
        txn.rollback().await?;
        return Err(AcceptError::LinkNotValid);
    }
    tokens::spend_all(&txn, user.id, TokenPurpose::Invitation, now).await?;
    let way_in = match &with {
        JoinedWith::Password(_) => "password".to_string(),
        JoinedWith::Provider(provider, identity) => {
            if let Err(e) = links::new_link(user.id, provider, identity, Some(now)).insert(&txn).await {
                txn.rollback().await?;
                // The unique (provider, issuer, subject): somebody linked it at the same moment.
                return Err(if crate::error::is_unique_violation(&e) {
                    AcceptError::IdentityTaken { provider: provider.name.clone() }
                } else {
                    AcceptError::Failed(e.into())
                });
            }
            let name = provider.name.clone();
            crate::identity::events::record_for(&txn, crate::identity::events::LINKED, &user, Some(name.clone()))
                .await?;
            if let Some(site) = site {
                messages::security_notice(&txn, site, &user, messages::Notice::ProviderConnected(name.clone())).await?;
            }
            name
        }
    };
    let account = accounts::Entity::find_by_id(user.account_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let by =
        AuditActor { user_id: Some(user.id), account_id: Some(user.account_id), email: Some(user.email.clone()), ip };
    let changes = [Change::set("joined", now.format("%Y-%m-%d %H:%M UTC")), Change::set("way in", way_in)];
    audit::record(&txn, &by, Some(account.id), "invitation accepted", &target(&account, &user), &changes).await?;
    txn.commit().await?;
    Ok(users::Entity::find_by_id(user.id).one(db).await?.ok_or(AppError::NotFound)?)
}

/// Invitations nobody accepted whose link expired more than a day ago: their users are
/// removed (with their tokens), so the address is free again, and the audit log says so.
/// Returns how many. Every reference to a user either follows it or is set to none.
pub(crate) async fn delete_expired_invitations(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    let before = now - Duration::days(INVITATION_DAYS + 1);
    let expired = users::Entity::find()
        .filter(users::Column::JoinedAt.is_null())
        .filter(users::Column::CreatedAt.lt(before))
        .all(db)
        .await?;
    let mut removed = 0;
    for user in expired {
        let txn = db.begin().await?;
        let deleted = users::Entity::delete_many()
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::JoinedAt.is_null())
            .exec(&txn)
            .await?;
        if deleted.rows_affected == 1 {
            let by = AuditActor::system("invitation expired", None);
            let changes = [Change::new("invitation", &user.email, "(expired, removed)")];
            let target = format!("user {}", user.email);
            audit::record(&txn, &by, Some(user.account_id), "invitation removed", &target, &changes).await?;
            removed += 1;
        }
        txn.commit().await?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i32, role: UserRole, active: bool, joined: bool) -> users::Model {
        let now = Utc::now();
        users::Model {
            id,
            account_id: 5,
            email: format!("u{id}@example.com"),
            name: "U".into(),
            role,
            password_hash: None,
            locked_until: None,
            failed_logins: 0,
            last_login_at: None,
            password_changed_at: None,
            session_generation: 0,
            lockouts: 0,
            email_verified_at: None,
            active,
            joined_at: joined.then_some(now),
            invited_by: None,
            created_at: now,
            language: None,
            time_zone: None,
        }
    }

    fn account(id: i32, tier: AccountTier, parent_id: Option<i32>) -> accounts::Model {
        accounts::Model {
            id,
            tier,
            parent_id,
            code: "X".into(),
            name: "X".into(),
            currency: "CLP".into(),
            branding_enabled: false,
            csp_cutoff_day: 1,
            created_at: Utc::now(),
            legal_name: None,
            tax_id: None,
            country: "CL".into(),
            address: None,
            billing_email: None,
            status: crate::entities::enums::AccountStatus::Active,
        }
    }

    fn viewer(role: UserRole, account: accounts::Model) -> Viewer {
        Viewer { user: user(1, role, true, true), account }
    }

    #[test]
    fn only_customer_accounts_offer_a_choice_of_roles() {
        assert_eq!(roles_for(AccountTier::Customer), [UserRole::CustomerAdmin, UserRole::CustomerUser]);
        assert_eq!(roles_for(AccountTier::Reseller), [UserRole::ResellerAdmin]);
        assert_eq!(roles_for(AccountTier::Provider), [UserRole::ProviderAdmin]);
    }

    #[test]
    fn admins_manage_their_own_account_and_sellers_their_customers() {
        let contoso = account(5, AccountTier::Customer, Some(2));
        let fabrikam = account(6, AccountTier::Customer, Some(3));
        let andes = account(2, AccountTier::Reseller, Some(1));
        let provider = viewer(UserRole::ProviderAdmin, account(1, AccountTier::Provider, None));
        assert!(may_manage(&provider, &contoso) && may_manage(&provider, &andes));
        let reseller = viewer(UserRole::ResellerAdmin, andes.clone());
        assert!(may_manage(&reseller, &andes) && may_manage(&reseller, &contoso));
        assert!(!may_manage(&reseller, &fabrikam));
        let customer_admin = viewer(UserRole::CustomerAdmin, contoso.clone());
        assert!(may_manage(&customer_admin, &contoso));
        assert!(!may_manage(&customer_admin, &fabrikam));
        let customer_user = viewer(UserRole::CustomerUser, contoso.clone());
        assert!(!may_manage(&customer_user, &contoso));
    }

    #[test]
    fn an_account_always_keeps_an_active_admin() {
        assert!(!keeps_an_admin(1, true));
        assert!(keeps_an_admin(2, true));
        assert!(keeps_an_admin(1, false));
        let admin = user(2, UserRole::CustomerAdmin, true, true);
        let demote = check_role_change(1, &admin, AccountTier::Customer, UserRole::CustomerUser, 1);
        assert!(matches!(demote, Err(MemberError::LastAdmin)));
        assert!(check_role_change(1, &admin, AccountTier::Customer, UserRole::CustomerUser, 2).is_ok());
        // An invited admin who has not joined, or a deactivated one, is no admin to keep.
        assert!(!is_active_admin(&user(3, UserRole::CustomerAdmin, true, false), AccountTier::Customer));
        assert!(!is_active_admin(&user(3, UserRole::CustomerAdmin, false, true), AccountTier::Customer));
    }

    #[test]
    fn a_user_cannot_change_its_own_role_nor_take_a_role_of_another_tier() {
        let me = user(1, UserRole::CustomerUser, true, true);
        let raise = check_role_change(1, &me, AccountTier::Customer, UserRole::CustomerAdmin, 1);
        assert!(matches!(raise, Err(MemberError::OwnRole)));
        let other = user(2, UserRole::CustomerUser, true, true);
        let odd = check_role_change(1, &other, AccountTier::Customer, UserRole::ProviderAdmin, 1);
        assert!(matches!(odd, Err(MemberError::RoleNotOffered)));
        let odd = check_role_change(1, &other, AccountTier::Reseller, UserRole::CustomerAdmin, 1);
        assert!(matches!(odd, Err(MemberError::RoleNotOffered)));
    }

    #[test]
    fn an_invitation_is_checked_and_its_address_lowercased() {
        let form = InviteForm {
            name: " Beatriz Soto ".into(),
            email: "Bea@Contoso.Demo".into(),
            role: "customer_user".into(),
        };
        let new = check_invite(&form, AccountTier::Customer).unwrap();
        assert_eq!(
            (new.name.as_str(), new.email.as_str(), new.role),
            ("Beatriz Soto", "bea@contoso.demo", UserRole::CustomerUser)
        );
        let long = InviteForm { name: "x".repeat(201), ..form.clone() };
        assert!(matches!(check_invite(&long, AccountTier::Customer), Err(MemberError::Field("name", _))));
        let bad = InviteForm { email: "nope".into(), ..form.clone() };
        assert!(matches!(check_invite(&bad, AccountTier::Customer), Err(MemberError::Field("email", _))));
        assert!(matches!(check_invite(&form, AccountTier::Reseller), Err(MemberError::RoleNotOffered)));
    }
}
