//! Reports → "Invoices and Invoice Items": the report builder (a GET form, so a report is
//! a link and works without JavaScript), its paginated sortable table, the CSV download,
//! saved reports and the ready reports. Provider admins report on every account, reseller
//! admins on their own and their customers'.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::Utc;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::billing::report::{Definition, Field, Kind, Ready};
use crate::billing::report_query::{self, offered_fields, Cell, ReportError, Runnable};
use crate::billing::run::Period;
use crate::billing::saved_reports::{self, SavedReport};
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::identity::session::set_flash;
use crate::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, form_errors, pager};
use crate::ui::{page_with_status, PageCtx};

type Pairs = Vec<(String, String)>;
/// A definition asked for, with the ready report's title when it is one.
type Requested = (Definition, Option<String>);

/// What the builder form shows, read from the raw query so a refused one comes back as typed.
#[derive(Debug, Clone, Default)]
struct FormState {
    fields: BTreeSet<String>,
    from: String,
    to: String,
    usages: BTreeSet<String>,
    invoice_type: String,
    account: String,
    period: String,
    currency: String,
    sums: bool,
    sort: String,
    descending: bool,
}

impl FormState {
    fn from_pairs(pairs: &Pairs) -> FormState {
        let mut state = FormState::default();
        for (key, value) in pairs {
            let value = value.trim().chars().take(100).collect::<String>();
            match key.as_str() {
                "field" => {
                    state.fields.insert(value);
                }
                "usage" => {
                    state.usages.insert(value);
                }
                "from" => state.from = value,
                "to" => state.to = value,
                "type" => state.invoice_type = value,
                "account" => state.account = value,
                "period" => state.period = value,
                "currency" => state.currency = value,
                "sums" => state.sums = !value.is_empty() && value != "off",
                "sort" => state.sort = value,
                "dir" => state.descending = value == "desc",
                _ => {}
            }
        }
        state
    }

    fn of(definition: &Definition) -> FormState {
        let pairs: Pairs = definition.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        FormState::from_pairs(&pairs)
    }
}

/// A report's results as the page shows them.
struct Results {
    definition: Definition,
    title: Option<String>,
    rows: Paged<Vec<Cell>>,
}

fn scope_of(ctx: &PageCtx) -> AppResult<(AccountScope, i32, i32)> {
    let viewer = ctx.seller_admin()?;
    Ok((AccountScope::of(viewer), viewer.account.id, viewer.user.id))
}

struct PageData {
    form: FormState,
    errors: Vec<String>,
    results: Option<Results>,
    saved: Vec<SavedReport>,
    usages: Vec<String>,
    accounts: Vec<(String, String)>,
    /// The fields this viewer may choose.
    fields: Vec<Field>,
}

fn render(ctx: &PageCtx, status: StatusCode, data: PageData) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("reports-title");
    page_with_status(status, ctx, &title, move || {
        let PageData { form, errors, results, saved, usages, accounts, fields } = data;
        let ctx = &ctx2;
        let last_month = Period::of(Utc::now().date_naive()).previous();
        let field_boxes: Vec<_> = fields
            .iter()
            .map(|field| {
                let checked = form.fields.contains(field.key());
                view! { <label class="check"><input type="checkbox" name="field" value=field.key() checked=checked/> " " {field.heading(ctx)}</label> }
            })
            .collect();
        let usage_boxes: Vec<_> = usages
            .iter()
            .map(|usage| {
                let checked = form.usages.contains(usage);
                view! { <label class="check"><input type="checkbox" name="usage" value=usage.clone() checked=checked/> " " {usage.clone()}</label> }
            })
            .collect();
        let account_options: Vec<_> =
            accounts.iter().map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> }).collect();
        let sort_options: Vec<_> = fields
            .iter()
            .map(|field| {
                let selected = form.sort == field.key();
                view! { <option value=field.key() selected=selected>{field.heading(ctx)}</option> }
            })
            .collect();
        let ready: Vec<_> = Ready::ALL
            .iter()
            .map(|ready| {
                let period_input = (*ready == Ready::AzureReconciliation).then(|| {
                    view! { <label>{ctx.t("reports-billing-period")} " " <input name="period" value=last_month.label() pattern="[0-9]{4}-[0-9]{2}" maxlength="7" required/></label> }
                });
                view! {
                    <li>
                        <form class="inline" method="get" action="/reports">
                            <input type="hidden" name="ready" value=ready.key()/>
                            <strong>{ready.title_in(ctx)}</strong> ": " {ready.description_in(ctx)} " "
                            {period_input}
                            <button type="submit" class="secondary">{ctx.t("reports-run")}</button>
                        </form>
                    </li>
                }
            })
            .collect();
        let saved_rows: Vec<_> = saved
            .iter()
            .map(|report| {
                let href = format!("/reports?{}", report.definition.query_string());
                let delete = format!("/reports/saved/{}/delete", report.id);
                view! {
                    <tr>
                        <td><a href=href>{report.name.clone()}</a></td>
                        <td>
                            <form class="inline" method="post" action=delete>
                                {csrf_field(ctx)}
                                <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " " {ctx.t("reports-sure")}</label>
                                <button type="submit" class="danger">{ctx.t("reports-delete")}</button>
                            </form>
                        </td>
                    </tr>
                }
            })
            .collect();
        let saved_list = if saved_rows.is_empty() {
            empty(ctx.t("reports-no-saved")).into_any()
        } else {
            view! { <div class="table-wrap"><table><tbody>{saved_rows}</tbody></table></div> }.into_any()
        };
        let results = results.map(|results| results_view(ctx, results));
        view! {
            <h1>{ctx.t("reports-heading")}</h1>
            {form_errors(errors)}
            <section class="card">
                <h2>{ctx.t("reports-ready-heading")}</h2>
                <ul>{ready}</ul>
            </section>
            <form class="stacked card" method="get" action="/reports">
                <h2>{ctx.t("reports-builder-heading")}</h2>
                <fieldset><legend>{ctx.t("reports-fields")}</legend>{field_boxes}</fieldset>
                <fieldset>
                    <legend>{ctx.t("reports-criteria")}</legend>
                    <label>{ctx.t("reports-from")} " " <input type="date" name="from" value=form.from.clone()/></label>
                    <label>{ctx.t("reports-to")} " " <input type="date" name="to" value=form.to.clone()/></label>
                    <label>{ctx.t("reports-invoice-type")} " "
                        <select name="type">
                            <option value="" selected=form.invoice_type.is_empty()>{ctx.t("reports-debit-and-credit")}</option>
                            <option value="debit" selected=form.invoice_type == "debit">{ctx.t("reports-debit")}</option>
                            <option value="credit" selected=form.invoice_type == "credit">{ctx.t("reports-credit")}</option>
                        </select>
                    </label>
                    <label>{ctx.t("reports-account")} " " <input name="account" list="report-accounts" value=form.account.clone() maxlength="64"/></label>
                    <datalist id="report-accounts">{account_options}</datalist>
                    <label>{ctx.t("reports-period")} " " <input name="period" value=form.period.clone() maxlength="7"/></label>
                    <label>{ctx.t("reports-currency")} " " <input name="currency" value=form.currency.clone() maxlength="3" placeholder="CLP"/></label>
                    <fieldset><legend>{ctx.t("reports-usage")}</legend>{usage_boxes}</fieldset>
                </fieldset>
                <label class="check"><input type="checkbox" name="sums" value="on" checked=form.sums/>
                    " " {ctx.t("reports-sums-only")}</label>
                <label>{ctx.t("reports-sort-by")} " "
                    <select name="sort">
                        <option value="" selected=form.sort.is_empty()>{ctx.t("reports-item-order")}</option>
                        {sort_options}
                    </select>
                </label>
                <label class="check"><input type="checkbox" name="dir" value="desc" checked=form.descending/> " " {ctx.t("reports-descending")}</label>
                <button type="submit">{ctx.t("reports-run-report")}</button>
            </form>
            {results}
            <section class="card">
                <h2>{ctx.t("reports-saved-heading")}</h2>
                {saved_list}
            </section>
        }
    })
}

fn results_view(ctx: &PageCtx, results: Results) -> impl IntoView {
    let Results { definition, title, rows } = results;
    let query = definition.query_string();
    let headers: Vec<_> = definition
        .fields
        .iter()
        .map(|field| {
            let href = format!("/reports?{}", definition.sorted_by(*field).query_string());
            let (marker, aria) = match (definition.sort == Some(*field), definition.descending) {
                (true, false) => (" ▲", "ascending"),
                (true, true) => (" ▼", "descending"),
                _ => ("", "none"),
            };
            let class = (field.kind() == Kind::Number).then_some("num");
            view! { <th class=class aria-sort=aria><a href=href>{format!("{}{marker}", field.heading(ctx))}</a></th> }
        })
        .collect();
    let kinds: Vec<Kind> = definition.fields.iter().map(|f| f.kind()).collect();
    let body: Vec<_> = rows
        .items
        .iter()
        .map(|row| {
            let cells: Vec<_> = row
                .iter()
                .zip(&kinds)
                .map(|(cell, kind)| {
                    let class = (*kind == Kind::Number).then_some("num");
                    // The report's values are data, as in its CSV (ISO dates, amounts in
                    // minor units): the table and the download agree cell for cell.
                    view! { <td class=class>{cell.text()}</td> }
                })
                .collect();
            view! { <tr>{cells}</tr> }
        })
        .collect();
    let table = if body.is_empty() {
        empty(ctx.t("reports-no-items")).into_any()
    } else {
        view! {
            <div class="table-wrap"><table class="report">
                <thead><tr>{headers}</tr></thead>
                <tbody>{body}</tbody>
            </table></div>
        }
        .into_any()
    };
    let hidden: Vec<_> = definition
        .to_pairs()
        .into_iter()
        .map(|(key, value)| view! { <input type="hidden" name=key value=value/> })
        .collect();
    let csv = format!("/reports/export.csv?{query}");
    let base = format!("/reports?{query}");
    let heading = title.unwrap_or_else(|| ctx.t("reports-results"));
    view! {
        <section class="card" aria-label=ctx.t("reports-results")>
            <h2>{heading}</h2>
            <p>{ctx.t("reports-amounts-note")} " "
               <a href=csv download="invoice-items.csv">{ctx.t("reports-download-csv")}</a></p>
            {table}
            {pager(&ctx.locale, &rows, &base)}
            <form class="inline" method="post" action="/reports/saved">
                {csrf_field(ctx)}
                {hidden}
                <label>{ctx.t("reports-save-as")} " " <input name="name" maxlength="100" required/></label>
                <button type="submit" class="secondary">{ctx.t("reports-save-report")}</button>
            </form>
        </section>
    }
}

/// Reads the definition a request asks for: a ready report (`ready=`, with `period=` for
/// the reconciliation), or the builder's fields. `None` when it asks for none.
fn requested(ctx: &PageCtx, pairs: &Pairs, scope: AccountScope) -> Option<Result<Requested, Vec<String>>> {
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    if let Some(key) = value("ready") {
        let Some(ready) = Ready::parse(&key) else {
            return Some(Err(vec![ctx.t("reports-no-such-ready")]));
        };
        let period = match value("period").filter(|p| !p.is_empty()) {
            Some(text) => match Period::parse(&text) {
                Ok(period) => period,
                Err(message) => return Some(Err(vec![message])),
            },
            None => Period::of(Utc::now().date_naive()).previous(),
        };
        let definition = ready.definition(period);
        // A ready report leaves out costs for anybody but a seller.
        let sees_costs = crate::billing::report_query::sees_costs(scope);
        let definition = if sees_costs { definition } else { definition.without_providers_costs() };
        return Some(Ok((definition, Some(ready.title_in(ctx)))));
    }
    if !pairs.iter().any(|(k, _)| k == "field" || k == "sort") {
        return None;
    }
    Some(Definition::from_pairs_in(pairs, ctx).map(|d| (d, None)))
}

/// The paging parameters among the report's: `page=`, `after=`, `before=`, `last=`.
fn page_query(pairs: &Pairs) -> PageQuery {
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    PageQuery {
        page: value("page").and_then(|v| v.trim().parse::<u64>().ok()),
        after: value("after"),
        before: value("before"),
        last: value("last"),
    }
}

/// `GET /reports`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let (scope, account_id, _) = scope_of(&ctx)?;
    let page = page_query(&pairs);
    let mut form = FormState::from_pairs(&pairs);
    let mut errors = Vec::new();
    let mut results = None;
    match requested(&ctx, &pairs, scope) {
        None => {}
        Some(Err(refused)) => errors = refused,
        Some(Ok((definition, title))) => {
            form = FormState::of(&definition);
            match Runnable::new(&state.db, scope, definition).await {
                Ok(runnable) => {
                    form = FormState::of(&runnable.definition);
                    match runnable.page(&state.db, &page).await {
                        Ok(rows) => results = Some(Results { definition: runnable.definition, title, rows }),
                        // A damaged or another sort's page link: said above the form.
                        Err(AppError::BadRequest(message)) => errors.push(message),
                        Err(error) => return Err(error),
                    }
                }
                Err(refused) => errors = refused.messages_in(&ctx)?,
            }
        }
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let data = PageData {
        form,
        errors,
        results,
        saved: saved_reports::list(&state.db, account_id).await?,
        usages: report_query::usage_choices(&state.db).await?,
        accounts: accounts_store::names_in_scope(&state.db, scope).await?,
        fields: offered_fields(scope),
    };
    Ok(render(&ctx, status, data))
}

/// `GET /reports/export.csv`: the whole report, streamed. A refused definition gets the
/// branded error page with what was wrong.
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let (scope, account_id, _) = scope_of(&ctx)?;
    let definition = match requested(&ctx, &pairs, scope) {
        Some(Ok((definition, _))) => definition,
        Some(Err(errors)) => return Err(AppError::BadRequest(errors.join(" "))),
        None => return Err(AppError::bad_request(ctx.t("reports-error-no-field"))),
    };
    let runnable = Runnable::new(&state.db, scope, definition).await.map_err(|error| match error {
        ReportError::Failed(error) => error,
        refused => match refused.localized(&ctx) {
            Ok(message) => AppError::BadRequest(message),
            Err(error) => error,
        },
    })?;
    // A few exports at a time, per account and overall: pages keep their connections.
    let slot =
        state.exports.take(account_id).ok_or_else(|| AppError::TooManyRequests(ctx.t("reports-downloads-busy"), 30))?;
    let filename = format!("invoice-items-{}.csv", Utc::now().format("%Y%m%d-%H%M"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(runnable.csv(state.db.clone(), slot, state.settings.export_stall, ctx.lang())),
    )
        .into_response())
}

/// `POST /reports/saved`: the definition's fields plus `name`.
pub(crate) async fn save(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let (scope, account_id, user_id) = scope_of(&ctx)?;
    let name = pairs.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
    let outcome = match Definition::from_pairs_in(&pairs, &ctx) {
        Err(errors) => Err(errors),
        Ok(definition) => match Runnable::new(&state.db, scope, definition).await {
            Err(refused) => Err(refused.messages_in(&ctx)?),
            Ok(runnable) => {
                match saved_reports::save(&state.db, account_id, user_id, &name, &runnable.definition).await {
                    Ok(()) => Ok(runnable.definition),
                    Err(saved_reports::SaveReportError::Failed(error)) => return Err(error),
                    Err(refused) => Err(vec![refused.localized(&ctx)]),
                }
            }
        },
    };
    match outcome {
        Ok(definition) => {
            set_flash(&session, tr!(ctx, "reports-saved", name = name.trim())).await?;
            Ok(Redirect::to(&format!("/reports?{}", definition.query_string())).into_response())
        }
        Err(errors) => {
            let data = PageData {
                form: FormState::from_pairs(&pairs),
                errors,
                results: None,
                saved: saved_reports::list(&state.db, account_id).await?,
                usages: report_query::usage_choices(&state.db).await?,
                accounts: accounts_store::names_in_scope(&state.db, scope).await?,
                fields: offered_fields(scope),
            };
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, data))
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /reports/saved/{id}/delete`: needs the confirmation ticked.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let (_, account_id, _) = scope_of(&ctx)?;
    let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
    if form.confirm != "yes" {
        set_flash(&session, ctx.t("reports-tick-sure")).await?;
        return Ok(Redirect::to("/reports").into_response());
    }
    if !saved_reports::delete(&state.db, account_id, id).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, ctx.t("reports-deleted")).await?;
    Ok(Redirect::to("/reports").into_response())
}
