//! Admin → Payments: the WebPay gateway's settings and "Test connection".

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::Utc;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::error::AppResult;
use crate::i18n::{msg, tr, Localize};
use crate::identity::session::set_flash;
use crate::pagination::PageQuery;
use crate::payments::webpay::client::WebpayError;
use crate::payments::webpay::events;
use crate::payments::webpay::gateway::{self, Environment, GatewayFields, GatewaySettings};
use crate::payments::webpay::CreateRequest;
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, form_errors, pager};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page_with_status, PageCtx};

fn render(
    ctx: &PageCtx,
    status: StatusCode,
    demo: bool,
    settings: &GatewaySettings,
    errors: Vec<String>,
    result: Option<String>,
) -> Response {
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    let code = settings.credentials.commerce_code.clone();
    let placeholder = tr!(ctx, "admin-stored-secret", stored = gateway::masked(&settings.credentials.api_key_secret));
    let (choice, custom) = match &settings.environment {
        Environment::Integration => ("integration", String::new()),
        Environment::Production => ("production", String::new()),
        Environment::Url(url) => ("url", url.clone()),
    };
    let active = settings.active;
    let test_payments = settings.test_payments;
    let test_note = settings.is_test().then(|| {
        if demo {
            ctx.t("admin-payments-test-demo")
        } else if test_payments {
            ctx.t("admin-payments-test-paid")
        } else {
            ctx.t("admin-payments-test-refunded")
        }
    });
    page_with_status(status, ctx, &ctx.t("admin-payments-title"), move || {
        view! {
            {admin_nav(&ctx.locale)}
            {form_errors(errors)}
            {result.map(|r| view! { <p class="notice" role="status">{r}</p> })}
            {test_note.map(|n| view! { <p class="notice"><span class="tag warn">{loc.t("admin-test-tag")}</span>" "{n}</p> })}
            <form class="stacked card" method="post" action="/admin/payments">
                {csrf_field(&ctx2)}
                <h2>"WebPay Plus (Transbank)"</h2>
                <label>{loc.t("admin-payments-commerce-code")} " " <input name="commerce_code" value=code inputmode="numeric" maxlength="20" required/></label>
                <label>{loc.t("admin-payments-secret")}
                    <input type="password" name="api_key_secret" autocomplete="off" maxlength="200" placeholder=placeholder/></label>
                <fieldset>
                    <legend>{loc.t("admin-payments-environment")}</legend>
                    <label class="check"><input type="radio" name="environment_choice" value="integration" checked=choice == "integration"/> " " {loc.t("admin-payments-integration")}</label>
                    <label class="check"><input type="radio" name="environment_choice" value="production" checked=choice == "production"/> " " {loc.t("admin-payments-production")}</label>
                    <label class="check"><input type="radio" name="environment_choice" value="url" checked=choice == "url"/> " " {loc.t("admin-payments-other-url")}</label>
                    <input name="environment_url" value=custom aria-label=loc.t("admin-payments-base-url") maxlength="255"/>
                </fieldset>
                <label class="check"><input type="checkbox" name="active" checked=active/> " " {loc.t("admin-payments-active")}</label>
                <label class="check"><input type="checkbox" name="test_payments" checked=test_payments/> " " {loc.t("admin-payments-count-test")}</label>
                <button type="submit">{loc.t("admin-save")}</button>
            </form>
            <p><a href="/admin/payments/transactions">{loc.t("admin-payments-log")}</a> " · " <a href="/admin/attention">{loc.t("admin-nav-attention")}</a></p>
            <form class="inline" method="post" action="/admin/payments/test">
                {csrf_field(&ctx2)}
                <button type="submit" class="secondary">{loc.t("admin-payments-test-connection")}</button>
            </form>
        }
    })
}

/// `GET /admin/payments`.
pub(crate) async fn settings(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    let settings = state.webpay_gateway().await?;
    Ok(render(&ctx, StatusCode::OK, state.settings.demo, &settings, vec![], None))
}

/// The settings form; no `Debug`, so the typed secret can never be logged.
#[derive(serde::Deserialize)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    commerce_code: String,
    #[serde(default)]
    api_key_secret: String,
    #[serde(default)]
    environment_choice: String,
    #[serde(default)]
    environment_url: String,
    active: Option<String>,
    test_payments: Option<String>,
}

/// `POST /admin/payments`.
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let existing = state.webpay_gateway().await?;
    let environment = match form.environment_choice.as_str() {
        "url" => form.environment_url.clone(),
        other => other.to_string(),
    };
    let fields = GatewayFields {
        commerce_code: form.commerce_code,
        api_key_secret: form.api_key_secret,
        environment,
        active: form.active.is_some(),
        test_payments: form.test_payments.is_some(),
    };
    match gateway::check_in(&fields, &existing, &ctx) {
        Ok(checked) => {
            let by = crate::audit::AuditActor::of(viewer, ctx.device.ip_text());
            gateway::save(&state.db, &by, &state.secrets, &existing, &checked).await?;
            set_flash(&session, ctx.t("admin-payments-saved")).await?;
            Ok(Redirect::to("/admin/payments").into_response())
        }
        Err(errors) => Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, state.settings.demo, &existing, errors, None)),
    }
}

/// `POST /admin/payments/test`: creates a 1-peso transaction and says what WebPay answered.
pub(crate) async fn test_connection(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let settings = state.webpay_gateway().await?;
    let client = settings.client(&state.webpay_http);
    let request = CreateRequest {
        buy_order: format!("TEST-{}", Utc::now().timestamp()),
        session_id: "connection-test".into(),
        amount: 1,
        return_url: format!("{}/checkout/webpay/return", state.settings.base_url.trim_end_matches('/')),
    };
    let answer = client.create(&request).await;
    let logged = match &answer {
        Ok(_) => "connection test: token issued".to_string(),
        Err(error) => format!("connection test: {error}"),
    };
    events::record(&state.db, None, Some(&request.buy_order), events::action::CREATE, logged).await?;
    let (status, result) = match answer {
        Ok(_) => (StatusCode::OK, tr!(ctx, "admin-payments-test-works", host = settings.environment.host())),
        Err(WebpayError::Api { status: 401, message }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, tr!(ctx, "admin-payments-test-refused", message = message))
        }
        Err(error) => {
            (StatusCode::UNPROCESSABLE_ENTITY, tr!(ctx, "admin-payments-test-failed", error = error.to_string()))
        }
    };
    Ok(render(&ctx, status, state.settings.demo, &settings, vec![], Some(result)))
}

/// A logged WebPay call or return, as the log names it (the stored name otherwise).
fn action_name(loc: &impl Localize, action: &str) -> String {
    let id = match action {
        events::action::CREATE => msg!("admin-payments-action-create"),
        events::action::COMMIT => msg!("admin-payments-action-commit"),
        events::action::STATUS => msg!("admin-payments-action-status"),
        events::action::REFUND => msg!("admin-payments-action-refund"),
        events::action::RETURN => msg!("admin-payments-action-return"),
        other => return other.to_string(),
    };
    loc.t(id)
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct LogQuery {
    q: Option<String>,
    page: Option<u64>,
    after: Option<String>,
    before: Option<String>,
    last: Option<String>,
}

/// `GET /admin/payments/transactions?q=`: every WebPay call and return with its outcome,
/// searchable by order number or buy order.
pub(crate) async fn transactions(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    axum::extract::Query(query): axum::extract::Query<LogQuery>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let search = query.q.clone().unwrap_or_default();
    if search.chars().count() > 40 {
        return Err(crate::error::AppError::bad_request(ctx.t("admin-payments-search-too-long")));
    }
    let log = events::log(
        &state.db,
        Some(&search),
        PageQuery { page: query.page, after: query.after, before: query.before, last: query.last },
    )
    .await?;
    let buy_orders: Vec<String> = log.items.iter().filter_map(|(event, _)| event.buy_order.clone()).collect();
    let test = events::test_buy_orders(&state.db, &buy_orders).await?;
    let base = format!("/admin/payments/transactions?q={}", crate::error::encode_query_value(&search));
    let pager_locale = ctx.locale;
    let loc = ctx.locale;
    Ok(page_with_status(StatusCode::OK, &ctx, &ctx.t("admin-payments-log-title"), move || {
        let rows: Vec<_> = log
            .items
            .iter()
            .map(|(event, order)| {
                let order_cell = order.as_ref().map(|o| {
                    let href = format!("/orders/{}", o.number);
                    view! { <a href=href>{o.number.clone()}</a> }
                });
                view! {
                    <tr>
                        <td>{loc.datetime(&event.created_at)}</td>
                        <td>{order_cell}</td>
                        <td>
                            {event.buy_order.clone().unwrap_or_default()}
                            {event.buy_order.as_ref().filter(|b| test.contains(*b)).map(|_| view! { " " <span class="tag warn">{loc.t("admin-test-tag")}</span> })}
                        </td>
                        <td><span class="tag">{action_name(&loc, &event.action)}</span></td>
                        <td>{event.outcome.clone()}</td>
                    </tr>
                }
            })
            .collect();
        let empty_state = rows.is_empty().then(|| empty(loc.t("admin-payments-log-empty")));
        view! {
            {admin_nav(&ctx.locale)}
            <p><a href="/admin/payments">{loc.t("admin-payments-back")}</a></p>
            <form method="get" action="/admin/payments/transactions" class="inline">
                <label>{loc.t("admin-payments-search-label")} " " <input name="q" value=search.clone() maxlength="40"/></label>
                " " <button type="submit" class="secondary">{loc.t("admin-payments-search")}</button>
            </form>
            {empty_state}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-col-when")}</th><th>{loc.t("admin-col-order")}</th><th>{loc.t("admin-payments-buy-order")}</th><th>{loc.t("admin-payments-call-or-return")}</th><th>{loc.t("admin-payments-outcome")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &log, &base)}
        }
    }))
}
