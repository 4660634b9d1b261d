//! Admin → Billing run: issue the debit invoices of a month that has ended.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::Utc;
use leptos::prelude::*;
use serde::Deserialize;

use crate::billing::run::Period;
use crate::billing::tax::{self, VatRate};
use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::state::AppState;
use crate::tasks::{store, NewJob, StartError, Starter};
use crate::ui::components::{csrf_field, form_errors};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page_with_status, PageCtx};

/// What the page shows besides the forms.
#[derive(Default)]
struct Shown {
    errors: Vec<String>,
    notice: Option<String>,
    /// A run of the period is already under way: why not, and its job.
    busy: Option<(String, i32)>,
}

fn render(ctx: &PageCtx, status: StatusCode, period: String, vat: String, shown: Shown) -> Response {
    let Shown { errors, notice, busy } = shown;
    let ctx2 = ctx.clone();
    let ctx3 = ctx.clone();
    let loc = ctx.locale;
    page_with_status(status, ctx, &ctx.t("admin-billing-title"), move || {
        let busy = busy.map(|(message, job_id)| {
            view! {
                <div class="form-error" role="alert">
                    <p>{message} " " <a href=format!("/admin/jobs/{job_id}")>{loc.t("admin-billing-see-progress")}</a></p>
                </div>
            }
        });
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(errors)}
            {busy}
            {notice.map(|n| view! { <p class="flash" role="status">{n}</p> })}
            <form class="stacked card" method="post" action="/admin/billing">
                {csrf_field(&ctx2)}
                <p>{loc.t("admin-billing-intro")}</p>
                <label>{loc.t("admin-billing-month")} " " <input name="period" value=period required pattern="[0-9]{4}-[0-9]{2}" maxlength="7"/></label>
                <button type="submit">{loc.t("admin-billing-run")}</button>
            </form>
            <form class="stacked card" method="post" action="/admin/billing/vat">
                {csrf_field(&ctx3)}
                <h2>{loc.t("admin-billing-vat")}</h2>
                <p>{loc.t("admin-billing-vat-intro")}</p>
                <label>{loc.t("admin-billing-vat-rate")} " " <input name="rate" value=vat required inputmode="decimal" maxlength="6"/></label>
                <button type="submit">{loc.t("admin-billing-save-vat")}</button>
            </form>
        }
    })
}

/// `GET /admin/billing`: the form, last month filled in.
pub(crate) async fn form(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    let last_month = Period::of(Utc::now().date_naive()).previous().label();
    Ok(render(&ctx, StatusCode::OK, last_month, vat_text(&state).await?, Shown::default()))
}

async fn vat_text(state: &AppState) -> AppResult<String> {
    Ok(tax::current_rate(&state.db).await?.label().trim_end_matches('%').to_string())
}

#[derive(Debug, Deserialize)]
pub(crate) struct VatForm {
    #[serde(default)]
    rate: String,
}

/// `POST /admin/billing/vat`: the provider admin sets the VAT rate.
pub(crate) async fn set_vat(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Form(form): Form<VatForm>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let last_month = Period::of(Utc::now().date_naive()).previous().label();
    let rate = match VatRate::parse_percent(&form.rate) {
        Ok(rate) => rate,
        Err(_) => {
            let shown = Shown { errors: vec![ctx.t("admin-billing-bad-vat")], ..Default::default() };
            let typed: String = form.rate.chars().take(10).collect();
            return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, last_month, typed, shown));
        }
    };
    tax::set_rate(&state.db, rate).await?;
    tracing::info!(rate = %rate.label(), "VAT rate set");
    let shown = Shown { notice: Some(tr!(ctx, "admin-billing-vat-set", rate = rate.label())), ..Default::default() };
    Ok(render(&ctx, StatusCode::OK, last_month, vat_text(&state).await?, shown))
}

#[derive(Debug, Deserialize)]
pub(crate) struct RunForm {
    #[serde(default)]
    period: String,
}

/// `POST /admin/billing`: checks the period, queues the run and shows its progress page;
/// a run of the same period already under way is named with a link to it (409).
pub(crate) async fn run_billing(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Form(form): Form<RunForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let today = Utc::now().date_naive();
    let checked = match Period::parse(&form.period) {
        Err(_) => {
            let shown: String = form.period.trim().chars().take(20).collect();
            Err(tr!(ctx, "admin-billing-bad-period", shown = shown))
        }
        Ok(period) => match period.check_ended(today) {
            Ok(()) => Ok(period),
            Err(_) => Err(tr!(
                ctx,
                "admin-billing-not-ended",
                period = period.label(),
                from = ctx.day(period.last() + chrono::Duration::days(1))
            )),
        },
    };
    let period = match checked {
        Ok(period) => period,
        Err(message) => {
            let shown = Shown { errors: vec![message], ..Default::default() };
            return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form.period, vat_text(&state).await?, shown));
        }
    };
    let job = NewJob::billing_run(&period, Starter::of(viewer, ctx.device.ip_text()));
    match store::enqueue(&state.db, job).await {
        Ok(job) => {
            state.tasks.queued();
            tracing::info!(period = %period.label(), job = job.id, "billing run queued");
            Ok(Redirect::to(&format!("/admin/jobs/{}", job.id)).into_response())
        }
        Err(StartError::Failed(e)) => Err(e),
        Err(busy @ StartError::Busy { job_id, .. }) => {
            let shown = Shown { busy: Some((busy.localized(&ctx), job_id)), ..Default::default() };
            Ok(render(&ctx, StatusCode::CONFLICT, period.label(), vat_text(&state).await?, shown))
        }
    }
}
