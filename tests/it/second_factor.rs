//! Second factors: an authenticator app and recovery codes in Login Options, the code asked
//! after a right password (once per code, counted toward the lockout), the administrator's
//! rule that some users must have one, and the administrator's reset.

use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use stratus::entities::{outbox_messages, passkeys, security_events, totp_authenticators, users};

use crate::support::{location, Browser, TestApp, DEMO_PASSWORD};

const SET_UP: &str = "/account/login-options/authenticator";

fn between<'a>(body: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = body.find(start)? + start.len();
    let to = body[from..].find(end)?;
    Some(&body[from..from + to])
}

/// The six digits an app with this secret shows `offset` seconds from now.
fn code_at(secret: &str, offset: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32 secret");
    let totp = totp_rs::Builder::new().with_secret(secret).build().expect("totp");
    let at = u64::try_from(chrono::Utc::now().timestamp() + offset).expect("time");
    totp.generate(at).to_string()
}

/// Connects an authenticator app for the signed-in browser: the secret, and the recovery codes shown.
async fn connect_app(browser: &Browser) -> (String, Vec<String>) {
    let response = browser.submit("/account", "/account/login-options/authenticator/connect", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), SET_UP);
    let (status, page) = browser.page(SET_UP).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("src=\"data:image/svg+xml;base64,"), "a QR code drawn on the server: {page}");
    let secret = between(&page, "<code class=\"totp-secret\">", "</code>").expect("the key to type").to_string();
    let wrong = browser.submit(SET_UP, SET_UP, &[("code", "000000")]).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("That code did not match"));
    let right = browser.submit(SET_UP, SET_UP, &[("code", &code_at(&secret, 0))]).await;
    assert_eq!(right.status(), StatusCode::OK);
    let shown = right.text().await.unwrap();
    let list = between(&shown, "<ol class=\"recovery-codes\">", "</ol>").expect("recovery codes");
    let codes: Vec<String> =
        list.split("<code>").skip(1).filter_map(|c| c.split("</code>").next()).map(str::to_string).collect();
    assert_eq!(codes.len(), 10, "{shown}");
    (secret, codes)
}

/// Posts the password form; returns where it sent the browser.
async fn password_step(browser: &Browser, email: &str) -> String {
    let response = browser.sign_in_with(email, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
}

async fn type_code(browser: &Browser, code: &str) -> reqwest::Response {
    browser.submit("/login/second-factor", "/login/second-factor", &[("code", code)]).await
}

async fn is_signed_in(browser: &Browser) -> bool {
    browser.get("/account").await.status() == StatusCode::OK
}

async fn mails_titled(app: &TestApp, subject: &str) -> u64 {
    outbox_messages::Entity::find()
        .filter(outbox_messages::Column::Subject.contains(subject))
        .count(&app.db)
        .await
        .unwrap()
}

async fn events_of(app: &TestApp, kind: &str) -> Vec<security_events::Model> {
    security_events::Entity::find().filter(security_events::Column::Kind.eq(kind)).all(&app.db).await.unwrap()
}

async fn user(app: &TestApp, email: &str) -> users::Model {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(&app.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn an_authenticator_app_is_connected_in_login_options_and_then_asked_for_once_per_code() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (_, account) = app.page("/account").await;
    assert!(account.contains("Authenticator app") && account.contains("aria-label=\"Connect Authenticator app\""));
    let (secret, _) = connect_app(&app).await;

    // Kept sealed, never as typed; told by e-mail and recorded.
    let ana = user(&app, "ana@contoso.demo").await;
    let row = totp_authenticators::Entity::find_by_id(ana.id).one(&app.db).await.unwrap().unwrap();
    assert!(row.confirmed_at.is_some());
    assert!(!row.secret_sealed.contains(&secret), "the secret is encrypted at rest");
    assert_eq!(mails_titled(&app, "Se conectó una aplicación de autenticación").await, 1);
    assert_eq!(events_of(&app, "authenticator_app_connected").await.len(), 1);
    let (_, account) = app.page("/account").await;
    assert!(account.contains("10 of 10 recovery codes left"), "{account}");

    // A right password alone no longer signs in.
    let browser = app.new_browser();
    assert_eq!(password_step(&browser, "ana@contoso.demo").await, "/login/second-factor");
    assert!(!is_signed_in(&browser).await, "not signed in before the code");
    let wrong = type_code(&browser, "123456").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let code = code_at(&secret, 30);
    let right = type_code(&browser, &code).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&right), "/account");
    assert!(is_signed_in(&browser).await);
    let signed_in = events_of(&app, "sign_in").await;
    assert!(signed_in.iter().any(|e| e.detail.as_deref() == Some("password and authenticator app")), "{signed_in:?}");

    // The same code a second time (somebody who watched it typed) does not work.
    let other = app.new_browser();
    assert_eq!(password_step(&other, "ana@contoso.demo").await, "/login/second-factor");
    assert_eq!(type_code(&other, &code).await.status(), StatusCode::UNAUTHORIZED);
    assert!(!is_signed_in(&other).await);
    assert!(!events_of(&app, "second_factor_failed").await.is_empty());
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_the_user_is_told() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (_, codes) = connect_app(&app).await;

    let browser = app.new_browser();
    password_step(&browser, "ana@contoso.demo").await;
    // Typed in capitals with spaces: still the code.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let response = type_code(&browser, &typed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(is_signed_in(&browser).await);
    let (_, account) = browser.page("/account").await;
    assert!(account.contains("9 of 10 recovery codes left"), "{account}");
    assert_eq!(mails_titled(&app, "Se usó un código de recuperación").await, 1);

    let again = app.new_browser();
    password_step(&again, "ana@contoso.demo").await;
    assert_eq!(type_code(&again, &codes[3]).await.status(), StatusCode::UNAUTHORIZED);
    assert!(!is_signed_in(&again).await);

    // New codes replace the old ones: an unused old one stops working.
    let response = browser.submit("/account", "/account/login-options/authenticator/recovery-codes", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh = response.text().await.unwrap();
    assert!(fresh.contains("<ol class=\"recovery-codes\">"));
    assert!(!fresh.contains(&codes[4]));
    assert_eq!(type_code(&again, &codes[4]).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_codes_lock_the_account_and_a_right_password_does_not_clear_them() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (secret, _) = connect_app(&app).await;

    let guesser = app.new_browser();
    password_step(&guesser, "ana@contoso.demo").await;
    for guess in ["111111", "222222", "333333"] {
        assert_eq!(type_code(&guesser, guess).await.status(), StatusCode::UNAUTHORIZED);
    }
    // The password again does not start the count over.
    password_step(&guesser, "ana@contoso.demo").await;
    assert_eq!(user(&app, "ana@contoso.demo").await.failed_logins, 3);
    for guess in ["444444", "555555"] {
        assert_eq!(type_code(&guesser, guess).await.status(), StatusCode::UNAUTHORIZED);
    }
    let ana = user(&app, "ana@contoso.demo").await;
    assert!(ana.locked_until.is_some_and(|until| until > chrono::Utc::now()), "five wrong codes lock: {ana:?}");
    assert_eq!(mails_titled(&app, "Se bloqueó su cuenta").await, 1);
    // Locked: even the right code is refused.
    assert_eq!(type_code(&guesser, &code_at(&secret, 30)).await.status(), StatusCode::UNAUTHORIZED);
    assert!(!is_signed_in(&guesser).await);
}

#[tokio::test]
async fn without_a_recent_sign_in_connecting_the_app_asks_who_it_is_first() {
    let app = TestApp::start_with(|s| s.auth.recent_sign_in_minutes = Some(0)).await;
    app.sign_in("ana@contoso.demo").await;
    let response = app.submit("/account", "/account/login-options/authenticator/connect", &[]).await;
    assert_eq!(location(&response), "/account/reauth?then=authenticator");
    // The set-up page itself is not open without it.
    assert_eq!(location(&app.get(SET_UP).await), "/account#login-options");
}

#[tokio::test]
async fn confirming_it_is_you_asks_for_a_code_too_and_removing_the_app_is_told_by_mail() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (secret, _) = connect_app(&app).await;

    let form = "/account/reauth?then=options";
    let (_, reauth) = app.page(form).await;
    assert!(reauth.contains("name=\"code\""), "the code is asked too: {reauth}");
    let password_only = app.submit(form, "/account/reauth", &[("password", DEMO_PASSWORD), ("then", "options")]).await;
    assert_eq!(password_only.status(), StatusCode::UNAUTHORIZED);
    let with_code = app
        .submit(
            form,
            "/account/reauth",
            &[("password", DEMO_PASSWORD), ("then", "options"), ("code", &code_at(&secret, 30))],
        )
        .await;
    assert_eq!(with_code.status(), StatusCode::SEE_OTHER);

    let removed = app.submit("/account", "/account/login-options/authenticator/disconnect", &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&removed), "/account#login-options");
    let ana = user(&app, "ana@contoso.demo").await;
    assert!(totp_authenticators::Entity::find_by_id(ana.id).one(&app.db).await.unwrap().is_none());
    assert_eq!(mails_titled(&app, "Se eliminó la aplicación de autenticación").await, 1);
    assert_eq!(events_of(&app, "authenticator_app_removed").await.len(), 1);
    // A password alone signs in again.
    let browser = app.new_browser();
    assert_eq!(password_step(&browser, "ana@contoso.demo").await, "/account");
}

#[tokio::test]
async fn administrators_who_must_have_a_second_factor_set_one_up_before_anything_else() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let (_, page) = app.page("/admin/authentication").await;
    assert!(
        page.contains("identity provider") && page.contains("responsibility"),
        "the page says who answers for IdP sign-ins"
    );
    let response = app
        .submit(
            "/admin/authentication",
            "/admin/authentication/second-factor",
            &[("require_second_factor", "administrators")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let bad = app
        .submit(
            "/admin/authentication",
            "/admin/authentication/second-factor",
            &[("require_second_factor", "sometimes")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A reseller administrator signs in: straight to the set-up, and nowhere else.
    let reseller = app.new_browser();
    assert_eq!(password_step(&reseller, "admin@andes.demo").await, SET_UP);
    let (status, page) = reseller.page(SET_UP).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Your administrator requires a second factor"), "{page}");
    let elsewhere = reseller.get("/reseller").await;
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&elsewhere), SET_UP);
    let token = crate::support::csrf_in(&page).unwrap();
    let action = reseller.post_form("/account/profile", &[("name", "Changed"), ("csrf_token", &token)]).await;
    assert_eq!(action.status(), StatusCode::FORBIDDEN);
    // Once set up, everything opens.
    let secret = between(&page, "<code class=\"totp-secret\">", "</code>").unwrap().to_string();
    let done = reseller.submit(SET_UP, SET_UP, &[("code", &code_at(&secret, 0))]).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(reseller.get("/reseller").await.status(), StatusCode::OK);

    // A customer is not an administrator: signed in as before.
    let customer = app.new_browser();
    assert_eq!(password_step(&customer, "ana@contoso.demo").await, "/account");

    // Everyone: the customer too.
    app.submit(
        "/admin/authentication",
        "/admin/authentication/second-factor",
        &[("require_second_factor", "everyone")],
    )
    .await;
    let customer = app.new_browser();
    assert_eq!(password_step(&customer, "ana@contoso.demo").await, SET_UP);
    assert_eq!(location(&customer.get("/cart").await), SET_UP);
    // Turned off again: the waiting session is free.
    app.submit("/admin/authentication", "/admin/authentication/second-factor", &[("require_second_factor", "off")])
        .await;
    assert_eq!(customer.get("/cart").await.status(), StatusCode::OK);
    assert!(app.newest_audit().await.changes.contains("require a second factor"));
}

#[tokio::test]
async fn an_administrator_resets_the_second_factors_of_a_user_who_lost_them() {
    let app = TestApp::start().await;
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    connect_app(&ana).await;
    let ana_user = user(&app, "ana@contoso.demo").await;
    // A passkey of hers (as stored; the reset never reads it) and one of Beatriz's, who has nothing else.
    let beatriz = user(&app, "beatriz@contoso.demo").await;
    for (owner, credential) in [(ana_user.id, "cred-ana"), (beatriz.id, "cred-beatriz")] {
        let row = passkeys::ActiveModel {
            user_id: Set(owner),
            name: Set("Phone".into()),
            credential_id: Set(credential.into()),
            user_handle: Set(format!("handle-{owner}")),
            passkey: Set("{}".into()),
            created_at: Set(chrono::Utc::now()),
            last_used_at: Set(None),
            ..Default::default()
        };
        row.insert(&app.db).await.unwrap();
    }

    app.sign_in("admin@stratus.demo").await;
    let reset_path = format!("/admin/users/{}/reset-second-factors", ana_user.id);
    let (_, users_page) = app.page("/admin/users").await;
    assert!(users_page.contains(&reset_path), "offered for users with a second factor");
    let beatriz_path = format!("/admin/users/{}/reset-second-factors", beatriz.id);
    assert!(users_page.contains(&beatriz_path), "a passkey is a second factor to reset too");
    let (status, confirm) = app.page(&reset_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("ana@contoso.demo"));
    // Another administrator's page cannot reach users outside their scope.
    let reseller = app.new_browser();
    reseller.sign_in("admin@andes.demo").await;
    assert_eq!(reseller.get(&reset_path).await.status(), StatusCode::NOT_FOUND);

    let response = app.submit(&reset_path, &reset_path, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(totp_authenticators::Entity::find_by_id(ana_user.id).one(&app.db).await.unwrap().is_none());
    assert!(!is_signed_in(&ana).await, "a lost device's session ends with the reset");
    let left: Vec<i32> = passkeys::Entity::find().all(&app.db).await.unwrap().iter().map(|p| p.user_id).collect();
    assert_eq!(left, vec![beatriz.id], "her passkey went, nobody else's");
    let events = events_of(&app, "second_factors_reset").await;
    assert_eq!(events.len(), 1);
    assert!(events[0].detail.as_deref().unwrap_or_default().contains("admin@stratus.demo"));
    assert_eq!(mails_titled(&app, "Un administrador restableció sus segundos factores").await, 1);
    let browser = app.new_browser();
    assert_eq!(password_step(&browser, "ana@contoso.demo").await, "/account");
}

#[tokio::test]
async fn a_password_reset_by_mail_still_asks_for_the_code_and_bad_codes_get_a_message() {
    let sink = crate::smtp_sink::SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::start_with(move |s| crate::mail::send_to(s, url)).await;
    app.sign_in("ana@contoso.demo").await;
    connect_app(&app).await;

    let browser = app.new_browser();
    let response = browser.submit("/password-reset", "/password-reset", &[("email", "ana@contoso.demo")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let path = sink.wait_for("ana@contoso.demo", "Restablezca su contraseña").await.link_path("/password-reset/");
    let response = browser
        .submit(&path, &path, &[("new_password", "a new long password"), ("confirmation", "a new long password")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login/second-factor");
    assert!(!is_signed_in(&browser).await);

    let long = "9".repeat(10_000);
    assert_eq!(type_code(&browser, &long).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let nobody = app.new_browser();
    let (status, page) = nobody.page("/login/second-factor").await;
    assert_eq!(status, StatusCode::GONE, "{page}");
    assert!(page.contains("sign in again"));
}

#[tokio::test]
async fn parallel_guesses_at_the_code_are_no_more_than_the_lockout_allows() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (secret, _) = connect_app(&app).await;

    let guesser = app.new_browser();
    password_step(&guesser, "ana@contoso.demo").await;
    let token = guesser.csrf("/login/second-factor").await;
    let guesses = (0..12).map(|i| {
        let code = format!("{:06}", 100_000 + i);
        let token = token.clone();
        let browser = &guesser;
        async move { browser.post_form("/login/second-factor", &[("code", &code), ("csrf_token", &token)]).await }
    });
    for response in futures_util::future::join_all(guesses).await {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let checked = events_of(&app, "second_factor_failed").await.len();
    assert!(checked <= 5, "{checked} codes were checked: at most the lockout's 5");
    let ana = user(&app, "ana@contoso.demo").await;
    assert!(ana.locked_until.is_some_and(|until| until > chrono::Utc::now()));
    assert_eq!(type_code(&guesser, &code_at(&secret, 30)).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_key_shown_to_one_session_cannot_be_the_one_another_session_sets_up() {
    let app = TestApp::start().await;
    // Somebody who knows the password opens the set-up page and keeps the key.
    let planter = app.new_browser();
    planter.sign_in("ana@contoso.demo").await;
    planter.submit("/account", "/account/login-options/authenticator/connect", &[]).await;
    let (_, page) = planter.page(SET_UP).await;
    let planted = between(&page, "<code class=\"totp-secret\">", "</code>").unwrap().to_string();
    // Ana sets up her app in her own session: a key of her own.
    app.sign_in("ana@contoso.demo").await;
    let (secret, _) = connect_app(&app).await;
    assert_ne!(secret, planted);
    // The planted key's codes do not get in.
    let browser = app.new_browser();
    password_step(&browser, "ana@contoso.demo").await;
    assert_eq!(type_code(&browser, &code_at(&planted, 30)).await.status(), StatusCode::UNAUTHORIZED);
    // And the planter's session, signed in with the password alone, ended when the app came.
    assert!(!is_signed_in(&planter).await);
}

#[tokio::test]
async fn an_administrator_cannot_reset_their_own_factors_and_needs_a_recent_sign_in() {
    let app = TestApp::start_with(|s| s.auth.recent_sign_in_minutes = Some(0)).await;
    let ana = user(&app, "ana@contoso.demo").await;
    let admin = user(&app, "admin@stratus.demo").await;
    app.sign_in("admin@stratus.demo").await;
    let own = format!("/admin/users/{}/reset-second-factors", admin.id);
    assert_eq!(app.get(&own).await.status(), StatusCode::CONFLICT);
    let theirs = format!("/admin/users/{}/reset-second-factors", ana.id);
    let response = app.submit(&theirs, &theirs, &[]).await;
    assert_eq!(location(&response), format!("/account/reauth?then=reset:{}", ana.id));
}
