//! Admin → Usage import: load consumption records from a CSV file, with a report of the
//! rows that were refused and why.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use leptos::prelude::*;

use crate::billing::usage_import::{self, ImportReport, HEADER};
use crate::error::{encode_query_value, AppError, AppResult};
use crate::state::AppState;
use crate::ui::components::form_errors;
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page_with_status, PageCtx};

fn render(ctx: &PageCtx, status: StatusCode, errors: Vec<String>, report: Option<ImportReport>) -> Response {
    let action = format!("/admin/usage?csrf_token={}", encode_query_value(&ctx.csrf_token));
    page_with_status(status, ctx, "Admin · Usage import", move || {
        let report = report.map(|report| {
            let rows: Vec<_> = report
                .rejected
                .iter()
                .map(|(line, reason)| view! { <tr><td class="num">{*line}</td><td>{reason.clone()}</td></tr> })
                .collect();
            let refused = (!rows.is_empty()).then(|| {
                view! {
                    <h2>"Rows not imported"</h2>
                    <div class="table-wrap"><table>
                        <thead><tr><th class="num">"Line"</th><th>"Reason"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                }
            });
            view! {
                <section class="panel" role="status">
                    <p>{format!("{} row(s) imported, {} refused.", report.imported, report.rejected.len())}</p>
                    {refused}
                </section>
            }
        });
        view! {
            {admin_nav()}
            {form_errors(errors)}
            {report}
            <form class="stacked card" method="post" enctype="multipart/form-data" action=action>
                <p>"A CSV file whose first line is " <code>{HEADER.join(",")}</code> ". "
                   "subscription is the subscription's external id; amount and cost are whole pesos; "
                   "reference is unique per row, so importing a file twice adds nothing."</p>
                <label>"Usage file (CSV, at most 5 MB)" <input type="file" name="file" accept=".csv,text/csv" required/></label>
                <button type="submit">"Import"</button>
            </form>
        }
    })
}

/// `GET /admin/usage`.
pub(crate) async fn form(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    Ok(render(&ctx, StatusCode::OK, vec![], None))
}

/// `POST /admin/usage` (multipart).
pub(crate) async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let unreadable = || AppError::bad_request("The upload could not be read. Choose the file again.");
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            bytes = Some(field.bytes().await.map_err(|_| unreadable())?);
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, vec!["Choose a CSV file.".into()], None));
    };
    match usage_import::import(&state.db, &bytes).await {
        Ok(report) => Ok(render(&ctx, StatusCode::OK, vec![], Some(report))),
        Err(usage_import::ImportError::Failed(error)) => Err(error),
        Err(refused) => Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, vec![refused.to_string()], None)),
    }
}
