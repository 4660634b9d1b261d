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
    pub button: &'static str,
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
    let invalid = |field: &str| errors.iter().any(|(f, _)| *f == field).then_some("true");
    let countries: Vec<_> = COUNTRIES
        .iter()
        .map(|(code, name)| view! { <option value=*code selected=form.country == *code>{*name}</option> })
        .collect();
    let currencies: Vec<_> =
        CURRENCIES.iter().map(|c| view! { <option value=*c selected=form.currency == *c>{*c}</option> }).collect();
    let max = MAX_NAME_CHARS.to_string();
    let code = if shape.new {
        view! { <label>"Code (A–Z, 0–9 and -, 2 to 20)" <input name="code" value=form.code.clone() maxlength="20" required aria-invalid=invalid("code")/></label> }.into_any()
    } else {
        view! { <p>"Code: " <strong>{form.code.clone()}</strong></p> }.into_any()
    };
    let cutoff = shape.cutoff.then(|| {
        view! { <label>"CSP cut-off day (1–28)" <input type="number" name="csp_cutoff_day" min="1" max="28" value=form.csp_cutoff_day.clone() required aria-invalid=invalid("csp_cutoff_day")/></label> }
    });
    view! {
        <form class="stacked card" method="post" action=shape.action id=id>
            {csrf_field(ctx)}
            {code}
            <label>"Display name" <input name="name" value=form.name.clone() maxlength=max.clone() required aria-invalid=invalid("name")/></label>
            <label>"Legal name" <input name="legal_name" value=form.legal_name.clone() maxlength=max required aria-invalid=invalid("legal_name")/></label>
            <label>"Country" <select name="country" aria-invalid=invalid("country")>{countries}</select></label>
            <label>"Tax id (RUT in Chile)" <input name="tax_id" value=form.tax_id.clone() maxlength="40" required aria-invalid=invalid("tax_id")/></label>
            <label>"Address" <textarea name="address" maxlength="300" aria-invalid=invalid("address")>{form.address.clone()}</textarea></label>
            <label>"Billing e-mail" <input type="email" name="billing_email" value=form.billing_email.clone() maxlength=MAX_EMAIL_CHARS.to_string() required aria-invalid=invalid("billing_email")/></label>
            <label>"Currency" <select name="currency" aria-invalid=invalid("currency")>{currencies}</select></label>
            {cutoff}
            <button type="submit">{shape.button}</button>
        </form>
    }
    .into_any()
}

/// The messages of refused fields, each naming its field.
pub(crate) fn messages(errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|(field, m)| format!("{}: {m}", field.replace('_', " "))).collect()
}

fn new_page(ctx: &PageCtx, status: StatusCode, form: CustomerForm, errors: Vec<FieldError>) -> Response {
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, "New customer", move || {
        let shape = FormShape {
            action: "/reseller/customers/new".into(),
            new: true,
            cutoff: true,
            button: "Create the customer",
        };
        view! {
            {form_errors(messages(&errors))}
            {account_form(&ctx2, shape, form, &errors, None)}
            <p><a href="/reseller">"Back to Customers"</a></p>
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
    let fields = match customers::check(&form) {
        Ok(fields) => fields,
        Err(errors) => return Ok(new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors)),
    };
    match customers::create(&state.db, viewer, ctx.device.ip_text(), fields).await {
        Err(CustomerError::Failed(e)) => Err(e),
        Err(refused) => {
            let errors = vec![(refused.field().unwrap_or("code"), refused.to_string())];
            Ok(new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors))
        }
        Ok(account) => {
            set_flash(&session, &format!("Customer {} ({}) created.", account.name, account.code)).await?;
            Ok(Redirect::to(&format!("/reseller/customers/{}", account.code)).into_response())
        }
    }
}

/// The Status panel of an account's edit page: what its status means, and the button
/// that posts the other status to `action` (none while the account waits for approval).
pub(crate) fn status_panel(
    ctx: &PageCtx,
    action: String,
    says: &'static str,
    change: Option<(&'static str, &'static str)>,
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
    view! { <section class="panel"><h2>"Status"</h2><p>{says}</p>{form}</section> }
}

/// What a customer's status means to its seller.
fn customer_status(ctx: &PageCtx, account: &accounts::Model) -> impl IntoView {
    let (says, change) = match account.status {
        AccountStatus::Suspended => (
            "This account is suspended: its users cannot sign in or buy. Its subscriptions are untouched.",
            Some(("active", "Reactivate the account")),
        ),
        AccountStatus::PendingApproval => ("This account signed up and waits for your approval (see Customers).", None),
        AccountStatus::Active => (
            "This account is active. Suspending it signs its users out and stops their purchases; its subscriptions continue.",
            Some(("suspended", "Suspend the account")),
        ),
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
    let title = format!("Customer {}", account.name);
    page_with_status(status, ctx, &title, move || {
        let shape = FormShape {
            action: format!("/reseller/customers/{}", account.code),
            new: false,
            cutoff: true,
            button: "Save",
        };
        let users = format!("/accounts/{}/users", account.code);
        let page = format!("/accounts/{}", account.code);
        view! {
            {form_errors(messages(&errors))}
            <p><a href=page>"Account page"</a> " · " <a href=users>"Users"</a> " · " <a href="/reseller">"Customers"</a></p>
            {customer_status(&ctx2, &account)}
            <section class="panel"><h2>"Details"</h2>{account_form(&ctx2, shape, form, &errors, None)}</section>
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
    let fields = match customers::check(&form) {
        Ok(fields) => fields,
        Err(errors) => return Ok(edit_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, account, form, errors)),
    };
    let account = customers::update(&state.db, viewer, ctx.device.ip_text(), &code, fields).await?;
    set_flash(&session, &format!("Saved {}.", account.name)).await?;
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
    let suspend = parse_status(&form.status)?;
    let account = match customers::set_status(&state.db, viewer, ctx.device.ip_text(), &code, suspend).await {
        Err(CustomerError::Failed(e)) => return Err(e),
        other => other?,
    };
    let said = if suspend { "is suspended" } else { "is active again" };
    set_flash(&session, &format!("{} {said}.", account.name)).await?;
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
    let account = match customers::approve(&state.db, &state.site(), viewer, ctx.device.ip_text(), &code).await {
        Err(CustomerError::Failed(e)) => return Err(e),
        other => other?,
    };
    state.mail_written();
    set_flash(&session, &format!("{} is approved; its users were told by e-mail.", account.name)).await?;
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
    let account = match customers::reject(&state.db, viewer, ctx.device.ip_text(), &code, confirmed).await {
        Err(CustomerError::Failed(e)) => return Err(e),
        other => other?,
    };
    set_flash(&session, &format!("{} was rejected and deleted with its users.", account.name)).await?;
    Ok(Redirect::to("/reseller").into_response())
}
