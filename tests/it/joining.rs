//! Becoming a user through an identity provider instead of a password: "Sign up with …" on
//! the storefront (a new account under the host's seller) and "Join with …" on an
//! invitation (issue 18, items 1 and 3), against the in-process test OP.

use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use stratus::entities::enums::{AccountStatus, UserRole};
use stratus::entities::{accounts, audit_log, identity_providers, user_identities, users};

use crate::login_options::{add_provider, through_provider};
use crate::mail::send_to;
use crate::smtp_sink::SmtpSink;
use crate::support::{csrf_in, location, Browser, TestApp};
use crate::test_op::TestOp;

const ANDES_HOST: &str = "shop.andes.demo";

fn company(name: &str) -> Vec<(&'static str, String)> {
    [("company_name", name), ("country", "CL"), ("tax_id", "76086428-5"), ("billing_email", "pagos@andina.cl")]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

/// Sends the sign-up form's company fields with "Sign up with `provider`", as a browser on
/// `host` would; returns the answer (a redirect to the provider when the fields are right).
async fn sign_up_with(
    browser: &Browser,
    host: Option<&str>,
    provider: &identity_providers::Model,
    fields: Vec<(&'static str, String)>,
) -> reqwest::Response {
    let with_host = |request: reqwest::RequestBuilder| match host {
        Some(host) => request.header("host", host),
        None => request,
    };
    let page = with_host(browser.client.get(browser.url("/sign-up"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("Sign up with {}", provider.name)), "{page}");
    let mut all = fields;
    all.push(("csrf_token", csrf_in(&page).expect("a sign-up form")));
    all.push(("with", provider.id.to_string()));
    with_host(browser.client.post(browser.url("/sign-up")).form(&all)).send().await.unwrap()
}

/// Goes to the provider and back; the callback is fetched on `host` (the browser's host).
async fn come_back(browser: &Browser, host: Option<&str>, to_provider: reqwest::Response) -> reqwest::Response {
    let callback = through_provider(to_provider).await;
    let mut request = browser.client.get(browser.url(&callback));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    request.send().await.unwrap()
}

async fn counts(app: &TestApp) -> (u64, u64, u64) {
    (
        accounts::Entity::find().count(&app.db).await.unwrap(),
        users::Entity::find().count(&app.db).await.unwrap(),
        user_identities::Entity::find().count(&app.db).await.unwrap(),
    )
}

async fn user(app: &TestApp, email: &str) -> Option<users::Model> {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(&app.db).await.unwrap()
}

async fn set_sign_up(app: &TestApp, allow: &str, approval: &str) {
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let fields = [("allow_sign_up", allow), ("needs_approval", approval)];
    let saved = admin.submit("/admin/authentication", "/admin/authentication/sign-up", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_visitor_signs_up_with_a_provider_on_a_resellers_host_and_becomes_its_customer() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    // Automatic registration stays off: signing up is the sign-up switch's business.
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    op.set(|b| {
        b.subject = "marta-at-the-provider".into();
        b.email = "Marta@Andina.cl".into();
        b.email_verified = Some(true);
    });
    let visitor = app.new_browser();
    let handed_over = sign_up_with(&visitor, Some(ANDES_HOST), &provider, company("Viña Andina SpA")).await;
    assert_eq!(handed_over.status(), StatusCode::SEE_OTHER);
    // Every callback is on the public host (a reseller's host is never a redirect URI): the
    // sign-up is handed over there, sealed, and goes on once the person confirms it.
    let continue_url = location(&handed_over);
    let continue_path = continue_url.strip_prefix(&app.base).expect("on the public host").to_string();
    assert!(continue_path.starts_with(&format!("/auth/oidc/{}/continue?handoff=", provider.id)));
    let on_andes = visitor.client.get(visitor.url(&continue_path)).header("host", ANDES_HOST).send().await.unwrap();
    assert_eq!(on_andes.status(), StatusCode::NOT_FOUND, "a handoff is taken on the public host only");
    let tampered = continue_path.replacen("handoff=", "handoff=x", 1);
    assert_eq!(visitor.page(&tampered).await.0, StatusCode::GONE, "an altered handoff is refused");
    let (status, confirm) = visitor.page(&continue_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Create the account of Viña Andina SpA as a customer of Andes IT"), "{confirm}");
    let handoff = confirm.split("name=\"handoff\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let handoff = handoff.replace("&#x2F;", "/").replace("&#x3D;", "=").replace("&#x2B;", "+");
    let action = format!("/auth/oidc/{}/continue", provider.id);
    let to_provider = visitor.submit(&continue_path, &action, &[("handoff", &handoff)]).await;
    assert_eq!(to_provider.status(), StatusCode::SEE_OTHER, "{:?}", to_provider.text().await);
    let asked = location(&to_provider);
    let redirect_uri = asked.split("redirect_uri=").nth(1).unwrap().split('&').next().unwrap();
    assert!(redirect_uri.starts_with("http%3A%2F%2F127.0.0.1%3A"), "the public host's callback: {redirect_uri}");

    let answer = come_back(&visitor, None, to_provider).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let page = answer.text().await.unwrap();
    assert!(
        page.contains("your account was created with Contoso SSO") && page.contains("waits for approval"),
        "{page}"
    );

    let account = accounts::Entity::find()
        .filter(accounts::Column::Name.eq("Viña Andina SpA"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the new account");
    assert_eq!(account.parent_id, Some(app.account("ANDES").await.id), "Andes IT's customer");
    assert_eq!(account.status, AccountStatus::PendingApproval, "the demo's sign-ups wait for approval");
    assert_eq!(account.tax_id.as_deref(), Some("76.086.428-5"));
    let marta = user(&app, "marta@andina.cl").await.expect("the first user");
    assert_eq!(marta.role, UserRole::CustomerAdmin);
    assert!(marta.password_hash.is_none(), "the provider is the way in");
    assert!(marta.email_verified_at.is_some(), "the provider vouched for the address");
    let link = user_identities::Entity::find().one(&app.db).await.unwrap().expect("linked");
    assert_eq!((link.user_id, link.subject.as_str()), (marta.id, "marta-at-the-provider"));
    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::AccountId.eq(account.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("an audit entry");
    assert_eq!(entry.action, "account signed up");
    assert!(entry.changes.contains("first admin: marta@andina.cl"), "{}", entry.changes);
    assert!(entry.actor_email.unwrap_or_default().contains("Contoso SSO"));
    assert_eq!(visitor.get("/account").await.status(), StatusCode::SEE_OTHER, "not signed in before approval");

    // Andes IT approves; Marta signs in with the provider from then on.
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let approve = format!("/reseller/customers/{}/approve", account.code);
    assert_eq!(andes.submit("/reseller", &approve, &[("approve", "yes")]).await.status(), StatusCode::SEE_OTHER);
    let signed_in = come_back(&visitor, None, visitor.get(&format!("/auth/oidc/{}/login", provider.id)).await).await;
    assert_eq!(location(&signed_in), "/account");
    let (_, page) = visitor.page("/account").await;
    assert!(page.contains("marta@andina.cl") && page.contains("Viña Andina SpA"), "{page}");
}

#[tokio::test]
async fn provider_sign_ups_refuse_taken_or_unverified_addresses_alike_and_bad_fields_never_leave() {
    let app = TestApp::start().await;
    set_sign_up(&app, "on", "off").await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    let before = counts(&app).await;

    // Bad company fields answer the form and never go to the provider.
    let mut bad = company("Cordillera Ltda.");
    bad[2].1 = "76086428-4".into();
    let response = sign_up_with(&app.new_browser(), None, &provider, bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("verifier digit"));

    let attempt = |email: &'static str, verified: Option<bool>| {
        let (app, op, provider) = (&app, &op, provider.clone());
        async move {
            op.set(|b| {
                b.subject = format!("subject-{email}");
                b.email = email.into();
                b.email_verified = verified;
            });
            let visitor = app.new_browser();
            let to_provider = sign_up_with(&visitor, None, &provider, company("Cordillera Ltda.")).await;
            let answer = come_back(&visitor, None, to_provider).await;
            let status = answer.status();
            let to = location(&answer);
            (status, to, answer.text().await.unwrap(), visitor)
        }
    };
    // An address with an account, and one the provider did not verify: the same answer.
    let (taken_status, _, taken, _) = attempt("ana@contoso.demo", Some(true)).await;
    let (unverified_status, _, unverified, _) = attempt("lucas@cordillera.cl", Some(false)).await;
    assert_eq!((taken_status, unverified_status), (StatusCode::CONFLICT, StatusCode::CONFLICT));
    let words = "No account could be created with this Contoso SSO sign-in.";
    assert!(taken.contains(words) && unverified.contains(words), "{taken}");
    // Trusting a provider with unverified e-mails is for its automatic registration only:
    // anybody in a trusted tenant could otherwise sign up with somebody else's address.
    let mut trusted: identity_providers::ActiveModel = provider.clone().into();
    trusted.trust_unverified_email = Set(true);
    trusted.update(&app.db).await.unwrap();
    let (trusted_status, _, _, _) = attempt("lucas@cordillera.cl", None).await;
    assert_eq!(trusted_status, StatusCode::CONFLICT);
    assert_eq!(counts(&app).await, before, "nothing written");

    // A verified new address: the account is made and its admin signed in at once.
    let (status, to, _, lucas) = attempt("lucas@cordillera.cl", Some(true)).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/account"));
    let (_, page) = lucas.page("/account").await;
    assert!(page.contains("Welcome! Your account was created with Contoso SSO."), "{page}");
    assert!(page.contains("lucas@cordillera.cl"));
    let lucas_row = user(&app, "lucas@cordillera.cl").await.unwrap();
    let account = accounts::Entity::find_by_id(lucas_row.account_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(account.parent_id, Some(app.account("STRATUS").await.id), "the provider's customer on its host");
    assert_eq!(account.status, AccountStatus::Active, "no approval asked");
    let (accounts_after, users_after, links_after) = counts(&app).await;
    assert_eq!((accounts_after, users_after, links_after), (before.0 + 1, before.1 + 1, before.2 + 1));

    // The same identity signing up again is signed in to its account; nothing new.
    let (status, to, _, _) = attempt("lucas@cordillera.cl", Some(true)).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/account"));
    assert_eq!(counts(&app).await, (accounts_after, users_after, links_after));

    // The provider switched off while the person was there: nothing is made.
    op.set(|b| {
        b.subject = "late".into();
        b.email = "late@cordillera.cl".into();
        b.email_verified = Some(true);
    });
    let late = app.new_browser();
    let to_provider = sign_up_with(&late, None, &provider, company("Tarde SpA")).await;
    let mut off: identity_providers::ActiveModel = provider.clone().into();
    off.active = Set(false);
    off.update(&app.db).await.unwrap();
    let answer = come_back(&late, None, to_provider).await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(answer.text().await.unwrap().contains("switched off"));
    assert_eq!(counts(&app).await, (accounts_after, users_after, links_after));
    let mut on: identity_providers::ActiveModel = provider.clone().into();
    on.active = Set(true);
    on.update(&app.db).await.unwrap();

    // Sign-up closed while the person was at the provider: nothing is made.
    op.set(|b| {
        b.subject = "late".into();
        b.email = "late@cordillera.cl".into();
        b.email_verified = Some(true);
    });
    let late = app.new_browser();
    let to_provider = sign_up_with(&late, None, &provider, company("Tarde SpA")).await;
    set_sign_up(&app, "off", "off").await;
    let answer = come_back(&late, None, to_provider).await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(answer.text().await.unwrap().contains("Sign-up is closed."));
    assert_eq!(counts(&app).await, (accounts_after, users_after, links_after));
}

#[tokio::test]
async fn an_invited_user_joins_with_a_provider_and_an_identity_taken_by_another_user_is_refused() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::start_with(move |s| send_to(s, url)).await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    app.sign_in("ana@contoso.demo").await;
    let users_page = "/accounts/CONTOSO/users";
    let fields = [("name", "Diego Ruiz"), ("email", "diego@contoso.demo"), ("role", "customer_user")];
    assert_eq!(app.submit(users_page, users_page, &fields).await.status(), StatusCode::SEE_OTHER);
    let link = sink.wait_for("diego@contoso.demo", "Le invitamos").await.link_path("/invitation/");

    // Ana's own identity at the provider cannot be Diego's way in.
    op.set(|b| {
        b.subject = "ana-at-the-provider".into();
        b.email = "ana@contoso.demo".into();
        b.email_verified = Some(true);
    });
    let connected = app.submit("/account", &format!("/account/login-options/{}/connect", provider.id), &[]).await;
    assert_eq!(come_back(&app, None, connected).await.status(), StatusCode::SEE_OTHER);
    let diego = app.new_browser();
    let (_, invitation) = diego.page(&link).await;
    assert!(invitation.contains("Join with Contoso SSO"), "{invitation}");
    let with = [("with", provider.id.to_string())];
    let with: Vec<(&str, &str)> = with.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let join = || diego.submit(&link, &link, &with);
    let refused = come_back(&diego, None, join().await).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("already connected to another user"));
    assert!(user(&app, "diego@contoso.demo").await.unwrap().joined_at.is_none(), "not joined");
    assert_eq!(diego.page(&link).await.0, StatusCode::OK, "the link still works");

    // His own identity (whatever its e-mail) joins him, once.
    op.set(|b| {
        b.subject = "diego-at-the-provider".into();
        b.email = "diego.personal@mail.example".into();
        b.email_verified = Some(false);
    });
    let joined = come_back(&diego, None, join().await).await;
    assert_eq!(location(&joined), "/account");
    let (_, account) = diego.page("/account").await;
    assert!(account.contains("Welcome: you have joined. You sign in with Contoso SSO."), "{account}");
    assert!(account.contains("diego@contoso.demo"));
    let diego_row = user(&app, "diego@contoso.demo").await.unwrap();
    assert!(diego_row.joined_at.is_some() && diego_row.password_hash.is_none());
    let links = user_identities::Entity::find()
        .filter(user_identities::Column::UserId.eq(diego_row.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].subject, "diego-at-the-provider");
    assert_eq!(app.new_browser().page(&link).await.0, StatusCode::GONE, "the link is spent");
    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("invitation accepted"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("audited");
    assert!(entry.changes.contains("way in: Contoso SSO"), "{}", entry.changes);
    sink.wait_for("diego@contoso.demo", "Contoso SSO").await;
}
