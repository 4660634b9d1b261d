//! E-mail in its recipient's language: the user's saved choice, else the default of the
//! brand the message comes in (Stratus Cloud and Andes IT: Spanish; Pacific Partners:
//! English), never the language of whichever browser caused the message. Dates and money
//! in a mail are in the recipient's language.

use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use stratus::entities::{accounts, invoices, users};

use crate::mail::send_to;
use crate::smtp_sink::{Mail, SmtpSink};
use crate::support::{Browser, TestApp};

async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::start_with(move |s| send_to(s, url)).await
}

/// Groups of three digits joined by `separator`: `1234567` → `1.234.567`.
fn grouped(value: i64, separator: char) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    if value < 0 {
        format!("-{out}")
    } else {
        out
    }
}

async fn invoice_of(app: &TestApp, mail: &Mail) -> invoices::Model {
    let path = mail.link_path("/invoices/");
    let number = path.trim_start_matches("/invoices/");
    let found = invoices::Entity::find().filter(invoices::Column::Number.eq(number)).one(&app.db).await.unwrap();
    found.unwrap_or_else(|| panic!("no invoice {number}"))
}

async fn ask_for_reset(browser: &Browser, email: &str) {
    let response = browser.submit("/password-reset", "/password-reset", &[("email", email)]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_invoice_is_mailed_in_spanish_to_who_chose_nothing_and_in_english_to_who_chose_english() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    // Beatriz browses in Spanish but chooses English in the footer's switcher: saved on her user.
    let beatriz = app.browser_asking_for(Some("es-CL"));
    beatriz.sign_in("beatriz@contoso.demo").await;
    let (_, account) = beatriz.page("/account").await;
    assert!(account.contains("<html lang=\"es"), "a Spanish browser gets Spanish pages");
    let chose = beatriz.submit("/account", "/language", &[("language", "en"), ("next", "/account")]).await;
    assert_eq!(chose.status(), StatusCode::SEE_OTHER);
    let saved = users::Entity::find().filter(users::Column::Email.eq("beatriz@contoso.demo")).one(&app.db).await;
    assert_eq!(saved.unwrap().unwrap().language.as_deref(), Some("en"));

    // A billing run invoices Contoso Chile: each of its users hears of it.
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let (_, form) = admin.page("/admin/billing").await;
    let period = form.split("name=\"period\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let run = admin.submit("/admin/billing", "/admin/billing", &[("period", &period)]).await;
    assert_eq!(run.status(), StatusCode::SEE_OTHER, "queued");

    // Ana chose no language: Andes IT's Spanish, pesos as `$1.234.567`, days as `26-11-2026`.
    let spanish = sink.wait_for("ana@contoso.demo", "Factura ").await;
    let invoice = invoice_of(&app, &spanish).await;
    assert_eq!(invoice.currency, "CLP");
    assert_eq!(spanish.subject(), format!("Factura {} · Andes IT", invoice.number));
    let text = spanish.text();
    assert!(text.starts_with("Hola, Ana:\n\n"), "{text}");
    let said = format!(
        "La factura {} del período {period} se emitió el {}: ${}, IVA incluido.",
        invoice.number,
        invoice.issue_date.format("%d-%m-%Y"),
        grouped(invoice.total, '.')
    );
    assert!(text.contains(&said), "{said} in {text}");
    assert!(text.contains("Ver la factura:\nhttp"), "{text}");
    assert!(text.contains("¿Preguntas? Escriba a soporte@andes.demo"), "{text}");
    assert!(!text.contains("CLP") && !text.contains("Hello") && !text.contains("VAT"), "{text}");
    assert!(spanish.html().contains("<html lang=\"es-CL\">"));
    assert!(spanish.html().contains(">Ver la factura</a>"));

    // Beatriz chose English: the same invoice, in English.
    let english = sink.wait_for("beatriz@contoso.demo", "Invoice ").await;
    assert_eq!(invoice_of(&app, &english).await.id, invoice.id);
    assert_eq!(english.subject(), format!("Invoice {} · Andes IT", invoice.number));
    let text = english.text();
    assert!(text.starts_with("Hello Beatriz,\n\n"), "{text}");
    let said = format!(
        "Invoice {} for {period} was issued on {}: CLP {}, VAT included.",
        invoice.number,
        invoice.issue_date.format("%b %-d, %Y"),
        grouped(invoice.total, ',')
    );
    assert!(text.contains(&said), "{said} in {text}");
    assert!(text.contains("View the invoice:\nhttp"), "{text}");
    assert!(text.contains("Questions? Write to soporte@andes.demo"), "{text}");
    assert!(!text.contains("Factura") && !text.contains("IVA"), "{text}");
    assert!(english.html().contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn a_pacific_partners_customer_is_written_to_in_english_once_its_brand_is_shown() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    // Pacific Partners' branding is off in the demo: Fabio's mail comes from the provider,
    // in the provider's Spanish, whatever language the asking browser speaks.
    ask_for_reset(&app, "fabio@fabrikam.demo").await;
    let spanish = sink.wait_for("fabio@fabrikam.demo", "Restablezca su contraseña").await;
    assert_eq!(spanish.subject(), "Restablezca su contraseña · Stratus Cloud");
    let text = spanish.text();
    assert!(text.starts_with("Hola, Fabio:\n\n"), "{text}");
    assert!(text.contains("Alguien pidió restablecer la contraseña de fabio@fabrikam.demo."), "{text}");
    assert!(text.contains("durante 30 minutos"), "{text}");
    assert!(text.contains("Elegir una contraseña nueva:\nhttp"), "{text}");
    assert!(text.contains("Si usted no lo pidió, ignore este mensaje"), "{text}");
    assert!(text.contains("¿Preguntas? Escriba a support@stratus.demo"), "{text}");

    // With its branding on, Pacific Partners' brand (English) writes to its customers.
    let pacific = app.account("PACIFIC").await;
    let mut enabled: accounts::ActiveModel = pacific.into();
    enabled.branding_enabled = Set(true);
    enabled.update(&app.db).await.unwrap();
    ask_for_reset(&app.browser_asking_for(Some("es-CL")), "fabio@fabrikam.demo").await;
    let english = sink.wait_for("fabio@fabrikam.demo", "Reset your password").await;
    assert_eq!(english.subject(), "Reset your password · Pacific Partners");
    let text = english.text();
    assert!(text.starts_with("Hello Fabio,\n\n"), "{text}");
    assert!(
        text.contains(
            "Someone asked to reset the password of fabio@fabrikam.demo. The link below works once, for 30 minutes."
        ),
        "{text}"
    );
    assert!(text.contains("Choose a new password:\nhttp"), "{text}");
    assert!(text.contains("Questions? Write to help@pacific.demo"), "{text}");
    assert!(!text.contains("contraseña"), "{text}");
    // Both links work: the language changes the words, never the link.
    assert!(spanish.link_path("/password-reset/").len() > "/password-reset/".len() + 20);
    assert!(english.link_path("/password-reset/").len() > "/password-reset/".len() + 20);
}

async fn change_password(browser: &Browser, from: &str, to: &str) {
    let fields = [("current_password", from), ("new_password", to), ("confirm_password", to)];
    let response = browser.submit("/account", "/account/password", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_security_notice_follows_the_language_the_user_saves() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let ana = app.browser_asking_for(Some("es-CL"));
    ana.sign_in("ana@contoso.demo").await;
    // Ana's password change, told in Andes IT's Spanish.
    change_password(&ana, crate::support::DEMO_PASSWORD, "a first long password").await;
    let spanish = sink.wait_for("ana@contoso.demo", "Se cambió su contraseña").await;
    assert_eq!(spanish.subject(), "Se cambió su contraseña · Andes IT");
    let text = spanish.text();
    assert!(text.contains("Se cambió la contraseña de ana@contoso.demo."), "{text}");
    assert!(text.contains("Revisar sus opciones de inicio de sesión:\nhttp"), "{text}");
    assert!(text.contains("Si no fue usted, restablezca su contraseña e informe a su administrador."), "{text}");

    // She saves English on Language and time zone: the next notice is in English.
    let saved = ana
        .submit(
            "/account/preferences",
            "/account/preferences",
            &[("language", "en"), ("time_zone", "America/Santiago")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    change_password(&ana, "a first long password", "a second long password").await;
    let english = sink.wait_for("ana@contoso.demo", "Your password was changed").await;
    assert_eq!(english.subject(), "Your password was changed · Andes IT");
    let text = english.text();
    assert!(text.starts_with("Hello Ana,\n\n"), "{text}");
    assert!(text.contains("The password of ana@contoso.demo was changed."), "{text}");
    assert!(text.contains("Review your login options:\nhttp"), "{text}");
    assert!(text.contains("If this was not you, reset your password and tell your administrator."), "{text}");
}
