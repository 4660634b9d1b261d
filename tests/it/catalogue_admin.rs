//! Products administration (issue 19, item 1): the provider admin creates, edits,
//! publishes and unpublishes products; what subscriptions run on cannot change under
//! them; an unpublished product is no longer sold but keeps billing. Through HTTP, and
//! from the side of those who may not.

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use stratus::billing::run::Period;
use stratus::entities::enums::{ProductFamily, ProductKind, ReservationDimension, SubscriptionStatus};
use stratus::entities::{
    audit_log, cart_items, invoice_items, invoices, orders, products, reservation_options, subscription_addons,
    subscriptions,
};

use crate::support::{location, Browser, TestApp};

/// A licence subscription's form, with `overrides`.
pub(crate) fn product_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("code", "dyn-sales"),
        ("name", "Dynamics 365 Sales Professional"),
        ("vendor", "Microsoft"),
        ("family", "dynamics_365"),
        ("usage_family", "Dynamics 365"),
        ("kind", "license_subscription"),
        ("billing_cycle", "monthly"),
        ("term_months", "12"),
        ("minimum_commitment", ""),
        ("base_product", ""),
        ("reservation_types", ""),
        ("regions", ""),
        ("ri_reservation_type", ""),
        ("ri_term_years", ""),
        ("ri_scope", ""),
        ("ri_region", ""),
        ("description", "CRM for sales teams, per user."),
    ];
    for (name, value) in overrides {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

/// The form's error messages, for a failing assertion.
fn excerpt(body: &str) -> String {
    let at = body.find("form-error").unwrap_or(0);
    body[at..].chars().take(600).collect()
}

async fn product(app: &TestApp, code: &str) -> Option<products::Model> {
    products::Entity::find().filter(products::Column::Code.eq(code)).one(&app.db).await.unwrap()
}

/// (products, reservation options, audit entries).
async fn counts(app: &TestApp) -> (u64, u64, u64) {
    (
        products::Entity::find().count(&app.db).await.unwrap(),
        reservation_options::Entity::find().count(&app.db).await.unwrap(),
        audit_log::Entity::find().count(&app.db).await.unwrap(),
    )
}

async fn last_audit(app: &TestApp, action: &str) -> audit_log::Model {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .order_by_desc(audit_log::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no audit entry {action}"))
}

pub(crate) async fn create(browser: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    browser.submit("/admin/catalogue/new", "/admin/catalogue/new", fields).await
}

async fn edit(browser: &Browser, code: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let path = format!("/admin/catalogue/{code}");
    browser.submit(&path, &path, fields).await
}

async fn set_status(browser: &Browser, code: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let path = format!("/admin/catalogue/{code}");
    browser.submit(&path, &format!("{path}/status"), fields).await
}

async fn publish(browser: &Browser, code: &str) {
    let response = set_status(browser, code, &[("status", "published")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{code} published");
}

async fn unpublish(browser: &Browser, code: &str) {
    let response = set_status(browser, code, &[("status", "unpublished"), ("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{code} unpublished");
}

/// Whether the public catalogue lists `name`, and what the product page answers.
async fn on_sale(app: &TestApp, code: &str, name: &str) -> (bool, StatusCode) {
    let visitor = app.new_browser();
    let (_, catalogue) = visitor.page("/").await;
    let (status, _) = visitor.page(&format!("/products/{code}")).await;
    (catalogue.contains(name), status)
}

/// Subscriptions and add-ons that use the product and are not canceled.
async fn in_use(app: &TestApp, product_id: i32) -> u64 {
    let subscriptions = subscriptions::Entity::find()
        .filter(subscriptions::Column::ProductId.eq(product_id))
        .filter(subscriptions::Column::Status.ne(SubscriptionStatus::Canceled))
        .count(&app.db)
        .await
        .unwrap();
    let addons = subscription_addons::Entity::find()
        .filter(subscription_addons::Column::ProductId.eq(product_id))
        .filter(subscription_addons::Column::Status.ne(SubscriptionStatus::Canceled))
        .count(&app.db)
        .await
        .unwrap();
    subscriptions + addons
}

#[tokio::test]
async fn a_new_product_is_sold_once_published_and_no_longer_once_unpublished() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let (status, list) = app.page("/admin/catalogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("href=\"/admin/catalogue\""), "the admin menu links the catalogue");
    assert!(list.contains("href=\"/admin/catalogue/new\""));
    assert!(list.contains("href=\"/admin/catalogue/M365-BS\""), "every product can be edited");

    let response = create(&app.browser, &product_form(&[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/catalogue/DYN-SALES");
    let created = product(&app, "DYN-SALES").await.expect("created, its code upper-cased");
    assert!(!created.active, "a new product waits to be published");
    assert_eq!(
        (created.family, created.kind, created.term_months),
        (ProductFamily::Dynamics365, ProductKind::LicenseSubscription, 12)
    );
    let audit = last_audit(&app, "product created").await;
    assert_eq!(audit.target, "product DYN-SALES");
    assert_eq!(audit.actor_email.as_deref(), Some("admin@stratus.demo"));
    assert!(audit.changes.contains("family: Dynamics 365"), "{}", audit.changes);
    assert!(audit.changes.contains("status: unpublished"), "{}", audit.changes);
    let (_, list) = app.page("/admin/catalogue").await;
    assert!(list.contains("Dynamics 365 Sales Professional") && list.contains("unpublished"));
    let name = "Dynamics 365 Sales Professional";
    assert_eq!(on_sale(&app, "DYN-SALES", name).await, (false, StatusCode::NOT_FOUND), "not sold before");

    publish(&app.browser, "DYN-SALES").await;
    assert!(product(&app, "DYN-SALES").await.unwrap().active);
    assert_eq!(on_sale(&app, "DYN-SALES", name).await, (true, StatusCode::OK), "sold once published");
    assert!(last_audit(&app, "product published").await.changes.contains("status: unpublished → published"));

    // Unpublishing asks "Sure".
    let response = set_status(&app.browser, "DYN-SALES", &[("status", "unpublished")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Tick “Sure” to unpublish the product."));
    assert!(product(&app, "DYN-SALES").await.unwrap().active, "nothing changed");
    unpublish(&app.browser, "DYN-SALES").await;
    assert_eq!(on_sale(&app, "DYN-SALES", name).await, (false, StatusCode::NOT_FOUND), "not sold after");
    let audit = last_audit(&app, "product unpublished").await;
    assert!(audit.changes.contains("status: published → unpublished"));

    // The audit log shows each step.
    let (_, log) = app.page("/admin/audit").await;
    for action in ["product created", "product published", "product unpublished"] {
        assert!(log.contains(action), "{action} in the audit log");
    }
}

#[tokio::test]
async fn bad_product_input_names_the_field_and_writes_nothing() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let before = counts(&app).await;
    let long_name = "x".repeat(201);
    let long_text = "d".repeat(2_001);
    let many_lines = "a\n".repeat(5_000);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (product_form(&[("code", "x")]), "Code: A product code has 2 to 40 characters."),
        (product_form(&[("code", "dyn sales")]), "Code: A product code has only letters A to Z"),
        (product_form(&[("code", "m365-bs")]), "Code: The code M365-BS is already in use"),
        (product_form(&[("name", &long_name)]), "Name: A name has at most 200 characters."),
        (product_form(&[("vendor", "")]), "Vendor: Enter the vendor."),
        (product_form(&[("family", "office")]), "Family: Choose a family from the list."),
        (product_form(&[("kind", "bundle")]), "Kind: Choose a kind from the list."),
        (product_form(&[("term_months", "61")]), "Term: The term is a whole number of months from 1 to 60."),
        (
            product_form(&[("billing_cycle", "one_time")]),
            "Billing cycle: A subscription or add-on is billed monthly or yearly.",
        ),
        (product_form(&[("minimum_commitment", "5000")]), "Minimum commitment: Only a consumption product"),
        (product_form(&[("description", &long_text)]), "Description: A description has at most 2000 characters."),
        (product_form(&[("kind", "addon")]), "Base product: Choose the product this add-on is for."),
        (
            product_form(&[("kind", "addon"), ("base_product", "NOPE-1")]),
            "Base product: There is no product with the code NOPE-1.",
        ),
        (
            product_form(&[("kind", "addon"), ("base_product", "M365-DEFENDER")]),
            "base product cannot be another add-on.",
        ),
        (
            product_form(&[("kind", "reserved_instance"), ("billing_cycle", "one_time")]),
            "Reservation types: A reserved instance offers at least one reservation type.",
        ),
        (product_form(&[("regions", &many_lines)]), "Regions: The list of each region is too long"),
    ];
    for (fields, message) in &cases {
        let response = create(&app.browser, fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{message}: {}", excerpt(&body));
        assert!(body.contains("aria-invalid=\"true\""), "{message}: the field is marked");
    }
    assert_eq!(counts(&app).await, before, "nothing was written");
    assert!(product(&app, "DYN-SALES").await.is_none());
}

/// The form of a stored product as its edit page fills it (a licence subscription), with
/// `overrides`.
fn form_of(p: &products::Model, overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("name", p.name.clone()),
        ("vendor", p.vendor.clone()),
        ("family", p.family.as_str().into()),
        ("usage_family", p.usage_family.clone()),
        ("kind", p.kind.as_str().into()),
        ("billing_cycle", p.billing_cycle.as_str().into()),
        ("term_months", p.term_months.to_string()),
        ("description", p.description.clone()),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v))
    .collect();
    for (name, value) in overrides {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name.to_string(), value.to_string())),
        }
    }
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn the_term_of_a_product_in_use_cannot_change_but_its_name_can() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let bs = product(&app, "M365-BS").await.unwrap();
    let users = in_use(&app, bs.id).await;
    assert!(users > 1, "the demo's subscriptions use it");
    let (_, page) = app.page("/admin/catalogue/M365-BS").await;
    assert!(page.contains(&format!("{users} subscriptions (not canceled) use it")), "the page says how many");
    let before = counts(&app).await;

    let longer = (bs.term_months + 12).to_string();
    let refused = [("term_months", longer.as_str()), ("kind", "software_subscription"), ("billing_cycle", "annual")];
    for (field, value) in refused {
        let response = edit(&app.browser, "M365-BS", &pairs(&form_of(&bs, &[(field, value)]))).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let body = response.text().await.unwrap();
        assert!(body.contains(&format!("{users} subscriptions use this product: its ")), "{field}: {}", excerpt(&body));
    }
    assert_eq!(product(&app, "M365-BS").await.unwrap(), bs, "nothing changed");
    assert_eq!(counts(&app).await, before, "nothing was written");

    let renamed = form_of(&bs, &[("name", "Microsoft 365 Business Standard (NCE)"), ("code", "HIJACK")]);
    let response = edit(&app.browser, "M365-BS", &pairs(&renamed)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let saved = product(&app, "M365-BS").await.expect("the code stays");
    assert_eq!(saved.name, "Microsoft 365 Business Standard (NCE)");
    assert!(product(&app, "HIJACK").await.is_none());
    let audit = last_audit(&app, "product changed").await;
    assert_eq!(audit.target, "product M365-BS");
    assert_eq!(audit.changes, "name: Microsoft 365 Business Standard → Microsoft 365 Business Standard (NCE)");
    let (_, log) = app.page("/admin/audit").await;
    assert!(log.contains("product changed") && log.contains("Business Standard (NCE)"), "the audit log shows it");

    // A product nobody uses may change its term and cycle.
    assert_eq!(create(&app.browser, &product_form(&[])).await.status(), StatusCode::SEE_OTHER);
    let yearly = product_form(&[("term_months", "24"), ("billing_cycle", "annual")]);
    assert_eq!(edit(&app.browser, "DYN-SALES", &yearly).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(product(&app, "DYN-SALES").await.unwrap().term_months, 24);
}

#[tokio::test]
async fn an_unpublished_product_is_not_sold_but_its_subscriptions_keep_billing() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    // Ana put it in her cart before it was unpublished: the order is refused, not placed.
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let fields = [("product_code", "ACRONIS-CP"), ("quantity", "1")];
    assert_eq!(ana.submit("/products/ACRONIS-CP", "/cart/items", &fields).await.status(), StatusCode::SEE_OTHER);
    unpublish(&app.browser, "ACRONIS-CP").await;
    let acronis = product(&app, "ACRONIS-CP").await.unwrap();
    assert!(!acronis.active);
    let refused = ana.submit("/cart", "/orders", &[]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("Acronis Cyber Protect Cloud is no longer sold"));
    assert_eq!(
        orders::Entity::find()
            .filter(orders::Column::AccountId.eq(app.account("CONTOSO").await.id))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    let cart = ana.page("/cart").await.1;
    let remove = cart
        .split("action=\"/cart/items/")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/remove"))
        .expect("a remove form");
    let removed = ana.submit("/cart", &format!("/cart/items/{remove}"), &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER, "it can be taken out");

    let (status, _) = ana.page("/products/ACRONIS-CP").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, catalogue) = ana.page("/").await;
    assert!(!catalogue.contains("Acronis Cyber Protect Cloud"));
    let response = ana.submit("/", "/cart/items", &[("product_code", "ACRONIS-CP"), ("quantity", "1")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "it cannot be added to a cart");
    let in_carts = cart_items::Entity::find().filter(cart_items::Column::ProductId.eq(acronis.id)).count(&app.db).await;
    assert_eq!(in_carts.unwrap(), 0, "none left");

    // Contoso's subscription runs on and is billed in the next run.
    let period = Period::of(Utc::now().date_naive()).previous();
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &period.label())]).await;
    app.finished_job(response).await;
    let number = format!("INV-{}-CONTOSO", period.first().format("%Y%m"));
    let invoice = invoices::Entity::find()
        .filter(invoices::Column::Number.eq(&number))
        .one(&app.db)
        .await
        .unwrap()
        .expect("billed");
    let line = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .filter(invoice_items::Column::ProductId.eq(acronis.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the unpublished product's line");
    assert!(line.description.starts_with("Acronis Cyber Protect Cloud"), "{}", line.description);
    assert_eq!(line.total, 79_000);
}

#[tokio::test]
async fn a_reserved_instance_and_an_add_on_are_set_up_with_what_they_offer() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let ri = product_form(&[
        ("code", "RI-E4SV5"),
        ("name", "Azure Reserved VM Instance E4s v5"),
        ("family", "azure"),
        ("usage_family", "Reserved Instance"),
        ("kind", "reserved_instance"),
        ("billing_cycle", "one_time"),
        ("reservation_types", "Virtual Machines E4s v5\r\nVirtual Machines E8s v5"),
        ("scope_shared", "on"),
        ("scope_single", "on"),
        ("regions", "brazilsouth\r\neastus"),
        ("ri_reservation_type", "Virtual Machines E4s v5"),
        ("ri_term_years", "3"),
        ("ri_scope", "shared"),
        ("ri_region", "brazilsouth"),
    ]);
    assert_eq!(create(&app.browser, &ri).await.status(), StatusCode::SEE_OTHER);
    let created = product(&app, "RI-E4SV5").await.unwrap();
    assert_eq!((created.ri_term_years, created.ri_scope.as_deref()), (Some(3), Some("shared")));
    let options = || async {
        reservation_options::Entity::find()
            .filter(reservation_options::Column::ProductId.eq(created.id))
            .order_by_asc(reservation_options::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.dimension, o.value))
            .collect::<Vec<_>>()
    };
    assert_eq!(options().await.len(), 6);
    assert!(options().await.contains(&(ReservationDimension::Region, "eastus".into())));

    // Another region instead of eastus: the options follow, the audit says so.
    let moved: Vec<_> =
        ri.iter().map(|(n, v)| if *n == "regions" { (*n, "brazilsouth\r\nwesteurope") } else { (*n, *v) }).collect();
    assert_eq!(edit(&app.browser, "RI-E4SV5", &moved).await.status(), StatusCode::SEE_OTHER);
    assert!(options().await.contains(&(ReservationDimension::Region, "westeurope".into())));
    assert!(!options().await.contains(&(ReservationDimension::Region, "eastus".into())));
    let audit = last_audit(&app, "product changed").await;
    assert_eq!(audit.changes, "regions: brazilsouth, eastus → brazilsouth, westeurope");
    let (_, page) = app.page("/admin/catalogue/RI-E4SV5").await;
    assert!(page.contains("brazilsouth\nwesteurope"), "the edit page shows the lists");

    // An add-on names its base product.
    let addon = product_form(&[
        ("code", "M365-COPILOT"),
        ("name", "Microsoft 365 Copilot"),
        ("family", "microsoft_365"),
        ("kind", "addon"),
        ("base_product", "M365-BS"),
    ]);
    assert_eq!(create(&app.browser, &addon).await.status(), StatusCode::SEE_OTHER);
    let base = product(&app, "M365-BS").await.unwrap();
    assert_eq!(product(&app, "M365-COPILOT").await.unwrap().base_product_id, Some(base.id));
}

#[tokio::test]
async fn only_the_provider_admin_reaches_the_catalogue_admin() {
    let app = TestApp::start().await;
    let before = counts(&app).await;
    for email in ["admin@andes.demo", "ana@contoso.demo"] {
        let browser = app.new_browser();
        browser.sign_in(email).await;
        for path in ["/admin/catalogue", "/admin/catalogue/new", "/admin/catalogue/M365-BS", "/admin/catalogue/NOPE"] {
            assert_eq!(browser.page(path).await.0, StatusCode::NOT_FOUND, "{email} {path}");
        }
        let posts: [(&str, Vec<(&str, &str)>); 3] = [
            ("/admin/catalogue/new", product_form(&[])),
            ("/admin/catalogue/M365-BS", product_form(&[("name", "Hijacked")])),
            ("/admin/catalogue/M365-BS/status", vec![("status", "unpublished"), ("confirm", "yes")]),
        ];
        for (action, fields) in &posts {
            let response = browser.submit("/", action, fields).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{email} {action}");
        }
    }
    assert_eq!(counts(&app).await, before, "nothing was written");
    let bs = product(&app, "M365-BS").await.unwrap();
    assert!(bs.active && bs.name == "Microsoft 365 Business Standard");
}

#[tokio::test]
async fn products_made_before_families_existed_get_the_family_their_names_point_to() {
    use migration::MigratorTrait;
    use sea_orm::{ActiveValue::NotSet, Database, Set};
    use stratus::entities::enums::BillingCycle;

    let dir = tempfile::tempdir().unwrap();
    let db = Database::connect(crate::support::fresh_database_url(dir.path()).await).await.unwrap();
    migration::Migrator::up(&db, Some(14)).await.unwrap();
    let rows = [
        ("M365-BS", "Microsoft 365 Business Standard", "Microsoft", "Microsoft 365"),
        ("DEFENDER", "Microsoft Defender for Office 365 (Plan 1)", "Microsoft", "Add-on"),
        ("AZ-PLAN", "Azure plan", "Microsoft", "Azure Plan"),
        ("RI", "Azure Reserved VM Instance D2s v5", "Microsoft", "Reserved Instance"),
        ("ACRONIS", "Acronis Cyber Protect Cloud", "Acronis", "Acronis"),
        ("WINSRV", "Windows Server 2022 Standard", "Microsoft", "Perpetual License"),
        ("DYN", "Dynamics 365 Sales", "Microsoft", "Dynamics 365"),
        ("KAV", "Endpoint Security", "Kaspersky", ""),
    ];
    for (code, name, vendor, usage) in rows {
        // Written without reading back: the entity knows the column the migration adds.
        let row = products::ActiveModel {
            code: Set(code.into()),
            name: Set(name.into()),
            description: Set(String::new()),
            kind: Set(ProductKind::LicenseSubscription),
            vendor: Set(vendor.into()),
            family: NotSet,
            usage_family: Set(usage.into()),
            billing_cycle: Set(BillingCycle::Monthly),
            term_months: Set(1),
            active: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        };
        products::Entity::insert(row).exec_without_returning(&db).await.unwrap();
    }
    migration::Migrator::up(&db, None).await.unwrap();
    let families: Vec<(String, ProductFamily)> = products::Entity::find()
        .order_by_asc(products::Column::Id)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.code, p.family))
        .collect();
    use ProductFamily::*;
    let expected = [Microsoft365, Microsoft365, Azure, Azure, Acronis, WindowsServer, Dynamics365, Other];
    let codes: Vec<(String, ProductFamily)> =
        rows.iter().zip(expected).map(|((code, ..), family)| (code.to_string(), family)).collect();
    assert_eq!(families, codes);
}
