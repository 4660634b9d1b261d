//! The identity pages in Spanish (`Accept-Language: es-CL`): sign-in, a refused password,
//! the password reset, sign-up and My Account (with its Language and time zone); and My
//! Account in English.

use reqwest::StatusCode;

use crate::support::{csrf_in, TestApp, DEMO_PASSWORD};

/// The `<section id=…>` of a page.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let end = page[start..].find("</section>").map_or(page.len(), |end| start + end);
    &page[start..end]
}

/// None of the English words of the interface the crawl looks for.
fn no_english(page: &str) {
    for word in ["My Account", "Sign out", "Catalogue", ">Cart<", "Subscriptions", "Invoices", ">Save"] {
        assert!(!page.contains(word), "{word} left in English");
    }
}

#[tokio::test]
async fn the_sign_in_page_and_a_wrong_password_are_in_spanish() {
    let app = TestApp::start().await;
    let browser = app.browser_asking_for(Some("es-CL"));
    let (status, page) = browser.page("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html lang=\"es-CL\""), "{page}");
    assert!(page.contains("<h1>Iniciar sesión</h1>"), "{page}");
    assert!(page.contains("Correo electrónico"));
    assert!(page.contains("Contraseña"));
    assert!(page.contains("¿Olvidó su contraseña?"));
    assert!(!page.contains("Forgot your password?"));
    no_english(&page);

    let token = csrf_in(&page).expect("a form");
    let refused = browser
        .post_form("/login", &[("email", "ana@contoso.demo"), ("password", "not-the-password"), ("csrf_token", &token)])
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let page = refused.text().await.expect("body");
    assert!(page.contains("Ese correo electrónico y contraseña no funcionaron."), "{page}");
    assert!(!page.contains("That e-mail and password did not work"));
}

#[tokio::test]
async fn the_password_reset_and_sign_up_pages_are_in_spanish() {
    let app = TestApp::start().await;
    let browser = app.browser_asking_for(Some("es-CL"));
    let (_, page) = browser.page("/password-reset").await;
    assert!(page.contains("<h1>¿Olvidó su contraseña?</h1>"), "{page}");
    assert!(page.contains("Enviar el enlace"));
    assert!(page.contains("Volver a iniciar sesión"));
    no_english(&page);

    let answer = browser.submit("/password-reset", "/password-reset", &[("email", "nobody@example.com")]).await;
    let page = answer.text().await.expect("body");
    assert!(page.contains("Revise su correo"), "{page}");

    let (status, page) = browser.page("/sign-up").await;
    assert_eq!(status, StatusCode::OK, "the demo takes sign-ups");
    assert!(page.contains("<h1>Crear cuenta</h1>"), "{page}");
    assert!(page.contains("Razón social"));
    assert!(page.contains(">Perú</option>"), "country names in Spanish");
    assert!(page.contains("Crear mi cuenta"));
    no_english(&page);

    // Refused fields are told in Spanish, the RUT's included.
    let refused = browser
        .submit(
            "/sign-up",
            "/sign-up",
            &[
                ("company_name", "Viña Andina SpA"),
                ("country", "CL"),
                ("tax_id", "76.086.428-4"),
                ("billing_email", "pagos@andina.cl"),
                ("name", "Marta Soto"),
                ("email", "marta@andina"),
                ("password", "a-long-password"),
                ("confirmation", "another-password"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("body");
    assert!(page.contains("El dígito verificador de este RUT no es correcto"), "{page}");
    assert!(page.contains("Ingrese un correo electrónico como nombre@ejemplo.cl."), "{page}");
    assert!(page.contains("Las dos contraseñas nuevas no coinciden."), "{page}");
}

#[tokio::test]
async fn my_account_is_in_spanish_with_its_dates_and_its_language_and_time_zone() {
    let app = TestApp::start().await;
    let browser = app.browser_asking_for(Some("es-CL"));
    let before = chrono::Utc::now().with_timezone(&chrono_tz::America::Santiago).format("%d-%m-%Y").to_string();
    let signed_in = browser.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let (status, page) = browser.page("/account").await;
    let after = chrono::Utc::now().with_timezone(&chrono_tz::America::Santiago).format("%d-%m-%Y").to_string();
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html lang=\"es-CL\""));
    assert!(page.contains("<h1>Mi cuenta</h1>"), "{page}");
    for words in [
        "Perfil",
        "Guardar perfil",
        "Cambiar contraseña",
        "Opciones de inicio de sesión",
        "App de autenticación",
        "Sesiones",
        "Cerrar todas las demás sesiones",
        "Esta sesión",
        "Suscripciones",
        "Facturas",
        "Actividad de seguridad reciente",
        "inicio de sesión",
    ] {
        assert!(page.contains(words), "{words} missing");
    }
    no_english(&page);
    // The session's start, in the viewer's time zone as Chile writes it (no "UTC").
    assert!(page.contains(&format!("<td>{before}, ")) || page.contains(&format!("<td>{after}, ")), "{page}");
    let sessions = section(&page, "sessions");
    assert!(!sessions.contains("UTC"), "{sessions}");
    assert!(section(&page, "security-activity").contains(&format!("<td>{after}, ")));
    // Language and time zone: what the pages use now, and where to change them.
    assert!(page.contains("Idioma y zona horaria"));
    assert!(page.contains("Español (el del navegador o, si no, el de la tienda)"), "{page}");
    assert!(page.contains("America/Santiago"));
    assert!(page.contains("href=\"/account/preferences\""));

    // Confirming it is you, before changing how one signs in.
    let (_, page) = browser.page("/account/reauth?then=options").await;
    assert!(page.contains("<h1>Confirme que es usted</h1>"), "{page}");
    assert!(page.contains("Por su seguridad, ingrese de nuevo su contraseña"));
    no_english(&page);

    // A wrong current password is refused in Spanish.
    let refused = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "wrong-password"),
                ("new_password", "a-new-password-1"),
                ("confirm_password", "a-new-password-1"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("body");
    assert!(page.contains("Su contraseña actual no fue aceptada"), "{page}");
}

#[tokio::test]
async fn my_account_in_english_links_to_language_and_time_zone() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (_, page) = app.page("/account").await;
    assert!(page.contains("<h1>My Account</h1>"));
    assert!(page.contains("<h2>Language and time zone</h2>"), "{page}");
    assert!(page.contains("English (the browser's, else the storefront's)"), "{page}");
    assert!(page.contains("Change the language and time zone"));
    for word in ["Mi cuenta", "Cerrar sesión", "Catálogo", "Suscripciones", "Facturas", "Guardar"] {
        assert!(!page.contains(word), "{word} in English");
    }
}
