//! Identity providers in the admin area, the TOML file, and "Allow Local Login".

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use stratus::entities::identity_providers;
use stratus::identity::providers::ProviderFields;

use crate::support::{command_line, location, TestApp, DEMO_PASSWORD};
use crate::test_op::TestOp;

const SECRET: &str = "s3cret-value-WXYZ";

async fn add_provider(app: &TestApp, name: &str, issuer: &str, active: bool) -> reqwest::Response {
    let mut fields = vec![
        ("name", name),
        ("kind", "oidc"),
        ("issuer", issuer),
        ("client_id", "stratus-client"),
        ("client_secret", SECRET),
        ("visible", "on"),
    ];
    if active {
        fields.push(("active", "on"));
    }
    app.submit("/admin/identity-providers/new", "/admin/identity-providers", &fields).await
}

async fn only_provider(app: &TestApp) -> identity_providers::Model {
    let mut all = identity_providers::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[tokio::test]
async fn an_admin_adds_a_provider_whose_secret_is_sealed_and_shown_masked() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let response = add_provider(&app, "Contoso SSO", &op.issuer, false).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let provider = only_provider(&app).await;
    assert!(!provider.active);
    let stored = provider.client_secret_enc.clone().unwrap();
    assert!(!stored.contains(SECRET), "the secret is encrypted at rest");

    let (_, list) = app.page("/admin/identity-providers").await;
    assert!(list.contains("Contoso SSO"));
    assert!(list.contains(&format!("/auth/oidc/{}/callback", provider.id)), "the callback URL to register");
    let (_, edit) = app.page(&format!("/admin/identity-providers/{}", provider.id)).await;
    assert!(!edit.contains(SECRET));
    assert!(edit.contains("••••••••WXYZ"));

    // Editing without retyping the secret keeps it.
    let action = format!("/admin/identity-providers/{}", provider.id);
    let response = app
        .submit(
            &action,
            &action,
            &[
                ("name", "Contoso SSO"),
                ("kind", "oidc"),
                ("issuer", &op.issuer),
                ("client_id", "new-client"),
                ("visible", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let provider = only_provider(&app).await;
    assert_eq!(provider.client_id, "new-client");
    assert_eq!(provider.client_secret_enc.unwrap(), stored);
}

#[tokio::test]
async fn activation_checks_discovery_and_keys_and_says_what_failed() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    app.sign_in("admin@stratus.demo").await;
    add_provider(&app, "Contoso SSO", &op.issuer, false).await;
    let id = only_provider(&app).await.id;
    let activate = format!("/admin/identity-providers/{id}/activate");

    op.behaviour.lock().unwrap().wrong_issuer_in_discovery = true;
    let response = app.submit("/admin/identity-providers", &activate, &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("names the issuer https://evil.example"));

    op.behaviour.lock().unwrap().wrong_issuer_in_discovery = false;
    op.behaviour.lock().unwrap().no_keys = true;
    let response = app.submit("/admin/identity-providers", &activate, &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("lists no keys"));
    assert!(!only_provider(&app).await.active);

    op.behaviour.lock().unwrap().no_keys = false;
    let response = app.submit("/admin/identity-providers", &activate, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(only_provider(&app).await.active);

    // An unreachable issuer is refused when added as active.
    let response = add_provider(&app, "Gone", "http://127.0.0.1:9", true).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("could not be reached"));
}

#[tokio::test]
async fn bad_provider_settings_are_refused_with_messages() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let response = app
        .submit(
            "/admin/identity-providers/new",
            "/admin/identity-providers",
            &[
                ("name", ""),
                ("kind", "saml"),
                ("issuer", "http://idp.example.com"),
                ("client_id", ""),
                ("logo", "javascript:x"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    for message in
        ["Give the provider a name", "azure_ad, google or oidc", "must use https", "client id", "client secret", "logo"]
    {
        assert!(body.contains(message), "{message}");
    }
    assert!(identity_providers::Entity::find().all(&app.db).await.unwrap().is_empty());
}

#[tokio::test]
async fn turning_local_login_off_needs_an_active_provider_shows_who_is_affected_and_is_enforced() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    app.sign_in("admin@stratus.demo").await;

    let (_, page) = app.page("/admin/authentication").await;
    assert!(page.contains("Activate one first"));
    let response = app
        .submit("/admin/authentication", "/admin/authentication", &[("allow_local_login", "off"), ("confirm", "yes")])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    add_provider(&app, "Contoso SSO", &op.issuer, true).await;
    let (_, page) = app.page("/admin/authentication").await;
    assert!(page.contains("7 user(s) have neither a link to an active external provider nor a passkey"));
    assert!(page.contains("ana@contoso.demo"));

    let response = app.submit("/admin/authentication", "/admin/authentication", &[("allow_local_login", "off")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "needs the confirmation");
    let response = app
        .submit("/admin/authentication", "/admin/authentication", &[("allow_local_login", "off"), ("confirm", "yes")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The password form is gone and a password POST is refused server-side.
    let visitor = app.new_browser();
    let (_, login) = visitor.page("/login").await;
    assert!(!login.contains("name=\"password\""));
    let response = visitor.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = visitor.page("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The admin's own session stays valid; the last active provider cannot be deactivated now.
    let id = identity_providers::Entity::find().one(&app.db).await.unwrap().unwrap().id;
    let response =
        app.submit("/admin/identity-providers", &format!("/admin/identity-providers/{id}/deactivate"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    let response = app.submit("/admin/authentication", "/admin/authentication", &[("allow_local_login", "on")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(visitor.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_break_glass_command_turns_local_login_back_on() {
    let app = TestApp::start().await;
    stratus::identity::settings::set_allow_local_login(&app.db, &command_line(), false).await.unwrap();
    assert_eq!(app.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await.status(), StatusCode::FORBIDDEN);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["auth", "--database-url", &app.database_url, "allow-local-login", "on"])
        .output()
        .expect("run stratus");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Allow Local Login is now on."));
    let response = app.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account");
}

#[tokio::test]
async fn providers_declared_in_the_configuration_are_applied_by_name() {
    let op = TestOp::start().await;
    let declared = ProviderFields {
        name: "Declared SSO".into(),
        kind: "oidc".into(),
        issuer: op.issuer.clone(),
        client_id: "from-file".into(),
        client_secret: "file-secret".into(),
        active: true,
        visible: true,
        ..Default::default()
    };
    let app = TestApp::start_with(|settings| settings.identity_providers = vec![declared.clone()]).await;
    let provider = only_provider(&app).await;
    assert_eq!(
        (provider.name.as_str(), provider.client_id.as_str(), provider.active),
        ("Declared SSO", "from-file", true)
    );
    assert!(!provider.client_secret_enc.unwrap().contains("file-secret"));

    // Applying again (a restart with a changed file) updates the same row.
    let changed = ProviderFields { client_id: "changed".into(), ..declared };
    let http = stratus::identity::discovery::http_client();
    stratus::identity::providers::apply_declared(
        &app.db,
        &http,
        &stratus::secrets::SecretBox::from_key(&[0; 32]),
        &changed,
    )
    .await
    .unwrap();
    assert_eq!(only_provider(&app).await.client_id, "changed");

    // A declared provider whose discovery cannot be fetched at a restart: one already
    // active stays active (it was checked when activated), a new one is saved inactive,
    // and the server starts either way.
    op.set(|b| b.wrong_issuer_in_discovery = true);
    let secrets = stratus::secrets::SecretBox::from_key(&[0; 32]);
    let unreachable = ProviderFields { client_id: "again".into(), ..changed };
    stratus::identity::providers::apply_declared(&app.db, &http, &secrets, &unreachable).await.unwrap();
    let provider = only_provider(&app).await;
    assert_eq!((provider.client_id.as_str(), provider.active), ("again", true));
    let new_one = ProviderFields { name: "Another SSO".into(), ..unreachable };
    stratus::identity::providers::apply_declared(&app.db, &http, &secrets, &new_one).await.unwrap();
    let another = identity_providers::Entity::find()
        .filter(identity_providers::Column::Name.eq("Another SSO"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!another.active, "never activated without its check");
}

#[tokio::test]
async fn only_provider_admins_reach_these_pages() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    for path in ["/admin/identity-providers", "/admin/identity-providers/new", "/admin/authentication"] {
        assert_eq!(app.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn an_admin_uploads_a_checked_logo_with_the_forms_token() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    app.sign_in("admin@stratus.demo").await;
    add_provider(&app, "Contoso SSO", &op.issuer, false).await;
    let id = only_provider(&app).await.id;
    let (_, edit) = app.page(&format!("/admin/identity-providers/{id}")).await;
    let start = edit.find(&format!("/admin/identity-providers/{id}/logo?")).expect("upload form");
    let end = edit[start..].find('"').unwrap() + start;
    let action = edit[start..end].replace("&amp;", "&");
    assert!(action.contains("csrf_token="));
    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    let upload = |bytes: Vec<u8>, kind: &'static str, url: String| {
        let form = reqwest::multipart::Form::new()
            .part("logo", reqwest::multipart::Part::bytes(bytes).file_name("logo").mime_str(kind).unwrap());
        app.client.post(app.url(&url)).multipart(form).send()
    };
    let response = upload(b"<html><script>".to_vec(), "image/png", action.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("not the image type it claims"));
    let without_token = format!("/admin/identity-providers/{id}/logo");
    assert_eq!(upload(png.clone(), "image/png", without_token).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert!(only_provider(&app).await.logo.is_none(), "nothing stored by refused uploads");

    let response = upload(png, "image/png", action).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.page("/admin/identity-providers").await;
    assert!(list.contains("src=\"data:image/png;base64,"));

    // The provider can still be edited: the uploaded logo is no address in the form, and
    // an empty logo field keeps it.
    let edit = format!("/admin/identity-providers/{id}");
    let (_, form) = app.page(&edit).await;
    assert!(!form.contains("value=\"data:"), "the upload is not put in the address field");
    let fields = [
        ("name", "Contoso SSO renamed"),
        ("kind", "oidc"),
        ("issuer", op.issuer.as_str()),
        ("client_id", crate::test_op::CLIENT_ID),
        ("client_secret", ""),
        ("logo", ""),
    ];
    assert_eq!(app.submit(&edit, &edit, &fields).await.status(), StatusCode::SEE_OTHER);
    let saved = only_provider(&app).await;
    assert_eq!(saved.name, "Contoso SSO renamed");
    assert!(saved.logo.unwrap_or_default().starts_with("data:image/png;base64,"), "the upload is kept");
}

#[tokio::test]
async fn markup_typed_into_a_textarea_comes_back_as_text_not_markup() {
    const INJECTION: &str = "</textarea><script>alert(7)</script><b>bold</b>";
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    // Allowed tenant ids (identity-provider form): refused, and shown back as typed.
    let fields = [
        ("name", "Entra"),
        ("kind", "azure_ad"),
        ("issuer", "https://login.microsoftonline.com/organizations/v2.0"),
        ("client_id", "stratus-client"),
        ("client_secret", SECRET),
        ("tenants", INJECTION),
    ];
    let response = app.submit("/admin/identity-providers/new", "/admin/identity-providers", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script>alert(7)") && !page.contains("<b>bold</b>"), "live markup:\n{page}");
    assert!(page.contains("&lt;/textarea&gt;&lt;script&gt;alert(7)&lt;/script&gt;"), "{page}");
    // Custom hosts (brand form).
    let brand = [
        ("company_name", "Andes IT"),
        ("primary_color", "#123456"),
        ("accent_color", "#abcdef"),
        ("intent", "save"),
        ("hosts", INJECTION),
    ];
    let response = app.submit("/brands/ANDES", "/brands/ANDES", &brand).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script>alert(7)") && !page.contains("<b>bold</b>"), "live markup:\n{page}");
    assert!(page.contains("&lt;/textarea&gt;"), "{page}");
}

/// Posts the edit form of `id` with `fields` (a checkbox left out is unticked).
async fn edit_provider(app: &TestApp, id: i32, fields: &[(&str, &str)]) {
    let action = format!("/admin/identity-providers/{id}");
    assert_eq!(app.submit(&action, &action, fields).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_audit_log_shows_each_provider_field_that_changed_and_never_the_secret() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    app.sign_in("admin@stratus.demo").await;
    add_provider(&app, "Contoso SSO", &op.issuer, false).await;
    let id = only_provider(&app).await.id;
    let added = app.newest_audit().await;
    assert_eq!((added.action.as_str(), added.target.as_str()), ("identity provider added", "Contoso SSO"));
    for line in [&format!("issuer: {}", op.issuer), "kind: OpenID Connect", "client id: stratus-client"] {
        assert!(added.changes.lines().any(|l| l == line), "{line} in {}", added.changes);
    }
    assert!(added.changes.lines().any(|l| l == "client secret: ••••••"), "{}", added.changes);

    // An edit without a secret: only what changed, and no secret line.
    let elsewhere = "https://sso.contoso.example";
    let mut fields = vec![
        ("name", "Contoso SSO"),
        ("kind", "oidc"),
        ("issuer", elsewhere),
        ("client_id", "stratus-client"),
        ("visible", "on"),
        ("allow_automatic_registration", "on"),
    ];
    edit_provider(&app, id, &fields).await;
    let edited = app.newest_audit().await;
    assert_eq!(edited.action, "identity provider changed");
    assert_eq!(
        edited.changes,
        format!("issuer: {} → {elsewhere}\nautomatic registration: no → yes", op.issuer),
        "only the fields that changed"
    );

    // A new secret is recorded as changed, masked on both sides.
    fields[2] = ("issuer", &op.issuer);
    fields.push(("client_secret", "another-s3cret-ABCD"));
    edit_provider(&app, id, &fields).await;
    assert_eq!(
        app.newest_audit().await.changes,
        format!("issuer: {elsewhere} → {}\nclient secret: •••••• → ••••••", op.issuer)
    );

    // Activation, deactivation and a logo, each as what it changed.
    for (path, line) in [("activate", "active: no → yes"), ("deactivate", "active: yes → no")] {
        let action = format!("/admin/identity-providers/{id}/{path}");
        assert_eq!(app.submit("/admin/identity-providers", &action, &[]).await.status(), StatusCode::SEE_OTHER);
        let entry = app.newest_audit().await;
        assert_eq!((entry.action.as_str(), entry.changes.as_str()), ("identity provider changed", line));
    }
    let (_, edit) = app.page(&format!("/admin/identity-providers/{id}")).await;
    let start = edit.find(&format!("/admin/identity-providers/{id}/logo?")).expect("upload form");
    let action = edit[start..start + edit[start..].find('"').unwrap()].replace("&amp;", "&");
    let png = reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\n0000".to_vec()).file_name("l").mime_str("image/png");
    let form = reqwest::multipart::Form::new().part("logo", png.unwrap());
    let response = app.client.post(app.url(&action)).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.newest_audit().await.changes, "logo: uploaded image");

    // What the admin reads: who, the changes, and no secret anywhere.
    let (_, log) = app.page("/admin/audit").await;
    assert!(log.contains(&format!("issuer: {} → {elsewhere}", op.issuer)), "{log}");
    assert!(log.contains("client secret: •••••• → ••••••") && log.contains("admin@stratus.demo"));
    assert!(!log.contains(SECRET) && !log.contains("another-s3cret-ABCD"), "secrets are never shown");
}

#[tokio::test]
async fn allow_local_login_is_in_the_audit_log_old_to_new() {
    let app = TestApp::start().await;
    let op = TestOp::start().await;
    app.sign_in("admin@stratus.demo").await;
    add_provider(&app, "Contoso SSO", &op.issuer, true).await;
    let off = [("allow_local_login", "off"), ("confirm", "yes")];
    assert_eq!(
        app.submit("/admin/authentication", "/admin/authentication", &off).await.status(),
        StatusCode::SEE_OTHER
    );
    let entry = app.newest_audit().await;
    assert_eq!(entry.action, "authentication options changed");
    assert_eq!(entry.changes, "allow local login: true → false");
    assert_eq!(entry.actor_email.as_deref(), Some("admin@stratus.demo"));
}

#[tokio::test]
async fn the_break_glass_command_is_in_the_audit_log_as_the_command_line() {
    let app = TestApp::start().await;
    for value in ["off", "on"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
            .args(["auth", "--database-url", &app.database_url, "allow-local-login", value])
            .output()
            .expect("run stratus");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let entries = app.audit_by("command line").await;
    let changes: Vec<&str> = entries.iter().map(|e| e.changes.as_str()).collect();
    assert_eq!(changes, ["allow local login: true → false", "allow local login: false → true"]);
    assert!(entries.iter().all(|e| e.actor_user_id.is_none() && e.action == "authentication options changed"));

    app.sign_in("admin@stratus.demo").await;
    let (_, log) = app.page("/admin/audit").await;
    assert!(log.contains("command line") && log.contains("allow local login: false → true"), "{log}");
}

#[tokio::test]
async fn the_configuration_file_is_audited_when_it_changes_a_provider_and_only_then() {
    let op = TestOp::start().await;
    let declared = ProviderFields {
        name: "Declared SSO".into(),
        kind: "oidc".into(),
        issuer: op.issuer.clone(),
        client_id: "from-file".into(),
        client_secret: "file-secret-1234".into(),
        active: true,
        visible: true,
        ..Default::default()
    };
    let file = declared.clone();
    let app = TestApp::start_with(move |settings| settings.identity_providers = vec![file]).await;
    let entries = app.audit_by("configuration file").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!((entries[0].action.as_str(), entries[0].target.as_str()), ("identity provider added", "Declared SSO"));
    assert!(entries[0].changes.lines().any(|l| l == "client id: from-file"), "{}", entries[0].changes);
    assert!(entries[0].actor_user_id.is_none());

    // A restart with the same file changes nothing and writes no entry.
    let file = declared.clone();
    let again = TestApp::start_on(&app, move |settings| settings.identity_providers = vec![file]).await;
    drop(again);
    assert_eq!(app.audit_by("configuration file").await.len(), 1);

    // A restart with a changed file: what changed, the secret masked.
    let changed = ProviderFields { client_id: "changed".into(), client_secret: "file-secret-5678".into(), ..declared };
    let _restarted = TestApp::start_on(&app, move |settings| settings.identity_providers = vec![changed]).await;
    let entries = app.audit_by("configuration file").await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].action, "identity provider changed");
    assert_eq!(entries[1].changes, "client id: from-file → changed\nclient secret: •••••• → ••••••");
    assert!(entries.iter().all(|e| !e.changes.contains("file-secret")));
}
