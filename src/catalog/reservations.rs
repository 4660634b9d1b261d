//! Reserved instances: what a product offers (reservation types, scopes, regions), its
//! prices per term, payment plan and currency, and a customer's choice checked against
//! them. Pure; [`super::store`] loads the rows. The customer chooses; the catalogue prices.

use crate::entities::enums::{ReservationDimension, RiPaymentPlan};
use crate::entities::{reservation_options, reservation_prices};
use crate::i18n::{msg, tr, Localize};

/// The terms a reservation may have, in years.
pub(crate) const TERMS: [i32; 2] = [1, 3];

impl RiPaymentPlan {
    /// How a reservation on this plan is paid, in a sentence.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            RiPaymentPlan::Upfront => "paid upfront",
            RiPaymentPlan::Monthly => "paid monthly",
        }
    }
}

/// What a reserved-instance product offers, and its prices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReservationOffer {
    pub reservation_types: Vec<String>,
    pub scopes: Vec<String>,
    pub regions: Vec<String>,
    pub prices: Vec<reservation_prices::Model>,
}

impl ReservationOffer {
    /// The offer from a product's option rows (kept in their order) and price rows.
    pub(crate) fn new(options: Vec<reservation_options::Model>, prices: Vec<reservation_prices::Model>) -> Self {
        let mut offer = ReservationOffer { prices, ..Default::default() };
        for option in options {
            let list = match option.dimension {
                ReservationDimension::ReservationType => &mut offer.reservation_types,
                ReservationDimension::Scope => &mut offer.scopes,
                ReservationDimension::Region => &mut offer.regions,
            };
            if !list.contains(&option.value) {
                list.push(option.value);
            }
        }
        offer
    }

    /// Whether the reservation has any price in `currency`.
    pub(crate) fn sold_in(&self, currency: &str) -> bool {
        self.prices.iter().any(|p| p.currency == currency)
    }

    /// The currency to sell in: the preferred one, else the first by currency code.
    pub(crate) fn currency_for(&self, preferred_currency: &str) -> Option<String> {
        if self.sold_in(preferred_currency) {
            return Some(preferred_currency.to_string());
        }
        self.prices.iter().map(|p| p.currency.clone()).min()
    }
}

/// The catalogue price of a reservation for a term (years), payment plan and currency.
pub fn reservation_price<'a>(
    prices: &'a [reservation_prices::Model],
    term_years: i32,
    plan: RiPaymentPlan,
    currency: &str,
) -> Option<&'a reservation_prices::Model> {
    prices.iter().find(|p| p.term_years == term_years && p.payment_plan == plan && p.currency == currency)
}

/// The terms priced in `currency`, shortest first.
pub(crate) fn terms_in(prices: &[reservation_prices::Model], currency: &str) -> Vec<i32> {
    TERMS.into_iter().filter(|term| prices.iter().any(|p| p.term_years == *term && p.currency == currency)).collect()
}

/// The payment plans priced in `currency`.
pub(crate) fn plans_in(prices: &[reservation_prices::Model], currency: &str) -> Vec<RiPaymentPlan> {
    RiPaymentPlan::ALL
        .iter()
        .copied()
        .filter(|plan| prices.iter().any(|p| p.payment_plan == *plan && p.currency == currency))
        .collect()
}

/// The price table in `currency`: per term, its upfront and its monthly amount.
pub(crate) fn price_table(
    prices: &[reservation_prices::Model],
    currency: &str,
) -> Vec<(i32, Option<i64>, Option<i64>)> {
    terms_in(prices, currency)
        .into_iter()
        .map(|term| {
            let amount = |plan| reservation_price(prices, term, plan, currency).map(|p| p.amount);
            (term, amount(RiPaymentPlan::Upfront), amount(RiPaymentPlan::Monthly))
        })
        .collect()
}

/// "1 year", "3 years", in the reader's language.
pub(crate) fn term_label(loc: &impl Localize, years: i32) -> String {
    tr!(loc, "product-ri-term", years = years)
}

/// A payment plan's column heading in the price table, in the reader's language.
pub(crate) fn plan_label_in(loc: &impl Localize, plan: RiPaymentPlan) -> String {
    loc.t(match plan {
        RiPaymentPlan::Upfront => msg!("product-ri-plan-upfront"),
        RiPaymentPlan::Monthly => msg!("product-ri-plan-monthly"),
    })
}

/// How a reservation on a plan is paid ([`RiPaymentPlan::describe`]) in the reader's language.
pub(crate) fn plan_describe_in(loc: &impl Localize, plan: RiPaymentPlan) -> String {
    loc.t(match plan {
        RiPaymentPlan::Upfront => msg!("product-ri-paid-upfront"),
        RiPaymentPlan::Monthly => msg!("product-ri-paid-monthly"),
    })
}

/// How a reservation's price reads in the catalogue (its shortest term's prices), in the
/// reader's language and money format.
pub(crate) fn price_label(loc: &impl Localize, prices: &[reservation_prices::Model], currency: &str) -> String {
    let table = price_table(prices, currency);
    let Some((term, upfront, monthly)) = table.first() else {
        return loc.t("product-price-on-request");
    };
    let upfront = upfront.map(|a| tr!(loc, "product-ri-price-upfront", amount = loc.money(a, currency)));
    let monthly = monthly.map(|a| tr!(loc, "product-ri-price-monthly", amount = loc.money(a, currency)));
    let prices = match (upfront, monthly) {
        (Some(upfront), Some(monthly)) => tr!(loc, "product-ri-price-either", first = upfront, second = monthly),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => String::new(),
    };
    let longer = table.iter().skip(1).map(|(t, _, _)| term_label(loc, *t)).collect::<Vec<_>>();
    if longer.is_empty() {
        tr!(loc, "product-ri-price", years = *term, prices = prices)
    } else {
        tr!(loc, "product-ri-price-also", years = *term, prices = prices, longer = longer.join(", "))
    }
}

/// The choices a form sent for a reservation, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReservationChoice {
    pub reservation_type: String,
    pub term_years: String,
    pub payment_plan: String,
    pub scope: String,
    pub region: String,
    pub auto_renew: bool,
}

/// A reservation the product offers at a catalogue price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationOptions {
    pub reservation_type: String,
    pub term_years: i32,
    pub payment_plan: RiPaymentPlan,
    pub scope: String,
    pub region: String,
    pub auto_renew: bool,
}

/// "a", "a or b", "a, b or c".
fn one_of(values: &[String]) -> String {
    match values {
        [] => "none is offered".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// [`one_of`] in the reader's language.
fn one_of_in(loc: &impl Localize, values: &[String]) -> String {
    match values {
        [] => loc.t("product-ri-none-offered"),
        [one] => one.clone(),
        [rest @ .., last] => tr!(loc, "product-ri-one-of", first = rest.join(", "), last = last.as_str()),
    }
}

fn offered(values: &[String], chosen: &str) -> Option<String> {
    values.iter().find(|v| v.as_str() == chosen.trim()).cloned()
}

/// Why a reservation chosen in a form is refused; each displays the form message (the
/// lists are what the product offers, as "a, b or c").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ReservationError {
    #[error("Choose a reservation type this product offers: {}.", one_of(.offered))]
    TypeNotOffered { offered: Vec<String> },
    #[error("A reservation term is 1 or 3 years.")]
    Term,
    #[error("Choose how to pay for the reservation: upfront or monthly.")]
    PaymentPlan,
    #[error("Choose a scope this reservation offers: {}.", one_of(.offered))]
    ScopeNotOffered { offered: Vec<String> },
    #[error("Choose a region this reservation offers: {}.", one_of(.offered))]
    RegionNotOffered { offered: Vec<String> },
    #[error("A {term_years}-year reservation {} is not sold in {currency}.", .payment_plan.describe())]
    NotSoldIn { term_years: i32, payment_plan: RiPaymentPlan, currency: String },
}

impl ReservationError {
    /// The refusal in the reader's language.
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            ReservationError::TypeNotOffered { offered } => {
                tr!(loc, "product-ri-type-not-offered", offered = one_of_in(loc, offered))
            }
            ReservationError::Term => loc.t("product-ri-term-invalid"),
            ReservationError::PaymentPlan => loc.t("product-ri-payment-plan-invalid"),
            ReservationError::ScopeNotOffered { offered } => {
                tr!(loc, "product-ri-scope-not-offered", offered = one_of_in(loc, offered))
            }
            ReservationError::RegionNotOffered { offered } => {
                tr!(loc, "product-ri-region-not-offered", offered = one_of_in(loc, offered))
            }
            ReservationError::NotSoldIn { term_years, payment_plan, currency } => tr!(
                loc,
                "product-ri-not-sold-in",
                years = *term_years,
                plan = plan_describe_in(loc, *payment_plan),
                currency = currency.as_str()
            ),
        }
    }
}

/// Checks a reservation chosen in a form against what the product offers and what it is
/// priced at in `currency`.
pub(crate) fn check_reservation(
    offer: &ReservationOffer,
    choice: &ReservationChoice,
    currency: &str,
) -> Result<ReservationOptions, ReservationError> {
    let reservation_type = offered(&offer.reservation_types, &choice.reservation_type)
        .ok_or_else(|| ReservationError::TypeNotOffered { offered: offer.reservation_types.clone() })?;
    let term_years =
        choice.term_years.trim().parse::<i32>().ok().filter(|t| TERMS.contains(t)).ok_or(ReservationError::Term)?;
    let payment_plan = RiPaymentPlan::parse(choice.payment_plan.trim()).ok_or(ReservationError::PaymentPlan)?;
    let scope = offered(&offer.scopes, &choice.scope)
        .ok_or_else(|| ReservationError::ScopeNotOffered { offered: offer.scopes.clone() })?;
    let region = offered(&offer.regions, &choice.region)
        .ok_or_else(|| ReservationError::RegionNotOffered { offered: offer.regions.clone() })?;
    if reservation_price(&offer.prices, term_years, payment_plan, currency).is_none() {
        return Err(ReservationError::NotSoldIn { term_years, payment_plan, currency: currency.to_string() });
    }
    Ok(ReservationOptions { reservation_type, term_years, payment_plan, scope, region, auto_renew: choice.auto_renew })
}

/// A scope's name inside a sentence ("single", "shared"), in the reader's language; any
/// other value as it is.
fn scope_name(loc: &impl Localize, scope: &str) -> String {
    match scope {
        "single" => loc.t("product-ri-scope-name-single"),
        "shared" => loc.t("product-ri-scope-name-shared"),
        other => other.to_string(),
    }
}

/// A reservation in one line, as the cart, the order and the subscription show it, in the
/// reader's language: "Virtual Machines D2s v5 · 1 year(s) · shared scope · brazilsouth ·
/// paid upfront" and, where the customer's choice is shown, " · auto-renew off".
pub(crate) fn describe(
    loc: &impl Localize,
    reservation_type: &str,
    term_years: Option<i32>,
    scope: Option<&str>,
    region: Option<&str>,
    plan: Option<RiPaymentPlan>,
    auto_renew: Option<bool>,
) -> String {
    let mut text = tr!(
        loc,
        "product-ri-describe",
        kind = reservation_type,
        years = term_years.unwrap_or(1),
        scope = scope_name(loc, scope.unwrap_or_default()),
        region = region.unwrap_or_default()
    );
    if let Some(plan) = plan {
        text.push_str(" · ");
        text.push_str(&plan_describe_in(loc, plan));
    }
    if let Some(auto_renew) = auto_renew {
        text.push_str(" · ");
        text.push_str(&loc.t(if auto_renew {
            msg!("product-ri-auto-renew-on")
        } else {
            msg!("product-ri-auto-renew-off")
        }));
    }
    text
}

/// A reservation as a cart item, an order item or a subscription holds it, in one line
/// (see [`describe`]); `None` for anything that is not a reservation. The cart and the
/// order show the customer's auto-renew choice; a subscription shows it on its own.
pub(crate) trait ReservationLabel {
    /// In the reader's language (`ctx.locale()`).
    fn reservation_label(&self, loc: crate::i18n::Locale) -> Option<String>;
}

macro_rules! reservation_label {
    ($model:ty, $auto_renew:expr) => {
        impl ReservationLabel for $model {
            fn reservation_label(&self, loc: crate::i18n::Locale) -> Option<String> {
                let auto_renew: fn(&$model) -> Option<bool> = $auto_renew;
                self.ri_reservation_type.as_deref().map(|reservation_type| {
                    describe(
                        &loc,
                        reservation_type,
                        self.ri_term_years,
                        self.ri_scope.as_deref(),
                        self.ri_region.as_deref(),
                        self.ri_payment_plan,
                        auto_renew(self),
                    )
                })
            }
        }
    };
}

reservation_label!(crate::entities::cart_items::Model, |item| Some(item.ri_auto_renew));
reservation_label!(crate::entities::order_items::Model, |item| Some(item.ri_auto_renew));
reservation_label!(crate::entities::subscriptions::Model, |_| None);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn price(term_years: i32, payment_plan: RiPaymentPlan, currency: &str, amount: i64) -> reservation_prices::Model {
        reservation_prices::Model {
            id: 1,
            product_id: 1,
            term_years,
            payment_plan,
            currency: currency.into(),
            amount,
            unit_cost: 0,
            effective_from: chrono::NaiveDate::MIN,
            created_at: None,
        }
    }

    fn option(dimension: ReservationDimension, value: &str) -> reservation_options::Model {
        reservation_options::Model { id: 1, product_id: 1, dimension, value: value.into() }
    }

    fn d2s_v5() -> ReservationOffer {
        use ReservationDimension::*;
        use RiPaymentPlan::*;
        ReservationOffer::new(
            vec![
                option(ReservationType, "Virtual Machines D2s v5"),
                option(Scope, "single"),
                option(Scope, "shared"),
                option(Region, "brazilsouth"),
                option(Region, "eastus"),
                option(Region, "eastus"),
            ],
            vec![
                price(1, Upfront, "CLP", 620_000),
                price(3, Upfront, "CLP", 1_560_000),
                price(1, Monthly, "CLP", 54_000),
                price(3, Monthly, "CLP", 45_000),
                price(1, Upfront, "USD", 69_000),
            ],
        )
    }

    fn choice(term: &str, plan: &str) -> ReservationChoice {
        ReservationChoice {
            reservation_type: "Virtual Machines D2s v5".into(),
            term_years: term.into(),
            payment_plan: plan.into(),
            scope: "shared".into(),
            region: "brazilsouth".into(),
            auto_renew: false,
        }
    }

    #[test]
    fn the_price_comes_from_the_term_the_plan_and_the_currency() {
        let offer = d2s_v5();
        let amount = |term, plan, currency| reservation_price(&offer.prices, term, plan, currency).map(|p| p.amount);
        assert_eq!(amount(1, RiPaymentPlan::Upfront, "CLP"), Some(620_000));
        assert_eq!(amount(3, RiPaymentPlan::Upfront, "CLP"), Some(1_560_000));
        assert_eq!(amount(3, RiPaymentPlan::Monthly, "CLP"), Some(45_000));
        assert_eq!(amount(1, RiPaymentPlan::Upfront, "USD"), Some(69_000));
        assert_eq!(amount(3, RiPaymentPlan::Monthly, "USD"), None);
        assert_eq!(amount(2, RiPaymentPlan::Upfront, "CLP"), None);
        assert_eq!(
            price_table(&offer.prices, "CLP"),
            vec![(1, Some(620_000), Some(54_000)), (3, Some(1_560_000), Some(45_000))]
        );
        assert_eq!(price_table(&offer.prices, "USD"), vec![(1, Some(69_000), None)]);
        assert_eq!(
            price_label(&Lang::En, &offer.prices, "CLP"),
            "1-year reservation: CLP 620,000 upfront or CLP 54,000 per month · also for 3 years"
        );
        assert_eq!(
            price_label(&Lang::EsCl, &offer.prices, "CLP"),
            "Reserva de 1 año: $620.000 por adelantado o $54.000 al mes · también por 3 años"
        );
        assert_eq!(price_label(&Lang::En, &[], "CLP"), "Price on request");
        assert_eq!(offer.currency_for("CLP").as_deref(), Some("CLP"));
        assert_eq!(offer.currency_for("EUR").as_deref(), Some("CLP"));
        assert_eq!(offer.regions, vec!["brazilsouth", "eastus"], "duplicates dropped, order kept");
    }

    #[test]
    fn a_choice_the_product_offers_is_accepted_with_the_customers_auto_renew() {
        let checked = check_reservation(
            &d2s_v5(),
            &ReservationChoice { auto_renew: true, scope: " single ".into(), ..choice("3", "monthly") },
            "CLP",
        )
        .unwrap();
        assert_eq!(
            checked,
            ReservationOptions {
                reservation_type: "Virtual Machines D2s v5".into(),
                term_years: 3,
                payment_plan: RiPaymentPlan::Monthly,
                scope: "single".into(),
                region: "brazilsouth".into(),
                auto_renew: true,
            }
        );
    }

    #[test]
    fn anything_the_product_does_not_offer_is_refused_with_a_reason() {
        let offer = d2s_v5();
        let refused = |choice: ReservationChoice, currency| check_reservation(&offer, &choice, currency).unwrap_err();
        let vm = ReservationChoice { reservation_type: "Virtual Machines D4s v5".into(), ..choice("1", "upfront") };
        let err = refused(vm, "CLP");
        assert_eq!(err, ReservationError::TypeNotOffered { offered: vec!["Virtual Machines D2s v5".into()] });
        assert_eq!(err.to_string(), "Choose a reservation type this product offers: Virtual Machines D2s v5.");
        for term in ["2", "0", "", "one", "3; drop"] {
            assert_eq!(refused(choice(term, "upfront"), "CLP"), ReservationError::Term);
        }
        assert_eq!(ReservationError::Term.to_string(), "A reservation term is 1 or 3 years.");
        for plan in ["weekly", "", "Upfront"] {
            assert_eq!(refused(choice("1", plan), "CLP"), ReservationError::PaymentPlan);
        }
        assert!(ReservationError::PaymentPlan.to_string().contains("upfront or monthly"));
        let scope = ReservationChoice { scope: "global".into(), ..choice("1", "upfront") };
        let err = refused(scope, "CLP");
        assert!(matches!(err, ReservationError::ScopeNotOffered { .. }));
        assert_eq!(err.to_string(), "Choose a scope this reservation offers: single or shared.");
        assert_eq!(err.localized(&Lang::En), err.to_string());
        assert_eq!(err.localized(&Lang::EsCl), "Elija un alcance que ofrezca esta reserva: single o shared.");
        let region = ReservationChoice { region: "westeurope".into(), ..choice("1", "upfront") };
        let err = refused(region, "CLP");
        assert!(matches!(err, ReservationError::RegionNotOffered { .. }));
        assert_eq!(err.to_string(), "Choose a region this reservation offers: brazilsouth or eastus.");
        let err = refused(choice("3", "monthly"), "USD");
        assert_eq!(
            err,
            ReservationError::NotSoldIn { term_years: 3, payment_plan: RiPaymentPlan::Monthly, currency: "USD".into() }
        );
        assert_eq!(err.to_string(), "A 3-year reservation paid monthly is not sold in USD.");
        assert_eq!(err.localized(&Lang::En), err.to_string());
        assert_eq!(err.localized(&Lang::EsCl), "Una reserva de 3 años pagada mensualmente no se vende en USD.");
    }

    #[test]
    fn a_reservation_reads_in_one_line() {
        assert_eq!(
            describe(
                &Lang::En,
                "VM",
                Some(3),
                Some("single"),
                Some("eastus"),
                Some(RiPaymentPlan::Monthly),
                Some(true)
            ),
            "VM · 3 year(s) · single scope · eastus · paid monthly · auto-renew on"
        );
        assert_eq!(
            describe(&Lang::En, "VM", Some(1), Some("shared"), Some("brazilsouth"), None, None),
            "VM · 1 year(s) · shared scope · brazilsouth"
        );
        assert_eq!(
            describe(
                &Lang::EsCl,
                "VM",
                Some(3),
                Some("single"),
                Some("eastus"),
                Some(RiPaymentPlan::Monthly),
                Some(false)
            ),
            "VM · 3 años · alcance individual · eastus · pagada mensualmente · renovación automática desactivada"
        );
        assert_eq!(one_of(&["a".into(), "b".into(), "c".into()]), "a, b or c");
    }
}
