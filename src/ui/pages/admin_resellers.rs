//! Admin → Resellers: `GET /admin/resellers` (the list), `GET/POST /admin/resellers/new`
//! (a reseller and its first admin, invited by e-mail), `GET/POST /admin/resellers/{code}`
//! (its details) and `POST /admin/resellers/{code}/status` (suspend, reactivate).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use tower_sessions::Session;

use super::admin::admin_nav;
use super::customers::{account_form, messages, parse_status_in, status_panel, FormShape, StatusForm};
use crate::accounts::customers::{self, CustomerError, CustomerForm};
use crate::accounts::resellers;
use crate::accounts::scope::AccountScope;
use crate::accounts::signup::FieldError;
use crate::accounts::store as accounts_store;
use crate::accounts::MAX_NAME_CHARS;
use crate::entities::accounts;
use crate::entities::enums::{AccountStatus, AccountTier};
use crate::error::AppResult;
use crate::i18n::{msg, tr, Localize};
use crate::identity::local::MAX_EMAIL_CHARS;
use crate::identity::session::set_flash;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{empty, form_errors, pager};
use crate::ui::{page, page_with_status, PageCtx};

/// An account's status as the resellers list shows it.
fn status_name(loc: &impl Localize, status: AccountStatus) -> String {
    loc.t(match status {
        AccountStatus::Active => msg!("admin-resellers-status-active"),
        AccountStatus::Suspended => msg!("admin-resellers-status-suspended"),
        AccountStatus::PendingApproval => msg!("admin-resellers-status-pending"),
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let resellers = accounts_store::list(&state.db, AccountScope::All, Some(AccountTier::Reseller), page_query).await?;
    let pager_locale = ctx.locale;
    let loc = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-resellers-title"), move || {
        let rows: Vec<_> = resellers
            .items
            .iter()
            .map(|r| {
                let edit = format!("/admin/resellers/{}", r.code);
                view! {
                    <tr>
                        <td><a href=edit>{r.name.clone()}</a></td>
                        <td>{r.code.clone()}</td>
                        <td>{r.currency.clone()}</td>
                        <td><span class="tag">{status_name(&loc, r.status)}</span></td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav(&ctx.locale)}
            <p><a class="button" href="/admin/resellers/new">{loc.t("admin-resellers-new")}</a></p>
            {resellers.items.is_empty().then(|| empty(loc.t("admin-resellers-empty")))}
            <div class="table-wrap"><table>
                <thead><tr><th>{loc.t("admin-tier-reseller")}</th><th>{loc.t("admin-col-code")}</th><th>{loc.t("admin-resellers-currency")}</th><th>{loc.t("admin-col-status")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
            {pager(&pager_locale, &resellers, "/admin/resellers")}
        }
    })
    .into_response())
}

/// The new-reseller form: the account's details and its first admin.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct NewResellerForm {
    #[serde(flatten)]
    pub account: CustomerForm,
    #[serde(default)]
    pub admin_name: String,
    #[serde(default)]
    pub admin_email: String,
}

fn new_page(ctx: &PageCtx, status: StatusCode, form: NewResellerForm, errors: Vec<FieldError>) -> Response {
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    page_with_status(status, ctx, &ctx.t("admin-resellers-new"), move || {
        let invalid = |field: &str| errors.iter().any(|(f, _)| *f == field).then_some("true");
        let admin = view! {
            <fieldset>
                <legend>{loc.t("admin-resellers-first-admin")}</legend>
                <label>{loc.t("admin-col-name")} " " <input name="admin_name" form="new-reseller" value=form.admin_name.clone() maxlength=MAX_NAME_CHARS.to_string() required aria-invalid=invalid("admin_name")/></label>
                <label>{loc.t("admin-col-email")} " " <input type="email" name="admin_email" form="new-reseller" value=form.admin_email.clone() maxlength=MAX_EMAIL_CHARS.to_string() required aria-invalid=invalid("admin_email")/></label>
            </fieldset>
        };
        let shape = FormShape {
            action: "/admin/resellers/new".into(),
            new: true,
            cutoff: false,
            button: loc.t("admin-resellers-create"),
        };
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(messages(&errors))}
            {admin}
            {account_form(&ctx2, shape, form.account, &errors, Some("new-reseller"))}
        }
    })
}

pub(crate) async fn new_form(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let account = CustomerForm {
        country: viewer.account.country.clone(),
        currency: viewer.account.currency.clone(),
        ..Default::default()
    };
    Ok(new_page(&ctx, StatusCode::OK, NewResellerForm { account, ..Default::default() }, vec![]))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<NewResellerForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    // A reseller's CSP cut-off day is not asked: its customers have their own.
    let account_form = CustomerForm { csp_cutoff_day: "1".into(), ..form.account.clone() };
    let checked = (customers::check(&account_form), resellers::check_admin(&form.admin_name, &form.admin_email));
    let (fields, admin) = match checked {
        (Ok(fields), Ok(admin)) => (fields, admin),
        (a, b) => {
            let errors = [a.err().unwrap_or_default(), b.err().unwrap_or_default()].concat();
            return Ok(new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors));
        }
    };
    match resellers::create(&state.db, &state.site(), viewer, ctx.device.ip_text(), fields, admin).await {
        Err(CustomerError::Failed(e)) => Err(e),
        Err(refused) => {
            let errors = vec![(refused.field().unwrap_or("code"), refused.to_string())];
            Ok(new_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors))
        }
        Ok(account) => {
            state.mail_written();
            let said = tr!(ctx, "admin-resellers-created", name = account.name.clone());
            set_flash(&session, &said).await?;
            Ok(Redirect::to(&format!("/admin/resellers/{}", account.code)).into_response())
        }
    }
}

/// What a reseller's status means to the provider.
fn reseller_status(ctx: &PageCtx, account: &accounts::Model) -> impl IntoView {
    let loc = ctx.locale;
    let (says, change) = match account.status {
        AccountStatus::Suspended => {
            (loc.t("admin-resellers-suspended-says"), ("active", loc.t("admin-resellers-reactivate")))
        }
        _ => (loc.t("admin-resellers-active-says"), ("suspended", loc.t("admin-resellers-suspend"))),
    };
    status_panel(ctx, format!("/admin/resellers/{}/status", account.code), says, Some(change))
}

fn edit_page(
    ctx: &PageCtx,
    status: StatusCode,
    account: accounts::Model,
    form: CustomerForm,
    errors: Vec<FieldError>,
) -> Response {
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    let title = tr!(ctx, "admin-resellers-title-one", name = account.name.clone());
    page_with_status(status, ctx, &title, move || {
        let shape = FormShape {
            action: format!("/admin/resellers/{}", account.code),
            new: false,
            cutoff: false,
            button: loc.t("admin-save"),
        };
        let page = format!("/accounts/{}", account.code);
        let users = format!("/accounts/{}/users", account.code);
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(messages(&errors))}
            <p><a href=page>{loc.t("admin-resellers-account-page")}</a> " · " <a href=users>{loc.t("admin-resellers-users")}</a> " · " <a href="/admin/resellers">{loc.t("admin-nav-resellers")}</a></p>
            {reseller_status(&ctx2, &account)}
            <section class="panel"><h2>{loc.t("admin-product-details")}</h2>{account_form(&ctx2, shape, form, &errors, None)}</section>
        }
    })
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let account = resellers::find(&state.db, viewer, &code).await?;
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
    let viewer = ctx.provider_admin()?;
    let account = resellers::find(&state.db, viewer, &code).await?;
    let form = CustomerForm { code: account.code.clone(), csp_cutoff_day: account.csp_cutoff_day.to_string(), ..form };
    let fields = match customers::check(&form) {
        Ok(fields) => fields,
        Err(errors) => return Ok(edit_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, account, form, errors)),
    };
    let account = resellers::update(&state.db, viewer, ctx.device.ip_text(), &code, fields).await?;
    set_flash(&session, &tr!(ctx, "admin-saved-name", name = account.name.clone())).await?;
    Ok(Redirect::to(&format!("/admin/resellers/{}", account.code)).into_response())
}

pub(crate) async fn set_status(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    resellers::find(&state.db, viewer, &code).await?;
    let suspend = parse_status_in(&ctx, &form.status)?;
    let account = match resellers::set_status(&state.db, viewer, ctx.device.ip_text(), &code, suspend).await {
        Err(CustomerError::Failed(e)) => return Err(e),
        other => other?,
    };
    let said = if suspend {
        tr!(ctx, "admin-resellers-now-suspended", name = account.name.clone())
    } else {
        tr!(ctx, "admin-resellers-now-active", name = account.name.clone())
    };
    set_flash(&session, &said).await?;
    Ok(Redirect::to(&format!("/admin/resellers/{}", account.code)).into_response())
}
