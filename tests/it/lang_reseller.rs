//! The reseller area in Spanish (es-CL) and English: customers, users, price list,
//! brand, API clients and reports speak the viewer's language with Chilean money and
//! dates; a brand's default language is what a visitor whose browser asks for none gets.

use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::cookie::Jar;
use reqwest::{Client, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use stratus::entities::{accounts, brands};
use stratus::i18n::{format, Lang};

use crate::support::{has_word, visible_text, Browser, TestApp, ENGLISH_WORDS};

/// A browser that asks for no language at all.
fn browser_without_language(app: &TestApp) -> Browser {
    let jar = Arc::new(Jar::default());
    let client = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Browser { base: app.base.clone(), client, jar }
}

const SPANISH_WORDS: [&str; 7] =
    ["Mi cuenta", "Cerrar sesión", "Catálogo", "Carro", "Suscripciones", "Facturas", "Guardar"];

fn assert_spanish(path: &str, body: &str) {
    assert!(body.contains("<html lang=\"es-CL\""), "{path} is not marked Spanish");
    let text = visible_text(body);
    for word in ENGLISH_WORDS {
        assert!(!has_word(&text, word), "{path} still says “{word}” in Spanish: {text}");
    }
}

fn assert_english(path: &str, body: &str) {
    assert!(body.contains("<html lang=\"en\""), "{path} is not marked English");
    let text = visible_text(body);
    for word in SPANISH_WORDS {
        assert!(!has_word(&text, word), "{path} says “{word}” in English: {text}");
    }
}

#[tokio::test]
async fn a_resellers_pages_speak_chilean_spanish_with_its_money_and_dates() {
    let app = TestApp::start().await;
    let andes = app.browser_asking_for(Some("es-CL"));
    andes.sign_in("admin@andes.demo").await;

    let (status, customers) = andes.page("/reseller").await;
    assert_eq!(status, StatusCode::OK);
    // (The invitation campaign below the list is the identity pages' part: its words are theirs.)
    assert!(customers.contains("<html lang=\"es-CL\""));
    for said in ["Nuevo cliente", "Lista de precios: lo que pagan sus clientes"] {
        assert!(customers.contains(said), "{said}: {customers}");
    }
    assert!(customers.contains("<span class=\"tag\">Activa</span>"), "the status in Spanish: {customers}");
    assert!(customers.contains("Clientes a los que Andes IT factura."), "{customers}");

    // The price list: Chilean pesos, and a markup scheduled from a day written 26-11-2026.
    let (_, prices) = andes.page("/reseller/prices").await;
    assert_spanish("/reseller/prices", &prices);
    assert!(prices.contains("Lista de precios") && prices.contains("Guardar el precio"));
    assert!(prices.contains("$9.800"), "Chilean pesos: {prices}");
    assert!(!prices.contains("CLP 9"), "no English money: {prices}");
    let tomorrow = Utc::now().date_naive() + Duration::days(1);
    let from = tomorrow.to_string();
    let fields = [("product", "M365-BS"), ("currency", "CLP"), ("kind", "markup"), ("markup", "12,5"), ("from", &from)];
    let saved = andes.submit("/reseller/prices", "/reseller/prices", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{:?}", saved.text().await);
    let (_, prices) = andes.page("/reseller/prices").await;
    let day = format::date(Lang::EsCl, tomorrow);
    assert_eq!(day, tomorrow.format("%d-%m-%Y").to_string());
    assert!(prices.contains(&format!("su precio desde el {day}: costo + 12,5 %")), "{prices}");
    assert!(prices.contains("Se guardó su precio para Microsoft 365 Business Standard."), "the flash: {prices}");
    // A refusal in Spanish, with the money in pesos.
    let below = [("product", "M365-BS"), ("currency", "CLP"), ("kind", "fixed"), ("amount", "9799"), ("from", &from)];
    let refused = andes.submit("/reseller/prices", "/reseller/prices", &below).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains(&format!("$9.799 es menor que su costo de $9.800 desde el {day}")), "{refused}");

    // A new customer refused field by field, in Spanish.
    let bad = [("code", "A"), ("name", "Viña Sur"), ("legal_name", ""), ("country", "CL"), ("tax_id", "76.086.428-4")];
    let refused = andes.submit("/reseller/customers/new", "/reseller/customers/new", &bad).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert_spanish("/reseller/customers/new (refused)", &refused);
    for said in [
        "código: Un código tiene entre 2 y 20 caracteres.",
        "razón social: Ingrese un nombre.",
        "RUT: El dígito verificador de este RUT no es correcto: revise el número.",
        "Crear el cliente",
    ] {
        assert!(refused.contains(said), "{said}: {refused}");
    }

    // Users, the brand, API clients and reports.
    let (_, users) = andes.page("/accounts/CONTOSO/users").await;
    assert_spanish("/accounts/CONTOSO/users", &users);
    assert!(users.contains("Usuarios de Contoso Chile") && users.contains("Invitar a un usuario"), "{users}");
    let (_, brand) = andes.page("/brands/ANDES").await;
    assert_spanish("/brands/ANDES", &brand);
    assert!(brand.contains("Guardar marca") && brand.contains("Idioma predeterminado"), "{brand}");
    assert!(brand.contains("<option value=\"es-CL\" selected"), "Andes speaks Spanish by default: {brand}");
    assert!(brand.contains("$11.500 al mes"), "the preview in the brand's language: {brand}");
    let (_, clients) = andes.page("/api-clients").await;
    assert_spanish("/api-clients", &clients);
    assert!(clients.contains("Clientes de API") && clients.contains("Crear cliente"));
    let (_, reports) = andes.page("/reports").await;
    assert_spanish("/reports", &reports);
    assert!(reports.contains("Informes listos") && reports.contains("Fecha de factura"), "{reports}");
    let (status, refused) = andes.page("/reports?field=total&from=2026-10-31&to=2026-10-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused.contains("El rango de fechas está invertido: desde el 31-10-2026 es posterior a hasta el 01-10-2026."),
        "{refused}"
    );

    // The CSV's headings are Spanish; its values stay data.
    let csv = andes.get("/reports/export.csv?field=invoice_number&field=invoice_date&field=total").await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("N.º de factura,Fecha de factura,Total\n"), "{csv}");

    // The same pages in English say none of the Spanish words.
    let english = app.new_browser();
    english.sign_in("admin@andes.demo").await;
    for path in ["/reseller", "/reseller/prices", "/accounts/CONTOSO/users", "/api-clients", "/reports"] {
        let (status, body) = english.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_english(path, &body);
    }
    let (_, prices) = english.page("/reseller/prices").await;
    let day = format::date(Lang::En, tomorrow);
    assert!(prices.contains(&format!("your price from {day}: cost + 12.5 %")), "{prices}");
    assert!(prices.contains("CLP 9,800"), "{prices}");
    let csv = english.get("/reports/export.csv?field=invoice_number&field=invoice_date&field=total").await;
    assert!(csv.text().await.unwrap().starts_with("Invoice #,Invoice Date,Total\n"));
}

async fn andes_brand(app: &TestApp) -> brands::Model {
    let andes =
        accounts::Entity::find().filter(accounts::Column::Code.eq("ANDES")).one(&app.db).await.unwrap().unwrap();
    brands::Entity::find().filter(brands::Column::AccountId.eq(andes.id)).one(&app.db).await.unwrap().unwrap()
}

fn brand_form<'a>(language: &'a str, zone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("company_name", "Andes IT"),
        ("logo_url", ""),
        ("favicon_url", ""),
        ("primary_color", "#0b6e4f"),
        ("accent_color", "#c8553d"),
        ("support_email", "soporte@andes.demo"),
        ("footer_text", "Andes IT Ltda."),
        ("default_language", language),
        ("time_zone", zone),
        ("intent", "save"),
    ]
}

#[tokio::test]
async fn a_brands_default_language_is_what_a_visitor_whose_browser_asks_for_none_gets() {
    let app = TestApp::start().await;
    let visitor = browser_without_language(&app);
    let on_andes_host =
        || async { visitor.client.get(visitor.url("/")).header("host", "shop.andes.demo").send().await.unwrap() };
    // (The storefront's own words are another page's; its shell says the language.)
    let before = on_andes_host().await.text().await.unwrap();
    assert!(before.contains("<html lang=\"es-CL\""), "Andes speaks Spanish by default");
    assert!(before.contains(">Catálogo</a>") && before.contains(">Iniciar sesión</a>"), "{before}");

    // The reseller's admin (in English) chooses English and another time zone.
    app.sign_in("admin@andes.demo").await;
    let (_, form) = app.page("/brands/ANDES").await;
    assert!(form.contains("name=\"default_language\"") && form.contains("name=\"time_zone\""), "{form}");
    assert!(form.contains("<option value=\"America/Santiago\" selected"), "{form}");
    // Unknown values are refused beside the form, and nothing changes.
    let refused = app.submit("/brands/ANDES", "/brands/ANDES", &brand_form("fr", "Mars/Olympus")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("Choose one of the languages offered."), "{refused}");
    assert!(refused.contains("Choose one of the time zones offered."), "{refused}");
    assert_eq!(andes_brand(&app).await.default_language, "es-CL");

    // The preview shows them before they are saved.
    let mut preview = brand_form("en", "Pacific/Easter");
    preview.retain(|(name, _)| *name != "intent");
    preview.push(("intent", "preview"));
    let shown = app.submit("/brands/ANDES", "/brands/ANDES", &preview).await.text().await.unwrap();
    assert!(shown.contains("Default language: English · Time zone: Pacific/Easter"), "{shown}");
    assert!(shown.contains("CLP 11,500 per month"), "{shown}");
    assert_eq!(andes_brand(&app).await.default_language, "es-CL", "a preview saves nothing");

    let saved = app.submit("/brands/ANDES", "/brands/ANDES", &brand_form("en", "Pacific/Easter")).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let brand = andes_brand(&app).await;
    assert_eq!((brand.default_language.as_str(), brand.time_zone.as_str()), ("en", "Pacific/Easter"));
    let (_, audit) = app.page("/reseller/audit").await;
    assert!(audit.contains("default language: es-CL → en"), "audited: {audit}");
    assert!(audit.contains("time zone: America/Santiago → Pacific/Easter"), "audited: {audit}");
    let (_, form) = app.page("/brands/ANDES").await;
    assert!(form.contains("<option value=\"en\" selected"), "{form}");
    assert!(form.contains("<option value=\"Pacific/Easter\" selected"), "{form}");

    // A visitor who asks for no language now gets English; one who asks for Spanish, Spanish.
    let after = on_andes_host().await.text().await.unwrap();
    assert!(after.contains("<html lang=\"en\""), "{after}");
    assert!(after.contains(">Catalogue</a>") && after.contains(">Sign in</a>"), "{after}");
    let spanish = app.browser_asking_for(Some("es-CL"));
    let asked = spanish.client.get(spanish.url("/")).header("host", "shop.andes.demo").send().await.unwrap();
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("<html lang=\"es-CL\"") && asked.contains(">Catálogo</a>"), "{asked}");

    // A form without the two fields (an older page) keeps them as they are.
    let mut old_form = brand_form("", "");
    old_form.retain(|(name, _)| *name != "default_language" && *name != "time_zone");
    let saved = app.submit("/brands/ANDES", "/brands/ANDES", &old_form).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let brand = andes_brand(&app).await;
    assert_eq!((brand.default_language.as_str(), brand.time_zone.as_str()), ("en", "Pacific/Easter"));
}
