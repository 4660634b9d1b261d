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
    self as rules, max_list_chars, ProductError, ProductForm, MAX_CODE_CHARS, MAX_DESCRIPTION_CHARS, MAX_OPTION_CHARS,
    MAX_REGION_CHARS, MAX_TERM_MONTHS, MAX_USAGE_CHARS, MAX_VENDOR_CHARS, RI_TERMS, SCOPES,
};
use crate::entities::enums::{BillingCycle, ProductFamily, ProductKind};
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, tr, Locale, Localize};
use crate::identity::session::set_flash;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, escape_text, form_errors, pager};
use crate::ui::{page, page_with_status, PageCtx};

fn edit_url(code: &str) -> String {
    format!("/admin/catalogue/{code}")
}

/// A product kind as the admin catalogue names it.
pub(crate) fn kind_name(loc: &impl Localize, kind: ProductKind) -> String {
    loc.t(match kind {
        ProductKind::LicenseSubscription => msg!("admin-kind-license-subscription"),
        ProductKind::Consumption => msg!("admin-kind-consumption"),
        ProductKind::PerpetualLicense => msg!("admin-kind-perpetual-license"),
        ProductKind::SoftwareSubscription => msg!("admin-kind-software-subscription"),
        ProductKind::ReservedInstance => msg!("admin-kind-reserved-instance"),
        ProductKind::Addon => msg!("admin-kind-addon"),
    })
}

/// A product family (product names stay as they are; "Other" is said).
fn family_name(loc: &impl Localize, family: ProductFamily) -> String {
    match family {
        ProductFamily::Other => loc.t("admin-family-other"),
        other => other.label().to_string(),
    }
}

/// A billing cycle as the product form names it.
fn cycle_name(loc: &impl Localize, cycle: BillingCycle) -> String {
    loc.t(match cycle {
        BillingCycle::Monthly => msg!("admin-cycle-monthly"),
        BillingCycle::Annual => msg!("admin-cycle-annual"),
        BillingCycle::OneTime => msg!("admin-cycle-one-time"),
    })
}

/// How a product's cycle and term read in the catalogue list.
fn cycle_and_term(loc: &impl Localize, product: &crate::entities::products::Model) -> String {
    match (product.kind, product.billing_cycle) {
        (ProductKind::ReservedInstance, _) => loc.t("admin-cycle-reservation"),
        (_, BillingCycle::OneTime) => loc.t("admin-cycle-one-time"),
        (_, cycle) => tr!(loc, "admin-cycle-and-term", cycle = cycle_name(loc, cycle), months = product.term_months),
    }
}

/// A product form field as refusals name it.
fn field_label(loc: &impl Localize, field: &str) -> String {
    loc.t(match field {
        "code" => msg!("admin-product-field-code"),
        "name" => msg!("admin-product-field-name"),
        "vendor" => msg!("admin-product-field-vendor"),
        "family" => msg!("admin-product-field-family"),
        "usage_family" => msg!("admin-product-field-usage-family"),
        "kind" => msg!("admin-product-field-kind"),
        "billing_cycle" => msg!("admin-product-field-billing-cycle"),
        "term_months" => msg!("admin-product-field-term"),
        "minimum_commitment" => msg!("admin-product-field-minimum-commitment"),
        "base_product" => msg!("admin-product-field-base-product"),
        "reservation_types" => msg!("admin-product-field-reservation-types"),
        "scopes" => msg!("admin-product-field-scopes"),
        "regions" => msg!("admin-product-field-regions"),
        "ri_reservation_type" => msg!("admin-product-field-ri-reservation-type"),
        "ri_term_years" => msg!("admin-product-field-ri-term"),
        "ri_scope" => msg!("admin-product-field-ri-scope"),
        "ri_region" => msg!("admin-product-field-ri-region"),
        "description" => msg!("admin-product-field-description"),
        "confirm" => msg!("admin-product-field-confirm"),
        _ => msg!("admin-product-field-product"),
    })
}

/// What the product's status reads as.
fn status_word(loc: &impl Localize, active: bool) -> String {
    loc.t(if active { msg!("admin-product-published") } else { msg!("admin-product-unpublished") })
}

/// A refusal of a product change, in the viewer's language.
fn product_refusal(loc: &impl Localize, error: &ProductError) -> String {
    error.localized(loc)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let products = catalogue::list(&state.db, viewer, page_query).await?;
    let pager_locale = ctx.locale;
    let loc = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-catalogue-title"), move || {
        let rows: Vec<_> = products
            .items
            .iter()
            .map(|row| {
                let p = &row.product;
                let status = status_word(&loc, p.active);
                view! {
                    <tr>
                        <td><a href=edit_url(&p.code)>{p.name.clone()}</a></td>
                        <td>{p.code.clone()}</td>
                        <td>{kind_name(&loc, p.kind)}</td>
                        <td>{p.vendor.clone()}</td>
                        <td>{family_name(&loc, p.family)}</td>
                        <td>{cycle_and_term(&loc, p)}</td>
                        <td><span class="tag">{status}</span></td>
                        <td class="num">{row.in_use}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav(&ctx.locale)}
            <p><a class="button" href="/admin/catalogue/new">{loc.t("admin-catalogue-new-product")}</a></p>
            {products.items.is_empty().then(|| empty(loc.t("admin-catalogue-empty")))}
            <div class="table-wrap"><table>
                <thead><tr>
                    <th>{loc.t("admin-catalogue-product")}</th><th>{loc.t("admin-col-code")}</th><th>{loc.t("admin-catalogue-kind")}</th><th>{loc.t("admin-catalogue-vendor")}</th><th>{loc.t("admin-catalogue-family")}</th>
                    <th>{loc.t("admin-catalogue-cycle-and-term")}</th><th>{loc.t("admin-col-status")}</th><th class="num">{loc.t("admin-catalogue-subscriptions")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
            {pager(&pager_locale, &products, "/admin/catalogue")}
        }
    })
    .into_response())
}

/// The messages of refused fields, each naming its field.
fn messages(loc: &impl Localize, errors: &[FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|(field, m)| tr!(loc, "admin-product-field-error", field = field_label(loc, field), message = m.clone()))
        .collect()
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
fn reservation_fieldset(
    loc: Locale,
    form: &ProductForm,
    invalid: &dyn Fn(&str) -> Option<&'static str>,
) -> impl IntoView {
    let scopes: Vec<_> = SCOPES
        .iter()
        .map(|scope| {
            let ticked = if *scope == "single" { &form.scope_single } else { &form.scope_shared };
            let name = format!("scope_{scope}");
            view! { <label class="check"><input type="checkbox" name=name value="on" checked=ticked.is_some()/>{format!(" {scope}")}</label> }
        })
        .collect();
    let terms: Vec<(String, String)> =
        RI_TERMS.iter().map(|t| (t.to_string(), tr!(loc, "admin-product-years", years = *t))).collect();
    let none = loc.t("admin-product-none");
    let term_choices = [("", none.as_str())].into_iter().chain(terms.iter().map(|(v, l)| (v.as_str(), l.as_str())));
    let scope_choices = [("", none.as_str())].into_iter().chain(SCOPES.iter().map(|s| (*s, *s)));
    view! {
        <fieldset>
            <legend>{loc.t("admin-product-ri-legend")}</legend>
            <p class="muted">{loc.t("admin-product-ri-intro")}</p>
            <label>{loc.t("admin-product-reservation-types")} " " {text_area("reservation_types", &form.reservation_types, max_list_chars(MAX_OPTION_CHARS), invalid("reservation_types"))}</label>
            <div aria-invalid=invalid("scopes")>{loc.t("admin-product-field-scopes")} " " {scopes}</div>
            <label>{loc.t("admin-product-regions")} " " {text_area("regions", &form.regions, max_list_chars(MAX_REGION_CHARS), invalid("regions"))}</label>
            <label>{loc.t("admin-product-field-ri-reservation-type")} " " <input name="ri_reservation_type" value=form.ri_reservation_type.clone() maxlength=MAX_OPTION_CHARS.to_string() aria-invalid=invalid("ri_reservation_type")/></label>
            <label>{loc.t("admin-product-field-ri-term")} " " <select name="ri_term_years" aria-invalid=invalid("ri_term_years")>{options(term_choices, &form.ri_term_years)}</select></label>
            <label>{loc.t("admin-product-field-ri-scope")} " " <select name="ri_scope" aria-invalid=invalid("ri_scope")>{options(scope_choices, &form.ri_scope)}</select></label>
            <label>{loc.t("admin-product-field-ri-region")} " " <input name="ri_region" value=form.ri_region.clone() maxlength=MAX_REGION_CHARS.to_string() aria-invalid=invalid("ri_region")/></label>
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
    let loc = ctx.locale;
    let invalid = |field: &str| errors.iter().any(|(f, _)| *f == field).then_some("true");
    let code = if new {
        view! { <label>{tr!(loc, "admin-product-code-label", max = MAX_CODE_CHARS)} " " <input name="code" value=form.code.clone() maxlength=MAX_CODE_CHARS.to_string() required aria-invalid=invalid("code")/></label> }.into_any()
    } else {
        view! { <p>{loc.t("admin-product-code")} " " <strong>{form.code.clone()}</strong></p> }.into_any()
    };
    let family_names: Vec<String> = ProductFamily::ALL.iter().map(|f| family_name(&loc, *f)).collect();
    let families = options(
        ProductFamily::ALL.iter().zip(&family_names).map(|(f, name)| (f.as_str(), name.as_str())),
        &form.family,
    );
    let kind_names: Vec<String> = ProductKind::ALL.iter().map(|k| kind_name(&loc, *k)).collect();
    let kinds =
        options(ProductKind::ALL.iter().zip(&kind_names).map(|(k, name)| (k.as_str(), name.as_str())), &form.kind);
    let cycle_names: Vec<String> = BillingCycle::ALL.iter().map(|c| cycle_name(&loc, *c)).collect();
    let cycles = options(
        BillingCycle::ALL.iter().zip(&cycle_names).map(|(c, name)| (c.as_str(), name.as_str())),
        &form.billing_cycle,
    );
    let base_choices = bases.iter().filter(|(code, _)| *code != form.code).map(|(c, n)| (c.as_str(), n.as_str()));
    let no_base = loc.t("admin-product-no-base");
    let bases = options([("", no_base.as_str())].into_iter().chain(base_choices), &form.base_product);
    let reservation = reservation_fieldset(loc, &form, &invalid);
    let button = if new { loc.t("admin-product-create") } else { loc.t("admin-save") };
    view! {
        <form class="stacked card" method="post" action=action>
            {csrf_field(ctx)}
            {code}
            <label>{loc.t("admin-product-field-name")} " " <input name="name" value=form.name.clone() maxlength=MAX_NAME_CHARS.to_string() required aria-invalid=invalid("name")/></label>
            <label>{loc.t("admin-product-field-vendor")} " " <input name="vendor" value=form.vendor.clone() maxlength=MAX_VENDOR_CHARS.to_string() required aria-invalid=invalid("vendor")/></label>
            <label>{loc.t("admin-product-field-family")} " " <select name="family" aria-invalid=invalid("family")>{families}</select></label>
            <label>{loc.t("admin-product-field-kind")} " " <select name="kind" aria-invalid=invalid("kind")>{kinds}</select></label>
            <label>{loc.t("admin-product-field-billing-cycle")} " " <select name="billing_cycle" aria-invalid=invalid("billing_cycle")>{cycles}</select></label>
            <label>{tr!(loc, "admin-product-term-label", max = MAX_TERM_MONTHS)} " " <input type="number" name="term_months" min="1" max=MAX_TERM_MONTHS.to_string() value=form.term_months.clone() required aria-invalid=invalid("term_months")/></label>
            <label>{loc.t("admin-product-minimum-label")}
                <input type="number" name="minimum_commitment" min="0" value=form.minimum_commitment.clone() aria-invalid=invalid("minimum_commitment")/></label>
            <label>{loc.t("admin-product-base-label")} " " <select name="base_product" aria-invalid=invalid("base_product")>{bases}</select></label>
            <label>{loc.t("admin-product-usage-label")} " " <input name="usage_family" value=form.usage_family.clone() maxlength=MAX_USAGE_CHARS.to_string() aria-invalid=invalid("usage_family")/></label>
            {reservation}
            <label>{loc.t("admin-product-field-description")} " " {text_area("description", &form.description, MAX_DESCRIPTION_CHARS, invalid("description"))}</label>
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
    let loc = ctx.locale;
    page_with_status(status, ctx, &ctx.t("admin-product-new-title"), move || {
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(messages(&loc, &errors))}
            <p class="muted">{loc.t("admin-product-new-intro")}</p>
            {product_form(&ctx2, "/admin/catalogue/new".into(), true, form, &errors, &bases)}
            <p><a href="/admin/catalogue">{loc.t("admin-product-back")}</a></p>
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
        Err(e) => refused_new(&state, &ctx, form, vec![(e.field(), product_refusal(&ctx, &e))]).await,
        Ok(product) => {
            let said = tr!(ctx, "admin-product-created", name = product.name.clone(), code = product.code.clone());
            set_flash(&session, &said).await?;
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
    let loc = ctx.locale;
    let action = format!("{}/status", edit_url(&loaded.product.code));
    let in_use = tr!(loc, "admin-product-in-use-now", count = loaded.in_use);
    let (says, form) = if loaded.product.active {
        let public = format!("/products/{}", loaded.product.code);
        let says = view! { <p>{loc.t("admin-product-published-before")} " " <a href=public>{loc.t("admin-product-published-link")}</a> " " {loc.t("admin-product-published-after")}</p> };
        let form = view! {
            <form method="post" action=action>
                {csrf_field(ctx)}
                <input type="hidden" name="status" value="unpublished"/>
                <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " " {loc.t("admin-product-field-confirm")}</label>
                <button type="submit" class="secondary">{loc.t("admin-product-unpublish")}</button>
            </form>
        };
        (says.into_any(), form.into_any())
    } else {
        let says = view! { <p>{loc.t("admin-product-unpublished-says")}</p> };
        let form = view! {
            <form method="post" action=action>
                {csrf_field(ctx)}
                <input type="hidden" name="status" value="published"/>
                <button type="submit">{loc.t("admin-product-publish")}</button>
            </form>
        };
        (says.into_any(), form.into_any())
    };
    view! { <section class="panel"><h2>{loc.t("admin-col-status")}</h2>{says}<p>{in_use}</p>{form}</section> }
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
    let loc = ctx.locale;
    let title = tr!(ctx, "admin-product-title", name = loaded.product.name.clone());
    page_with_status(status, ctx, &title, move || {
        let action = edit_url(&loaded.product.code);
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(messages(&loc, &errors))}
            <p><a href="/admin/catalogue">{loc.t("admin-product-back")}</a></p>
            {status_panel(&ctx2, &loaded)}
            <section class="panel"><h2>{loc.t("admin-product-details")}</h2>{product_form(&ctx2, action, false, form, &errors, &bases)}</section>
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
        Err(e) => refused_edit(&state, &ctx, &code, Some(form), vec![(e.field(), product_refusal(&ctx, &e))]).await,
        Ok(product) => {
            set_flash(&session, &tr!(ctx, "admin-saved-name", name = product.name.clone())).await?;
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
        _ => return Err(AppError::Unprocessable(ctx.t("admin-product-choose-status"))),
    };
    let confirmed = form.confirm.is_some_and(|c| c == "yes" || c == "on");
    let ip = ctx.device.ip_text();
    match catalogue::set_published(&state.db, viewer, ip, &code, publish, confirmed).await {
        Err(ProductError::Failed(e)) => Err(e),
        Err(e) => refused_edit(&state, &ctx, &code, None, vec![(e.field(), product_refusal(&ctx, &e))]).await,
        Ok(product) => {
            let said = if publish {
                tr!(ctx, "admin-product-now-published", name = product.name.clone())
            } else {
                tr!(ctx, "admin-product-now-unpublished", name = product.name.clone())
            };
            set_flash(&session, &said).await?;
            Ok(Redirect::to(&edit_url(&product.code)).into_response())
        }
    }
}
