use sea_orm_migration::prelude::*;

/// The whole data model of DESIGN.md section 4, created in one step.
#[derive(DeriveMigrationName)]
pub struct Migration;

fn name(s: &str) -> Alias {
    Alias::new(s)
}

fn id() -> ColumnDef {
    ColumnDef::new(name("id")).integer().not_null().auto_increment().primary_key().to_owned()
}

fn col(column: &str) -> ColumnDef {
    ColumnDef::new(name(column))
}

fn fk(table: &str, column: &str, target: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(name(table), name(column))
        .to(name(target), name("id"))
        .on_delete(on_delete)
        .to_owned()
}

/// Indexes on every foreign key and on the columns lists filter and sort on: (table, columns, unique).
const INDEXES: &[(&str, &[&str], bool)] = &[
    ("accounts", &["parent_id"], false),
    ("accounts", &["name"], false),
    ("users", &["account_id"], false),
    ("users", &["role"], false),
    ("user_identities", &["user_id"], false),
    ("user_identities", &["provider_id"], false),
    ("user_identities", &["provider_id", "issuer", "subject"], true),
    ("security_events", &["user_id"], false),
    ("security_events", &["account_id"], false),
    ("security_events", &["kind"], false),
    ("security_events", &["created_at"], false),
    ("brand_hosts", &["brand_id"], false),
    ("products", &["name"], false),
    ("products", &["kind"], false),
    ("products", &["base_product_id"], false),
    ("prices", &["product_id"], false),
    ("prices", &["product_id", "currency"], true),
    ("carts", &["account_id"], false),
    ("subscriptions", &["account_id"], false),
    ("subscriptions", &["product_id"], false),
    ("subscriptions", &["name"], false),
    ("subscriptions", &["status"], false),
    ("subscriptions", &["term_end_date"], false),
    ("subscriptions", &["external_id"], false),
    ("cart_items", &["cart_id"], false),
    ("cart_items", &["product_id"], false),
    ("cart_items", &["subscription_id"], false),
    ("orders", &["account_id"], false),
    ("orders", &["user_id"], false),
    ("orders", &["status"], false),
    ("orders", &["created_at"], false),
    ("order_items", &["order_id"], false),
    ("order_items", &["product_id"], false),
    ("order_items", &["subscription_id"], false),
    ("subscription_addons", &["subscription_id"], false),
    ("subscription_addons", &["product_id"], false),
    ("subscription_addons", &["status"], false),
    ("subscription_history", &["subscription_id"], false),
    ("subscription_history", &["addon_id"], false),
    ("subscription_history", &["actor_user_id"], false),
    ("subscription_history", &["created_at"], false),
    ("future_actions", &["subscription_id"], false),
    ("future_actions", &["addon_id"], false),
    ("future_actions", &["account_id"], false),
    ("future_actions", &["action_type"], false),
    ("future_actions", &["status"], false),
    ("future_actions", &["scheduled_at"], false),
    ("future_actions", &["created_by"], false),
    ("future_actions", &["created_at"], false),
    ("future_actions", &["updated_at"], false),
    ("future_actions", &["status", "scheduled_at"], false),
    ("future_actions", &["account_id", "scheduled_at"], false),
    ("invoices", &["account_id"], false),
    ("invoices", &["bill_to_account_id"], false),
    ("invoices", &["invoice_type"], false),
    ("invoices", &["status"], false),
    ("invoices", &["issue_date"], false),
    ("invoices", &["billing_period"], false),
    ("invoices", &["credits_invoice_id"], false),
    ("invoices", &["order_id"], false),
    ("invoice_items", &["invoice_id"], false),
    ("invoice_items", &["subscription_id"], false),
    ("invoice_items", &["addon_id"], false),
    ("invoice_items", &["product_id"], false),
    ("invoice_items", &["period_start"], false),
    ("invoice_items", &["period_end"], false),
    ("invoice_items", &["usage"], false),
    ("usage_records", &["account_id"], false),
    ("usage_records", &["subscription_id"], false),
    ("usage_records", &["usage_family"], false),
    ("usage_records", &["usage_date"], false),
    ("webpay_transactions", &["order_id"], false),
    ("webpay_transactions", &["status"], false),
    ("payments", &["order_id"], false),
    ("payments", &["invoice_id"], false),
    ("payments", &["account_id"], false),
    ("refunds", &["payment_id"], false),
    ("api_clients", &["account_id"], false),
    ("api_tokens", &["api_client_id"], false),
    ("api_tokens", &["expires_at"], false),
    ("saved_reports", &["account_id"], false),
    ("saved_reports", &["user_id"], false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("accounts"))
                    .if_not_exists()
                    .col(id())
                    .col(col("tier").string_len(32).not_null())
                    .col(col("parent_id").integer().null())
                    .foreign_key(&mut fk("accounts", "parent_id", "accounts", ForeignKeyAction::SetNull))
                    .col(col("code").string_len(32).not_null().unique_key())
                    .col(col("name").string_len(200).not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("branding_enabled").boolean().not_null())
                    .col(col("csp_cutoff_day").integer().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("users"))
                    .if_not_exists()
                    .col(id())
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("users", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("email").string_len(254).not_null().unique_key())
                    .col(col("name").string_len(200).not_null())
                    .col(col("role").string_len(32).not_null())
                    .col(col("password_hash").text().null())
                    .col(col("locked_until").timestamp_with_time_zone().null())
                    .col(col("failed_logins").integer().not_null())
                    .col(col("last_login_at").timestamp_with_time_zone().null())
                    .col(col("password_changed_at").timestamp_with_time_zone().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("identity_providers"))
                    .if_not_exists()
                    .col(id())
                    .col(col("name").string_len(100).not_null().unique_key())
                    .col(col("kind").string_len(32).not_null())
                    .col(col("issuer").string_len(500).not_null())
                    .col(col("client_id").string_len(255).not_null())
                    .col(col("client_secret_enc").text().null())
                    .col(col("allowed_tenants").text().null())
                    .col(col("hosted_domain").string_len(255).null())
                    .col(col("active").boolean().not_null())
                    .col(col("visible").boolean().not_null())
                    .col(col("allow_automatic_registration").boolean().not_null())
                    .col(col("logo").text().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("user_identities"))
                    .if_not_exists()
                    .col(id())
                    .col(col("user_id").integer().not_null())
                    .foreign_key(&mut fk("user_identities", "user_id", "users", ForeignKeyAction::Cascade))
                    .col(col("provider_id").integer().not_null())
                    .foreign_key(&mut fk(
                        "user_identities",
                        "provider_id",
                        "identity_providers",
                        ForeignKeyAction::Cascade,
                    ))
                    .col(col("issuer").string_len(500).not_null())
                    .col(col("subject").string_len(255).not_null())
                    .col(col("tenant_id").string_len(64).null())
                    .col(col("email_at_link").string_len(254).null())
                    .col(col("linked_at").timestamp_with_time_zone().not_null())
                    .col(col("last_login_at").timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("auth_settings"))
                    .if_not_exists()
                    .col(id())
                    .col(col("allow_local_login").boolean().not_null())
                    .col(col("max_failed_logins").integer().not_null())
                    .col(col("lockout_minutes").integer().not_null())
                    .col(col("password_grant_enabled").boolean().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("security_events"))
                    .if_not_exists()
                    .col(id())
                    .col(col("user_id").integer().null())
                    .foreign_key(&mut fk("security_events", "user_id", "users", ForeignKeyAction::SetNull))
                    .col(col("account_id").integer().null())
                    .foreign_key(&mut fk("security_events", "account_id", "accounts", ForeignKeyAction::SetNull))
                    .col(col("kind").string_len(64).not_null())
                    .col(col("detail").text().null())
                    .col(col("ip").string_len(64).null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("brands"))
                    .if_not_exists()
                    .col(id())
                    .col(col("account_id").integer().not_null().unique_key())
                    .foreign_key(&mut fk("brands", "account_id", "accounts", ForeignKeyAction::Cascade))
                    .col(col("company_name").string_len(200).not_null())
                    .col(col("logo_url").text().null())
                    .col(col("logo_content_type").string_len(100).null())
                    .col(col("logo_data").binary().null())
                    .col(col("favicon_url").text().null())
                    .col(col("favicon_content_type").string_len(100).null())
                    .col(col("favicon_data").binary().null())
                    .col(col("primary_color").string_len(7).not_null())
                    .col(col("accent_color").string_len(7).not_null())
                    .col(col("support_email").string_len(254).null())
                    .col(col("footer_text").text().null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("brand_hosts"))
                    .if_not_exists()
                    .col(id())
                    .col(col("brand_id").integer().not_null())
                    .foreign_key(&mut fk("brand_hosts", "brand_id", "brands", ForeignKeyAction::Cascade))
                    .col(col("host").string_len(253).not_null().unique_key())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("products"))
                    .if_not_exists()
                    .col(id())
                    .col(col("code").string_len(64).not_null().unique_key())
                    .col(col("name").string_len(200).not_null())
                    .col(col("description").text().not_null())
                    .col(col("kind").string_len(32).not_null())
                    .col(col("vendor").string_len(100).not_null())
                    .col(col("usage_family").string_len(64).not_null())
                    .col(col("billing_cycle").string_len(32).not_null())
                    .col(col("term_months").integer().not_null())
                    .col(col("minimum_commitment").big_integer().null())
                    .col(col("base_product_id").integer().null())
                    .foreign_key(&mut fk("products", "base_product_id", "products", ForeignKeyAction::SetNull))
                    .col(col("ri_reservation_type").string_len(100).null())
                    .col(col("ri_term_years").integer().null())
                    .col(col("ri_scope").string_len(16).null())
                    .col(col("ri_region").string_len(64).null())
                    .col(col("active").boolean().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("prices"))
                    .if_not_exists()
                    .col(id())
                    .col(col("product_id").integer().not_null())
                    .foreign_key(&mut fk("prices", "product_id", "products", ForeignKeyAction::Cascade))
                    .col(col("currency").string_len(3).not_null())
                    .col(col("amount").big_integer().not_null())
                    .col(col("unit_cost").big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("carts"))
                    .if_not_exists()
                    .col(id())
                    .col(col("user_id").integer().not_null().unique_key())
                    .foreign_key(&mut fk("carts", "user_id", "users", ForeignKeyAction::Cascade))
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("carts", "account_id", "accounts", ForeignKeyAction::Cascade))
                    .col(col("currency").string_len(3).not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("subscriptions"))
                    .if_not_exists()
                    .col(id())
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("subscriptions", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("product_id").integer().not_null())
                    .foreign_key(&mut fk("subscriptions", "product_id", "products", ForeignKeyAction::Restrict))
                    .col(col("name").string_len(200).not_null())
                    .col(col("quantity").integer().not_null())
                    .col(col("status").string_len(32).not_null())
                    .col(col("start_date").date().not_null())
                    .col(col("term_end_date").date().not_null())
                    .col(col("auto_renew").boolean().not_null())
                    .col(col("prepaid").boolean().not_null())
                    .col(col("external_id").string_len(100).null())
                    .col(col("ramp_up_months").integer().null())
                    .col(col("ramp_up_end").date().null())
                    .col(col("ri_reservation_type").string_len(100).null())
                    .col(col("ri_term_years").integer().null())
                    .col(col("ri_scope").string_len(16).null())
                    .col(col("ri_region").string_len(64).null())
                    .col(col("canceled_at").timestamp_with_time_zone().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("cart_items"))
                    .if_not_exists()
                    .col(id())
                    .col(col("cart_id").integer().not_null())
                    .foreign_key(&mut fk("cart_items", "cart_id", "carts", ForeignKeyAction::Cascade))
                    .col(col("product_id").integer().not_null())
                    .foreign_key(&mut fk("cart_items", "product_id", "products", ForeignKeyAction::Restrict))
                    .col(col("subscription_id").integer().null())
                    .foreign_key(&mut fk("cart_items", "subscription_id", "subscriptions", ForeignKeyAction::SetNull))
                    .col(col("quantity").integer().not_null())
                    .col(col("ri_reservation_type").string_len(100).null())
                    .col(col("ri_term_years").integer().null())
                    .col(col("ri_scope").string_len(16).null())
                    .col(col("ri_region").string_len(64).null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("orders"))
                    .if_not_exists()
                    .col(id())
                    .col(col("number").string_len(32).not_null().unique_key())
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("orders", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("user_id").integer().null())
                    .foreign_key(&mut fk("orders", "user_id", "users", ForeignKeyAction::SetNull))
                    .col(col("status").string_len(32).not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("total").big_integer().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .col(col("paid_at").timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("order_items"))
                    .if_not_exists()
                    .col(id())
                    .col(col("order_id").integer().not_null())
                    .foreign_key(&mut fk("order_items", "order_id", "orders", ForeignKeyAction::Cascade))
                    .col(col("product_id").integer().not_null())
                    .foreign_key(&mut fk("order_items", "product_id", "products", ForeignKeyAction::Restrict))
                    .col(col("subscription_id").integer().null())
                    .foreign_key(&mut fk("order_items", "subscription_id", "subscriptions", ForeignKeyAction::SetNull))
                    .col(col("description").string_len(300).not_null())
                    .col(col("quantity").integer().not_null())
                    .col(col("unit_price").big_integer().not_null())
                    .col(col("total").big_integer().not_null())
                    .col(col("ri_reservation_type").string_len(100).null())
                    .col(col("ri_term_years").integer().null())
                    .col(col("ri_scope").string_len(16).null())
                    .col(col("ri_region").string_len(64).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("subscription_addons"))
                    .if_not_exists()
                    .col(id())
                    .col(col("subscription_id").integer().not_null())
                    .foreign_key(&mut fk(
                        "subscription_addons",
                        "subscription_id",
                        "subscriptions",
                        ForeignKeyAction::Restrict,
                    ))
                    .col(col("product_id").integer().not_null())
                    .foreign_key(&mut fk("subscription_addons", "product_id", "products", ForeignKeyAction::Restrict))
                    .col(col("name").string_len(200).not_null())
                    .col(col("quantity").integer().not_null())
                    .col(col("status").string_len(32).not_null())
                    .col(col("start_date").date().not_null())
                    .col(col("term_end_date").date().not_null())
                    .col(col("canceled_at").timestamp_with_time_zone().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("subscription_history"))
                    .if_not_exists()
                    .col(id())
                    .col(col("subscription_id").integer().not_null())
                    .foreign_key(&mut fk(
                        "subscription_history",
                        "subscription_id",
                        "subscriptions",
                        ForeignKeyAction::Restrict,
                    ))
                    .col(col("addon_id").integer().null())
                    .foreign_key(&mut fk(
                        "subscription_history",
                        "addon_id",
                        "subscription_addons",
                        ForeignKeyAction::SetNull,
                    ))
                    .col(col("field").string_len(64).not_null())
                    .col(col("old_value").text().null())
                    .col(col("new_value").text().null())
                    .col(col("actor_kind").string_len(32).not_null())
                    .col(col("actor_user_id").integer().null())
                    .foreign_key(&mut fk("subscription_history", "actor_user_id", "users", ForeignKeyAction::SetNull))
                    .col(col("actor_name").string_len(200).not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("future_actions"))
                    .if_not_exists()
                    .col(id())
                    .col(col("subscription_id").integer().not_null())
                    .foreign_key(&mut fk(
                        "future_actions",
                        "subscription_id",
                        "subscriptions",
                        ForeignKeyAction::Restrict,
                    ))
                    .col(col("addon_id").integer().null())
                    .foreign_key(&mut fk(
                        "future_actions",
                        "addon_id",
                        "subscription_addons",
                        ForeignKeyAction::SetNull,
                    ))
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("future_actions", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("action_type").string_len(32).not_null())
                    .col(col("status").string_len(32).not_null())
                    .col(col("scheduled_at").timestamp_with_time_zone().not_null())
                    .col(col("new_quantity").integer().null())
                    .col(col("result").text().null())
                    .col(col("created_by").integer().null())
                    .foreign_key(&mut fk("future_actions", "created_by", "users", ForeignKeyAction::SetNull))
                    .col(col("claimed_at").timestamp_with_time_zone().null())
                    .col(col("executed_at").timestamp_with_time_zone().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("invoices"))
                    .if_not_exists()
                    .col(id())
                    .col(col("number").string_len(32).not_null().unique_key())
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("invoices", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("bill_to_account_id").integer().not_null())
                    .foreign_key(&mut fk("invoices", "bill_to_account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("invoice_type").string_len(32).not_null())
                    .col(col("status").string_len(32).not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("issue_date").date().not_null())
                    .col(col("billing_period").string_len(7).null())
                    .col(col("subtotal").big_integer().not_null())
                    .col(col("tax").big_integer().not_null())
                    .col(col("total").big_integer().not_null())
                    .col(col("credits_invoice_id").integer().null())
                    .foreign_key(&mut fk("invoices", "credits_invoice_id", "invoices", ForeignKeyAction::SetNull))
                    .col(col("order_id").integer().null())
                    .foreign_key(&mut fk("invoices", "order_id", "orders", ForeignKeyAction::SetNull))
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("invoice_items"))
                    .if_not_exists()
                    .col(id())
                    .col(col("invoice_id").integer().not_null())
                    .foreign_key(&mut fk("invoice_items", "invoice_id", "invoices", ForeignKeyAction::Cascade))
                    .col(col("subscription_id").integer().null())
                    .foreign_key(&mut fk(
                        "invoice_items",
                        "subscription_id",
                        "subscriptions",
                        ForeignKeyAction::SetNull,
                    ))
                    .col(col("addon_id").integer().null())
                    .foreign_key(&mut fk("invoice_items", "addon_id", "subscription_addons", ForeignKeyAction::SetNull))
                    .col(col("product_id").integer().null())
                    .foreign_key(&mut fk("invoice_items", "product_id", "products", ForeignKeyAction::SetNull))
                    .col(col("description").string_len(300).not_null())
                    .col(col("period_start").date().null())
                    .col(col("period_end").date().null())
                    .col(col("quantity").big_integer().not_null())
                    .col(col("unit_price").big_integer().not_null())
                    .col(col("unit_cost").big_integer().not_null())
                    .col(col("total").big_integer().not_null())
                    .col(col("total_cost").big_integer().not_null())
                    .col(col("usage").string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("usage_records"))
                    .if_not_exists()
                    .col(id())
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("usage_records", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("subscription_id").integer().not_null())
                    .foreign_key(&mut fk(
                        "usage_records",
                        "subscription_id",
                        "subscriptions",
                        ForeignKeyAction::Restrict,
                    ))
                    .col(col("usage_family").string_len(64).not_null())
                    .col(col("resource").string_len(300).not_null())
                    .col(col("usage_date").date().not_null())
                    .col(col("quantity").big_integer().not_null())
                    .col(col("amount").big_integer().not_null())
                    .col(col("cost").big_integer().not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("source_ref").string_len(200).null().unique_key())
                    .col(col("imported_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("payment_gateways"))
                    .if_not_exists()
                    .col(id())
                    .col(col("kind").string_len(32).not_null().unique_key())
                    .col(col("commerce_code").string_len(32).not_null())
                    .col(col("api_key_secret_enc").text().not_null())
                    .col(col("environment").string_len(300).not_null())
                    .col(col("active").boolean().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("webpay_transactions"))
                    .if_not_exists()
                    .col(id())
                    .col(col("order_id").integer().not_null())
                    .foreign_key(&mut fk("webpay_transactions", "order_id", "orders", ForeignKeyAction::Restrict))
                    .col(col("buy_order").string_len(26).not_null().unique_key())
                    .col(col("session_id").string_len(61).not_null())
                    .col(col("token").string_len(64).null().unique_key())
                    .col(col("amount").big_integer().not_null())
                    .col(col("status").string_len(32).not_null())
                    .col(col("response_code").integer().null())
                    .col(col("authorization_code").string_len(16).null())
                    .col(col("card_last_digits").string_len(4).null())
                    .col(col("payment_type_code").string_len(4).null())
                    .col(col("installments_number").integer().null())
                    .col(col("installments_amount").big_integer().null())
                    .col(col("transaction_date").timestamp_with_time_zone().null())
                    .col(col("raw_response").text().null())
                    .col(col("processed_at").timestamp_with_time_zone().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("payments"))
                    .if_not_exists()
                    .col(id())
                    .col(col("order_id").integer().not_null())
                    .foreign_key(&mut fk("payments", "order_id", "orders", ForeignKeyAction::Restrict))
                    .col(col("invoice_id").integer().null())
                    .foreign_key(&mut fk("payments", "invoice_id", "invoices", ForeignKeyAction::SetNull))
                    .col(col("webpay_transaction_id").integer().null().unique_key())
                    .foreign_key(&mut fk(
                        "payments",
                        "webpay_transaction_id",
                        "webpay_transactions",
                        ForeignKeyAction::SetNull,
                    ))
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("payments", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("amount").big_integer().not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("method").string_len(32).not_null())
                    .col(col("paid_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("refunds"))
                    .if_not_exists()
                    .col(id())
                    .col(col("payment_id").integer().not_null())
                    .foreign_key(&mut fk("refunds", "payment_id", "payments", ForeignKeyAction::Restrict))
                    .col(col("amount").big_integer().not_null())
                    .col(col("status").string_len(32).not_null())
                    .col(col("response").text().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("api_clients"))
                    .if_not_exists()
                    .col(id())
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("api_clients", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("name").string_len(100).not_null())
                    .col(col("client_id").string_len(64).not_null().unique_key())
                    .col(col("secret_hash").text().not_null())
                    .col(col("active").boolean().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("revoked_at").timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("api_tokens"))
                    .if_not_exists()
                    .col(id())
                    .col(col("api_client_id").integer().not_null())
                    .foreign_key(&mut fk("api_tokens", "api_client_id", "api_clients", ForeignKeyAction::Cascade))
                    .col(col("token_hash").string_len(64).not_null().unique_key())
                    .col(col("expires_at").timestamp_with_time_zone().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("saved_reports"))
                    .if_not_exists()
                    .col(id())
                    .col(col("account_id").integer().not_null())
                    .foreign_key(&mut fk("saved_reports", "account_id", "accounts", ForeignKeyAction::Restrict))
                    .col(col("user_id").integer().null())
                    .foreign_key(&mut fk("saved_reports", "user_id", "users", ForeignKeyAction::SetNull))
                    .col(col("name").string_len(200).not_null())
                    .col(col("definition").text().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        for (table, columns, unique) in INDEXES {
            let prefix = if *unique { "ux" } else { "ix" };
            let mut index = Index::create();
            index.name(format!("{prefix}_{table}_{}", columns.join("_"))).table(name(table));
            for column in *columns {
                index.col(name(column));
            }
            if *unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "saved_reports",
            "api_tokens",
            "api_clients",
            "refunds",
            "payments",
            "webpay_transactions",
            "payment_gateways",
            "usage_records",
            "invoice_items",
            "invoices",
            "future_actions",
            "subscription_history",
            "subscription_addons",
            "order_items",
            "orders",
            "cart_items",
            "subscriptions",
            "carts",
            "prices",
            "products",
            "brand_hosts",
            "brands",
            "security_events",
            "auth_settings",
            "user_identities",
            "identity_providers",
            "users",
            "accounts",
        ] {
            manager.drop_table(Table::drop().table(name(table)).to_owned()).await?;
        }
        Ok(())
    }
}
