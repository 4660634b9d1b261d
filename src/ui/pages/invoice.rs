//! An invoice: header, items with their Usage, totals, linked credit/debit invoices.
//! The page prints cleanly (the stylesheet hides navigation when printing).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use leptos::prelude::*;

use crate::accounts::scope::AccountScope;
use crate::billing::money;
use crate::billing::store::{self as billing_store};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::{page_with_status, PageCtx};

/// `GET /invoices/{number}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let view = billing_store::invoice_by_number(&state.db, AccountScope::of(viewer), &number).await?;
    let title = format!("Invoice {}", view.invoice.number);
    let brand = ctx.brand.company_name.clone();
    Ok(page_with_status(axum::http::StatusCode::OK, &ctx, &title, move || invoice_view(view, brand)))
}

/// An invoice as its customer reads it: who issued it, its lines and totals, and the
/// credit invoices that refer to it.
fn invoice_view(view: billing_store::InvoiceView, brand: String) -> impl IntoView {
    let invoice = view.invoice.clone();
    let currency = invoice.currency.clone();
    let rows: Vec<_> = view
        .items
        .iter()
        .map(|item| {
            let period = match (item.period_start, item.period_end) {
                (Some(start), Some(end)) => format!("{start} – {end}"),
                (Some(start), None) => start.to_string(),
                _ => String::new(),
            };
            view! {
                <tr>
                    <td>{item.description.clone()}</td>
                    <td>{item.usage.clone()}</td>
                    <td>{period}</td>
                    <td class="num">{item.quantity}</td>
                    <td class="num">{money::format(item.unit_price, &currency)}</td>
                    <td class="num">{money::format(item.total, &currency)}</td>
                </tr>
            }
        })
        .collect();
    let credits = view.credits.clone().map(|debit| {
        let href = format!("/invoices/{}", debit.number);
        view! { <p>"Credits invoice " <a href=href>{debit.number}</a></p> }
    });
    let credited_by: Vec<_> = view
        .credited_by
        .iter()
        .map(|credit| {
            let href = format!("/invoices/{}", credit.number);
            view! { <li><a href=href>{credit.number.clone()}</a> " · " {money::format(credit.total, &credit.currency)}</li> }
        })
        .collect();
    let has_credits = !credited_by.is_empty();
    view! {
        <section class="panel invoice">
            <dl class="facts">
                <dt>"Issued by"</dt><dd>{brand.clone()}</dd>
                <dt>"Type"</dt><dd>{if invoice.invoice_type == crate::entities::enums::InvoiceType::Credit { "Credit invoice" } else { "Invoice" }}</dd>
                <dt>"Date"</dt><dd>{invoice.issue_date.to_string()}</dd>
                <dt>"Customer"</dt><dd>{view.account.name.clone()}</dd>
                <dt>"Billed by"</dt><dd>{view.bill_to.name.clone()}</dd>
                <dt>"Status"</dt><dd><span class="tag">{invoice.status.as_str()}</span></dd>
                {view.test_payment.then(|| view! { <dt>"Payment"</dt><dd><span class="tag">"TEST"</span>" paid in WebPay's integration (test) environment: no real money"</dd> })}
                {invoice.billing_period.clone().map(|p| view! { <dt>"Billing period"</dt><dd>{p}</dd> })}
            </dl>
            {credits}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Item"</th><th>"Usage"</th><th>"Period"</th><th class="num">"Quantity"</th><th class="num">"Unit price"</th><th class="num">"Total"</th></tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr><th colspan="5">"Subtotal"</th><th class="num">{money::format(invoice.subtotal, &currency)}</th></tr>
                        <tr><th colspan="5">{format!("VAT ({})", crate::billing::tax::VatRate::from_basis_points(invoice.vat_basis_points).unwrap_or_default().label())}</th><th class="num">{money::format(invoice.tax, &currency)}</th></tr>
                        <tr><th colspan="5">"Total"</th><th class="num">{money::format(invoice.total, &currency)}</th></tr>
                    </tfoot>
                </table>
            </div>
            {has_credits.then(|| view! { <h2>"Credit invoices"</h2><ul>{credited_by}</ul> })}
        </section>
    }
}
