//! `GET/POST /sign-up`: a new customer account on the storefront, while the provider
//! allows it; `POST /account/verify-email`: the confirmation link again.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::signup::{self, FieldError, SignUpForm, COUNTRIES};
use crate::accounts::MAX_NAME_CHARS;
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::identity::local::MAX_EMAIL_CHARS;
use crate::identity::oidc::{FlowStart, Joining, Purpose};
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::{session, settings};
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_errors};
use crate::ui::pages::oidc::{provider_buttons_labelled, redirect_to_provider, WaysIn};
use crate::ui::{page_with_status, PageCtx};

fn form_page(ctx: &PageCtx, status: StatusCode, ways: WaysIn, form: SignUpForm, errors: Vec<FieldError>) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("signup-title");
    page_with_status(status, ctx, &title, move || {
        let ctx = &ctx2;
        let messages = errors.iter().map(|(_, m)| crate::identity::field_message(ctx, m)).collect::<Vec<_>>();
        let invalid = |field: &str| errors.iter().any(|(f, _)| *f == field).then_some("true");
        let countries: Vec<_> = COUNTRIES
            .iter()
            .map(|(code, name)| {
                let selected = form.country == *code || (form.country.is_empty() && *code == "CL");
                let name = signup::country_message(code).map_or_else(|| name.to_string(), |id| ctx.t(id));
                view! { <option value=*code selected=selected>{name}</option> }
            })
            .collect();
        let max = MAX_NAME_CHARS.to_string();
        let has_providers = !ways.providers.is_empty();
        let with_provider = has_providers.then(|| {
            view! {
                <h2>{ctx.t("signup-you")}</h2>
                <p>{ctx.t("signup-with-provider-intro")}</p>
                {provider_buttons_labelled(ways.providers, |name| tr!(ctx, "signup-with-provider", provider = name))}
            }
        });
        let with_password = ways.password.then(|| {
            let heading = if has_providers { ctx.t("signup-or-with-password") } else { ctx.t("signup-you") };
            view! {
                <h2>{heading}</h2>
                <label>{ctx.t("signup-your-name")} <input name="name" value=form.name.clone() maxlength=max.clone() required aria-invalid=invalid("name") autocomplete="name"/></label>
                <label>{ctx.t("signup-your-email")} <input type="email" name="email" value=form.email.clone() maxlength=MAX_EMAIL_CHARS.to_string() required aria-invalid=invalid("email") autocomplete="username"/></label>
                <label>{ctx.t("signup-password")} <input type="password" name="password" maxlength=MAX_PASSWORD_CHARS.to_string() required aria-invalid=invalid("password") autocomplete="new-password"/></label>
                <label>{ctx.t("signup-password-again")} <input type="password" name="confirmation" maxlength=MAX_PASSWORD_CHARS.to_string() required autocomplete="new-password"/></label>
                <button type="submit">{ctx.t("signup-create")}</button>
            }
        });
        view! {
            {form_errors(messages)}
            <form class="stacked card" method="post" action="/sign-up">
                {csrf_field(&ctx2)}
                <h2>{ctx.t("signup-your-company")}</h2>
                <label>{ctx.t("signup-company-name")} <input name="company_name" value=form.company_name.clone() maxlength=max.clone() required aria-invalid=invalid("company_name") autocomplete="organization"/></label>
                <label>{ctx.t("signup-country")} <select name="country" aria-invalid=invalid("country")>{countries}</select></label>
                <label>{ctx.t("signup-tax-id")} <input name="tax_id" value=form.tax_id.clone() maxlength="40" required aria-invalid=invalid("tax_id")/></label>
                <label>{ctx.t("signup-billing-email")} <input type="email" name="billing_email" value=form.billing_email.clone() maxlength=MAX_EMAIL_CHARS.to_string() required aria-invalid=invalid("billing_email")/></label>
                {with_provider}
                {with_password}
            </form>
            <p>{ctx.t("signup-already")} " " <a href="/login">{ctx.t("signup-sign-in")}</a></p>
        }
    })
}

/// Sign-up is open, and there is a way to sign up (a password or a provider); else 404.
async fn open_or_404(state: &AppState) -> AppResult<WaysIn> {
    let rules = settings::load(&state.db).await?;
    if !rules.allow_sign_up {
        return Err(AppError::NotFound);
    }
    let ways = WaysIn::under(state, &rules).await?;
    if ways.password || !ways.providers.is_empty() {
        Ok(ways)
    } else {
        Err(AppError::NotFound)
    }
}

pub(crate) async fn show(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    let ways = open_or_404(&state).await?;
    if let Some(viewer) = &ctx.viewer {
        let message = tr!(ctx, "signup-signed-in-as", email = viewer.user.email.clone());
        let title = ctx.t("signup-title");
        return Ok(page_with_status(StatusCode::OK, &ctx, &title, move || view! { <p class="card">{message}</p> }));
    }
    Ok(form_page(&ctx, StatusCode::OK, ways, SignUpForm::default(), vec![]))
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<SignUpForm>,
) -> AppResult<Response> {
    let ways = open_or_404(&state).await?;
    if ctx.viewer.is_some() {
        return Err(AppError::bad_request(ctx.t("signup-signed-in")));
    }
    if !form.with.is_empty() {
        return sign_up_with_provider(&state, &ctx, &session, ways, form).await;
    }
    if !ways.password {
        return Err(AppError::bad_request(ctx.t("signup-password-off")));
    }
    state.sign_in_limiter.admit_said(ctx.device.address(), |wait| tr!(ctx, "signup-too-many", seconds = wait)).await?;
    let new = match signup::check(&form) {
        Ok(new) => new,
        Err(errors) => {
            let kept = SignUpForm { password: String::new(), confirmation: String::new(), ..form };
            return Ok(form_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, ways, kept, errors));
        }
    };
    let seller = signup::seller_for_brand(&state.db, ctx.brand.account_id).await?;
    // The work happens after the answer, which is the same whatever happens: nobody learns
    // from it (or from its timing) whether the address has an account.
    let worker = state.clone();
    let ip = ctx.device.ip_text();
    tokio::spawn(async move {
        match signup::sign_up(&worker.db, &worker.site(), &seller, new, &form.password, ip).await {
            Ok(_) => worker.mail_written(),
            Err(e) => tracing::warn!(error = %e, "a sign-up failed"),
        }
    });
    let title = ctx.t("signup-title");
    let message = ctx.t("signup-check-your-mail");
    Ok(page_with_status(StatusCode::OK, &ctx, &title, move || view! { <p class="card">{message}</p> }))
}

/// "Sign up with …": the company's fields are checked and kept in the session with the
/// seller of this host; the person comes back from the provider with their name and
/// e-mail, and the account is made then.
async fn sign_up_with_provider(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    ways: WaysIn,
    form: SignUpForm,
) -> AppResult<Response> {
    let provider = ways.chosen_for(state, ctx, &form.with).await?;
    let company = match signup::check_company(&form) {
        Ok(company) => company,
        Err(errors) => {
            let kept = SignUpForm { password: String::new(), confirmation: String::new(), ..form };
            return Ok(form_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, ways, kept, errors));
        }
    };
    state
        .flow_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "signup-too-many-started", seconds = wait))
        .await?;
    let seller = signup::seller_for_brand(&state.db, ctx.brand.account_id).await?;
    let start = FlowStart {
        joining: Some(Joining::SignUp { seller_id: seller.id, company }),
        ..FlowStart::new(Purpose::SignUp, None, "/account".into())
    };
    redirect_to_provider(state, ctx, session, &provider, start).await
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct ResendForm {
    /// The button's value: the form always sends it.
    #[allow(dead_code)]
    pub resend: String,
}

/// `POST /account/verify-email`: sends the confirmation link again (3 an hour).
pub(crate) async fn resend_verification(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(_form): Form<ResendForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let message = if viewer.user.email_verified_at.is_some() {
        ctx.t("signup-already-confirmed")
    } else if crate::identity::reset::resend_verification(&state.db, &state.site(), &viewer.user).await? {
        state.mail_written();
        ctx.t("signup-link-sent-again")
    } else {
        ctx.t("signup-links-this-hour")
    };
    session::set_flash(&session, message).await?;
    Ok(Redirect::to("/account").into_response())
}
