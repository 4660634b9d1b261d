//! The rules of product administration, without I/O: what a product form may hold (each
//! refusal naming its field), which kinds go with which billing cycles, what a
//! reserved instance offers, and which attributes may not change while subscriptions use
//! the product. [`super::admin`] reads and writes the rows.

use crate::accounts::check_name;
use crate::accounts::signup::FieldError;
use crate::audit::Change;
use crate::entities::enums::{BillingCycle, ProductFamily, ProductKind, ReservationDimension};
use crate::entities::{products, reservation_options};
use crate::error::{refusals, AppError};
use crate::i18n::{msg, tr, Localize};

pub(crate) const MAX_CODE_CHARS: usize = 40;
pub(crate) const MAX_VENDOR_CHARS: usize = 100;
pub(crate) const MAX_USAGE_CHARS: usize = 64;
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 2_000;
pub(crate) const MAX_TERM_MONTHS: i32 = 60;
/// The largest monthly minimum commitment, in the minor unit (a trillion pesos, or ten
/// billion dollars): anything larger is a typing mistake.
pub(crate) const MAX_MINIMUM: i64 = 1_000_000_000_000;
/// Reservation types and regions a reserved instance may offer, each.
pub(crate) const MAX_OPTIONS: usize = 20;
pub(crate) const MAX_OPTION_CHARS: usize = 100;
pub(crate) const MAX_REGION_CHARS: usize = 64;
/// The scopes a reservation may have.
pub(crate) const SCOPES: [&str; 2] = ["single", "shared"];
/// The terms a reservation may be preselected with, in years.
pub(crate) const RI_TERMS: [i32; 2] = [1, 3];

impl ProductFamily {
    pub(crate) fn label(self) -> &'static str {
        match self {
            ProductFamily::Microsoft365 => "Microsoft 365",
            ProductFamily::Azure => "Azure",
            ProductFamily::Acronis => "Acronis",
            ProductFamily::Dynamics365 => "Dynamics 365",
            ProductFamily::WindowsServer => "Windows Server",
            ProductFamily::Other => "Other",
        }
    }
}

/// The family of a product recorded before families existed, from its vendor, usage
/// family and name: what migration 000015 decides for existing rows, and what the demo
/// data's products are.
pub(crate) fn legacy_family(vendor: &str, usage_family: &str, name: &str) -> ProductFamily {
    if vendor == "Acronis" {
        ProductFamily::Acronis
    } else if ["Azure Plan", "MS Azure"].contains(&usage_family) || name.contains("Azure") {
        ProductFamily::Azure
    } else if name.contains("Dynamics 365") {
        ProductFamily::Dynamics365
    } else if name.contains("Windows Server") {
        ProductFamily::WindowsServer
    } else if usage_family == "Microsoft 365" || name.contains("Microsoft 365") || name.contains("Office 365") {
        ProductFamily::Microsoft365
    } else {
        ProductFamily::Other
    }
}

/// A billing cycle as the product form names it.
pub(crate) fn cycle_name(cycle: BillingCycle) -> &'static str {
    match cycle {
        BillingCycle::Monthly => "Monthly",
        BillingCycle::Annual => "Annual",
        BillingCycle::OneTime => "One-time",
    }
}

/// What the product form sends (every field as text; [`check`] decides).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct ProductForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub usage_family: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub billing_cycle: String,
    #[serde(default)]
    pub term_months: String,
    #[serde(default)]
    pub minimum_commitment: String,
    /// The base product's code (add-ons only).
    #[serde(default)]
    pub base_product: String,
    /// One per line.
    #[serde(default)]
    pub reservation_types: String,
    /// One per line.
    #[serde(default)]
    pub regions: String,
    #[serde(default)]
    pub scope_single: Option<String>,
    #[serde(default)]
    pub scope_shared: Option<String>,
    #[serde(default)]
    pub ri_reservation_type: String,
    #[serde(default)]
    pub ri_term_years: String,
    #[serde(default)]
    pub ri_scope: String,
    #[serde(default)]
    pub ri_region: String,
    #[serde(default)]
    pub description: String,
}

/// What a reserved instance offers (its terms and payment plans are its prices), and the
/// choices its product page preselects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ReservationSetup {
    pub reservation_types: Vec<String>,
    pub scopes: Vec<String>,
    pub regions: Vec<String>,
    pub preselected_type: Option<String>,
    pub preselected_term_years: Option<i32>,
    pub preselected_scope: Option<String>,
    pub preselected_region: Option<String>,
}

impl ReservationSetup {
    /// The setup from a product's row and its option rows (kept in their order).
    pub(crate) fn of(product: &products::Model, options: &[reservation_options::Model]) -> ReservationSetup {
        let values = |dimension| {
            options.iter().filter(|o| o.dimension == dimension).map(|o| o.value.clone()).collect::<Vec<_>>()
        };
        ReservationSetup {
            reservation_types: values(ReservationDimension::ReservationType),
            scopes: values(ReservationDimension::Scope),
            regions: values(ReservationDimension::Region),
            preselected_type: product.ri_reservation_type.clone(),
            preselected_term_years: product.ri_term_years,
            preselected_scope: product.ri_scope.clone(),
            preselected_region: product.ri_region.clone(),
        }
    }

    /// The option rows to store, as (dimension, value), in order.
    pub(crate) fn options(&self) -> Vec<(ReservationDimension, String)> {
        [
            (ReservationDimension::ReservationType, &self.reservation_types),
            (ReservationDimension::Scope, &self.scopes),
            (ReservationDimension::Region, &self.regions),
        ]
        .into_iter()
        .flat_map(|(dimension, values)| values.iter().map(move |v| (dimension, v.clone())))
        .collect()
    }

    fn is_empty(&self) -> bool {
        *self == ReservationSetup::default()
    }
}

/// A checked product form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProductFields {
    pub code: String,
    pub name: String,
    pub vendor: String,
    pub family: ProductFamily,
    pub usage_family: String,
    pub kind: ProductKind,
    pub billing_cycle: BillingCycle,
    pub term_months: i32,
    /// Per month, in the minor unit of the subscriber's currency; consumption only.
    pub minimum_commitment: Option<i64>,
    /// The base product's code; add-ons only (one: the schema holds one per add-on).
    pub base_product: Option<String>,
    /// Reserved instances only (else empty).
    pub reservation: ReservationSetup,
    pub description: String,
}

impl ProductFields {
    /// A stored product's fields (its base product's code, its reservation options).
    pub(crate) fn of(
        product: &products::Model,
        base_code: Option<String>,
        options: &[reservation_options::Model],
    ) -> ProductFields {
        ProductFields {
            code: product.code.clone(),
            name: product.name.clone(),
            vendor: product.vendor.clone(),
            family: product.family,
            usage_family: product.usage_family.clone(),
            kind: product.kind,
            billing_cycle: product.billing_cycle,
            term_months: product.term_months,
            minimum_commitment: product.minimum_commitment,
            base_product: base_code,
            reservation: ReservationSetup::of(product, options),
            description: product.description.clone(),
        }
    }
}

impl ProductForm {
    /// The form filled with a product's fields (for editing it).
    pub(crate) fn of(fields: &ProductFields) -> ProductForm {
        let ri = &fields.reservation;
        let tick = |scope: &str| ri.scopes.iter().any(|s| s == scope).then(|| "on".to_string());
        ProductForm {
            code: fields.code.clone(),
            name: fields.name.clone(),
            vendor: fields.vendor.clone(),
            family: fields.family.as_str().into(),
            usage_family: fields.usage_family.clone(),
            kind: fields.kind.as_str().into(),
            billing_cycle: fields.billing_cycle.as_str().into(),
            term_months: fields.term_months.to_string(),
            minimum_commitment: fields.minimum_commitment.map(|m| m.to_string()).unwrap_or_default(),
            base_product: fields.base_product.clone().unwrap_or_default(),
            reservation_types: ri.reservation_types.join("\n"),
            regions: ri.regions.join("\n"),
            scope_single: tick("single"),
            scope_shared: tick("shared"),
            ri_reservation_type: ri.preselected_type.clone().unwrap_or_default(),
            ri_term_years: ri.preselected_term_years.map(|t| t.to_string()).unwrap_or_default(),
            ri_scope: ri.preselected_scope.clone().unwrap_or_default(),
            ri_region: ri.preselected_region.clone().unwrap_or_default(),
            description: fields.description.clone(),
        }
    }
}

/// A product code: upper-case letters, digits and hyphens, 2 to 40 characters (lower case
/// is upper-cased, so codes are unique whatever their case).
pub(crate) fn check_code(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if !(2..=MAX_CODE_CHARS).contains(&code.chars().count()) {
        return Err(format!("A product code has 2 to {MAX_CODE_CHARS} characters."));
    }
    if !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
        return Err("A product code has only letters A to Z, digits and hyphens.".into());
    }
    Ok(code)
}

/// One line of text: trimmed, at most `max` characters, no control characters; empty
/// only when `required` is false.
fn check_line(text: &str, what: &str, max: usize, required: bool) -> Result<String, String> {
    let line = text.trim();
    if required && line.is_empty() {
        return Err(format!("Enter the {what}."));
    }
    if line.chars().count() > max {
        return Err(format!("The {what} has at most {max} characters."));
    }
    if line.chars().any(char::is_control) {
        return Err(format!("The {what} cannot contain control characters."));
    }
    Ok(line.to_string())
}

fn check_description(text: &str) -> Result<String, String> {
    let description = text.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(format!("A description has at most {MAX_DESCRIPTION_CHARS} characters."));
    }
    if description.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("A description cannot contain control characters.".into());
    }
    Ok(description.to_string())
}

fn check_term(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(months) if (1..=MAX_TERM_MONTHS).contains(&months) => Ok(months),
        _ => Err(format!("The term is a whole number of months from 1 to {MAX_TERM_MONTHS}.")),
    }
}

/// A monthly minimum in the minor unit: blank or 0 for none.
pub(crate) fn check_minimum(text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(0) => Ok(None),
        Ok(amount) if (1..=MAX_MINIMUM).contains(&amount) => Ok(Some(amount)),
        _ => Err(format!(
            "The minimum commitment is a whole number in the currency's minor unit (CLP 100.000 is 100000, USD 12.50 is 1250), from 0 to {MAX_MINIMUM}."
        )),
    }
}

/// Which billing cycles and terms go with a kind; the error names the field.
pub(crate) fn check_billing(kind: ProductKind, cycle: BillingCycle, term_months: i32) -> Result<(), FieldError> {
    let refused = |message: &str| Err(("billing_cycle", message.to_string()));
    match (kind, cycle) {
        (ProductKind::Consumption, BillingCycle::Monthly) => Ok(()),
        (ProductKind::Consumption, _) => refused("A consumption product is billed monthly, on usage."),
        (ProductKind::PerpetualLicense, BillingCycle::OneTime) => Ok(()),
        (ProductKind::PerpetualLicense, _) => refused("A perpetual licence is paid once: choose one-time."),
        (ProductKind::ReservedInstance, BillingCycle::OneTime) => Ok(()),
        (ProductKind::ReservedInstance, _) => refused(
            "A reservation is billed as its payment plan says (upfront or monthly) for its 1 or 3 years: choose one-time.",
        ),
        (_, BillingCycle::OneTime) => refused("A subscription or add-on is billed monthly or yearly."),
        (_, BillingCycle::Annual) if term_months % 12 != 0 => {
            Err(("term_months", "An annual product's term is a whole number of years (12, 24, 36…).".into()))
        }
        _ => Ok(()),
    }
}

/// The longest list of options (one per line, each at most `max_chars`) a form may send.
pub(crate) fn max_list_chars(max_chars: usize) -> usize {
    MAX_OPTIONS * (max_chars + 2)
}

/// One option per line: trimmed, blank lines skipped, repeats dropped.
fn check_list(text: &str, what: &str, max_chars: usize) -> Result<Vec<String>, String> {
    if text.chars().count() > max_list_chars(max_chars) {
        return Err(format!("The list of each {what} is too long: at most {MAX_OPTIONS} lines."));
    }
    let mut values: Vec<String> = Vec::new();
    for line in text.lines() {
        let value = check_line(line, what, max_chars, false)?;
        if !value.is_empty() && !values.contains(&value) {
            values.push(value);
        }
    }
    if values.len() > MAX_OPTIONS {
        return Err(format!("A reserved instance offers at most {MAX_OPTIONS} of each option."));
    }
    Ok(values)
}

/// An Azure region name: lower-case letters and digits ("brazilsouth", "eastus2").
fn check_region(region: &str) -> Result<(), String> {
    if region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("“{region}” is not a region name: use Azure's, such as brazilsouth or eastus2."))
    }
}

/// A preselected value: blank for none, else one of `offered`.
fn preselected(text: &str, offered: &[String], what: &str) -> Result<Option<String>, String> {
    let value = text.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match offered.iter().find(|o| o.eq_ignore_ascii_case(value)) {
        Some(found) => Ok(Some(found.clone())),
        None => Err(format!("The preselected {what} must be one the product offers.")),
    }
}

/// The value of a checked field, or `None` with its error recorded.
fn keep<T>(errors: &mut Vec<FieldError>, name: &'static str, result: Result<T, String>) -> Option<T> {
    result.map_err(|e| errors.push((name, e))).ok()
}

/// The reserved-instance part of the form: required for a reserved instance, refused
/// (field by field) for any other kind.
fn check_reservation(form: &ProductForm, kind: Option<ProductKind>, errors: &mut Vec<FieldError>) -> ReservationSetup {
    let types = check_list(&form.reservation_types, "reservation type", MAX_OPTION_CHARS);
    let types = keep(errors, "reservation_types", types).unwrap_or_default();
    let regions = check_list(&form.regions.to_ascii_lowercase(), "region", MAX_REGION_CHARS)
        .and_then(|regions| regions.iter().try_for_each(|r| check_region(r)).map(|_| regions));
    let regions = keep(errors, "regions", regions).unwrap_or_default();
    let scopes: Vec<String> = [("single", &form.scope_single), ("shared", &form.scope_shared)]
        .into_iter()
        .filter(|(_, ticked)| ticked.as_deref().is_some_and(|v| !v.is_empty()))
        .map(|(scope, _)| scope.to_string())
        .collect();
    let term = match form.ri_term_years.trim() {
        "" => Ok(None),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|t| RI_TERMS.contains(t))
            .map(Some)
            .ok_or_else(|| "The preselected term is 1 or 3 years.".to_string()),
    };
    let term = keep(errors, "ri_term_years", term).flatten();
    let preselected_type = preselected(&form.ri_reservation_type, &types, "reservation type");
    let preselected_scope = preselected(&form.ri_scope, &scopes, "scope");
    let preselected_region = preselected(&form.ri_region, &regions, "region");
    let setup = ReservationSetup {
        preselected_type: keep(errors, "ri_reservation_type", preselected_type).flatten(),
        preselected_scope: keep(errors, "ri_scope", preselected_scope).flatten(),
        preselected_region: keep(errors, "ri_region", preselected_region).flatten(),
        preselected_term_years: term,
        reservation_types: types,
        scopes,
        regions,
    };
    match kind {
        Some(ProductKind::ReservedInstance) => {
            for (name, empty, what) in [
                ("reservation_types", setup.reservation_types.is_empty(), "reservation type"),
                ("scopes", setup.scopes.is_empty(), "scope"),
                ("regions", setup.regions.is_empty(), "region"),
            ] {
                // A list refused above is not also missing.
                if empty && !errors.iter().any(|(f, _)| *f == name) {
                    errors.push((name, format!("A reserved instance offers at least one {what}.")));
                }
            }
            setup
        }
        _ if setup.is_empty() => setup,
        _ => {
            errors.push(("reservation_types", "Only a reserved instance has reservation options: clear them.".into()));
            ReservationSetup::default()
        }
    }
}

/// Checks every field (all errors at once, each naming its field).
pub(crate) fn check(form: &ProductForm) -> Result<ProductFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let code = keep(e, "code", check_code(&form.code));
    let name = keep(e, "name", check_name(&form.name));
    let vendor = keep(e, "vendor", check_line(&form.vendor, "vendor", MAX_VENDOR_CHARS, true));
    let family = ProductFamily::parse(form.family.trim()).ok_or_else(|| "Choose a family from the list.".to_string());
    let family = keep(e, "family", family);
    let usage_family = check_line(&form.usage_family, "usage family", MAX_USAGE_CHARS, false);
    let usage_family = keep(e, "usage_family", usage_family);
    let kind = ProductKind::parse(form.kind.trim()).ok_or_else(|| "Choose a kind from the list.".to_string());
    let kind = keep(e, "kind", kind);
    let cycle = BillingCycle::parse(form.billing_cycle.trim()).ok_or_else(|| "Choose a billing cycle.".to_string());
    let billing_cycle = keep(e, "billing_cycle", cycle);
    let term_months = keep(e, "term_months", check_term(&form.term_months));
    let minimum_commitment = keep(e, "minimum_commitment", check_minimum(&form.minimum_commitment)).flatten();
    let description = keep(e, "description", check_description(&form.description));
    let base_product = match form.base_product.trim() {
        "" => None,
        text => keep(e, "base_product", check_code(text)),
    };
    if let (Some(kind), Some(cycle), Some(term)) = (kind, billing_cycle, term_months) {
        if let Err(refused) = check_billing(kind, cycle, term) {
            errors.push(refused);
        }
    }
    if minimum_commitment.is_some() && kind.is_some_and(|k| k != ProductKind::Consumption) {
        errors.push(("minimum_commitment", "Only a consumption product has a minimum commitment.".into()));
    }
    match (kind, &base_product) {
        (Some(ProductKind::Addon), None) if form.base_product.trim().is_empty() => {
            errors.push(("base_product", "Choose the product this add-on is for.".into()))
        }
        (Some(k), Some(_)) if k != ProductKind::Addon => {
            errors.push(("base_product", "Only an add-on has a base product.".into()))
        }
        _ => {}
    }
    let reservation = check_reservation(form, kind, &mut errors);
    match (code, name, vendor, family, usage_family, kind, billing_cycle, term_months, description) {
        (
            Some(code),
            Some(name),
            Some(vendor),
            Some(family),
            Some(usage_family),
            Some(kind),
            Some(billing_cycle),
            Some(term_months),
            Some(description),
        ) if errors.is_empty() => Ok(ProductFields {
            code,
            name,
            vendor,
            family,
            usage_family,
            kind,
            billing_cycle,
            term_months,
            minimum_commitment,
            base_product,
            reservation,
            description,
        }),
        _ => Err(errors),
    }
}

/// The attributes running subscriptions depend on that `new` changes: kind, term, billing
/// cycle (their form field names).
pub(crate) fn locked_changes(old: &products::Model, new: &ProductFields) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.kind != new.kind {
        changed.push("kind");
    }
    if old.term_months != new.term_months {
        changed.push("term_months");
    }
    if old.billing_cycle != new.billing_cycle {
        changed.push("billing_cycle");
    }
    changed
}

/// May `new` be saved over `old` while `in_use` subscriptions (and add-ons) that are not
/// canceled use the product? Not when it changes the kind, term or billing cycle: their
/// terms, renewals and billing follow those.
pub(crate) fn may_change(old: &products::Model, new: &ProductFields, in_use: u64) -> Result<(), ProductError> {
    let fields = locked_changes(old, new);
    if in_use == 0 || fields.is_empty() {
        return Ok(());
    }
    Err(ProductError::InUse { count: in_use, fields })
}

/// Why a product change was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProductError {
    #[error("The code {0} is already in use: choose another.")]
    CodeInUse(String),
    #[error("{0}")]
    BaseProduct(BaseProductProblem),
    #[error("{}", in_use_message(*count, fields))]
    InUse { count: u64, fields: Vec<&'static str> },
    #[error("Tick “Sure” to unpublish the product.")]
    NotConfirmed,
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(ProductError);

/// Why an add-on's base product was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaseProductProblem {
    NoSuchCode(String),
    ItsOwn,
    AnotherAddon,
}

impl std::fmt::Display for BaseProductProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaseProductProblem::NoSuchCode(code) => write!(f, "There is no product with the code {code}."),
            BaseProductProblem::ItsOwn => f.write_str("An add-on cannot be its own base product."),
            BaseProductProblem::AnotherAddon => f.write_str("An add-on's base product cannot be another add-on."),
        }
    }
}

impl ProductError {
    /// The refusal in the reader's language (`Display` stays English for the API, the logs
    /// and the price import). For the admin catalogue page (the admin pages' group calls it
    /// when it converts that page).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            ProductError::CodeInUse(code) => tr!(loc, "product-admin-code-in-use", code = code.as_str()),
            ProductError::BaseProduct(BaseProductProblem::NoSuchCode(code)) => {
                tr!(loc, "product-admin-no-such-base", code = code.as_str())
            }
            ProductError::BaseProduct(BaseProductProblem::ItsOwn) => loc.t("product-admin-base-its-own"),
            ProductError::BaseProduct(BaseProductProblem::AnotherAddon) => loc.t("product-admin-base-another-addon"),
            ProductError::InUse { count, fields } => {
                let names: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        loc.t(match *f {
                            "term_months" => msg!("product-admin-locked-term"),
                            "billing_cycle" => msg!("product-admin-locked-billing-cycle"),
                            _ => msg!("product-admin-locked-kind"),
                        })
                    })
                    .collect();
                let fields = match names.as_slice() {
                    [] => String::new(),
                    [one] => one.clone(),
                    [rest @ .., last] => {
                        tr!(loc, "product-admin-locked-and", first = rest.join(", "), last = last.as_str())
                    }
                };
                tr!(loc, "product-admin-in-use", count = *count, fields = fields)
            }
            ProductError::NotConfirmed => loc.t("product-admin-not-confirmed"),
            ProductError::Failed(_) => loc.t("error-internal"),
        }
    }
}

impl ProductError {
    /// The form field a refusal is about.
    pub(crate) fn field(&self) -> &'static str {
        match self {
            ProductError::CodeInUse(_) => "code",
            ProductError::BaseProduct(_) => "base_product",
            ProductError::InUse { fields, .. } => fields.first().copied().unwrap_or("kind"),
            ProductError::NotConfirmed => "confirm",
            ProductError::Failed(_) => "",
        }
    }
}

/// "1 subscription", "3 subscriptions".
pub(crate) fn subscriptions(count: u64) -> String {
    if count == 1 {
        "1 subscription".into()
    } else {
        format!("{count} subscriptions")
    }
}

/// "2 subscriptions use this product: its term cannot change while any does (…)".
fn in_use_message(count: u64, fields: &[&'static str]) -> String {
    let verb = if count == 1 { "uses" } else { "use" };
    format!(
        "{} {verb} this product: its {} cannot change while any does (cancel them first, or create a new product).",
        subscriptions(count),
        locked_names(fields)
    )
}

fn locked_names(fields: &[&'static str]) -> String {
    let names: Vec<&str> = fields
        .iter()
        .map(|f| match *f {
            "term_months" => "term",
            "billing_cycle" => "billing cycle",
            other => other,
        })
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A product's attributes as (audit field, value).
fn details(f: &ProductFields) -> Vec<(&'static str, String)> {
    let ri = &f.reservation;
    vec![
        ("code", f.code.clone()),
        ("name", f.name.clone()),
        ("vendor", f.vendor.clone()),
        ("family", f.family.label().into()),
        ("usage family", f.usage_family.clone()),
        ("kind", f.kind.label().into()),
        ("billing cycle", cycle_name(f.billing_cycle).into()),
        ("term months", f.term_months.to_string()),
        ("minimum commitment", f.minimum_commitment.map(|m| m.to_string()).unwrap_or_default()),
        ("base product", f.base_product.clone().unwrap_or_default()),
        ("reservation types", ri.reservation_types.join(", ")),
        ("scopes", ri.scopes.join(", ")),
        ("regions", ri.regions.join(", ")),
        ("preselected reservation type", ri.preselected_type.clone().unwrap_or_default()),
        ("preselected term years", ri.preselected_term_years.map(|t| t.to_string()).unwrap_or_default()),
        ("preselected scope", ri.preselected_scope.clone().unwrap_or_default()),
        ("preselected region", ri.preselected_region.clone().unwrap_or_default()),
        ("description", f.description.clone()),
    ]
}

/// The audit lines of a product's attributes: old → new, or what was set (`old` None).
pub(crate) fn changes(old: Option<&ProductFields>, new: &ProductFields) -> Vec<Change> {
    match old {
        Some(old) => details(old)
            .into_iter()
            .zip(details(new))
            .map(|((field, old), (_, new))| Change::new(field, old, new))
            .collect(),
        None => details(new).into_iter().filter(|(_, v)| !v.is_empty()).map(|(f, v)| Change::set(f, v)).collect(),
    }
}

/// "published" or "unpublished".
pub(crate) fn status_word(active: bool) -> &'static str {
    if active {
        "published"
    } else {
        "unpublished"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_product;

    fn form() -> ProductForm {
        ProductForm {
            code: "m365-e5".into(),
            name: "Microsoft 365 E5".into(),
            vendor: "Microsoft".into(),
            family: "microsoft_365".into(),
            usage_family: "Microsoft 365".into(),
            kind: "license_subscription".into(),
            billing_cycle: "annual".into(),
            term_months: "12".into(),
            description: "Enterprise, per user.\nPaid yearly.".into(),
            ..Default::default()
        }
    }

    fn reservation() -> ProductForm {
        ProductForm {
            code: "RI-E4SV5".into(),
            name: "Azure Reserved VM Instance E4s v5".into(),
            family: "azure".into(),
            usage_family: "Reserved Instance".into(),
            kind: "reserved_instance".into(),
            billing_cycle: "one_time".into(),
            reservation_types: "Virtual Machines E4s v5\n\n  Virtual Machines E4s v5 \nVirtual Machines E8s v5".into(),
            regions: "BrazilSouth\neastus2".into(),
            scope_shared: Some("on".into()),
            ri_reservation_type: "virtual machines e8s v5".into(),
            ri_term_years: "3".into(),
            ri_scope: "shared".into(),
            ri_region: "eastus2".into(),
            ..form()
        }
    }

    fn fields_named(form: &ProductForm) -> Vec<&'static str> {
        check(form).unwrap_err().iter().map(|(f, _)| *f).collect()
    }

    #[test]
    fn a_good_form_is_checked_and_normalised() {
        let fields = check(&form()).unwrap();
        assert_eq!(fields.code, "M365-E5");
        assert_eq!(
            (fields.kind, fields.billing_cycle, fields.term_months),
            (ProductKind::LicenseSubscription, BillingCycle::Annual, 12)
        );
        assert_eq!(fields.family, ProductFamily::Microsoft365);
        assert_eq!(fields.minimum_commitment, None);
        assert_eq!(fields.reservation, ReservationSetup::default());
        assert_eq!(ProductForm::of(&fields), ProductForm { code: "M365-E5".into(), ..form() });
    }

    #[test]
    fn a_reserved_instance_offers_its_lists_and_preselects_from_them() {
        let fields = check(&reservation()).unwrap();
        let ri = &fields.reservation;
        assert_eq!(ri.reservation_types, ["Virtual Machines E4s v5", "Virtual Machines E8s v5"], "repeats dropped");
        assert_eq!(ri.regions, ["brazilsouth", "eastus2"]);
        assert_eq!(ri.scopes, ["shared"]);
        assert_eq!(ri.preselected_type.as_deref(), Some("Virtual Machines E8s v5"));
        assert_eq!((ri.preselected_term_years, ri.preselected_scope.as_deref()), (Some(3), Some("shared")));
        assert_eq!(ri.options().len(), 5);
        assert_eq!(ri.options()[2], (ReservationDimension::Scope, "shared".to_string()));

        let nothing = ProductForm {
            reservation_types: String::new(),
            regions: String::new(),
            scope_shared: None,
            ri_reservation_type: String::new(),
            ri_scope: String::new(),
            ri_region: String::new(),
            ..reservation()
        };
        assert_eq!(fields_named(&nothing), ["reservation_types", "scopes", "regions"]);
        let elsewhere = ProductForm {
            ri_region: "westeurope".into(),
            ri_scope: "single".into(),
            ri_term_years: "2".into(),
            ..reservation()
        };
        assert_eq!(fields_named(&elsewhere), ["ri_term_years", "ri_scope", "ri_region"]);
        let bad_region = ProductForm { regions: "brazil south".into(), ri_region: String::new(), ..reservation() };
        assert_eq!(fields_named(&bad_region), ["regions"]);
        let too_many = ProductForm {
            regions: (0..21).map(|i| format!("r{i}\n")).collect(),
            ri_region: String::new(),
            ..reservation()
        };
        assert_eq!(fields_named(&too_many), ["regions"]);
        let licence =
            ProductForm { kind: "license_subscription".into(), billing_cycle: "annual".into(), ..reservation() };
        assert_eq!(fields_named(&licence), ["reservation_types"], "only a reserved instance has options");
    }

    #[test]
    fn every_bad_field_is_named_with_its_reason() {
        let bad = ProductForm {
            code: "A".into(),
            name: "x".repeat(201),
            vendor: " ".into(),
            family: "office".into(),
            usage_family: "u".repeat(65),
            kind: "bundle".into(),
            billing_cycle: "weekly".into(),
            term_months: "0".into(),
            minimum_commitment: "12.5".into(),
            description: "d".repeat(2_001),
            base_product: "no such code!".into(),
            ..form()
        };
        assert_eq!(
            fields_named(&bad),
            [
                "code",
                "name",
                "vendor",
                "family",
                "usage_family",
                "kind",
                "billing_cycle",
                "term_months",
                "minimum_commitment",
                "description",
                "base_product"
            ]
        );
        assert_eq!(check(&ProductForm::default()).unwrap_err().len(), 7, "an empty form names what is missing");
    }

    #[test]
    fn codes_are_upper_case_letters_digits_and_hyphens() {
        assert_eq!(check_code(" ri-d2sv5 "), Ok("RI-D2SV5".into()));
        assert!(check_code(&"A".repeat(40)).is_ok());
        assert!(check_code(&"A".repeat(41)).is_err());
        assert!(check_code("A").is_err());
        assert!(check_code("M365 E3").is_err());
        assert!(check_code("M365_E3").is_err());
        assert!(check_code("CFQ7TTC0LH18:0001").is_err());
    }

    #[test]
    fn kinds_go_with_their_billing_cycles() {
        use BillingCycle::*;
        use ProductKind::*;
        assert!(check_billing(Consumption, Monthly, 1).is_ok());
        assert!(check_billing(Consumption, Annual, 12).is_err());
        assert!(check_billing(PerpetualLicense, OneTime, 1).is_ok());
        assert!(check_billing(PerpetualLicense, Monthly, 1).is_err());
        assert!(check_billing(ReservedInstance, OneTime, 12).is_ok());
        assert!(check_billing(ReservedInstance, Monthly, 12).is_err());
        for kind in [LicenseSubscription, SoftwareSubscription, Addon] {
            assert!(check_billing(kind, Monthly, 1).is_ok());
            assert!(check_billing(kind, Monthly, 12).is_ok());
            assert!(check_billing(kind, Annual, 36).is_ok());
            assert_eq!(check_billing(kind, Annual, 18).unwrap_err().0, "term_months");
            assert_eq!(check_billing(kind, OneTime, 1).unwrap_err().0, "billing_cycle");
        }
    }

    #[test]
    fn only_consumption_has_a_minimum_and_only_an_add_on_a_base_product() {
        assert_eq!(check_minimum(""), Ok(None));
        assert_eq!(check_minimum("0"), Ok(None));
        assert_eq!(check_minimum(" 100000 "), Ok(Some(100_000)));
        assert!(check_minimum("-1").is_err());
        assert!(check_minimum("1000000000001").is_err());
        assert!(check_minimum("100.000").is_err());
        let azure = ProductForm {
            kind: "consumption".into(),
            billing_cycle: "monthly".into(),
            term_months: "1".into(),
            minimum_commitment: "100000".into(),
            ..form()
        };
        assert_eq!(check(&azure).unwrap().minimum_commitment, Some(100_000));
        assert_eq!(fields_named(&ProductForm { minimum_commitment: "5000".into(), ..form() }), ["minimum_commitment"]);

        let addon = ProductForm { kind: "addon".into(), billing_cycle: "monthly".into(), ..form() };
        assert_eq!(fields_named(&addon), ["base_product"], "an add-on names its base product");
        let addon = ProductForm { base_product: "m365-bs".into(), ..addon };
        assert_eq!(check(&addon).unwrap().base_product.as_deref(), Some("M365-BS"));
        assert_eq!(fields_named(&ProductForm { base_product: "M365-BS".into(), ..form() }), ["base_product"]);
    }

    #[test]
    fn kind_term_and_cycle_are_locked_while_subscriptions_use_the_product() {
        let old = products::Model {
            term_months: 12,
            billing_cycle: BillingCycle::Annual,
            ..test_product(ProductKind::LicenseSubscription, "Microsoft 365")
        };
        let same = ProductFields::of(&old, None, &[]);
        let renamed = ProductFields { name: "Renamed".into(), description: "New words".into(), ..same.clone() };
        assert!(may_change(&old, &renamed, 3).is_ok(), "a name is not what subscriptions run on");
        let longer = ProductFields { term_months: 24, ..same.clone() };
        assert!(may_change(&old, &longer, 0).is_ok(), "nobody uses it");
        let err = may_change(&old, &longer, 1).unwrap_err();
        assert!(matches!(&err, ProductError::InUse { count: 1, fields } if fields == &["term_months"]));
        assert_eq!(err.field(), "term_months");
        assert_eq!(
            err.to_string(),
            "1 subscription uses this product: its term cannot change while any does (cancel them first, or create a new product)."
        );
        let monthly_software = ProductFields {
            kind: ProductKind::SoftwareSubscription,
            billing_cycle: BillingCycle::Monthly,
            term_months: 1,
            ..same
        };
        let err = may_change(&old, &monthly_software, 4).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("4 subscriptions use this product: its kind, term and billing cycle cannot"));
    }

    #[test]
    fn the_audit_lines_name_what_changed() {
        let old = check(&form()).unwrap();
        let new = ProductFields { name: "Microsoft 365 E5 (no Teams)".into(), ..old.clone() };
        assert_eq!(
            crate::audit::describe(&changes(Some(&old), &new)),
            "name: Microsoft 365 E5 → Microsoft 365 E5 (no Teams)"
        );
        let created = crate::audit::describe(&changes(None, &old));
        assert!(created.starts_with("code: M365-E5\nname: Microsoft 365 E5\nvendor: Microsoft\nfamily: Microsoft 365"));
        assert!(created.contains("billing cycle: Annual\nterm months: 12"), "{created}");
        assert!(!created.contains("minimum commitment"), "nothing for what is not set");
    }

    #[test]
    fn existing_products_get_the_family_their_names_point_to() {
        use ProductFamily::*;
        let cases = [
            ("Microsoft", "Microsoft 365", "Microsoft 365 Business Standard", Microsoft365),
            ("Microsoft", "Add-on", "Microsoft Defender for Office 365 (Plan 1)", Microsoft365),
            ("Microsoft", "Azure Plan", "Azure plan", Azure),
            ("Microsoft", "MS Azure", "Microsoft Azure (legacy CSP)", Azure),
            ("Microsoft", "Reserved Instance", "Azure Reserved VM Instance D2s v5", Azure),
            ("Acronis", "Acronis", "Acronis Cyber Protect Cloud", Acronis),
            ("Microsoft", "Perpetual License", "Windows Server 2022 Standard (16 cores)", WindowsServer),
            ("Microsoft", "Dynamics", "Dynamics 365 Sales Professional", Dynamics365),
            ("Kaspersky", "", "Endpoint Security", Other),
        ];
        for (vendor, usage, name, family) in cases {
            assert_eq!(legacy_family(vendor, usage, name), family, "{name}");
        }
    }
}
