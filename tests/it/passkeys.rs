//! Passkeys over the real HTTP endpoints, with webauthn-authenticator-rs' software token
//! as the device: adding one in My Account, signing in with it in a fresh browser, and
//! what must be refused (another site's answer, a replayed answer, a copied
//! authenticator, a deactivated user, somebody else's passkey), the last-way-in rule,
//! Allow Local Login's readiness list, and the pages without JavaScript.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use stratus::entities::{outbox_messages, passkeys, security_events, users};
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

use crate::support::{location, Browser, TestApp};

/// A server whose public address is a host name (passkeys refuse IP addresses); the test
/// browsers still connect to 127.0.0.1.
async fn app() -> TestApp {
    app_with(|_| {}).await
}

async fn app_with(adjust: impl FnOnce(&mut stratus::config::Settings)) -> TestApp {
    TestApp::start_with(|s| {
        s.base_url = format!("http://localhost:{}", s.addr.port());
        adjust(s);
    })
    .await
}

fn origin(app: &TestApp) -> Url {
    let port = app.base.rsplit(':').next().expect("a port");
    Url::parse(&format!("http://localhost:{port}")).expect("origin")
}

/// A phone or laptop with passkeys. The software token signs (its user verification
/// claimed) but keeps no discoverable credentials itself; this device does, as a platform
/// authenticator would: it remembers each credential's user handle, and asked for any
/// passkey of the site it answers with the one it holds, handing back the user handle.
struct Device {
    token: SoftToken,
    origin: Url,
    handles: HashMap<Vec<u8>, Vec<u8>>,
}

impl Device {
    fn new(origin: Url) -> Device {
        let (token, _) = SoftToken::new(true).expect("soft token");
        Device { token, origin, handles: HashMap::new() }
    }

    /// A copy of everything the device holds, its keys and its counter included (a cloned
    /// authenticator).
    fn copy(&self) -> Device {
        let token = SoftToken::from_cbor(&self.token.to_cbor().expect("cbor")).expect("copy");
        Device { token, origin: self.origin.clone(), handles: self.handles.clone() }
    }

    /// The same device seen from another site (what a phishing page would get).
    fn at(mut self, origin: &str) -> Device {
        self.origin = Url::parse(origin).expect("origin");
        self
    }

    /// `navigator.credentials.create` with the server's options.
    fn create(&mut self, mut options: Value) -> Value {
        let selection = &mut options["publicKey"]["authenticatorSelection"];
        assert_eq!(selection["residentKey"], "required", "a passkey is a discoverable credential");
        assert_eq!(selection["userVerification"], "required");
        // The software token refuses to be asked for one (this device keeps it instead).
        selection["requireResidentKey"] = json!(false);
        let options: CreationChallengeResponse = serde_json::from_value(options).expect("creation options");
        let user_handle = options.public_key.user.id.clone();
        let credential =
            AuthenticatorBackend::perform_register(&mut self.token, self.origin.clone(), options.public_key, 60_000)
                .expect("the device makes a credential");
        self.handles.insert(credential.raw_id.clone(), user_handle);
        serde_json::to_value(&credential).expect("json")
    }

    /// `navigator.credentials.get` with the server's options: the device's passkey.
    fn get(&mut self, mut options: Value) -> Value {
        assert_eq!(options["publicKey"]["allowCredentials"], json!([]), "discoverable: nobody is named first");
        let (id, handle) = self.handles.iter().next().map(|(i, h)| (i.clone(), h.clone())).expect("a passkey");
        options["publicKey"]["allowCredentials"] = json!([{ "type": "public-key", "id": URL_SAFE_NO_PAD.encode(&id) }]);
        let options: RequestChallengeResponse = serde_json::from_value(options).expect("request options");
        let credential =
            AuthenticatorBackend::perform_auth(&mut self.token, self.origin.clone(), options.public_key, 60_000)
                .expect("the device signs");
        let mut answer = serde_json::to_value(&credential).expect("json");
        answer["response"]["userHandle"] = json!(URL_SAFE_NO_PAD.encode(&handle));
        answer
    }
}

async fn post_json(browser: &Browser, path: &str, token: &str, body: &Value) -> reqwest::Response {
    browser.client.post(browser.url(path)).header("x-csrf-token", token).json(body).send().await.expect("POST")
}

async fn json_of(response: reqwest::Response, expected: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, expected, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Adds a passkey named `name` for the signed-in browser with `device`: the answer.
async fn add_passkey(browser: &Browser, device: &mut Device, name: &str) -> reqwest::Response {
    let token = browser.csrf("/account").await;
    let options = post_json(browser, "/account/passkeys/options", &token, &json!({ "name": name })).await;
    let options = json_of(options, StatusCode::OK).await;
    let credential = device.create(options);
    post_json(browser, "/account/passkeys", &token, &credential).await
}

async fn added(browser: &Browser, device: &mut Device, name: &str) {
    let answer = json_of(add_passkey(browser, device, name).await, StatusCode::OK).await;
    assert_eq!(answer["redirect"], "/account#passkeys");
}

/// The token the passkey button of a page hands the script.
fn button_token(page: &str) -> String {
    let marker = "data-csrf=\"";
    let start = page.find(marker).expect("a passkey button") + marker.len();
    let end = page[start..].find('"').expect("its end");
    page[start..start + end].to_string()
}

/// The options to sign in with a passkey, for `browser` (the token from the sign-in page's
/// passkey button, as the script takes it).
async fn sign_in_options(browser: &Browser) -> (String, Value) {
    let (_, page) = browser.page("/login").await;
    let token = button_token(&page);
    let options = post_json(browser, "/auth/passkey/options", &token, &json!({ "next": "/cart" })).await;
    (token, json_of(options, StatusCode::OK).await)
}

/// Signs in `browser` with `device`: the answer.
async fn passkey_sign_in(browser: &Browser, device: &mut Device) -> reqwest::Response {
    let (token, options) = sign_in_options(browser).await;
    let assertion = device.get(options);
    post_json(browser, "/auth/passkey", &token, &assertion).await
}

/// The Passkeys part of My Account.
fn passkeys_part(account: &str) -> String {
    let start = account.find("id=\"passkeys\"").expect("the Passkeys part");
    let end = account[start..].find("</section>").expect("its end");
    account[start..start + end].to_string()
}

async fn events_of(app: &TestApp, kind: &str) -> Vec<security_events::Model> {
    security_events::Entity::find().filter(security_events::Column::Kind.eq(kind)).all(&app.db).await.unwrap()
}

async fn user(app: &TestApp, email: &str) -> users::Model {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(&app.db).await.unwrap().expect("user")
}

async fn passkeys_of(app: &TestApp, email: &str) -> Vec<passkeys::Model> {
    let user = user(app, email).await;
    passkeys::Entity::find().filter(passkeys::Column::UserId.eq(user.id)).all(&app.db).await.unwrap()
}

#[tokio::test]
async fn a_passkey_added_in_my_account_signs_in_a_fresh_browser() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let (_, account) = app.page("/account").await;
    assert!(account.contains("id=\"passkeys\"") && account.contains("No passkeys yet."), "listed without providers");
    assert!(account.contains("Add a passkey"));

    let mut phone = Device::new(origin(&app));
    added(&app, &mut phone, "Ana phone").await;
    let (_, account) = app.page("/account").await;
    assert!(account.contains("The passkey “Ana phone” was added."));
    let rows = passkeys_of(&app, "ana@contoso.demo").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].last_used_at.is_none());
    assert!(account.contains("passkey added"), "the user sees the event");
    let notices = outbox_messages::Entity::find()
        .filter(outbox_messages::Column::Subject.contains("Se agregó una llave de acceso a su cuenta"))
        .filter(outbox_messages::Column::ToAddress.eq("ana@contoso.demo"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(notices, 1, "a notice e-mail");

    // A fresh browser signs in with the passkey alone, no e-mail typed.
    let fresh = app.new_browser();
    let (_, login) = fresh.page("/login").await;
    assert!(login.contains("Sign in with a passkey"));
    let answer = json_of(passkey_sign_in(&fresh, &mut phone).await, StatusCode::OK).await;
    assert_eq!(answer["redirect"], "/cart", "where the sign-in was asked to go");
    let (status, account) = fresh.page("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(account.contains("ana@contoso.demo"));
    let rows = passkeys_of(&app, "ana@contoso.demo").await;
    assert!(rows[0].last_used_at.is_some(), "last used is recorded");
    assert!(!account.contains(">Never<"), "and shown");
    let sign_ins = events_of(&app, "sign_in").await;
    assert!(sign_ins.iter().any(|e| e.detail.as_deref() == Some("passkey")), "{sign_ins:?}");
}

#[tokio::test]
async fn an_answer_made_for_another_site_is_refused() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let port = origin(&app).port().expect("port");
    let mut phished = Device::new(origin(&app)).at(&format!("http://evil.localhost:{port}"));
    let answer = json_of(add_passkey(&app, &mut phished, "Phished").await, StatusCode::BAD_REQUEST).await;
    assert!(answer["error"].as_str().unwrap().contains("made for another site"), "{answer}");
    assert!(passkeys_of(&app, "ana@contoso.demo").await.is_empty());

    let mut phone = Device::new(origin(&app));
    added(&app, &mut phone, "Phone").await;
    let mut elsewhere = phone.copy().at(&format!("http://localhost:{}", port + 1));
    let visitor = app.new_browser();
    let answer = json_of(passkey_sign_in(&visitor, &mut elsewhere).await, StatusCode::BAD_REQUEST).await;
    assert!(answer["error"].as_str().unwrap().contains("made for another site"), "{answer}");
    assert_eq!(visitor.get("/account").await.status(), StatusCode::SEE_OTHER, "not signed in");
}

#[tokio::test]
async fn a_replayed_answer_is_refused() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let mut phone = Device::new(origin(&app));

    // Registration: the same answer twice.
    let token = app.csrf("/account").await;
    let options = json_of(
        post_json(&app, "/account/passkeys/options", &token, &json!({ "name": "Phone" })).await,
        StatusCode::OK,
    )
    .await;
    let credential = phone.create(options);
    json_of(post_json(&app, "/account/passkeys", &token, &credential).await, StatusCode::OK).await;
    let again = json_of(post_json(&app, "/account/passkeys", &token, &credential).await, StatusCode::BAD_REQUEST).await;
    assert!(again["error"].as_str().unwrap().contains("No passkey request is waiting"), "{again}");
    assert_eq!(passkeys_of(&app, "ana@contoso.demo").await.len(), 1);

    // Sign-in: one set of options answered twice; the first answer sent again, in the same
    // browser and in another one that asked for a challenge of its own.
    let visitor = app.new_browser();
    let (token, options) = sign_in_options(&visitor).await;
    let first = phone.get(options.clone());
    let second = phone.get(options);
    json_of(post_json(&visitor, "/auth/passkey", &token, &first).await, StatusCode::OK).await;
    let token = visitor.csrf("/account").await;
    let replay = json_of(post_json(&visitor, "/auth/passkey", &token, &second).await, StatusCode::BAD_REQUEST).await;
    assert!(replay["error"].as_str().unwrap().contains("No passkey request is waiting"), "{replay}");

    let thief = app.new_browser();
    let (token, _) = sign_in_options(&thief).await;
    let replay = json_of(post_json(&thief, "/auth/passkey", &token, &first).await, StatusCode::BAD_REQUEST).await;
    assert!(replay["error"].as_str().unwrap().contains("answers another request"), "{replay}");
    assert_eq!(thief.get("/account").await.status(), StatusCode::SEE_OTHER, "not signed in");
}

#[tokio::test]
async fn a_cloned_authenticator_is_refused_and_recorded() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let mut phone = Device::new(origin(&app));
    added(&app, &mut phone, "Phone").await;
    let mut clone = phone.copy();

    json_of(passkey_sign_in(&app.new_browser(), &mut phone).await, StatusCode::OK).await;
    // The copy's counter is where the phone's was: it does not move forward.
    let thief = app.new_browser();
    let refused = json_of(passkey_sign_in(&thief, &mut clone).await, StatusCode::UNAUTHORIZED).await;
    assert!(refused["error"].as_str().unwrap().contains("may have been copied"), "{refused}");
    assert_eq!(thief.get("/account").await.status(), StatusCode::SEE_OTHER, "not signed in");
    let suspected = events_of(&app, "passkey_clone_suspected").await;
    assert_eq!(suspected.len(), 1);
    assert_eq!(suspected[0].user_id, Some(user(&app, "ana@contoso.demo").await.id));
    // The real one goes on working.
    json_of(passkey_sign_in(&app.new_browser(), &mut phone).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in_with_a_passkey() {
    let app = app().await;
    let beatriz = app.new_browser();
    beatriz.sign_in("beatriz@contoso.demo").await;
    let mut phone = Device::new(origin(&app));
    added(&beatriz, &mut phone, "Phone").await;

    app.sign_in("ana@contoso.demo").await;
    let id = user(&app, "beatriz@contoso.demo").await.id;
    let fields = [("intent", "deactivate"), ("confirm", "yes")];
    let deactivated = app.submit("/account", &format!("/accounts/CONTOSO/users/{id}"), &fields).await;
    assert_eq!(deactivated.status(), StatusCode::SEE_OTHER);

    let fresh = app.new_browser();
    let refused = json_of(passkey_sign_in(&fresh, &mut phone).await, StatusCode::FORBIDDEN).await;
    assert!(refused["error"].as_str().unwrap().contains("deactivated"), "{refused}");
    assert_eq!(fresh.get("/account").await.status(), StatusCode::SEE_OTHER, "not signed in");
    let failures = events_of(&app, "sign_in_failed").await;
    assert!(failures.iter().any(|e| e.user_id == Some(id)), "{failures:?}");
}

#[tokio::test]
async fn removing_a_passkey_needs_a_recent_sign_in_keeps_the_last_way_in_and_only_touches_your_own() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let mut phone = Device::new(origin(&app));
    added(&app, &mut phone, "Phone").await;
    let mut laptop = Device::new(origin(&app));
    added(&app, &mut laptop, "Laptop").await;
    let rows = passkeys_of(&app, "ana@contoso.demo").await;
    let (phone_id, laptop_id) = (rows[0].id, rows[1].id);

    // Somebody else's passkey is not there for Beatriz.
    let beatriz = app.new_browser();
    beatriz.sign_in("beatriz@contoso.demo").await;
    let response = beatriz.submit("/account", &format!("/account/passkeys/{phone_id}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(passkeys_of(&app, "ana@contoso.demo").await.len(), 2);

    // Another session of Ana's is signed out by a removal.
    let other = app.new_browser();
    other.sign_in("ana@contoso.demo").await;
    let response = app.submit("/account", &format!("/account/passkeys/{phone_id}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account#passkeys");
    assert_eq!(other.get("/account").await.status(), StatusCode::SEE_OTHER, "the other session ended");
    assert_eq!(events_of(&app, "passkey_removed").await.len(), 1);
    let listed = passkeys_part(&app.page("/account").await.1);
    assert!(listed.contains(">Laptop<") && !listed.contains(">Phone<"), "{listed}");

    // Ana removes her password: the passkey is a way in. Then it is her last one.
    let response = app.submit("/account", "/account/login-options/local/disconnect", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a passkey is a way in");
    assert!(user(&app, "ana@contoso.demo").await.password_hash.is_none());
    let response = app.submit("/account", &format!("/account/passkeys/{laptop_id}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("only way to sign in"));
    assert_eq!(passkeys_of(&app, "ana@contoso.demo").await.len(), 1);
}

#[tokio::test]
async fn without_a_recent_sign_in_adding_or_removing_asks_who_you_are_first() {
    let app = app_with(|s| s.auth.recent_sign_in_minutes = Some(0)).await;
    app.sign_in("ana@contoso.demo").await;
    let token = app.csrf("/account").await;
    let refused = post_json(&app, "/account/passkeys/options", &token, &json!({ "name": "Phone" })).await;
    let refused = json_of(refused, StatusCode::FORBIDDEN).await;
    assert_eq!(refused["confirm"], true, "the script sends the form to confirm");
    let response = app.submit("/account", "/account/passkeys/confirm", &[("name", "Phone")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/reauth?then=passkeys");
    let response = app
        .submit(
            "/account/reauth?then=passkeys",
            "/account/reauth",
            &[("password", "demo-password"), ("then", "passkeys")],
        )
        .await;
    assert_eq!(location(&response), "/account#passkeys");
}

/// An active, visible provider (never called: nobody signs in with it here).
async fn add_provider(app: &TestApp) {
    let provider = stratus::identity::providers::ProviderFields {
        name: "Contoso SSO".into(),
        kind: "oidc".into(),
        issuer: "https://login.contoso.example".into(),
        client_id: "stratus".into(),
        client_secret: "secret".into(),
        active: true,
        visible: true,
        ..Default::default()
    };
    let checked = stratus::identity::providers::check(&provider, true).expect("valid provider");
    stratus::identity::providers::save(&app.db, &app.secrets, None, checked).await.unwrap();
}

#[tokio::test]
async fn a_user_with_a_passkey_is_not_on_allow_local_logins_list() {
    let app = app().await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    add_provider(&app).await;
    let (_, page) = admin.page("/admin/authentication").await;
    assert!(page.contains("7 user(s) have neither"), "{page}");
    assert!(page.contains("(ana@contoso.demo)"));

    app.sign_in("ana@contoso.demo").await;
    added(&app, &mut Device::new(origin(&app)), "Phone").await;
    let (_, page) = admin.page("/admin/authentication").await;
    assert!(page.contains("6 user(s) have neither a link to an active external provider nor a passkey"), "{page}");
    assert!(!page.contains("(ana@contoso.demo)"));

    // The administrator's reset takes them all (and only hers).
    let ana = user(&app, "ana@contoso.demo").await;
    assert_eq!(stratus::identity::passkeys::remove_all(&app.db, ana.id).await.unwrap(), 1);
    let (_, page) = admin.page("/admin/authentication").await;
    assert!(page.contains("(ana@contoso.demo)"));
}

#[tokio::test]
async fn without_javascript_the_pages_say_passkeys_need_it_and_the_rest_works() {
    let app = app().await;
    let (_, login) = app.page("/login").await;
    assert!(login.contains("Signing in with a passkey needs JavaScript."));
    assert!(
        login.contains("<button type=\"button\" hidden class=\"secondary passkey-start\">"),
        "hidden until the script shows it"
    );
    assert!(login.contains("<script src=\"/static/passkeys.js\" defer"), "a static script, no inline one");
    assert!(login.contains("name=\"password\""), "the password form is there as before");
    app.sign_in("ana@contoso.demo").await;
    let (_, account) = app.page("/account").await;
    assert!(account.contains("Passkeys need JavaScript"));
    assert!(account.contains("id=\"passkey-add\"") && account.contains(" hidden"));
    let script = app.get("/static/passkeys.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(script.text().await.unwrap().contains("navigator.credentials.create"));
}

#[tokio::test]
async fn bad_requests_get_a_clear_json_answer() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let token = app.csrf("/account").await;
    let not_json = app
        .client
        .post(app.url("/account/passkeys"))
        .header("x-csrf-token", &token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let answer = json_of(not_json, StatusCode::BAD_REQUEST).await;
    assert!(answer["error"].as_str().unwrap().contains("not what a passkey answer looks like"));
    let nameless = post_json(&app, "/account/passkeys/options", &token, &json!({ "name": "  " })).await;
    assert!(json_of(nameless, StatusCode::BAD_REQUEST).await["error"]
        .as_str()
        .unwrap()
        .contains("Give the passkey a name"));
    let nothing_started = post_json(
        &app,
        "/auth/passkey",
        &token,
        &json!({ "id": "x", "rawId": "eA", "type": "public-key",
        "response": { "authenticatorData": "", "clientDataJSON": "", "signature": "", "userHandle": null } }),
    )
    .await;
    json_of(nothing_started, StatusCode::BAD_REQUEST).await;
    let forged = app.client.post(app.url("/auth/passkey/options")).json(&json!({})).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "the CSRF token is needed as for any form");
}

#[tokio::test]
async fn on_an_ip_address_passkeys_are_not_offered() {
    let app = TestApp::start().await;
    let (_, login) = app.page("/login").await;
    assert!(!login.contains("Sign in with a passkey"));
    app.sign_in("ana@contoso.demo").await;
    let (_, account) = app.page("/account").await;
    assert!(!account.contains("id=\"passkeys\""), "nothing to add or list");
    let token = app.csrf("/account").await;
    let refused = post_json(&app, "/account/passkeys/options", &token, &json!({ "name": "Phone" })).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_user_whose_way_in_is_a_passkey_confirms_it_is_them_with_it() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let mut phone = Device::new(origin(&app));
    added(&app, &mut phone, "Phone").await;
    let response = app.submit("/account", "/account/login-options/local/disconnect", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let (_, page) = app.page("/account/reauth?then=passkeys").await;
    assert!(page.contains("Confirm with a passkey") && !page.contains("name=\"password\""), "{page}");
    let token = button_token(&page);
    let options = post_json(&app, "/auth/passkey/options", &token, &json!({ "then": "passkeys" })).await;
    let assertion = phone.get(json_of(options, StatusCode::OK).await);
    let answer = json_of(post_json(&app, "/auth/passkey", &token, &assertion).await, StatusCode::OK).await;
    assert_eq!(answer["redirect"], "/account#passkeys");
    let confirmed = events_of(&app, "reauthenticated").await;
    assert!(confirmed.iter().any(|e| e.detail.as_deref() == Some("passkey")), "{confirmed:?}");

    // Somebody else's passkey does not confirm Beatriz, nor sign her in as Ana.
    let beatriz = app.new_browser();
    beatriz.sign_in("beatriz@contoso.demo").await;
    let token = beatriz.csrf("/account").await;
    let options = post_json(&beatriz, "/auth/passkey/options", &token, &json!({ "then": "passkeys" })).await;
    let assertion = phone.get(json_of(options, StatusCode::OK).await);
    json_of(post_json(&beatriz, "/auth/passkey", &token, &assertion).await, StatusCode::CONFLICT).await;
    let (_, account) = beatriz.page("/account").await;
    assert!(account.contains("beatriz@contoso.demo") && !account.contains("ana@contoso.demo"));
}

#[tokio::test]
async fn with_password_sign_in_off_a_passkey_still_signs_in_and_is_offered() {
    let app = app().await;
    add_provider(&app).await;
    app.sign_in("ana@contoso.demo").await;
    let mut phone = Device::new(origin(&app));
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let off = [("allow_local_login", "off"), ("confirm", "yes")];
    let response = admin.submit("/admin/authentication", "/admin/authentication", &off).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // One provider left and no passkey anywhere: the sign-in page goes straight to it.
    let response = app.new_browser().get("/login").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/auth/oidc/"), "{}", location(&response));

    added(&app, &mut phone, "Phone").await;
    let visitor = app.new_browser();
    let (status, login) = visitor.page("/login").await;
    assert_eq!(status, StatusCode::OK, "somebody could sign in with a passkey instead");
    assert!(login.contains("Sign in with a passkey") && !login.contains("name=\"password\""));
    let answer = json_of(passkey_sign_in(&visitor, &mut phone).await, StatusCode::OK).await;
    assert_eq!(answer["redirect"], "/cart");
    assert_eq!(visitor.get("/account").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_user_locked_out_by_wrong_passwords_still_signs_in_with_a_passkey() {
    let app = app().await;
    app.sign_in("ana@contoso.demo").await;
    let mut phone = Device::new(origin(&app));
    added(&app, &mut phone, "Phone").await;
    let guesser = app.new_browser();
    for _ in 0..5 {
        guesser.sign_in_with("ana@contoso.demo", "wrong password").await;
    }
    assert!(user(&app, "ana@contoso.demo").await.locked_until.is_some(), "locked by the guesses");

    // As with a connected provider: the lock stops password guesses, not the owner's device.
    let owner = app.new_browser();
    json_of(passkey_sign_in(&owner, &mut phone).await, StatusCode::OK).await;
    assert_eq!(owner.get("/account").await.status(), StatusCode::OK);
}
