//! My Account: profile, password, Login Options (placeholder), subscriptions, invoices.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::accounts::{check_name, Viewer, MAX_NAME_CHARS};
use crate::billing::store as billing_store;
use crate::error::AppResult;
use crate::identity::local;
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::session::set_flash;
use crate::pagination::PageQuery;
use crate::server::AppState;
use crate::subscriptions::store as subscriptions_store;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::pages::accounts::{invoices_table, subscriptions_table};
use crate::ui::{page_with_status, PageCtx};

#[derive(Default)]
struct FormErrors {
    profile: Option<String>,
    password: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    viewer: &Viewer,
    status: StatusCode,
    errors: FormErrors,
    page_query: PageQuery,
) -> AppResult<Response> {
    let scope = AccountScope::of(viewer);
    let subscriptions = subscriptions_store::subscriptions_of(&state.db, scope, viewer.account.id).await?;
    let invoices = billing_store::invoices_of(&state.db, scope, viewer.account.id, page_query).await?;
    let user = viewer.user.clone();
    let account = viewer.account.clone();
    let has_password = user.password_hash.is_some();
    let ctx2 = ctx.clone();
    Ok(page_with_status(status, ctx, "My Account", move || {
        view! {
            <section class="panel" id="profile">
                <h2>"Profile"</h2>
                <dl class="facts">
                    <dt>"E-mail"</dt><dd>{user.email.clone()}</dd>
                    <dt>"Account"</dt><dd>{account.name.clone()}</dd>
                    <dt>"Role"</dt><dd>{user.role.label()}</dd>
                </dl>
                {form_error(errors.profile)}
                <form class="stacked" method="post" action="/account/profile">
                    {csrf_field(&ctx2)}
                    <label>"Name" <input name="name" value=user.name.clone() maxlength=MAX_NAME_CHARS.to_string() required autocomplete="name"/></label>
                    <button type="submit">"Save profile"</button>
                </form>
            </section>
            <section class="panel" id="password">
                <h2>"Password"</h2>
                {form_error(errors.password)}
                <form class="stacked" method="post" action="/account/password">
                    {csrf_field(&ctx2)}
                    {has_password.then(|| view! {
                        <label>"Current password" <input type="password" name="current_password" autocomplete="current-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                    })}
                    <label>"New password" <input type="password" name="new_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                    <label>"Repeat the new password" <input type="password" name="confirm_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                    <button type="submit">"Change password"</button>
                </form>
            </section>
            <section class="panel" id="login-options">
                <h2>"Login Options"</h2>
                <p class="muted">"You sign in with your e-mail and password. When your provider connects Microsoft or Google sign-in, you can link them here."</p>
            </section>
            <section class="panel" id="subscriptions">
                <h2>"Subscriptions"</h2>
                {subscriptions_table(subscriptions)}
            </section>
            <section class="panel" id="invoices">
                <h2>"Invoices"</h2>
                {invoices_table(&invoices, "/account")}
            </section>
        }
    }))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    render(&state, &ctx, viewer, StatusCode::OK, FormErrors::default(), page_query).await
}

#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    pub name: String,
}

pub async fn save_profile(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    match check_name(&form.name) {
        Ok(name) => {
            accounts_store::rename_user(&state.db, &viewer.user, name).await?;
            set_flash(&session, "Profile saved.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(message) => {
            let errors = FormErrors { profile: Some(message), ..Default::default() };
            render(&state, &ctx, viewer, StatusCode::UNPROCESSABLE_ENTITY, errors, PageQuery::default()).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    match local::change_password(
        &state.db,
        &viewer.user,
        &form.current_password,
        &form.new_password,
        &form.confirm_password,
    )
    .await?
    {
        Ok(()) => {
            set_flash(&session, "Your password was changed.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(message) => {
            let errors = FormErrors { password: Some(message), ..Default::default() };
            render(&state, &ctx, viewer, StatusCode::UNPROCESSABLE_ENTITY, errors, PageQuery::default()).await
        }
    }
}
