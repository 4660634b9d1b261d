//! The storefront in Spanish (es-CL): the catalogue, a product, the cart, an order, a
//! subscription, an invoice and My Account's tables, with Chilean money (`$1.234.567`)
//! and dates (`26-11-2026`), and refusals and flash messages said in Spanish too.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use stratus::entities::enums::FutureActionStatus;

use crate::support::{has_word, location, run_invoice_number, visible_text, TestApp, ENGLISH_WORDS};

/// Checks a Spanish page: `<html lang="es-CL">` and none of the English interface words.
fn assert_spanish(path: &str, body: &str) {
    assert!(body.contains("<html lang=\"es-CL\""), "{path} is not marked Spanish");
    let text = visible_text(body);
    for word in ENGLISH_WORDS {
        assert!(!has_word(&text, word), "{path} still says {word:?}: {text}");
    }
}

/// A calendar day as the Spanish pages write it: `26-11-2026`.
fn dia(day: chrono::NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

#[tokio::test]
async fn the_catalogue_and_a_product_speak_spanish_with_chilean_prices() {
    let app = TestApp::start().await;
    let visitor = app.browser_asking_for(Some("es-CL"));
    let (status, body) = visitor.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_spanish("/", &body);
    assert!(body.contains("Catálogo"), "{body}");
    assert!(body.contains("Servicios en la nube de"), "{body}");
    assert!(body.contains("$11.500 al mes"), "Chilean pesos, per month in Spanish: {body}");
    assert!(body.contains("US$12,50 al mes"), "dollars with a decimal comma: {body}");
    assert!(body.contains("Reserva de 1 año: $620.000 por adelantado o $54.000 al mes · también por 3 años"));
    assert!(!body.contains("CLP 11") && !body.contains("per month"), "{body}");

    let (_, product) = visitor.page("/products/M365-BS").await;
    assert_spanish("/products/M365-BS", &product);
    assert!(product.contains("Agregar al carro") && product.contains("Cantidad"), "{product}");
    let (_, reservation) = visitor.page("/products/RI-D2SV5").await;
    assert_spanish("/products/RI-D2SV5", &reservation);
    for text in ["Precios por reserva", "Plazo", "Por adelantado (todo el plazo)", "$1.560.000", "Tipo de reserva"] {
        assert!(reservation.contains(text), "the reservation's page says {text}: {reservation}");
    }
}

#[tokio::test]
async fn the_cart_and_an_order_speak_spanish_and_refuse_in_spanish() {
    let app = TestApp::start().await;
    let tina = app.browser_asking_for(Some("es-CL"));
    tina.sign_in("tina@tailspin.demo").await;
    let fields = [("product_code", "M365-BS"), ("quantity", "3")];
    let added = tina.submit("/products/M365-BS", "/cart/items", &fields).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let (_, cart) = tina.page("/cart").await;
    assert_spanish("/cart", &cart);
    assert!(cart.contains("Se agregó 3 × Microsoft 365 Business Standard a su carro."), "the flash: {cart}");
    for text in ["Su carro", "Precio unitario", "Realizar pedido", "$11.500", "$34.500", "IVA (19%)", "$41.055"] {
        assert!(cart.contains(text), "the cart says {text}: {cart}");
    }

    // A refusal is said in Spanish too.
    let fields = [("product_code", "ACRONIS-USD"), ("quantity", "1")];
    let refused = tina.submit("/products/ACRONIS-USD", "/cart/items", &fields).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("Su carro está en CLP y"), "{refused}");
    assert!(refused.contains("Vacíe su carro o finalice esa compra primero."), "{refused}");

    let placed = tina.submit("/cart", "/orders", &[]).await;
    assert_eq!(placed.status(), StatusCode::SEE_OTHER);
    let order_page = location(&placed);
    let number = order_page.trim_start_matches("/orders/").to_string();
    let (status, order) = tina.page(&order_page).await;
    assert_eq!(status, StatusCode::OK);
    assert_spanish(&order_page, &order);
    assert!(order.contains(&format!("Se realizó el pedido {number}.")), "the flash: {order}");
    assert!(order.contains(&format!("<title>Pedido {number}")), "{order}");
    for text in ["Esperando el pago", "Pagar con WebPay", "Precio unitario", "$34.500", "$41.055"] {
        assert!(order.contains(text), "the order says {text}: {order}");
    }

    // Paid through the simulator: the receipt, and My Account's orders table, in Spanish.
    tina.pay(&order_page, "4051 8856 0044 6623").await;
    let (_, paid) = tina.page(&order_page).await;
    assert_spanish(&order_page, &paid);
    assert!(paid.contains("Pago aprobado.") && paid.contains("Código de autorización"), "{paid}");
    let stored = stratus::entities::orders::Entity::find()
        .filter(stratus::entities::orders::Column::Number.eq(number.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let placed_on = stored.created_at.with_timezone(&chrono_tz::America::Santiago).date_naive();
    let (_, account) = tina.page("/account").await;
    assert!(account.contains("Pagado") && account.contains(&dia(placed_on)), "{account}");
}

#[tokio::test]
async fn a_subscription_and_an_invoice_speak_spanish_with_chilean_dates() {
    let app = TestApp::start().await;
    let ana = app.browser_asking_for(Some("es-CL"));
    ana.sign_in("ana@contoso.demo").await;
    let bs = app.subscription_of("CONTOSO", "M365-BS").await;
    let path = format!("/subscriptions/{}", bs.id);
    let (status, page) = ana.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_spanish(&path, &page);
    let renewal = dia(bs.term_end_date + chrono::Duration::days(1));
    assert!(
        page.contains(&format!("La cantidad de esta suscripción cambia a 30 en la renovación del {renewal}.")),
        "the pending change, in Spanish: {page}"
    );
    let policy =
        format!("Cancele ahora (con un crédito proporcional) o al final del plazo, el {}.", dia(bs.term_end_date));
    assert!(page.contains(&policy), "the cancellation policy, in Spanish: {page}");
    let scheduled = format!("programado: cambio de cantidad en la próxima renovación el {renewal} (a 30)");
    assert!(page.contains(&scheduled) && page.contains("Sistema (Sistema)"), "the history, in Spanish: {page}");
    for text in ["Cancelación", "Historial", "Renovación automática", "Revocar este cambio programado", "al mes"] {
        assert!(page.contains(text), "the subscription says {text}: {page}");
    }

    // A refusal of the schedule form, in Spanish.
    let refused = ana.submit(&path, &format!("{path}/future-actions"), &[("action_type", "Explode")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("Elija qué cambio programar."));

    // Revoking the pending change: the flash in Spanish.
    let pending = stratus::entities::future_actions::Entity::find()
        .filter(stratus::entities::future_actions::Column::SubscriptionId.eq(bs.id))
        .filter(stratus::entities::future_actions::Column::Status.eq(FutureActionStatus::Pending))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let revoked = ana.submit(&path, &format!("/future-actions/{}/revoke", pending.id), &[]).await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let (_, page) = ana.page(&path).await;
    assert!(
        page.contains("Se revocó el cambio programado: cambio de cantidad en la próxima renovación."),
        "the flash: {page}"
    );

    // The invoice: headings, its date and its money the Chilean way.
    let number = run_invoice_number("CONTOSO", 2);
    let invoice = stratus::entities::invoices::Entity::find()
        .filter(stratus::entities::invoices::Column::Number.eq(number.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/invoices/{number}");
    let (status, page) = ana.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_spanish(&path, &page);
    assert!(page.contains(&format!("<title>Factura {number}")), "{page}");
    for text in ["Emitida por", "Facturada por", "Precio unitario", "Subtotal", "IVA (19%)"] {
        assert!(page.contains(text), "the invoice says {text}: {page}");
    }
    assert!(page.contains(&dia(invoice.issue_date)), "the issue date, dd-mm-yyyy: {page}");
    let total = stratus::i18n::format::money(stratus::i18n::Lang::EsCl, invoice.total, "CLP");
    assert!(total.starts_with('$') && page.contains(&total), "the total {total}: {page}");

    // My Account's tables: subscriptions with their term's end, invoices with their dates.
    let (_, account) = ana.page("/account").await;
    assert!(account.contains("Fin del plazo") && account.contains(&dia(bs.term_end_date)), "{account}");
    assert!(account.contains(&dia(invoice.issue_date)) && account.contains(&total), "{account}");
}
