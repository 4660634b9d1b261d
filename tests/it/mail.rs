//! E-mail through a real SMTP server (the sink in `smtp_sink.rs`, spoken to by lettre over
//! TCP): the password reset, security notices, invoices and receipts, the transition
//! campaign, the outbox across an SMTP outage and two instances, and Admin → Outbox.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use stratus::config::Settings;
use stratus::entities::enums::OutboxStatus;
use stratus::entities::outbox_messages;
use stratus::mail::smtp::SmtpSettings;

use crate::smtp_sink::SmtpSink;
use crate::support::{command_line, location, TestApp, DEMO_PASSWORD};

const FROM: &str = "Stratus Cloud <no-reply@stratus.demo>";

pub(crate) fn send_to(settings: &mut Settings, smtp_url: String) {
    settings.mail.smtp = Some(SmtpSettings { url: smtp_url, from: FROM.into() });
    settings.mail.poll = Duration::from_millis(100);
    settings.mail.retry_base = Duration::from_millis(300);
    settings.mail.send_timeout = Duration::from_secs(1);
}

async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::start_with(move |s| send_to(s, url)).await
}

/// Asks for a reset link on the "Forgot your password?" page.
async fn ask_for_reset(browser: &crate::support::Browser, email: &str) -> String {
    let response = browser.submit("/password-reset", "/password-reset", &[("email", email)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_mailed_link_that_works_once_and_ends_every_session() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    // Ana is signed in on another device.
    let elsewhere = app.new_browser();
    elsewhere.sign_in("ana@contoso.demo").await;

    let (_, login) = app.page("/login").await;
    assert!(login.contains("href=\"/password-reset\""), "Forgot your password? on the sign-in page");
    let answer = ask_for_reset(&app, "Ana@Contoso.demo").await;
    assert!(answer.contains("If that address belongs to an account"), "{answer}");
    // An address without an account gets the very same answer, and no mail.
    let unknown = ask_for_reset(&app, "nobody@contoso.demo").await;
    assert_eq!(
        unknown.split("<main").nth(1).map(|m| m.split("</main>").next()),
        answer.split("<main").nth(1).map(|m| m.split("</main>").next()),
        "the answer never says whether the address exists"
    );

    // The mail comes in Ana's brand (Andes IT, her reseller), plain text and HTML, and in
    // its language: Ana chose none, and Andes IT speaks Spanish.
    let mail = sink.wait_for("ana@contoso.demo", "Restablezca su contraseña").await;
    assert_eq!(mail.subject(), "Restablezca su contraseña · Andes IT");
    assert!(mail.header("from").contains("Andes IT") && mail.header("from").contains("no-reply@stratus.demo"));
    assert!(mail.header("reply-to").contains("soporte@andes.demo"));
    assert!(mail.text().contains("Hola, Ana:"), "{}", mail.text());
    assert!(mail.text().contains("¿Preguntas? Escriba a soporte@andes.demo"));
    assert!(mail.html().contains("#0b6e4f"), "the brand's colour");
    let link = mail.link_path("/password-reset/");
    assert_eq!(link.len(), "/password-reset/".len() + 43, "a 256-bit token: {link}");
    assert!(
        mail.text().contains(&format!("http://shop.andes.demo:{}", app.base.rsplit(':').next().unwrap())),
        "links go to the reseller's own host"
    );
    assert!(sink.to("nobody@contoso.demo").is_empty());

    // The link opens a form; a mismatch is refused and keeps the link usable.
    let (status, form) = app.page(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("ana@contoso.demo"));
    let mismatch =
        app.submit(&link, &link, &[("new_password", "a new long password"), ("confirmation", "something else")]).await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = app
        .submit(&link, &link, &[("new_password", "a new long password"), ("confirmation", "a new long password")])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/account");
    let (status, account) = app.page("/account").await;
    assert_eq!(status, StatusCode::OK, "signed in with the new password");
    assert!(account.contains("every other session was signed out"));

    // The other device is signed out; the link works once; the old password is gone.
    let (status, _) = elsewhere.page("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the other session ended");
    let (status, again) = app.new_browser().page(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(again.contains("expired or was already used"));
    let old = app.new_browser().sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app.new_browser().sign_in_with("ana@contoso.demo", "a new long password").await;
    assert_eq!(new.status(), StatusCode::SEE_OTHER);

    // Ana is told, and the sent reset message no longer holds its link.
    let notice = sink.wait_for("ana@contoso.demo", "Se cambió su contraseña").await;
    assert!(notice.text().contains("se restableció mediante un enlace enviado por correo"), "{}", notice.text());
    let kept = outbox_messages::Entity::find()
        .filter(outbox_messages::Column::Subject.eq("Restablezca su contraseña · Andes IT"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.status, OutboxStatus::Sent);
    assert!(!kept.text_body.contains("/password-reset/"), "{}", kept.text_body);
}

#[tokio::test]
async fn reset_links_are_limited_per_address_and_refused_when_forged_or_local_login_is_off() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    for _ in 0..5 {
        ask_for_reset(&app, "fabio@fabrikam.demo").await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Fabrikam's reseller (Pacific Partners) has no branding: the provider's brand and its Spanish.
    sink.wait_for("fabio@fabrikam.demo", "Restablezca su contraseña").await;
    let written = outbox_messages::Entity::find()
        .filter(outbox_messages::Column::ToAddress.eq("fabio@fabrikam.demo"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(written, 3, "three links an hour per address");
    for forged in ["/password-reset/not-a-token", &format!("/password-reset/{}", "A".repeat(43))] {
        let (status, _) = app.page(forged).await;
        assert_eq!(status, StatusCode::GONE, "{forged}");
    }
    stratus::identity::settings::set_allow_local_login(&app.db, &command_line(), false).await.unwrap();
    let link = sink.wait_for("fabio@fabrikam.demo", "Restablezca su contraseña").await.link_path("/password-reset/");
    let (status, _) = app.page(&link).await;
    assert_eq!(status, StatusCode::GONE, "no password reset while password sign-in is off");
    let (status, _) = app.page("/password-reset").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn password_changes_and_lockouts_are_told_to_the_user() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    app.sign_in("tina@tailspin.demo").await;
    // Tina chose English (the footer's switcher): her mail is in English, though her brand speaks Spanish.
    assert_eq!(app.submit("/account", "/language", &[("language", "en")]).await.status(), StatusCode::SEE_OTHER);
    let changed = app
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "another long password"),
                ("confirm_password", "another long password"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let notice = sink.wait_for("tina@tailspin.demo", "Your password was changed").await;
    // Tailspin buys from the provider directly: the provider's brand.
    assert_eq!(notice.subject(), "Your password was changed · Stratus Cloud");
    assert!(notice.text().contains("The password of tina@tailspin.demo was changed."));

    let guesser = app.new_browser();
    for _ in 0..5 {
        guesser.sign_in_with("fabio@fabrikam.demo", "wrong guess").await;
    }
    // Fabio chose no language: his brand's (Stratus Cloud's) Spanish.
    let locked = sink.wait_for("fabio@fabrikam.demo", "Se bloqueó su cuenta").await;
    assert!(
        locked.text().contains("demasiadas contraseñas o códigos de segundo factor incorrectos"),
        "{}",
        locked.text()
    );
}

#[tokio::test]
async fn the_outbox_keeps_mail_while_smtp_is_down_and_two_instances_send_it_once_when_it_is_back() {
    // A port nobody listens on yet: the SMTP server is down.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let url = format!("smtp://{addr}");
    let first = TestApp::start_with({
        let url = url.clone();
        move |s| send_to(s, url)
    })
    .await;
    // A second instance on the same database, with its own outbox job.
    let second = TestApp::start_on(&first, {
        let url = url.clone();
        move |s| send_to(s, url)
    })
    .await;
    for email in ["ana@contoso.demo", "fabio@fabrikam.demo", "tina@tailspin.demo"] {
        ask_for_reset(&first, email).await;
    }
    // Both instances try and fail; the reason shows in Admin → Outbox.
    let mut failed_once = false;
    for _ in 0..100 {
        let waiting = outbox_messages::Entity::find().all(&first.db).await.unwrap();
        if waiting.len() == 3 && waiting.iter().all(|m| m.attempts >= 1 && m.last_error.is_some()) {
            failed_once = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failed_once, "every message was tried and kept");
    let admin = first.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let (_, outbox) = admin.page("/admin/outbox").await;
    assert!(outbox.contains("Waiting to retry at"), "{outbox}");
    assert!(outbox.contains(&addr.to_string()), "which server it sends through");

    // The server comes back: each message arrives exactly once.
    let sink = SmtpSink::start_on(addr).await;
    for email in ["ana@contoso.demo", "fabio@fabrikam.demo", "tina@tailspin.demo"] {
        sink.wait_for(email, "Restablezca su contraseña").await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.mails().len(), 3, "sent once, not once per instance");
    let sent = outbox_messages::Entity::find()
        .filter(outbox_messages::Column::Status.eq(OutboxStatus::Sent))
        .count(&first.db)
        .await
        .unwrap();
    assert_eq!(sent, 3);
    drop(second);
}

#[tokio::test]
async fn without_smtp_the_provider_admin_reads_the_mail_in_the_outbox_and_nobody_else_can() {
    let app = TestApp::start().await;
    ask_for_reset(&app, "fabio@fabrikam.demo").await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let (status, outbox) = admin.page("/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(outbox.contains("No SMTP server is configured"));
    assert!(outbox.contains("fabio@fabrikam.demo") && outbox.contains("Kept here"), "{outbox}");
    let message = outbox_messages::Entity::find().one(&app.db).await.unwrap().unwrap();
    let (status, shown) = admin.page(&format!("/admin/outbox/{}", message.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown.contains("/password-reset/"), "the demo's way to read its mail");
    let html = admin.get(&format!("/admin/outbox/{}/html", message.id)).await;
    assert!(html.headers()["content-security-policy"].to_str().unwrap().starts_with("sandbox"));

    let reseller = app.new_browser();
    reseller.sign_in("admin@andes.demo").await;
    let (status, _) = reseller.page(&format!("/admin/outbox/{}", message.id)).await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
}

#[tokio::test]
async fn a_billing_run_mails_each_invoice_and_a_payment_mails_a_receipt() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let (_, form) = admin.page("/admin/billing").await;
    let period = form.split("name=\"period\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let run = admin.submit("/admin/billing", "/admin/billing", &[("period", &period)]).await;
    assert_eq!(run.status(), StatusCode::SEE_OTHER, "queued");
    let invoice = sink.wait_for("ana@contoso.demo", "Factura ").await;
    assert!(invoice.text().contains(", IVA incluido."), "{}", invoice.text());
    let path = invoice.link_path("/invoices/");
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let (status, page) = ana.page(&path).await;
    assert_eq!(status, StatusCode::OK, "the link opens Ana's invoice");
    assert!(page.contains(path.trim_start_matches("/invoices/")));

    app.sign_in("tina@tailspin.demo").await;
    let order = app.buy(&[("M365-BS", "2")]).await;
    let receipt = sink.wait_for("tina@tailspin.demo", &format!("Pago recibido del pedido {}", order.number)).await;
    assert!(receipt.text().contains("Código de autorización:"), "{}", receipt.text());
    assert_eq!(sink.to("tina@tailspin.demo").iter().filter(|m| m.subject().contains("Pago recibido")).count(), 1);
}

#[tokio::test]
async fn a_stalled_smtp_server_does_not_stop_the_outbox_and_a_reset_link_dies_with_a_password_change() {
    // A server that accepts connections and never says a word.
    let stalled = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", stalled.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = stalled.accept().await {
            open.push(socket);
        }
    });
    let app = TestApp::start_with(move |s| send_to(s, url)).await;
    ask_for_reset(&app, "tina@tailspin.demo").await;
    let mut waiting = None;
    for _ in 0..100 {
        let message = outbox_messages::Entity::find().one(&app.db).await.unwrap();
        if message.as_ref().is_some_and(|m| m.last_error.is_some()) {
            waiting = message;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waiting = waiting.expect("the send gave up");
    assert_eq!(waiting.last_error.as_deref(), Some("the SMTP server stopped answering"));
    assert_eq!(waiting.status, OutboxStatus::Pending, "and will be retried");
    held.abort();

    // Tina changes her password on My Account: the reset link written before stops working.
    let at = waiting.text_body.find("/password-reset/").expect("the unsent link") + "/password-reset/".len();
    let token = &waiting.text_body[at..at + 43];
    app.sign_in("tina@tailspin.demo").await;
    let fields = [
        ("current_password", DEMO_PASSWORD),
        ("new_password", "another long password"),
        ("confirm_password", "another long password"),
    ];
    assert_eq!(app.submit("/account", "/account/password", &fields).await.status(), StatusCode::SEE_OTHER);
    let (status, _) = app.new_browser().page(&format!("/password-reset/{token}")).await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test]
async fn an_install_that_is_not_the_demo_never_shows_a_reset_link_in_the_outbox() {
    let demo = TestApp::start().await;
    let install = TestApp::start_on(&demo, |s| s.demo = false).await;
    ask_for_reset(&install, "fabio@fabrikam.demo").await;
    let mut message = None;
    for _ in 0..100 {
        message = outbox_messages::Entity::find().one(&install.db).await.unwrap();
        if message.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = message.expect("the reset mail is kept");
    install.sign_in("admin@stratus.demo").await;
    let (status, shown) = install.page(&format!("/admin/outbox/{}", message.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!shown.contains("/password-reset/"), "a reset link lets its reader in: {shown}");
    assert!(shown.contains("single-use link"));
    let (status, _) = install.page(&format!("/admin/outbox/{}/html", message.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
