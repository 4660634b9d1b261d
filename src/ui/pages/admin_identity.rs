//! Admin: identity providers (list, add, edit, activate/deactivate) and the
//! authentication options ("Allow Local Login").

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::Viewer;
use crate::audit::AuditActor;
use crate::entities::enums::IdpKind;
use crate::entities::enums::SecondFactorRule;
use crate::entities::identity_providers;
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::identity::providers::{self, ProviderError, ProviderFields};
use crate::identity::session::set_flash;
use crate::identity::settings;
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, form_error, form_errors};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page_with_status, PageCtx};

fn callback_url(state: &AppState, provider_id: i32) -> String {
    format!("{}/auth/oidc/{provider_id}/callback", state.settings.base_url)
}

/// Who the audit log and the security events name for the admin's change.
fn actor(ctx: &PageCtx, viewer: &Viewer) -> AuditActor {
    AuditActor::of(viewer, ctx.device.ip_text())
}

/// A kind of identity provider (product names stay as they are).
fn kind_name(loc: &impl Localize, kind: IdpKind) -> String {
    match kind {
        IdpKind::Oidc => loc.t("admin-idp-kind-oidc"),
        other => other.label().to_string(),
    }
}

async fn list_page(state: &AppState, ctx: &PageCtx, status: StatusCode, error: Option<String>) -> AppResult<Response> {
    let rows = providers::list(&state.db).await?;
    let ctx2 = ctx.clone();
    let state2 = state.clone();
    let loc = ctx.locale;
    Ok(page_with_status(status, ctx, &ctx.t("admin-idp-title"), move || {
        let body: Vec<_> = rows
            .into_iter()
            .map(|p| {
                let edit = format!("/admin/identity-providers/{}", p.id);
                let (toggle_action, toggle_label) = if p.active {
                    (
                        format!("/admin/identity-providers/{}/deactivate", p.id),
                        tr!(loc, "admin-idp-deactivate-label", name = p.name.clone()),
                    )
                } else {
                    (
                        format!("/admin/identity-providers/{}/activate", p.id),
                        tr!(loc, "admin-idp-activate-label", name = p.name.clone()),
                    )
                };
                let button = if p.active { loc.t("admin-idp-deactivate") } else { loc.t("admin-idp-activate") };
                let logo = providers::logo_of(&p);
                let callback = callback_url(&state2, p.id);
                view! {
                    <tr>
                        <td><img src=logo alt="" width="20" height="20"/> " " <a href=edit>{p.name.clone()}</a></td>
                        <td>{kind_name(&loc, p.kind)}</td>
                        <td>{if p.active { loc.t("admin-idp-active") } else { loc.t("admin-idp-inactive") }} {(!p.visible).then(|| loc.t("admin-idp-hidden"))}</td>
                        <td>{if p.allow_automatic_registration { loc.t("admin-yes") } else { loc.t("admin-no") }}</td>
                        <td><code>{callback}</code></td>
                        <td>
                            <form class="inline" method="post" action=toggle_action>
                                {csrf_field(&ctx2)}
                                <button type="submit" class="secondary" aria-label=toggle_label>{button}</button>
                            </form>
                        </td>
                    </tr>
                }
            })
            .collect();
        let is_empty = body.is_empty();
        view! {
            {admin_nav(&ctx.locale)}
            {form_error(error)}
            <p><a class="button" href="/admin/identity-providers/new">{loc.t("admin-idp-add")}</a></p>
            {is_empty.then(|| empty(loc.t("admin-idp-empty")))}
            {(!is_empty).then(|| view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>{loc.t("admin-idp-provider")}</th><th>{loc.t("admin-idp-kind")}</th><th>{loc.t("admin-idp-state")}</th><th>{loc.t("admin-idp-automatic-registration")}</th><th>{loc.t("admin-idp-callback-url")}</th><th>{loc.t("admin-col-action")}</th></tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            })}
        }
    }))
}

pub(crate) async fn list(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    list_page(&state, &ctx, StatusCode::OK, None).await
}

/// The provider form's fields as posted (checkboxes are absent when unticked).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ProviderForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
    #[serde(default)]
    pub tenants: String,
    #[serde(default)]
    pub hosted_domain: String,
    #[serde(default)]
    pub logo: String,
    pub active: Option<String>,
    pub visible: Option<String>,
    pub allow_automatic_registration: Option<String>,
    pub trust_unverified_email: Option<String>,
}

impl ProviderForm {
    fn from_model(p: &identity_providers::Model) -> Self {
        ProviderForm {
            name: p.name.clone(),
            kind: p.kind.as_str().into(),
            issuer: p.issuer.clone(),
            client_id: p.client_id.clone(),
            client_secret: String::new(),
            tenants: providers::tenants_of(p).join("\n"),
            hosted_domain: p.hosted_domain.clone().unwrap_or_default(),
            // An uploaded logo is no address: the field stays empty, and empty keeps it.
            logo: p.logo.clone().filter(|l| !l.starts_with("data:")).unwrap_or_default(),
            active: p.active.then(|| "on".into()),
            visible: p.visible.then(|| "on".into()),
            allow_automatic_registration: p.allow_automatic_registration.then(|| "on".into()),
            trust_unverified_email: p.trust_unverified_email.then(|| "on".into()),
        }
    }

    fn fields(&self) -> ProviderFields {
        ProviderFields {
            name: self.name.clone(),
            kind: self.kind.clone(),
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            tenants: self.tenants.split([',', '\n', '\r', ' ']).map(str::to_string).collect(),
            hosted_domain: Some(self.hosted_domain.clone()),
            active: self.active.is_some(),
            visible: self.visible.is_some(),
            allow_automatic_registration: self.allow_automatic_registration.is_some(),
            trust_unverified_email: Some(self.trust_unverified_email.is_some()),
            logo: Some(self.logo.clone()),
        }
    }
}

struct FormPage {
    title: String,
    action: String,
    form: ProviderForm,
    secret_hint: Option<String>,
    callback: Option<String>,
    /// Where the logo upload form posts (editing only).
    logo_upload: Option<i32>,
    errors: Vec<String>,
}

fn form_page(ctx: &PageCtx, status: StatusCode, page: FormPage) -> Response {
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    let FormPage { title, action, form, secret_hint, callback, logo_upload, errors } = page;
    let upload = logo_upload.map(|id| {
        let action = format!(
            "/admin/identity-providers/{id}/logo?csrf_token={}",
            crate::error::encode_query_value(&ctx.csrf_token)
        );
        view! {
            <form class="stacked card" method="post" enctype="multipart/form-data" action=action>
                <label>{loc.t("admin-idp-upload-logo-label")}
                    <input type="file" name="logo" accept="image/png,image/jpeg,image/webp,image/svg+xml" required/></label>
                <button type="submit" class="secondary">{loc.t("admin-idp-upload-logo")}</button>
            </form>
        }
    });
    page_with_status(status, ctx, &title, move || {
        let kinds: Vec<_> = IdpKind::ALL
            .iter()
            .map(|k| {
                let selected = form.kind == k.as_str();
                view! { <option value=k.as_str() selected=selected>{kind_name(&loc, *k)}</option> }
            })
            .collect();
        let secret_placeholder =
            secret_hint.clone().map(|h| tr!(loc, "admin-stored-secret", stored = h)).unwrap_or_default();
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(errors)}
            {callback.map(|url| view! { <p>{loc.t("admin-idp-callback-register")} " " <code>{url}</code></p> })}
            <form class="stacked card" method="post" action=action>
                {csrf_field(&ctx2)}
                <label>{loc.t("admin-col-name")} " " <input name="name" value=form.name.clone() maxlength="100" required/></label>
                <label>{loc.t("admin-idp-kind")} " " <select name="kind">{kinds}</select></label>
                <label>{loc.t("admin-idp-issuer")}
                    <input name="issuer" value=form.issuer.clone() maxlength="500" placeholder="https://login.microsoftonline.com/<tenant id>/v2.0"/>
                </label>
                <p class="muted">{loc.t("admin-idp-issuer-hint")}</p>
                <label>{loc.t("admin-idp-client-id")} " " <input name="client_id" value=form.client_id.clone() maxlength="255" required/></label>
                <label>{loc.t("admin-idp-client-secret")}
                    <input type="password" name="client_secret" autocomplete="off" maxlength="1000" placeholder=secret_placeholder/>
                </label>
                <label>{loc.t("admin-idp-tenants")} " " {crate::ui::components::textarea("tenants", "3", &form.tenants)}</label>
                <label>{loc.t("admin-idp-hosted-domain")} " " <input name="hosted_domain" value=form.hosted_domain.clone() maxlength="255"/></label>
                <label>{loc.t("admin-idp-logo-url")} " " <input name="logo" value=form.logo.clone() maxlength="500"/></label>
                <label class="check"><input type="checkbox" name="active" checked=form.active.is_some()/> " " {loc.t("admin-idp-active-check")}</label>
                <label class="check"><input type="checkbox" name="visible" checked=form.visible.is_some()/> " " {loc.t("admin-idp-visible-check")}</label>
                <label class="check"><input type="checkbox" name="allow_automatic_registration" checked=form.allow_automatic_registration.is_some()/> " " {loc.t("admin-idp-auto-register-check")}</label>
                <label class="check"><input type="checkbox" name="trust_unverified_email" checked=form.trust_unverified_email.is_some()/> " " {loc.t("admin-idp-trust-unverified-check")}</label>
                <button type="submit">{loc.t("admin-save")}</button>
            </form>
            {upload}
        }
    })
}

pub(crate) async fn new_form(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    let form = ProviderForm { kind: "azure_ad".into(), visible: Some("on".into()), ..Default::default() };
    Ok(form_page(
        &ctx,
        StatusCode::OK,
        FormPage {
            title: ctx.t("admin-idp-add-title"),
            action: "/admin/identity-providers".into(),
            form,
            secret_hint: None,
            callback: None,
            logo_upload: None,
            errors: vec![],
        },
    ))
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let provider = providers::get(&state.db, id).await?;
    Ok(form_page(
        &ctx,
        StatusCode::OK,
        FormPage {
            title: tr!(ctx, "admin-idp-edit-title", name = provider.name.clone()),
            action: format!("/admin/identity-providers/{id}"),
            form: ProviderForm::from_model(&provider),
            secret_hint: Some(providers::masked_secret(&state.secrets, &provider)),
            callback: Some(callback_url(&state, id)),
            logo_upload: Some(id),
            errors: vec![],
        },
    ))
}

/// Creates (no id) or updates a provider; activation first checks discovery and the keys.
async fn save(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    id: Option<i32>,
    form: ProviderForm,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let existing = match id {
        Some(id) => Some(providers::get(&state.db, id).await?),
        None => None,
    };
    let refuse = |errors: Vec<String>, existing: &Option<identity_providers::Model>, form: ProviderForm| {
        form_page(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormPage {
                title: existing
                    .as_ref()
                    .map_or(ctx.t("admin-idp-add-title"), |p| tr!(ctx, "admin-idp-edit-title", name = p.name.clone())),
                action: id.map_or("/admin/identity-providers".into(), |id| format!("/admin/identity-providers/{id}")),
                secret_hint: existing.as_ref().map(|p| providers::masked_secret(&state.secrets, p)),
                callback: id.map(|id| callback_url(state, id)),
                logo_upload: id,
                form: ProviderForm { client_secret: String::new(), ..form },
                errors,
            },
        )
    };
    let mut settings = match providers::check_in(&form.fields(), existing.is_none(), ctx) {
        Ok(settings) => settings,
        Err(errors) => return Ok(refuse(errors, &existing, form)),
    };
    if settings.logo.is_none() {
        settings.logo = existing.as_ref().and_then(|p| p.logo.clone()).filter(|l| l.starts_with("data:"));
    }
    let name = settings.name.clone();
    let (by, http) = (actor(ctx, viewer), state.oidc_cache.http());
    match providers::save_checked(&state.db, &by, http, &state.secrets, existing.clone(), settings).await {
        Ok(_) => {
            let said = if existing.is_some() {
                tr!(ctx, "admin-idp-updated", name = name)
            } else {
                tr!(ctx, "admin-idp-added", name = name)
            };
            set_flash(session, said).await?;
            Ok(Redirect::to("/admin/identity-providers").into_response())
        }
        Err(ProviderError::Failed(error)) => Err(error),
        Err(refused) => Ok(refuse(vec![refused.localized(ctx)], &existing, form)),
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<ProviderForm>,
) -> AppResult<Response> {
    save(&state, &ctx, &session, None, form).await
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<ProviderForm>,
) -> AppResult<Response> {
    save(&state, &ctx, &session, Some(id), form).await
}

pub(crate) async fn activate(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let provider = providers::get(&state.db, id).await?;
    let name = provider.name.clone();
    match providers::activate(&state.db, &actor(&ctx, viewer), state.oidc_cache.http(), &provider).await {
        Ok(()) => {}
        Err(ProviderError::NotActivated(reason)) => {
            let message = tr!(ctx, "admin-idp-not-activated", name = name.clone(), reason = reason);
            return list_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
        }
        Err(error) => return Err(error.into()),
    }
    set_flash(&session, tr!(ctx, "admin-idp-now-active", name = name)).await?;
    Ok(Redirect::to("/admin/identity-providers").into_response())
}

pub(crate) async fn deactivate(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let provider = providers::get(&state.db, id).await?;
    let rules = settings::load(&state.db).await?;
    if !rules.allow_local_login && provider.active && providers::count_active(&state.db).await? <= 1 {
        let message = tr!(ctx, "admin-idp-last-active", name = provider.name.clone());
        return list_page(&state, &ctx, StatusCode::CONFLICT, Some(message)).await;
    }
    let name = provider.name.clone();
    providers::set_active(&state.db, &actor(&ctx, viewer), &provider, false).await?;
    set_flash(&session, tr!(ctx, "admin-idp-now-inactive", name = name)).await?;
    Ok(Redirect::to("/admin/identity-providers").into_response())
}

async fn authentication_page(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<Response> {
    let rules = settings::load(&state.db).await?;
    let active = providers::count_active(&state.db).await?;
    let campaign = super::invitations::load(state, ctx).await?;
    let without = if rules.allow_local_login && active > 0 {
        settings::users_without_external_login(&state.db).await?
    } else {
        vec![]
    };
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    Ok(page_with_status(status, ctx, &ctx.t("admin-auth-title"), move || {
        let body = if !rules.allow_local_login {
            view! {
                <p>{loc.t("admin-auth-local-off")}</p>
                <form method="post" action="/admin/authentication" class="stacked card">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="allow_local_login" value="on"/>
                    <button type="submit">{loc.t("admin-auth-turn-on")}</button>
                </form>
            }
            .into_any()
        } else if active == 0 {
            view! {
                <p>{loc.t("admin-auth-local-on")}</p>
                <p class="muted">{loc.t("admin-auth-needs-provider")} " "
                    <a href="/admin/identity-providers">{loc.t("admin-auth-activate-one")}</a></p>
            }
            .into_any()
        } else {
            let count = without.len();
            let items: Vec<_> =
                without.iter().map(|u| view! { <li>{format!("{} ({})", u.name, u.email)}</li> }).collect();
            let warning = if count == 0 {
                loc.t("admin-auth-everyone-linked")
            } else {
                tr!(loc, "admin-auth-users-without-link", count = count)
            };
            view! {
                <p>{loc.t("admin-auth-local-on")}</p>
                <p class="users-without-link">{warning}</p>
                {(count > 0).then(|| view! { <ul class="users-without-link-list">{items}</ul> })}
                <form method="post" action="/admin/authentication" class="stacked card">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="allow_local_login" value="off"/>
                    <label class="check"><input type="checkbox" name="confirm" value="yes" required/>
                        " " {tr!(loc, "admin-auth-understand", count = count)}</label>
                    <button type="submit" class="danger">{loc.t("admin-auth-turn-off")}</button>
                </form>
            }
            .into_any()
        };
        view! {
            {admin_nav(&ctx.locale)}
            {form_error(error)}
            <section class="panel">{body}</section>
            <section class="panel" id="sign-up">
                <h2>{loc.t("admin-auth-sign-up")}</h2>
                <form method="post" action="/admin/authentication/sign-up" class="stacked">
                    {csrf_field(&ctx2)}
                    <label>{loc.t("admin-auth-allow-sign-up")}
                        <select name="allow_sign_up">
                            <option value="on" selected=rules.allow_sign_up>{loc.t("admin-on")}</option>
                            <option value="off" selected=!rules.allow_sign_up>{loc.t("admin-off")}</option>
                        </select></label>
                    <label>{loc.t("admin-auth-needs-approval")}
                        <select name="needs_approval">
                            <option value="on" selected=rules.sign_up_needs_approval>{loc.t("admin-yes")}</option>
                            <option value="off" selected=!rules.sign_up_needs_approval>{loc.t("admin-no")}</option>
                        </select></label>
                    <button type="submit">{loc.t("admin-auth-save-sign-up")}</button>
                </form>
            </section>
            {second_factor_section(&ctx2, rules.require_second_factor)}
            {(active > 0).then(|| super::invitations::section(&ctx2, campaign))}
            <p class="muted">{loc.t("admin-auth-shell-before")} " " <code>"stratus auth allow-local-login on"</code> " " {loc.t("admin-auth-shell-after")}</p>
        }
    }))
}

pub(crate) async fn authentication(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    authentication_page(&state, &ctx, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct AuthenticationForm {
    pub allow_local_login: String,
    pub confirm: Option<String>,
}

pub(crate) async fn save_authentication(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<AuthenticationForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let allow = match form.allow_local_login.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return authentication_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(ctx.t("admin-auth-choose-on-off")),
            )
            .await
        }
    };
    if !allow {
        if providers::count_active(&state.db).await? == 0 {
            let message = ctx.t("admin-auth-activate-first");
            return authentication_page(&state, &ctx, StatusCode::CONFLICT, Some(message)).await;
        }
        if form.confirm.as_deref() != Some("yes") {
            let message = ctx.t("admin-auth-tick-to-turn-off");
            return authentication_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
        }
    }
    settings::set_allow_local_login(&state.db, &actor(&ctx, viewer), allow).await?;
    set_flash(&session, if allow { ctx.t("admin-auth-password-on") } else { ctx.t("admin-auth-password-off") }).await?;
    Ok(Redirect::to("/admin/authentication").into_response())
}

/// Admin → Authentication options → "Require a second factor".
fn second_factor_section(ctx: &PageCtx, rule: SecondFactorRule) -> impl IntoView {
    let loc = ctx.locale;
    let option = |value: SecondFactorRule, label: String| {
        view! { <option value=value.as_str() selected=rule == value>{label}</option> }
    };
    view! {
        <section class="panel" id="second-factor">
            <h2>{loc.t("admin-auth-second-factor")}</h2>
            <form method="post" action="/admin/authentication/second-factor" class="stacked">
                {csrf_field(ctx)}
                <label>{loc.t("admin-auth-require-second-factor")}
                    <select name="require_second_factor">
                        {option(SecondFactorRule::Off, loc.t(msg!("admin-auth-second-factor-off")))}
                        {option(SecondFactorRule::Administrators, loc.t(msg!("admin-auth-second-factor-admins")))}
                        {option(SecondFactorRule::Everyone, loc.t(msg!("admin-auth-second-factor-everyone")))}
                    </select></label>
                <button type="submit">{loc.t("admin-auth-save-second-factor")}</button>
            </form>
            <p class="muted">{loc.t("admin-auth-second-factor-note")}</p>
        </section>
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SecondFactorForm {
    #[serde(default)]
    pub require_second_factor: String,
}

/// `POST /admin/authentication/second-factor`.
pub(crate) async fn save_second_factor(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<SecondFactorForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let rule = match form.require_second_factor.as_str() {
        "off" => SecondFactorRule::Off,
        "administrators" => SecondFactorRule::Administrators,
        "everyone" => SecondFactorRule::Everyone,
        _ => {
            let message = ctx.t("admin-auth-choose-second-factor");
            return authentication_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
        }
    };
    settings::set_second_factor_rule(&state.db, &actor(&ctx, viewer), rule).await?;
    let message = ctx.t(match rule {
        SecondFactorRule::Off => msg!("admin-auth-second-factor-not-required"),
        SecondFactorRule::Administrators => msg!("admin-auth-second-factor-admins-set"),
        SecondFactorRule::Everyone => msg!("admin-auth-second-factor-everyone-set"),
    });
    set_flash(&session, message).await?;
    Ok(Redirect::to("/admin/authentication#second-factor").into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignUpSettingsForm {
    pub allow_sign_up: Option<String>,
    pub needs_approval: Option<String>,
}

/// `POST /admin/authentication/sign-up`.
pub(crate) async fn save_sign_up(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<SignUpSettingsForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let on_off = |value: Option<&str>| match value {
        Some("on") => Some(true),
        Some("off") => Some(false),
        _ => None,
    };
    let (Some(allow), Some(approval)) = (on_off(form.allow_sign_up.as_deref()), on_off(form.needs_approval.as_deref()))
    else {
        let message = ctx.t("admin-auth-choose-sign-up");
        return authentication_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
    };
    settings::set_sign_up(&state.db, &actor(&ctx, viewer), allow, approval).await?;
    set_flash(&session, if allow { ctx.t("admin-auth-sign-up-open") } else { ctx.t("admin-auth-sign-up-closed") })
        .await?;
    Ok(Redirect::to("/admin/authentication#sign-up").into_response())
}

/// `POST /admin/identity-providers/{id}/logo` (multipart): stores a checked image as the logo.
pub(crate) async fn upload_logo(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let provider = providers::get(&state.db, id).await?;
    let unreadable = || AppError::bad_request(ctx.t("admin-upload-unreadable"));
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("logo") {
            let content_type = field.content_type().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| unreadable())?;
            upload = Some((content_type, bytes));
        }
    }
    let (content_type, bytes) = upload.ok_or_else(|| AppError::bad_request(ctx.t("admin-idp-choose-image")))?;
    match providers::uploaded_logo(&content_type, &bytes) {
        Ok(logo) => {
            providers::set_logo(&state.db, &actor(&ctx, viewer), &provider, logo).await?;
            set_flash(&session, tr!(ctx, "admin-idp-logo-updated", name = provider.name.clone())).await?;
            Ok(Redirect::to(&format!("/admin/identity-providers/{id}")).into_response())
        }
        Err(message) => Ok(crate::ui::pages::errors::error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &message)),
    }
}
