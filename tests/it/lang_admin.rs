//! The provider's admin area in Spanish (`Accept-Language: es-CL`) and English: the menu,
//! headings, tables, buttons, flash messages, form errors, job progress, money and dates.

use reqwest::StatusCode;

use crate::support::{location, visible_text, TestApp, ENGLISH_WORDS, SPANISH_WORDS};

/// The admin pages a provider admin reaches from the admin menu and its lists.
const ADMIN_PAGES: [&str; 20] = [
    "/admin",
    "/admin/resellers",
    "/admin/resellers/new",
    "/admin/resellers/ANDES",
    "/admin/users",
    "/admin/security",
    "/admin/identity-providers",
    "/admin/identity-providers/new",
    "/admin/authentication",
    "/admin/security-events",
    "/admin/audit",
    "/admin/payments",
    "/admin/payments/transactions",
    "/admin/catalogue",
    "/admin/catalogue/new",
    "/admin/catalogue/M365-BS",
    "/admin/attention",
    "/admin/usage",
    "/admin/billing",
    "/admin/jobs",
];

#[tokio::test]
async fn the_admin_area_speaks_spanish_to_a_spanish_browser_and_english_to_an_english_one() {
    let app = TestApp::start().await;
    let admin = app.browser_asking_for(Some("es-CL"));
    admin.sign_in("admin@stratus.demo").await;

    let (status, accounts) = admin.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(accounts.contains("<html lang=\"es-CL\""), "{accounts}");
    for said in ["Administración · Cuentas", "Usuarios y bloqueos", "Pedidos que requieren atención", "Tipo"] {
        assert!(accounts.contains(said), "{said}: {accounts}");
    }
    assert!(accounts.contains(">Revendedor<") && accounts.contains(">Cliente<"), "account tiers: {accounts}");

    for path in ADMIN_PAGES {
        let (status, body) = admin.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let text = visible_text(&body);
        for word in ENGLISH_WORDS {
            assert!(!text.contains(word), "{path} still says {word:?}: {text}");
        }
    }

    // Headings, labels, buttons and the product's kind, cycle and status.
    let (_, catalogue) = admin.page("/admin/catalogue").await;
    for said in ["Nuevo producto", "Ciclo y plazo", "Suscripciones", "Suscripción de licencias", "publicado", "Mensual"]
    {
        assert!(catalogue.contains(said), "{said}: {catalogue}");
    }
    let (_, product) = admin.page("/admin/catalogue/M365-BS").await;
    assert!(product.contains("Volver al catálogo") && product.contains(">Guardar<"), "{product}");

    // A flash message and a form error.
    let response = admin
        .submit("/admin/security", "/admin/security", &[("max_failed_logins", "7"), ("lockout_minutes", "20")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, saved) = admin.page(&location(&response)).await;
    assert!(saved.contains("Seguridad del inicio de sesión guardada."), "{saved}");
    let response = admin
        .submit("/admin/security", "/admin/security", &[("max_failed_logins", "2"), ("lockout_minutes", "15")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("deben estar entre 3 y 25 (ingresó 2)"), "{refused}");

    // Refusals of the capabilities behind the forms.
    let empty_provider =
        [("name", ""), ("kind", "oidc"), ("issuer", "ftp://x"), ("client_id", ""), ("client_secret", "")];
    let response = admin.submit("/admin/identity-providers/new", "/admin/identity-providers", &empty_provider).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = response.text().await.unwrap();
    for said in [
        "Dé al proveedor un nombre de 1 a 100 caracteres.",
        "El emisor debe usar https",
        "Ingrese el secreto de cliente.",
    ] {
        assert!(refused.contains(said), "{said}: {refused}");
    }
    let gateway = [("commerce_code", "abc"), ("api_key_secret", ""), ("environment_choice", "integration")];
    let response = admin.submit("/admin/payments", "/admin/payments", &gateway).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("El código de comercio es el número que le dio Transbank"), "{refused}");
    let addon = [("name", "Complemento"), ("vendor", "Microsoft"), ("family", "microsoft_365"), ("kind", "addon")];
    let addon =
        [&addon[..], &[("billing_cycle", "monthly"), ("term_months", "1"), ("base_product", "M365-BS")]].concat();
    let response = admin.submit("/admin/catalogue/M365-BS", "/admin/catalogue/M365-BS", &addon).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("suscripciones usan este producto: no admite cambios en su tipo"), "{refused}");
    let new_addon = [&addon[..], &[("code", "ADDON-X"), ("base_product", "NOPE")]].concat();
    let new_addon: Vec<_> = new_addon.into_iter().filter(|(k, v)| *k != "base_product" || *v == "NOPE").collect();
    let response = admin.submit("/admin/catalogue/new", "/admin/catalogue/new", &new_addon).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("No hay ningún producto con el código NOPE."), "{refused}");

    // Date-times day first, in the viewer's time zone (the demo's is America/Santiago).
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Santiago).format("%d-%m-%Y").to_string();
    let (_, events) = admin.page("/admin/security-events").await;
    assert!(events.contains(&today) && events.contains("inicio de sesión"), "{today}: {events}");
    assert!(!events.contains(" UTC"), "{events}");
    let (_, audit) = admin.page("/admin/audit").await;
    assert!(audit.contains("Registro de auditoría") && audit.contains(&today), "{today}: {audit}");

    // A billing run: its job's status, progress and invoices, the totals in pesos.
    let period = chrono::Utc::now().date_naive();
    let last_month = stratus::billing::run::Period::of(period).previous().label();
    let response = admin.submit("/admin/billing", "/admin/billing", &[("period", &last_month)]).await;
    let job = admin.finished_job(response).await;
    let summary = format!("Proceso de facturación de {last_month}: ");
    for said in ["Terminada", "cuentas listas", "Facturas emitidas", "Iniciada por", &summary, "factura(s) emitida(s);"]
    {
        assert!(job.contains(said), "{said}: {job}");
    }
    let peso = regex_like_peso(&job);
    assert!(peso.is_some(), "a total like $119.000: {job}");
    let (_, jobs) = admin.page("/admin/jobs").await;
    assert!(jobs.contains("Terminada") && jobs.contains(&today), "{jobs}");
    // The billing form, and a month it cannot bill, in Spanish.
    let (_, form) = admin.page("/admin/billing").await;
    assert!(form.contains("Ejecutar facturación") && form.contains("Guardar tasa de IVA"), "{form}");
    let response = admin.submit("/admin/billing", "/admin/billing", &[("period", "2026-13")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("«2026-13» no es un período de facturación"), "{refused}");

    // The same pages in English keep their words and have none of the Spanish ones.
    let english = app.new_browser();
    english.sign_in("admin@stratus.demo").await;
    let (_, accounts) = english.page("/admin").await;
    assert!(accounts.contains("Admin · Accounts") && accounts.contains(">Catalogue<"), "{accounts}");
    for path in ADMIN_PAGES {
        let (status, body) = english.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let text = visible_text(&body);
        for word in SPANISH_WORDS {
            assert!(!text.contains(word), "{path} says {word:?} in English: {text}");
        }
    }
    let (_, jobs) = english.page("/admin/jobs").await;
    assert!(jobs.contains("Billing run") && jobs.contains(">Done<"), "{jobs}");
}

/// A peso amount as Spanish writes it in a number cell: `$` then digits grouped by dots.
fn regex_like_peso(body: &str) -> Option<String> {
    body.match_indices("<td class=\"num\">$").find_map(|(at, marker)| {
        let rest = &body[at + marker.len()..];
        let amount: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        (amount.contains('.') && !amount.starts_with('.')).then(|| format!("${amount}"))
    })
}
