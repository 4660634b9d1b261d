//! Admin → Billing run: issue the debit invoices of a month that has ended.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use chrono::Utc;
use leptos::prelude::*;
use serde::Deserialize;

use crate::billing::money;
use crate::billing::run::{self, Period, RunReport};
use crate::error::AppResult;
use crate::server::AppState;
use crate::ui::components::{csrf_field, form_errors};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page_with_status, PageCtx};

fn render(
    ctx: &PageCtx,
    status: StatusCode,
    period: String,
    errors: Vec<String>,
    report: Option<RunReport>,
) -> Response {
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, "Admin · Billing run", move || {
        let report = report.map(|report| {
            let rows: Vec<_> = report
                .issued
                .iter()
                .map(|invoice| {
                    let href = format!("/invoices/{}", invoice.number);
                    view! {
                        <tr>
                            <td><a href=href>{invoice.number.clone()}</a></td>
                            <td>{invoice.account.clone()}</td>
                            <td class="num">{invoice.lines}</td>
                            <td class="num">{money::format(invoice.total, &invoice.currency)}</td>
                        </tr>
                    }
                })
                .collect();
            let issued = (!rows.is_empty()).then(|| {
                view! {
                    <div class="table-wrap"><table>
                        <thead><tr><th>"Invoice"</th><th>"Account"</th><th class="num">"Lines"</th><th class="num">"Total"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                }
            });
            let already = (!report.already_billed.is_empty())
                .then(|| view! { <p>{format!("Already billed for {}, left alone: {}.", report.period, report.already_billed.join(", "))}</p> });
            let problems: Vec<_> = report.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect();
            let problems = (!problems.is_empty()).then(|| view! { <h2>"Not charged"</h2> <ul class="errors">{problems}</ul> });
            view! {
                <section class="panel" role="status">
                    <p>{format!("Billing run for {}: {} invoice(s) issued; {} account(s) had nothing to bill.", report.period, report.issued.len(), report.nothing_to_bill)}</p>
                    {issued}
                    {already}
                    {problems}
                </section>
            }
        });
        view! {
            {admin_nav()}
            {form_errors(errors)}
            {report}
            <form class="stacked card" method="post" action="/admin/billing">
                {csrf_field(&ctx2)}
                <p>"Issues one debit invoice per account for a month that has ended: licences and add-ons "
                   "(prorated for partial months, annual ones in the month their term year starts), Azure plan "
                   "usage for the calendar month, legacy Azure usage up to each account's CSP cut-off day, "
                   "minimum-commitment top-ups unless a ramp-up waives them, and discounts. Accounts already "
                   "billed for the month are left alone, so running it again adds nothing."</p>
                <label>"Month (YYYY-MM)" <input name="period" value=period required pattern="[0-9]{4}-[0-9]{2}" maxlength="7"/></label>
                <button type="submit">"Run billing"</button>
            </form>
        }
    })
}

/// `GET /admin/billing`: the form, last month filled in.
pub async fn form(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    let last_month = Period::of(Utc::now().date_naive()).previous().label();
    Ok(render(&ctx, StatusCode::OK, last_month, vec![], None))
}

#[derive(Debug, Deserialize)]
pub struct RunForm {
    #[serde(default)]
    period: String,
}

/// `POST /admin/billing`.
pub async fn run_billing(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Form(form): Form<RunForm>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let today = Utc::now().date_naive();
    let period = match Period::parse(&form.period).and_then(|p| p.check_ended(today).map(|()| p)) {
        Ok(period) => period,
        Err(message) => return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, form.period, vec![message], None)),
    };
    let report = run::run(&state.db, period, today).await?;
    tracing::info!(period = %report.period, issued = report.issued.len(), "billing run");
    Ok(render(&ctx, StatusCode::OK, period.label(), vec![], Some(report)))
}
