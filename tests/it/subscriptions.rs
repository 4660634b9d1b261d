//! Subscriptions: future actions scheduled and revoked from the subscription page, the
//! runner executing a due action once, ramp-up history, the cancellation policy's
//! messages, suspension, and bad input refused without changes.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use stratus::entities::enums::{FutureActionStatus, InvoiceStatus, InvoiceType, SubscriptionStatus};
use stratus::entities::{
    accounts, future_actions, invoice_items, invoices, products, subscription_history, subscriptions,
};
use stratus::subscriptions::future_actions::run_due;
use stratus::subscriptions::history::Actor;
use stratus::subscriptions::lifecycle::{self, NewSubscription, SubscriptionError};
use stratus::subscriptions::rules::RampUpError;

use crate::support::TestApp;

/// A calendar day as the English pages write it: `Nov 26, 2026`.
fn day(date: chrono::NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

async fn account_id(app: &TestApp, code: &str) -> i32 {
    accounts::Entity::find().filter(accounts::Column::Code.eq(code)).one(&app.db).await.unwrap().unwrap().id
}

async fn product(app: &TestApp, code: &str) -> products::Model {
    products::Entity::find().filter(products::Column::Code.eq(code)).one(&app.db).await.unwrap().unwrap()
}

/// The demo subscription of `account` to `product_code`.
async fn subscription(app: &TestApp, account: &str, product_code: &str) -> subscriptions::Model {
    let account_id = account_id(app, account).await;
    let product_id = product(app, product_code).await.id;
    subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(account_id))
        .filter(subscriptions::Column::ProductId.eq(product_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn reload(app: &TestApp, id: i32) -> subscriptions::Model {
    subscriptions::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap()
}

async fn pending_of(app: &TestApp, id: i32) -> Vec<future_actions::Model> {
    future_actions::Entity::find()
        .filter(future_actions::Column::SubscriptionId.eq(id))
        .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
        .filter(future_actions::Column::AddonId.is_null())
        .all(&app.db)
        .await
        .unwrap()
}

async fn history_of(app: &TestApp, id: i32) -> Vec<subscription_history::Model> {
    subscription_history::Entity::find()
        .filter(subscription_history::Column::SubscriptionId.eq(id))
        .order_by_asc(subscription_history::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn schedule(app: &TestApp, id: i32, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = format!("/subscriptions/{id}");
    app.submit(&page, &format!("{page}/future-actions"), fields).await
}

async fn revoke_pending(app: &TestApp, id: i32) -> reqwest::Response {
    let action = pending_of(app, id).await.pop().expect("a pending action");
    app.submit(&format!("/subscriptions/{id}"), &format!("/future-actions/{}/revoke", action.id), &[]).await
}

#[tokio::test]
async fn each_future_action_is_scheduled_shown_and_revoked_from_the_subscription_page() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let bs = subscription(&app, "CONTOSO", "M365-BS").await;
    let page = format!("/subscriptions/{}", bs.id);
    let renewal = day(bs.term_end_date + Duration::days(1));

    // The demo data has a quantity change pending: the page says so, with its date.
    let (status, body) = app.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(&format!("This subscription's quantity changes to 30 at the renewal on {renewal}.")),
        "{body}"
    );
    let response = revoke_pending(&app, bs.id).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = app.page(&page).await;
    assert!(body.contains("The scheduled quantity change at the next renewal was revoked."));
    assert!(!body.contains("quantity changes to 30"));

    // Cancellation at the end of the term: pending_for_cancel until then; revoking reactivates.
    let response = schedule(&app, bs.id, &[("action_type", "CancellationOnEnd")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(reload(&app, bs.id).await.status, SubscriptionStatus::PendingForCancel);
    let (_, body) = app.page(&page).await;
    assert!(body.contains(&format!("This subscription will be canceled at the end of the term, on {renewal}.")));
    revoke_pending(&app, bs.id).await;
    assert_eq!(reload(&app, bs.id).await.status, SubscriptionStatus::Active);

    // Cancellation on a chosen date inside the term.
    let on = (Utc::now().date_naive() + Duration::days(5)).min(bs.term_end_date);
    let date = on.to_string();
    let response = schedule(&app, bs.id, &[("action_type", "CancellationOnSpecific"), ("date", &date)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.page(&page).await.1.contains(&format!("This subscription will be canceled on {}.", day(on))));
    revoke_pending(&app, bs.id).await;

    // A quantity change at the next renewal.
    let response = schedule(&app, bs.id, &[("action_type", "ChangeQtyOnNext"), ("new_quantity", "20")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.page(&page).await.1.contains(&format!("quantity changes to 20 at the renewal on {renewal}.")));
    let pending = pending_of(&app, bs.id).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].new_quantity, Some(20));

    // Every step is in the history, by Ana as a customer; My Account shows it too. The demo
    // scheduled its two actions (the quantity change and the add-on's cancellation) through
    // the same function, so they are there too, by the system.
    let history = history_of(&app, bs.id).await;
    let future: Vec<_> = history.iter().filter(|h| h.field.as_str() == "future_action").collect();
    let by = |name: &str| future.iter().filter(|h| h.actor_name == name).count();
    assert_eq!(by("Ana Pérez"), 6, "3 scheduled + 3 revoked (the demo's and two of ours)");
    assert_eq!((by("System"), future.len()), (2, 8), "the demo's two, scheduled");
    let (_, account) = app.page("/account").await;
    assert!(account.contains("Recent subscription changes") && account.contains("Ana Pérez (Customer)"));
}

/// A subscription, the schedule form's fields, and the message expected.
type Case<'a> = (i32, Vec<(&'a str, &'a str)>, String);

#[tokio::test]
async fn bad_schedules_are_refused_with_a_message_and_change_nothing() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let bs = subscription(&app, "CONTOSO", "M365-BS").await;
    let acronis = subscription(&app, "CONTOSO", "ACRONIS-CP").await;
    let before = future_actions::Entity::find().count(&app.db).await.unwrap();
    let today = Utc::now().date_naive();
    let yesterday = (today - Duration::days(1)).to_string();
    let after_term = (acronis.term_end_date + Duration::days(1)).to_string();
    let cases: Vec<Case> = vec![
        (
            acronis.id,
            vec![("action_type", "CancellationOnSpecific"), ("date", &yesterday)],
            "Choose a date after today.".into(),
        ),
        (
            acronis.id,
            vec![("action_type", "CancellationOnSpecific"), ("date", &after_term)],
            format!("Choose a date within the current term (until {}).", day(acronis.term_end_date)),
        ),
        (
            acronis.id,
            vec![("action_type", "CancellationOnSpecific"), ("date", "31/12/2026")],
            "Enter the date as YYYY-MM-DD.".into(),
        ),
        (
            acronis.id,
            vec![("action_type", "ChangeQtyOnNext"), ("new_quantity", "0")],
            "The new quantity must be between 1 and 100000.".into(),
        ),
        (
            acronis.id,
            vec![("action_type", "ChangeQtyOnNext"), ("new_quantity", "100001")],
            "The new quantity must be between 1 and 100000.".into(),
        ),
        (
            acronis.id,
            vec![("action_type", "ChangeQtyOnNext"), ("new_quantity", "ten")],
            "The new quantity must be a whole number.".into(),
        ),
        (acronis.id, vec![("action_type", "Explode")], "Choose which change to schedule.".into()),
        (bs.id, vec![("action_type", "CancellationOnEnd")], "is already scheduled for".into()),
    ];
    for (id, fields, message) in cases {
        let response = schedule(&app, id, &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let body = response.text().await.unwrap();
        assert!(body.contains(&message), "{fields:?}: no `{message}`");
    }
    // A quantity change pending blocks lowering the quantity and cancelling.
    let page = format!("/subscriptions/{}", bs.id);
    let response = app.submit(&page, &format!("{page}/quantity"), &[("quantity", "10")]).await;
    assert!(response.text().await.unwrap().contains("A quantity change is scheduled for"));
    let response = app.submit(&page, &format!("{page}/cancel"), &[("confirm", "yes")]).await;
    assert!(response.text().await.unwrap().contains("revoke it before you cancel it"));

    // Someone else's subscription and action do not exist for Ana.
    let fabrikam_e3 = subscription(&app, "FABRIKAM", "M365-E3").await;
    let response = schedule(&app, fabrikam_e3.id, &[("action_type", "CancellationOnEnd")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let theirs = pending_of(&app, fabrikam_e3.id).await.pop().unwrap();
    let response = app.submit(&page, &format!("/future-actions/{}/revoke", theirs.id), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.submit(&page, &format!("/subscriptions/{}/cancel", fabrikam_e3.id), &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    assert_eq!(future_actions::Entity::find().count(&app.db).await.unwrap(), before, "nothing scheduled");
    assert_eq!(pending_of(&app, fabrikam_e3.id).await.len(), 1, "their action is still pending");
    assert_eq!(reload(&app, bs.id).await, bs);
    assert_eq!(reload(&app, acronis.id).await, acronis);
}

#[tokio::test]
async fn a_due_action_runs_exactly_once_when_two_runners_race() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let bs = subscription(&app, "CONTOSO", "M365-BS").await;
    revoke_pending(&app, bs.id).await;
    let date = (Utc::now().date_naive() + Duration::days(1)).to_string();
    let response = schedule(&app, bs.id, &[("action_type", "CancellationOnSpecific"), ("date", &date)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Time passes: the action is due.
    let action = pending_of(&app, bs.id).await.pop().unwrap();
    let mut due: future_actions::ActiveModel = action.clone().into();
    due.scheduled_at = Set(Utc::now() - Duration::minutes(1));
    due.update(&app.db).await.unwrap();

    let now = Utc::now();
    let (first, second) = tokio::join!(run_due(&app.db, now), run_due(&app.db, now));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.executed + second.executed, 1, "{first:?} {second:?}");
    assert_eq!(first.failed + second.failed, 0);
    // A third run finds nothing to do.
    assert_eq!(run_due(&app.db, Utc::now()).await.unwrap().executed, 0);

    let done = future_actions::Entity::find_by_id(action.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(done.status, FutureActionStatus::Executed);
    assert_eq!(done.result.as_deref(), Some("canceled"));
    let subscription = reload(&app, bs.id).await;
    assert_eq!(subscription.status, SubscriptionStatus::Canceled);
    let cancellations: Vec<_> = history_of(&app, bs.id)
        .await
        .into_iter()
        .filter(|h| h.field.as_str() == "status" && h.addon_id.is_none() && h.new_value.as_deref() == Some("canceled"))
        .collect();
    assert_eq!(cancellations.len(), 1);
    assert_eq!(cancellations[0].actor_name, "System");
    let (_, body) = app.page(&format!("/subscriptions/{}", bs.id)).await;
    assert!(body.contains("<span class=\"tag\">canceled</span>"));
}

#[tokio::test]
async fn a_ramp_up_writes_one_record_when_activated_and_one_per_extension() {
    let app = TestApp::start().await;
    let today = Utc::now().date_naive();
    let new = NewSubscription {
        account_id: account_id(&app, "CONTOSO").await,
        product: product(&app, "AZURE-PLAN").await,
        quantity: 1,
        start_date: today,
        ramp_up_months: 1,
        is_trial: false,
        external_id: None,
        ri_reservation_type: None,
        ri_term_years: None,
        ri_scope: None,
        ri_region: None,
        ri_payment_plan: None,
        ri_auto_renew: false,
    };
    let created = lifecycle::create(&app.db, new.clone(), &Actor::system()).await.unwrap();
    let one_month = today.checked_add_months(chrono::Months::new(1)).unwrap();
    assert_eq!(created.ramp_up_end, Some(one_month));
    let ramp: Vec<_> =
        history_of(&app, created.id).await.into_iter().filter(|h| h.field.as_str().starts_with("ramp_up")).collect();
    assert_eq!(ramp.len(), 1);
    assert_eq!(ramp[0].new_value.as_deref(), Some(format!("start {today}, end {one_month}, 1 month(s)").as_str()));

    // Trials and products without a minimum commitment get none.
    let trial = lifecycle::create(&app.db, NewSubscription { is_trial: true, ..new.clone() }, &Actor::system())
        .await
        .unwrap_err();
    assert!(matches!(trial, SubscriptionError::RampUp(RampUpError::Trial)), "{trial:?}");
    assert_eq!(trial.to_string(), "Trial subscriptions have no ramp-up period.");

    // The customer cannot extend it; the provider admin can, within 3 months of the start.
    let page = format!("/subscriptions/{}", created.id);
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let response = ana.submit(&page, &format!("{page}/ramp-up"), &[("months", "1")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.sign_in("admin@stratus.demo").await;
    let response = app.submit(&page, &format!("{page}/ramp-up"), &[("months", "1")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let two_months = one_month.checked_add_months(chrono::Months::new(1)).unwrap();
    assert_eq!(reload(&app, created.id).await.ramp_up_end, Some(two_months));
    let response = app.submit(&page, &format!("{page}/ramp-up"), &[("months", "2")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("at most 3 months after the start"));
    let ramp: Vec<_> =
        history_of(&app, created.id).await.into_iter().filter(|h| h.field.as_str().starts_with("ramp_up")).collect();
    assert_eq!(ramp.len(), 2, "activation + one extension");
    assert_eq!(ramp[1].old_value.as_deref(), Some(one_month.to_string().as_str()));
    assert_eq!(ramp[1].new_value.as_deref(), Some(two_months.to_string().as_str()));
    assert_eq!(ramp[1].actor_name, "Sofía Valdés");
    let (_, body) = app.page(&page).await;
    assert!(body.contains("the minimum commitment is waived"));
}

#[tokio::test]
async fn perpetual_licences_and_software_subscriptions_show_their_cancellation_terms_on_day_1_and_day_31() {
    let app = TestApp::start().await;
    let today = Utc::now().date_naive();
    let tailspin = account_id(&app, "TAILSPIN").await;
    let mut ids = Vec::new();
    for code in ["WINSRV-2022", "ACRONIS-CP"] {
        for start in [today, today - Duration::days(30)] {
            let new = NewSubscription {
                account_id: tailspin,
                product: product(&app, code).await,
                quantity: 2,
                start_date: start,
                ramp_up_months: 0,
                is_trial: false,
                external_id: None,
                ri_reservation_type: None,
                ri_term_years: None,
                ri_scope: None,
                ri_region: None,
                ri_payment_plan: None,
                ri_auto_renew: false,
            };
            ids.push(lifecycle::create(&app.db, new, &Actor::system()).await.unwrap().id);
        }
    }
    app.sign_in("tina@tailspin.demo").await;
    let last_day = day(today + Duration::days(29));
    let window_ended = day(today - Duration::days(1));
    let page = |id: i32| format!("/subscriptions/{id}");

    let (_, perpetual_day1) = app.page(&page(ids[0])).await;
    assert!(
        perpetual_day1.contains(&format!("You can return this perpetual licence for a full refund until {last_day}"))
    );
    assert!(perpetual_day1.contains("Only the whole quantity can be returned."));
    assert!(perpetual_day1.contains("Cancel now"));
    let (_, perpetual_day31) = app.page(&page(ids[1])).await;
    assert!(perpetual_day31.contains(&format!(
        "This perpetual licence can no longer be returned: the 30-day refund window ended on {window_ended}."
    )));
    assert!(!perpetual_day31.contains("Cancel now"));
    let (_, software_day1) = app.page(&page(ids[2])).await;
    assert!(software_day1.contains(&format!("You can cancel this software subscription until {last_day}")));
    assert!(software_day1.contains("prorated credit"));
    let (_, software_day31) = app.page(&page(ids[3])).await;
    assert!(
        software_day31.contains(&format!("The return window of this software subscription ended on {window_ended}"))
    );

    // Day 31: a crafted cancel is refused with the policy's message; day 1: it cancels.
    let response = app.submit(&page(ids[1]), &format!("{}/cancel", page(ids[1])), &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("can no longer be returned"));
    assert_eq!(reload(&app, ids[1]).await.status, SubscriptionStatus::Active);
    // The licence was invoiced (unpaid): returning it issues a full credit linked to that invoice.
    let debit = invoices::ActiveModel {
        number: Set("INV-TEST-1".into()),
        account_id: Set(tailspin),
        bill_to_account_id: Set(account_id(&app, "STRATUS").await),
        invoice_type: Set(InvoiceType::Debit),
        status: Set(InvoiceStatus::Unpaid),
        currency: Set("CLP".into()),
        issue_date: Set(today),
        billing_period: Set(None),
        subtotal: Set(1_780_000),
        tax: Set(338_200),
        total: Set(2_118_200),
        credits_invoice_id: Set(None),
        order_id: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    invoice_items::ActiveModel {
        invoice_id: Set(debit.id),
        subscription_id: Set(Some(ids[0])),
        addon_id: Set(None),
        product_id: Set(None),
        description: Set("Windows Server 2022 Standard (16 cores)".into()),
        period_start: Set(Some(today)),
        period_end: Set(Some(today)),
        quantity: Set(2),
        unit_price: Set(890_000),
        unit_cost: Set(790_000),
        total: Set(1_780_000),
        total_cost: Set(1_580_000),
        usage: Set("Perpetual License".into()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let response = app.submit(&page(ids[0]), &format!("{}/cancel", page(ids[0])), &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(reload(&app, ids[0]).await.status, SubscriptionStatus::Canceled);
    let (_, body) = app.page(&page(ids[0])).await;
    assert!(body.contains("Credit invoice CR-INV-TEST-1-1 for CLP 2,118,200 was issued."), "{body}");
    let credit = invoices::Entity::find()
        .filter(invoices::Column::CreditsInvoiceId.eq(debit.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a credit invoice");
    assert_eq!((credit.invoice_type, credit.total), (InvoiceType::Credit, 2_118_200));
    let debit = invoices::Entity::find_by_id(debit.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(debit.status, InvoiceStatus::Paid, "credited in full");
}

#[tokio::test]
async fn resellers_suspend_and_resume_their_customers_subscriptions_customers_cannot() {
    let app = TestApp::start().await;
    let acronis = subscription(&app, "CONTOSO", "ACRONIS-CP").await;
    let page = format!("/subscriptions/{}", acronis.id);
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let response = ana.submit(&page, &format!("{page}/suspension"), &[("suspend", "on")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    app.sign_in("admin@andes.demo").await;
    let response = app.submit(&page, &format!("{page}/suspension"), &[("suspend", "on")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(reload(&app, acronis.id).await.status, SubscriptionStatus::Suspended);
    // Suspended: nothing can be scheduled.
    let response =
        schedule(&app, acronis.id, &[("action_type", "CancellationOnSpecific"), ("date", "2099-01-01")]).await;
    assert!(response.text().await.unwrap().contains("resume it before scheduling"));
    let response = app.submit(&page, &format!("{page}/suspension"), &[("suspend", "off")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(reload(&app, acronis.id).await.status, SubscriptionStatus::Active);
    let statuses: Vec<_> = history_of(&app, acronis.id)
        .await
        .into_iter()
        .filter(|h| h.field.as_str() == "status")
        .map(|h| (h.old_value.unwrap_or_default(), h.new_value.unwrap_or_default(), h.actor_kind.as_str().to_string()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("active".into(), "suspended".into(), "reseller".into()),
            ("suspended".into(), "active".into(), "reseller".into())
        ]
    );
    // Pacific's admin cannot see Contoso's subscription.
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    assert_eq!(pacific.page(&page).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reserved_instances_go_from_cart_to_order_can_be_removed_while_unpaid_and_become_subscriptions() {
    use stratus::catalog::orders as order_store;
    use stratus::entities::enums::OrderStatus;
    use stratus::entities::orders;

    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let ri = [
        ("product_code", "RI-D2SV5"),
        ("quantity", "1"),
        ("ri_reservation_type", "Virtual Machines D2s v5"),
        ("ri_term_years", "1"),
        ("ri_payment_plan", "upfront"),
        ("ri_scope", "shared"),
        ("ri_region", "brazilsouth"),
    ];
    for fields in [
        &[("product_code", "M365-BS"), ("quantity", "2")][..],
        &ri[..],
        &[("product_code", "WINSRV-2022"), ("quantity", "1")][..],
    ] {
        let response = app.submit(&format!("/products/{}", fields[0].1), "/cart/items", fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let response = app.submit("/cart", "/orders", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let order_page = crate::support::location(&response);
    let (_, body) = app.page(&order_page).await;
    assert!(body.contains("Waiting for payment"));
    assert!(body.contains("1 year(s) · shared scope · brazilsouth"));
    assert!(body.contains("CLP 1,533,000"), "23.000 + 620.000 + 890.000:\n{body}");
    assert!(app.page("/cart").await.1.contains("Your cart is empty."), "the cart became the order");

    // Remove the reserved instance: the total is recomputed on the server.
    let number = order_page.trim_start_matches("/orders/").to_string();
    let order = orders::Entity::find().filter(orders::Column::Number.eq(&number)).one(&app.db).await.unwrap().unwrap();
    let view = order_store::load(&app.db, stratus::accounts::scope::AccountScope::All, &number).await.unwrap();
    let ri_item = view.items.iter().find(|(i, _)| i.ri_reservation_type.is_some()).unwrap().0.id;
    // Another customer cannot touch it.
    let other = app.new_browser();
    other.sign_in("ana@contoso.demo").await;
    assert_eq!(other.page(&order_page).await.0, StatusCode::NOT_FOUND);
    let response = other.submit("/cart", &format!("{order_page}/items/{ri_item}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.submit(&order_page, &format!("{order_page}/items/{ri_item}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = app.page(&order_page).await;
    // 913.000 net of items left, plus 19% VAT.
    assert!(
        body.contains("the order&#x27;s total is now CLP 1,086,470")
            || body.contains("the order's total is now CLP 1,086,470")
    );
    assert!(!body.contains("brazilsouth"));

    // Once paid, items cannot be removed; paying creates the subscriptions.
    app.pay(&order_page, "4051 8856 0044 6623").await;
    let paid = orders::Entity::find_by_id(order.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);
    let bs_item = view.items.iter().find(|(_, p)| p.code == "M365-BS").unwrap().0.id;
    let response = app.submit(&order_page, &format!("{order_page}/items/{bs_item}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Only an order that is waiting for payment can change."));

    // A paid reserved-instance order creates the reservation as a subscription record.
    let mut ri_order = view.clone();
    ri_order.order.status = OrderStatus::Paid;
    ri_order.items.retain(|(i, _)| i.id == ri_item);
    order_store::create_subscriptions(&app.db, &ri_order, &Actor::system()).await.unwrap();
    let tailspin = account_id(&app, "TAILSPIN").await;
    let reservation = subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(tailspin))
        .filter(subscriptions::Column::RiRegion.eq("brazilsouth"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the reservation");
    assert_eq!(reservation.ri_scope.as_deref(), Some("shared"));
    assert_eq!(reservation.ri_term_years, Some(1));
    assert_eq!(
        reservation.term_end_date,
        reservation.start_date.checked_add_months(chrono::Months::new(12)).unwrap() - Duration::days(1)
    );
}

#[tokio::test]
async fn at_renewal_the_quantity_change_applies_and_the_term_moves_on_once() {
    let app = TestApp::start().await;
    let bs = subscription(&app, "CONTOSO", "M365-BS").await;
    // Time passes: the term has ended and the demo's quantity change (to 30) is due.
    let ended = Utc::now().date_naive() - Duration::days(1);
    let mut row: subscriptions::ActiveModel = bs.clone().into();
    row.term_end_date = Set(ended);
    row.update(&app.db).await.unwrap();
    let mut action: future_actions::ActiveModel = pending_of(&app, bs.id).await.pop().unwrap().into();
    action.scheduled_at = Set(rules_boundary(ended));
    action.update(&app.db).await.unwrap();

    stratus::jobs::run_subscription_jobs(&app.db).await.unwrap();
    stratus::jobs::run_subscription_jobs(&app.db).await.unwrap();
    let renewed = reload(&app, bs.id).await;
    assert_eq!(renewed.quantity, 30);
    let next_term_start = ended + Duration::days(1);
    let next_term_end = next_term_start.checked_add_months(chrono::Months::new(12)).unwrap() - Duration::days(1);
    assert_eq!(renewed.term_end_date, next_term_end);
    let history = history_of(&app, bs.id).await;
    let quantity: Vec<_> = history.iter().filter(|h| h.field.as_str() == "quantity").collect();
    assert_eq!(quantity.len(), 1);
    assert_eq!((quantity[0].old_value.as_deref(), quantity[0].new_value.as_deref()), (Some("25"), Some("30")));
    assert_eq!(history.iter().filter(|h| h.field.as_str() == "term_end_date").count(), 1, "renewed once");
    assert!(pending_of(&app, bs.id).await.is_empty());
}

fn rules_boundary(term_end: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    stratus::subscriptions::rules::term_boundary(term_end)
}

#[tokio::test]
async fn add_ons_have_their_own_future_actions() {
    use stratus::entities::subscription_addons;
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let bs = subscription(&app, "CONTOSO", "M365-BS").await;
    let addon = subscription_addons::Entity::find()
        .filter(subscription_addons::Column::SubscriptionId.eq(bs.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(addon.status, SubscriptionStatus::PendingForCancel, "the demo cancels it at the end of the term");
    let page = format!("/subscriptions/{}", bs.id);
    let cancellation = future_actions::Entity::find()
        .filter(future_actions::Column::AddonId.eq(addon.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let response = app.submit(&page, &format!("/future-actions/{}/revoke", cancellation.id), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let addon_now = subscription_addons::Entity::find_by_id(addon.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(addon_now.status, SubscriptionStatus::Active);

    let addon_id = addon.id.to_string();
    let fields = [("addon_id", addon_id.as_str()), ("action_type", "ChangeQtyOnNext"), ("new_quantity", "10")];
    let response = app.submit(&page, &format!("{page}/future-actions"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = app.page(&page).await;
    assert!(body.contains("Microsoft Defender for Office 365 (Plan 1)'s quantity changes to 10 at the renewal"));
    // The subscription itself keeps its own pending action (the demo's change to 30).
    assert!(body.contains("This subscription's quantity changes to 30"));
    // An add-on is not cancelled on a date of its own.
    let fields = [("addon_id", addon_id.as_str()), ("action_type", "CancellationOnSpecific"), ("date", "2099-01-01")];
    let response = app.submit(&page, &format!("{page}/future-actions"), &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // An add-on of another subscription is not found through this one.
    let fields = [("addon_id", "999999"), ("action_type", "CancellationOnEnd")];
    let response = app.submit(&page, &format!("{page}/future-actions"), &fields).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn add_ons_inherit_the_term_of_their_subscription() {
    // (Which future actions each caller sees: api::a_reseller_sees_its_customers_actions_and_nobody_elses.)
    let app = TestApp::start().await;
    let bs = subscription(&app, "CONTOSO", "M365-BS").await;
    let defender = product(&app, "M365-DEFENDER").await;
    let addon =
        lifecycle::add_addon_on(&app.db, &bs, &defender, 5, &Actor::system(), Utc::now().date_naive()).await.unwrap();
    assert_eq!(addon.term_end_date, bs.term_end_date, "same term and billing cycle as its subscription");
    assert!(history_of(&app, bs.id)
        .await
        .iter()
        .any(|h| h.field.as_str() == "addon_added" && h.addon_id == Some(addon.id)));
    let not_an_addon = lifecycle::add_addon_on(
        &app.db,
        &bs,
        &product(&app, "M365-E3").await,
        1,
        &Actor::system(),
        Utc::now().date_naive(),
    )
    .await;
    assert!(
        matches!(&not_an_addon, Err(SubscriptionError::NotAnAddon { product }) if product == "Microsoft 365 E3"),
        "{not_an_addon:?}"
    );
}

#[tokio::test]
async fn a_ramp_up_chosen_at_purchase_reaches_the_subscription_the_paid_order_creates() {
    use stratus::catalog::orders as order_store;
    use stratus::entities::enums::OrderStatus;

    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let (_, product_page) = app.page("/products/AZURE-PLAN").await;
    assert!(product_page.contains("Ramp-up period (waives the monthly minimum commitment of CLP 100,000"));
    assert!(!app.page("/products/M365-BS").await.1.contains("Ramp-up period"));

    // Refused: too long, or for a product without a minimum commitment.
    let azure = [("product_code", "AZURE-PLAN"), ("quantity", "1"), ("ramp_up_months", "4")];
    let response = app.submit("/products/AZURE-PLAN", "/cart/items", &azure).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("A ramp-up period lasts at most 3 months."));
    let licences = [("product_code", "M365-BS"), ("quantity", "1"), ("ramp_up_months", "2")];
    let response = app.submit("/products/M365-BS", "/cart/items", &licences).await;
    assert!(response.text().await.unwrap().contains("Only consumption products with a minimum commitment"));
    assert!(app.page("/cart").await.1.contains("Your cart is empty."), "nothing added");

    let azure = [("product_code", "AZURE-PLAN"), ("quantity", "1"), ("ramp_up_months", "2")];
    let response = app.submit("/products/AZURE-PLAN", "/cart/items", &azure).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.page("/cart").await.1.contains("Ramp-up: 2 month(s) without the minimum commitment"));
    let response = app.submit("/cart", "/orders", &[]).await;
    let order_page = crate::support::location(&response);
    assert!(app.page(&order_page).await.1.contains("Ramp-up: 2 month(s)"));

    // Paid: the subscription starts with its ramp-up and one history record saying so.
    let number = order_page.trim_start_matches("/orders/");
    let mut view = order_store::load(&app.db, stratus::accounts::scope::AccountScope::All, number).await.unwrap();
    view.order.status = OrderStatus::Paid;
    order_store::create_subscriptions(&app.db, &view, &Actor::system()).await.unwrap();
    let tailspin = account_id(&app, "TAILSPIN").await;
    let azure_plan = product(&app, "AZURE-PLAN").await;
    let created = subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(tailspin))
        .filter(subscriptions::Column::ProductId.eq(azure_plan.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the Azure plan subscription");
    let end = created.start_date.checked_add_months(chrono::Months::new(2)).unwrap();
    assert_eq!((created.ramp_up_months, created.ramp_up_end), (Some(2), Some(end)));
    let ramp: Vec<_> =
        history_of(&app, created.id).await.into_iter().filter(|h| h.field.as_str() == "ramp_up").collect();
    assert_eq!(ramp.len(), 1);
    assert_eq!(ramp[0].new_value, Some(format!("start {}, end {end}, 2 month(s)", created.start_date)));
}

/// A new subscription created as a paid order would, started on `start`.
async fn bought(app: &TestApp, account: &str, product_code: &str, start: chrono::NaiveDate) -> subscriptions::Model {
    let new = NewSubscription {
        account_id: account_id(app, account).await,
        product: product(app, product_code).await,
        quantity: 1,
        start_date: start,
        ramp_up_months: 0,
        is_trial: false,
        external_id: None,
        ri_reservation_type: None,
        ri_term_years: None,
        ri_scope: None,
        ri_region: None,
        ri_payment_plan: None,
        ri_auto_renew: false,
    };
    lifecycle::create(&app.db, new, &Actor::system()).await.unwrap()
}

async fn suspend(browser: &crate::support::Browser, id: i32, value: &str) -> reqwest::Response {
    let page = format!("/subscriptions/{id}");
    browser.submit(&page, &format!("{page}/suspension"), &[("suspend", value)]).await
}

#[tokio::test]
async fn only_the_seller_suspends_a_buyer_never_suspends_its_own_subscription() {
    let app = TestApp::start().await;
    let today = Utc::now().date_naive();
    // Andes IT buys licences for itself: its seller is the provider.
    let andes_own = bought(&app, "ANDES", "M365-BS", today).await;
    let tailspin = subscription(&app, "TAILSPIN", "ACRONIS-CP").await;
    let contoso = subscription(&app, "CONTOSO", "ACRONIS-CP").await;

    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let (status, body) = andes.page(&format!("/subscriptions/{}", andes_own.id)).await;
    assert_eq!(status, StatusCode::OK, "Andes sees its own subscription");
    assert!(!body.contains("/suspension"), "but is offered no suspension");
    assert_eq!(suspend(&andes, andes_own.id, "on").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(reload(&app, andes_own.id).await.status, SubscriptionStatus::Active);

    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    // The provider sells to the reseller and to its direct customers.
    for id in [andes_own.id, tailspin.id] {
        assert!(admin.page(&format!("/subscriptions/{id}")).await.1.contains("/suspension"));
        assert_eq!(suspend(&admin, id, "on").await.status(), StatusCode::SEE_OTHER);
        assert_eq!(reload(&app, id).await.status, SubscriptionStatus::Suspended);
        assert_eq!(suspend(&admin, id, "off").await.status(), StatusCode::SEE_OTHER);
        assert_eq!(reload(&app, id).await.status, SubscriptionStatus::Active);
    }
    // Contoso buys from Andes IT: only Andes suspends it, not the provider.
    let (status, body) = admin.page(&format!("/subscriptions/{}", contoso.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("/suspension"));
    assert_eq!(suspend(&admin, contoso.id, "on").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(reload(&app, contoso.id).await.status, SubscriptionStatus::Active);

    // A customer never suspends its own.
    let tina = app.new_browser();
    tina.sign_in("tina@tailspin.demo").await;
    assert!(!tina.page(&format!("/subscriptions/{}", tailspin.id)).await.1.contains("/suspension"));
    assert_eq!(suspend(&tina, tailspin.id, "on").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(reload(&app, tailspin.id).await.status, SubscriptionStatus::Active);
}

#[tokio::test]
async fn a_cancellation_on_a_date_obeys_the_cancellation_policy() {
    let app = TestApp::start().await;
    let today = Utc::now().date_naive();
    let tomorrow = (today + Duration::days(1)).to_string();
    let on_a_date = [("action_type", "CancellationOnSpecific"), ("date", tomorrow.as_str())];

    // A reserved instance is not cancellable.
    let fabio = app.new_browser();
    fabio.sign_in("fabio@fabrikam.demo").await;
    let ri = subscription(&app, "FABRIKAM", "RI-D2SV5").await;
    let page = format!("/subscriptions/{}", ri.id);
    let response = fabio.submit(&page, &format!("{page}/future-actions"), &on_a_date).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("cannot be cancelled here"));
    assert!(!fabio.page(&page).await.1.contains("value=\"CancellationOnSpecific\""), "not offered");

    app.sign_in("ana@contoso.demo").await;
    // A software subscription bought two months ago: its return window has closed.
    let acronis = subscription(&app, "CONTOSO", "ACRONIS-CP").await;
    let response = schedule(&app, acronis.id, &on_a_date).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("The return window of this software subscription ended on"));
    // Consumption ends with its billing period, not on a date of the customer's choosing.
    let azure = subscription(&app, "CONTOSO", "AZURE-PLAN").await;
    let response = schedule(&app, azure.id, &on_a_date).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("cancelled at the end of the billing period"));
    for id in [ri.id, acronis.id, azure.id] {
        assert!(pending_of(&app, id).await.is_empty(), "nothing scheduled");
    }

    // Inside its return window a software subscription may be cancelled on a date.
    let fresh = bought(&app, "CONTOSO", "ACRONIS-CP", today).await;
    let response = schedule(&app, fresh.id, &on_a_date).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(pending_of(&app, fresh.id).await.len(), 1);
}

#[tokio::test]
async fn a_cancellation_on_a_date_fails_when_its_window_has_closed_by_the_time_it_runs() {
    let app = TestApp::start().await;
    let today = Utc::now().date_naive();
    let fresh = bought(&app, "CONTOSO", "ACRONIS-CP", today).await;
    app.sign_in("ana@contoso.demo").await;
    let date = (today + Duration::days(5)).to_string();
    let response = schedule(&app, fresh.id, &[("action_type", "CancellationOnSpecific"), ("date", &date)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let action = pending_of(&app, fresh.id).await.pop().expect("scheduled");

    // The runner was down: it runs the action 40 days later, after the return window.
    run_due(&app.db, Utc::now() + Duration::days(40)).await.unwrap();
    let done = future_actions::Entity::find_by_id(action.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(done.status, FutureActionStatus::Failed);
    assert!(
        done.result.as_deref().unwrap_or_default().contains("return window of this software subscription ended"),
        "{:?}",
        done.result
    );
    assert_eq!(reload(&app, fresh.id).await.status, SubscriptionStatus::Active);
}

#[tokio::test]
async fn the_demo_keeps_the_rules_production_keeps() {
    let app = TestApp::start().await;
    let perpetual = subscription(&app, "TAILSPIN", "WINSRV-2022").await;
    assert!(!perpetual.auto_renew, "a perpetual licence is never auto-renewed");
    for (account, code) in [("CONTOSO", "AZURE-PLAN"), ("CONTOSO", "AZURE-LEGACY"), ("FABRIKAM", "AZURE-PLAN")] {
        let consumption = subscription(&app, account, code).await;
        assert!(!consumption.prepaid, "{account} {code}: consumption is billed in arrears");
        assert!(consumption.auto_renew);
    }
    let licences = subscription(&app, "CONTOSO", "M365-BS").await;
    assert!(licences.prepaid && licences.auto_renew);
    // Built by the lifecycle: every subscription has its "created" record, and every
    // scheduled action its "future_action" record.
    for s in subscriptions::Entity::find().all(&app.db).await.unwrap() {
        let history = history_of(&app, s.id).await;
        assert_eq!(history.iter().filter(|h| h.field.as_str() == "created").count(), 1, "{}", s.name);
        let actions = future_actions::Entity::find()
            .filter(future_actions::Column::SubscriptionId.eq(s.id))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(history.iter().filter(|h| h.field.as_str() == "future_action").count(), actions.len(), "{}", s.name);
    }
    // Contoso's ramp-up is recorded like one chosen at purchase.
    let azure = subscription(&app, "CONTOSO", "AZURE-PLAN").await;
    assert_eq!(azure.ramp_up_months, Some(2));
    assert_eq!(history_of(&app, azure.id).await.iter().filter(|h| h.field.as_str() == "ramp_up").count(), 1);

    // Its invoices are the billing run's: every month from the first subscription's to the
    // month before last is billed (running it again issues nothing), last month is not.
    use stratus::billing::run::{self, Period};
    let today = Utc::now().date_naive();
    let first = subscriptions::Entity::find().all(&app.db).await.unwrap().iter().map(|s| s.start_date).min().unwrap();
    let last_month = Period::of(today).previous();
    let mut period = Period::of(first);
    while period != last_month {
        let report = run::run(&app.db, None, period, today).await.unwrap();
        assert!(report.issued.is_empty(), "{}: {:?}", period.label(), report.issued);
        period = Period::of(period.last() + Duration::days(1));
    }
    let demo_invoices = invoices::Entity::find().all(&app.db).await.unwrap();
    assert!(!demo_invoices.is_empty());
    for invoice in &demo_invoices {
        let account = accounts::Entity::find_by_id(invoice.account_id).one(&app.db).await.unwrap().unwrap();
        let label = invoice.billing_period.clone().expect("a billing period");
        assert_eq!(invoice.number, format!("INV-{}-{}", label.replace('-', ""), account.code));
        assert_ne!(label, last_month.label(), "last month is left for the admin's run");
    }

    // Tailspin's unpaid order is Tina's, placed from her cart at the catalogue's prices
    // with VAT at the rate in force (19%).
    use stratus::entities::{orders, users};
    let tina = users::Entity::find().filter(users::Column::Email.eq("tina@tailspin.demo")).one(&app.db).await;
    let order = orders::Entity::find().filter(orders::Column::Number.eq("SO-0000001")).one(&app.db).await;
    let (tina, order) = (tina.unwrap().unwrap(), order.unwrap().unwrap());
    assert_eq!((order.account_id, order.user_id), (tina.account_id, Some(tina.id)));
    let net = 2 * 11_500 + 620_000;
    let vat = (net * 19 + 50) / 100;
    assert_eq!((order.subtotal, order.tax, order.total), (net, vat, net + vat));
}
