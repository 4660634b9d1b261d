//! The users of an account: invitations through a real SMTP sink, joining by the mailed
//! link, role changes, deactivation and reactivation, removing an invitation, and who may
//! do none of it.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use stratus::entities::enums::{MailKind, UserRole};
use stratus::entities::{audit_log, outbox_messages, user_sessions, users};

use crate::mail::send_to;
use crate::smtp_sink::SmtpSink;
use crate::support::{location, Browser, TestApp, DEMO_PASSWORD};

const USERS: &str = "/accounts/CONTOSO/users";
const PASSWORD: &str = "a long enough password";

async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::start_with(move |s| send_to(s, url)).await
}

async fn user(app: &TestApp, email: &str) -> Option<users::Model> {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(&app.db).await.unwrap()
}

async fn user_count(app: &TestApp) -> u64 {
    users::Entity::find().count(&app.db).await.unwrap()
}

async fn invite(browser: &Browser, users_page: &str, name: &str, email: &str, role: &str) -> reqwest::Response {
    browser.submit(users_page, users_page, &[("name", name), ("email", email), ("role", role)]).await
}

/// Posts a change to one user of the account `code` (the CSRF token from My Account).
async fn change(browser: &Browser, code: &str, user_id: i32, fields: &[(&str, &str)]) -> reqwest::Response {
    browser.submit("/account", &format!("/accounts/{code}/users/{user_id}"), fields).await
}

#[tokio::test]
async fn an_invited_user_joins_through_the_mailed_link_which_works_once() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    app.sign_in("ana@contoso.demo").await;
    let (_, account) = app.page("/account").await;
    assert!(account.contains(&format!("href=\"{USERS}\"")), "My Account links to the users page");
    let (_, contoso) = app.page("/accounts/CONTOSO").await;
    assert!(contoso.contains(&format!("href=\"{USERS}\"")), "so does the account page");

    let response = invite(&app, USERS, "Diego Ruiz", "Diego@Contoso.demo", "customer_user").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.page(USERS).await;
    assert!(page.contains("An invitation was sent to diego@contoso.demo"), "{page}");
    assert!(page.contains("Invited by Ana Pérez, not joined yet"));
    let invited = user(&app, "diego@contoso.demo").await.expect("the invited user");
    assert!(invited.joined_at.is_none() && invited.active && invited.password_hash.is_none());
    assert_eq!(invited.invited_by, Some(user(&app, "ana@contoso.demo").await.unwrap().id));
    // Not joined yet: no way in with a password.
    let early = app.new_browser().sign_in_with("diego@contoso.demo", PASSWORD).await;
    assert_ne!(early.status(), StatusCode::SEE_OTHER);

    // Diego has no language yet: his brand's (Andes IT's) Spanish.
    let mail = sink.wait_for("diego@contoso.demo", "Le invitamos a Contoso Chile en Andes IT").await;
    assert!(mail.text().contains("Ana Pérez le invitó"), "{}", mail.text());
    let link = mail.link_path("/invitation/");
    let diego = app.new_browser();
    let (status, form) = diego.page(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Ana Pérez invited you to join Contoso Chile"), "{form}");
    let mismatch = diego.submit(&link, &link, &[("new_password", PASSWORD), ("confirmation", "another one")]).await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let joined = diego.submit(&link, &link, &[("new_password", PASSWORD), ("confirmation", PASSWORD)]).await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&joined), "/account");
    let (status, account) = diego.page("/account").await;
    assert_eq!(status, StatusCode::OK, "signed in");
    assert!(account.contains("diego@contoso.demo"));

    // The link works once; Diego is listed as joined, his address verified.
    let (status, again) = app.new_browser().page(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(again.contains("expired or was already used"));
    let diego_row = user(&app, "diego@contoso.demo").await.unwrap();
    assert!(diego_row.joined_at.is_some() && diego_row.email_verified_at.is_some());
    let (_, page) = app.page(USERS).await;
    assert!(!page.contains("not joined yet"), "{page}");
    let later = app.new_browser().sign_in_with("diego@contoso.demo", PASSWORD).await;
    assert_eq!(later.status(), StatusCode::SEE_OTHER);

    // The audit log has both; the sent invitation no longer holds its link.
    for action in ["user invited", "invitation accepted"] {
        let found =
            audit_log::Entity::find().filter(audit_log::Column::Action.eq(action)).count(&app.db).await.unwrap();
        assert_eq!(found, 1, "{action}");
    }
    let kept = outbox_messages::Entity::find()
        .filter(outbox_messages::Column::Kind.eq(MailKind::UserInvitation))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(kept.sensitive);
}

#[tokio::test]
async fn roles_change_and_a_deactivated_user_is_signed_out_until_reactivated() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let beatriz_id = user(&app, "beatriz@contoso.demo").await.unwrap().id;

    let promoted = change(&app, "CONTOSO", beatriz_id, &[("intent", "role"), ("role", "customer_admin")]).await;
    assert_eq!(promoted.status(), StatusCode::SEE_OTHER);
    assert_eq!(user(&app, "beatriz@contoso.demo").await.unwrap().role, UserRole::CustomerAdmin);
    let demoted = change(&app, "CONTOSO", beatriz_id, &[("intent", "role"), ("role", "customer_user")]).await;
    assert_eq!(demoted.status(), StatusCode::SEE_OTHER);
    assert_eq!(user(&app, "beatriz@contoso.demo").await.unwrap().role, UserRole::CustomerUser);
    let changes =
        audit_log::Entity::find().filter(audit_log::Column::Action.eq("user role changed")).all(&app.db).await.unwrap();
    assert_eq!(changes.len(), 2);
    assert!(changes[0].changes.contains("Customer user → Customer admin"), "{}", changes[0].changes);

    let beatriz = app.new_browser();
    beatriz.sign_in("beatriz@contoso.demo").await;
    // Without "Sure" nothing happens.
    let unsure = change(&app, "CONTOSO", beatriz_id, &[("intent", "deactivate")]).await;
    assert_eq!(unsure.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unsure.text().await.unwrap().contains("Tick “Sure”"));
    assert!(user(&app, "beatriz@contoso.demo").await.unwrap().active);
    let (status, _) = beatriz.page("/account").await;
    assert_eq!(status, StatusCode::OK);

    let deactivated = change(&app, "CONTOSO", beatriz_id, &[("intent", "deactivate"), ("confirm", "yes")]).await;
    assert_eq!(deactivated.status(), StatusCode::SEE_OTHER);
    let response = beatriz.get("/account").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "her open session ended");
    assert!(location(&response).starts_with("/login"), "{}", location(&response));
    let sessions = user_sessions::Entity::find()
        .filter(user_sessions::Column::UserId.eq(beatriz_id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "gone from the session list");
    let refused = app.new_browser().sign_in_with("beatriz@contoso.demo", DEMO_PASSWORD).await;
    assert_ne!(refused.status(), StatusCode::SEE_OTHER);
    assert!(refused.text().await.unwrap().contains("deactivated"));
    let (_, page) = app.page(USERS).await;
    assert!(page.contains("Deactivated"));

    let reactivated = change(&app, "CONTOSO", beatriz_id, &[("intent", "reactivate")]).await;
    assert_eq!(reactivated.status(), StatusCode::SEE_OTHER);
    app.new_browser().sign_in("beatriz@contoso.demo").await;
    for action in ["user deactivated", "user reactivated"] {
        let found =
            audit_log::Entity::find().filter(audit_log::Column::Action.eq(action)).count(&app.db).await.unwrap();
        assert_eq!(found, 1, "{action}");
    }
}

#[tokio::test]
async fn an_invitation_nobody_accepted_is_removed_with_its_link() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    app.sign_in("admin@andes.demo").await;
    let response = invite(&app, USERS, "Elena Díaz", "elena@contoso.demo", "customer_admin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a reseller admin invites into its customer");
    let link = sink.wait_for("elena@contoso.demo", "Le invitamos").await.link_path("/invitation/");
    let elena_id = user(&app, "elena@contoso.demo").await.unwrap().id;

    let unsure = change(&app, "CONTOSO", elena_id, &[("intent", "remove")]).await;
    assert_eq!(unsure.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let removed = change(&app, "CONTOSO", elena_id, &[("intent", "remove"), ("confirm", "yes")]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert!(user(&app, "elena@contoso.demo").await.is_none());
    let (status, _) = app.new_browser().page(&link).await;
    assert_eq!(status, StatusCode::GONE, "the link went with the invitation");
    let found = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("invitation removed"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(found, 1);

    // Somebody who joined is deactivated, not removed.
    let beatriz_id = user(&app, "beatriz@contoso.demo").await.unwrap().id;
    let joined = change(&app, "CONTOSO", beatriz_id, &[("intent", "remove"), ("confirm", "yes")]).await;
    assert_eq!(joined.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(user(&app, "beatriz@contoso.demo").await.is_some());
}

#[tokio::test]
async fn nobody_reaches_the_users_of_an_account_outside_their_scope() {
    let app = TestApp::start().await;
    let fabio_id = user(&app, "fabio@fabrikam.demo").await.unwrap().id;
    let beatriz_id = user(&app, "beatriz@contoso.demo").await.unwrap().id;
    let before = user_count(&app).await;

    // A customer admin: another account's users are not there.
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.page("/accounts/FABRIKAM/users").await.0, StatusCode::NOT_FOUND);
    let deactivate = [("intent", "deactivate"), ("confirm", "yes")];
    let other = ana.submit(USERS, &format!("/accounts/FABRIKAM/users/{fabio_id}"), &deactivate).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let smuggled = ana.submit(USERS, &format!("{USERS}/{fabio_id}"), &deactivate).await;
    assert_eq!(smuggled.status(), StatusCode::NOT_FOUND, "another account's user through Contoso's page");
    let own = invite(&ana, USERS, "Mallory", "mallory@example.com", "customer_admin").await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER, "into her own account, fine");
    let response = ana
        .submit(
            USERS,
            "/accounts/FABRIKAM/users",
            &[("name", "M"), ("email", "m2@example.com"), ("role", "customer_admin")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Another reseller's admin cannot see or invite into Contoso.
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    assert_eq!(pacific.page(USERS).await.0, StatusCode::NOT_FOUND);
    let response = pacific
        .submit("/account", USERS, &[("name", "P"), ("email", "p@example.com"), ("role", "customer_admin")])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = change(&pacific, "CONTOSO", beatriz_id, &deactivate).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // A customer user has no users page, and cannot make herself an admin.
    let beatriz = app.new_browser();
    beatriz.sign_in("beatriz@contoso.demo").await;
    assert_eq!(beatriz.page(USERS).await.0, StatusCode::NOT_FOUND);
    let (_, account) = beatriz.page("/account").await;
    assert!(!account.contains(&format!("href=\"{USERS}\"")));
    let raise = beatriz
        .submit("/account", &format!("{USERS}/{beatriz_id}"), &[("intent", "role"), ("role", "customer_admin")])
        .await;
    assert_eq!(raise.status(), StatusCode::NOT_FOUND);
    assert_eq!(user(&app, "beatriz@contoso.demo").await.unwrap().role, UserRole::CustomerUser);
    assert_eq!(user_count(&app).await, before + 1, "only Ana's own invitation");
}

#[tokio::test]
async fn an_admin_cannot_change_its_own_role_and_the_last_admin_stays() {
    let app = TestApp::start().await;
    let ana_id = user(&app, "ana@contoso.demo").await.unwrap().id;
    app.sign_in("ana@contoso.demo").await;
    // An invited admin who has not joined does not count as a second admin.
    let response = invite(&app, USERS, "Diego Ruiz", "diego@contoso.demo", "customer_admin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let own = change(&app, "CONTOSO", ana_id, &[("intent", "role"), ("role", "customer_user")]).await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().await.unwrap().contains("You cannot change your own role"));

    // The provider admin tries to leave Contoso without an admin.
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let last = "An account keeps at least one active administrator";
    for fields in
        [&[("intent", "role"), ("role", "customer_user")][..], &[("intent", "deactivate"), ("confirm", "yes")][..]]
    {
        let response = admin.submit(USERS, &format!("{USERS}/{ana_id}"), fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(response.text().await.unwrap().contains(last));
    }
    let removed = admin.submit(USERS, &format!("{USERS}/{ana_id}"), &[("intent", "remove"), ("confirm", "yes")]).await;
    assert_eq!(removed.status(), StatusCode::UNPROCESSABLE_ENTITY, "a joined admin is never removed");
    let ana = user(&app, "ana@contoso.demo").await.unwrap();
    assert!(ana.active && ana.role == UserRole::CustomerAdmin);

    // A reseller's only admin stays too; once Beatriz is an admin, Ana may step down.
    let andes_id = user(&app, "admin@andes.demo").await.unwrap().id;
    let response = admin
        .submit(
            "/accounts/ANDES/users",
            &format!("/accounts/ANDES/users/{andes_id}"),
            &[("intent", "deactivate"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let beatriz_id = user(&app, "beatriz@contoso.demo").await.unwrap().id;
    let promoted =
        admin.submit(USERS, &format!("{USERS}/{beatriz_id}"), &[("intent", "role"), ("role", "customer_admin")]).await;
    assert_eq!(promoted.status(), StatusCode::SEE_OTHER);
    let stepped_down =
        admin.submit(USERS, &format!("{USERS}/{ana_id}"), &[("intent", "role"), ("role", "customer_user")]).await;
    assert_eq!(stepped_down.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_duplicate_email_in_any_case_or_an_oversized_name_is_refused_and_writes_nothing() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let before = user_count(&app).await;
    let invitations = || async {
        outbox_messages::Entity::find()
            .filter(outbox_messages::Column::Kind.eq(MailKind::UserInvitation))
            .count(&app.db)
            .await
            .unwrap()
    };
    for email in ["fabio@fabrikam.demo", "Fabio@FABRIKAM.demo", "  BEATRIZ@contoso.demo "] {
        let response = invite(&app, USERS, "Someone", email, "customer_user").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        let body = response.text().await.unwrap();
        assert!(body.contains("This e-mail already has an account."), "{email}");
        assert!(body.contains("value=\"Someone\""), "the form keeps what was typed");
    }
    let long = "x".repeat(201);
    let response = invite(&app, USERS, &long, "new@contoso.demo", "customer_user").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("A name has at most 200 characters."));
    let response = invite(&app, USERS, "Someone", "new@contoso.demo", "provider_admin").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "a role the account does not have");
    assert_eq!(user_count(&app).await, before);
    assert_eq!(invitations().await, 0);
    let audited =
        audit_log::Entity::find().filter(audit_log::Column::Action.eq("user invited")).count(&app.db).await.unwrap();
    assert_eq!(audited, 0);
}

#[tokio::test]
async fn an_invitation_to_a_suspended_account_joins_but_signs_nobody_in_and_dies_with_deactivation() {
    use sea_orm::{ActiveModelTrait, Set};
    use stratus::entities::enums::AccountStatus;
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(
        invite(&ana, USERS, "Rosa Díaz", "rosa@contoso.demo", "customer_user").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        invite(&ana, USERS, "Tomás Ruiz", "tomas@contoso.demo", "customer_user").await.status(),
        StatusCode::SEE_OTHER
    );
    let rosa_link = sink.wait_for("rosa@contoso.demo", "Le invitamos").await.link_path("/invitation/");
    let tomas_link = sink.wait_for("tomas@contoso.demo", "Le invitamos").await.link_path("/invitation/");

    // Tomás is deactivated before he joins: his link no longer works.
    let tomas = user(&app, "tomas@contoso.demo").await.unwrap();
    let off = change(&ana, "CONTOSO", tomas.id, &[("intent", "deactivate"), ("confirm", "yes")]).await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.new_browser().page(&tomas_link).await.0, StatusCode::GONE);

    // Contoso is suspended: Rosa joins, but is not signed in, and is told why.
    let mut contoso: stratus::entities::accounts::ActiveModel = app.account("CONTOSO").await.into();
    contoso.status = Set(AccountStatus::Suspended);
    contoso.update(&app.db).await.unwrap();
    let rosa = app.new_browser();
    let joined = rosa.submit(&rosa_link, &rosa_link, &[("new_password", PASSWORD), ("confirmation", PASSWORD)]).await;
    assert_eq!(joined.status(), StatusCode::OK);
    assert!(joined.text().await.unwrap().contains("This account is suspended"));
    assert_eq!(rosa.page("/account").await.0, StatusCode::SEE_OTHER, "not signed in");

    // Mail to a suspended reseller's customers comes from the provider, with the provider's links.
    let mut andes: stratus::entities::accounts::ActiveModel = app.account("ANDES").await.into();
    andes.status = Set(AccountStatus::Suspended);
    andes.update(&app.db).await.unwrap();
    let fields = [("email", "beatriz@contoso.demo")];
    assert_eq!(app.submit("/password-reset", "/password-reset", &fields).await.status(), StatusCode::OK);
    let reset = sink.wait_for("beatriz@contoso.demo", "Restablezca su contraseña").await;
    assert!(reset.subject().ends_with("· Stratus Cloud"), "{}", reset.subject());
    assert!(!reset.text().contains("shop.andes.demo"), "no link to the unavailable host");

    // Codes from the URL that could not name an account are a plain 404.
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    assert_eq!(pacific.page("/reseller/customers/%00").await.0, StatusCode::NOT_FOUND);
    let provider = app.new_browser();
    provider.sign_in("admin@stratus.demo").await;
    assert_eq!(provider.page("/accounts/%00/users").await.0, StatusCode::NOT_FOUND);
    assert_eq!(provider.page("/admin/resellers/%00").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_invitation_nobody_accepted_is_removed_a_day_after_its_link_expires() {
    use sea_orm::{ActiveModelTrait, Set};
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    for (name, email) in [("Old Invite", "old@contoso.demo"), ("New Invite", "new@contoso.demo")] {
        assert_eq!(invite(&ana, USERS, name, email, "customer_user").await.status(), StatusCode::SEE_OTHER);
    }
    let link = sink.wait_for("old@contoso.demo", "Le invitamos").await.link_path("/invitation/");
    // Nine days ago: the 7-day link expired more than a day ago.
    let mut old: users::ActiveModel = user(&app, "old@contoso.demo").await.unwrap().into();
    old.created_at = Set(chrono::Utc::now() - chrono::Duration::days(9));
    old.update(&app.db).await.unwrap();
    let before = user_count(&app).await;
    assert_eq!(stratus::jobs::delete_expired_invitations(&app.db).await.unwrap(), 1);
    assert!(user(&app, "old@contoso.demo").await.is_none(), "the address is free again");
    assert!(user(&app, "new@contoso.demo").await.is_some(), "a live invitation stays");
    assert!(user(&app, "ana@contoso.demo").await.is_some(), "joined users are never touched");
    assert_eq!(user_count(&app).await, before - 1);
    assert_eq!(app.new_browser().page(&link).await.0, StatusCode::GONE);
    let logged = audit_log::Entity::find().filter(audit_log::Column::Action.eq("invitation removed")).count(&app.db);
    assert_eq!(logged.await.unwrap(), 1);
}
