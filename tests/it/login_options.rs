//! Signing in and linking with an external provider (against the in-process test OP),
//! Login Options, and every way a callback can be wrong.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use stratus::entities::{identity_providers, security_events, user_identities, users};
use stratus::identity::providers::{self, ProviderFields};

use crate::support::{command_line, location, Browser, TestApp};
use crate::test_op::{TestOp, CLIENT_ID, CLIENT_SECRET};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

pub(crate) async fn add_provider(
    app: &TestApp,
    op: &TestOp,
    name: &str,
    kind: &str,
    auto: bool,
    tenants: Vec<String>,
) -> identity_providers::Model {
    let fields = ProviderFields {
        name: name.into(),
        kind: kind.into(),
        issuer: op.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        tenants,
        active: true,
        visible: true,
        allow_automatic_registration: auto,
        ..Default::default()
    };
    let settings = providers::check(&fields, true).expect("valid provider");
    providers::save(&app.db, &app.secrets, None, settings).await.unwrap()
}

/// Follows a redirect to the provider, which answers at once with a redirect back to
/// Stratus's callback; returns the callback path and query.
pub(crate) async fn through_provider(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "expected a redirect to the provider");
    let authorize = location(&response);
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = plain.get(&authorize).send().await.unwrap();
    assert!(answer.status().is_redirection(), "the provider did not redirect back: {}", answer.status());
    let callback = location(&answer);
    let path_start = callback.find("/auth/oidc/").expect("callback URL");
    callback[path_start..].to_string()
}

async fn connect(browser: &Browser, provider: &identity_providers::Model) -> reqwest::Response {
    let response = browser.submit("/account", &format!("/account/login-options/{}/connect", provider.id), &[]).await;
    let callback = through_provider(response).await;
    browser.get(&callback).await
}

async fn sign_in_with_provider(browser: &Browser, provider: &identity_providers::Model) -> reqwest::Response {
    let response = browser.get(&format!("/auth/oidc/{}/login", provider.id)).await;
    let callback = through_provider(response).await;
    browser.get(&callback).await
}

async fn link_count(app: &TestApp) -> u64 {
    user_identities::Entity::find().count(&app.db).await.unwrap()
}

async fn failures(app: &TestApp) -> u64 {
    security_events::Entity::find()
        .filter(security_events::Column::Kind.eq("idp_sign_in_failed"))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_connects_a_provider_and_then_signs_in_with_it() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    app.sign_in("ana@contoso.demo").await;

    let (_, account) = app.page("/account").await;
    assert!(account.contains("Login Options"));
    assert!(account.contains("Not connected"));
    let response = connect(&app, &provider).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account#login-options");
    let (_, account) = app.page("/account").await;
    assert!(account.contains("Contoso SSO is connected."));
    assert!(account.contains("identity linked"), "the user sees the event");
    let link = user_identities::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((link.issuer.as_str(), link.subject.as_str()), (op.issuer.as_str(), "subject-1"));

    // Another browser signs in with the provider alone.
    let other = app.new_browser();
    let (_, login) = other.page("/login").await;
    assert!(login.contains("Sign in with Contoso SSO"));
    let response = sign_in_with_provider(&other, &provider).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account");
    let (_, account) = other.page("/account").await;
    assert!(account.contains("ana@contoso.demo"));
}

#[tokio::test]
async fn an_unknown_identity_is_explained_or_registered_never_merged_by_email() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let closed = add_provider(&app, &op, "Closed SSO", "oidc", false, vec![]).await;
    // The provider says the person is ana@contoso.demo: that must not sign anybody in as Ana.
    op.set(|b| b.email = "ana@contoso.demo".into());
    let visitor = app.new_browser();
    let response = sign_in_with_provider(&visitor, &closed).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.unwrap();
    assert!(body.contains("not connected to any account here"));
    assert!(body.contains("Login Options"));
    assert_eq!(visitor.get("/account").await.status(), StatusCode::SEE_OTHER);

    let open = add_provider(&app, &op, "Open SSO", "oidc", true, vec![]).await;
    let response = sign_in_with_provider(&visitor, &open).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "an existing e-mail is not merged");
    op.set(|b| {
        b.email = "new.person@idp.example".into();
        b.subject = "subject-new".into();
    });
    let response = sign_in_with_provider(&visitor, &open).await;
    assert_eq!(location(&response), "/account");
    let user = users::Entity::find()
        .filter(users::Column::Email.eq("new.person@idp.example"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(user.password_hash.is_none());

    // The new user has one way in and cannot disconnect it; after setting a password it can.
    let response = visitor.submit("/account", &format!("/account/login-options/{}/disconnect", open.id), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("only way to sign in"));
    let response = visitor.submit("/account", "/account/login-options/local/connect", &[]).await;
    assert_eq!(location(&response), "/account/login-options/local", "a fresh sign-in needs no re-authentication");
    let response = visitor
        .submit(
            "/account/login-options/local",
            "/account/login-options/local",
            &[("new_password", "my new password"), ("confirm_password", "my new password")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = visitor.submit("/account", &format!("/account/login-options/{}/disconnect", open.id), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.new_browser().sign_in_with("new.person@idp.example", "my new password").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_identity_linked_to_another_user_is_refused() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    app.sign_in("ana@contoso.demo").await;
    connect(&app, &provider).await;
    let tina = app.new_browser();
    tina.sign_in("tina@tailspin.demo").await;
    let response = connect(&tina, &provider).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("already connected to another user"));
    assert_eq!(link_count(&app).await, 1);
}

/// A way to make the test provider misbehave.
type Misbehaviour = Box<dyn Fn(&mut crate::test_op::Behaviour)>;

/// Starts a sign-in and returns the callback the provider sent back, without following it.
async fn callback_for(browser: &Browser, provider: &identity_providers::Model) -> String {
    through_provider(browser.get(&format!("/auth/oidc/{}/login", provider.id)).await).await
}

#[tokio::test]
async fn every_bad_token_is_refused_with_a_branded_page_and_a_security_event() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", true, vec![]).await;
    let cases: Vec<(&str, Misbehaviour)> = vec![
        ("wrong nonce", Box::new(|b| b.nonce = Some(Some("other".into())))),
        ("missing nonce", Box::new(|b| b.nonce = Some(None))),
        ("wrong issuer", Box::new(|b| b.token_issuer = Some("http://127.0.0.1:1".into()))),
        ("wrong audience", Box::new(|b| b.audience = Some("someone-else".into()))),
        ("expired", Box::new(|b| b.expired = true)),
        ("bad signature", Box::new(|b| b.bad_signature = true)),
        ("alg none", Box::new(|b| b.alg_none = true)),
        ("unknown key id", Box::new(|b| b.unknown_kid = true)),
        (
            "iss of another provider in the callback",
            Box::new(|b| b.iss_in_callback = Some("http://127.0.0.1:2".into())),
        ),
    ];
    for (what, change) in cases {
        op.set(|b| {
            *b = crate::test_op::Behaviour {
                email: format!("{}@idp.example", what.replace(' ', "-")),
                ..Default::default()
            }
        });
        op.set(|b| change(b));
        let before = failures(&app).await;
        let visitor = app.new_browser();
        let response = visitor.get(&callback_for(&visitor, &provider).await).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
        let body = response.text().await.unwrap();
        assert!(body.contains("Stratus Cloud") && body.contains("</html>"), "{what}: branded page");
        assert_eq!(failures(&app).await, before + 1, "{what}: security event");
        assert_eq!(visitor.get("/account").await.status(), StatusCode::SEE_OTHER, "{what}: nobody signed in");
    }
    assert_eq!(link_count(&app).await, 0, "no half-linked identity");
    assert_eq!(users::Entity::find().count(&app.db).await.unwrap(), 7, "nobody registered");
}

#[tokio::test]
async fn state_replay_and_provider_mix_up_are_refused() {
    let app = TestApp::start().await;
    let op_a = TestOp::start().await;
    let op_b = TestOp::start().await;
    let a = add_provider(&app, &op_a, "Provider A", "oidc", true, vec![]).await;
    let b = add_provider(&app, &op_b, "Provider B", "oidc", true, vec![]).await;
    let visitor = app.new_browser();

    // A tampered state.
    let callback = callback_for(&visitor, &a).await;
    let tampered = callback.replace("state=", "state=x");
    assert_eq!(visitor.get(&tampered).await.status(), StatusCode::BAD_REQUEST);

    // The right callback used twice: the second finds no pending flow.
    let callback = callback_for(&visitor, &a).await;
    assert_eq!(visitor.get(&callback).await.status(), StatusCode::SEE_OTHER);
    let again = app.new_browser();
    assert_eq!(again.get(&callback).await.status(), StatusCode::BAD_REQUEST, "another browser replays it");

    // A replayed code inside a fresh flow: the provider refuses it.
    let fresh = app.new_browser();
    let new_callback = callback_for(&fresh, &a).await;
    let old_code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let new_code = new_callback.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let replayed = new_callback.replace(&format!("code={new_code}"), &format!("code={old_code}"));
    assert_eq!(fresh.get(&replayed).await.status(), StatusCode::BAD_REQUEST);

    // A flow started with A answered at B's callback.
    let mixed = app.new_browser();
    let callback_a = callback_for(&mixed, &a).await;
    let at_b = callback_a.replace(&format!("/auth/oidc/{}/", a.id), &format!("/auth/oidc/{}/", b.id));
    let response = mixed.get(&at_b).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("different identity provider"));
}

#[tokio::test]
async fn azure_tokens_are_keyed_by_tenant_and_object_id_and_foreign_tenants_are_refused() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Entra", "azure_ad", true, vec![TENANT.into()]).await;
    op.set(|b| {
        b.tid = Some("11111111-2222-3333-4444-555555555555".into());
        b.oid = Some("object-1".into());
        b.email = "foreign@idp.example".into();
    });
    let visitor = app.new_browser();
    let response = sign_in_with_provider(&visitor, &provider).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("tenant is not allowed"));

    op.set(|b| {
        b.tid = Some(TENANT.into());
        b.email = "entra.person@idp.example".into();
    });
    let response = sign_in_with_provider(&visitor, &provider).await;
    assert_eq!(location(&response), "/account");
    let link = user_identities::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(link.subject, "object-1", "keyed on oid, not sub");
    assert_eq!(link.tenant_id.as_deref(), Some(TENANT));
}

#[tokio::test]
async fn bad_callback_input_gives_a_branded_page_and_an_event() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", true, vec![]).await;
    let base = format!("/auth/oidc/{}/callback", provider.id);
    let huge = "x".repeat(20_000);
    let cases = vec![
        base.clone(),
        format!("{base}?code=&state="),
        format!("{base}?code=%FF%FE&state=%00"),
        format!("{base}?error=access_denied&error_description=%3Cscript%3E"),
        format!("{base}?code={huge}&state={huge}"),
        "/auth/oidc/999999/callback?code=a&state=b".to_string(),
        "/auth/oidc/abc/callback".to_string(),
    ];
    for path in cases {
        let visitor = app.new_browser();
        // Some cases with a pending flow, some without.
        let _ = visitor.get(&format!("/auth/oidc/{}/login", provider.id)).await;
        let response = visitor.get(&path).await;
        let status = response.status();
        let shown: String = path.chars().take(60).collect();
        assert!(status.is_client_error(), "{shown}: {status}");
        let body = response.text().await.unwrap();
        assert!(!body.contains("<script>"), "{shown}");
        if status != StatusCode::URI_TOO_LONG {
            assert!(body.contains("</html>"), "{shown}: a page");
        }
    }
    // Past the server's limit for a request head (about 64 KB) the HTTP layer itself answers 414.
    // No client's URI type takes it, so it is sent by hand.
    let enormous = "x".repeat(100_000);
    let request = format!("GET {base}?code={enormous} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(crate::api::raw_request(&app, request.as_bytes()).await, "HTTP/1.1 414 URI Too Long");
    assert!(failures(&app).await >= 6, "every refused callback is a security event");
    assert_eq!(link_count(&app).await, 0);
}

#[tokio::test]
async fn with_local_login_off_and_one_provider_sign_in_goes_straight_to_it() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Only SSO", "oidc", false, vec![]).await;
    stratus::identity::settings::set_allow_local_login(&app.db, &command_line(), false).await.unwrap();
    let response = app.get("/login?next=%2Fcart").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/auth/oidc/{}/login?next=%2Fcart", provider.id));
}

#[tokio::test]
async fn password_reauthentication_continues_to_the_connect_and_refuses_a_wrong_password() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    app.sign_in("ana@contoso.demo").await;
    let then = format!("link:{}", provider.id);
    let form = format!("/account/reauth?then={then}");
    let (status, body) = app.page(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Confirm it is you"));
    assert!(app.get("/account/reauth").await.status().is_client_error(), "nothing to confirm");

    let response = app.submit(&form, "/account/reauth", &[("password", "wrong"), ("then", &then)]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.text().await.unwrap().contains("That password is not correct."));

    let response = app.submit(&form, "/account/reauth", &[("password", "demo-password"), ("then", &then)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with(&format!("{}/authorize?", op.issuer)), "on to the provider to link");
    let callback = through_provider(response).await;
    assert_eq!(location(&app.get(&callback).await), "/account#login-options");
    assert_eq!(link_count(&app).await, 1);
}

#[tokio::test]
async fn admins_see_every_security_event() {
    let app = TestApp::start().await;
    let visitor = app.new_browser();
    visitor.sign_in_with("fabio@fabrikam.demo", "wrong-password").await;
    app.sign_in("admin@stratus.demo").await;
    let (status, body) = app.page("/admin/security-events").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("sign in failed"));
    assert!(body.contains("fabio@fabrikam.demo"));
    let customer = app.new_browser();
    customer.sign_in("ana@contoso.demo").await;
    assert_eq!(customer.get("/admin/security-events").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_recent_sign_in_connect_first_reauthenticates_at_a_linked_provider() {
    let app = TestApp::start_with(|s| s.auth.recent_sign_in_minutes = Some(0)).await;
    let op_a = TestOp::start().await;
    let op_b = TestOp::start().await;
    let a = add_provider(&app, &op_a, "Provider A", "oidc", true, vec![]).await;
    let b = add_provider(&app, &op_b, "Provider B", "oidc", false, vec![]).await;
    // A user who only has Provider A (registered through it, no password).
    op_a.set(|x| x.email = "only.idp@idp.example".into());
    let visitor = app.new_browser();
    assert_eq!(location(&sign_in_with_provider(&visitor, &a).await), "/account");

    // Connect B: first a forced fresh sign-in at A, then on to B.
    let response = visitor.submit("/account", &format!("/account/login-options/{}/connect", b.id), &[]).await;
    assert!(location(&response).starts_with(&format!("{}/authorize?", op_a.issuer)));
    let callback = through_provider(response).await;
    let asked = op_a.behaviour.lock().unwrap().last_authorize_query.clone().unwrap();
    assert_eq!(asked.get("prompt").map(String::as_str), Some("login"));
    assert_eq!(asked.get("max_age").map(String::as_str), Some("0"));
    let response = visitor.get(&callback).await;
    assert!(location(&response).starts_with(&format!("{}/authorize?", op_b.issuer)), "continues to B");
    let callback = through_provider(response).await;
    assert_eq!(location(&visitor.get(&callback).await), "/account#login-options");
    assert_eq!(link_count(&app).await, 2);

    // A provider that answers with an old sign-in is not taken as a re-authentication.
    op_a.set(|x| x.stale_auth_time = true);
    let response = visitor.submit("/account", "/account/login-options/local/connect", &[]).await;
    let callback = through_provider(response).await;
    let response = visitor.get(&callback).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("did not ask you to sign in again"));
}

/// A browser holding a copy of `victim`'s session cookie.
fn thief_of(app: &TestApp, victim: &Browser) -> Browser {
    use reqwest::cookie::CookieStore;
    let thief = app.new_browser();
    let cookie = victim.session_cookie().expect("a signed-in session");
    let url: reqwest::Url = app.base.parse().unwrap();
    thief.jar.set_cookies(
        &mut [reqwest::header::HeaderValue::from_str(&format!("stratus_session={cookie}")).unwrap()].iter(),
        &url,
    );
    thief
}

#[tokio::test]
async fn a_stolen_session_cannot_change_the_ways_in_and_ends_when_the_owner_changes_the_password() {
    let app = TestApp::start_with(|s| s.auth.recent_sign_in_minutes = Some(0)).await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    app.sign_in("ana@contoso.demo").await;
    // Ana links the provider, confirming her password first.
    let then = format!("link:{}", provider.id);
    let fields = [("password", "demo-password"), ("then", then.as_str())];
    let response = app.submit(&format!("/account/reauth?then={then}"), "/account/reauth", &fields).await;
    let callback = through_provider(response).await;
    app.get(&callback).await;
    assert_eq!(link_count(&app).await, 1);

    let thief = thief_of(&app, &app);
    assert_eq!(thief.page("/account").await.0, StatusCode::OK, "the stolen cookie works");
    // Without confirming it is Ana, the ways in stay as they are.
    let unlink = format!("/account/login-options/{}/disconnect", provider.id);
    for action in ["/account/login-options/local/disconnect", unlink.as_str()] {
        let response = thief.submit("/account", action, &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action}");
        assert!(location(&response).starts_with("/account/reauth"), "{action}: {}", location(&response));
    }
    let ana = || async {
        users::Entity::find().filter(users::Column::Email.eq("ana@contoso.demo")).one(&app.db).await.unwrap().unwrap()
    };
    assert!(ana().await.password_hash.is_some());
    assert_eq!(link_count(&app).await, 1);
    let guess =
        [("current_password", "guess"), ("new_password", "thief-pass-123"), ("confirm_password", "thief-pass-123")];
    let response = thief.submit("/account", "/account/password", &guess).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "not without the current password");

    // Ana changes her password: the stolen copy of her session is signed out; she is not.
    let change = [
        ("current_password", "demo-password"),
        ("new_password", "a-new-pass-123"),
        ("confirm_password", "a-new-pass-123"),
    ];
    let response = app.submit("/account", "/account/password", &change).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = thief.get("/account").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"), "{}", location(&response));
    assert_eq!(app.page("/account").await.0, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_of_all_other_sessions_ends_a_stolen_one_and_other_devices() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let thief = thief_of(&app, &app);
    let phone = app.new_browser();
    phone.sign_in("tina@tailspin.demo").await;
    assert_eq!(thief.page("/account").await.0, StatusCode::OK);
    assert_eq!(phone.page("/account").await.0, StatusCode::OK);
    let (_, page) = app.page("/account").await;
    assert!(page.contains("Sign out of all other sessions"));
    let response = app.submit("/account", "/account/sessions/sign-out-others", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    for other in [&thief, &phone] {
        let response = other.get("/account").await;
        assert!(location(&response).starts_with("/login"), "{}", location(&response));
    }
    let (status, page) = app.page("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Every other session of yours was signed out."));
}

#[tokio::test]
async fn without_a_password_there_is_nothing_to_change_on_my_account() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Provider A", "oidc", true, vec![]).await;
    op.set(|x| x.email = "sso.only@idp.example".into());
    assert_eq!(location(&sign_in_with_provider(&app, &provider).await), "/account");
    let (_, page) = app.page("/account").await;
    assert!(page.contains("You have no password yet."));
    let new = [("current_password", ""), ("new_password", "set-by-thief-1"), ("confirm_password", "set-by-thief-1")];
    let response = app.submit("/account", "/account/password", &new).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let user = users::Entity::find().filter(users::Column::Email.eq("sso.only@idp.example")).one(&app.db).await;
    assert!(user.unwrap().unwrap().password_hash.is_none());
}

#[tokio::test]
async fn automatic_registration_needs_a_verified_e_mail_and_says_nothing_of_who_is_registered() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Provider A", "oidc", true, vec![]).await;
    let users_before = users::Entity::find().count(&app.db).await.unwrap();
    let answer = |email: &'static str, verified: Option<bool>| {
        let op = &op;
        let app = &app;
        let provider = provider.clone();
        async move {
            op.set(|x| {
                x.email = email.into();
                x.email_verified = verified;
                x.subject = format!("subject-{email}");
            });
            let response = sign_in_with_provider(&app.new_browser(), &provider).await;
            (response.status(), response.text().await.unwrap())
        }
    };
    // An e-mail the provider did not verify creates nothing.
    let (unverified_status, unverified) = answer("new.person@idp.example", Some(false)).await;
    let (silent_status, _) = answer("other.person@idp.example", None).await;
    // An e-mail that is already registered gets the very same answer.
    let (taken_status, taken) = answer("ana@contoso.demo", Some(true)).await;
    assert_eq!(
        (unverified_status, silent_status, taken_status),
        (StatusCode::CONFLICT, StatusCode::CONFLICT, StatusCode::CONFLICT)
    );
    let message = |page: &str| page.contains("No account could be created here for this Provider A sign-in.");
    assert!(message(&unverified) && message(&taken), "the same words either way");
    assert_eq!(users::Entity::find().count(&app.db).await.unwrap(), users_before);
    // A verified, new e-mail is registered.
    let (status, _) = answer("new.person@idp.example", Some(true)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(users::Entity::find().count(&app.db).await.unwrap(), users_before + 1);

    // The admin may trust this provider with unverified e-mails (as for Entra ID); still
    // never for an e-mail that is already registered.
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let edit = format!("/admin/identity-providers/{}", provider.id);
    let (_, form) = admin.page(&edit).await;
    assert!(form.contains("name=\"trust_unverified_email\""));
    let fields = [
        ("name", "Provider A"),
        ("kind", "oidc"),
        ("issuer", op.issuer.as_str()),
        ("client_id", crate::test_op::CLIENT_ID),
        ("client_secret", ""),
        ("active", "on"),
        ("visible", "on"),
        ("allow_automatic_registration", "on"),
        ("trust_unverified_email", "on"),
    ];
    assert_eq!(admin.submit(&edit, &edit, &fields).await.status(), StatusCode::SEE_OTHER);
    let (status, _) = answer("unverified.person@idp.example", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "registered with the provider trusted");
    let (status, _) = answer("ana@contoso.demo", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(users::Entity::find().count(&app.db).await.unwrap(), users_before + 2);
}

#[tokio::test]
async fn discovery_and_keys_are_kept_and_fetched_again_only_when_the_provider_rotates_its_key() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    app.sign_in("ana@contoso.demo").await;
    assert_eq!(connect(&app, &provider).await.status(), StatusCode::SEE_OTHER);
    for _ in 0..3 {
        let visitor = app.new_browser();
        assert_eq!(sign_in_with_provider(&visitor, &provider).await.status(), StatusCode::SEE_OTHER);
    }
    let fetched = |op: &TestOp| {
        let behaviour = op.behaviour.lock().unwrap();
        (behaviour.discovery_fetches, behaviour.jwks_fetches)
    };
    assert_eq!(fetched(&op), (1, 1), "four flows, one discovery and one key fetch");

    // The provider rotates its key: the next token names a key id Stratus has not seen.
    op.set(|b| b.key_id = "test-key-2".into());
    let visitor = app.new_browser();
    assert_eq!(sign_in_with_provider(&visitor, &provider).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(fetched(&op), (1, 2), "the keys were fetched again once");

    // Tokens naming made-up key ids are refused without making Stratus fetch keys each time.
    op.set(|b| b.unknown_kid = true);
    for _ in 0..3 {
        let visitor = app.new_browser();
        assert_eq!(sign_in_with_provider(&visitor, &provider).await.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(fetched(&op), (1, 2), "no refetch within the refetch interval");
}

#[tokio::test]
async fn starting_sign_ins_is_bounded_per_address_and_costs_a_session_only_for_a_started_flow() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    let before = crate::csrf::session_rows(&app).await;
    let start = format!("/auth/oidc/{}/login", provider.id);
    for i in 0..20 {
        let response = app.new_browser().get(&start).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "start {i}");
    }
    assert_eq!(crate::csrf::session_rows(&app).await, before + 20, "one session per flow in progress");
    let response = app.new_browser().get(&start).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_some());
    assert!(response.text().await.unwrap().contains("Too many sign-ins started"));
    assert_eq!(crate::csrf::session_rows(&app).await, before + 20, "a refused start keeps nothing");
    assert_eq!(op.behaviour.lock().unwrap().discovery_fetches, 1);
}

/// The ids of the "Sign out" buttons on My Account's session list.
fn session_sign_out_ids(page: &str) -> Vec<String> {
    page.match_indices("action=\"/account/sessions/")
        .filter_map(|(at, marker)| {
            let rest = &page[at + marker.len()..];
            let id = rest.split('"').next()?;
            id.strip_suffix("/sign-out").map(str::to_string)
        })
        .collect()
}

#[tokio::test]
async fn my_account_lists_where_i_am_signed_in_and_signs_out_one_session() {
    let app = TestApp::start().await;
    let laptop = app.new_browser_named("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
    laptop.sign_in("ana@contoso.demo").await;
    let (_, page) = laptop.page("/account").await;
    assert!(page.contains("Firefox on Linux") && page.contains("This session"), "the session is listed");
    assert!(page.contains("127.0.0.1"), "with its address");
    // Always offered: a copied cookie would be listed as this very session.
    assert!(page.contains("Sign out of all other sessions"));
    assert!(session_sign_out_ids(&page).is_empty(), "no other session to sign out one by one");

    let thief = app.new_browser_named("curl/8.5.0");
    thief.sign_in("ana@contoso.demo").await;
    let (_, page) = laptop.page("/account").await;
    assert!(page.contains("Firefox on Linux") && page.contains("curl"), "both sessions are listed");
    assert!(page.contains("Sign out of all other sessions"));
    let ids = session_sign_out_ids(&page);
    assert_eq!(ids.len(), 1, "a Sign out button for the other session only");

    // Someone else cannot end Ana's sessions, even knowing the id.
    let fabio = app.new_browser();
    fabio.sign_in("fabio@fabrikam.demo").await;
    let response = fabio.submit("/account", &format!("/account/sessions/{}/sign-out", ids[0]), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(thief.page("/account").await.0, StatusCode::OK, "still signed in");

    let response = laptop.submit("/account", &format!("/account/sessions/{}/sign-out", ids[0]), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = thief.get("/account").await;
    assert!(location(&response).starts_with("/login"), "the other session is signed out");
    let (status, page) = laptop.page("/account").await;
    assert_eq!(status, StatusCode::OK, "this one is not");
    assert!(page.contains("That session was signed out.") && !page.contains("curl"));

    // Signing out removes the session from the list.
    let response = laptop.submit("/account", "/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let rows = stratus::entities::user_sessions::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 1, "only Fabio's session is left");
}

#[tokio::test]
async fn someone_who_only_knows_the_e_mail_cannot_keep_its_owner_out() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    app.sign_in("ana@contoso.demo").await;
    assert_eq!(connect(&app, &provider).await.status(), StatusCode::SEE_OTHER);

    let guesser = app.new_browser();
    for _ in 0..6 {
        guesser.sign_in_with("ana@contoso.demo", "guess").await;
    }
    let ana = users::Entity::find().filter(users::Column::Email.eq("ana@contoso.demo")).one(&app.db).await.unwrap();
    assert!(ana.unwrap().locked_until.is_some(), "the password is locked");
    let (_, page) = guesser.page("/login").await;
    assert!(page.contains("Sign in with Contoso SSO"));

    // Ana, on another computer, still gets in through her provider.
    let owner = app.new_browser();
    let response = owner.sign_in_with("ana@contoso.demo", crate::support::DEMO_PASSWORD).await;
    assert_ne!(location(&response), "/account", "not with the password while locked");
    let response = sign_in_with_provider(&owner, &provider).await;
    assert_eq!(location(&response), "/account");
    assert_eq!(owner.page("/account").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_stolen_session_cannot_guess_the_current_password() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let thief = thief_of(&app, &app);
    for guess in 0..5 {
        let fields = [
            ("current_password", format!("guess-{guess}")),
            ("new_password", "thief-password-1".to_string()),
            ("confirm_password", "thief-password-1".to_string()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = thief.submit("/account", "/account/password", &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let ana = users::Entity::find().filter(users::Column::Email.eq("ana@contoso.demo")).one(&app.db).await.unwrap();
    assert!(ana.unwrap().locked_until.is_some(), "wrong current passwords lock like wrong sign-ins");
    // Now even the right one is refused, and the password is unchanged.
    let fields = [
        ("current_password", crate::support::DEMO_PASSWORD),
        ("new_password", "thief-password-1"),
        ("confirm_password", "thief-password-1"),
    ];
    let response = thief.submit("/account", "/account/password", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let events = security_events::Entity::find()
        .filter(security_events::Column::Detail.eq("password change: wrong current password"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(events, 5, "each guess is a security event");
}

#[tokio::test]
async fn signing_in_moves_a_started_anonymous_session_to_a_new_id() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    let provider = add_provider(&app, &op, "Contoso SSO", "oidc", false, vec![]).await;
    // Starting a provider sign-in keeps a session (the flow); then the password is used.
    let response = app.get(&format!("/auth/oidc/{}/login", provider.id)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let before = app.session_cookie().expect("a session for the flow in progress");
    app.sign_in("ana@contoso.demo").await;
    let after = app.session_cookie().expect("a signed-in session");
    assert_ne!(before, after, "the session id changes at sign-in");
    let stale = crate::support::new_client(Default::default());
    let response = stale.get(app.url("/account")).header("cookie", format!("stratus_session={before}")).send().await;
    assert!(location(&response.unwrap()).starts_with("/login"), "the old id signs nobody in");
}
