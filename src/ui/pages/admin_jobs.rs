//! Admin → Jobs: the billing runs and imports started from the admin pages, and each one's
//! progress page, which reloads itself (no JavaScript) while the job is queued or running.
//! The admin can leave it and come back: the job goes on in the background.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::entities::background_jobs::{self, JobStatus};
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::tasks::{self, store};
use crate::ui::components::{empty, pager};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page, PageCtx};

/// Seconds between reloads of a running job's page.
const REFRESH_SECONDS: &str = "2";
/// Invoices a billing run's page lists.
const INVOICES_SHOWN: u64 = 100;

fn when(loc: &impl Localize, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".into(), |at| loc.datetime(&at))
}

/// "Billing run 2026-10", "Usage import usage.csv".
fn title_of(loc: &impl Localize, job: &background_jobs::Model) -> String {
    tr!(loc, "admin-jobs-job-title", kind = tasks::kind_label(loc, job.kind), parameters = job.parameters.clone())
}

/// `GET /admin/jobs`: the jobs started from the viewer's account, newest first.
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let jobs = store::list(&state.db, viewer.account.id, page_query).await?;
    let now = Utc::now();
    let pager_locale = ctx.locale;
    let loc = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-jobs-title"), move || {
        let rows: Vec<_> = jobs
            .items
            .iter()
            .map(|job| {
                view! {
                    <tr>
                        <td><a href=format!("/admin/jobs/{}", job.id)>{title_of(&loc, job)}</a></td>
                        <td>{tasks::status_label(&loc, job, now)}</td>
                        <td>{tasks::progress_text(&loc, job)}</td>
                        <td>{job.started_by_name.clone()}</td>
                        <td>{when(&loc, Some(job.created_at))}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav(&ctx.locale)}
            <p class="muted">{loc.t("admin-jobs-intro")}</p>
            {jobs.items.is_empty().then(|| empty(loc.t("admin-jobs-empty")))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-jobs-job")}</th><th>{loc.t("admin-col-status")}</th><th>{loc.t("admin-jobs-progress")}</th><th>{loc.t("admin-jobs-started-by")}</th><th>{loc.t("admin-jobs-created")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &jobs, "/admin/jobs")}
        }
    })
    .into_response())
}

/// `GET /admin/jobs/{id}`: one job's progress; reloads itself every two seconds while it
/// is queued or running.
pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
    let job = store::find(&state.db, viewer.account.id, id).await?;
    let invoices = store::invoices_issued(&state.db, &job, INVOICES_SHOWN).await?;
    Ok(render_job(&ctx, job, invoices, Utc::now()))
}

/// A job's page as it is at `now`.
fn render_job(
    ctx: &PageCtx,
    job: background_jobs::Model,
    invoices: Vec<crate::entities::invoices::Model>,
    now: DateTime<Utc>,
) -> Response {
    let running = matches!(job.status, JobStatus::Queued | JobStatus::Running);
    let loc = ctx.locale;
    let title = tr!(ctx, "admin-jobs-page-title", job = title_of(ctx, &job));
    let mut response = page(ctx, &title, move || {
        let refresh = running.then(|| view! { <meta http-equiv="refresh" content=REFRESH_SECONDS/> });
        let summary: Vec<_> =
            job.summary.iter().flat_map(|s| tasks::summary_said(&loc, s)).map(|line| view! { <p>{line}</p> }).collect();
        let error = job.error.clone().map(|e| view! { <p class="form-error" role="alert">{e}</p> });
        let problems: Vec<_> = job.problems.lines().map(|p| view! { <li>{p.to_string()}</li> }).collect();
        let more = usize::try_from(job.problem_count).unwrap_or(0).saturating_sub(problems.len());
        let problems = (!problems.is_empty()).then(|| {
            let more = (more > 0).then(|| view! { <p>{tr!(loc, "admin-jobs-more-problems", count = more)}</p> });
            view! { <h2>{loc.t("admin-jobs-problems")}</h2> <ul class="errors">{problems}</ul> {more} }
        });
        let invoice_rows: Vec<_> = invoices
            .iter()
            .map(|invoice| {
                view! {
                    <tr>
                        <td><a href=format!("/invoices/{}", invoice.number)>{invoice.number.clone()}</a></td>
                        <td class="num">{loc.money(invoice.total, &invoice.currency)}</td>
                    </tr>
                }
            })
            .collect();
        let invoices = (!invoice_rows.is_empty()).then(|| {
            view! {
                <h2>{loc.t("admin-jobs-invoices-issued")}</h2>
                <div class="table-wrap"><table>
                    <thead><tr><th>{loc.t("admin-jobs-invoice")}</th><th class="num">{loc.t("admin-col-total")}</th></tr></thead>
                    <tbody>{invoice_rows}</tbody>
                </table></div>
            }
        });
        let note = running.then(|| {
            view! { <p class="muted">{loc.t("admin-jobs-reload-note")}</p> }
        });
        view! {
            {refresh}
            {admin_nav(&ctx.locale)}
            <section class="panel" role="status">
                <dl>
                    <dt>{loc.t("admin-col-status")}</dt><dd>{tasks::status_label(&loc, &job, now)}</dd>
                    <dt>{loc.t("admin-jobs-progress")}</dt><dd>{tasks::progress_text(&loc, &job)}</dd>
                    <dt>{loc.t("admin-jobs-started-by")}</dt><dd>{job.started_by_name.clone()}</dd>
                    <dt>{loc.t("admin-jobs-created")}</dt><dd>{when(&loc, Some(job.created_at))}</dd>
                    <dt>{loc.t("admin-jobs-started")}</dt><dd>{when(&loc, job.started_at)}</dd>
                    <dt>{loc.t("admin-jobs-finished")}</dt><dd>{when(&loc, job.finished_at)}</dd>
                </dl>
                {summary}
                {error}
            </section>
            {note}
            {problems}
            {invoices}
            <p><a href="/admin/jobs">{loc.t("admin-jobs-all")}</a></p>
        }
    })
    .into_response();
    if running {
        // The same as the page's <meta> refresh, for clients that read headers only.
        response.headers_mut().insert(header::REFRESH, HeaderValue::from_static(REFRESH_SECONDS));
    }
    response
}
