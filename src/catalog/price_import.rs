//! Importing a price list from CSV (Admin → Prices, or `stratus catalogue import FILE`):
//! a subset of the columns of Microsoft's partner price list, named in a header row, in any
//! order. Each row is a product's cost (`UnitPrice`) and list price (`ERP Price`) in a
//! currency from a date. The product code is `ProductId-SkuId`; an unknown code creates an
//! unpublished licence subscription, a known one only gets prices.
//!
//! The whole file is checked first — every row, then every row against the catalogue and
//! the rest of the file — and every refused row is reported with its line. Only a file with
//! no refused row is written, in one transaction, through the same writes as the product
//! form ([`super::admin::insert`]) and the price form ([`super::price_lists::write_list_price`]):
//! one audit entry per product created and per price set, plus one `price list imported`
//! entry with the counts.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::admin;
use super::price_lists::{self, ListPriceChange, PriceError};
use super::product_rules::{self, ProductError, ProductFields, ProductForm};
use crate::audit::{self, AuditActor, Change};
use crate::billing::money;
use crate::entities::enums::{BillingCycle, ProductFamily, ProductKind, RiPaymentPlan};
use crate::entities::{prices, products, reservation_prices};
use crate::error::AppError;

/// Largest file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most price rows in one file.
pub const MAX_ROWS: usize = 20_000;
/// The most columns a header may have.
const MAX_COLUMNS: usize = 200;
/// How many refused rows a page or the command line lists; the rest are counted.
pub const SHOWN_REFUSALS: usize = 50;

/// The vendor of a product the import creates.
const VENDOR: &str = "Microsoft";

/// The columns read, as the header names them (matched without regard to case or spaces).
const PRODUCT_ID: &str = "ProductId";
const SKU_ID: &str = "SkuId";
const PRODUCT_TITLE: &str = "ProductTitle";
const SKU_TITLE: &str = "SkuTitle";
const TERM: &str = "TermDuration";
const PLAN: &str = "BillingPlan";
const UNIT_PRICE: &str = "UnitPrice";
const ERP_PRICE: &str = "ERP Price";
const CURRENCY: &str = "Currency";
const START: &str = "EffectiveStartDate";
const END: &str = "EffectiveEndDate";

/// The columns a file must have.
pub const REQUIRED: [&str; 7] = [PRODUCT_ID, TERM, PLAN, UNIT_PRICE, ERP_PRICE, CURRENCY, START];

/// A refused row: its line in the file and why.
pub type Rejected = (u64, String);

/// A term as Microsoft's price list writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Term {
    P1M,
    P1Y,
    P3Y,
}

impl Term {
    fn parse(text: &str) -> Option<Term> {
        match text.trim().to_ascii_uppercase().as_str() {
            "P1M" => Some(Term::P1M),
            "P1Y" => Some(Term::P1Y),
            "P3Y" => Some(Term::P3Y),
            _ => None,
        }
    }

    fn months(self) -> i32 {
        match self {
            Term::P1M => 1,
            Term::P1Y => 12,
            Term::P3Y => 36,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Term::P1M => "P1M",
            Term::P1Y => "P1Y",
            Term::P3Y => "P3Y",
        }
    }
}

/// A billing plan as Microsoft's price list writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Plan {
    Monthly,
    Annual,
    OneTime,
}

impl Plan {
    fn parse(text: &str) -> Option<Plan> {
        match text.trim().to_ascii_lowercase().replace([' ', '-', '_'], "").as_str() {
            "monthly" => Some(Plan::Monthly),
            "annual" => Some(Plan::Annual),
            "onetime" => Some(Plan::OneTime),
            _ => None,
        }
    }

    fn cycle(self) -> BillingCycle {
        match self {
            Plan::Monthly => BillingCycle::Monthly,
            Plan::Annual => BillingCycle::Annual,
            Plan::OneTime => BillingCycle::OneTime,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Plan::Monthly => "Monthly",
            Plan::Annual => "Annual",
            Plan::OneTime => "OneTime",
        }
    }
}

/// A row that passed the checks that need neither the catalogue nor the other rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PriceRow {
    pub line: u64,
    pub code: String,
    /// `SkuTitle`, else `ProductTitle` (needed only to create the product).
    pub title: Option<String>,
    pub term: Term,
    pub plan: Plan,
    pub currency: String,
    /// `ERP Price`.
    pub list: i64,
    /// `UnitPrice`.
    pub cost: i64,
    pub from: NaiveDate,
}

/// Why a file is refused (nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("The file is larger than {} MB: split it into smaller files.", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("The file has more than {MAX_ROWS} price rows: split it into smaller files.")]
    TooManyRows,
    #[error("The file is not UTF-8 text: save it as “CSV UTF-8”.")]
    NotUtf8,
    #[error("The file is not CSV: {0}")]
    NotCsv(String),
    #[error("The first line must name the columns; it lacks {}.", .0.join(", "))]
    MissingColumns(Vec<&'static str>),
    #[error("The file has no price rows.")]
    Empty,
    #[error("There is no provider account yet: create the provider admin first (stratus create-admin).")]
    NoProvider,
    #[error("{} {} refused, so nothing was imported.", .0.len(), if .0.len() == 1 { "row was" } else { "rows were" })]
    Refused(Vec<Rejected>),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(ImportError);

impl ImportError {
    /// The refusal said in `loc`'s language (Admin → Prices); `Display` stays English. The
    /// reasons of refused rows stay as the checks say them.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        use crate::i18n::tr;
        match self {
            ImportError::TooLarge => tr!(loc, "prices-import-too-large", mb = MAX_BYTES / 1024 / 1024),
            ImportError::TooManyRows => {
                tr!(loc, "prices-import-too-many-rows", max = loc.number(i64::try_from(MAX_ROWS).unwrap_or(i64::MAX)))
            }
            ImportError::NotUtf8 => loc.t("prices-import-not-utf8"),
            ImportError::NotCsv(why) => tr!(loc, "prices-import-not-csv", why = why.as_str()),
            ImportError::MissingColumns(columns) => {
                tr!(loc, "prices-import-missing-columns", columns = columns.join(", "))
            }
            ImportError::Empty => loc.t("prices-import-empty"),
            ImportError::NoProvider => loc.t("prices-import-no-provider"),
            ImportError::Refused(rows) => tr!(loc, "prices-import-refused", count = rows.len()),
            ImportError::Failed(error) => error.to_string(),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub products_created: usize,
    pub prices_set: usize,
}

impl Imported {
    /// "12 products created (unpublished), 340 prices set."
    pub fn summary(&self) -> String {
        let products = match self.products_created {
            1 => "1 product".to_string(),
            n => format!("{n} products"),
        };
        let prices = match self.prices_set {
            1 => "1 price".to_string(),
            n => format!("{n} prices"),
        };
        format!("{products} created (unpublished), {prices} set.")
    }
}

/// The refused rows to list (the first [`SHOWN_REFUSALS`]) and how many more there are.
pub fn shown(rejected: &[Rejected]) -> (&[Rejected], usize) {
    let shown = &rejected[..rejected.len().min(SHOWN_REFUSALS)];
    (shown, rejected.len() - shown.len())
}

/// A header name as compared: no case, spaces, underscores or byte-order mark.
fn normalised(name: &str) -> String {
    name.trim_start_matches('\u{feff}').chars().filter(|c| !matches!(c, ' ' | '_')).collect::<String>().to_lowercase()
}

/// Where each column read is in the file.
#[derive(Debug)]
struct Columns {
    index: HashMap<&'static str, usize>,
}

impl Columns {
    fn of(header: &csv::StringRecord) -> Result<Columns, ImportError> {
        // A price list has a few dozen columns; thousands mean this is something else.
        if header.len() > MAX_COLUMNS {
            return Err(ImportError::NotCsv(format!(
                "the header has {} columns (at most {MAX_COLUMNS})",
                header.len()
            )));
        }
        let names: Vec<String> = header.iter().map(normalised).collect();
        let mut index = HashMap::new();
        for column in
            [PRODUCT_ID, SKU_ID, PRODUCT_TITLE, SKU_TITLE, TERM, PLAN, UNIT_PRICE, ERP_PRICE, CURRENCY, START, END]
        {
            if let Some(at) = names.iter().position(|n| *n == normalised(column)) {
                index.insert(column, at);
            }
        }
        let missing: Vec<&'static str> = REQUIRED.into_iter().filter(|c| !index.contains_key(c)).collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns(missing));
        }
        Ok(Columns { index })
    }

    fn get<'a>(&self, record: &'a csv::StringRecord, column: &str) -> &'a str {
        self.index.get(column).and_then(|at| record.get(*at)).unwrap_or("").trim()
    }
}

/// A date as the price list writes it: `2026-12-01`, or Microsoft's date-time
/// (`2026-12-01T00:00:00Z`, `2026-12-01T00:00:00.0000000Z`), read as the day written.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.naive_local().date());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|at| at.date())
}

/// An amount in the currency's major unit, as the price form reads it; zeros past the
/// currency's decimals after a decimal point are dropped when the fraction has four or
/// more digits (Microsoft writes `20.1600`), nothing else. Exactly three digits after a
/// point (`1.500`) could be a thousands point (Chilean spreadsheets write `1.500` for one
/// thousand five hundred): refused as ambiguous rather than read 1,000 times too low.
fn parse_amount(text: &str, currency: &str, column: &str) -> Result<i64, String> {
    let digits = money::minor_digits(currency) as usize;
    let mut text = text.trim().to_string();
    let fraction = text.split_once('.').map(|(_, f)| f.len());
    if digits > 0 && fraction == Some(3) {
        return Err(format!(
            "{column}: {currency} has {digits} decimals, and {text} could also be a thousands point: write it without thousands separators"
        ));
    }
    if digits > 0 && !text.contains(',') && text.matches('.').count() == 1 && fraction.is_some_and(|f| f >= 4) {
        while text.ends_with('0') && text.split_once('.').is_some_and(|(_, f)| f.len() > digits) {
            text.pop();
        }
    }
    price_lists::parse_plain_amount(&text, currency, column).map_err(|e| e.to_string())
}

/// The product code of a row: `ProductId-SkuId` (or the `ProductId` alone when there is no
/// `SkuId`), upper-cased, under the product code rule.
pub(crate) fn product_code(product_id: &str, sku_id: &str) -> Result<String, String> {
    if product_id.is_empty() {
        return Err(format!("{PRODUCT_ID} is empty."));
    }
    let raw = if sku_id.is_empty() { product_id.to_string() } else { format!("{product_id}-{sku_id}") };
    product_rules::check_code(&raw).map_err(|why| format!("{PRODUCT_ID}-{SKU_ID} “{raw}” is not a product code: {why}"))
}

fn check_row(line: u64, record: &csv::StringRecord, columns: &Columns, today: NaiveDate) -> Result<PriceRow, String> {
    let get = |column: &str| columns.get(record, column);
    let code = product_code(get(PRODUCT_ID), get(SKU_ID))?;
    let title = [get(SKU_TITLE), get(PRODUCT_TITLE)].into_iter().find(|t| !t.is_empty()).map(str::to_string);
    let term = Term::parse(get(TERM)).ok_or_else(|| format!("{TERM} must be P1M, P1Y or P3Y, not “{}”.", get(TERM)))?;
    let plan = Plan::parse(get(PLAN))
        .ok_or_else(|| format!("{PLAN} must be Monthly, Annual or OneTime, not “{}”.", get(PLAN)))?;
    let currency = price_lists::check_currency(&get(CURRENCY).to_ascii_uppercase())
        .map_err(|e| format!("{CURRENCY} “{}”: {e}", get(CURRENCY)))?;
    let cost = parse_amount(get(UNIT_PRICE), &currency, "UnitPrice (the cost to resellers)")?;
    let list = parse_amount(get(ERP_PRICE), &currency, "ERP Price (the list price)")?;
    let from = parse_date(get(START)).ok_or_else(|| {
        format!("{START} must be a date such as 2026-12-01 or 2026-12-01T00:00:00Z, not “{}”.", get(START))
    })?;
    let from = price_lists::check_from(from, today).map_err(|e| format!("{START} {from}: {e}"))?;
    match get(END) {
        "" => {}
        end => match parse_date(end) {
            None => return Err(format!("{END} must be a date such as 2026-12-31, or empty, not “{end}”.")),
            Some(end) if end < from => return Err(format!("{END} {end} is before {START} {from}.")),
            Some(_) => {}
        },
    }
    Ok(PriceRow { line, code, title, term, plan, currency, list, cost, from })
}

/// The delimiter of the file: a comma, or a semicolon when the header has more of those
/// (as Excel writes CSV where the decimal mark is a comma).
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// Line numbers of byte offsets. (The csv crate's own line is the blank line's for the
/// record after one: BurntSushi/rust-csv#208.)
struct Lines<'a> {
    text: &'a str,
    /// The offset of every line break.
    breaks: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn of(text: &'a str) -> Lines<'a> {
        Lines { text, breaks: text.match_indices('\n').map(|(at, _)| at).collect() }
    }

    /// The line of the record that starts at `byte`, past any blank lines before it.
    fn at(&self, byte: u64) -> u64 {
        let start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        let skipped = self.text[start..].bytes().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        self.breaks.partition_point(|at| *at < start + skipped) as u64 + 1
    }
}

/// Reads the file: `Err` refuses it whole (too large, not UTF-8, not this header, too many
/// rows); otherwise the rows that passed their own checks and the ones that did not.
pub(crate) fn parse(bytes: &[u8], today: NaiveDate) -> Result<(Vec<PriceRow>, Vec<Rejected>), ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| ImportError::NotCsv(e.to_string()))?.clone();
    let columns = Columns::of(&header)?;
    let (mut rows, mut rejected, mut count) = (Vec::new(), Vec::new(), 0usize);
    let mut record = csv::StringRecord::new();
    let lines = Lines::of(text);
    // Quotes come in pairs (a quote inside a field is doubled): an odd count is one left open.
    let quote_left_open = text.matches('"').count() % 2 == 1;
    loop {
        let line = lines.at(reader.position().byte());
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) if record.iter().all(|f| f.trim().is_empty()) => continue,
            Ok(true) => {
                count += 1;
                if count > MAX_ROWS {
                    return Err(ImportError::TooManyRows);
                }
                let line = record.position().map_or(line, |p| lines.at(p.byte()));
                // A quote left open would swallow the rows after it into one field.
                if quote_left_open && record.iter().any(|field| field.contains(['\n', '\r'])) {
                    rejected.push((line, "A field runs over several lines: a quote (\") is left open.".into()));
                    break;
                }
                match check_row(line, &record, &columns, today) {
                    Ok(row) => rows.push(row),
                    Err(reason) => rejected.push((line, reason)),
                }
            }
            Err(e) => {
                // What follows an unreadable line cannot be trusted to be where it seems.
                let line = e.position().map_or(line, |p| lines.at(p.byte()));
                rejected.push((line, format!("The line cannot be read as CSV: {e}")));
                break;
            }
        }
    }
    if count == 0 {
        return Err(ImportError::Empty);
    }
    Ok((rows, rejected))
}

/// What a checked file will write, in file order.
#[derive(Debug, Default)]
pub(crate) struct Planned {
    /// New products, each with the line that creates it.
    pub creates: Vec<(u64, ProductFields)>,
    /// (line, product code, change)
    pub prices: Vec<(u64, String, ListPriceChange)>,
}

/// The product a file's row creates: a licence subscription, unpublished, from Microsoft,
/// named by the row's title, with the row's term and billing plan — checked by the
/// product form's rules.
fn new_product(row: &PriceRow) -> Result<ProductFields, String> {
    let Some(name) = &row.title else {
        return Err(format!("There is no product {}: give its {SKU_TITLE} or {PRODUCT_TITLE} to create it.", row.code));
    };
    let family = match product_rules::legacy_family(VENDOR, "", name) {
        ProductFamily::Other | ProductFamily::Acronis => ProductFamily::Microsoft365,
        family => family,
    };
    let form = ProductForm {
        code: row.code.clone(),
        name: name.clone(),
        vendor: VENDOR.into(),
        family: family.as_str().into(),
        usage_family: family.label().into(),
        kind: ProductKind::LicenseSubscription.as_str().into(),
        billing_cycle: row.plan.cycle().as_str().into(),
        term_months: row.term.months().to_string(),
        ..ProductForm::default()
    };
    product_rules::check(&form).map_err(|errors| {
        let reasons: Vec<String> = errors.into_iter().map(|(_, why)| why).collect();
        format!(
            "{} would be a new licence subscription ({} {}), but: {}",
            row.code,
            row.term.as_str(),
            row.plan.as_str(),
            reasons.join(" ")
        )
    })
}

/// A reserved instance's term (years) and payment plan from a row.
fn reservation_of(row: &PriceRow) -> Result<(i32, RiPaymentPlan), String> {
    let years = match row.term {
        Term::P1Y => 1,
        Term::P3Y => 3,
        Term::P1M => return Err(format!("{} is a reserved instance: its {TERM} is P1Y or P3Y.", row.code)),
    };
    let plan = match row.plan {
        Plan::OneTime => RiPaymentPlan::Upfront,
        Plan::Monthly => RiPaymentPlan::Monthly,
        Plan::Annual => {
            return Err(format!("{} is a reserved instance: its {PLAN} is OneTime (upfront) or Monthly.", row.code))
        }
    };
    Ok((years, plan))
}

/// How a product's term and cycle read in the price list's words ("P1Y Annual").
fn offer_words(term_months: i32, cycle: BillingCycle) -> String {
    let term = match term_months {
        1 => "P1M".to_string(),
        12 => "P1Y".to_string(),
        36 => "P3Y".to_string(),
        months => format!("a {months}-month term"),
    };
    let plan = match cycle {
        BillingCycle::Monthly => "Monthly",
        BillingCycle::Annual => "Annual",
        BillingCycle::OneTime => "OneTime",
    };
    format!("{term} {plan}")
}

/// Checks a known product's row against it: a reserved instance takes the row's term and
/// plan as its reservation's; any other product must be sold as the row says (a one-time
/// product only by its billing plan).
fn offer_of(product: &products::Model, row: &PriceRow) -> Result<Option<(i32, RiPaymentPlan)>, String> {
    if product.kind == ProductKind::ReservedInstance {
        return reservation_of(row).map(Some);
    }
    let same_plan = row.plan.cycle() == product.billing_cycle;
    let same_term = product.billing_cycle == BillingCycle::OneTime || row.term.months() == product.term_months;
    if same_plan && same_term {
        return Ok(None);
    }
    Err(format!(
        "{} is sold {}; this row is {} {}: one product per term and billing plan.",
        product.code,
        offer_words(product.term_months, product.billing_cycle),
        row.term.as_str(),
        row.plan.as_str()
    ))
}

/// What one price row sets: (product code, currency, reservation, from).
type PriceKey = (String, String, Option<(i32, RiPaymentPlan)>, NaiveDate);

/// A price a product already has: (product id, currency, reservation).
type InUse = (i32, String, Option<(i32, RiPaymentPlan)>);

/// Checks the rows against the catalogue (`existing` products by code, and the prices
/// they have, `in_use`) and each other: which products to create, which prices to set,
/// and the rows refused.
pub(crate) fn plan(
    rows: Vec<PriceRow>,
    existing: &HashMap<String, products::Model>,
    in_use: &HashSet<InUse>,
    today: NaiveDate,
) -> (Planned, Vec<Rejected>) {
    let mut planned = Planned::default();
    let mut rejected = Vec::new();
    // Products this file creates: code → (line, term, plan); `None` when its first row
    // could not create it (that row decides, as for a product it does create).
    let mut creating: HashMap<String, Option<(u64, Term, Plan)>> = HashMap::new();
    // (code, currency, reservation, from) → line.
    let mut seen: HashMap<PriceKey, u64> = HashMap::new();
    for row in rows {
        let checked = match (existing.get(&row.code), creating.get(&row.code)) {
            (Some(product), _) => {
                offer_of(product, &row).map(|reservation| (product.kind, reservation, Some(product.id)))
            }
            (None, Some(Some((_, term, plan)))) if (*term, *plan) == (row.term, row.plan) => {
                Ok((ProductKind::LicenseSubscription, None, None))
            }
            (None, Some(Some((line, term, plan)))) => Err(format!(
                "{} is created by line {line} as {} {}; this row is {} {}: one product per term and billing plan.",
                row.code,
                term.as_str(),
                plan.as_str(),
                row.term.as_str(),
                row.plan.as_str()
            )),
            (None, Some(None)) => {
                Err(format!("There is no product {}, and its first row in the file cannot create it.", row.code))
            }
            (None, None) => {
                let created = new_product(&row);
                creating.insert(row.code.clone(), created.as_ref().ok().map(|_| (row.line, row.term, row.plan)));
                created.map(|fields| {
                    planned.creates.push((row.line, fields));
                    (ProductKind::LicenseSubscription, None, None)
                })
            }
        };
        let change = checked.and_then(|(kind, reservation, id)| {
            let change =
                price_lists::check_list_price_of(kind, &row.currency, reservation, row.list, row.cost, row.from)
                    .map_err(|e| e.to_string())?;
            // As the form: a change to a price in use starts tomorrow (a new product's first
            // price may start today).
            let used = id.is_some_and(|id| in_use.contains(&(id, change.currency.clone(), change.reservation)));
            price_lists::starts_in_time(used, change.from, today).map_err(|e| {
                let suffix = price_lists::reservation_suffix(change.reservation);
                format!("{} in {}{suffix} from {}: {e}", row.code, change.currency, change.from)
            })?;
            Ok(change)
        });
        let change = change.and_then(|change| {
            let key = (row.code.clone(), change.currency.clone(), change.reservation, change.from);
            match seen.get(&key) {
                Some(first) => Err(format!(
                    "Line {first} already prices {} in {}{} from {}.",
                    row.code,
                    change.currency,
                    price_lists::reservation_suffix(change.reservation),
                    change.from
                )),
                None => {
                    seen.insert(key, row.line);
                    Ok(change)
                }
            }
        });
        match change {
            Ok(change) => planned.prices.push((row.line, row.code, change)),
            Err(reason) => rejected.push((row.line, reason)),
        }
    }
    (planned, rejected)
}

/// The products with these codes, by code.
async fn existing_products(
    db: &DatabaseConnection,
    codes: Vec<String>,
) -> Result<HashMap<String, products::Model>, ImportError> {
    let mut found = HashMap::new();
    for chunk in codes.chunks(500) {
        let products = products::Entity::find().filter(products::Column::Code.is_in(chunk.to_vec())).all(db).await?;
        found.extend(products.into_iter().map(|p| (p.code.clone(), p)));
    }
    Ok(found)
}

/// The prices the products with these ids have, whatever their dates.
async fn prices_in_use(db: &DatabaseConnection, ids: Vec<i32>) -> Result<HashSet<InUse>, ImportError> {
    let mut in_use = HashSet::new();
    for chunk in ids.chunks(500) {
        let list = prices::Entity::find().filter(prices::Column::ProductId.is_in(chunk.to_vec())).all(db).await?;
        in_use.extend(list.into_iter().map(|p| (p.product_id, p.currency, None)));
        let reservations = reservation_prices::Entity::find()
            .filter(reservation_prices::Column::ProductId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        in_use
            .extend(reservations.into_iter().map(|p| (p.product_id, p.currency, Some((p.term_years, p.payment_plan)))));
    }
    Ok(in_use)
}

/// A file checked against the catalogue, ready to write.
#[derive(Debug)]
pub(crate) struct Checked {
    provider: crate::entities::accounts::Model,
    planned: Planned,
    existing: HashMap<String, products::Model>,
}

impl Checked {
    /// The prices the file sets.
    pub(crate) fn prices(&self) -> usize {
        self.planned.prices.len()
    }
}

/// Checks the whole file (every row, then every row against the catalogue and the rest of
/// the file) without writing anything: `Err` with every refused row.
pub(crate) async fn check(db: &DatabaseConnection, bytes: &[u8], today: NaiveDate) -> Result<Checked, ImportError> {
    let provider = crate::accounts::store::provider_account(db).await?.ok_or(ImportError::NoProvider)?;
    let (rows, mut rejected) = parse(bytes, today)?;
    let mut codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    codes.sort();
    codes.dedup();
    let existing = existing_products(db, codes).await?;
    let in_use = prices_in_use(db, existing.values().map(|p| p.id).collect()).await?;
    let (planned, refused) = plan(rows, &existing, &in_use, today);
    rejected.extend(refused);
    if !rejected.is_empty() {
        rejected.sort_by_key(|(line, _)| *line);
        return Err(ImportError::Refused(rejected));
    }
    Ok(Checked { provider, planned, existing })
}

/// Imports a price list made by `by` (the provider admin, or the command line): checks the
/// whole file, then writes it in one transaction, or nothing with every refused row.
pub async fn import(
    db: &DatabaseConnection,
    by: &AuditActor,
    bytes: &[u8],
    today: NaiveDate,
) -> Result<Imported, ImportError> {
    import_with_progress(db, by, bytes, today, &mut |_, _| {}).await
}

/// [`import`], telling `progress` the prices written of the prices to write as it goes
/// (all or nothing still: they are committed together at the end).
pub async fn import_with_progress(
    db: &DatabaseConnection,
    by: &AuditActor,
    bytes: &[u8],
    today: NaiveDate,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Imported, ImportError> {
    let Checked { provider, mut planned, existing } = check(db, bytes, today).await?;
    let mut rejected = Vec::new();
    let txn = db.begin().await?;
    let mut products = existing;
    let products_created = planned.creates.len();
    for (line, fields) in planned.creates {
        match admin::insert(&txn, by, provider.id, fields).await {
            Ok(product) => {
                products.insert(product.code.clone(), product);
            }
            Err(ProductError::Failed(e)) => return Err(e.into()),
            // Created by somebody else since the file was checked: the transaction may not
            // go on (PostgreSQL refuses anything after a failed statement).
            Err(refused) => return Err(ImportError::Refused(vec![(line, refused.to_string())])),
        }
    }
    let prices_set = planned.prices.len();
    progress(0, prices_set);
    // Oldest first, so a new product's first price (which may start today) is written
    // before its later changes, as the check above saw it.
    planned.prices.sort_by_key(|(_, _, change)| change.from);
    for (index, (line, code, change)) in planned.prices.into_iter().enumerate() {
        if index % 100 == 0 {
            progress(index, prices_set);
        }
        let product = products.get(&code).ok_or_else(|| AppError::Internal(format!("{code} vanished")))?;
        match price_lists::write_list_price(&txn, by, provider.id, product, &change, today).await {
            Ok(()) => {}
            Err(PriceError::Failed(e)) => return Err(e.into()),
            // Saved by somebody else at the same moment: the transaction may not go on.
            Err(refused @ PriceError::SavedMeanwhile) => {
                return Err(ImportError::Refused(vec![(line, refused.to_string())]))
            }
            // A price put in use since the file was checked (the form's rules, again).
            Err(refused) => rejected.push((line, refused.to_string())),
        }
    }
    rejected.sort_by_key(|(line, _)| *line);
    if !rejected.is_empty() {
        return Err(ImportError::Refused(rejected));
    }
    progress(prices_set, prices_set);
    let imported = Imported { products_created, prices_set };
    let changes = [Change::set("products created", products_created), Change::set("prices set", prices_set)];
    audit::record(&txn, by, Some(provider.id), "price list imported", "price list", &changes).await?;
    txn.commit().await?;
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_product;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-11-15";
    const HEADER: &str = "ProductId,SkuId,ProductTitle,SkuTitle,TermDuration,BillingPlan,UnitPrice,ERP Price,Currency,EffectiveStartDate,EffectiveEndDate,Segment";

    fn parsed(rows: &str) -> (Vec<PriceRow>, Vec<Rejected>) {
        parse(format!("{HEADER}\n{rows}").as_bytes(), d(TODAY)).unwrap()
    }

    fn reasons(rows: &str) -> Vec<Rejected> {
        parsed(rows).1
    }

    #[test]
    fn a_microsoft_row_becomes_a_code_an_offer_a_cost_and_a_list_price() {
        let (rows, rejected) = parsed(
            "CFQ7TTC0LFLX,0001,Microsoft 365 E3,Microsoft 365 E3 (no Teams),P1Y,Annual,33.75,36.00,USD,2026-12-01T00:00:00.0000000Z,9999-12-31T23:59:59.9999999Z,Commercial\n",
        );
        assert_eq!(rejected, vec![]);
        assert_eq!(
            rows[0],
            PriceRow {
                line: 2,
                code: "CFQ7TTC0LFLX-0001".into(),
                title: Some("Microsoft 365 E3 (no Teams)".into()),
                term: Term::P1Y,
                plan: Plan::Annual,
                currency: "USD".into(),
                list: 3_600,
                cost: 3_375,
                from: d("2026-12-01"),
            }
        );
    }

    #[test]
    fn a_quote_left_open_refuses_the_row_instead_of_swallowing_the_rest() {
        let rejected = reasons(
            "M365,,,,P1M,Monthly,8000,9990,CLP,2026-12-01,,\"Commercial\n\
             M365,,,,P1M,Monthly,8100,9990,CLP,2026-12-02,,Commercial\n",
        );
        assert_eq!(rejected.len(), 1);
        assert!(rejected[0].1.contains("a quote (\") is left open"), "{rejected:?}");
    }

    #[test]
    fn columns_come_in_any_order_with_any_case_and_extra_ones_are_ignored() {
        let file =
            "\u{feff}currency;erp price;UNITPRICE;Market;billingplan;termduration;productid;effectivestartdate\n\
                    clp;9990;8000;CL;monthly;p1m;m365;2026-11-15\n\
                    USD;13,00;12,5;US;Monthly;P1M;m365;2026-11-15\n";
        let (rows, rejected) = parse(file.as_bytes(), d(TODAY)).unwrap();
        assert_eq!(rejected, vec![], "a semicolon file, as Excel writes it with a decimal comma");
        assert_eq!((rows[0].code.as_str(), rows[0].list, rows[0].cost), ("M365", 9_990, 8_000));
        assert_eq!((rows[0].term, rows[0].plan, rows[0].title.as_deref()), (Term::P1M, Plan::Monthly, None));
        assert_eq!((rows[1].currency.as_str(), rows[1].list, rows[1].cost), ("USD", 1_300, 1_250));
    }

    #[test]
    fn a_file_that_is_not_this_format_is_refused_whole() {
        assert!(matches!(parse(&[0xff, 0xfe, 0x41, 0x00], d(TODAY)), Err(ImportError::NotUtf8)));
        let Err(ImportError::MissingColumns(missing)) = parse(b"hello, world\n", d(TODAY)) else { panic!() };
        assert_eq!(missing, REQUIRED);
        let err = parse(b"ProductId,SkuId,TermDuration,BillingPlan,UnitPrice,Currency\n", d(TODAY)).unwrap_err();
        assert_eq!(err.to_string(), "The first line must name the columns; it lacks ERP Price, EffectiveStartDate.");
        assert!(matches!(parse(HEADER.as_bytes(), d(TODAY)), Err(ImportError::Empty)));
        assert!(matches!(parse(&vec![b' '; MAX_BYTES + 1], d(TODAY)), Err(ImportError::TooLarge)));
        let many = format!("{HEADER}\n{}", "x\n".repeat(MAX_ROWS + 1));
        assert!(matches!(parse(many.as_bytes(), d(TODAY)), Err(ImportError::TooManyRows)));
        assert!(matches!(parse(b"", d(TODAY)), Err(ImportError::MissingColumns(_))));
    }

    #[test]
    fn every_bad_row_is_named_by_its_line_with_its_reason() {
        let refused = reasons(
            "A,1,T,,P1Y,Annual,10,12,USD,2026-12-01,,\n\
             \n\
             A,1,T,,P2Y,Annual,10,12,USD,2026-12-01,,\n\
             A,1,T,,P1Y,Weekly,10,12,USD,2026-12-01,,\n\
             A,1,T,,P1Y,Annual,10,12,EUR,2026-12-01,,\n\
             A,1,T,,P1Y,Annual,10.123,12,USD,2026-12-01,,\n\
             A,1,T,,P1Y,Annual,10,12.5,CLP,2026-12-01,,\n\
             A,1,T,,P1Y,Annual,-1,12,USD,2026-12-01,,\n\
             A,1,T,,P1Y,Annual,10,12,USD,12/01/2026,,\n\
             A,1,T,,P1Y,Annual,10,12,USD,2026-11-14,,\n\
             A,1,T,,P1Y,Annual,10,12,USD,2026-12-01,2026-11-30,\n\
             A_B,1,T,,P1Y,Annual,10,12,USD,2026-12-01,,\n\
             ,,,,,,,,,,,\n\
             ,1,T,,P1Y,Annual,10,12,USD,2026-12-01,,\n\
             A,1,T,,P1Y,Annual,10,12,USD,2026-12-01,not a date,\n",
        );
        let lines: Vec<u64> = refused.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16], "{refused:#?}");
        let starts = [
            "TermDuration must be P1M, P1Y or P3Y, not “P2Y”",
            "BillingPlan must be Monthly",
            "Currency “EUR”: Choose a currency",
            "UnitPrice (the cost to resellers): USD has 2 decimals",
            "ERP Price (the list price): CLP has 0 decimals",
            "UnitPrice (the cost to resellers): write a number",
            "EffectiveStartDate must be a date",
            "EffectiveStartDate 2026-11-14: A price change starts today or later",
            "EffectiveEndDate 2026-11-30 is before EffectiveStartDate 2026-12-01",
            "ProductId-SkuId “A_B-1” is not a product code",
            "ProductId is empty",
            "EffectiveEndDate must be a date",
        ];
        for ((line, reason), start) in refused.iter().zip(starts) {
            assert!(reason.starts_with(start), "line {line}: {reason}");
        }
    }

    #[test]
    fn lines_are_counted_as_an_editor_shows_them() {
        let file = format!("{HEADER}\r\n\r\n\r\nA,1,T,,P9Y,Annual,10,12,USD,2026-12-01,,\r\nA,1,\"T\r\nT\",,P1Y,Annual,10,12,USD,2026-12-01,,\r\nA,1,T,,P9Y,Annual,10,12,USD,2026-12-01,,\r\n");
        let (rows, refused) = parse(file.as_bytes(), d(TODAY)).unwrap();
        assert_eq!(rows[0].line, 5, "a record starts on the line where it begins");
        let lines: Vec<u64> = refused.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [4, 7], "blank lines and a quoted line break count");
    }

    #[test]
    fn a_broken_quote_is_reported_at_its_line() {
        let (rows, refused) = parsed("A,1,\"T,,P1Y,Annual,10,12,USD,2026-12-01,,\n");
        assert!(rows.is_empty());
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].0, 2);
    }

    #[test]
    fn microsofts_dates_and_amounts_are_read_as_written() {
        assert_eq!(parse_date("2026-12-01"), Some(d("2026-12-01")));
        assert_eq!(parse_date("2026-12-01T00:00:00Z"), Some(d("2026-12-01")));
        assert_eq!(parse_date("2026-12-01T00:00:00.0000000Z"), Some(d("2026-12-01")));
        assert_eq!(parse_date("2026-12-01T00:00:00-03:00"), Some(d("2026-12-01")));
        assert_eq!(parse_date("2026-12-01T00:00:00"), Some(d("2026-12-01")));
        assert_eq!(parse_date("01/12/2026"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_amount("20.1600", "USD", "UnitPrice"), Ok(2_016));
        assert_eq!(parse_amount("20", "USD", "UnitPrice"), Ok(2_000));
        assert!(parse_amount("20.1610", "USD", "UnitPrice").is_err());
        assert!(parse_amount("12.000", "CLP", "UnitPrice").is_err(), "a thousands point is not a decimal");
        assert!(parse_amount("1.500", "USD", "UnitPrice").is_err(), "nor in dollars: ambiguous, refused");
        assert!(parse_amount("150.000", "USD", "UnitPrice").is_err());
        assert_eq!(parse_amount("12.50", "USD", "UnitPrice"), Ok(1_250));
        assert!(parse_amount("1,230", "USD", "UnitPrice").is_err(), "nor a thousands comma");
        assert_eq!(parse_amount("9990", "CLP", "UnitPrice"), Ok(9_990));
    }

    #[test]
    fn codes_join_the_product_and_sku_ids() {
        assert_eq!(product_code("cfq7ttc0lflx", "0001"), Ok("CFQ7TTC0LFLX-0001".into()));
        assert_eq!(product_code("RI-D2SV5", ""), Ok("RI-D2SV5".into()));
        assert!(product_code("", "0001").is_err());
        assert!(product_code(&"A".repeat(36), "0001").unwrap_err().contains("2 to 40 characters"));
    }

    fn row(code: &str, term: Term, plan: Plan, from: &str) -> PriceRow {
        PriceRow {
            line: 2,
            code: code.into(),
            title: Some("Microsoft 365 E3".into()),
            term,
            plan,
            currency: "USD".into(),
            list: 3_600,
            cost: 3_375,
            from: d(from),
        }
    }

    fn numbered(rows: Vec<PriceRow>) -> Vec<PriceRow> {
        rows.into_iter().enumerate().map(|(i, r)| PriceRow { line: i as u64 + 2, ..r }).collect()
    }

    #[test]
    fn an_unknown_code_creates_one_unpublished_licence_subscription_with_the_rows_offer() {
        let rows = numbered(vec![
            row("NEW-1", Term::P1Y, Plan::Monthly, "2026-12-01"),
            PriceRow {
                currency: "CLP".into(),
                list: 30_000,
                cost: 27_000,
                ..row("NEW-1", Term::P1Y, Plan::Monthly, "2026-12-01")
            },
            row("NEW-1", Term::P1Y, Plan::Monthly, "2027-01-01"),
            row("NEW-1", Term::P1M, Plan::Monthly, "2026-12-01"),
            row("NEW-1", Term::P1Y, Plan::Monthly, "2026-12-01"),
            PriceRow {
                title: Some("Dynamics 365 Sales Professional".into()),
                ..row("NEW-2", Term::P3Y, Plan::Annual, "2026-12-01")
            },
            row("NEW-3", Term::P1M, Plan::Annual, "2026-12-01"),
            row("NEW-4", Term::P1Y, Plan::OneTime, "2026-12-01"),
            PriceRow { title: None, ..row("NEW-5", Term::P1M, Plan::Monthly, "2026-12-01") },
            PriceRow { list: 3_000, ..row("NEW-6", Term::P1M, Plan::Monthly, "2026-12-01") },
            row("NEW-5", Term::P1M, Plan::Monthly, "2027-01-01"),
        ]);
        let (planned, refused) = plan(rows, &HashMap::new(), &HashSet::new(), d(TODAY));
        let created: Vec<(u64, &str, BillingCycle, i32, ProductFamily)> = planned
            .creates
            .iter()
            .map(|(line, f)| (*line, f.code.as_str(), f.billing_cycle, f.term_months, f.family))
            .collect();
        assert_eq!(
            created,
            [
                (2, "NEW-1", BillingCycle::Monthly, 12, ProductFamily::Microsoft365),
                (7, "NEW-2", BillingCycle::Annual, 36, ProductFamily::Dynamics365),
                (11, "NEW-6", BillingCycle::Monthly, 1, ProductFamily::Microsoft365),
            ]
        );
        let first = &planned.creates[0].1;
        assert_eq!(
            (first.kind, first.vendor.as_str(), first.name.as_str()),
            (ProductKind::LicenseSubscription, "Microsoft", "Microsoft 365 E3")
        );
        let priced: Vec<u64> = planned.prices.iter().map(|(line, _, _)| *line).collect();
        assert_eq!(priced, [2, 3, 4, 7]);
        let lines: Vec<u64> = refused.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [5, 6, 8, 9, 10, 11, 12], "{refused:#?}");
        assert!(
            refused[0].1.contains("NEW-1 is created by line 2 as P1Y Monthly; this row is P1M Monthly"),
            "{}",
            refused[0].1
        );
        assert_eq!(refused[1].1, "Line 2 already prices NEW-1 in USD from 2026-12-01.");
        assert!(refused[2].1.contains("annual product's term is a whole number of years"), "{}", refused[2].1);
        assert!(refused[3].1.contains("billed monthly or yearly"), "{}", refused[3].1);
        assert!(refused[4].1.starts_with("There is no product NEW-5: give its SkuTitle or ProductTitle"));
        assert!(refused[5].1.starts_with("The list price (USD 30.00) is below the cost"), "{}", refused[5].1);
        assert_eq!(refused[6].1, "There is no product NEW-5, and its first row in the file cannot create it.");
    }

    #[test]
    fn a_known_code_only_gets_prices_for_the_offer_it_is_sold_as() {
        let licence = products::Model {
            code: "M365-E3".into(),
            term_months: 12,
            billing_cycle: BillingCycle::Annual,
            ..test_product(ProductKind::LicenseSubscription, "Microsoft 365")
        };
        let ri = products::Model { code: "RI-D2SV5".into(), ..test_product(ProductKind::ReservedInstance, "") };
        let perpetual = products::Model {
            code: "WS-2022".into(),
            billing_cycle: BillingCycle::OneTime,
            ..test_product(ProductKind::PerpetualLicense, "")
        };
        let existing: HashMap<String, products::Model> =
            [licence, ri, perpetual].into_iter().map(|p| (p.code.clone(), p)).collect();
        let rows = numbered(vec![
            row("M365-E3", Term::P1Y, Plan::Annual, "2026-12-01"),
            row("M365-E3", Term::P1Y, Plan::Monthly, "2026-12-01"),
            row("RI-D2SV5", Term::P1Y, Plan::OneTime, "2026-12-01"),
            row("RI-D2SV5", Term::P3Y, Plan::Monthly, "2026-12-01"),
            row("RI-D2SV5", Term::P1M, Plan::Monthly, "2026-12-01"),
            row("RI-D2SV5", Term::P1Y, Plan::Annual, "2026-12-01"),
            row("WS-2022", Term::P1Y, Plan::OneTime, "2026-12-01"),
            row("WS-2022", Term::P1M, Plan::Monthly, "2027-12-01"),
        ]);
        let (planned, refused) = plan(rows, &existing, &HashSet::new(), d(TODAY));
        assert!(planned.creates.is_empty(), "a known code creates nothing");
        let reservations: Vec<Option<(i32, RiPaymentPlan)>> =
            planned.prices.iter().map(|(_, _, c)| c.reservation).collect();
        assert_eq!(reservations, [None, Some((1, RiPaymentPlan::Upfront)), Some((3, RiPaymentPlan::Monthly)), None]);
        let lines: Vec<u64> = refused.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [3, 6, 7, 9]);
        assert_eq!(
            refused[0].1,
            "M365-E3 is sold P1Y Annual; this row is P1Y Monthly: one product per term and billing plan."
        );
        assert!(refused[1].1.contains("its TermDuration is P1Y or P3Y"));
        assert!(refused[2].1.contains("its BillingPlan is OneTime (upfront) or Monthly"));
    }

    #[test]
    fn a_price_in_use_changes_from_tomorrow_and_a_first_price_may_start_today() {
        let licence = products::Model {
            id: 7,
            code: "M365-E3".into(),
            term_months: 12,
            billing_cycle: BillingCycle::Annual,
            ..test_product(ProductKind::LicenseSubscription, "")
        };
        let ri = products::Model { id: 8, code: "RI-D2SV5".into(), ..test_product(ProductKind::ReservedInstance, "") };
        let existing = [licence, ri].into_iter().map(|p| (p.code.clone(), p)).collect();
        let in_use: HashSet<InUse> =
            [(7, "USD".to_string(), None), (8, "USD".to_string(), Some((3, RiPaymentPlan::Upfront)))].into();
        let tomorrow = "2026-11-16";
        let rows = numbered(vec![
            row("M365-E3", Term::P1Y, Plan::Annual, TODAY),
            row("M365-E3", Term::P1Y, Plan::Annual, tomorrow),
            PriceRow { currency: "CLP".into(), ..row("M365-E3", Term::P1Y, Plan::Annual, TODAY) },
            row("RI-D2SV5", Term::P3Y, Plan::OneTime, TODAY),
            row("RI-D2SV5", Term::P1Y, Plan::Monthly, TODAY),
            row("NEW-1", Term::P1M, Plan::Monthly, TODAY),
        ]);
        let (planned, refused) = plan(rows, &existing, &in_use, d(TODAY));
        let lines: Vec<u64> = refused.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 5], "{refused:#?}");
        assert_eq!(
            refused[0].1,
            "M365-E3 in USD from 2026-11-15: A change to a price already in use starts tomorrow or later: purchases and renewals today keep today's price."
        );
        assert!(refused[1].1.starts_with("RI-D2SV5 in USD (3-year term, upfront payment) from 2026-11-15"));
        assert_eq!(planned.prices.len(), 4, "the first price of a currency, a plan or a product may start today");
    }

    #[test]
    fn the_documented_example_imports_into_the_demo_catalogue() {
        let example = include_bytes!("../../docs/price-import-example.csv");
        let (rows, refused) = parse(example, d("2026-11-30")).unwrap();
        assert_eq!((rows.len(), refused), (7, vec![]));
        let e3 = products::Model {
            code: "M365-E3".into(),
            term_months: 12,
            billing_cycle: BillingCycle::Annual,
            ..test_product(ProductKind::LicenseSubscription, "Microsoft 365")
        };
        let ri = products::Model { code: "RI-D2SV5".into(), ..test_product(ProductKind::ReservedInstance, "") };
        let existing = [e3, ri].into_iter().map(|p| (p.code.clone(), p)).collect();
        let (planned, refused) = plan(rows, &existing, &HashSet::new(), d(TODAY));
        assert_eq!(refused, vec![]);
        let created: Vec<&str> = planned.creates.iter().map(|(_, f)| f.name.as_str()).collect();
        assert_eq!(
            created,
            [
                "Microsoft 365 Business Basic",
                "Microsoft 365 Business Premium",
                "Windows 365 Enterprise 2 vCPU, 4 GB, 128 GB"
            ]
        );
        assert_eq!(planned.prices.len(), 7);
    }

    #[test]
    fn the_summary_and_the_refusals_read_as_sentences() {
        assert_eq!(
            Imported { products_created: 12, prices_set: 340 }.summary(),
            "12 products created (unpublished), 340 prices set."
        );
        assert_eq!(
            Imported { products_created: 1, prices_set: 1 }.summary(),
            "1 product created (unpublished), 1 price set."
        );
        assert_eq!(
            ImportError::Refused(vec![(2, "x".into())]).to_string(),
            "1 row was refused, so nothing was imported."
        );
        let many: Vec<Rejected> = (0..120).map(|i| (i, "x".into())).collect();
        let (listed, more) = shown(&many);
        assert_eq!((listed.len(), more), (SHOWN_REFUSALS, 70));
    }
}
