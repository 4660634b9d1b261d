//! Admin → Usage import: load consumption records from a CSV file. The file is checked
//! (size, UTF-8, header) before it is queued as a background job, whose page shows the
//! progress and the rows that were refused and why.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use leptos::prelude::*;

use crate::billing::usage_import::{self, HEADER};
use crate::entities::background_jobs::JobKind;
use crate::error::{encode_query_value, AppError, AppResult};
use crate::i18n::Localize;
use crate::state::AppState;
use crate::tasks::{store, NewJob, Starter};
use crate::ui::components::form_errors;
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page_with_status, PageCtx};

fn render(ctx: &PageCtx, status: StatusCode, errors: Vec<String>) -> Response {
    let action = format!("/admin/usage?csrf_token={}", encode_query_value(&ctx.csrf_token));
    let loc = ctx.locale;
    page_with_status(status, ctx, &ctx.t("admin-usage-title"), move || {
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(errors)}
            <form class="stacked card" method="post" enctype="multipart/form-data" action=action>
                <p>{loc.t("admin-usage-intro-before")} " " <code>{HEADER.join(",")}</code> ". " {loc.t("admin-usage-intro-after")}</p>
                <label>{loc.t("admin-usage-file")} " " <input type="file" name="file" accept=".csv,text/csv" required/></label>
                <button type="submit">{loc.t("admin-usage-import")}</button>
            </form>
        }
    })
}

/// `GET /admin/usage`.
pub(crate) async fn form(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    Ok(render(&ctx, StatusCode::OK, vec![]))
}

/// `POST /admin/usage` (multipart): a file refused whole is answered here (422); any other
/// is queued, and the answer is its progress page.
pub(crate) async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let unreadable = || AppError::bad_request(ctx.t("admin-upload-unreadable"));
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            upload = Some((name, field.bytes().await.map_err(|_| unreadable())?));
        }
    }
    let Some((name, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, vec![ctx.t("admin-usage-choose-file")]));
    };
    let rows = match usage_import::parse(&bytes) {
        Ok((rows, _)) => rows.len(),
        Err(usage_import::ImportError::Failed(error)) => return Err(error),
        Err(refused) => {
            return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, vec![refused.localized(&ctx)]));
        }
    };
    let by = Starter::of(viewer, ctx.device.ip_text());
    let job = store::enqueue(&state.db, NewJob::import(JobKind::UsageImport, &name, bytes.to_vec(), rows, by)).await?;
    state.tasks.queued();
    Ok(Redirect::to(&format!("/admin/jobs/{}", job.id)).into_response())
}
