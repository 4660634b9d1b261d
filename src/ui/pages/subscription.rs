//! The subscription page: details, the pending action's notice, the cancellation policy,
//! scheduling and revoking future actions, quantity, suspension, ramp-up, add-ons, history.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{NaiveDate, Utc};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::accounts::Viewer;
use crate::catalog::pricing::{self, TermPrices, UnitPrice};
use crate::catalog::reservations::ReservationLabel;
use crate::entities::enums::{FutureActionType, SubscriptionStatus};
use crate::entities::{future_actions, subscription_history};
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::identity::session::set_flash;
use crate::state::AppState;
use crate::subscriptions::future_actions as actions;
use crate::subscriptions::history::{self, Actor};
use crate::subscriptions::lifecycle::{self, Loaded};
use crate::subscriptions::policy::CancelWhen;
use crate::subscriptions::rules::{self, ScheduleRequest};
use crate::ui::components::{csrf_field, empty, form_errors};
use crate::ui::{page_with_status, PageCtx};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A history table (the subscription page and My Account).
pub(crate) fn history_table(
    loc: &impl Localize,
    rows: Vec<(subscription_history::Model, Option<crate::entities::subscriptions::Model>)>,
) -> impl IntoView {
    if rows.is_empty() {
        return empty(loc.t("subscription-no-changes")).into_any();
    }
    let addon = loc.t("subscription-history-addon");
    let show_subscription = rows.iter().any(|(_, s)| s.is_some());
    let body: Vec<_> = rows
        .into_iter()
        .map(|(h, s)| {
            let subscription = s.map(|s| {
                let href = format!("/subscriptions/{}", s.id);
                view! { <td><a href=href>{s.name}</a></td> }
            });
            // The system signs its changes "System": said in the reader's language.
            let name = if h.actor_kind == crate::entities::enums::ActorKind::System && h.actor_name == "System" {
                actor_label(loc, h.actor_kind)
            } else {
                h.actor_name.clone()
            };
            let who = tr!(loc, "subscription-history-who", name = name, kind = actor_label(loc, h.actor_kind));
            let what = match h.addon_id {
                Some(_) => format!("{} {addon}", history_field_label(loc, h.field)),
                None => history_field_label(loc, h.field),
            };
            view! {
                <tr>
                    <td>{loc.datetime(&h.created_at)}</td>
                    {subscription}
                    <td>{what}</td>
                    <td>{history_value(loc, h.field, h.old_value)}</td>
                    <td>{history_value(loc, h.field, h.new_value)}</td>
                    <td>{who}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{loc.t("subscription-history-when")}</th>
                    {show_subscription.then(|| view! { <th>{loc.t("subscription-history-subscription")}</th> })}
                    <th>{loc.t("subscription-history-what")}</th>
                    <th>{loc.t("subscription-history-old")}</th>
                    <th>{loc.t("subscription-history-new")}</th>
                    <th>{loc.t("subscription-history-who-heading")}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Whose pending change a notice is about: the subscription itself, or an add-on (named).
enum Whose<'a> {
    Subscription,
    Addon(&'a str),
}

fn notice(ctx: &PageCtx, action: &future_actions::Model, whose: Whose<'_>) -> impl IntoView {
    // A scheduled moment is midnight UTC of its day: shown as that day.
    let date = ctx.day(action.scheduled_at.date_naive());
    let quantity = action.new_quantity.unwrap_or_default();
    let text = match (action.action_type, whose) {
        (FutureActionType::CancellationOnEnd, Whose::Subscription) => {
            tr!(ctx, "subscription-notice-cancel-at-end", date = date)
        }
        (FutureActionType::CancellationOnEnd, Whose::Addon(name)) => {
            tr!(ctx, "subscription-notice-addon-cancel-at-end", name = name, date = date)
        }
        (FutureActionType::CancellationOnSpecific, Whose::Subscription) => {
            tr!(ctx, "subscription-notice-cancel-on", date = date)
        }
        (FutureActionType::CancellationOnSpecific, Whose::Addon(name)) => {
            tr!(ctx, "subscription-notice-addon-cancel-on", name = name, date = date)
        }
        (FutureActionType::ChangeQtyOnNext, Whose::Subscription) => {
            tr!(ctx, "subscription-notice-quantity", quantity = quantity, date = date)
        }
        (FutureActionType::ChangeQtyOnNext, Whose::Addon(name)) => {
            tr!(ctx, "subscription-notice-addon-quantity", name = name, quantity = quantity, date = date)
        }
    };
    let revoke = format!("/future-actions/{}/revoke", action.id);
    view! {
        <div class="notice" role="status">
            <p>{text}</p>
            <form class="inline" method="post" action=revoke>
                {csrf_field(ctx)}
                <button type="submit" class="secondary">{ctx.t("subscription-revoke-scheduled")}</button>
            </form>
        </div>
    }
}

/// What the page shows, loaded.
struct PageData {
    loaded: Loaded,
    prices: TermPrices,
    history: Vec<subscription_history::Model>,
    /// Whether the viewer sells this subscription (and so may suspend and resume it).
    sells_it: bool,
}

fn render(ctx: &PageCtx, viewer: &Viewer, status: StatusCode, data: PageData, errors: Vec<String>) -> Response {
    let PageData { loaded, prices, history, sells_it } = data;
    let price_facts = price_facts(ctx, &prices, &loaded, sells_it);
    let today = today();
    let s = loaded.subscription.clone();
    let policy = loaded.policy(today);
    let title = s.name.clone();
    let base = format!("/subscriptions/{}", s.id);
    let is_admin = viewer.is_provider_admin();
    let ctx2 = ctx.clone();
    let pending_notice = loaded.pending_for(None).map(|a| notice(ctx, a, Whose::Subscription));
    let active = s.status == SubscriptionStatus::Active;
    let ramp_up = s.ramp_up_end.map(|end| {
        let months = s.ramp_up_months.unwrap_or_default();
        let (from, to) = (ctx.day(s.start_date), ctx.day(end));
        if end > today {
            tr!(ctx, "subscription-ramp-up-active", months = months, from = from, to = to)
        } else {
            tr!(ctx, "subscription-ramp-up-ended-on", months = months, from = from, to = to)
        }
    });
    let ramp_up_form = (is_admin && s.ramp_up_end.is_some_and(|end| end > today)).then(|| {
        let action = format!("{base}/ramp-up");
        view! {
            <form class="inline" method="post" action=action>
                {csrf_field(&ctx2)}
                <label>{ctx2.t("subscription-extend-ramp-up-by")} " "
                    <select name="months">
                        <option value="1">{tr!(ctx2, "subscription-months", months = 1)}</option>
                        <option value="2">{tr!(ctx2, "subscription-months", months = 2)}</option>
                        <option value="3">{tr!(ctx2, "subscription-months", months = 3)}</option>
                    </select>
                </label>
                " " <button type="submit" class="secondary">{ctx2.t("subscription-extend-ramp-up")}</button>
            </form>
        }
    });
    let cancel_now = (policy.allows(CancelWhen::Immediately) && s.status != SubscriptionStatus::Canceled).then(|| {
        let action = format!("{base}/cancel");
        view! {
            <form class="stacked" method="post" action=action>
                {csrf_field(&ctx2)}
                <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " " {ctx2.t("subscription-cancel-now-confirm")}</label>
                <button type="submit" class="danger">{ctx2.t("subscription-cancel-now")}</button>
            </form>
        }
    });
    let schedule = (active && loaded.pending_for(None).is_none()).then(|| {
        let action = format!("{base}/future-actions");
        let offered = loaded.schedulable_actions(None, today);
        let end_option = offered
            .contains(&FutureActionType::CancellationOnEnd)
            .then(|| view! { <option value="CancellationOnEnd">{ctx2.t("subscription-option-cancel-at-end")}</option> });
        let qty_option = offered
            .contains(&FutureActionType::ChangeQtyOnNext)
            .then(|| view! { <option value="ChangeQtyOnNext">{ctx2.t("subscription-option-change-quantity")}</option> });
        // A cancellation on a date is a cancellation "now" that waits.
        let specific_option = offered
            .contains(&FutureActionType::CancellationOnSpecific)
            .then(|| view! { <option value="CancellationOnSpecific">{ctx2.t("subscription-option-cancel-on-date")}</option> });
        let min_date = (today + chrono::Duration::days(1)).to_string();
        let max_date = s.term_end_date.to_string();
        view! {
            <form class="stacked card" method="post" action=action>
                {csrf_field(&ctx2)}
                <h3>{ctx2.t("subscription-schedule-heading")}</h3>
                <label>{ctx2.t("subscription-schedule-change")}
                    <select name="action_type">
                        {end_option}
                        {qty_option}
                        {specific_option}
                    </select>
                </label>
                <label>{ctx2.t("subscription-schedule-date")} " " <input type="date" name="date" min=min_date max=max_date/></label>
                <label>{ctx2.t("subscription-schedule-new-quantity")} " " <input type="number" name="new_quantity" min="1" max=crate::catalog::Quantity::MAX.to_string()/></label>
                <button type="submit">{ctx2.t("subscription-schedule")}</button>
            </form>
        }
    });
    let lower_quantity = (active && policy.may_lower_quantity).then(|| {
        let action = format!("{base}/quantity");
        let max = (s.quantity - 1).max(1).to_string();
        view! {
            <form class="inline" method="post" action=action>
                {csrf_field(&ctx2)}
                <label>{ctx2.t("subscription-lower-quantity-to")} " " <input type="number" name="quantity" min="1" max=max required/></label>
                " " <button type="submit" class="secondary">{ctx2.t("subscription-lower-quantity")}</button>
            </form>
        }
    });
    let suspension =
        (sells_it && matches!(s.status, SubscriptionStatus::Active | SubscriptionStatus::Suspended)).then(|| {
            let action = format!("{base}/suspension");
            let (value, label) = if s.status == SubscriptionStatus::Active {
                ("on", ctx2.t("subscription-suspend"))
            } else {
                ("off", ctx2.t("subscription-resume"))
            };
            view! {
                <form class="inline" method="post" action=action>
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="suspend" value=value/>
                    <button type="submit" class="secondary">{label}</button>
                </form>
            }
        });
    let addon_rows: Vec<_> = loaded
        .addons
        .iter()
        .map(|addon| {
            let pending = loaded.pending_for(Some(addon.id)).map(|a| notice(&ctx2, a, Whose::Addon(&addon.name)));
            let can_schedule = addon.status == SubscriptionStatus::Active && loaded.pending_for(Some(addon.id)).is_none();
            let form = can_schedule.then(|| {
                let action = format!("{base}/future-actions");
                let quantity_label = tr!(ctx2, "subscription-addon-quantity-label", name = addon.name.as_str());
                let renews = loaded.schedulable_actions(Some(addon.id), today).contains(&FutureActionType::ChangeQtyOnNext);
                view! {
                    <form class="inline" method="post" action=action.clone()>
                        {csrf_field(&ctx2)}
                        <input type="hidden" name="addon_id" value=addon.id.to_string()/>
                        <input type="hidden" name="action_type" value="CancellationOnEnd"/>
                        <button type="submit" class="secondary">{tr!(ctx2, "subscription-addon-cancel-at-end", name = addon.name.as_str())}</button>
                    </form>
                    {renews.then(|| view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <input type="hidden" name="addon_id" value=addon.id.to_string()/>
                            <input type="hidden" name="action_type" value="ChangeQtyOnNext"/>
                            <input type="number" name="new_quantity" min="1" max=crate::catalog::Quantity::MAX.to_string() aria-label=quantity_label required/>
                            " " <button type="submit" class="secondary">{ctx2.t("subscription-change-at-renewal")}</button>
                        </form>
                    })}
                }
            });
            view! {
                <tr>
                    <td>{addon.name.clone()}</td>
                    <td class="num">{addon.quantity}</td>
                    <td><span class="tag">{rules::status_label(&ctx2, addon.status)}</span></td>
                    <td>{ctx2.day(addon.term_end_date)}</td>
                    <td>{pending}{form}</td>
                </tr>
            }
        })
        .collect();
    let has_addons = !addon_rows.is_empty();
    let history_rows: Vec<_> = history.into_iter().map(|h| (h, None)).collect();
    let policy_text = policy.text.localized(ctx);
    let term = tr!(ctx, "subscription-term-range", from = ctx.day(s.start_date), to = ctx.day(s.term_end_date));
    let auto_renew = ctx.t(if s.auto_renew { msg!("subscription-yes") } else { msg!("subscription-no") });
    page_with_status(status, ctx, &title, move || {
        view! {
            {form_errors(errors)}
            {pending_notice}
            <section class="panel">
                <dl class="facts">
                    <dt>{ctx2.t("subscription-product")}</dt><dd>{loaded.product.name.clone()}</dd>
                    <dt>{ctx2.t("subscription-status")}</dt><dd><span class="tag">{rules::status_label(&ctx2, s.status)}</span></dd>
                    <dt>{ctx2.t("subscription-quantity")}</dt><dd>{s.quantity}</dd>
                    <dt>{ctx2.t("subscription-term")}</dt><dd>{term}</dd>
                    <dt>{ctx2.t("subscription-auto-renew")}</dt><dd>{auto_renew}</dd>
                    {price_facts}
                    <dt>{ctx2.t("subscription-external-id")}</dt><dd>{s.external_id.clone().unwrap_or_else(|| "—".into())}</dd>
                    {s.reservation_label(ctx2.locale()).map(|label| view! {
                        <dt>{ctx2.t("subscription-reservation")}</dt>
                        <dd>{label}</dd>
                    })}
                    {ramp_up.map(|text| view! { <dt>{ctx2.t("subscription-ramp-up")}</dt><dd>{text}</dd> })}
                </dl>
                {ramp_up_form}
            </section>
            <section class="panel" id="cancellation">
                <h2>{ctx2.t("subscription-cancellation")}</h2>
                <p>{policy_text}</p>
                {cancel_now}
                {lower_quantity}
                {suspension}
            </section>
            {schedule}
            <section class="panel" id="addons">
                <h2>{ctx2.t("subscription-addons")}</h2>
                {if has_addons {
                    view! {
                        <div class="table-wrap"><table>
                            <thead><tr>
                                <th>{ctx2.t("subscription-addon")}</th>
                                <th class="num">{ctx2.t("subscription-quantity")}</th>
                                <th>{ctx2.t("subscription-status")}</th>
                                <th>{ctx2.t("subscription-term-ends")}</th>
                                <th>{ctx2.t("subscription-scheduled")}</th>
                            </tr></thead>
                            <tbody>{addon_rows}</tbody>
                        </table></div>
                    }.into_any()
                } else {
                    empty(ctx2.t("subscription-no-addons")).into_any()
                }}
            </section>
            <section class="panel" id="history">
                <h2>{ctx2.t("subscription-history")}</h2>
                {history_table(&ctx2, history_rows)}
            </section>
        }
    })
}

/// The price per unit this term and the price it renews at; a seller also sees its cost.
fn price_facts(ctx: &PageCtx, prices: &TermPrices, loaded: &Loaded, sells_it: bool) -> impl IntoView {
    let per = match loaded.product.kind {
        crate::entities::enums::ProductKind::Consumption => return None,
        _ => crate::catalog::billing_cycle_label(ctx, loaded.product.billing_cycle),
    };
    let currency = prices.currency.clone();
    let shown = |unit: Option<UnitPrice>| match unit {
        Some(unit) if sells_it => tr!(
            ctx,
            "subscription-price-with-cost",
            price = ctx.money(unit.price, &currency),
            per = per.as_str(),
            cost = ctx.money(unit.cost, &currency)
        ),
        Some(unit) => tr!(ctx, "subscription-price", price = ctx.money(unit.price, &currency), per = per.as_str()),
        None => ctx.t("subscription-no-price"),
    };
    let this_term = shown(prices.this_term);
    let renewal = prices
        .renewal
        .map(|(from, unit)| tr!(ctx, "subscription-renews-from", price = shown(unit), from = ctx.day(from)));
    let (this_term_heading, renews_heading) = (ctx.t("subscription-price-this-term"), ctx.t("subscription-renews-at"));
    Some(view! {
        <dt>{this_term_heading}</dt><dd>{this_term}</dd>
        {renewal.map(|text| view! { <dt>{renews_heading}</dt><dd>{text}</dd> })}
    })
}

async fn show_page(
    state: &AppState,
    ctx: &PageCtx,
    id: i32,
    status: StatusCode,
    errors: Vec<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let loaded = lifecycle::load(&state.db, AccountScope::of(viewer), id).await?;
    let history = history::of_subscription(&state.db, id, 100).await?;
    let sells_it = match AccountScope::sold_by(viewer) {
        Some(seller) => accounts_store::find_by_id(&state.db, loaded.subscription.account_id)
            .await?
            .is_some_and(|account| seller.allows(account.id, account.parent_id)),
        None => false,
    };
    let prices = pricing::of_subscription(&state.db, &loaded.subscription, &loaded.product, today()).await?;
    Ok(render(ctx, viewer, status, PageData { loaded, prices, history, sells_it }, errors))
}

/// `GET /subscriptions/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    show_page(&state, &ctx, id, StatusCode::OK, vec![]).await
}

/// After an action: back to the page with a flash, or the page again with the refusal (a
/// capability's refusal arrives as [`AppError::Unprocessable`]; any other error is passed on).
async fn answer(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    id: i32,
    outcome: Result<String, AppError>,
) -> AppResult<Response> {
    match outcome {
        Ok(message) => {
            set_flash(session, message).await?;
            Ok(Redirect::to(&format!("/subscriptions/{id}")).into_response())
        }
        Err(AppError::Unprocessable(message)) => {
            show_page(state, ctx, id, StatusCode::UNPROCESSABLE_ENTITY, vec![message]).await
        }
        Err(error) => Err(error),
    }
}

/// A refusal of the form itself, shown like a capability's.
fn refuse(message: &str) -> AppError {
    AppError::Unprocessable(message.to_string())
}

#[derive(Debug, Deserialize)]
pub(crate) struct ScheduleForm {
    #[serde(default)]
    action_type: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    new_quantity: String,
    #[serde(default)]
    addon_id: String,
}

fn optional_id(text: &str) -> Result<Option<i32>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| AppError::NotFound),
    }
}

/// `POST /subscriptions/{id}/future-actions`.
pub(crate) async fn schedule(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<ScheduleForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let addon_id = optional_id(&form.addon_id)?;
    let parsed = (|| {
        let action_type = FutureActionType::parse(form.action_type.trim()).ok_or(msg!("subscription-choose-change"))?;
        let date = match form.date.trim() {
            "" => None,
            d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| msg!("subscription-date-format"))?),
        };
        let new_quantity = match form.new_quantity.trim() {
            "" => None,
            q => Some(q.parse::<i32>().map_err(|_| msg!("subscription-new-quantity-whole"))?),
        };
        Ok::<_, &str>(ScheduleRequest { action_type, date, new_quantity })
    })();
    let outcome = match parsed {
        Err(message) => {
            lifecycle::load(&state.db, AccountScope::of(viewer), id).await?;
            Err(refuse(&ctx.t(message)))
        }
        Ok(request) => {
            actions::schedule(&state.db, AccountScope::of(viewer), id, addon_id, request, &Actor::of(viewer), today())
                .await
                .map(|a| {
                    tr!(
                        ctx,
                        "subscription-scheduled-flash",
                        action = rules::action_label_in(&ctx, a.action_type),
                        date = ctx.day(a.scheduled_at.date_naive())
                    )
                })
                .map_err(|error| error.into_app_error(&ctx))
        }
    };
    answer(&state, &ctx, &session, id, outcome).await
}

/// `POST /future-actions/{id}/revoke`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(action_id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let scope = AccountScope::of(viewer);
    let action = actions::find_in_scope(&state.db, scope, action_id).await?;
    let outcome = actions::revoke(&state.db, scope, action_id, &Actor::of(viewer))
        .await
        .map(|a| tr!(ctx, "subscription-revoked-flash", action = rules::action_label_in(&ctx, a.action_type)))
        .map_err(|error| error.into_app_error(&ctx));
    answer(&state, &ctx, &session, action.subscription_id, outcome).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct QuantityForm {
    #[serde(default)]
    quantity: String,
}

/// `POST /subscriptions/{id}/quantity`: lower the quantity now.
pub(crate) async fn set_quantity(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<QuantityForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let scope = AccountScope::of(viewer);
    let outcome = match form.quantity.trim().parse::<i32>() {
        Err(_) => {
            lifecycle::load(&state.db, scope, id).await?;
            Err(refuse(&ctx.t("subscription-quantity-whole")))
        }
        Ok(quantity) => {
            let current = lifecycle::load(&state.db, scope, id).await?.subscription.quantity;
            if quantity > current {
                Err(refuse(&ctx.t("subscription-more-through-catalogue")))
            } else {
                lifecycle::set_quantity(&state.db, scope, id, None, quantity, &Actor::of(viewer), today())
                    .await
                    .map(|()| tr!(ctx, "subscription-quantity-now", quantity = quantity))
                    .map_err(|error| error.into_app_error(&ctx))
            }
        }
    };
    answer(&state, &ctx, &session, id, outcome).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CancelForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /subscriptions/{id}/cancel`: cancel now, where the policy allows it.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let scope = AccountScope::of(viewer);
    let outcome = if form.confirm != "yes" {
        lifecycle::load(&state.db, scope, id).await?;
        Err(refuse(&ctx.t("subscription-tick-to-cancel")))
    } else {
        lifecycle::cancel_now(&state.db, scope, id, None, &Actor::of(viewer), today())
            .await
            .map(|credit| match credit {
                Some(credit) => tr!(
                    ctx,
                    "subscription-canceled-with-credit",
                    number = credit.number.as_str(),
                    amount = ctx.money(credit.total, &credit.currency)
                ),
                None => ctx.t("subscription-canceled-flash"),
            })
            .map_err(|error| error.into_app_error(&ctx))
    };
    answer(&state, &ctx, &session, id, outcome).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct SuspensionForm {
    #[serde(default)]
    suspend: String,
}

/// `POST /subscriptions/{id}/suspension`: the seller suspends or resumes (404 for anybody else).
pub(crate) async fn set_suspension(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<SuspensionForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let suspend = match form.suspend.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::bad_request(ctx.t("subscription-choose-suspend-or-resume"))),
    };
    let outcome = lifecycle::set_suspended(&state.db, viewer, id, suspend, &Actor::of(viewer))
        .await
        .map(|()| {
            ctx.t(if suspend { msg!("subscription-suspended-flash") } else { msg!("subscription-resumed-flash") })
        })
        .map_err(|error| error.into_app_error(&ctx));
    answer(&state, &ctx, &session, id, outcome).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct RampUpForm {
    #[serde(default)]
    months: String,
}

/// `POST /subscriptions/{id}/ramp-up`: a provider admin extends an active ramp-up.
pub(crate) async fn extend_ramp_up(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<RampUpForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let outcome = match form.months.trim().parse::<u32>() {
        Err(_) => Err(refuse(&ctx.t("subscription-choose-months"))),
        Ok(months) => {
            lifecycle::extend_ramp_up(&state.db, AccountScope::of(viewer), id, months, &Actor::of(viewer), today())
                .await
                .map(|end| tr!(ctx, "subscription-ramp-up-now-ends", end = ctx.day(end)))
                .map_err(|error| error.into_app_error(&ctx))
        }
    };
    answer(&state, &ctx, &session, id, outcome).await
}

/// Who made a change, as the history shows it, in the reader's language.
fn actor_label(loc: &impl Localize, kind: crate::entities::enums::ActorKind) -> String {
    use crate::entities::enums::ActorKind;
    loc.t(match kind {
        ActorKind::User => msg!("subscription-actor-user"),
        ActorKind::Reseller => msg!("subscription-actor-reseller"),
        ActorKind::Admin => msg!("subscription-actor-admin"),
        ActorKind::System => msg!("subscription-actor-system"),
    })
}

/// Which field a history record is about, in the reader's language.
fn history_field_label(loc: &impl Localize, field: crate::entities::enums::HistoryField) -> String {
    use crate::entities::enums::HistoryField;
    loc.t(match field {
        HistoryField::Created => msg!("subscription-field-created"),
        HistoryField::Status => msg!("subscription-field-status"),
        HistoryField::Quantity => msg!("subscription-field-quantity"),
        HistoryField::RampUp => msg!("subscription-field-ramp-up"),
        HistoryField::RampUpEnd => msg!("subscription-field-ramp-up-end"),
        HistoryField::TermEndDate => msg!("subscription-field-term-end-date"),
        HistoryField::AddonAdded => msg!("subscription-field-addon-added"),
        HistoryField::FutureAction => msg!("subscription-field-future-action"),
    })
}

/// A history record's old or new value as the reader reads it: a status by its name and
/// a day in the reader's format; anything else (free text written when it happened) as it
/// was stored.
fn history_value(loc: &impl Localize, field: crate::entities::enums::HistoryField, value: Option<String>) -> String {
    use crate::entities::enums::HistoryField;
    let Some(value) = value else { return "—".into() };
    match field {
        HistoryField::Status => {
            SubscriptionStatus::parse(&value).map_or(value, |status| rules::status_label(loc, status))
        }
        HistoryField::RampUpEnd | HistoryField::TermEndDate => {
            NaiveDate::parse_from_str(&value, "%Y-%m-%d").map_or(value, |day| loc.day(day))
        }
        // Free text written when it happened (in English): an English reader reads it as
        // written; another language's reader, in theirs where its wording is known.
        _ if loc.lang() == crate::i18n::Lang::En => value,
        HistoryField::FutureAction => history_action(loc, &value).unwrap_or(value),
        HistoryField::Created => history_created(loc, &value).unwrap_or(value),
        HistoryField::RampUp => history_ramp_up(loc, &value).unwrap_or(value),
        _ => value,
    }
}

fn stored_day(loc: &impl Localize, text: &str) -> Option<String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().map(|day| loc.day(day))
}

/// `scheduled ChangeQtyOnNext on 2027-08-01 (to 30)`, `CancellationOnEnd on 2027-08-01`,
/// `revoked`, `failed: …`.
fn history_action(loc: &impl Localize, value: &str) -> Option<String> {
    if value == "revoked" {
        return Some(loc.t("subscription-history-revoked"));
    }
    if let Some(reason) = value.strip_prefix("failed: ") {
        return Some(tr!(loc, "subscription-history-failed", reason = reason));
    }
    let (scheduled, described) = match value.strip_prefix("scheduled ") {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (kind, rest) = described.split_once(" on ")?;
    let action = rules::action_label_in(loc, FutureActionType::parse(kind)?);
    let said = match rest.split_once(" (to ") {
        Some((day, quantity)) => {
            let quantity: i32 = quantity.strip_suffix(')')?.parse().ok()?;
            let date = stored_day(loc, day)?;
            tr!(loc, "subscription-history-action-on-to", action = action, date = date, quantity = quantity)
        }
        None => tr!(loc, "subscription-history-action-on", action = action, date = stored_day(loc, rest)?),
    };
    Some(if scheduled { tr!(loc, "subscription-history-scheduled", action = said) } else { said })
}

/// `quantity 25, term 2026-08-01 to 2027-07-31`.
fn history_created(loc: &impl Localize, value: &str) -> Option<String> {
    let (quantity, term) = value.strip_prefix("quantity ")?.split_once(", term ")?;
    let (from, to) = term.split_once(" to ")?;
    let quantity: i32 = quantity.parse().ok()?;
    let (from, to) = (stored_day(loc, from)?, stored_day(loc, to)?);
    Some(tr!(loc, "subscription-history-created", quantity = quantity, from = from, to = to))
}

/// `start 2026-10-01, end 2026-12-01, 2 month(s)`.
fn history_ramp_up(loc: &impl Localize, value: &str) -> Option<String> {
    let (from, rest) = value.strip_prefix("start ")?.split_once(", end ")?;
    let (to, months) = rest.split_once(", ")?;
    let months: i32 = months.strip_suffix(" month(s)")?.parse().ok()?;
    let (from, to) = (stored_day(loc, from)?, stored_day(loc, to)?);
    Some(tr!(loc, "subscription-history-ramp-up", from = from, to = to, months = months))
}
