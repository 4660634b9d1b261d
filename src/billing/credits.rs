//! Credit invoices for refunds: a cancellation the policy credits (in full or prorated)
//! produces a credit invoice linked to the debit invoice that charged the subscription.

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::billing::money::{self, MoneyError};
use crate::billing::store::{insert_lines, InvoiceLine};
use crate::billing::tax::{self, Totals, VatRate};
use crate::entities::enums::{InvoiceStatus, InvoiceType};
use crate::entities::{invoice_items, invoices};
use crate::error::{AppError, AppResult};
use crate::subscriptions::policy::Credit;

/// How much of a charged line is credited on `today`: all of it, or the share of its
/// period (inclusive days) not yet used; nothing once the period is over.
pub(crate) fn credit_amount(
    credit: Credit,
    line_total: i64,
    period: Option<(NaiveDate, NaiveDate)>,
    today: NaiveDate,
) -> i64 {
    match credit {
        Credit::None => 0,
        Credit::Full => line_total,
        Credit::Prorated => match period {
            Some((start, end)) if end >= start => {
                let days = (end - start).num_days() + 1;
                let unused = (end - today.max(start)).num_days() + 1;
                if unused <= 0 {
                    0
                } else {
                    // i128: the product of two i64 could overflow.
                    (i128::from(line_total) * i128::from(unused.min(days)) / i128::from(days)) as i64
                }
            }
            _ => 0,
        },
    }
}

/// The credit number for the `n`-th credit of a debit invoice.
fn credit_number(debit_number: &str, n: usize) -> String {
    format!("CR-{debit_number}-{n}")
}

/// Issues the credits for cancelling `subscription_id` (with its add-ons) on `today`: for
/// each debit invoice that charged it days from today on (or, for a full refund, at all),
/// one credit invoice of what the policy gives back for those lines, never more than is
/// left of that invoice after its earlier credits and refunds. Answers the first credit
/// issued; `None` when nothing was charged or nothing is due.
pub(crate) async fn issue_for_cancellation<C: ConnectionTrait>(
    db: &C,
    subscription_id: i32,
    credit: Credit,
    today: NaiveDate,
) -> AppResult<Option<invoices::Model>> {
    if credit == Credit::None {
        return Ok(None);
    }
    let charged = invoice_items::Entity::find()
        .find_also_related(invoices::Entity)
        .filter(invoice_items::Column::SubscriptionId.eq(subscription_id))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .filter(invoice_items::Column::Total.gt(0))
        .order_by_asc(invoices::Column::IssueDate)
        .order_by_asc(invoice_items::Column::Id)
        .all(db)
        .await?;
    let mut first = None;
    let mut debits: Vec<(invoices::Model, Vec<invoice_items::Model>)> = Vec::new();
    for (item, debit) in charged {
        let Some(debit) = debit else { continue };
        match debits.iter_mut().find(|(d, _)| d.id == debit.id) {
            Some((_, items)) => items.push(item),
            None => debits.push((debit, vec![item])),
        }
    }
    for (debit, items) in debits {
        let mut subtotal = 0i64;
        for item in &items {
            let amount = credit_amount(credit, item.total, item.period_start.zip(item.period_end), today);
            subtotal = subtotal.checked_add(amount).ok_or(MoneyError::Overflow)?;
        }
        // The invoice's discounts reduced what was paid for each line, in proportion.
        let charged: Vec<i64> = invoice_items::Entity::find()
            .select_only()
            .column(invoice_items::Column::Total)
            .filter(invoice_items::Column::InvoiceId.eq(debit.id))
            .filter(invoice_items::Column::Total.gt(0))
            .into_tuple()
            .all(db)
            .await?;
        let before_discounts = money::checked_sum(charged)?;
        if before_discounts > debit.subtotal {
            subtotal = money::prorated(subtotal, debit.subtotal.max(0), before_discounts)?;
        }
        let credited = credited(db, debit.id).await?;
        // Refunds sent to WebPay and not yet confirmed have no credit invoice yet: they count.
        let pending = pending_refunds(db, debit.id).await?;
        let pending_net = tax::split_gross(pending, rate_of(&debit))?.net;
        let left = debit.subtotal.checked_sub(credited.net).and_then(|l| l.checked_sub(pending_net));
        let subtotal = subtotal.min(left.ok_or(MoneyError::Overflow)?);
        if subtotal <= 0 {
            continue;
        }
        let tax_left = debit.tax.checked_sub(credited.tax).ok_or(MoneyError::Overflow)?.max(0);
        let tax = tax::vat(subtotal, rate_of(&debit))?.min(tax_left);
        let label = match credit {
            Credit::Full => "Refund",
            _ => "Prorated credit",
        };
        let Some(item) = items.first() else { continue };
        let names: Vec<&str> = items.iter().map(|i| i.description.as_str()).collect();
        let line = CreditLine {
            description: format!("{label}: {}", names.join(", ")),
            subscription_id: item.subscription_id,
            addon_id: if items.len() == 1 { item.addon_id } else { None },
            product_id: item.product_id,
            period_start: Some(today.max(item.period_start.unwrap_or(today))),
            period_end: items.iter().filter_map(|i| i.period_end).max(),
            quantity: item.quantity,
            usage: item.usage.clone(),
        };
        let issued = issue(db, &debit, line, subtotal, tax, today).await?;
        first.get_or_insert(issued);
    }
    Ok(first)
}

/// What refunds of the payments for a debit invoice are sent or being verified (gross).
async fn pending_refunds<C: ConnectionTrait>(db: &C, debit_id: i32) -> AppResult<i64> {
    use crate::entities::{payments, refunds};
    use crate::payments::webpay::checkout::refund_state;
    let pending = refunds::Entity::find()
        .inner_join(payments::Entity)
        .filter(payments::Column::InvoiceId.eq(debit_id))
        .filter(refunds::Column::Status.is_in([refund_state::SENDING, refund_state::VERIFYING]))
        .all(db)
        .await?;
    Ok(money::checked_sum(pending.iter().map(|r| r.amount))?)
}

/// What the credit invoices issued against a debit invoice add up to (net, VAT, total).
pub(crate) async fn credited<C: ConnectionTrait>(db: &C, debit_id: i32) -> AppResult<Totals> {
    let earlier = invoices::Entity::find().filter(invoices::Column::CreditsInvoiceId.eq(debit_id)).all(db).await?;
    Ok(Totals {
        net: money::checked_sum(earlier.iter().map(|c| c.subtotal))?,
        tax: money::checked_sum(earlier.iter().map(|c| c.tax))?,
        total: money::checked_sum(earlier.iter().map(|c| c.total))?,
    })
}

/// The VAT rate a debit invoice was taxed at.
fn rate_of(debit: &invoices::Model) -> VatRate {
    VatRate::from_basis_points(debit.vat_basis_points).unwrap_or_default()
}

/// Splits a refund of `gross` pesos (VAT included) of `debit` into net and VAT at the
/// debit's rate; the refund that completes the debit takes exactly what is left of its net
/// and VAT, so credits add up to the debit to the peso.
pub(crate) async fn split_refund<C: ConnectionTrait>(db: &C, debit: &invoices::Model, gross: i64) -> AppResult<Totals> {
    let credited = credited(db, debit.id).await?;
    let debited = Totals { net: debit.subtotal, tax: debit.tax, total: debit.total };
    Ok(refund_split(debited, credited, gross, rate_of(debit))?)
}

/// The pure rule of [`split_refund`]: `debited` is the debit invoice, `credited` what its
/// earlier credits took.
pub(crate) fn refund_split(debited: Totals, credited: Totals, gross: i64, rate: VatRate) -> Result<Totals, MoneyError> {
    let net_left = debited.net.checked_sub(credited.net).ok_or(MoneyError::Overflow)?;
    if credited.total.checked_add(gross) == Some(debited.total) {
        let tax = gross.checked_sub(net_left).ok_or(MoneyError::Overflow)?;
        return Ok(Totals { net: net_left, tax, total: gross });
    }
    // Never more net than is left (many small refunds each round their net up).
    let split = tax::split_gross(gross, rate)?;
    let net = split.net.min(net_left.max(0));
    Ok(Totals { net, tax: gross - net, total: gross })
}

/// What a credit invoice's one line says.
#[derive(Debug, Clone)]
pub(crate) struct CreditLine {
    pub description: String,
    pub subscription_id: Option<i32>,
    pub addon_id: Option<i32>,
    pub product_id: Option<i32>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub quantity: i64,
    pub usage: String,
}

/// Issues a credit invoice of `subtotal` + `tax` against `debit`, numbered after it; a debit
/// credited in full becomes paid.
pub(crate) async fn issue<C: ConnectionTrait>(
    db: &C,
    debit: &invoices::Model,
    line: CreditLine,
    subtotal: i64,
    tax: i64,
    today: NaiveDate,
) -> AppResult<invoices::Model> {
    let total = subtotal.checked_add(tax).ok_or_else(|| AppError::Internal("credit total overflow".into()))?;
    let earlier = invoices::Entity::find().filter(invoices::Column::CreditsInvoiceId.eq(debit.id)).all(db).await?;
    let credit_invoice = invoices::ActiveModel {
        number: Set(credit_number(&debit.number, earlier.len() + 1)),
        account_id: Set(debit.account_id),
        bill_to_account_id: Set(debit.bill_to_account_id),
        invoice_type: Set(InvoiceType::Credit),
        status: Set(InvoiceStatus::Unpaid),
        currency: Set(debit.currency.clone()),
        issue_date: Set(today),
        billing_period: Set(debit.billing_period.clone()),
        subtotal: Set(subtotal),
        tax: Set(tax),
        total: Set(total),
        vat_basis_points: Set(debit.vat_basis_points),
        credits_invoice_id: Set(Some(debit.id)),
        order_id: Set(debit.order_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let line = InvoiceLine {
        subscription_id: line.subscription_id,
        addon_id: line.addon_id,
        product_id: line.product_id,
        description: line.description,
        period_start: line.period_start,
        period_end: line.period_end,
        quantity: line.quantity,
        unit_price: if line.quantity > 0 { subtotal / line.quantity } else { subtotal },
        unit_cost: 0,
        total: subtotal,
        total_cost: 0,
        usage: line.usage,
    };
    insert_lines(db, credit_invoice.id, vec![line]).await?;
    let credited = money::checked_sum(earlier.iter().map(|c| c.total))?
        .checked_add(total)
        .ok_or_else(|| AppError::Internal("credit total overflow".into()))?;
    if credited >= debit.total && debit.status == InvoiceStatus::Unpaid {
        invoices::ActiveModel { id: Set(debit.id), status: Set(InvoiceStatus::Paid), ..Default::default() }
            .update(db)
            .await?;
    }
    Ok(credit_invoice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn full_refunds_everything_and_prorated_the_unused_days() {
        let november = Some((d("2026-11-01"), d("2026-11-30")));
        assert_eq!(credit_amount(Credit::Full, 890_000, november, d("2026-11-20")), 890_000);
        assert_eq!(credit_amount(Credit::Prorated, 30_000, november, d("2026-11-01")), 30_000, "all 30 days unused");
        assert_eq!(credit_amount(Credit::Prorated, 30_000, november, d("2026-11-21")), 10_000, "21–30: 10 days");
        assert_eq!(credit_amount(Credit::Prorated, 30_000, november, d("2026-12-01")), 0, "the period is over");
        assert_eq!(credit_amount(Credit::Prorated, 30_000, None, d("2026-11-21")), 0);
        assert_eq!(credit_amount(Credit::None, 30_000, november, d("2026-11-21")), 0);
        assert_eq!(credit_amount(Credit::Prorated, i64::MAX, november, d("2026-11-01")), i64::MAX);
    }

    #[test]
    fn credit_numbers_name_the_debit_invoice() {
        assert_eq!(credit_number("INV-202610-CONTOSO", 2), "CR-INV-202610-CONTOSO-2");
    }
}
