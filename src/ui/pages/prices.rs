//! Prices: Admin → Prices (the provider's list prices and costs, with their history) and
//! Customers → Price list (a reseller's prices for its customers). Each change is valid
//! from a date; the pages only call `catalog::price_lists`.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{Duration, NaiveDate, Utc};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::audit::AuditActor;
use crate::billing::money;
use crate::catalog::price_import::{self, ImportError, Rejected};
use crate::catalog::price_lists::{self, PriceError, PriceLine, ResellerPriceChange, CURRENCIES};
use crate::catalog::pricing::ResellerPrice;
use crate::entities::background_jobs::JobKind;
use crate::entities::enums::RiPaymentPlan;
use crate::entities::products;
use crate::error::{encode_query_value, AppError, AppResult};
use crate::identity::session::set_flash;
use crate::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::tasks::{store, NewJob, Starter};
use crate::ui::components::{csrf_field, empty, form_error, pager};
use crate::ui::{page_with_status, PageCtx};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn amount_or_dash(amount: Option<i64>, currency: &str) -> String {
    amount.map_or_else(|| "—".into(), |a| money::format(a, currency))
}

fn line_label(line: &PriceLine) -> String {
    match line.reservation {
        Some((term, plan)) => format!("{} · {term}-year term, {}", line.currency, plan.as_str()),
        None => line.currency.clone(),
    }
}

fn product_options(products: &[(String, String)], chosen: &str) -> Vec<AnyView> {
    products
        .iter()
        .map(|(code, name)| {
            let selected = code == chosen;
            view! { <option value=code.clone() selected=selected>{format!("{name} ({code})")}</option> }.into_any()
        })
        .collect()
}

fn currency_options(chosen: &str) -> Vec<AnyView> {
    CURRENCIES.iter().map(|c| view! { <option value=*c selected=*c == chosen>{*c}</option> }.into_any()).collect()
}

/// What the provider's price form sends.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ListPriceForm {
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub term_years: String,
    #[serde(default)]
    pub payment_plan: String,
    #[serde(default)]
    pub list_price: String,
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub from: String,
}

/// Why a price list was not imported: the file's refusal, and the refused rows listed
/// (the first [`price_import::SHOWN_REFUSALS`]) with how many more there are.
#[derive(Debug, Clone, Default)]
pub(crate) struct ImportRefused {
    pub message: String,
    pub rows: Vec<Rejected>,
    pub more: usize,
}

impl ImportRefused {
    fn of(refused: &ImportError) -> ImportRefused {
        match refused {
            ImportError::Refused(rows) => {
                let (shown, more) = price_import::shown(rows);
                ImportRefused { message: refused.to_string(), rows: shown.to_vec(), more }
            }
            other => ImportRefused { message: other.to_string(), ..Default::default() },
        }
    }
}

/// The price list import form, with what was refused last.
fn import_form(ctx: &PageCtx, refused: Option<ImportRefused>) -> impl IntoView {
    let action = format!("/admin/prices/import?csrf_token={}", encode_query_value(&ctx.csrf_token));
    let refused = refused.map(|refused| {
        let rows: Vec<_> = refused
            .rows
            .iter()
            .map(|(line, reason)| view! { <tr><td class="num">{*line}</td><td>{reason.clone()}</td></tr> })
            .collect();
        let table = (!rows.is_empty()).then(|| {
            view! {
                <div class="table-wrap"><table>
                    <thead><tr><th class="num">"Line"</th><th>"Why it was refused"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            }
        });
        let more = (refused.more > 0).then(|| view! { <p>{format!("… and {} more refused rows.", refused.more)}</p> });
        view! { {form_error(Some(refused.message))} {table} {more} }
    });
    let required = price_import::REQUIRED.join(", ");
    view! {
        <h2 id="import">"Import a price list (CSV)"</h2>
        {refused}
        <form class="stacked card" method="post" enctype="multipart/form-data" action=action>
            <p>"Columns as in Microsoft's partner price list, named in the first line, in any order: "
               <code>{required}</code>
               ", and SkuId, ProductTitle or SkuTitle, EffectiveEndDate if you have them; other columns are ignored. "
               "UnitPrice is the cost to resellers, ERP Price the list price, in CLP or USD; TermDuration P1M, P1Y or P3Y; BillingPlan Monthly, Annual or OneTime. "
               "The product code is ProductId-SkuId: a code the catalogue does not have yet becomes an unpublished licence subscription. "
               "Every row is checked first: if any is refused, nothing is imported. "
               "A file that passes is imported in the background: its page shows when it is done, and Admin → Jobs lists it."</p>
            <label>"Price list (CSV, at most 5 MB and 20,000 rows)" <input type="file" name="file" accept=".csv,text/csv" required/></label>
            <button type="submit">"Import"</button>
        </form>
    }
}

fn provider_page(
    ctx: &PageCtx,
    status: StatusCode,
    lines: Paged<(products::Model, Vec<PriceLine>)>,
    choices: Vec<(String, String)>,
    form: ListPriceForm,
    error: Option<String>,
    import_refused: Option<ImportRefused>,
) -> Response {
    let ctx2 = ctx.clone();
    let pager_locale = ctx.locale;
    page_with_status(status, ctx, "Admin · Prices", move || {
        let rows: Vec<_> = lines
            .items
            .iter()
            .flat_map(|(product, lines)| {
                let history = format!("/admin/prices/{}", product.code);
                let name = product.name.clone();
                let published = if product.active { "" } else { " (unpublished)" };
                let lines = if lines.is_empty() { vec![None] } else { lines.iter().map(Some).collect() };
                lines.into_iter().map(move |line| {
                    let (label, list, cost, next) = match line {
                        Some(line) => (
                            line_label(line),
                            amount_or_dash(line.today.map(|t| t.0), &line.currency),
                            amount_or_dash(line.today.map(|t| t.1), &line.currency),
                            line.next.map_or_else(String::new, |(from, list, cost)| {
                                format!(
                                    "from {from}: {} (cost {})",
                                    money::format(list, &line.currency),
                                    money::format(cost, &line.currency)
                                )
                            }),
                        ),
                        None => ("no price".into(), "—".into(), "—".into(), String::new()),
                    };
                    view! {
                        <tr>
                            <td><a href=history.clone()>{name.clone()}</a>{published}</td>
                            <td>{label}</td>
                            <td class="num">{list}</td>
                            <td class="num">{cost}</td>
                            <td>{next}</td>
                        </tr>
                    }
                })
            })
            .collect();
        let from = if form.from.is_empty() { (today() + Duration::days(1)).to_string() } else { form.from.clone() };
        view! {
            {super::admin::admin_nav()}
            <p class="muted">"The list price is what the provider's direct customers pay; the cost is what resellers pay. A change applies to purchases from its date and to running subscriptions from their next renewal, never part-way through a term."</p>
            {lines.items.is_empty().then(|| empty("There are no products in the catalogue yet."))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Product"</th><th>"Currency"</th><th class="num">"List price today"</th><th class="num">"Cost today"</th><th>"Next change"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &lines, "/admin/prices")}
            <h2 id="change">"Change a price"</h2>
            {form_error(error)}
            <form class="stacked card" method="post" action="/admin/prices">
                {csrf_field(&ctx2)}
                <label>"Product" <select name="product">{product_options(&choices, &form.product)}</select></label>
                <label>"Currency" <select name="currency">{currency_options(&form.currency)}</select></label>
                <fieldset>
                    <legend>"Reserved instances only"</legend>
                    <label>"Term" <select name="term_years">
                        <option value="">"—"</option>
                        <option value="1" selected=form.term_years == "1">"1 year"</option>
                        <option value="3" selected=form.term_years == "3">"3 years"</option>
                    </select></label>
                    <label>"Payment plan" <select name="payment_plan">
                        <option value="">"—"</option>
                        <option value="upfront" selected=form.payment_plan == "upfront">"Upfront"</option>
                        <option value="monthly" selected=form.payment_plan == "monthly">"Monthly"</option>
                    </select></label>
                </fieldset>
                <label>"List price (net, e.g. 9990 CLP or 12.50 USD)" <input name="list_price" value=form.list_price.clone() maxlength="20" required/></label>
                <label>"Cost to resellers" <input name="cost" value=form.cost.clone() maxlength="20" required/></label>
                <label>"From" <input type="date" name="from" value=from required/></label>
                <button type="submit">"Save the price"</button>
            </form>
            {import_form(&ctx2, import_refused)}
        }
    })
}

async fn product_choices(state: &AppState) -> AppResult<Vec<(String, String)>> {
    crate::catalog::store::product_names(&state.db).await
}

/// `GET /admin/prices`.
pub(crate) async fn provider_list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let lines = price_lists::overview(&state.db, None, page_query, today()).await?;
    let choices = product_choices(&state).await?;
    Ok(provider_page(&ctx, StatusCode::OK, lines, choices, ListPriceForm::default(), None, None))
}

async fn product_by_code(state: &AppState, code: &str) -> AppResult<products::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    products::Entity::find()
        .filter(products::Column::Code.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::Unprocessable("Choose a product from the list.".into()))
}

/// Checks the provider's form into a change for its product.
fn list_change(product: &products::Model, form: &ListPriceForm) -> Result<price_lists::ListPriceChange, PriceError> {
    let currency = price_lists::check_currency(&form.currency)?;
    let reservation = match (form.term_years.as_str(), form.payment_plan.as_str()) {
        ("", "") => None,
        (term, plan) => {
            let plan = RiPaymentPlan::parse(plan).ok_or(PriceError::Reservation)?;
            Some((term.parse().map_err(|_| PriceError::Reservation)?, plan))
        }
    };
    let list = price_lists::parse_amount(&form.list_price, &currency, "List price")?;
    let cost = price_lists::parse_amount(&form.cost, &currency, "Cost")?;
    let from = price_lists::parse_from(&form.from, today())?;
    price_lists::check_list_price(product, &currency, reservation, list, cost, from)
}

/// `POST /admin/prices`.
pub(crate) async fn provider_save(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<ListPriceForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let product = product_by_code(&state, &form.product).await?;
    let outcome = match list_change(&product, &form) {
        Ok(change) => {
            let by = AuditActor::of(viewer, ctx.device.ip_text());
            price_lists::set_list_price(&state.db, &by, viewer.account.id, &product, change, today()).await
        }
        Err(refused) => Err(refused),
    };
    match outcome {
        Ok(()) => {
            set_flash(&session, format!("The price of {} was saved.", product.name)).await?;
            Ok(Redirect::to("/admin/prices").into_response())
        }
        Err(PriceError::Failed(e)) => Err(e),
        Err(refused) => {
            let lines = price_lists::overview(&state.db, None, PageQuery::default(), today()).await?;
            let choices = product_choices(&state).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(provider_page(&ctx, status, lines, choices, form, Some(refused.to_string()), None))
        }
    }
}

/// The file posted to the import form, with its name: `Err` is the status and message to
/// answer with.
async fn uploaded_file(
    upload: Result<Multipart, MultipartRejection>,
) -> Result<(String, Vec<u8>), (StatusCode, String)> {
    let unreadable = || (StatusCode::BAD_REQUEST, "The upload could not be read. Choose the file again.".to_string());
    let too_large_or_unreadable = |status: StatusCode| match status {
        StatusCode::PAYLOAD_TOO_LARGE => (status, ImportError::TooLarge.to_string()),
        _ => unreadable(),
    };
    let mut multipart = upload.map_err(|_| unreadable())?;
    while let Some(field) = multipart.next_field().await.map_err(|e| too_large_or_unreadable(e.status()))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|e| too_large_or_unreadable(e.status()))?;
            if bytes.is_empty() {
                break;
            }
            return Ok((name, bytes.to_vec()));
        }
    }
    Err((StatusCode::UNPROCESSABLE_ENTITY, "Choose a CSV file.".into()))
}

/// `POST /admin/prices/import` (multipart, the CSRF token in the query string): the whole
/// file is checked first (Admin → Prices with every refused row, nothing written); a file
/// that passes is queued, and the answer is its progress page.
pub(crate) async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    upload: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    // Who may import is known before the body is read: anyone else gets a 404, whatever
    // they post.
    let viewer = ctx.provider_admin()?;
    let (status, refused) = match uploaded_file(upload).await {
        Err((StatusCode::BAD_REQUEST, message)) => return Err(AppError::bad_request(message)),
        Err((status, message)) => (status, ImportRefused { message, ..Default::default() }),
        Ok((name, bytes)) => match price_import::check(&state.db, &bytes, today()).await {
            Ok(checked) => {
                let by = Starter::of(viewer, ctx.device.ip_text());
                let job = NewJob::import(JobKind::PriceImport, &name, bytes, checked.prices(), by);
                let job = store::enqueue(&state.db, job).await?;
                state.tasks.queued();
                return Ok(Redirect::to(&format!("/admin/jobs/{}", job.id)).into_response());
            }
            Err(ImportError::Failed(e)) => return Err(e),
            Err(refused @ ImportError::TooLarge) => (StatusCode::PAYLOAD_TOO_LARGE, ImportRefused::of(&refused)),
            Err(refused) => (StatusCode::UNPROCESSABLE_ENTITY, ImportRefused::of(&refused)),
        },
    };
    let lines = price_lists::overview(&state.db, None, PageQuery::default(), today()).await?;
    let choices = product_choices(&state).await?;
    Ok(provider_page(&ctx, status, lines, choices, ListPriceForm::default(), None, Some(refused)))
}

/// `GET /admin/prices/{code}`: every price the product has had and will have.
pub(crate) async fn history(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let product = product_by_code(&state, &code).await.map_err(|_| AppError::NotFound)?;
    let (prices, reservations) = price_lists::history(&state.db, &product).await?;
    let title = format!("Admin · Prices of {}", product.name);
    Ok(page_with_status(StatusCode::OK, &ctx, &title, move || {
        let rows: Vec<_> = prices
            .iter()
            .map(|p| (p.effective_from, p.currency.clone(), String::new(), p.amount, p.unit_cost))
            .chain(reservations.iter().map(|p| {
                let what = format!("{}-year term, {}", p.term_years, p.payment_plan.as_str());
                (p.effective_from, p.currency.clone(), what, p.amount, p.unit_cost)
            }))
            .map(|(from, currency, what, list, cost)| {
                view! {
                    <tr>
                        <td>{from.to_string()}</td>
                        <td>{currency.clone()} " " {what}</td>
                        <td class="num">{money::format(list, &currency)}</td>
                        <td class="num">{money::format(cost, &currency)}</td>
                    </tr>
                }
            })
            .collect();
        let empty_history = rows.is_empty();
        view! {
            {super::admin::admin_nav()}
            <p><a href="/admin/prices">"All prices"</a></p>
            {empty_history.then(|| empty("This product has no price yet."))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"From"</th><th>"For"</th><th class="num">"List price"</th><th class="num">"Cost"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    }))
}

/// What a reseller's price list form sends.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ResellerPriceForm {
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub currency: String,
    /// `fixed` or `markup`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub markup: String,
    #[serde(default)]
    pub from: String,
}

fn entry_text(entry: Option<ResellerPrice>, currency: &str) -> String {
    match entry {
        Some(ResellerPrice::Fixed(amount)) => money::format(amount, currency),
        Some(ResellerPrice::Markup(points)) => format!("cost + {}", price_lists::percent(points)),
        None => "list price".into(),
    }
}

fn reseller_page(
    ctx: &PageCtx,
    status: StatusCode,
    lines: Paged<(products::Model, Vec<PriceLine>)>,
    choices: Vec<(String, String)>,
    form: ResellerPriceForm,
    error: Option<String>,
) -> Response {
    let ctx2 = ctx.clone();
    let pager_locale = ctx.locale;
    page_with_status(status, ctx, "Price list", move || {
        let rows: Vec<_> = lines
            .items
            .iter()
            .flat_map(|(product, lines)| {
                let name = format!("{}{}", product.name, if product.active { "" } else { " (unpublished)" });
                lines.iter().map(move |line| {
                    let currency = line.currency.clone();
                    // A fixed price the provider's cost overtook sells at the cost.
                    let below = matches!(
                        (line.entry_today, line.today),
                        (Some(ResellerPrice::Fixed(price)), Some((_, cost))) if price < cost
                    );
                    let mut next: Vec<String> = line
                        .next_entry
                        .map(|(from, entry)| format!("your price from {from}: {}", entry_text(Some(entry), &currency)))
                        .into_iter()
                        .collect();
                    if let Some((from, _, cost)) = line.next {
                        next.push(format!("your cost from {from}: {}", money::format(cost, &currency)));
                    }
                    let next = next.join("; ");
                    view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td>{line_label(line)}</td>
                            <td class="num">{amount_or_dash(line.today.map(|t| t.1), &currency)}</td>
                            <td class="num">{amount_or_dash(line.today.map(|t| t.0), &currency)}</td>
                            <td>{entry_text(line.entry_today, &currency)}</td>
                            <td class="num">{amount_or_dash(line.customers_today, &currency)}
                                {below.then(|| view! { <strong class="form-error">" your price is below your cost: customers pay your cost"</strong> })}</td>
                            <td>{next}</td>
                        </tr>
                    }
                })
            })
            .collect();
        let from = if form.from.is_empty() { (today() + Duration::days(1)).to_string() } else { form.from.clone() };
        let markup_checked = form.kind == "markup";
        view! {
            <nav class="card" aria-label="Customers"><a href="/reseller">"Customers"</a> " · " <a href="/reseller/audit">"Audit log"</a></nav>
            <p class="muted">"What your customers pay: your own price, or a markup over your cost, from a date. Products without one sell at the provider's list price. Your customers never see your cost. A change applies to purchases from its date and to running subscriptions from their next renewal."</p>
            {lines.items.is_empty().then(|| empty("There are no products in the catalogue yet."))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Product"</th><th>"Currency"</th><th class="num">"Your cost"</th><th class="num">"List price"</th><th>"Your price"</th><th class="num">"Customers pay today"</th><th>"Next change"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &lines, "/reseller/prices")}
            <h2 id="change">"Set a price"</h2>
            {form_error(error)}
            <form class="stacked card" method="post" action="/reseller/prices">
                {csrf_field(&ctx2)}
                <label>"Product" <select name="product">{product_options(&choices, &form.product)}</select></label>
                <label>"Currency" <select name="currency">{currency_options(&form.currency)}</select></label>
                <fieldset>
                    <legend>"Your customers pay"</legend>
                    <label><input type="radio" name="kind" value="fixed" checked=!markup_checked/> " a fixed price (net)"</label>
                    <input name="amount" value=form.amount.clone() maxlength="20" aria-label="Fixed price"/>
                    <label><input type="radio" name="kind" value="markup" checked=markup_checked/> " a markup over my cost, in percent"</label>
                    <input name="markup" value=form.markup.clone() maxlength="10" aria-label="Markup percent"/>
                </fieldset>
                <label>"From" <input type="date" name="from" value=from required/></label>
                <button type="submit">"Save the price"</button>
            </form>
        }
    })
}

/// `GET /reseller/prices`.
pub(crate) async fn reseller_list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    let reseller = price_lists::reseller_of(ctx.viewer()?)?.clone();
    let lines = price_lists::overview(&state.db, Some(reseller.id), page_query, today()).await?;
    let choices = product_choices(&state).await?;
    Ok(reseller_page(&ctx, StatusCode::OK, lines, choices, ResellerPriceForm::default(), None))
}

fn reseller_change(form: &ResellerPriceForm) -> Result<ResellerPriceChange, PriceError> {
    let currency = price_lists::check_currency(&form.currency)?;
    let price = match form.kind.as_str() {
        "fixed" => ResellerPrice::Fixed(price_lists::parse_amount(&form.amount, &currency, "Fixed price")?),
        "markup" => ResellerPrice::Markup(price_lists::parse_markup(&form.markup)?),
        _ => return Err(PriceError::Kind),
    };
    Ok(ResellerPriceChange { price, from: price_lists::parse_from(&form.from, today())? })
}

/// `POST /reseller/prices`.
pub(crate) async fn reseller_save(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<ResellerPriceForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let reseller = price_lists::reseller_of(viewer)?.clone();
    // Unpublished products too: their subscriptions still renew at the reseller's price.
    let product = product_by_code(&state, &form.product).await?;
    let by = AuditActor::of(viewer, ctx.device.ip_text());
    let outcome = match reseller_change(&form) {
        Ok(change) => {
            price_lists::set_reseller_price(&state.db, &by, &reseller, &product, &form.currency, change, today()).await
        }
        Err(refused) => Err(refused),
    };
    match outcome {
        Ok(()) => {
            set_flash(&session, format!("Your price for {} was saved.", product.name)).await?;
            Ok(Redirect::to("/reseller/prices").into_response())
        }
        Err(PriceError::Failed(e)) => Err(e),
        Err(refused) => {
            let lines = price_lists::overview(&state.db, Some(reseller.id), PageQuery::default(), today()).await?;
            let choices = product_choices(&state).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(reseller_page(&ctx, status, lines, choices, form, Some(refused.to_string())))
        }
    }
}
