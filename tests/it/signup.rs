//! Sign-up on the storefront (issue 18, item 1) and the audit log (item 5).

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use stratus::entities::enums::{AccountStatus, UserRole};
use stratus::entities::{accounts, audit_log, users};

use crate::smtp_sink::SmtpSink;
use crate::support::{csrf_in, location, Browser, TestApp};

const PASSWORD: &str = "a long enough password";

fn form<'a>(company: &'a str, tax_id: &'a str, email: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("company_name", company),
        ("country", "CL"),
        ("tax_id", tax_id),
        ("billing_email", "pagos@andina.cl"),
        ("name", "Marta Soto"),
        ("email", email),
        ("password", PASSWORD),
        ("confirmation", PASSWORD),
    ]
}

/// Sends the sign-up form as a browser on `host` would (the Host header picks the brand).
async fn sign_up_on(browser: &Browser, host: Option<&str>, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let mut get = browser.client.get(browser.url("/sign-up"));
    if let Some(host) = host {
        get = get.header("host", host);
    }
    let page = get.send().await.unwrap().text().await.unwrap();
    let token = csrf_in(&page).expect("a sign-up form");
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    let mut post = browser.client.post(browser.url("/sign-up")).form(&all);
    if let Some(host) = host {
        post = post.header("host", host);
    }
    let response = post.send().await.unwrap();
    let status = response.status();
    let to = location(&response);
    (status, to, response.text().await.unwrap())
}

async fn app_with_mail(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::start_with(move |s| crate::mail::send_to(s, url)).await
}

/// The account a sign-up creates (after the answer: the work is done in the background).
async fn signed_up(app: &TestApp, name: &str) -> accounts::Model {
    for _ in 0..100 {
        let found = accounts::Entity::find().filter(accounts::Column::Name.eq(name)).one(&app.db).await.unwrap();
        if let Some(account) = found {
            return account;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no account {name}")
}

async fn counts(app: &TestApp) -> (u64, u64) {
    (accounts::Entity::find().count(&app.db).await.unwrap(), users::Entity::find().count(&app.db).await.unwrap())
}

#[tokio::test]
async fn a_visitor_signs_up_on_a_resellers_host_and_waits_for_its_approval() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let visitor = app.new_browser();
    let page = visitor.client.get(visitor.url("/sign-up")).header("host", "shop.andes.demo").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Andes IT"), "the reseller's brand");

    let (status, _, answer) =
        sign_up_on(&visitor, Some("shop.andes.demo"), &form("Viña Andina SpA", "76086428-5", "Marta@Andina.cl")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer.contains("Check your e-mail"), "{answer}");
    assert!(answer.contains("brand-name\">Andes IT"), "still in the reseller's brand");

    let account = signed_up(&app, "Viña Andina SpA").await;
    let andes = app.account("ANDES").await;
    assert_eq!(account.parent_id, Some(andes.id), "Andes IT's customer, signed up on its host");
    assert_eq!(account.status, AccountStatus::PendingApproval);
    assert_eq!(account.tax_id.as_deref(), Some("76.086.428-5"), "the RUT written one way");
    let marta =
        users::Entity::find().filter(users::Column::Email.eq("marta@andina.cl")).one(&app.db).await.unwrap().unwrap();
    assert_eq!(marta.role, UserRole::CustomerAdmin, "the first user is the account's admin");
    assert!(marta.email_verified_at.is_none());
    // Marta chose no language: Andes IT's Spanish.
    sink.wait_for("marta@andina.cl", "Confirme su dirección de correo electrónico · Andes IT").await;

    // Until approved, Marta cannot sign in: the page says why (after the right password only).
    let response = app.new_browser().sign_in_with("marta@andina.cl", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("waits for approval"));
    let wrong = app.new_browser().sign_in_with("marta@andina.cl", "not her password").await;
    assert!(!wrong.text().await.unwrap().contains("waits for approval"));

    // The trail says who created what.
    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::AccountId.eq(account.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.action, "account signed up");
    assert!(entry.changes.contains("first admin: marta@andina.cl"), "{}", entry.changes);
}

#[tokio::test]
async fn without_approval_a_new_customer_is_signed_in_and_buys_once_the_address_is_confirmed() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let fields = [("allow_sign_up", "on"), ("needs_approval", "off")];
    let saved = admin.submit("/admin/authentication", "/admin/authentication/sign-up", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, audit) = admin.page("/admin/audit").await;
    assert!(audit.contains("new accounts wait for approval: true → false"), "{audit}");

    let visitor = app.new_browser();
    let (status, _, _) =
        sign_up_on(&visitor, None, &form("Cordillera Ltda.", "11.111.111-1", "lucas@cordillera.cl")).await;
    assert_eq!(status, StatusCode::OK, "the same answer as any sign-up");
    let account = signed_up(&app, "Cordillera Ltda.").await;
    assert_eq!(account.parent_id, Some(app.account("STRATUS").await.id), "the provider's direct customer");
    assert_eq!(account.status, AccountStatus::Active, "no approval needed");
    sink.wait_for("lucas@cordillera.cl", "Confirme su dirección de correo electrónico").await;
    assert_eq!(visitor.sign_in_with("lucas@cordillera.cl", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (_, page) = visitor.page("/account").await;
    assert!(page.contains("lucas@cordillera.cl") && page.contains("Send the link again"), "{page}");

    // No purchase before the address is confirmed…
    let added =
        visitor.submit("/products/M365-BS", "/cart/items", &[("product_code", "M365-BS"), ("quantity", "1")]).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let refused = visitor.submit("/cart", "/orders", &[]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("Confirm your e-mail address"));
    // …then the mailed link confirms it and the order goes through.
    let link = sink
        .wait_for("lucas@cordillera.cl", "Confirme su dirección de correo electrónico")
        .await
        .link_path("/verify-email/");
    assert_eq!(app.new_browser().page(&link).await.0, StatusCode::OK);
    let placed = visitor.submit("/cart", "/orders", &[]).await;
    assert_eq!(placed.status(), StatusCode::SEE_OTHER, "{:?}", placed.text().await);
}

#[tokio::test]
async fn bad_sign_ups_name_the_field_and_write_nothing_and_a_taken_address_is_not_revealed() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink).await;
    let before = counts(&app).await;
    let visitor = app.new_browser();
    let long = "x".repeat(201);
    for (fields, message) in [
        (form("Viña Andina SpA", "76.086.428-4", "m@andina.cl"), "verifier digit is wrong"),
        (form(&long, "76.086.428-5", "m@andina.cl"), "at most 200 characters"),
        (form("Viña Andina SpA", "76.086.428-5", "not-an-address"), "e-mail"),
    ] {
        let (status, _, page) = sign_up_on(&visitor, None, &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(page.contains(message), "{message}: {page}");
        assert!(page.contains("aria-invalid=\"true\""), "the field is marked");
    }
    assert_eq!(counts(&app).await, before, "nothing written");

    // An address that has an account: the same answer as a new sign-up waiting for approval
    // would give, nothing created, and the owner is told by e-mail.
    let (status, _, taken) = sign_up_on(&visitor, None, &form("Another Co", "76.086.428-5", "ANA@contoso.demo")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, fresh) = sign_up_on(&app.new_browser(), None, &form("Fresh Co", "76.086.428-5", "new@fresh.cl")).await;
    let main = |page: &str| page.split("<main").nth(1).and_then(|m| m.split("</main>").next()).map(str::to_string);
    assert_eq!(main(&taken), main(&fresh), "a taken address gets the very answer a new one gets");
    sink.wait_for("ana@contoso.demo", "Alguien se registró con su dirección").await;
    signed_up(&app, "Fresh Co").await;
    let (accounts_now, users_now) = counts(&app).await;
    assert_eq!((accounts_now, users_now), (before.0 + 1, before.1 + 1), "only the new address made an account");
    // However often somebody tries, Ana hears of it once an hour.
    sign_up_on(&visitor, None, &form("Another Co", "76.086.428-5", "ana@contoso.demo")).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let told = sink.to("ana@contoso.demo").iter().filter(|m| m.subject().contains("Alguien se registró")).count();
    assert_eq!(told, 1);
}

#[tokio::test]
async fn sign_up_is_closed_unless_the_provider_opens_it() {
    let app = TestApp::start().await;
    let (_, login) = app.page("/login").await;
    assert!(login.contains("href=\"/sign-up\""), "the demo has sign-up open");
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let fields = [("allow_sign_up", "off"), ("needs_approval", "on")];
    admin.submit("/admin/authentication", "/admin/authentication/sign-up", &fields).await;
    let visitor = app.new_browser();
    assert_eq!(visitor.page("/sign-up").await.0, StatusCode::NOT_FOUND);
    assert!(!visitor.page("/login").await.1.contains("href=\"/sign-up\""));
    let token = visitor.csrf("/login").await;
    let mut all = form("Closed Co", "76.086.428-5", "closed@co.cl");
    all.push(("csrf_token", &token));
    assert_eq!(visitor.post_form("/sign-up", &all).await.status(), StatusCode::NOT_FOUND);
    // Only the provider's admins open or close it.
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let response = andes
        .submit("/reseller", "/admin/authentication/sign-up", &[("allow_sign_up", "on"), ("needs_approval", "off")])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_log_shows_each_admin_its_own_tree_and_never_a_secret() {
    let app = TestApp::start().await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let discount = [("percent", "7"), ("description", "Audit trail test"), ("product", "")];
    for code in ["CONTOSO", "TAILSPIN"] {
        let page = format!("/accounts/{code}");
        let response = admin.submit(&page, &format!("{page}/discounts"), &discount).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let secret = "SECRET-THAT-MUST-NOT-SHOW-1234";
    let gateway = [
        ("commerce_code", "597055555532"),
        ("api_key_secret", secret),
        ("environment_choice", "url"),
        ("environment_url", app.base.as_str()),
        ("active", "on"),
    ];
    assert_eq!(admin.submit("/admin/payments", "/admin/payments", &gateway).await.status(), StatusCode::SEE_OTHER);

    let (_, all) = admin.page("/admin/audit").await;
    assert!(all.contains("account CONTOSO") && all.contains("account TAILSPIN"), "{all}");
    assert!(all.contains("admin@stratus.demo") && all.contains("percent: 7"));
    assert!(all.contains("payment gateway changed") && all.contains("API key secret: ••••••"));
    assert!(!all.contains(secret), "secrets are masked");

    // Andes IT sees its customer's entry, not the provider's direct customer's.
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let (status, own) = andes.page("/reseller/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains("account CONTOSO") && !own.contains("account TAILSPIN"), "{own}");
    assert!(!own.contains("payment gateway changed"));
    assert_eq!(andes.page("/admin/audit").await.0, StatusCode::NOT_FOUND);
    assert!(own.contains("the provider") && !own.contains("admin@stratus.demo"), "the provider's staff stay anonymous");
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    assert!(!pacific.page("/reseller/audit").await.1.contains("account CONTOSO"));
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.page("/reseller/audit").await.0, StatusCode::NOT_FOUND);
}
