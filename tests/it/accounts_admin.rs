//! Accounts managed by their sellers (issue 18): a reseller admin's customers (create,
//! edit, suspend, reactivate), sign-ups approved or rejected, and the provider admin's
//! resellers; each through HTTP, and from the attacker's side.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use stratus::entities::enums::AccountStatus;
use stratus::entities::{accounts, audit_log, users};

use crate::mail::send_to;
use crate::smtp_sink::SmtpSink;
use crate::support::{location, Browser, TestApp, DEMO_PASSWORD};

fn customer_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("code", "acme-cl"),
        ("name", "Acme"),
        ("legal_name", "Acme Chile SpA"),
        ("tax_id", "76.086.428-5"),
        ("country", "CL"),
        ("address", "Av. Apoquindo 1234, Las Condes"),
        ("billing_email", "Pagos@Acme.cl"),
        ("currency", "CLP"),
        ("csp_cutoff_day", "20"),
    ];
    for (name, value) in overrides {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn find_account(app: &TestApp, code: &str) -> Option<accounts::Model> {
    accounts::Entity::find().filter(accounts::Column::Code.eq(code)).one(&app.db).await.unwrap()
}

async fn counts(app: &TestApp) -> (u64, u64, u64) {
    (
        accounts::Entity::find().count(&app.db).await.unwrap(),
        users::Entity::find().count(&app.db).await.unwrap(),
        audit_log::Entity::find().count(&app.db).await.unwrap(),
    )
}

/// The newest audit entry with this action.
async fn last_audit(app: &TestApp, action: &str) -> audit_log::Model {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .order_by_desc(audit_log::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no audit entry {action}"))
}

async fn set_status(browser: &Browser, code: &str, status: &str) -> reqwest::Response {
    let path = format!("/reseller/customers/{code}");
    browser.submit(&path, &format!("{path}/status"), &[("status", status)]).await
}

#[tokio::test]
async fn a_reseller_admin_creates_edits_suspends_and_reactivates_its_customer() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let (status, list) = app.page("/reseller").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("href=\"/reseller/customers/new\""));
    assert!(list.contains("href=\"/reseller/customers/CONTOSO\""), "its customer can be edited");
    assert!(list.contains("href=\"/accounts/CONTOSO/users\""), "and its users opened");

    let response = app.submit("/reseller/customers/new", "/reseller/customers/new", &customer_form(&[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/reseller/customers/ACME-CL");
    let acme = find_account(&app, "ACME-CL").await.expect("created");
    assert_eq!(acme.parent_id, Some(app.account("ANDES").await.id), "a customer of Andes");
    assert_eq!(acme.status, AccountStatus::Active);
    assert_eq!(acme.billing_email.as_deref(), Some("pagos@acme.cl"));
    assert_eq!((acme.csp_cutoff_day, acme.currency.as_str()), (20, "CLP"));
    let created = last_audit(&app, "customer created").await;
    assert_eq!(created.account_id, Some(acme.id));
    assert!(created.changes.contains("tax id: 76.086.428-5"), "{}", created.changes);
    assert_eq!(created.actor_email.as_deref(), Some("admin@andes.demo"));

    let (_, edit) = app.page("/reseller/customers/ACME-CL").await;
    assert!(edit.contains("value=\"Acme Chile SpA\""));
    assert!(edit.contains("Suspend the account"));
    let fields = customer_form(&[("name", "Acme Chile"), ("currency", "USD"), ("code", "HIJACK")]);
    let response = app.submit("/reseller/customers/ACME-CL", "/reseller/customers/ACME-CL", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let acme = find_account(&app, "ACME-CL").await.expect("the code stays");
    assert_eq!((acme.name.as_str(), acme.currency.as_str()), ("Acme Chile", "USD"));
    assert!(find_account(&app, "HIJACK").await.is_none());
    let updated = last_audit(&app, "customer updated").await;
    assert!(updated.changes.contains("name: Acme → Acme Chile"), "{}", updated.changes);
    assert!(updated.changes.contains("currency: CLP → USD"));
    assert!(!updated.changes.contains("tax id"), "only what changed");

    assert_eq!(set_status(&app, "ACME-CL", "suspended").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(find_account(&app, "ACME-CL").await.unwrap().status, AccountStatus::Suspended);
    assert!(last_audit(&app, "account suspended").await.changes.contains("status: active → suspended"));
    let (_, page) = app.page("/accounts/ACME-CL").await;
    assert!(page.contains("This account is suspended"), "the account's page says so");
    let (_, edit) = app.page("/reseller/customers/ACME-CL").await;
    assert!(edit.contains("Reactivate the account"));

    assert_eq!(set_status(&app, "ACME-CL", "active").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(find_account(&app, "ACME-CL").await.unwrap().status, AccountStatus::Active);
    assert!(last_audit(&app, "account reactivated").await.changes.contains("status: suspended → active"));
}

#[tokio::test]
async fn bad_customer_input_answers_the_form_with_the_field_and_writes_nothing() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let before = counts(&app).await;
    let long_name = "x".repeat(201);
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("code", "contoso")], "The code CONTOSO is already in use"),
        (&[("tax_id", "76.086.428-4")], "tax id: "),
        (&[("name", &long_name)], "name: A name has at most 200 characters."),
        (&[("code", "A B")], "code: "),
        (&[("csp_cutoff_day", "31")], "csp cutoff day: "),
    ];
    for (overrides, says) in cases {
        let response =
            app.submit("/reseller/customers/new", "/reseller/customers/new", &customer_form(overrides)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{overrides:?}");
        let body = response.text().await.unwrap();
        assert!(body.contains(says), "{overrides:?}: {says}");
        assert!(body.contains("aria-invalid=\"true\""), "the field is marked");
        assert!(body.contains("action=\"/reseller/customers/new\""), "the form again");
    }
    // Editing: a bad RUT leaves Contoso as it was.
    let contoso = app.account("CONTOSO").await;
    let fields = customer_form(&[("tax_id", "76.086.428-4"), ("name", "Renamed")]);
    let response = app.submit("/reseller/customers/CONTOSO", "/reseller/customers/CONTOSO", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("tax id: "));
    assert_eq!(app.account("CONTOSO").await, contoso);
    assert_eq!(counts(&app).await, before, "nothing written");
}

#[tokio::test]
async fn a_reseller_admin_cannot_touch_another_resellers_customers_and_a_customer_nothing() {
    let app = TestApp::start().await;
    let contoso = app.account("CONTOSO").await;
    let before = counts(&app).await;
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    for path in ["/reseller/customers/CONTOSO", "/reseller/customers/ANDES", "/reseller/customers/TAILSPIN"] {
        assert_eq!(pacific.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let edit = customer_form(&[("name", "Owned")]);
    let attempts: [(&str, Vec<(&str, &str)>); 4] = [
        ("/reseller/customers/CONTOSO", edit),
        ("/reseller/customers/CONTOSO/status", vec![("status", "suspended")]),
        ("/reseller/customers/CONTOSO/approve", vec![("approve", "yes")]),
        ("/reseller/customers/CONTOSO/reject", vec![("reject", "yes"), ("confirm", "yes")]),
    ];
    for (action, fields) in &attempts {
        let response = pacific.submit("/reseller", action, fields).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "pacific {action}");
    }
    // The provider admin does not act on a reseller's customer either: Andes sells to Contoso.
    app.sign_in("admin@stratus.demo").await;
    let response = set_status(&app, "TAILSPIN", "bogus").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/reseller/customers/CONTOSO").await.status(), StatusCode::NOT_FOUND);
    let response = app.submit("/reseller", "/reseller/customers/CONTOSO/status", &[("status", "suspended")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    for path in ["/reseller/customers/new", "/reseller/customers/CONTOSO"] {
        assert_eq!(ana.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let response = ana.submit("/account", "/reseller/customers/new", &customer_form(&[])).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    for (action, fields) in &attempts {
        assert_eq!(ana.submit("/account", action, fields).await.status(), StatusCode::NOT_FOUND, "ana {action}");
    }
    assert_eq!(app.account("CONTOSO").await, contoso);
    assert_eq!(counts(&app).await, before, "nothing written");
}

#[tokio::test]
async fn a_suspended_customers_open_session_ends_and_it_cannot_sign_in_until_reactivated() {
    let app = TestApp::start().await;
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.get("/account").await.status(), StatusCode::OK);
    let subscriptions_before = app.subscription_of("CONTOSO", "M365-BS").await;

    app.sign_in("admin@andes.demo").await;
    assert_eq!(set_status(&app, "CONTOSO", "suspended").await.status(), StatusCode::SEE_OTHER);
    let response = ana.get("/account").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "the open session ended");
    assert!(location(&response).starts_with("/login"));
    let response = ana.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await;
    assert_ne!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.text().await.unwrap().contains("This account is suspended"));
    assert_eq!(app.subscription_of("CONTOSO", "M365-BS").await, subscriptions_before, "subscriptions untouched");

    assert_eq!(set_status(&app, "CONTOSO", "active").await.status(), StatusCode::SEE_OTHER);
    ana.sign_in("ana@contoso.demo").await;
}

/// Signs up a company on the storefront (the demo's sign-ups wait for approval).
async fn sign_up(app: &TestApp, company: &str, email: &str) -> accounts::Model {
    let visitor = app.new_browser();
    let fields = [
        ("company_name", company),
        ("tax_id", "76.086.428-5"),
        ("country", "CL"),
        ("billing_email", email),
        ("name", "Marta Soto"),
        ("email", email),
        ("password", "a long enough password"),
        ("confirmation", "a long enough password"),
    ];
    let response = visitor.submit("/sign-up", "/sign-up", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Check your e-mail"));
    // The account is made after the answer.
    let mut found = None;
    for _ in 0..100 {
        found = users::Entity::find().filter(users::Column::Email.eq(email)).one(&app.db).await.unwrap();
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let user = found.expect("the signed-up user");
    let account = accounts::Entity::find_by_id(user.account_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(account.status, AccountStatus::PendingApproval);
    account
}

#[tokio::test]
async fn a_sign_up_waiting_for_approval_is_approved_mailed_and_signs_in() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::start_with(move |s| send_to(s, url)).await;
    let pending = sign_up(&app, "Viña Andina", "marta@andina.cl").await;
    let marta = app.new_browser();
    let response = marta.sign_in_with("marta@andina.cl", "a long enough password").await;
    assert!(response.text().await.unwrap().contains("waits for approval"));

    // Another seller does not see or approve it.
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    assert!(!andes.page("/reseller").await.1.contains("Viña Andina"));
    let approve = format!("/reseller/customers/{}/approve", pending.code);
    assert_eq!(andes.submit("/reseller", &approve, &[("approve", "yes")]).await.status(), StatusCode::NOT_FOUND);

    app.sign_in("admin@stratus.demo").await;
    let (_, list) = app.page("/reseller").await;
    let waiting = list.find("Waiting for approval").expect("a section at the top");
    assert!(waiting < list.find("New customer").unwrap(), "above the customers");
    assert!(list.contains("Approve Viña Andina") && list.contains("Reject Viña Andina"));
    let response = app.submit("/reseller", &approve, &[("approve", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(find_account(&app, &pending.code).await.unwrap().status, AccountStatus::Active);
    let audit = last_audit(&app, "account approved").await;
    assert!(audit.changes.contains("status: pending_approval → active"));
    assert_eq!(audit.actor_email.as_deref(), Some("admin@stratus.demo"));
    assert!(!app.page("/reseller").await.1.contains("Approve Viña Andina"));

    // Marta chose no language: the provider's brand speaks Spanish.
    let mail = sink.wait_for("marta@andina.cl", "Su cuenta en ").await;
    assert!(mail.subject().starts_with("Su cuenta en Stratus Cloud está lista"), "{}", mail.subject());
    assert_eq!(mail.link_path("/login"), "/login");
    marta.sign_in_with("marta@andina.cl", "a long enough password").await;
    assert_eq!(marta.get("/account").await.status(), StatusCode::OK, "the approved user signs in");

    // Approving twice is refused.
    let response = app.submit("/reseller", &approve, &[("approve", "yes")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_rejected_sign_up_is_deleted_with_its_users_once_confirmed() {
    let app = TestApp::start().await;
    let pending = sign_up(&app, "Spam Corp", "spam@spam.example").await;
    app.sign_in("admin@stratus.demo").await;
    let reject = format!("/reseller/customers/{}/reject", pending.code);
    let before = counts(&app).await;
    let response = app.submit("/reseller", &reject, &[("reject", "yes")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "not confirmed");
    assert!(response.text().await.unwrap().contains("Tick the box"));
    assert_eq!(counts(&app).await, before, "nothing written");

    let response = app.submit("/reseller", &reject, &[("reject", "yes"), ("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(find_account(&app, &pending.code).await.is_none());
    let gone = users::Entity::find().filter(users::Column::Email.eq("spam@spam.example")).count(&app.db).await;
    assert_eq!(gone.unwrap(), 0);
    let audit = last_audit(&app, "account rejected").await;
    assert!(audit.changes.contains("user: spam@spam.example → (none)"), "{}", audit.changes);
    assert!(audit.changes.contains("status: pending_approval → deleted"));

    // An active customer is suspended, never rejected.
    let response =
        app.submit("/reseller", "/reseller/customers/TAILSPIN/reject", &[("reject", "yes"), ("confirm", "yes")]);
    assert_eq!(response.await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(find_account(&app, "TAILSPIN").await.is_some());
}

fn reseller_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = customer_form(&[("code", "SUR"), ("name", "Sur Cloud"), ("legal_name", "Sur Cloud SpA")]);
    fields.retain(|(name, _)| *name != "csp_cutoff_day");
    fields.extend([("admin_name", "Rosa Díaz"), ("admin_email", "Rosa@Sur.example")]);
    for (name, value) in overrides {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

#[tokio::test]
async fn the_provider_admin_creates_a_reseller_whose_first_admin_is_invited_and_edits_it() {
    use stratus::entities::enums::{AccountTier, TokenPurpose, UserRole};
    use stratus::entities::user_tokens;
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::start_with(move |s| send_to(s, url)).await;
    app.sign_in("admin@stratus.demo").await;
    let (status, list) = app.page("/admin/resellers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Andes IT") && list.contains("Pacific Partners"));
    assert!(app.page("/admin").await.1.contains("href=\"/admin/resellers\""), "in the admin menu");

    // Bad input first: nothing is written.
    let before = counts(&app).await;
    let long = "x".repeat(201);
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("code", "ANDES")], "The code ANDES is already in use"),
        (&[("admin_email", "ana@contoso.demo")], "admin email: ana@contoso.demo already has a user"),
        (&[("tax_id", "76.086.428-4")], "tax id: "),
        (&[("admin_name", &long)], "admin name: A name has at most 200"),
    ];
    for (overrides, says) in cases {
        let response = app.submit("/admin/resellers/new", "/admin/resellers/new", &reseller_form(overrides)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{overrides:?}");
        assert!(response.text().await.unwrap().contains(says), "{says}");
    }
    assert_eq!(counts(&app).await, before, "nothing written");

    let response = app.submit("/admin/resellers/new", "/admin/resellers/new", &reseller_form(&[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/resellers/SUR");
    let sur = find_account(&app, "SUR").await.expect("created");
    assert_eq!((sur.tier, sur.parent_id), (AccountTier::Reseller, Some(app.account("STRATUS").await.id)));
    let rosa = users::Entity::find().filter(users::Column::Email.eq("rosa@sur.example")).one(&app.db).await;
    let rosa = rosa.unwrap().expect("the first admin");
    assert_eq!((rosa.role, rosa.account_id, rosa.joined_at), (UserRole::ResellerAdmin, sur.id, None));
    assert!(rosa.password_hash.is_none());
    let token = user_tokens::Entity::find().filter(user_tokens::Column::UserId.eq(rosa.id)).one(&app.db).await;
    let token = token.unwrap().expect("an invitation");
    assert_eq!(token.purpose, TokenPurpose::Invitation);
    let days = (token.expires_at - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "7 days: {days} hours");
    let mail = sink.wait_for("rosa@sur.example", "Le invitamos a Stratus Cloud").await;
    assert!(mail.link_path("/invitation/").len() > "/invitation/".len() + 20);
    let created = last_audit(&app, "reseller created").await;
    assert!(created.changes.contains("first admin: rosa@sur.example"), "{}", created.changes);
    // Not joined yet: the invited admin cannot sign in.
    let rosas = app.new_browser();
    assert_ne!(rosas.sign_in_with("rosa@sur.example", "").await.status(), StatusCode::SEE_OTHER);

    let fields = reseller_form(&[("name", "Sur Cloud Partners"), ("country", "AR"), ("tax_id", "30-71234567-1")]);
    let response = app.submit("/admin/resellers/SUR", "/admin/resellers/SUR", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let sur = find_account(&app, "SUR").await.unwrap();
    assert_eq!((sur.name.as_str(), sur.country.as_str()), ("Sur Cloud Partners", "AR"));
    let updated = last_audit(&app, "reseller updated").await;
    assert!(updated.changes.contains("country: CL → AR"), "{}", updated.changes);
    let bad = reseller_form(&[("billing_email", "x")]);
    let response = app.submit("/admin/resellers/SUR", "/admin/resellers/SUR", &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(find_account(&app, "SUR").await.unwrap(), sur, "unchanged");
}

#[tokio::test]
async fn resellers_are_the_provider_admins_only() {
    let app = TestApp::start().await;
    let before = counts(&app).await;
    for email in ["admin@pacific.demo", "ana@contoso.demo"] {
        let browser = app.new_browser();
        browser.sign_in(email).await;
        for path in ["/admin/resellers", "/admin/resellers/new", "/admin/resellers/ANDES", "/admin/resellers/PACIFIC"] {
            assert_eq!(browser.get(path).await.status(), StatusCode::NOT_FOUND, "{email} {path}");
        }
        let attempts: [(&str, Vec<(&str, &str)>); 3] = [
            ("/admin/resellers/new", reseller_form(&[])),
            ("/admin/resellers/ANDES", reseller_form(&[("name", "Owned")])),
            ("/admin/resellers/ANDES/status", vec![("status", "suspended")]),
        ];
        for (action, fields) in &attempts {
            let response = browser.submit("/account", action, fields).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{email} {action}");
        }
    }
    assert_eq!(app.account("ANDES").await.status, AccountStatus::Active);
    assert_eq!(counts(&app).await, before, "nothing written");
}

#[tokio::test]
async fn a_suspended_resellers_host_is_unavailable_its_customers_keep_service_and_billing_skips_them() {
    use stratus::billing::run::Period;
    use stratus::entities::invoices;
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let response = app.submit("/admin/resellers/ANDES", "/admin/resellers/ANDES/status", &[("status", "suspended")]);
    assert_eq!(response.await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.account("ANDES").await.status, AccountStatus::Suspended);
    assert!(last_audit(&app, "account suspended").await.changes.contains("status: active → suspended"));

    let visitor = app.new_browser();
    let on_host = |path: &'static str| visitor.client.get(visitor.url(path)).header("host", "shop.andes.demo").send();
    for path in ["/", "/login", "/products/M365-BS", "/sign-up"] {
        let response = on_host(path).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains("temporarily unavailable"), "{path}");
        crate::branding::assert_brand(path, &body, &crate::branding::ANDES);
    }
    assert_eq!(on_host("/healthz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(on_host("/static/stratus.css").await.unwrap().status(), StatusCode::OK);

    let andes = app.new_browser();
    let response = andes.sign_in_with("admin@andes.demo", DEMO_PASSWORD).await;
    assert!(response.text().await.unwrap().contains("This account is suspended"));
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.get("/account").await.status(), StatusCode::OK, "its customer signs in on the provider's host");

    let period = Period::of(chrono::Utc::now().date_naive()).previous().label();
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &period)]).await;
    let body = app.finished_job(response).await;
    assert!(body.contains("Not billed, their reseller is suspended"), "{body}");
    assert!(body.contains("Contoso Chile"));
    let contoso = app.account("CONTOSO").await;
    let billed = invoices::Entity::find()
        .filter(invoices::Column::AccountId.eq(contoso.id))
        .filter(invoices::Column::BillingPeriod.eq(&period))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(billed, 0, "skipped");

    let response = app.submit("/admin/resellers/ANDES", "/admin/resellers/ANDES/status", &[("status", "active")]);
    assert_eq!(response.await.status(), StatusCode::SEE_OTHER);
    assert_eq!(on_host("/").await.unwrap().status(), StatusCode::OK);
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &period)]).await;
    assert!(app.finished_job(response).await.contains("CONTOSO"), "billed after reactivation");
    let billed = invoices::Entity::find()
        .filter(invoices::Column::AccountId.eq(contoso.id))
        .filter(invoices::Column::BillingPeriod.eq(&period))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(billed, 1);
}
