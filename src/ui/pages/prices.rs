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
use crate::catalog::price_import::{self, ImportError, Rejected};
use crate::catalog::price_lists::{self, PriceError, PriceLine, ResellerPriceChange, CURRENCIES};
use crate::catalog::pricing::ResellerPrice;
use crate::entities::background_jobs::JobKind;
use crate::entities::enums::RiPaymentPlan;
use crate::entities::products;
use crate::error::{encode_query_value, AppError, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::identity::session::set_flash;
use crate::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::tasks::{store, NewJob, Starter};
use crate::ui::components::{csrf_field, empty, form_error, pager};
use crate::ui::{page_with_status, PageCtx};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn amount_or_dash(loc: &impl Localize, amount: Option<i64>, currency: &str) -> String {
    amount.map_or_else(|| "—".into(), |a| loc.money(a, currency))
}

fn plan_label(loc: &impl Localize, plan: RiPaymentPlan) -> String {
    loc.t(match plan {
        RiPaymentPlan::Upfront => msg!("prices-plan-upfront"),
        RiPaymentPlan::Monthly => msg!("prices-plan-monthly"),
    })
}

/// "1-year term, upfront".
fn term_label(loc: &impl Localize, term: i32, plan: RiPaymentPlan) -> String {
    tr!(loc, "prices-term", years = term, plan = plan_label(loc, plan))
}

fn line_label(loc: &impl Localize, line: &PriceLine) -> String {
    match line.reservation {
        Some((term, plan)) => format!("{} · {}", line.currency, term_label(loc, term, plan)),
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

    /// [`ImportRefused::of`], the file's refusal said in `loc`'s language.
    fn localized(refused: &ImportError, loc: &impl Localize) -> ImportRefused {
        ImportRefused { message: refused.localized(loc), ..ImportRefused::of(refused) }
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
                    <thead><tr><th class="num">{ctx.t("prices-import-th-line")}</th><th>{ctx.t("prices-import-th-why")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            }
        });
        let more = (refused.more > 0).then(|| view! { <p>{tr!(ctx, "prices-import-more", count = refused.more)}</p> });
        view! { {form_error(Some(refused.message))} {table} {more} }
    });
    let required = price_import::REQUIRED.join(", ");
    view! {
        <h2 id="import">{ctx.t("prices-import-heading")}</h2>
        {refused}
        <form class="stacked card" method="post" enctype="multipart/form-data" action=action>
            <p>{ctx.t("prices-import-columns")} " "
               <code>{required}</code>
               {ctx.t("prices-import-help")}</p>
            <label>{tr!(ctx, "prices-import-file", mb = price_import::MAX_BYTES / 1024 / 1024, rows = ctx.number(i64::try_from(price_import::MAX_ROWS).unwrap_or(i64::MAX)))} " " <input type="file" name="file" accept=".csv,text/csv" required/></label>
            <button type="submit">{ctx.t("prices-import-button")}</button>
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
    let title = ctx.t("prices-admin-title");
    page_with_status(status, ctx, &title, move || {
        let ctx = &ctx2;
        let rows: Vec<_> = lines
            .items
            .iter()
            .flat_map(|(product, lines)| {
                let history = format!("/admin/prices/{}", product.code);
                let name = product.name.clone();
                let published = if product.active { String::new() } else { ctx.t("prices-unpublished") };
                let lines = if lines.is_empty() { vec![None] } else { lines.iter().map(Some).collect() };
                lines.into_iter().map(move |line| {
                    let (label, list, cost, next) = match line {
                        Some(line) => (
                            line_label(ctx, line),
                            amount_or_dash(ctx, line.today.map(|t| t.0), &line.currency),
                            amount_or_dash(ctx, line.today.map(|t| t.1), &line.currency),
                            line.next.map_or_else(String::new, |(from, list, cost)| {
                                tr!(
                                    ctx,
                                    "prices-next-change",
                                    from = ctx.day(from),
                                    list = ctx.money(list, &line.currency),
                                    cost = ctx.money(cost, &line.currency)
                                )
                            }),
                        ),
                        None => (ctx.t("prices-no-price"), "—".into(), "—".into(), String::new()),
                    };
                    view! {
                        <tr>
                            <td><a href=history.clone()>{name.clone()}</a>{published.clone()}</td>
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
            {super::admin::admin_nav(&ctx.locale)}
            <p class="muted">{ctx.t("prices-admin-intro")}</p>
            {lines.items.is_empty().then(|| empty(ctx.t("prices-no-products")))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{ctx.t("prices-th-product")}</th><th>{ctx.t("prices-th-currency")}</th><th class="num">{ctx.t("prices-th-list-today")}</th><th class="num">{ctx.t("prices-th-cost-today")}</th><th>{ctx.t("prices-th-next")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &lines, "/admin/prices")}
            <h2 id="change">{ctx.t("prices-change-heading")}</h2>
            {form_error(error)}
            <form class="stacked card" method="post" action="/admin/prices">
                {csrf_field(ctx)}
                <label>{ctx.t("prices-th-product")} " " <select name="product">{product_options(&choices, &form.product)}</select></label>
                <label>{ctx.t("prices-th-currency")} " " <select name="currency">{currency_options(&form.currency)}</select></label>
                <fieldset>
                    <legend>{ctx.t("prices-reserved-only")}</legend>
                    <label>{ctx.t("prices-term-label")} " " <select name="term_years">
                        <option value="">"—"</option>
                        <option value="1" selected=form.term_years == "1">{tr!(ctx, "prices-years", count = 1)}</option>
                        <option value="3" selected=form.term_years == "3">{tr!(ctx, "prices-years", count = 3)}</option>
                    </select></label>
                    <label>{ctx.t("prices-plan-label")} " " <select name="payment_plan">
                        <option value="">"—"</option>
                        <option value="upfront" selected=form.payment_plan == "upfront">{ctx.t("prices-plan-upfront-option")}</option>
                        <option value="monthly" selected=form.payment_plan == "monthly">{ctx.t("prices-plan-monthly-option")}</option>
                    </select></label>
                </fieldset>
                <label>{ctx.t("prices-list-price-field")} " " <input name="list_price" value=form.list_price.clone() maxlength="20" required/></label>
                <label>{ctx.t("prices-cost-field")} " " <input name="cost" value=form.cost.clone() maxlength="20" required/></label>
                <label>{ctx.t("prices-from-field")} " " <input type="date" name="from" value=from required/></label>
                <button type="submit">{ctx.t("prices-save")}</button>
            </form>
            {import_form(ctx, import_refused)}
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

async fn product_by_code(state: &AppState, loc: &impl Localize, code: &str) -> AppResult<products::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    products::Entity::find()
        .filter(products::Column::Code.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::Unprocessable(loc.t("prices-choose-product")))
}

/// Checks the provider's form into a change for its product.
fn list_change(
    loc: &impl Localize,
    product: &products::Model,
    form: &ListPriceForm,
) -> Result<price_lists::ListPriceChange, PriceError> {
    let currency = price_lists::check_currency(&form.currency)?;
    let reservation = match (form.term_years.as_str(), form.payment_plan.as_str()) {
        ("", "") => None,
        (term, plan) => {
            let plan = RiPaymentPlan::parse(plan).ok_or(PriceError::Reservation)?;
            Some((term.parse().map_err(|_| PriceError::Reservation)?, plan))
        }
    };
    let list = price_lists::parse_amount(&form.list_price, &currency, &loc.t("prices-what-list-price"))?;
    let cost = price_lists::parse_amount(&form.cost, &currency, &loc.t("prices-what-cost"))?;
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
    let product = product_by_code(&state, &ctx, &form.product).await?;
    let outcome = match list_change(&ctx, &product, &form) {
        Ok(change) => {
            let by = AuditActor::of(viewer, ctx.device.ip_text());
            price_lists::set_list_price(&state.db, &by, viewer.account.id, &product, change, today()).await
        }
        Err(refused) => Err(refused),
    };
    match outcome {
        Ok(()) => {
            set_flash(&session, tr!(ctx, "prices-saved", product = product.name.as_str())).await?;
            Ok(Redirect::to("/admin/prices").into_response())
        }
        Err(PriceError::Failed(e)) => Err(e),
        Err(refused) => {
            let lines = price_lists::overview(&state.db, None, PageQuery::default(), today()).await?;
            let choices = product_choices(&state).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(provider_page(&ctx, status, lines, choices, form, Some(refused.localized(&ctx)), None))
        }
    }
}

/// The file posted to the import form, with its name: `Err` is the status and message to
/// answer with.
async fn uploaded_file(
    loc: &impl Localize,
    upload: Result<Multipart, MultipartRejection>,
) -> Result<(String, Vec<u8>), (StatusCode, String)> {
    let unreadable = || (StatusCode::BAD_REQUEST, loc.t("prices-upload-unreadable"));
    let too_large_or_unreadable = |status: StatusCode| match status {
        StatusCode::PAYLOAD_TOO_LARGE => (status, ImportError::TooLarge.localized(loc)),
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
    Err((StatusCode::UNPROCESSABLE_ENTITY, loc.t("prices-choose-csv")))
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
    let (status, refused) = match uploaded_file(&ctx, upload).await {
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
            Err(refused @ ImportError::TooLarge) => {
                (StatusCode::PAYLOAD_TOO_LARGE, ImportRefused::localized(&refused, &ctx))
            }
            Err(refused) => (StatusCode::UNPROCESSABLE_ENTITY, ImportRefused::localized(&refused, &ctx)),
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
    let product = product_by_code(&state, &ctx, &code).await.map_err(|_| AppError::NotFound)?;
    let (prices, reservations) = price_lists::history(&state.db, &product).await?;
    let title = tr!(ctx, "prices-history-title", product = product.name.as_str());
    let ctx2 = ctx.clone();
    Ok(page_with_status(StatusCode::OK, &ctx, &title, move || {
        let ctx = &ctx2;
        let rows: Vec<_> = prices
            .iter()
            .map(|p| (p.effective_from, p.currency.clone(), String::new(), p.amount, p.unit_cost))
            .chain(reservations.iter().map(|p| {
                let what = term_label(ctx, p.term_years, p.payment_plan);
                (p.effective_from, p.currency.clone(), what, p.amount, p.unit_cost)
            }))
            .map(|(from, currency, what, list, cost)| {
                view! {
                    <tr>
                        <td>{ctx.day(from)}</td>
                        <td>{currency.clone()} " " {what}</td>
                        <td class="num">{ctx.money(list, &currency)}</td>
                        <td class="num">{ctx.money(cost, &currency)}</td>
                    </tr>
                }
            })
            .collect();
        let empty_history = rows.is_empty();
        view! {
            {super::admin::admin_nav(&ctx.locale)}
            <p><a href="/admin/prices">{ctx.t("prices-all")}</a></p>
            {empty_history.then(|| empty(ctx.t("prices-no-history")))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{ctx.t("prices-th-from")}</th><th>{ctx.t("prices-th-for")}</th><th class="num">{ctx.t("prices-th-list")}</th><th class="num">{ctx.t("prices-th-cost")}</th></tr></thead>
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

fn entry_text(loc: &impl Localize, entry: Option<ResellerPrice>, currency: &str) -> String {
    match entry {
        Some(ResellerPrice::Fixed(amount)) => loc.money(amount, currency),
        Some(ResellerPrice::Markup(points)) => {
            tr!(loc, "prices-cost-plus", percent = crate::i18n::format::hundredths(loc.lang(), i64::from(points)))
        }
        None => loc.t("prices-entry-list-price"),
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
    let title = ctx.t("prices-reseller-title");
    page_with_status(status, ctx, &title, move || {
        let ctx = &ctx2;
        let rows: Vec<_> = lines
            .items
            .iter()
            .flat_map(|(product, lines)| {
                let name =
                    format!("{}{}", product.name, if product.active { String::new() } else { ctx.t("prices-unpublished") });
                lines.iter().map(move |line| {
                    let currency = line.currency.clone();
                    // A fixed price the provider's cost overtook sells at the cost.
                    let below = matches!(
                        (line.entry_today, line.today),
                        (Some(ResellerPrice::Fixed(price)), Some((_, cost))) if price < cost
                    );
                    let mut next: Vec<String> = line
                        .next_entry
                        .map(|(from, entry)| {
                            tr!(
                                ctx,
                                "prices-your-price-from",
                                from = ctx.day(from),
                                price = entry_text(ctx, Some(entry), &currency)
                            )
                        })
                        .into_iter()
                        .collect();
                    if let Some((from, _, cost)) = line.next {
                        next.push(tr!(ctx, "prices-your-cost-from", from = ctx.day(from), cost = ctx.money(cost, &currency)));
                    }
                    let next = next.join("; ");
                    view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td>{line_label(ctx, line)}</td>
                            <td class="num">{amount_or_dash(ctx, line.today.map(|t| t.1), &currency)}</td>
                            <td class="num">{amount_or_dash(ctx, line.today.map(|t| t.0), &currency)}</td>
                            <td>{entry_text(ctx, line.entry_today, &currency)}</td>
                            <td class="num">{amount_or_dash(ctx, line.customers_today, &currency)}
                                {below.then(|| view! { <strong class="form-error">" " {ctx.t("prices-below-cost")}</strong> })}</td>
                            <td>{next}</td>
                        </tr>
                    }
                })
            })
            .collect();
        let from = if form.from.is_empty() { (today() + Duration::days(1)).to_string() } else { form.from.clone() };
        let markup_checked = form.kind == "markup";
        view! {
            <nav class="card" aria-label=ctx.t("prices-customers")><a href="/reseller">{ctx.t("prices-customers")}</a> " · " <a href="/reseller/audit">{ctx.t("prices-audit-log")}</a></nav>
            <p class="muted">{ctx.t("prices-reseller-intro")}</p>
            {lines.items.is_empty().then(|| empty(ctx.t("prices-no-products")))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{ctx.t("prices-th-product")}</th><th>{ctx.t("prices-th-currency")}</th><th class="num">{ctx.t("prices-th-your-cost")}</th><th class="num">{ctx.t("prices-th-list")}</th><th>{ctx.t("prices-th-your-price")}</th><th class="num">{ctx.t("prices-th-customers-pay")}</th><th>{ctx.t("prices-th-next")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &lines, "/reseller/prices")}
            <h2 id="change">{ctx.t("prices-set-heading")}</h2>
            {form_error(error)}
            <form class="stacked card" method="post" action="/reseller/prices">
                {csrf_field(ctx)}
                <label>{ctx.t("prices-th-product")} " " <select name="product">{product_options(&choices, &form.product)}</select></label>
                <label>{ctx.t("prices-th-currency")} " " <select name="currency">{currency_options(&form.currency)}</select></label>
                <fieldset>
                    <legend>{ctx.t("prices-customers-pay-legend")}</legend>
                    <label><input type="radio" name="kind" value="fixed" checked=!markup_checked/> " " {ctx.t("prices-kind-fixed")}</label>
                    <input name="amount" value=form.amount.clone() maxlength="20" aria-label=ctx.t("prices-what-fixed-price")/>
                    <label><input type="radio" name="kind" value="markup" checked=markup_checked/> " " {ctx.t("prices-kind-markup")}</label>
                    <input name="markup" value=form.markup.clone() maxlength="10" aria-label=ctx.t("prices-markup-percent")/>
                </fieldset>
                <label>{ctx.t("prices-from-field")} " " <input type="date" name="from" value=from required/></label>
                <button type="submit">{ctx.t("prices-save")}</button>
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

fn reseller_change(loc: &impl Localize, form: &ResellerPriceForm) -> Result<ResellerPriceChange, PriceError> {
    let currency = price_lists::check_currency(&form.currency)?;
    let price = match form.kind.as_str() {
        "fixed" => {
            ResellerPrice::Fixed(price_lists::parse_amount(&form.amount, &currency, &loc.t("prices-what-fixed-price"))?)
        }
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
    let product = product_by_code(&state, &ctx, &form.product).await?;
    let by = AuditActor::of(viewer, ctx.device.ip_text());
    let outcome = match reseller_change(&ctx, &form) {
        Ok(change) => {
            price_lists::set_reseller_price(&state.db, &by, &reseller, &product, &form.currency, change, today()).await
        }
        Err(refused) => Err(refused),
    };
    match outcome {
        Ok(()) => {
            set_flash(&session, tr!(ctx, "prices-reseller-saved", product = product.name.as_str())).await?;
            Ok(Redirect::to("/reseller/prices").into_response())
        }
        Err(PriceError::Failed(e)) => Err(e),
        Err(refused) => {
            let lines = price_lists::overview(&state.db, Some(reseller.id), PageQuery::default(), today()).await?;
            let choices = product_choices(&state).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(reseller_page(&ctx, status, lines, choices, form, Some(refused.localized(&ctx))))
        }
    }
}
