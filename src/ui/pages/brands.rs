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
use crate::i18n::{msg, tr, Lang, Locale, Localize};
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
    let title = ctx.t("brands-admin-title");
    let intro = ctx.t("brands-admin-intro");
    let (th_account, th_brand, th_branding, th_hosts, th_action) = (
        ctx.t("brands-th-account"),
        ctx.t("brands-th-brand"),
        ctx.t("brands-th-branding"),
        ctx.t("brands-th-hosts"),
        ctx.t("brands-th-action"),
    );
    Ok(page(&ctx, &title, move || {
        let rows: Vec<_> = overview
            .items
            .iter()
            .map(|(account, row, hosts)| {
                let edit = format!("/brands/{}", account.code);
                let brand_name = row.as_ref().map_or_else(|| ctx2.t("brands-no-brand-yet"), |r| r.company_name.clone());
                let switch = (account.tier == AccountTier::Reseller).then(|| {
                    let action = format!("/admin/accounts/{}/branding", account.code);
                    let (value, label, aria) = if account.branding_enabled {
                        ("off", ctx2.t("brands-disable"), tr!(ctx2, "brands-disable-for", name = account.name.as_str()))
                    } else {
                        ("on", ctx2.t("brands-enable"), tr!(ctx2, "brands-enable-for", name = account.name.as_str()))
                    };
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <input type="hidden" name="enabled" value=value/>
                            <button type="submit" class="secondary" aria-label=aria>{label}</button>
                        </form>
                    }
                });
                let state_label = ctx2.t(match account.tier {
                    AccountTier::Provider => msg!("brands-state-provider"),
                    _ if account.branding_enabled => msg!("brands-state-enabled"),
                    _ => msg!("brands-state-not-enabled"),
                });
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
            {admin_nav(&ctx.locale)}
            <p class="muted">{intro}</p>
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{th_account}</th><th>{th_brand}</th><th>{th_branding}</th><th>{th_hosts}</th><th>{th_action}</th></tr></thead>
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
        _ => return Err(AppError::bad_request(ctx.t("brands-on-or-off"))),
    };
    let by = crate::audit::AuditActor::of(viewer, ctx.device.ip_text());
    store::set_branding_enabled(&state.db, &by, &account, enabled).await?;
    let message = if enabled {
        tr!(ctx, "brands-enabled-flash", name = account.name.as_str())
    } else {
        tr!(ctx, "brands-disabled-flash", name = account.name.as_str())
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
    /// `es-CL` or `en`.
    #[serde(default)]
    default_language: String,
    /// An IANA time zone name.
    #[serde(default)]
    time_zone: String,
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
            default_language: row.default_language.clone(),
            time_zone: row.time_zone.clone(),
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
            default_language: self.default_language.clone(),
            time_zone: self.time_zone.clone(),
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
    let title = tr!(ctx, "brands-edit-title", name = account.name.as_str());
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
            let kb = ctx.number(i64::try_from(image.max_bytes() / 1024).unwrap_or(i64::MAX));
            let (label, upload, in_use, remove_label) = match image {
                BrandImage::Logo => (
                    tr!(ctx, "brands-upload-logo-label", kb = kb),
                    ctx.t("brands-upload-logo"),
                    ctx.t("brands-uploaded-logo-in-use"),
                    ctx.t("brands-remove-logo"),
                ),
                BrandImage::Favicon => (
                    tr!(ctx, "brands-upload-favicon-label", kb = kb),
                    ctx.t("brands-upload-favicon"),
                    ctx.t("brands-uploaded-favicon-in-use"),
                    ctx.t("brands-remove-favicon"),
                ),
            };
            let uploaded = row.as_ref().is_some_and(|r| r.has_upload(image));
            let ctx3 = ctx2.clone();
            view! {
                <form class="stacked card" method="post" enctype="multipart/form-data" action=upload_action>
                    <label>{label} <input type="file" name="image" accept=types.join(",") required/></label>
                    <button type="submit" class="secondary">{upload}</button>
                </form>
                {uploaded.then(|| view! {
                    <form class="inline" method="post" action=remove_action>
                        {csrf_field(&ctx3)}
                        <p class="muted">{in_use} " "
                            <button type="submit" class="link-button">{remove_label}</button></p>
                    </form>
                })}
            }
        })
        .collect();
    let hosts_field = if is_admin {
        let label = ctx.t("brands-hosts-label");
        view! {
            <label>{label}
                {crate::ui::components::textarea("hosts", "3", form.hosts.as_deref().unwrap_or_default())}</label>
        }
        .into_any()
    } else {
        let listed = if hosts.is_empty() { ctx.t("brands-hosts-none") } else { hosts.join(", ") };
        let text = tr!(ctx, "brands-hosts-read-only", hosts = listed);
        view! { <p class="muted">{text}</p> }.into_any()
    };
    let back = if is_admin {
        let all = ctx.t("brands-back-all");
        view! { {admin_nav(&ctx.locale)} <p><a href="/admin/brands">{all}</a></p> }.into_any()
    } else {
        let customers = ctx.t("brands-back-customers");
        view! { <p><a href="/reseller">{customers}</a></p> }.into_any()
    };
    let languages: Vec<_> = Lang::ALL
        .into_iter()
        .map(|lang| {
            let selected = form.default_language == lang.tag();
            view! { <option value=lang.tag() selected=selected>{lang.native_name()}</option> }
        })
        .collect();
    let zones: Vec<_> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|zone| {
            let selected = form.time_zone == zone.name();
            view! { <option value=zone.name() selected=selected>{zone.name()}</option> }
        })
        .collect();
    let labels = [
        ctx.t("brands-field-company-name"),
        ctx.t("brands-field-logo-url"),
        ctx.t("brands-field-favicon-url"),
        ctx.t("brands-field-primary-colour"),
        ctx.t("brands-field-accent-colour"),
        ctx.t("brands-field-support-email"),
        ctx.t("brands-field-footer-text"),
        ctx.t("brands-field-default-language"),
        ctx.t("brands-field-time-zone"),
    ];
    let [l_name, l_logo, l_favicon, l_primary, l_accent, l_support, l_footer, l_language, l_zone] = labels;
    let preview_button = ctx.t("brands-preview-button");
    let save_button = ctx.t("brands-save-button");
    let preview_label = ctx.t("brands-preview");
    let preview_heading = if previewing { ctx.t("brands-preview-not-saved") } else { ctx.t("brands-preview") };
    // The preview speaks and formats as the brand does for a visitor whose browser asks
    // for no language: its default language, its time zone.
    let brand_locale = Locale { lang: shown.default_language, time_zone: shown.time_zone };
    let price = tr!(brand_locale, "brands-preview-price", price = brand_locale.money(11_500, "CLP"));
    let add_to_cart = brand_locale.t("brands-preview-add-to-cart");
    let support_label = brand_locale.t("brands-preview-support");
    let language_line = tr!(
        ctx,
        "brands-preview-language",
        language = shown.default_language.native_name(),
        zone = shown.time_zone.name(),
        now = brand_locale.datetime(&chrono::Utc::now())
    );
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
                    <label>{l_name}
                        <input name="company_name" value=form.company_name.clone() maxlength="80" required/></label>
                    <label>{l_logo}
                        <input name="logo_url" value=form.logo_url.clone() maxlength="500"/></label>
                    <label>{l_favicon}
                        <input name="favicon_url" value=form.favicon_url.clone() maxlength="500"/></label>
                    <label>{l_primary}
                        <input type="color" name="primary_color" value=form.primary_color.clone()/></label>
                    <label>{l_accent}
                        <input type="color" name="accent_color" value=form.accent_color.clone()/></label>
                    <label>{l_support} <input type="email" name="support_email" value=form.support_email.clone() maxlength="254"/></label>
                    <label>{l_footer} <input name="footer_text" value=form.footer_text.clone() maxlength="300"/></label>
                    <label>{l_language} <select name="default_language">{languages}</select></label>
                    <label>{l_zone} <select name="time_zone">{zones}</select></label>
                    {hosts_field}
                    <div class="actions">
                        <button type="submit" name="intent" value="preview" class="secondary">{preview_button}</button>
                        <button type="submit" name="intent" value="save">{save_button}</button>
                    </div>
                </form>
                <section class="brand-preview card" aria-label=preview_label lang=shown.default_language.tag()>
                    <style nonce=nonce>{preview_css}</style>
                    <h2>{preview_heading}</h2>
                    <div class="preview-header">{logo} <span class="preview-name">{shown.company_name.clone()}</span></div>
                    <p>"Microsoft 365 Business Standard " <span class="price">{price}</span></p>
                    <p><span class="button">{add_to_cart}</span></p>
                    <p class="muted preview-footer">{footer}</p>
                    <p class="muted">{support_label} " " <span class="preview-support">{support}</span></p>
                    <p class="muted preview-language">{language_line}</p>
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
    let title = tr!(ctx, "brands-edit-title", name = account.name.as_str());
    let provider = ctx.brand.company_name.clone();
    let back = ctx.t("brands-back-customers");
    let not_enabled = tr!(ctx, "brands-not-enabled", provider = provider.as_str());
    let ask = tr!(ctx, "brands-not-enabled-ask", provider = provider.as_str());
    page_with_status(StatusCode::OK, ctx, &title, move || {
        view! {
            <p><a href="/reseller">{back}</a></p>
            <section class="panel">
                <p>{not_enabled}</p>
                <p>{ask}</p>
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
    let checked = match check::check_in(&form.fields(access), &own_host, &ctx) {
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
            default_language: checked
                .default_language
                .or(saved.as_ref().map(|b| b.default_language))
                .unwrap_or(Lang::En),
            time_zone: checked
                .time_zone
                .or(saved.as_ref().map(|b| b.time_zone))
                .unwrap_or(crate::i18n::DEFAULT_TIME_ZONE),
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
            set_flash(&session, tr!(ctx, "brands-saved", name = saved.company_name.as_str())).await?;
            Ok(Redirect::to(&format!("/brands/{}", account.code)).into_response())
        }
        Err(store::BrandError::Failed(error)) => Err(error),
        Err(refusal) => Ok(refused(vec![refusal.localized(&ctx)], form, row, hosts)),
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
    let unreadable = || AppError::bad_request(ctx.t("brands-upload-unreadable"));
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
            let said = ctx.t(match image {
                BrandImage::Logo => msg!("brands-logo-uploaded"),
                BrandImage::Favicon => msg!("brands-favicon-uploaded"),
            });
            set_flash(&session, said).await?;
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
    let said = ctx.t(match image {
        BrandImage::Logo => msg!("brands-logo-removed"),
        BrandImage::Favicon => msg!("brands-favicon-removed"),
    });
    set_flash(&session, said).await?;
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
        .ok_or_else(|| AppError::bad_request(ctx.t("brands-save-first")))?;
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
