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
use crate::billing::money;
use crate::catalog::pricing::{self, TermPrices, UnitPrice};
use crate::catalog::reservations::ReservationLabel;
use crate::entities::enums::{FutureActionType, SubscriptionStatus};
use crate::entities::{future_actions, subscription_history};
use crate::error::{AppError, AppResult};
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

fn status_label(status: SubscriptionStatus) -> String {
    status.as_str().replace('_', " ")
}

/// A history table (the subscription page and My Account).
pub(crate) fn history_table(
    rows: Vec<(subscription_history::Model, Option<crate::entities::subscriptions::Model>)>,
) -> impl IntoView {
    if rows.is_empty() {
        return empty("No changes yet.").into_any();
    }
    let show_subscription = rows.iter().any(|(_, s)| s.is_some());
    let body: Vec<_> = rows
        .into_iter()
        .map(|(h, s)| {
            let subscription = s.map(|s| {
                let href = format!("/subscriptions/{}", s.id);
                view! { <td><a href=href>{s.name}</a></td> }
            });
            let who = format!("{} ({})", h.actor_name, h.actor_kind.label());
            view! {
                <tr>
                    <td>{h.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                    {subscription}
                    <td>{h.field.label()}{h.addon_id.map(|_| " (add-on)")}</td>
                    <td>{h.old_value.unwrap_or_else(|| "—".into())}</td>
                    <td>{h.new_value.unwrap_or_else(|| "—".into())}</td>
                    <td>{who}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>"When"</th>
                    {show_subscription.then(|| view! { <th>"Subscription"</th> })}
                    <th>"What"</th><th>"Old"</th><th>"New"</th><th>"Who"</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn notice(ctx: &PageCtx, action: &future_actions::Model, what: &str) -> impl IntoView {
    let text = match action.action_type {
        FutureActionType::CancellationOnEnd => {
            format!("{what} will be canceled at the end of the term, on {}.", action.scheduled_at.format("%Y-%m-%d"))
        }
        FutureActionType::CancellationOnSpecific => {
            format!("{what} will be canceled on {}.", action.scheduled_at.format("%Y-%m-%d"))
        }
        FutureActionType::ChangeQtyOnNext => format!(
            "{what}'s quantity changes to {} at the renewal on {}.",
            action.new_quantity.unwrap_or_default(),
            action.scheduled_at.format("%Y-%m-%d")
        ),
    };
    let revoke = format!("/future-actions/{}/revoke", action.id);
    view! {
        <div class="notice" role="status">
            <p>{text}</p>
            <form class="inline" method="post" action=revoke>
                {csrf_field(ctx)}
                <button type="submit" class="secondary">"Revoke this scheduled change"</button>
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
    let price_facts = price_facts(&prices, &loaded, sells_it);
    let today = today();
    let s = loaded.subscription.clone();
    let policy = loaded.policy(today);
    let title = s.name.clone();
    let base = format!("/subscriptions/{}", s.id);
    let is_admin = viewer.is_provider_admin();
    let ctx2 = ctx.clone();
    let pending_notice = loaded.pending_for(None).map(|a| notice(ctx, a, "This subscription"));
    let active = s.status == SubscriptionStatus::Active;
    let ramp_up = s.ramp_up_end.map(|end| {
        let months = s.ramp_up_months.unwrap_or_default();
        let state = if end > today { "active: the minimum commitment is waived" } else { "ended" };
        format!("{months} month(s), {} to {end} ({state})", s.start_date)
    });
    let ramp_up_form = (is_admin && s.ramp_up_end.is_some_and(|end| end > today)).then(|| {
        let action = format!("{base}/ramp-up");
        view! {
            <form class="inline" method="post" action=action>
                {csrf_field(&ctx2)}
                <label>"Extend the ramp-up by "
                    <select name="months"><option value="1">"1 month"</option><option value="2">"2 months"</option><option value="3">"3 months"</option></select>
                </label>
                " " <button type="submit" class="secondary">"Extend ramp-up"</button>
            </form>
        }
    });
    let cancel_now = (policy.allows(CancelWhen::Immediately) && s.status != SubscriptionStatus::Canceled).then(|| {
        let action = format!("{base}/cancel");
        view! {
            <form class="stacked" method="post" action=action>
                {csrf_field(&ctx2)}
                <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " I understand this cancels the subscription now."</label>
                <button type="submit" class="danger">"Cancel now"</button>
            </form>
        }
    });
    let schedule = (active && loaded.pending_for(None).is_none()).then(|| {
        let action = format!("{base}/future-actions");
        let offered = loaded.schedulable_actions(None, today);
        let end_option = offered
            .contains(&FutureActionType::CancellationOnEnd)
            .then(|| view! { <option value="CancellationOnEnd">"Cancel at the end of the term"</option> });
        let qty_option = offered
            .contains(&FutureActionType::ChangeQtyOnNext)
            .then(|| view! { <option value="ChangeQtyOnNext">"Change the quantity at the next renewal"</option> });
        // A cancellation on a date is a cancellation "now" that waits.
        let specific_option = offered
            .contains(&FutureActionType::CancellationOnSpecific)
            .then(|| view! { <option value="CancellationOnSpecific">"Cancel on a date I choose"</option> });
        let min_date = (today + chrono::Duration::days(1)).to_string();
        let max_date = s.term_end_date.to_string();
        view! {
            <form class="stacked card" method="post" action=action>
                {csrf_field(&ctx2)}
                <h3>"Schedule a change"</h3>
                <label>"Change"
                    <select name="action_type">
                        {end_option}
                        {qty_option}
                        {specific_option}
                    </select>
                </label>
                <label>"Date (for a cancellation on a chosen date)" <input type="date" name="date" min=min_date max=max_date/></label>
                <label>"New quantity (for a change at renewal)" <input type="number" name="new_quantity" min="1" max=crate::catalog::Quantity::MAX.to_string()/></label>
                <button type="submit">"Schedule"</button>
            </form>
        }
    });
    let lower_quantity = (active && policy.may_lower_quantity).then(|| {
        let action = format!("{base}/quantity");
        let max = (s.quantity - 1).max(1).to_string();
        view! {
            <form class="inline" method="post" action=action>
                {csrf_field(&ctx2)}
                <label>"Lower the quantity to " <input type="number" name="quantity" min="1" max=max required/></label>
                " " <button type="submit" class="secondary">"Lower quantity"</button>
            </form>
        }
    });
    let suspension =
        (sells_it && matches!(s.status, SubscriptionStatus::Active | SubscriptionStatus::Suspended)).then(|| {
            let action = format!("{base}/suspension");
            let (value, label) =
                if s.status == SubscriptionStatus::Active { ("on", "Suspend") } else { ("off", "Resume") };
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
            let pending = loaded.pending_for(Some(addon.id)).map(|a| notice(&ctx2, a, &addon.name));
            let can_schedule = addon.status == SubscriptionStatus::Active && loaded.pending_for(Some(addon.id)).is_none();
            let form = can_schedule.then(|| {
                let action = format!("{base}/future-actions");
                let quantity_label = format!("Quantity of {} from the next renewal", addon.name);
                let renews = loaded.schedulable_actions(Some(addon.id), today).contains(&FutureActionType::ChangeQtyOnNext);
                view! {
                    <form class="inline" method="post" action=action.clone()>
                        {csrf_field(&ctx2)}
                        <input type="hidden" name="addon_id" value=addon.id.to_string()/>
                        <input type="hidden" name="action_type" value="CancellationOnEnd"/>
                        <button type="submit" class="secondary">{format!("Cancel {} at the end of the term", addon.name)}</button>
                    </form>
                    {renews.then(|| view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <input type="hidden" name="addon_id" value=addon.id.to_string()/>
                            <input type="hidden" name="action_type" value="ChangeQtyOnNext"/>
                            <input type="number" name="new_quantity" min="1" max=crate::catalog::Quantity::MAX.to_string() aria-label=quantity_label required/>
                            " " <button type="submit" class="secondary">"Change at renewal"</button>
                        </form>
                    })}
                }
            });
            view! {
                <tr>
                    <td>{addon.name.clone()}</td>
                    <td class="num">{addon.quantity}</td>
                    <td><span class="tag">{status_label(addon.status)}</span></td>
                    <td>{addon.term_end_date.to_string()}</td>
                    <td>{pending}{form}</td>
                </tr>
            }
        })
        .collect();
    let has_addons = !addon_rows.is_empty();
    let history_rows: Vec<_> = history.into_iter().map(|h| (h, None)).collect();
    page_with_status(status, ctx, &title, move || {
        view! {
            {form_errors(errors)}
            {pending_notice}
            <section class="panel">
                <dl class="facts">
                    <dt>"Product"</dt><dd>{loaded.product.name.clone()}</dd>
                    <dt>"Status"</dt><dd><span class="tag">{status_label(s.status)}</span></dd>
                    <dt>"Quantity"</dt><dd>{s.quantity}</dd>
                    <dt>"Term"</dt><dd>{format!("{} to {}", s.start_date, s.term_end_date)}</dd>
                    <dt>"Auto-renew"</dt><dd>{if s.auto_renew { "Yes" } else { "No" }}</dd>
                    {price_facts}
                    <dt>"External id"</dt><dd>{s.external_id.clone().unwrap_or_else(|| "—".into())}</dd>
                    {s.reservation_label().map(|label| view! {
                        <dt>"Reservation"</dt>
                        <dd>{label}</dd>
                    })}
                    {ramp_up.map(|text| view! { <dt>"Ramp-up"</dt><dd>{text}</dd> })}
                </dl>
                {ramp_up_form}
            </section>
            <section class="panel" id="cancellation">
                <h2>"Cancellation"</h2>
                <p>{policy.message.clone()}</p>
                {cancel_now}
                {lower_quantity}
                {suspension}
            </section>
            {schedule}
            <section class="panel" id="addons">
                <h2>"Add-ons"</h2>
                {if has_addons {
                    view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th>"Add-on"</th><th class="num">"Quantity"</th><th>"Status"</th><th>"Term ends"</th><th>"Scheduled"</th></tr></thead>
                            <tbody>{addon_rows}</tbody>
                        </table></div>
                    }.into_any()
                } else {
                    empty("No add-ons.").into_any()
                }}
            </section>
            <section class="panel" id="history">
                <h2>"History"</h2>
                {history_table(history_rows)}
            </section>
        }
    })
}

/// The price per unit this term and the price it renews at; a seller also sees its cost.
fn price_facts(prices: &TermPrices, loaded: &Loaded, sells_it: bool) -> impl IntoView {
    let per = match loaded.product.kind {
        crate::entities::enums::ProductKind::Consumption => return None,
        _ => loaded.product.billing_cycle.label(),
    };
    let currency = prices.currency.clone();
    let shown = move |unit: Option<UnitPrice>| match unit {
        Some(unit) if sells_it => format!(
            "{} {per} (your cost {})",
            money::format(unit.price, &currency),
            money::format(unit.cost, &currency)
        ),
        Some(unit) => format!("{} {per}", money::format(unit.price, &currency)),
        None => "no price in the catalogue".into(),
    };
    let this_term = shown(prices.this_term);
    let renewal = prices.renewal.map(|(from, unit)| format!("{} from {from}", shown(unit)));
    Some(view! {
        <dt>"Price this term"</dt><dd>{this_term}</dd>
        {renewal.map(|text| view! { <dt>"Renews at"</dt><dd>{text}</dd> })}
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
        let action_type = FutureActionType::parse(form.action_type.trim()).ok_or("Choose which change to schedule.")?;
        let date = match form.date.trim() {
            "" => None,
            d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| "Enter the date as YYYY-MM-DD.")?),
        };
        let new_quantity = match form.new_quantity.trim() {
            "" => None,
            q => Some(q.parse::<i32>().map_err(|_| "The new quantity must be a whole number.")?),
        };
        Ok::<_, &str>(ScheduleRequest { action_type, date, new_quantity })
    })();
    let outcome = match parsed {
        Err(message) => {
            lifecycle::load(&state.db, AccountScope::of(viewer), id).await?;
            Err(refuse(message))
        }
        Ok(request) => {
            actions::schedule(&state.db, AccountScope::of(viewer), id, addon_id, request, &Actor::of(viewer), today())
                .await
                .map(|a| {
                    format!(
                        "Scheduled: {} on {}.",
                        rules::action_label(a.action_type),
                        a.scheduled_at.format("%Y-%m-%d")
                    )
                })
                .map_err(AppError::from)
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
        .map(|a| format!("The scheduled {} was revoked.", rules::action_label(a.action_type)))
        .map_err(AppError::from);
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
            Err(refuse("The quantity must be a whole number."))
        }
        Ok(quantity) => {
            let current = lifecycle::load(&state.db, scope, id).await?.subscription.quantity;
            if quantity > current {
                Err(refuse("More licences are bought through the catalogue (an order), not here."))
            } else {
                lifecycle::set_quantity(&state.db, scope, id, None, quantity, &Actor::of(viewer), today())
                    .await
                    .map(|()| format!("The quantity is now {quantity}."))
                    .map_err(AppError::from)
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
        Err(refuse("Tick the confirmation to cancel the subscription now."))
    } else {
        lifecycle::cancel_now(&state.db, scope, id, None, &Actor::of(viewer), today())
            .await
            .map(|credit| match credit {
                Some(credit) => format!(
                    "The subscription was canceled. Credit invoice {} for {} was issued.",
                    credit.number,
                    crate::billing::money::format(credit.total, &credit.currency)
                ),
                None => "The subscription was canceled.".to_string(),
            })
            .map_err(AppError::from)
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
        _ => return Err(AppError::bad_request("Choose whether to suspend or resume.")),
    };
    let outcome = lifecycle::set_suspended(&state.db, viewer, id, suspend, &Actor::of(viewer))
        .await
        .map(|()| {
            if suspend { "The subscription is suspended." } else { "The subscription is active again." }.to_string()
        })
        .map_err(AppError::from);
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
        Err(_) => Err(refuse("Choose how many months to add.")),
        Ok(months) => {
            lifecycle::extend_ramp_up(&state.db, AccountScope::of(viewer), id, months, &Actor::of(viewer), today())
                .await
                .map(|end| format!("The ramp-up period now ends on {end}."))
                .map_err(AppError::from)
        }
    };
    answer(&state, &ctx, &session, id, outcome).await
}
