//! The demo OpenID provider of `serve --demo`: Stratus signs in and links through it over
//! HTTP with its production flow, the demo data shows Login Options and the Allow Local
//! Login page with something in them, the demo API client works as the README says, and
//! none of it exists without `--demo`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use stratus::entities::{identity_providers, user_identities, users};
use stratus::identity::demo_provider::{CONTOSO_TENANT, ENTRA, GOOGLE};

use crate::support::{location, Browser, TestApp};

async fn demo_app() -> TestApp {
    TestApp::start_with(|settings| settings.demo_identity = true).await
}

/// The demo provider is another site: no Stratus cookies, no redirects followed.
fn plain() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A JSON document fetched with no cookies.
async fn json_at(url: &str) -> Value {
    plain().get(url).send().await.unwrap().json().await.unwrap()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The hidden fields of the first form on a demo provider page.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let form = page.split("</form>").next().unwrap_or_default();
    form.match_indices("<input type=\"hidden\" name=\"")
        .map(|(at, marker)| {
            let rest = &form[at + marker.len()..];
            let name = rest.split('"').next().unwrap_or_default().to_string();
            let value = rest.split("value=\"").nth(1).unwrap_or_default().split('"').next().unwrap_or_default();
            (name, unescape(value))
        })
        .collect()
}

/// The value of the button that signs in as this person.
fn pick_for(page: &str, person: &str) -> String {
    let label = format!(">Sign in as {}", person.replace('<', "&lt;").replace('>', "&gt;"));
    let at = page.find(&label).unwrap_or_else(|| panic!("{person} is not offered on:\n{page}"));
    let value_at = page[..at].rfind("value=\"").expect("a value") + 7;
    page[value_at..].split('"').next().unwrap_or_default().to_string()
}

/// Follows Stratus's redirect to the demo provider, picks `person` ("Name <e-mail>") on
/// its page, and returns where the provider sends the browser back (a callback path).
async fn pick_at_provider(app: &TestApp, to_provider: reqwest::Response, person: &str) -> String {
    assert_eq!(to_provider.status(), StatusCode::SEE_OTHER, "expected a redirect to the provider");
    let authorize = location(&to_provider);
    assert!(authorize.starts_with(&app.url("/demo-idp/authorize?")), "{authorize}");
    let page = plain().get(&authorize).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Demo identity provider"), "clearly labelled");
    let mut fields = hidden_fields(&page);
    fields.push(("pick".into(), pick_for(&page, person)));
    let back = plain().post(app.url("/demo-idp/authorize")).form(&fields).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let callback = location(&back);
    let path_start = callback.find("/auth/oidc/").expect("back at Stratus's callback");
    callback[path_start..].to_string()
}

async fn provider(app: &TestApp, name: &str) -> identity_providers::Model {
    stratus::identity::providers::find_by_name(&app.db, name).await.unwrap().expect("a demo provider")
}

async fn sign_in_at(app: &TestApp, browser: &Browser, name: &str, person: &str) -> reqwest::Response {
    let provider = provider(app, name).await;
    let to_provider = browser.get(&format!("/auth/oidc/{}/login", provider.id)).await;
    let callback = pick_at_provider(app, to_provider, person).await;
    browser.get(&callback).await
}

const ANA: &str = "Ana Pérez <ana@contoso.demo>";

#[tokio::test]
async fn ana_connects_google_at_the_demo_provider_and_signs_in_with_it_and_with_entra() {
    let app = demo_app().await;
    app.sign_in("ana@contoso.demo").await;

    // The demo has two active providers: Ana's Entra ID is connected, Google is not.
    let (_, account) = app.page("/account").await;
    assert!(account.contains("Login Options"));
    assert!(account.contains("aria-label=\"Disconnect Contoso Entra ID (demo)\""), "Entra ID connected");
    assert!(account.contains("aria-label=\"Connect Google (demo)\""), "Google not connected");

    // Connect Google (demo): over HTTP, through the demo provider's page.
    let google = provider(&app, GOOGLE.provider_name).await;
    let to_provider = app.submit("/account", &format!("/account/login-options/{}/connect", google.id), &[]).await;
    let callback = pick_at_provider(&app, to_provider, ANA).await;
    let connected = app.get(&callback).await;
    assert_eq!(location(&connected), "/account#login-options");
    let (_, account) = app.page("/account").await;
    assert!(account.contains("Google (demo) is connected."));
    assert!(account.contains("aria-label=\"Disconnect Google (demo)\""));
    let ana = users::Entity::find().filter(users::Column::Email.eq("ana@contoso.demo")).one(&app.db).await.unwrap();
    let link = user_identities::Entity::find()
        .filter(user_identities::Column::ProviderId.eq(google.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the Google link");
    assert_eq!(link.user_id, ana.unwrap().id);
    assert_eq!(link.issuer, app.url("/demo-idp/google"));
    assert!(link.subject.len() == 21 && link.subject.bytes().all(|b| b.is_ascii_digit()), "a Google-like sub");

    // Signed out, Ana signs in with Google (demo) alone…
    let later = app.new_browser();
    let (_, login) = later.page("/login").await;
    assert!(login.contains("Sign in with Google (demo)"));
    assert!(login.contains("Sign in with Contoso Entra ID (demo)"));
    let signed_in = sign_in_at(&app, &later, GOOGLE.provider_name, ANA).await;
    assert_eq!(location(&signed_in), "/account");
    let (_, account) = later.page("/account").await;
    assert!(account.contains("ana@contoso.demo"));

    // …and with the Entra ID identity the demo data linked (tenant + object id).
    let other = app.new_browser();
    let signed_in = sign_in_at(&app, &other, ENTRA.provider_name, ANA).await;
    assert_eq!(location(&signed_in), "/account");
    let (_, account) = other.page("/account").await;
    assert!(account.contains("ana@contoso.demo"));
}

#[tokio::test]
async fn fabio_has_nothing_linked_foreign_tenants_and_unknown_identities_are_refused() {
    let app = demo_app().await;
    app.sign_in("fabio@fabrikam.demo").await;
    let (_, account) = app.page("/account").await;
    assert!(account.contains("aria-label=\"Connect Contoso Entra ID (demo)\""));
    assert!(account.contains("aria-label=\"Connect Google (demo)\""));

    // Fabio's Entra ID tenant is not on the provider's allow-list.
    let visitor = app.new_browser();
    let refused = sign_in_at(&app, &visitor, ENTRA.provider_name, "Fabio Morales <fabio@fabrikam.demo>").await;
    let status = refused.status();
    let body = refused.text().await.unwrap();
    assert!(status.is_client_error(), "{status}");
    assert!(body.contains("tenant is not allowed"), "{body}");

    // Carlos is in Contoso's tenant but linked to nobody: the page says how to connect.
    let refused = sign_in_at(&app, &visitor, ENTRA.provider_name, "Carlos Soto <carlos@contoso.demo>").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("not connected to any account here"));
    let (status, _) = visitor.page("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "nobody was signed in");
}

#[tokio::test]
async fn the_admin_sees_who_would_be_locked_out_and_the_demo_api_client_works_as_the_readme_says() {
    let app = demo_app().await;
    app.sign_in("admin@stratus.demo").await;
    let (_, page) = app.page("/admin/authentication").await;
    assert!(page.contains("6 user(s) have neither a link to an active external provider nor a passkey"), "{page}");
    assert!(page.contains("fabio@fabrikam.demo"));
    let listed = page.split("users-without-link-list").nth(1).unwrap_or_default();
    assert!(!listed.contains("ana@contoso.demo"), "Ana has Entra ID");

    // The client secrets are sealed at rest, as an admin's would be.
    for client in [ENTRA, GOOGLE] {
        let stored = provider(&app, client.provider_name).await;
        let sealed = stored.client_secret_enc.clone().expect("a secret");
        assert!(!sealed.contains(client.client_secret));
        assert_eq!(app.secrets.open(&sealed).unwrap(), client.client_secret);
    }

    // The README: a token with the printed id and secret, then the quantity changes.
    let token = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(stratus::demo::DEMO_API_CLIENT_ID, Some(stratus::demo::DEMO_API_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);
    let token: Value = token.json().await.unwrap();
    let token = token["access_token"].as_str().expect("a token").to_string();
    let answer: Value = app
        .client
        .get(app.url("/api/futureactions"))
        .bearer_auth(&token)
        .query(&[
            ("$filter", "actionType eq 'ChangeQtyOnNext' and scheduledDate lt datetime'2028-01-01'"),
            ("$orderby", "scheduledDate desc"),
            ("$top", "20"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["total"], 1, "{answer}");
    assert_eq!(answer["data"][0]["accountName"], "Contoso Chile");
    let one = app.client.get(app.url("/api/futureactions/1")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(one.status(), StatusCode::OK);
}

/// An authorization request for the Google client, as Stratus would make it.
fn google_request(redirect_uri: &str, verifier: &str) -> Vec<(&'static str, String)> {
    let challenge = openidconnect::PkceCodeChallenge::from_code_verifier_sha256(&openidconnect::PkceCodeVerifier::new(
        verifier.to_string(),
    ));
    vec![
        ("response_type", "code".into()),
        ("client_id", GOOGLE.client_id.into()),
        ("redirect_uri", redirect_uri.into()),
        ("scope", "openid email profile".into()),
        ("state", "st-1".into()),
        ("nonce", "nonce-1".into()),
        ("code_challenge", challenge.as_str().into()),
        ("code_challenge_method", "S256".into()),
    ]
}

async fn code_for(app: &TestApp, request: &[(&str, String)], pick: &str) -> reqwest::Response {
    let mut fields = request.to_vec();
    fields.push(("pick", pick.into()));
    plain().post(app.url("/demo-idp/authorize")).form(&fields).send().await.unwrap()
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

async fn redeem(app: &TestApp, secret: &str, code: &str, redirect_uri: &str, verifier: &str) -> reqwest::Response {
    plain()
        .post(app.url("/demo-idp/token"))
        .basic_auth(GOOGLE.client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_provider_checks_clients_redirects_pkce_and_codes_and_escapes_what_it_echoes() {
    let app = demo_app().await;
    let google = provider(&app, GOOGLE.provider_name).await;
    let redirect_uri = app.url(&format!("/auth/oidc/{}/callback", google.id));
    let verifier = "v".repeat(50);
    let request = google_request(&redirect_uri, &verifier);

    // Discovery names the issuer and the endpoints; the keys are RSA signing keys.
    let document: Value = json_at(&app.url("/demo-idp/google/.well-known/openid-configuration")).await;
    assert_eq!(document["issuer"], app.url("/demo-idp/google"));
    let keys: Value = json_at(&app.url("/demo-idp/jwks")).await;
    assert_eq!(keys["keys"][0]["kty"], "RSA");

    // What it echoes comes back as text, never markup.
    let mut hostile = request.clone();
    hostile[4].1 = "\"><script>alert(1)</script>".into();
    let page = plain().get(app.url("/demo-idp/authorize")).query(&hostile).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(!page.contains("<script>"));
    assert!(page.contains("&quot;&gt;&lt;script&gt;"));

    // A client or redirect URI it does not know is refused on its own page, not redirected.
    let mut unknown = request.clone();
    unknown[1].1 = "somebody-else".into();
    let answer = plain().get(app.url("/demo-idp/authorize")).query(&unknown).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let mut elsewhere = request.clone();
    elsewhere[2].1 = "https://evil.example/callback".into();
    let answer = plain().get(app.url("/demo-idp/authorize")).query(&elsewhere).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(answer.headers().get("location").is_none());
    // Without PKCE S256 the client hears why.
    let mut plain_pkce = request.clone();
    plain_pkce[7].1 = "plain".into();
    let answer = plain().get(app.url("/demo-idp/authorize")).query(&plain_pkce).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(query_value(&location(&answer), "error").as_deref(), Some("invalid_request"));
    // A parameter given twice, a choice that is not offered, an e-mail that is not one.
    let twice = plain().get(app.url("/demo-idp/authorize?client_id=a&client_id=b")).send().await.unwrap();
    assert_eq!(twice.status(), StatusCode::BAD_REQUEST);
    assert_eq!(code_for(&app, &request, "99").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut typed = request.clone();
    typed.push(("email", "not an e-mail".into()));
    assert_eq!(code_for(&app, &typed, "typed").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let garbage = plain().post(app.url("/demo-idp/token")).body("%%%").send().await.unwrap();
    assert!(garbage.status().is_client_error());

    // A typed identity gets a code; the token endpoint wants the client's secret, the same
    // redirect URI and the PKCE verifier, and redeems a code once.
    let mut typed = request.clone();
    typed.push(("email", "maria@contoso.demo".into()));
    typed.push(("name", "María <b>".into()));
    let answer = code_for(&app, &typed, "typed").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let back = location(&answer);
    assert!(back.starts_with(&redirect_uri));
    assert_eq!(query_value(&back, "state").as_deref(), Some("st-1"));
    assert_eq!(query_value(&back, "iss").as_deref(), Some(app.url("/demo-idp/google").as_str()));
    let code = query_value(&back, "code").expect("a code");
    let wrong_secret = redeem(&app, "guess", &code, &redirect_uri, &verifier).await;
    assert_eq!(wrong_secret.status(), StatusCode::UNAUTHORIZED);
    let tokens = redeem(&app, GOOGLE.client_secret, &code, &redirect_uri, &verifier).await;
    assert_eq!(tokens.status(), StatusCode::OK);
    let tokens: Value = tokens.json().await.unwrap();
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(id_token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(id_token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims["iss"], app.url("/demo-idp/google"));
    assert_eq!(claims["aud"], serde_json::json!([GOOGLE.client_id]));
    assert_eq!(claims["nonce"], "nonce-1");
    assert_eq!(claims["email"], "maria@contoso.demo");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["hd"], "contoso.demo");
    assert!(claims["auth_time"].as_i64().is_some());
    let replayed = redeem(&app, GOOGLE.client_secret, &code, &redirect_uri, &verifier).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(replayed.json::<Value>().await.unwrap()["error"], "invalid_grant");

    // The wrong verifier, or another redirect URI, spends the code for nothing.
    for (uri, verifier_used) in [(redirect_uri.as_str(), "w".repeat(50)), ("http://127.0.0.1:1/x", verifier.clone())] {
        let answer = code_for(&app, &request, "0").await;
        let code = query_value(&location(&answer), "code").expect("a code");
        let refused = redeem(&app, GOOGLE.client_secret, &code, uri, &verifier_used).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let again = redeem(&app, GOOGLE.client_secret, &code, &redirect_uri, &verifier).await;
        assert_eq!(again.status(), StatusCode::BAD_REQUEST, "single use");
    }

    // Entra ID's multi-tenant discovery names the {tenantid} issuer; a tenant's its own.
    let entra: Value = json_at(&app.url("/demo-idp/entra/organizations/v2.0/.well-known/openid-configuration")).await;
    assert_eq!(entra["issuer"], app.url("/demo-idp/entra/{tenantid}/v2.0"));
    let tenant: Value =
        json_at(&app.url(&format!("/demo-idp/entra/{CONTOSO_TENANT}/v2.0/.well-known/openid-configuration"))).await;
    assert_eq!(tenant["issuer"], app.url(&format!("/demo-idp/entra/{CONTOSO_TENANT}/v2.0")));
    let nonsense =
        plain().get(app.url("/demo-idp/entra/evil/v2.0/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(nonsense.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_demo_there_is_no_demo_provider() {
    for app in [TestApp::start_with(|s| s.demo = false).await, TestApp::start().await] {
        for path in [
            "/demo-idp/google/.well-known/openid-configuration",
            "/demo-idp/entra/organizations/v2.0/.well-known/openid-configuration",
            "/demo-idp/jwks",
            "/demo-idp/authorize",
        ] {
            let (status, _) = app.page(path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        let token = plain().post(app.url("/demo-idp/token")).form(&[("grant_type", "x")]).send().await.unwrap();
        assert!(matches!(token.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{}", token.status());
        let none = identity_providers::Entity::find().all(&app.db).await.unwrap();
        assert!(none.is_empty(), "no demo identity providers");
    }
}

fn demo_app_mailing_to(sink: &crate::smtp_sink::SmtpSink) -> impl std::future::Future<Output = TestApp> {
    let url = sink.url();
    TestApp::start_with(move |settings| {
        settings.demo_identity = true;
        crate::mail::send_to(settings, url);
    })
}

#[tokio::test]
async fn the_transition_campaign_invites_once_per_provider_and_counts_who_connected_since() {
    let sink = crate::smtp_sink::SmtpSink::start().await;
    let app = demo_app_mailing_to(&sink).await;
    let google = provider(&app, GOOGLE.provider_name).await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let (_, page) = admin.page("/admin/authentication").await;
    assert!(page.contains("Google (demo): 0 invited, 0 connected since, 6 still without a link"), "{page}");
    let invite = format!("/invitations/{}", google.id);
    assert!(
        page.contains(&format!("action=\"{invite}\"")) && page.contains("Invite 6 user(s) to connect Google (demo)")
    );
    let sent = admin.submit("/admin/authentication", &invite, &[]).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    // Fabio chose no language: his brand's (Stratus Cloud's) Spanish.
    let invitation = sink.wait_for("fabio@fabrikam.demo", "Inicie sesión con Google (demo)").await;
    assert!(
        invitation.text().contains("Conéctela una vez desde Opciones de inicio de sesión"),
        "{}",
        invitation.text()
    );
    assert!(sink.to("ana@contoso.demo").is_empty(), "Ana already has a way in through Entra ID");
    let (_, page) = admin.page("/admin/authentication").await;
    assert!(page.contains("Google (demo): 6 invited, 0 connected since, 6 still without a link"), "{page}");
    assert!(!page.contains("to connect Google (demo)<"), "nobody left to invite for Google");
    // Once per provider: pressing again sends nothing.
    let again = admin.submit("/admin/authentication", &invite, &[]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let google_invitations =
        |to: &str| sink.to(to).iter().filter(|m| m.subject().starts_with("Inicie sesión con Google (demo)")).count();
    assert_eq!(google_invitations("fabio@fabrikam.demo"), 1);

    // Fabio sees the notice on My Account, connects Google, and is told so.
    let fabio = app.new_browser();
    fabio.sign_in("fabio@fabrikam.demo").await;
    let (_, account) = fabio.page("/account").await;
    assert!(account.contains("You can now sign in with Google (demo)"), "{account}");
    let to_provider = fabio.submit("/account", &format!("/account/login-options/{}/connect", google.id), &[]).await;
    let callback = pick_at_provider(&app, to_provider, "Fabio Morales <fabio@fabrikam.demo>").await;
    let connected = fabio.get(&callback).await;
    assert_eq!(location(&connected), "/account#login-options");
    sink.wait_for("fabio@fabrikam.demo", "Se conectó Google (demo) a su cuenta").await;
    let (_, account) = fabio.page("/account").await;
    assert!(!account.contains("connect-notice"), "the notice goes once connected: {account}");
    let (_, page) = admin.page("/admin/authentication").await;
    assert!(page.contains("Google (demo): 6 invited, 1 connected since, 5 still without a link"), "{page}");

    // Tina dismisses the notice.
    let tina = app.new_browser();
    tina.sign_in("tina@tailspin.demo").await;
    let (_, account) = tina.page("/account").await;
    assert!(account.contains("You can now sign in with Google (demo)"));
    let dismiss = format!("/account/connect-notice/{}/dismiss", google.id);
    let dismissed = tina.submit("/account", &dismiss, &[]).await;
    assert_eq!(dismissed.status(), StatusCode::SEE_OTHER);
    let (_, account) = tina.page("/account").await;
    assert!(!account.contains("connect-notice"));
    let (status, _) = ana_dismisses(&app, &dismiss).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Ana was never invited: no such notice");

    // A reseller admin runs the campaign for its own customers only.
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let (_, customers) = andes.page("/reseller").await;
    // Ana has a way in; Beatriz, her colleague, was invited by the provider's run above.
    assert!(customers.contains("Google (demo): 1 invited, 0 connected since, 1 still without a link"), "{customers}");
    assert!(!customers.contains("to connect Google (demo)<"), "nobody left to invite for Google: {customers}");
    assert!(customers.contains("Invite 1 user(s) to connect Contoso Entra ID (demo)"), "Beatriz, for Entra ID");
    let (status, _) = app.new_browser().page("/admin/authentication").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_registration_without_a_verified_email_is_confirmed_by_a_mailed_link() {
    use sea_orm::{ActiveModelTrait, Set};
    let sink = crate::smtp_sink::SmtpSink::start().await;
    let app = demo_app_mailing_to(&sink).await;
    let entra = provider(&app, ENTRA.provider_name).await;
    let mut open: identity_providers::ActiveModel = entra.into();
    open.allow_automatic_registration = Set(true);
    open.trust_unverified_email = Set(true);
    open.update(&app.db).await.unwrap();
    // Entra ID sends no `email_verified`: Carlos is registered, his address unconfirmed.
    let visitor = app.new_browser();
    let registered = sign_in_at(&app, &visitor, ENTRA.provider_name, "Carlos Soto <carlos@contoso.demo>").await;
    assert_eq!(registered.status(), StatusCode::SEE_OTHER, "{:?}", registered.text().await);
    let carlos = || async {
        users::Entity::find()
            .filter(users::Column::Email.eq("carlos@contoso.demo"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(carlos().await.email_verified_at.is_none());
    assert_eq!(carlos().await.role, stratus::entities::enums::UserRole::CustomerAdmin, "the new account's admin");
    let mail = sink.wait_for("carlos@contoso.demo", "Confirme su dirección de correo electrónico").await;
    let link = mail.link_path("/verify-email/");
    let (status, page) = app.new_browser().page(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("carlos@contoso.demo is confirmed"));
    assert!(carlos().await.email_verified_at.is_some());
    let (status, _) = app.new_browser().page(&link).await;
    assert_eq!(status, StatusCode::GONE, "the link works once");
}

/// Ana has a way in through Entra ID, so she was not invited: no notice to dismiss.
async fn ana_dismisses(app: &TestApp, dismiss: &str) -> (StatusCode, String) {
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let response = ana.submit("/account", dismiss, &[]).await;
    (response.status(), response.text().await.unwrap())
}
