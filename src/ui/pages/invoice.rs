//! An invoice: header, items with their Usage, totals, linked credit/debit invoices.
//! The page prints cleanly (the stylesheet hides navigation when printing).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use leptos::prelude::*;

use crate::accounts::scope::AccountScope;
use crate::billing::store::{self as billing_store};
use crate::entities::enums::{InvoiceStatus, InvoiceType};
use crate::error::AppResult;
use crate::i18n::{msg, tr, Localize};
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
    let title = tr!(ctx, "invoice-title", number = view.invoice.number.as_str());
    let brand = ctx.brand.company_name.clone();
    let ctx2 = ctx.clone();
    Ok(page_with_status(axum::http::StatusCode::OK, &ctx, &title, move || invoice_view(&ctx2, view, brand)))
}

/// An invoice as its customer reads it: who issued it, its lines and totals, and the
/// credit invoices that refer to it.
fn invoice_view(ctx: &PageCtx, view: billing_store::InvoiceView, brand: String) -> impl IntoView {
    let invoice = view.invoice.clone();
    let currency = invoice.currency.clone();
    let rows: Vec<_> = view
        .items
        .iter()
        .map(|item| {
            let period = match (item.period_start, item.period_end) {
                (Some(start), Some(end)) => format!("{} – {}", ctx.day(start), ctx.day(end)),
                (Some(start), None) => ctx.day(start),
                _ => String::new(),
            };
            view! {
                <tr>
                    <td>{item.description.clone()}</td>
                    <td>{item.usage.clone()}</td>
                    <td>{period}</td>
                    <td class="num">{item.quantity}</td>
                    <td class="num">{ctx.money(item.unit_price, &currency)}</td>
                    <td class="num">{ctx.money(item.total, &currency)}</td>
                </tr>
            }
        })
        .collect();
    let credits = view.credits.clone().map(|debit| {
        let href = format!("/invoices/{}", debit.number);
        view! { <p>{ctx.t("invoice-credits-invoice")} " " <a href=href>{debit.number}</a></p> }
    });
    let credited_by: Vec<_> = view
        .credited_by
        .iter()
        .map(|credit| {
            let href = format!("/invoices/{}", credit.number);
            view! { <li><a href=href>{credit.number.clone()}</a> " · " {ctx.money(credit.total, &credit.currency)}</li> }
        })
        .collect();
    let has_credits = !credited_by.is_empty();
    let rate = crate::billing::tax::VatRate::from_basis_points(invoice.vat_basis_points).unwrap_or_default();
    let vat =
        tr!(ctx, "totals-vat", rate = crate::i18n::format::hundredths(ctx.lang(), i64::from(rate.basis_points())));
    view! {
        <section class="panel invoice">
            <dl class="facts">
                <dt>{ctx.t("invoice-issued-by")}</dt><dd>{brand.clone()}</dd>
                <dt>{ctx.t("invoice-type")}</dt><dd>{ctx.t(if invoice.invoice_type == InvoiceType::Credit { msg!("invoice-kind-credit-invoice") } else { msg!("invoice-kind-invoice") })}</dd>
                <dt>{ctx.t("invoice-date")}</dt><dd>{ctx.day(invoice.issue_date)}</dd>
                <dt>{ctx.t("invoice-customer")}</dt><dd>{view.account.name.clone()}</dd>
                <dt>{ctx.t("invoice-billed-by")}</dt><dd>{view.bill_to.name.clone()}</dd>
                <dt>{ctx.t("invoice-status")}</dt><dd><span class="tag">{status_label(ctx, invoice.status)}</span></dd>
                {view.test_payment.then(|| view! { <dt>{ctx.t("invoice-payment")}</dt><dd><span class="tag">{ctx.t("invoice-test-tag")}</span>" "{ctx.t("invoice-test-payment")}</dd> })}
                {invoice.billing_period.clone().map(|p| view! { <dt>{ctx.t("invoice-billing-period")}</dt><dd>{p}</dd> })}
            </dl>
            {credits}
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th>{ctx.t("invoice-item")}</th>
                        <th>{ctx.t("invoice-usage")}</th>
                        <th>{ctx.t("invoice-period")}</th>
                        <th class="num">{ctx.t("invoice-quantity")}</th>
                        <th class="num">{ctx.t("invoice-unit-price")}</th>
                        <th class="num">{ctx.t("invoice-total")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr><th colspan="5">{ctx.t("invoice-subtotal")}</th><th class="num">{ctx.money(invoice.subtotal, &currency)}</th></tr>
                        <tr><th colspan="5">{vat}</th><th class="num">{ctx.money(invoice.tax, &currency)}</th></tr>
                        <tr><th colspan="5">{ctx.t("invoice-total")}</th><th class="num">{ctx.money(invoice.total, &currency)}</th></tr>
                    </tfoot>
                </table>
            </div>
            {has_credits.then(|| view! { <h2>{ctx.t("invoice-credit-invoices")}</h2><ul>{credited_by}</ul> })}
        </section>
    }
}

/// An invoice's status as people read it (`paid`, `unpaid`), in their language.
pub(crate) fn status_label(loc: &impl Localize, status: InvoiceStatus) -> String {
    loc.t(match status {
        InvoiceStatus::Unpaid => msg!("invoice-status-unpaid"),
        InvoiceStatus::Paid => msg!("invoice-status-paid"),
    })
}

/// An invoice's type as the invoice tables show it (`debit`, `credit`), in the reader's language.
pub(crate) fn type_label(loc: &impl Localize, kind: InvoiceType) -> String {
    loc.t(match kind {
        InvoiceType::Debit => msg!("invoice-type-debit"),
        InvoiceType::Credit => msg!("invoice-type-credit"),
    })
}
