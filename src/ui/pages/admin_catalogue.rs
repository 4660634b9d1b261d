//! Admin → Catalogue: `GET /admin/catalogue` (every product, published or not),
//! `GET/POST /admin/catalogue/new` (create), `GET/POST /admin/catalogue/{code}` (edit) and
//! `POST /admin/catalogue/{code}/status` (publish, unpublish). The rules are in
//! `catalog::product_rules`, the rows in `catalog::admin`; these handlers read and answer.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use tower_sessions::Session;

use super::admin::admin_nav;
use crate::accounts::signup::FieldError;
use crate::accounts::MAX_NAME_CHARS;
use crate::catalog::admin::{self as catalogue, Loaded};
use crate::catalog::product_rules::{
    self as rules, cycle_and_term, cycle_name, field_label, max_list_chars, ProductError, ProductForm, MAX_CODE_CHARS,
    MAX_DESCRIPTION_CHARS, MAX_OPTION_CHARS, MAX_REGION_CHARS, MAX_TERM_MONTHS, MAX_USAGE_CHARS, MAX_VENDOR_CHARS,
    RI_TERMS, SCOPES,
};
use crate::entities::enums::{BillingCycle, ProductFamily, ProductKind};
use crate::error::{AppError, AppResult};
use crate::identity::session::set_flash;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, escape_text, form_errors, pager};
use crate::ui::{page, page_with_status, PageCtx};

fn edit_url(code: &str) -> String {
    format!("/admin/catalogue/{code}")
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let products = catalogue::list(&state.db, viewer, page_query).await?;
    let pager_locale = ctx.locale;
    Ok(page(&ctx, "Catalogue", move || {
        let rows: Vec<_> = products
            .items
            .iter()
            .map(|row| {
                let p = &row.product;
                let status = rules::status_word(p.active);
                view! {
                    <tr>
                        <td><a href=edit_url(&p.code)>{p.name.clone()}</a></td>
                        <td>{p.code.clone()}</td>
                        <td>{p.kind.label()}</td>
                        <td>{p.vendor.clone()}</td>
                        <td>{p.family.label()}</td>
                        <td>{cycle_and_term(p)}</td>
                        <td><span class="tag">{status}</span></td>
                        <td class="num">{row.in_use}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav()}
            <p><a class="button" href="/admin/catalogue/new">"New product"</a></p>
            {products.items.is_empty().then(|| empty("There are no products yet: create the first one."))}
            <div class="table-wrap"><table>
                <thead><tr>
                    <th>"Product"</th><th>"Code"</th><th>"Kind"</th><th>"Vendor"</th><th>"Family"</th>
                    <th>"Cycle and term"</th><th>"Status"</th><th class="num">"Subscriptions"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
            {pager(&pager_locale, &products, "/admin/catalogue")}
        }
    })
    .into_response())
}

/// The messages of refused fields, each naming its field.
fn messages(errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|(field, m)| format!("{}: {m}", field_label(field))).collect()
}

/// `<option>`s of `(value, label)`, the one equal to `chosen` selected.
fn options<'a>(choices: impl IntoIterator<Item = (&'a str, &'a str)>, chosen: &str) -> Vec<AnyView> {
    choices
        .into_iter()
        .map(|(value, label)| {
            let (value, label) = (value.to_string(), label.to_string());
            let selected = value == chosen;
            view! { <option value=value selected=selected>{label}</option> }.into_any()
        })
        .collect()
}

/// A textarea with its text escaped (Leptos writes a textarea's children raw).
fn text_area(name: &'static str, value: &str, max: usize, invalid: Option<&'static str>) -> impl IntoView {
    view! { <textarea name=name rows="3" maxlength=max.to_string() aria-invalid=invalid inner_html=escape_text(value)></textarea> }
}

/// The reserved-instance part of the product form.
fn reservation_fieldset(form: &ProductForm, invalid: &dyn Fn(&str) -> Option<&'static str>) -> impl IntoView {
    let scopes: Vec<_> = SCOPES
        .iter()
        .map(|scope| {
            let ticked = if *scope == "single" { &form.scope_single } else { &form.scope_shared };
            let name = format!("scope_{scope}");
            view! { <label class="check"><input type="checkbox" name=name value="on" checked=ticked.is_some()/>{format!(" {scope}")}</label> }
        })
        .collect();
    let terms: Vec<(String, String)> = RI_TERMS.iter().map(|t| (t.to_string(), format!("{t} year(s)"))).collect();
    let term_choices = [("", "None")].into_iter().chain(terms.iter().map(|(v, l)| (v.as_str(), l.as_str())));
    let scope_choices = [("", "None")].into_iter().chain(SCOPES.iter().map(|s| (*s, *s)));
    view! {
        <fieldset>
            <legend>"Reserved instance (only for that kind)"</legend>
            <p class="muted">"What the reservation offers. Its terms (1 or 3 years) and payment plans are the ones it has prices for."</p>
            <label>"Reservation types (one per line)" {text_area("reservation_types", &form.reservation_types, max_list_chars(MAX_OPTION_CHARS), invalid("reservation_types"))}</label>
            <div aria-invalid=invalid("scopes")>"Scopes " {scopes}</div>
            <label>"Regions (one per line, such as brazilsouth)" {text_area("regions", &form.regions, max_list_chars(MAX_REGION_CHARS), invalid("regions"))}</label>
            <label>"Preselected reservation type" <input name="ri_reservation_type" value=form.ri_reservation_type.clone() maxlength=MAX_OPTION_CHARS.to_string() aria-invalid=invalid("ri_reservation_type")/></label>
            <label>"Preselected term" <select name="ri_term_years" aria-invalid=invalid("ri_term_years")>{options(term_choices, &form.ri_term_years)}</select></label>
            <label>"Preselected scope" <select name="ri_scope" aria-invalid=invalid("ri_scope")>{options(scope_choices, &form.ri_scope)}</select></label>
            <label>"Preselected region" <input name="ri_region" value=form.ri_region.clone() maxlength=MAX_REGION_CHARS.to_string() aria-invalid=invalid("ri_region")/></label>
        </fieldset>
    }
}

/// The product form, with each refused field marked. `code` is asked only when creating.
fn product_form(
    ctx: &PageCtx,
    action: String,
    new: bool,
    form: ProductForm,
    errors: &[FieldError],
    bases: &[(String, String)],
) -> impl IntoView {
    let invalid = |field: &str| errors.iter().any(|(f, _)| *f == field).then_some("true");
    let code = if new {
        view! { <label>{format!("Code (A–Z, 0–9 and -, 2 to {MAX_CODE_CHARS}; it cannot change later)")} <input name="code" value=form.code.clone() maxlength=MAX_CODE_CHARS.to_string() required aria-invalid=invalid("code")/></label> }.into_any()
    } else {
        view! { <p>"Code: " <strong>{form.code.clone()}</strong></p> }.into_any()
    };
    let families = options(ProductFamily::ALL.iter().map(|f| (f.as_str(), f.label())), &form.family);
    let kinds = options(ProductKind::ALL.iter().map(|k| (k.as_str(), k.label())), &form.kind);
    let cycles = options(BillingCycle::ALL.iter().map(|c| (c.as_str(), cycle_name(*c))), &form.billing_cycle);
    let base_choices = bases.iter().filter(|(code, _)| *code != form.code).map(|(c, n)| (c.as_str(), n.as_str()));
    let bases = options([("", "None (not an add-on)")].into_iter().chain(base_choices), &form.base_product);
    let reservation = reservation_fieldset(&form, &invalid);
    let button = if new { "Create the product" } else { "Save" };
    view! {
        <form class="stacked card" method="post" action=action>
            {csrf_field(ctx)}
            {code}
            <label>"Name" <input name="name" value=form.name.clone() maxlength=MAX_NAME_CHARS.to_string() required aria-invalid=invalid("name")/></label>
            <label>"Vendor" <input name="vendor" value=form.vendor.clone() maxlength=MAX_VENDOR_CHARS.to_string() required aria-invalid=invalid("vendor")/></label>
            <label>"Family" <select name="family" aria-invalid=invalid("family")>{families}</select></label>
            <label>"Kind" <select name="kind" aria-invalid=invalid("kind")>{kinds}</select></label>
            <label>"Billing cycle" <select name="billing_cycle" aria-invalid=invalid("billing_cycle")>{cycles}</select></label>
            <label>{format!("Term in months (1–{MAX_TERM_MONTHS})")} <input type="number" name="term_months" min="1" max=MAX_TERM_MONTHS.to_string() value=form.term_months.clone() required aria-invalid=invalid("term_months")/></label>
            <label>"Minimum commitment per month (consumption only; in the minor unit of the subscriber's currency, blank for none)"
                <input type="number" name="minimum_commitment" min="0" value=form.minimum_commitment.clone() aria-invalid=invalid("minimum_commitment")/></label>
            <label>"Base product (add-ons only; an add-on has one base product)" <select name="base_product" aria-invalid=invalid("base_product")>{bases}</select></label>
            <label>"Usage family on invoices (such as Azure Plan, MS Azure, Microsoft 365)" <input name="usage_family" value=form.usage_family.clone() maxlength=MAX_USAGE_CHARS.to_string() aria-invalid=invalid("usage_family")/></label>
            {reservation}
            <label>"Description" {text_area("description", &form.description, MAX_DESCRIPTION_CHARS, invalid("description"))}</label>
            <button type="submit">{button}</button>
        </form>
    }
}

fn new_page(
    ctx: &PageCtx,
    status: StatusCode,
    form: ProductForm,
    errors: Vec<FieldError>,
    bases: Vec<(String, String)>,
) -> Response {
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, "New product", move || {
        view! {
            {admin_nav()}
            {form_errors(messages(&errors))}
            <p class="muted">"A new product is unpublished: publish it once it has its prices."</p>
            {product_form(&ctx2, "/admin/catalogue/new".into(), true, form, &errors, &bases)}
            <p><a href="/admin/catalogue">"Back to the catalogue"</a></p>
        }
    })
}

pub(crate) async fn new_form(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    let form = ProductForm {
        family: ProductFamily::Microsoft365.as_str().into(),
        kind: ProductKind::LicenseSubscription.as_str().into(),
        billing_cycle: BillingCycle::Monthly.as_str().into(),
        term_months: "1".into(),
        ..Default::default()
    };
    let bases = catalogue::base_choices(&state.db).await?;
    Ok(new_page(&ctx, StatusCode::OK, form, vec![], bases))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<ProductForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let fields = match rules::check(&form) {
        Ok(fields) => fields,
        Err(errors) => return refused_new(&state, &ctx, form, errors).await,
    };
    match catalogue::create(&state.db, viewer, ctx.device.ip_text(), fields).await {
        Err(ProductError::Failed(e)) => Err(e),
        Err(e) => refused_new(&state, &ctx, form, vec![(e.field(), e.to_string())]).await,
        Ok(product) => {
            set_flash(&session, &format!("{} ({}) created, unpublished.", product.name, product.code)).await?;
            Ok(Redirect::to(&edit_url(&product.code)).into_response())
        }
    }
}

/// The new-product page answering a refusal (422), the form as it was sent.
async fn refused_new(
    state: &AppState,
    ctx: &PageCtx,
    form: ProductForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let bases = catalogue::base_choices(&state.db).await?;
    Ok(new_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors, bases))
}

/// The Status panel: what publishing means, and the button for the other status
/// (unpublishing asks "Sure").
fn status_panel(ctx: &PageCtx, loaded: &Loaded) -> impl IntoView {
    let action = format!("{}/status", edit_url(&loaded.product.code));
    let in_use = format!(
        "{} (not canceled) {} it. While any does, its kind, term and billing cycle cannot change.",
        rules::subscriptions(loaded.in_use),
        if loaded.in_use == 1 { "uses" } else { "use" }
    );
    let (says, form) = if loaded.product.active {
        let public = format!("/products/{}", loaded.product.code);
        let says =
            view! { <p>"Published: customers see it in the " <a href=public>"catalogue"</a> " and may buy it."</p> };
        let form = view! {
            <form method="post" action=action>
                {csrf_field(ctx)}
                <input type="hidden" name="status" value="unpublished"/>
                <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " Sure"</label>
                <button type="submit" class="secondary">"Unpublish: stop selling it"</button>
            </form>
        };
        (says.into_any(), form.into_any())
    } else {
        let says = view! { <p>"Unpublished: not in the catalogue and not sold. Subscriptions that use it keep running and billing."</p> };
        let form = view! {
            <form method="post" action=action>
                {csrf_field(ctx)}
                <input type="hidden" name="status" value="published"/>
                <button type="submit">"Publish: sell it"</button>
            </form>
        };
        (says.into_any(), form.into_any())
    };
    view! { <section class="panel"><h2>"Status"</h2>{says}<p>{in_use}</p>{form}</section> }
}

fn edit_page(
    ctx: &PageCtx,
    status: StatusCode,
    loaded: Loaded,
    form: ProductForm,
    errors: Vec<FieldError>,
    bases: Vec<(String, String)>,
) -> Response {
    let ctx2 = ctx.clone();
    let title = format!("Product {}", loaded.product.name);
    page_with_status(status, ctx, &title, move || {
        let action = edit_url(&loaded.product.code);
        view! {
            {admin_nav()}
            {form_errors(messages(&errors))}
            <p><a href="/admin/catalogue">"Back to the catalogue"</a></p>
            {status_panel(&ctx2, &loaded)}
            <section class="panel"><h2>"Details"</h2>{product_form(&ctx2, action, false, form, &errors, &bases)}</section>
        }
    })
}

/// The edit page answering a refusal (422), the form as it was sent.
async fn refused_edit(
    state: &AppState,
    ctx: &PageCtx,
    code: &str,
    form: Option<ProductForm>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let loaded = catalogue::find(&state.db, ctx.provider_admin()?, code).await?;
    let form = form.unwrap_or_else(|| ProductForm::of(&loaded.fields));
    let bases = catalogue::base_choices(&state.db).await?;
    Ok(edit_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, loaded, form, errors, bases))
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let loaded = catalogue::find(&state.db, ctx.provider_admin()?, &code).await?;
    let form = ProductForm::of(&loaded.fields);
    let bases = catalogue::base_choices(&state.db).await?;
    Ok(edit_page(&ctx, StatusCode::OK, loaded, form, vec![], bases))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<ProductForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let loaded = catalogue::find(&state.db, viewer, &code).await?;
    // The code is not edited: it names the product in links, carts and discounts.
    let form = ProductForm { code: loaded.product.code.clone(), ..form };
    let fields = match rules::check(&form) {
        Ok(fields) => fields,
        Err(errors) => return refused_edit(&state, &ctx, &code, Some(form), errors).await,
    };
    match catalogue::update(&state.db, viewer, ctx.device.ip_text(), &code, fields).await {
        Err(ProductError::Failed(e)) => Err(e),
        Err(e) => refused_edit(&state, &ctx, &code, Some(form), vec![(e.field(), e.to_string())]).await,
        Ok(product) => {
            set_flash(&session, &format!("Saved {}.", product.name)).await?;
            Ok(Redirect::to(&edit_url(&product.code)).into_response())
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct StatusForm {
    /// "published" or "unpublished" (anything else, or nothing, is a 422).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub confirm: Option<String>,
}

/// `POST /admin/catalogue/{code}/status`: publish, or unpublish with "Sure" ticked.
pub(crate) async fn set_status(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    catalogue::find(&state.db, viewer, &code).await?;
    let publish = match form.status.as_str() {
        "published" => true,
        "unpublished" => false,
        _ => return Err(AppError::Unprocessable("Choose published or unpublished.".into())),
    };
    let confirmed = form.confirm.is_some_and(|c| c == "yes" || c == "on");
    let ip = ctx.device.ip_text();
    match catalogue::set_published(&state.db, viewer, ip, &code, publish, confirmed).await {
        Err(ProductError::Failed(e)) => Err(e),
        Err(e) => refused_edit(&state, &ctx, &code, None, vec![(e.field(), e.to_string())]).await,
        Ok(product) => {
            let said = if publish {
                "is published: it is sold in the catalogue"
            } else {
                "is unpublished: no longer sold; its subscriptions keep running"
            };
            set_flash(&session, &format!("{} {said}.", product.name)).await?;
            Ok(Redirect::to(&edit_url(&product.code)).into_response())
        }
    }
}
