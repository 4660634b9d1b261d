//! Local sign-in, lockout, sign-out and password change.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use stratus::entities::{security_events, users};

use crate::support::{location, TestApp, DEMO_PASSWORD};

const GENERIC: &str = "That e-mail and password did not work.";

#[tokio::test]
async fn right_password_signs_in_under_a_session_id_nobody_could_plant() {
    let app = TestApp::start().await;
    let (status, _) = app.page("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.session_cookie(), None, "reading the sign-in page keeps no session");
    // A session id planted in the browser beforehand (session fixation) is not adopted.
    let before = "c3RyYXR1cy1wbGFudGVkLQ".to_string();
    app.jar.add_cookie_str(&format!("stratus_session={before}; Path=/"), &app.base.parse().unwrap());

    let response = app.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account");
    let after = app.session_cookie().expect("session cookie after sign-in");
    assert_ne!(before, after, "the session id must change at sign-in");

    let (status, body) = app.page("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ana@contoso.demo"));
    assert!(body.contains("Contoso Chile"));

    // The old session id no longer signs anybody in.
    let stale = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response =
        stale.get(app.url("/account")).header("cookie", format!("stratus_session={before}")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn sign_in_honours_a_local_return_path_and_refuses_foreign_ones() {
    let app = TestApp::start().await;
    let token = app.csrf("/login").await;
    let response = app
        .post_form(
            "/login",
            &[("email", "ana@contoso.demo"), ("password", DEMO_PASSWORD), ("next", "/cart"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(location(&response), "/cart");

    let other = TestApp::start().await;
    let token = other.csrf("/login").await;
    let response = other
        .post_form(
            "/login",
            &[
                ("email", "ana@contoso.demo"),
                ("password", DEMO_PASSWORD),
                ("next", "//evil.example/x"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(location(&response), "/account");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_generic_message() {
    let app = TestApp::start().await;
    let response = app.sign_in_with("ana@contoso.demo", "not-the-password").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let wrong_password = response.text().await.unwrap();
    assert!(wrong_password.contains(GENERIC));

    let response = app.sign_in_with("nobody@contoso.demo", "not-the-password").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let unknown = response.text().await.unwrap();
    assert!(unknown.contains(GENERIC));

    let (_, account) = app.page("/account").await;
    assert!(!account.contains("ana@contoso.demo"), "a failed sign-in must not sign in");
}

#[tokio::test]
async fn the_sixth_attempt_on_a_locked_account_is_refused_even_with_the_right_password() {
    let app = TestApp::start().await;
    for _ in 0..5 {
        let response = app.sign_in_with("fabio@fabrikam.demo", "wrong-password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = app.sign_in_with("fabio@fabrikam.demo", DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.text().await.unwrap().contains(GENERIC));
    let user = users::Entity::find()
        .filter(users::Column::Email.eq("fabio@fabrikam.demo"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(user.locked_until.is_some());
    let lockouts = security_events::Entity::find()
        .filter(security_events::Column::Kind.eq("locked_out"))
        .filter(security_events::Column::UserId.eq(user.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(lockouts.len(), 1);

    // An admin unlocks the user, who can then sign in.
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let (_, users_page) = admin.page("/admin/users").await;
    assert!(users_page.contains("Locked until"));
    let action = format!("/admin/users/{}/unlock", user.id);
    let response = admin.submit("/admin/users", &action, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app.sign_in_with("fabio@fabrikam.demo", DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let response = app.submit("/account", "/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app.get("/account").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Faccount");
}

#[tokio::test]
async fn password_change_needs_the_current_password_and_then_works() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let response = app
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "a much better one"),
                ("confirm_password", "a much better one"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Your current password was not accepted"));

    let response = app
        .submit(
            "/account",
            "/account/password",
            &[("current_password", DEMO_PASSWORD), ("new_password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("at least 10 characters"));

    let response = app
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "a much better one"),
                ("confirm_password", "a much better one"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = app.page("/account").await;
    assert!(body.contains("Your password was changed."));

    let other = app.new_browser();
    assert_eq!(other.sign_in_with("tina@tailspin.demo", DEMO_PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(other.sign_in_with("tina@tailspin.demo", "a much better one").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn lockout_threshold_is_configurable_within_bounds() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let response = app
        .submit("/admin/security", "/admin/security", &[("max_failed_logins", "2"), ("lockout_minutes", "15")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("between 3 and 25"));
    let response = app
        .submit("/admin/security", "/admin/security", &[("max_failed_logins", "3"), ("lockout_minutes", "15")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, audit) = app.page("/admin/audit").await;
    assert!(audit.contains("failed attempts before lockout: 5 → 3"), "audited, old → new");
    assert!(!audit.contains("lockout minutes: 15 → 15"), "only what changed");

    let customer = app.new_browser();
    for _ in 0..3 {
        customer.sign_in_with("ana@contoso.demo", "wrong-password").await;
    }
    assert_eq!(customer.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn twenty_parallel_wrong_passwords_lock_the_account_once_as_configured() {
    use sea_orm::PaginatorTrait;
    let app = TestApp::start().await;
    let attempts = (0..20).map(|_| {
        let browser = app.new_browser();
        async move { browser.sign_in_with("fabio@fabrikam.demo", "not-his-password").await.status() }
    });
    let answers = futures_util::future::join_all(attempts).await;
    assert!(answers.iter().all(|s| !s.is_server_error()), "{answers:?}");
    let fabio = users::Entity::find()
        .filter(users::Column::Email.eq("fabio@fabrikam.demo"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(fabio.locked_until.is_some(), "locked");
    let lockouts = security_events::Entity::find()
        .filter(security_events::Column::Kind.eq("locked_out"))
        .filter(security_events::Column::UserId.eq(fabio.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(lockouts, 1, "one lockout, however many guesses raced");
    // The right password does not get in while locked.
    let response = app.sign_in_with("fabio@fabrikam.demo", DEMO_PASSWORD).await;
    assert_ne!(location(&response), "/account");
}

#[tokio::test]
async fn wrong_passwords_at_re_authentication_count_toward_the_lockout() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    for _ in 0..5 {
        let response = app
            .submit("/account/reauth?then=password", "/account/reauth", &[("password", "guess"), ("then", "password")])
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let ana =
        users::Entity::find().filter(users::Column::Email.eq("ana@contoso.demo")).one(&app.db).await.unwrap().unwrap();
    assert!(ana.locked_until.is_some(), "five wrong re-authentications lock like five wrong sign-ins");
    let response = app
        .submit(
            "/account/reauth?then=password",
            "/account/reauth",
            &[("password", "demo-password"), ("then", "password")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "not while locked");
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_and_events_use_the_forwarded_address_and_nobody_else_can_forge_it() {
    use sea_orm::QueryOrder;
    let trusted = TestApp::start_with(|s| {
        s.trusted_proxies = vec![stratus::identity::client_address::Cidr::parse("127.0.0.1/32").unwrap()]
    })
    .await;
    let plain = TestApp::start().await;
    let wrong_from = |app: &TestApp, forwarded: &'static str| {
        let browser = app.new_browser();
        async move {
            let token = browser.csrf("/login").await;
            let fields = [("email", "fabio@fabrikam.demo"), ("password", "nope"), ("csrf_token", token.as_str())];
            browser
                .client
                .post(browser.url("/login"))
                .header("x-forwarded-for", forwarded)
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let last_ip = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            security_events::Entity::find()
                .filter(security_events::Column::Kind.eq("sign_in_failed"))
                .order_by_desc(security_events::Column::Id)
                .one(&db)
                .await
                .unwrap()
                .and_then(|e| e.ip)
        }
    };
    wrong_from(&trusted, "203.0.113.7").await;
    assert_eq!(last_ip(&trusted).await.as_deref(), Some("203.0.113.7"), "the client behind the proxy");
    wrong_from(&plain, "203.0.113.7").await;
    assert_eq!(last_ip(&plain).await.as_deref(), Some("127.0.0.1"), "a header from anyone else is ignored");

    // One client behind the proxy using up its sign-in attempts does not stop another.
    let mut last = StatusCode::OK;
    for _ in 0..31 {
        last = wrong_from(&trusted, "198.51.100.1").await.status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(wrong_from(&trusted, "198.51.100.2").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn lockouts_in_a_row_last_twice_as_long_and_a_right_password_starts_over() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = TestApp::start().await;
    let fabio = || async {
        users::Entity::find()
            .filter(users::Column::Email.eq("fabio@fabrikam.demo"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    let lock_minutes = |user: &users::Model| (user.locked_until.unwrap() - chrono::Utc::now()).num_minutes() + 1;
    let expire = |user: users::Model| async {
        let mut active: users::ActiveModel = user.into();
        active.locked_until = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
        active.update(&app.db).await.unwrap();
    };
    for _ in 0..5 {
        app.sign_in_with("fabio@fabrikam.demo", "guess").await;
    }
    let locked = fabio().await;
    assert_eq!(lock_minutes(&locked), 15, "the first lockout lasts as configured");
    expire(locked).await;
    for _ in 0..5 {
        app.sign_in_with("fabio@fabrikam.demo", "guess").await;
    }
    let locked = fabio().await;
    assert_eq!(lock_minutes(&locked), 30, "the second in a row twice as long");
    expire(locked).await;
    app.sign_in("fabio@fabrikam.demo").await;
    assert_eq!(fabio().await.lockouts, 0, "the right password starts over");
}

#[tokio::test]
async fn a_burst_of_sign_ins_is_answered_or_told_to_retry_and_pages_keep_answering() {
    let app = TestApp::start().await;
    // Ten at once: enough to queue past the checkers on this machine, few enough not to
    // starve the other tests' sign-ins, which share the process-wide checkers.
    let attempts = (0..10).map(|i| {
        let browser = app.new_browser();
        async move {
            let response = browser.sign_in_with(&format!("nobody-{i}@example.com"), "wrong password").await;
            (response.status(), response.headers().get("retry-after").is_some())
        }
    });
    let page = async {
        let visitor = app.new_browser();
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(visitor.get("/").await.status());
        }
        statuses
    };
    let (answers, pages) = tokio::join!(futures_util::future::join_all(attempts), page);
    for (status, retry_after) in &answers {
        match *status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => assert!(retry_after, "a busy answer says when to retry"),
            other => panic!("a sign-in in the burst answered {other}"),
        }
    }
    assert!(pages.iter().all(|s| *s == StatusCode::OK), "{pages:?}");
}

#[tokio::test]
async fn a_right_password_that_raced_a_lockout_does_not_get_in() {
    use sea_orm::{ActiveModelTrait, Set};
    use stratus::identity::local::{verify_credentials, CheckedFor};
    let app = TestApp::start().await;
    let fabio = users::Entity::find().filter(users::Column::Email.eq("fabio@fabrikam.demo")).one(&app.db).await;
    let read_before = fabio.unwrap().unwrap();
    // Guesses queued beside this check locked the account while it waited for a checker.
    let mut locked: users::ActiveModel = read_before.clone().into();
    locked.locked_until = Set(Some(chrono::Utc::now() + chrono::Duration::minutes(15)));
    locked.update(&app.db).await.unwrap();
    let admitted = verify_credentials(
        &app.db,
        &stratus::mail::Site::new("http://127.0.0.1"),
        &read_before,
        DEMO_PASSWORD,
        None,
        CheckedFor::SignIn,
    )
    .await
    .unwrap();
    assert!(!admitted, "the lock as the database has it now decides");
    let after = users::Entity::find_by_id(read_before.id).one(&app.db).await.unwrap().unwrap();
    assert!(after.locked_until.is_some(), "and the lock stays");
}

#[tokio::test]
async fn an_anonymous_add_to_cart_goes_to_sign_in_and_keeps_nothing() {
    let app = TestApp::start().await;
    let before = crate::csrf::session_rows(&app).await;
    for _ in 0..10 {
        let fields = [("product_code", "M365-BS"), ("quantity", "1")];
        let response = app.submit("/products/M365-BS", "/cart/items", &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(&response).starts_with("/login?next="));
    }
    assert_eq!(crate::csrf::session_rows(&app).await, before);
}
