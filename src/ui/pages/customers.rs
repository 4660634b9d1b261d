//! A seller's customer accounts: `GET/POST /reseller/customers/new` (create),
//! `GET/POST /reseller/customers/{code}` (edit), and the status, approve and reject
//! actions. The rules are in `accounts::customers`; these handlers read and answer.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::customers::{self, CustomerError, CustomerForm, CURRENCIES};
use crate::accounts::signup::{FieldError, COUNTRIES};
use crate::accounts::MAX_NAME_CHARS;
use crate::entities::accounts;
use crate::entities::enums::AccountStatus;
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::identity::local::MAX_EMAIL_CHARS;
use crate::identity::session::set_flash;
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_errors};
use crate::ui::{page_with_status, PageCtx};

/// What an account form shows: where it posts, whether the code may be chosen (only when
/// creating) and whether the CSP cut-off day is asked (customers only).
pub(crate) struct FormShape {
    pub action: String,
    pub new: bool,
    pub cutoff: bool,
    /// The submit button's words, in the viewer's language.
    pub button: String,
}

/// The account details form (customers and resellers), with each refused field marked.
/// `id` names the form, so fields outside it (a reseller's first admin) belong to it.
pub(crate) fn account_form(
    ctx: &PageCtx,
    shape: FormShape,
    form: CustomerForm,
    errors: &[FieldError],
    id: Option<&'static str>,
) -> AnyView {
    let button = shape.button.clone();
    let invalid = |field: &str| errors.iter().any(|(f, _)| *f == field).then_some("true");
    let countries: Vec<_> = COUNTRIES
        .iter()
        .map(|(code, name)| view! { <option value=*code selected=form.country == *code>{*name}</option> })
        .collect();
    let currencies: Vec<_> =
        CURRENCIES.iter().map(|c| view! { <option value=*c selected=form.currency == *c>{*c}</option> }).collect();
    let max = MAX_NAME_CHARS.to_string();
    let code = if shape.new {
        view! { <label>{ctx.t("customers-field-code")} <input name="code" value=form.code.clone() maxlength="20" required aria-invalid=invalid("code")/></label> }.into_any()
    } else {
        view! { <p>{ctx.t("customers-code")} " " <strong>{form.code.clone()}</strong></p> }.into_any()
    };
    let cutoff = shape.cutoff.then(|| {
        view! { <label>{ctx.t("customers-field-cutoff")} <input type="number" name="csp_cutoff_day" min="1" max="28" value=form.csp_cutoff_day.clone() required aria-invalid=invalid("csp_cutoff_day")/></label> }
    });
    view! {
        <form class="stacked card" method="post" action=shape.action id=id>
            {csrf_field(ctx)}
            {code}
            <label>{ctx.t("customers-field-name")} <input name="name" value=form.name.clone() maxlength=max.clone() required aria-invalid=invalid("name")/></label>
            <label>{ctx.t("customers-field-legal-name")} <input name="legal_name" value=form.legal_name.clone() maxlength=max required aria-invalid=invalid("legal_name")/></label>
            <label>{ctx.t("customers-field-country")} <select name="country" aria-invalid=invalid("country")>{countries}</select></label>
            <label>{ctx.t("customers-field-tax-id")} <input name="tax_id" value=form.tax_id.clone() maxlength="40" required aria-invalid=invalid("tax_id")/></label>
            <label>{ctx.t("customers-field-address")} <textarea name="address" maxlength="300" aria-invalid=invalid("address")>{form.address.clone()}</textarea></label>
            <label>{ctx.t("customers-field-billing-email")} <input type="email" name="billing_email" value=form.billing_email.clone() maxlength=MAX_EMAIL_CHARS.to_string() required aria-invalid=invalid("billing_email")/></label>
            <label>{ctx.t("customers-field-currency")} <select name="currency" aria-invalid=invalid("currency")>{currencies}</select></label>
            {cutoff}
            <button type="submit">{button}</button>
        </form>
    }
    .into_any()
}

/// The messages of refused fields, each naming its field.
pub(crate) fn messages(errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|(field, m)| format!("{}: {m}", field.replace('_', " "))).collect()
}

/// [`messages`], each field named in `loc`'s language.
pub(crate) fn messages_in(loc: &impl Localize, errors: &[FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|(field, m)| {
            let name = match *field {
                "code" => loc.t(msg!("customers-name-code")),
                "name" => loc.t(msg!("customers-name-name")),
                "legal_name" => loc.t(msg!("customers-name-legal-name")),
                "country" => loc.t(msg!("customers-name-country")),
                "tax_id" => loc.t(msg!("customers-name-tax-id")),
                "address" => loc.t(msg!("customers-name-address")),
                "billing_email" => loc.t(msg!("customers-name-billing-email")),
                "currency" => loc.t(msg!("customers-name-currency")),
                "csp_cutoff_day" => loc.t(msg!("customers-name-cutoff")),
                "confirm" => loc.t(msg!("customers-name-confirm")),
                other => other.replace('_', " "),
            };
            tr!(loc, "customers-field-message", field = name, message = m.as_str())
        })
        .collect()
}

fn new_page(ctx: &PageCtx, status: StatusCode, form: CustomerForm, errors: Vec<FieldError>) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("customers-new-title");
    let button = ctx.t("customers-create");
    let back = ctx.t("customers-back");
    page_with_status(status, ctx, &title, move || {
        let shape = FormShape { action: "/reseller/customers/new".into(), new: true, cutoff: true, button };
        view! {
            {form_errors(messages_in(&ctx2, &errors))}
            {account_form(&ctx2, shape, form, &errors, None)}
            <p><a href="/reseller">{back}</a></p>
        }
    })
}

pub(crate) async fn new_form(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let form = CustomerForm {
        country: viewer.account.country.clone(),
        currency: viewer.account.currency.clone(),
        csp_cutoff_day: "1".into(),
        ..Default::default()
    };
    Ok(new_page(&ctx, StatusCode::OK, form, vec![]))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<CustomerForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let fields = match customers::check_in(&form, &ctx) {
        Ok(fields) => fields,
        Err(errors) => return Ok(new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors)),
    };
    match customers::create(&state.db, viewer, ctx.device.ip_text(), fields).await {
        Err(CustomerError::Failed(e)) => Err(e),
        Err(refused) => {
            let errors = vec![(refused.field().unwrap_or("code"), refused.localized(&ctx))];
            Ok(new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors))
        }
        Ok(account) => {
            let said = tr!(ctx, "customers-created", name = account.name.as_str(), code = account.code.as_str());
            set_flash(&session, &said).await?;
            Ok(Redirect::to(&format!("/reseller/customers/{}", account.code)).into_response())
        }
    }
}

/// The Status panel of an account's edit page: what its status means, and the button
/// that posts the other status to `action` (none while the account waits for approval).
pub(crate) fn status_panel(
    ctx: &PageCtx,
    action: String,
    says: impl IntoView + 'static,
    change: Option<(&'static str, impl IntoView + 'static)>,
) -> impl IntoView {
    let form = change.map(|(value, button)| {
        view! {
            <form method="post" action=action>
                {csrf_field(ctx)}
                <input type="hidden" name="status" value=value/>
                <button type="submit" class="secondary">{button}</button>
            </form>
        }
    });
    view! { <section class="panel"><h2>{ctx.t("customers-status-heading")}</h2><p>{says}</p>{form}</section> }
}

/// What a customer's status means to its seller.
fn customer_status(ctx: &PageCtx, account: &accounts::Model) -> impl IntoView {
    let (says, change) = match account.status {
        AccountStatus::Suspended => {
            (ctx.t("customers-status-suspended"), Some(("active", ctx.t("customers-reactivate"))))
        }
        AccountStatus::PendingApproval => (ctx.t("customers-status-pending"), None),
        AccountStatus::Active => (ctx.t("customers-status-active"), Some(("suspended", ctx.t("customers-suspend")))),
    };
    status_panel(ctx, format!("/reseller/customers/{}/status", account.code), says, change)
}

fn edit_page(
    ctx: &PageCtx,
    status: StatusCode,
    account: accounts::Model,
    form: CustomerForm,
    errors: Vec<FieldError>,
) -> Response {
    let ctx2 = ctx.clone();
    let title = tr!(ctx, "customers-edit-title", name = account.name.as_str());
    let button = ctx.t("customers-save");
    let (account_page, users_link, customers_link, details) = (
        ctx.t("customers-account-page"),
        ctx.t("customers-users"),
        ctx.t("customers-customers"),
        ctx.t("customers-details"),
    );
    page_with_status(status, ctx, &title, move || {
        let shape =
            FormShape { action: format!("/reseller/customers/{}", account.code), new: false, cutoff: true, button };
        let users = format!("/accounts/{}/users", account.code);
        let page = format!("/accounts/{}", account.code);
        view! {
            {form_errors(messages_in(&ctx2, &errors))}
            <p><a href=page>{account_page}</a> " · " <a href=users>{users_link}</a> " · " <a href="/reseller">{customers_link}</a></p>
            {customer_status(&ctx2, &account)}
            <section class="panel"><h2>{details}</h2>{account_form(&ctx2, shape, form, &errors, None)}</section>
        }
    })
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let account = customers::find(&state.db, viewer, &code).await?;
    let form = CustomerForm::of(&account);
    Ok(edit_page(&ctx, StatusCode::OK, account, form, vec![]))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<CustomerForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let account = customers::find(&state.db, viewer, &code).await?;
    // The code is not edited: it names the account in links and invoice numbers.
    let form = CustomerForm { code: account.code.clone(), ..form };
    let fields = match customers::check_in(&form, &ctx) {
        Ok(fields) => fields,
        Err(errors) => return Ok(edit_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, account, form, errors)),
    };
    let account = customers::update(&state.db, viewer, ctx.device.ip_text(), &code, fields).await?;
    set_flash(&session, &tr!(ctx, "customers-saved", name = account.name.as_str())).await?;
    Ok(Redirect::to(&format!("/reseller/customers/{}", account.code)).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct StatusForm {
    /// "suspended" or "active" (anything else, or nothing, is a 422 once the viewer is known).
    #[serde(default)]
    pub status: String,
}

/// `POST /reseller/customers/{code}/status`: suspend or reactivate.
pub(crate) async fn set_status(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let suspend = parse_status_in(&ctx, &form.status)?;
    let account = customers::set_status(&state.db, viewer, ctx.device.ip_text(), &code, suspend)
        .await
        .map_err(|refused| refused.into_app_error(&ctx))?;
    let said = if suspend {
        tr!(ctx, "customers-suspended", name = account.name.as_str())
    } else {
        tr!(ctx, "customers-active-again", name = account.name.as_str())
    };
    set_flash(&session, &said).await?;
    Ok(Redirect::to(&format!("/reseller/customers/{}", account.code)).into_response())
}

/// "suspended" → true, "active" → false, anything else a 422.
pub(crate) fn parse_status(text: &str) -> AppResult<bool> {
    match text {
        "suspended" => Ok(true),
        "active" => Ok(false),
        _ => Err(AppError::Unprocessable("Choose suspended or active.".into())),
    }
}

/// [`parse_status`], refusing in `loc`'s language.
pub(crate) fn parse_status_in(loc: &impl Localize, text: &str) -> AppResult<bool> {
    parse_status(text).map_err(|_| AppError::Unprocessable(loc.t("customers-choose-status")))
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct ApproveForm {
    /// The button's value: the form always sends it.
    #[allow(dead_code)]
    pub approve: String,
}

/// `POST /reseller/customers/{code}/approve`.
pub(crate) async fn approve(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(_form): Form<ApproveForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let account = customers::approve(&state.db, &state.site(), viewer, ctx.device.ip_text(), &code)
        .await
        .map_err(|refused| refused.into_app_error(&ctx))?;
    state.mail_written();
    set_flash(&session, &tr!(ctx, "customers-approved", name = account.name.as_str())).await?;
    Ok(Redirect::to("/reseller").into_response())
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct RejectForm {
    /// The button's value: the form always sends it.
    #[allow(dead_code)]
    pub reject: String,
    #[serde(default)]
    pub confirm: Option<String>,
}

/// `POST /reseller/customers/{code}/reject`: deletes the account and its users.
pub(crate) async fn reject(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<RejectForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let confirmed = form.confirm.is_some_and(|c| c == "on" || c == "yes");
    let account = customers::reject(&state.db, viewer, ctx.device.ip_text(), &code, confirmed)
        .await
        .map_err(|refused| refused.into_app_error(&ctx))?;
    set_flash(&session, &tr!(ctx, "customers-rejected", name = account.name.as_str())).await?;
    Ok(Redirect::to("/reseller").into_response())
}
