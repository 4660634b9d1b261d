//! Brand editing: the provider admin's list of brands and "premium" switches, the brand
//! form with its preview (provider: any brand; reseller admin: its own), image uploads,
//! and the route that serves uploaded images.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::branding::check::{self, BrandAccess, BrandFields};
use crate::branding::store::{self, BrandImage, BrandRow};
use crate::branding::Brand;
use crate::entities::accounts;
use crate::entities::enums::AccountTier;
use crate::error::{encode_query_value, AppError, AppResult};
use crate::identity::session::set_flash;
use crate::images;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_errors, pager};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page, page_with_status, PageCtx};

/// `GET /admin/brands`: the provider's and every reseller's brand, with the premium switch.
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let overview = store::overview(&state.db, page_query).await?;
    let ctx2 = ctx.clone();
    let pager_locale = ctx.locale;
    Ok(page(&ctx, "Admin · Brands", move || {
        let rows: Vec<_> = overview
            .items
            .iter()
            .map(|(account, row, hosts)| {
                let edit = format!("/brands/{}", account.code);
                let brand_name = row.as_ref().map_or_else(|| "No brand yet".to_string(), |r| r.company_name.clone());
                let switch = (account.tier == AccountTier::Reseller).then(|| {
                    let action = format!("/admin/accounts/{}/branding", account.code);
                    let (value, label) =
                        if account.branding_enabled { ("off", "Disable branding") } else { ("on", "Enable branding") };
                    let aria = format!("{label} for {}", account.name);
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <input type="hidden" name="enabled" value=value/>
                            <button type="submit" class="secondary" aria-label=aria>{label}</button>
                        </form>
                    }
                });
                let state_label = match account.tier {
                    AccountTier::Provider => "Provider (default brand)",
                    _ if account.branding_enabled => "Enabled",
                    _ => "Not enabled: customers see the provider's brand",
                };
                view! {
                    <tr>
                        <td>{account.name.clone()}</td>
                        <td><a href=edit>{brand_name}</a></td>
                        <td>{state_label}</td>
                        <td>{if hosts.is_empty() { "—".to_string() } else { hosts.join(", ") }}</td>
                        <td>{switch}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav()}
            <p class="muted">"A reseller's customers see the reseller's brand once branding is enabled for it; \
                a custom host shows its brand to everybody who visits it."</p>
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Account"</th><th>"Brand"</th><th>"Branding"</th><th>"Custom hosts"</th><th>"Action"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &overview, "/admin/brands")}
        }
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct BrandingSwitch {
    #[serde(default)]
    enabled: String,
}

/// `POST /admin/accounts/{code}/branding`: the premium switch.
pub(crate) async fn set_branding(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<BrandingSwitch>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let account = accounts_store::find_by_code(&state.db, AccountScope::All, &code).await?;
    let enabled = match form.enabled.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::bad_request("Choose whether branding is on or off.")),
    };
    let by = crate::audit::AuditActor::of(viewer, ctx.device.ip_text());
    store::set_branding_enabled(&state.db, &by, &account, enabled).await?;
    let message = if enabled {
        format!("Branding is enabled for {}: its customers now see its brand.", account.name)
    } else {
        format!("Branding is off for {}: its customers now see the provider's brand.", account.name)
    };
    set_flash(&session, message).await?;
    Ok(Redirect::to("/admin/brands").into_response())
}

/// The brand form as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BrandForm {
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    logo_url: String,
    #[serde(default)]
    favicon_url: String,
    #[serde(default)]
    primary_color: String,
    #[serde(default)]
    accent_color: String,
    #[serde(default)]
    support_email: String,
    #[serde(default)]
    footer_text: String,
    /// One host per line; only the provider's form has this field.
    hosts: Option<String>,
    /// `preview` shows the brand without saving it.
    #[serde(default)]
    intent: String,
}

impl BrandForm {
    fn from_row(row: &BrandRow, hosts: &[String]) -> BrandForm {
        BrandForm {
            company_name: row.company_name.clone(),
            logo_url: if row.has_upload(BrandImage::Logo) {
                String::new()
            } else {
                row.logo_url.clone().unwrap_or_default()
            },
            favicon_url: if row.has_upload(BrandImage::Favicon) {
                String::new()
            } else {
                row.favicon_url.clone().unwrap_or_default()
            },
            primary_color: row.primary_color.clone(),
            accent_color: row.accent_color.clone(),
            support_email: row.support_email.clone().unwrap_or_default(),
            footer_text: row.footer_text.clone().unwrap_or_default(),
            hosts: Some(hosts.join("\n")),
            intent: String::new(),
        }
    }

    fn fields(&self, access: BrandAccess) -> BrandFields {
        BrandFields {
            company_name: self.company_name.clone(),
            logo_url: self.logo_url.clone(),
            favicon_url: self.favicon_url.clone(),
            primary_color: self.primary_color.clone(),
            accent_color: self.accent_color.clone(),
            support_email: self.support_email.clone(),
            footer_text: self.footer_text.clone(),
            // A reseller's custom hosts are the provider's to set; a crafted field is ignored.
            hosts: match access {
                BrandAccess::Full => Some(
                    self.hosts.as_deref().unwrap_or("").split([',', '\n', '\r', ' ']).map(str::to_string).collect(),
                ),
                _ => None,
            },
            ..BrandFields::default()
        }
    }
}

/// The account whose brand `code` names, and what the viewer may do with it (404 when nothing).
async fn brand_account(state: &AppState, ctx: &PageCtx, code: &str) -> AppResult<(accounts::Model, BrandAccess)> {
    let viewer = ctx.viewer()?;
    let account = accounts_store::find_by_code(&state.db, AccountScope::of(viewer), code).await?;
    match check::access(viewer, &account) {
        BrandAccess::None => Err(AppError::NotFound),
        access => Ok((account, access)),
    }
}

/// What the edit page shows besides the form.
struct EditPage {
    account: accounts::Model,
    access: BrandAccess,
    row: Option<BrandRow>,
    hosts: Vec<String>,
    form: BrandForm,
    preview: Option<Brand>,
    errors: Vec<String>,
}

fn edit_page(ctx: &PageCtx, status: StatusCode, page: EditPage) -> Response {
    let EditPage { account, access, row, hosts, form, preview, errors } = page;
    let title = format!("Brand · {}", account.name);
    let ctx2 = ctx.clone();
    let is_admin = access == BrandAccess::Full;
    let previewing = preview.is_some();
    let shown = preview.or_else(|| row.as_ref().map(BrandRow::to_brand)).unwrap_or_else(Brand::fallback);
    let preview_css = shown.css_rule(".brand-preview");
    let nonce = ctx.nonce.clone();
    let action = format!("/brands/{}", account.code);
    let upload_forms: Vec<_> = [BrandImage::Logo, BrandImage::Favicon]
        .into_iter()
        .map(|image| {
            let token = encode_query_value(&ctx.csrf_token);
            let upload_action = format!("/brands/{}/{}?csrf_token={token}", account.code, image.name());
            let remove_action = format!("/brands/{}/{}/remove", account.code, image.name());
            let types: Vec<&str> = image.allowed_types().iter().map(|t| t.content_type()).collect();
            let label = format!(
                "Upload a {} ({}, at most {} KB)",
                image.name(),
                match image {
                    BrandImage::Logo => "PNG, JPEG, WebP or SVG",
                    BrandImage::Favicon => "PNG, SVG or ICO",
                },
                image.max_bytes() / 1024
            );
            let uploaded = row.as_ref().is_some_and(|r| r.has_upload(image));
            let remove_label = format!("Remove the uploaded {}", image.name());
            let ctx3 = ctx2.clone();
            view! {
                <form class="stacked card" method="post" enctype="multipart/form-data" action=upload_action>
                    <label>{label} <input type="file" name="image" accept=types.join(",") required/></label>
                    <button type="submit" class="secondary">{format!("Upload {}", image.name())}</button>
                </form>
                {uploaded.then(|| view! {
                    <form class="inline" method="post" action=remove_action>
                        {csrf_field(&ctx3)}
                        <p class="muted">{format!("An uploaded {} is in use.", image.name())} " "
                            <button type="submit" class="link-button">{remove_label}</button></p>
                    </form>
                })}
            }
        })
        .collect();
    let hosts_field = if is_admin {
        view! {
            <label>"Custom hosts (one per line, e.g. shop.example.com; point their DNS at this server)"
                {crate::ui::components::textarea("hosts", "3", form.hosts.as_deref().unwrap_or_default())}</label>
        }
        .into_any()
    } else {
        let listed = if hosts.is_empty() { "none".to_string() } else { hosts.join(", ") };
        let text = format!("Custom hosts: {listed}. Ask your provider to add or change one.");
        view! { <p class="muted">{text}</p> }.into_any()
    };
    let back = if is_admin {
        view! { {admin_nav()} <p><a href="/admin/brands">"← All brands"</a></p> }.into_any()
    } else {
        view! { <p><a href="/reseller">"← Customers"</a></p> }.into_any()
    };
    page_with_status(status, ctx, &title, move || {
        let support = shown.support_email.clone().unwrap_or_default();
        let footer = shown.footer_text.clone().unwrap_or_default();
        let logo = shown.logo_url.clone().map(|src| view! { <img class="brand-logo" src=src alt="" height="32"/> });
        view! {
            {back}
            {form_errors(errors)}
            <div class="brand-editor">
                <form id="brand-form" class="stacked card" method="post" action=action>
                    {csrf_field(&ctx2)}
                    <label>"Company name (the browser tab title)"
                        <input name="company_name" value=form.company_name.clone() maxlength="80" required/></label>
                    <label>"Logo address (https://…; leave empty to keep an uploaded logo)"
                        <input name="logo_url" value=form.logo_url.clone() maxlength="500"/></label>
                    <label>"Favicon address (https://…; leave empty to keep an uploaded favicon)"
                        <input name="favicon_url" value=form.favicon_url.clone() maxlength="500"/></label>
                    <label>"Primary colour (#rrggbb)"
                        <input type="color" name="primary_color" value=form.primary_color.clone()/></label>
                    <label>"Accent colour (#rrggbb)"
                        <input type="color" name="accent_color" value=form.accent_color.clone()/></label>
                    <label>"Support e-mail" <input type="email" name="support_email" value=form.support_email.clone() maxlength="254"/></label>
                    <label>"Footer text" <input name="footer_text" value=form.footer_text.clone() maxlength="300"/></label>
                    {hosts_field}
                    <div class="actions">
                        <button type="submit" name="intent" value="preview" class="secondary">"Preview"</button>
                        <button type="submit" name="intent" value="save">"Save brand"</button>
                    </div>
                </form>
                <section class="brand-preview card" aria-label="Preview">
                    <style nonce=nonce>{preview_css}</style>
                    <h2>{if previewing { "Preview (not saved yet)" } else { "Preview" }}</h2>
                    <div class="preview-header">{logo} <span class="preview-name">{shown.company_name.clone()}</span></div>
                    <p>"Microsoft 365 Business Standard " <span class="price">"CLP 11.500 per month"</span></p>
                    <p><span class="button">"Add to cart"</span></p>
                    <p class="muted preview-footer">{footer}</p>
                    <p class="muted">"Support: " <span class="preview-support">{support}</span></p>
                </section>
            </div>
            {upload_forms}
            <script src="/static/brand-preview.js" defer></script>
        }
    })
}

async fn saved_brand(state: &AppState, account: &accounts::Model) -> AppResult<(Option<BrandRow>, Vec<String>)> {
    let row = store::of_account(&state.db, account.id).await?;
    let hosts = match &row {
        Some(row) => store::hosts_of(&state.db, row.id).await?,
        None => Vec::new(),
    };
    Ok((row, hosts))
}

fn not_enabled_page(ctx: &PageCtx, account: &accounts::Model) -> Response {
    let title = format!("Brand · {}", account.name);
    let provider = ctx.brand.company_name.clone();
    page_with_status(StatusCode::OK, ctx, &title, move || {
        view! {
            <p><a href="/reseller">"← Customers"</a></p>
            <section class="panel">
                <p>{format!("Branding is not enabled for your account, so your customers see {provider}'s storefront.")}</p>
                <p>{format!("Ask {provider} to enable branding; you can then set your name, logo, colours and footer here.")}</p>
            </section>
        }
    })
}

/// `GET /brands/{code}`: the brand form with a preview of the saved brand.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let (account, access) = brand_account(&state, &ctx, &code).await?;
    if access == BrandAccess::NotEnabled {
        return Ok(not_enabled_page(&ctx, &account));
    }
    let (row, hosts) = saved_brand(&state, &account).await?;
    let form = match &row {
        Some(row) => BrandForm::from_row(row, &hosts),
        None => BrandForm::from_row(&default_brand_row(&ctx, &account), &hosts),
    };
    Ok(edit_page(&ctx, StatusCode::OK, EditPage { account, access, row, hosts, form, preview: None, errors: vec![] }))
}

/// The form's starting values for an account without a brand (the provider's look, its own name).
fn default_brand_row(ctx: &PageCtx, account: &accounts::Model) -> BrandRow {
    BrandRow {
        id: 0,
        account_id: account.id,
        company_name: account.name.chars().take(check::MAX_COMPANY_NAME_CHARS).collect(),
        logo_url: None,
        logo_content_type: None,
        favicon_url: None,
        favicon_content_type: None,
        primary_color: ctx.brand.primary_color.clone(),
        accent_color: ctx.brand.accent_color.clone(),
        support_email: None,
        footer_text: None,
        updated_at: chrono::Utc::now(),
        default_language: ctx.brand.default_language.tag().to_string(),
        time_zone: ctx.brand.time_zone.name().to_string(),
    }
}

/// `POST /brands/{code}`: preview or save. Refused values come back with every message and change nothing.
pub(crate) async fn save(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<BrandForm>,
) -> AppResult<Response> {
    let (account, access) = brand_account(&state, &ctx, &code).await?;
    if access == BrandAccess::NotEnabled {
        return Ok(not_enabled_page(&ctx, &account));
    }
    let (row, hosts) = saved_brand(&state, &account).await?;
    let own_host = state.settings.base_host();
    let refused = |errors: Vec<String>, form: BrandForm, row: Option<BrandRow>, hosts: Vec<String>| {
        edit_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            EditPage { account: account.clone(), access, row, hosts, form, preview: None, errors },
        )
    };
    let checked = match check::check(&form.fields(access), &own_host) {
        Ok(checked) => checked,
        Err(errors) => return Ok(refused(errors, form, row, hosts)),
    };
    if form.intent == "preview" {
        let saved = row.as_ref().map(BrandRow::to_brand);
        let keep_upload = |url: &Option<String>, saved_url: Option<String>| url.clone().or(saved_url);
        let preview = Brand {
            account_id: Some(account.id),
            company_name: checked.company_name.clone(),
            logo_url: keep_upload(&checked.logo_url, saved.as_ref().and_then(|b| b.logo_url.clone())),
            favicon_url: keep_upload(&checked.favicon_url, saved.as_ref().and_then(|b| b.favicon_url.clone())),
            primary_color: checked.primary_color.clone(),
            accent_color: checked.accent_color.clone(),
            support_email: checked.support_email.clone(),
            footer_text: checked.footer_text.clone(),
            ..saved.clone().unwrap_or_else(Brand::fallback)
        };
        return Ok(edit_page(
            &ctx,
            StatusCode::OK,
            EditPage { account, access, row, hosts, form, preview: Some(preview), errors: vec![] },
        ));
    }
    let by = crate::audit::AuditActor::of(ctx.viewer()?, ctx.device.ip_text());
    match store::save(&state.db, &by, &account, checked).await {
        Ok(saved) => {
            set_flash(&session, format!("The brand {} was saved.", saved.company_name)).await?;
            Ok(Redirect::to(&format!("/brands/{}", account.code)).into_response())
        }
        Err(store::BrandError::Failed(error)) => Err(error),
        Err(refusal) => Ok(refused(vec![refusal.to_string()], form, row, hosts)),
    }
}

/// `POST /brands/{code}/{image}` (multipart): stores a checked logo or favicon.
pub(crate) async fn upload_image(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path((code, image_name)): Path<(String, String)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (account, access, row, image) = image_target(&state, &ctx, &code, &image_name).await?;
    let unreadable = || AppError::bad_request("The upload could not be read. Choose the file again.");
    let mut upload = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("image") {
            let content_type = field.content_type().unwrap_or("").to_string();
            upload = Some((content_type, field.bytes().await.map_err(|_| unreadable())?));
        }
    }
    let (content_type, bytes) = upload.unwrap_or_default();
    match images::check(image.name(), &content_type, &bytes, image.allowed_types(), image.max_bytes()) {
        Ok(image_type) => {
            let by = crate::audit::AuditActor::of(ctx.viewer()?, ctx.device.ip_text());
            store::set_image(&state.db, &by, &account, row.id, image, Some((image_type, bytes.to_vec()))).await?;
            set_flash(&session, format!("The {} was uploaded.", image.name())).await?;
            Ok(Redirect::to(&format!("/brands/{}", account.code)).into_response())
        }
        Err(message) => {
            let hosts = store::hosts_of(&state.db, row.id).await?;
            let form = BrandForm::from_row(&row, &hosts);
            Ok(edit_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                EditPage { account, access, row: Some(row), hosts, form, preview: None, errors: vec![message] },
            ))
        }
    }
}

/// `POST /brands/{code}/{image}/remove`: back to the address (or none).
pub(crate) async fn remove_image(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path((code, image_name)): Path<(String, String)>,
) -> AppResult<Response> {
    let (account, _, row, image) = image_target(&state, &ctx, &code, &image_name).await?;
    let by = crate::audit::AuditActor::of(ctx.viewer()?, ctx.device.ip_text());
    store::set_image(&state.db, &by, &account, row.id, image, None).await?;
    set_flash(&session, format!("The uploaded {} was removed.", image.name())).await?;
    Ok(Redirect::to(&format!("/brands/{}", account.code)).into_response())
}

/// The account, its saved brand and the image an upload or removal is for.
async fn image_target(
    state: &AppState,
    ctx: &PageCtx,
    code: &str,
    image_name: &str,
) -> AppResult<(accounts::Model, BrandAccess, BrandRow, BrandImage)> {
    let image = BrandImage::parse(image_name).ok_or(AppError::NotFound)?;
    let (account, access) = brand_account(state, ctx, code).await?;
    if access == BrandAccess::NotEnabled {
        return Err(AppError::NotFound);
    }
    let row = store::of_account(&state.db, account.id)
        .await?
        .ok_or_else(|| AppError::bad_request("Save the brand's name and colours first, then upload images."))?;
    Ok((account, access, row, image))
}

/// `GET /brand-assets/{brand_id}/{image}`: an uploaded logo or favicon. Served with a
/// policy that lets no script run even if an SVG is opened on its own.
pub(crate) async fn serve_image(
    State(state): State<AppState>,
    Path((brand_id, image_name)): Path<(i32, String)>,
) -> AppResult<Response> {
    let image = BrandImage::parse(&image_name).ok_or(AppError::NotFound)?;
    let (content_type, bytes) = store::image(&state.db, brand_id, image).await?.ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; sandbox".to_string()),
        ],
        bytes,
    )
        .into_response())
}
