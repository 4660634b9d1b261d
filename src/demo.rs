//! Demo data: loaded once into an empty database by `serve --demo`.

use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::accounts::scope::AccountScope;
use crate::accounts::Viewer;
use crate::billing::discounts::{self, DiscountFields};
use crate::billing::run::{self, Period};
use crate::catalog::{cart, ReservationChoice};
use crate::entities::enums::*;
use crate::entities::*;
use crate::error::{AppError, AppResult};
use crate::identity::{demo_provider, links, password, providers};
use crate::secrets::SecretBox;
use crate::subscriptions::future_actions as actions;
use crate::subscriptions::history::Actor;
use crate::subscriptions::lifecycle::{self, NewSubscription};
use crate::subscriptions::rules::ScheduleRequest;

pub(crate) const DEMO_PASSWORD: &str = "demo-password";

/// The demo sign-ins: e-mail and what the user is.
pub(crate) const DEMO_SIGN_INS: &[(&str, &str)] = &[
    ("admin@stratus.demo", "provider admin, Stratus Cloud"),
    ("admin@andes.demo", "reseller admin, Andes IT (branded, custom host shop.andes.demo)"),
    ("ana@contoso.demo", "customer admin, Contoso Chile (a customer of Andes IT)"),
    ("beatriz@contoso.demo", "customer user, Contoso Chile (Ana's colleague)"),
    ("admin@pacific.demo", "reseller admin, Pacific Partners (branding not enabled)"),
    ("fabio@fabrikam.demo", "customer, Fabrikam (a customer of Pacific Partners)"),
    ("tina@tailspin.demo", "customer, Tailspin Toys (a direct customer of the provider)"),
];

/// The demo data's API client (Andes IT's), whose id and secret are printed at every start
/// so the README's curl examples work as they are.
pub const DEMO_API_CLIENT_ID: &str = "stc_andes-demo";
pub const DEMO_API_CLIENT_SECRET: &str = "demo-api-secret-andes-it";

/// What the demo's identity providers need: the key that seals their client secrets, and
/// the server's base URL, under which the demo OpenID provider answers.
pub(crate) struct DemoIdentity<'a> {
    pub secrets: &'a SecretBox,
    pub base_url: &'a str,
}

/// Loads the demo data when the database has no accounts yet, and prints the sign-ins.
pub async fn load_once(db: &DatabaseConnection) -> AppResult<bool> {
    load_once_with(db, None).await
}

/// [`load_once`], with the demo identity providers (ana@contoso.demo linked to the Entra
/// ID one) when `identity` is given.
pub(crate) async fn load_once_with(db: &DatabaseConnection, identity: Option<DemoIdentity<'_>>) -> AppResult<bool> {
    let loaded = if accounts::Entity::find().count(db).await? == 0 {
        let txn = db.begin().await?;
        load(&txn, identity.as_ref()).await?;
        txn.commit().await?;
        tracing::info!("demo data loaded");
        true
    } else {
        false
    };
    println!("Demo sign-ins (password for all: {DEMO_PASSWORD}):");
    for (email, what) in DEMO_SIGN_INS {
        println!("  {email:<22} {what}");
    }
    let api_client = api_clients::Entity::find()
        .filter(api_clients::Column::ClientId.eq(DEMO_API_CLIENT_ID))
        .filter(api_clients::Column::Active.eq(true))
        .one(db)
        .await?;
    if api_client.is_some() {
        println!("Demo API client (Andes IT), for the README's curl examples:");
        println!("  export CLIENT_ID={DEMO_API_CLIENT_ID} CLIENT_SECRET={DEMO_API_CLIENT_SECRET}");
    }
    if let Some(identity) = identity {
        let mut names = Vec::new();
        for client in demo_provider::CLIENTS {
            if providers::find_by_name(db, client.provider_name).await?.is_some_and(|p| p.active) {
                names.push(client.provider_name);
            }
        }
        if !names.is_empty() {
            println!(
                "Demo identity provider at {}{} for {} (pick who signs in; no password)",
                identity.base_url,
                demo_provider::PATH,
                names.join(" and ")
            );
        }
    }
    Ok(loaded)
}

/// The two demo identity providers (client secrets sealed as every provider's are), and
/// Ana's Entra ID identity linked to her, so Login Options shows one connected and one not.
async fn identity_providers(txn: &DatabaseTransaction, identity: &DemoIdentity<'_>, ana: i32) -> AppResult<()> {
    for client in demo_provider::CLIENTS {
        let fields = client.provider_fields(identity.base_url);
        let settings = match providers::check(&fields, true) {
            Ok(settings) => settings,
            Err(errors) => {
                // A base URL a provider may not use (plain http on a public host).
                println!("The demo identity providers are not registered: {}", errors.join(" "));
                return Ok(());
            }
        };
        let provider = providers::save(txn, identity.secrets, None, settings).await.map_err(AppError::from)?;
        if client.site == demo_provider::Site::Entra {
            let person = demo_provider::person(client.site, "ana@contoso.demo")
                .ok_or_else(|| refused("no demo person ana@contoso.demo".into()))?;
            let verified = person.verified(identity.base_url, client.site);
            links::new_link(ana, &provider, &verified, None).insert(txn).await?;
        }
    }
    Ok(())
}

/// A demo order line: product code, quantity and, for a reserved instance, the reservation
/// chosen on its product page.
type OrderLine<'a> = (&'a str, i32, Option<ReservationChoice>);

struct Demo<'a> {
    txn: &'a DatabaseTransaction,
    password_hash: String,
    today: NaiveDate,
}

/// The demo data broke a rule the lifecycle keeps: a bug in the demo, not the user's doing.
fn refused(message: String) -> AppError {
    AppError::Internal(format!("demo data refused: {message}"))
}

/// A capability's error as the demo sees it: a refusal is [`refused`], a failure stays one.
fn refusal(error: impl Into<AppError>) -> AppError {
    match error.into() {
        AppError::Unprocessable(message) => refused(message),
        failed => failed,
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// How many calendar months `to` is after `from`.
fn months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32
}

impl Demo<'_> {
    async fn account(
        &self,
        tier: AccountTier,
        parent: Option<i32>,
        code: &str,
        name: &str,
        branding: bool,
    ) -> AppResult<i32> {
        let row = accounts::ActiveModel {
            tier: Set(tier),
            parent_id: Set(parent),
            code: Set(code.into()),
            name: Set(name.into()),
            currency: Set("CLP".into()),
            branding_enabled: Set(branding),
            csp_cutoff_day: Set(1),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(row.id)
    }

    async fn user(&self, account_id: i32, email: &str, name: &str, role: UserRole) -> AppResult<i32> {
        let row = users::ActiveModel {
            joined_at: Set(Some(Utc::now())),
            account_id: Set(account_id),
            email: Set(email.into()),
            name: Set(name.into()),
            role: Set(role),
            password_hash: Set(Some(self.password_hash.clone())),
            locked_until: Set(None),
            failed_logins: Set(0),
            last_login_at: Set(None),
            password_changed_at: Set(None),
            email_verified_at: Set(Some(Utc::now())),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(row.id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn brand(
        &self,
        account_id: i32,
        name: &str,
        logo: &str,
        favicon: Option<&str>,
        colors: (&str, &str),
        support: &str,
        footer: &str,
        hosts: &[&str],
        language: crate::i18n::Lang,
    ) -> AppResult<()> {
        let row = brands::ActiveModel {
            account_id: Set(account_id),
            company_name: Set(name.into()),
            logo_url: Set(Some(logo.into())),
            logo_content_type: Set(None),
            logo_data: Set(None),
            favicon_url: Set(favicon.map(Into::into)),
            favicon_content_type: Set(None),
            favicon_data: Set(None),
            primary_color: Set(colors.0.into()),
            accent_color: Set(colors.1.into()),
            support_email: Set(Some(support.into())),
            footer_text: Set(Some(footer.into())),
            updated_at: Set(Utc::now()),
            default_language: Set(language.tag().into()),
            time_zone: Set(crate::i18n::DEFAULT_TIME_ZONE.name().into()),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        for host in hosts {
            brand_hosts::ActiveModel { brand_id: Set(row.id), host: Set((*host).into()), ..Default::default() }
                .insert(self.txn)
                .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn product(
        &self,
        code: &str,
        name: &str,
        description: &str,
        kind: ProductKind,
        vendor: &str,
        usage: &str,
        cycle: BillingCycle,
        term_months: i32,
        prices: &[(&str, i64, i64)],
    ) -> AppResult<products::Model> {
        let product = products::ActiveModel {
            code: Set(code.into()),
            name: Set(name.into()),
            description: Set(description.into()),
            kind: Set(kind),
            vendor: Set(vendor.into()),
            family: Set(crate::catalog::product_rules::legacy_family(vendor, usage, name)),
            usage_family: Set(usage.into()),
            billing_cycle: Set(cycle),
            term_months: Set(term_months),
            minimum_commitment: Set(None),
            base_product_id: Set(None),
            ri_reservation_type: Set(None),
            ri_term_years: Set(None),
            ri_scope: Set(None),
            ri_region: Set(None),
            active: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        for (currency, amount, unit_cost) in prices {
            prices::ActiveModel {
                product_id: Set(product.id),
                currency: Set((*currency).into()),
                amount: Set(*amount),
                unit_cost: Set(*unit_cost),
                ..Default::default()
            }
            .insert(self.txn)
            .await?;
        }
        Ok(product)
    }

    /// A subscription bought on the first of the month `months_ago` months ago, as a paid
    /// order creates one.
    fn bought(&self, account_id: i32, product: &products::Model, quantity: i32, months_ago: u32) -> NewSubscription {
        NewSubscription {
            account_id,
            product: product.clone(),
            quantity,
            start_date: first_of_month(self.today) - Months::new(months_ago),
            ramp_up_months: 0,
            is_trial: false,
            external_id: Some(format!("{:08x}-demo-{:04}", account_id * 7919 + product.id, product.id)),
            ri_reservation_type: None,
            ri_term_years: None,
            ri_scope: None,
            ri_region: None,
            ri_payment_plan: None,
            ri_auto_renew: false,
        }
    }

    /// Creates a subscription through the lifecycle, with its history.
    async fn subscribe(&self, new: NewSubscription) -> AppResult<subscriptions::Model> {
        lifecycle::create(self.txn, new, &Actor::system()).await.map_err(refusal)
    }

    /// An add-on added the day its subscription started.
    async fn addon(
        &self,
        subscription: &subscriptions::Model,
        product: &products::Model,
        quantity: i32,
    ) -> AppResult<subscription_addons::Model> {
        let added_on = subscription.start_date;
        lifecycle::add_addon_on(self.txn, subscription, product, quantity, &Actor::system(), added_on)
            .await
            .map_err(refusal)
    }

    /// An order `user_id` placed and has not paid yet, made as the shop makes one: each
    /// line (product code, quantity, reservation) added to the user's cart, then the order
    /// placed from it, so prices, VAT and the order number are the shop's.
    async fn unpaid_order(&self, user_id: i32, lines: &[OrderLine<'_>]) -> AppResult<orders::Model> {
        let user = users::Entity::find_by_id(user_id).one(self.txn).await?.ok_or(AppError::NotFound)?;
        let account = accounts::Entity::find_by_id(user.account_id).one(self.txn).await?.ok_or(AppError::NotFound)?;
        let viewer = Viewer { user, account };
        for (code, quantity, reservation) in lines {
            cart::add(self.txn, &viewer, code, *quantity, reservation.clone(), 0).await.map_err(refusal)?;
        }
        crate::catalog::orders::place_from_cart(self.txn, &viewer).await.map_err(refusal)
    }

    /// A future action scheduled today through the same rules as the subscription page.
    async fn future_action(
        &self,
        subscription: &subscriptions::Model,
        addon: Option<&subscription_addons::Model>,
        action_type: FutureActionType,
        date: Option<NaiveDate>,
        new_quantity: Option<i32>,
    ) -> AppResult<()> {
        let request = ScheduleRequest { action_type, date, new_quantity };
        let addon_id = addon.map(|a| a.id);
        actions::schedule_in(
            self.txn,
            AccountScope::All,
            subscription.id,
            addon_id,
            request,
            &Actor::system(),
            self.today,
        )
        .await
        .map_err(refusal)?;
        Ok(())
    }

    /// What a reserved-instance product offers and its prices: (term years, plan, currency,
    /// amount, unit cost).
    async fn reservation_offer(
        &self,
        product: &products::Model,
        options: &[(ReservationDimension, &str)],
        prices: &[(i32, RiPaymentPlan, &str, i64, i64)],
    ) -> AppResult<()> {
        for (dimension, value) in options {
            reservation_options::ActiveModel {
                product_id: Set(product.id),
                dimension: Set(*dimension),
                value: Set((*value).into()),
                ..Default::default()
            }
            .insert(self.txn)
            .await?;
        }
        for (term_years, plan, currency, amount, unit_cost) in prices {
            reservation_prices::ActiveModel {
                product_id: Set(product.id),
                term_years: Set(*term_years),
                payment_plan: Set(*plan),
                currency: Set((*currency).into()),
                amount: Set(*amount),
                unit_cost: Set(*unit_cost),
                ..Default::default()
            }
            .insert(self.txn)
            .await?;
        }
        Ok(())
    }

    /// A consumption record, as the usage import would load it.
    #[allow(clippy::too_many_arguments)]
    async fn usage_record(
        &self,
        subscription: &subscriptions::Model,
        family: &str,
        resource: &str,
        usage_date: NaiveDate,
        quantity: i64,
        amount: i64,
        cost: i64,
    ) -> AppResult<()> {
        usage_records::ActiveModel {
            account_id: Set(subscription.account_id),
            subscription_id: Set(subscription.id),
            usage_family: Set(family.into()),
            resource: Set(resource.into()),
            usage_date: Set(usage_date),
            quantity: Set(quantity),
            amount: Set(amount),
            cost: Set(cost),
            currency: Set("CLP".into()),
            source_ref: Set(Some(format!("DEMO-{}-{usage_date}-{resource}", subscription.id))),
            imported_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(())
    }

    /// A discount for an account, on one product (by code) or on everything (""), added
    /// as the account page's Discounts form adds it.
    async fn discount(&self, account_id: i32, product: &str, percent: &str, description: &str) -> AppResult<()> {
        let fields =
            DiscountFields { description: description.into(), percent: percent.into(), product: product.into() };
        discounts::insert(self.txn, account_id, &fields).await.map_err(refusal)
    }
}

async fn load(txn: &DatabaseTransaction, identity: Option<&DemoIdentity<'_>>) -> AppResult<()> {
    // One hash for every demo user keeps start-up fast; real users each get their own salt.
    let demo = Demo { txn, password_hash: password::hash(DEMO_PASSWORD)?, today: Utc::now().date_naive() };
    // Sign-up is open in the demo, and new accounts wait for their seller's approval.
    match auth_settings::Entity::find().one(txn).await? {
        Some(row) => {
            let mut row: auth_settings::ActiveModel = row.into();
            row.allow_sign_up = Set(true);
            row.sign_up_needs_approval = Set(true);
            row.update(txn).await?;
        }
        None => {
            auth_settings::ActiveModel {
                allow_local_login: Set(true),
                max_failed_logins: Set(crate::identity::settings::DEFAULT_MAX_FAILED_LOGINS),
                lockout_minutes: Set(crate::identity::settings::DEFAULT_LOCKOUT_MINUTES),
                password_grant_enabled: Set(false),
                allow_sign_up: Set(true),
                sign_up_needs_approval: Set(true),
                updated_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    use AccountTier::*;
    let stratus = demo.account(Provider, None, "STRATUS", "Stratus Cloud", true).await?;
    let andes = demo.account(Reseller, Some(stratus), "ANDES", "Andes IT", true).await?;
    let contoso = demo.account(Customer, Some(andes), "CONTOSO", "Contoso Chile", false).await?;
    let pacific = demo.account(Reseller, Some(stratus), "PACIFIC", "Pacific Partners", false).await?;
    let fabrikam = demo.account(Customer, Some(pacific), "FABRIKAM", "Fabrikam", false).await?;
    let tailspin = demo.account(Customer, Some(stratus), "TAILSPIN", "Tailspin Toys", false).await?;

    demo.user(stratus, "admin@stratus.demo", "Sofía Valdés", UserRole::ProviderAdmin).await?;
    demo.user(andes, "admin@andes.demo", "Andrés Rojas", UserRole::ResellerAdmin).await?;
    let ana = demo.user(contoso, "ana@contoso.demo", "Ana Pérez", UserRole::CustomerAdmin).await?;
    demo.user(contoso, "beatriz@contoso.demo", "Beatriz Soto", UserRole::CustomerUser).await?;
    demo.user(pacific, "admin@pacific.demo", "Paula Fuentes", UserRole::ResellerAdmin).await?;
    demo.user(fabrikam, "fabio@fabrikam.demo", "Fabio Morales", UserRole::CustomerUser).await?;
    let tina = demo.user(tailspin, "tina@tailspin.demo", "Tina Araya", UserRole::CustomerUser).await?;
    if let Some(identity) = identity {
        identity_providers(txn, identity, ana).await?;
    }
    let andes_account = accounts::Entity::find_by_id(andes).one(txn).await?.ok_or(AppError::NotFound)?;
    crate::api::clients::create_with(
        txn,
        &andes_account,
        "Andes IT ERP (demo)",
        DEMO_API_CLIENT_ID.into(),
        DEMO_API_CLIENT_SECRET.into(),
    )
    .await
    .map_err(|error| refused(error.to_string()))?;

    demo.brand(
        stratus,
        "Stratus Cloud",
        "/static/brands/stratus.svg",
        None,
        ("#1f4e79", "#e07a1f"),
        "support@stratus.demo",
        "Stratus Cloud SpA · Santiago, Chile",
        &[],
        crate::i18n::Lang::EsCl,
    )
    .await?;
    demo.brand(
        andes,
        "Andes IT",
        "/static/brands/andes.svg",
        Some("/static/brands/andes-favicon.svg"),
        ("#0b6e4f", "#c8553d"),
        "soporte@andes.demo",
        "Andes IT Ltda. · Su socio en la nube, de Arica a Punta Arenas",
        &["shop.andes.demo"],
        crate::i18n::Lang::EsCl,
    )
    .await?;
    // Pacific has a brand on file but branding is not enabled for it: its customers see the provider's.
    demo.brand(
        pacific,
        "Pacific Partners",
        "/static/brands/stratus.svg",
        None,
        ("#3a3a8c", "#8c3a6b"),
        "help@pacific.demo",
        "Pacific Partners",
        &[],
        crate::i18n::Lang::En,
    )
    .await?;

    use BillingCycle::*;
    use ProductKind::*;
    let m365_bs = demo
        .product(
            "M365-BS",
            "Microsoft 365 Business Standard",
            "Office apps, Teams, Exchange and 1 TB OneDrive per user. Annual commitment, billed monthly.",
            LicenseSubscription,
            "Microsoft",
            "Microsoft 365",
            Monthly,
            12,
            &[("CLP", 11_500, 9_800)],
        )
        .await?;
    let m365_e3 = demo
        .product(
            "M365-E3",
            "Microsoft 365 E3",
            "Enterprise productivity and security, per user, paid yearly.",
            LicenseSubscription,
            "Microsoft",
            "Microsoft 365",
            Annual,
            12,
            &[("CLP", 345_600, 302_000)],
        )
        .await?;
    let azure_plan = {
        let p = demo
            .product(
                "AZURE-PLAN",
                "Azure plan",
                "Microsoft Azure under the new commerce experience, billed on usage in arrears.",
                Consumption,
                "Microsoft",
                "Azure Plan",
                Monthly,
                1,
                &[("CLP", 0, 0)],
            )
            .await?;
        let mut active: products::ActiveModel = p.into();
        active.minimum_commitment = Set(Some(100_000));
        active.update(txn).await?
    };
    let azure_legacy = demo
        .product(
            "AZURE-LEGACY",
            "Microsoft Azure (legacy CSP)",
            "Legacy Azure subscription, billed on usage at the CSP cut-off day.",
            Consumption,
            "Microsoft",
            "MS Azure",
            Monthly,
            1,
            &[("CLP", 0, 0)],
        )
        .await?;
    let acronis = demo
        .product(
            "ACRONIS-CP",
            "Acronis Cyber Protect Cloud",
            "Backup, disaster recovery and endpoint protection per workload.",
            SoftwareSubscription,
            "Acronis",
            "Acronis",
            Monthly,
            1,
            &[("CLP", 7_900, 5_100)],
        )
        .await?;
    demo.product(
        "ACRONIS-USD",
        "Acronis Cyber Backup Advanced (USD)",
        "Advanced backup for servers, priced in US dollars.",
        SoftwareSubscription,
        "Acronis",
        "Acronis",
        Monthly,
        1,
        &[("USD", 1_250, 900)],
    )
    .await?;
    let winsrv = demo
        .product(
            "WINSRV-2022",
            "Windows Server 2022 Standard (16 cores)",
            "Perpetual licence. Full refund within 30 days of purchase.",
            PerpetualLicense,
            "Microsoft",
            "Perpetual License",
            OneTime,
            1,
            &[("CLP", 890_000, 790_000)],
        )
        .await?;
    let ri = {
        let p = demo
            .product(
                "RI-D2SV5",
                "Azure Reserved VM Instance D2s v5",
                "One D2s v5 virtual machine reserved for 1 or 3 years, paid upfront or monthly.",
                ReservedInstance,
                "Microsoft",
                "Reserved Instance",
                OneTime,
                12,
                &[],
            )
            .await?;
        use ReservationDimension::*;
        use RiPaymentPlan::*;
        demo.reservation_offer(
            &p,
            &[
                (ReservationType, "Virtual Machines D2s v5"),
                (Scope, "single"),
                (Scope, "shared"),
                (Region, "brazilsouth"),
                (Region, "eastus"),
            ],
            &[
                (1, Upfront, "CLP", 620_000, 560_000),
                (3, Upfront, "CLP", 1_560_000, 1_404_000),
                (1, Monthly, "CLP", 54_000, 48_600),
                (3, Monthly, "CLP", 45_000, 40_500),
            ],
        )
        .await?;
        // What the product page preselects.
        let mut active: products::ActiveModel = p.into();
        active.ri_reservation_type = Set(Some("Virtual Machines D2s v5".into()));
        active.ri_term_years = Set(Some(1));
        active.ri_scope = Set(Some("shared".into()));
        active.ri_region = Set(Some("brazilsouth".into()));
        active.update(txn).await?
    };
    let defender = {
        let p = demo
            .product(
                "M365-DEFENDER",
                "Microsoft Defender for Office 365 (Plan 1)",
                "Add-on for Microsoft 365 Business Standard; follows its billing cycle.",
                Addon,
                "Microsoft",
                "Add-on",
                Monthly,
                12,
                &[("CLP", 1_900, 1_500)],
            )
            .await?;
        let mut active: products::ActiveModel = p.into();
        active.base_product_id = Set(Some(m365_bs.id));
        active.update(txn).await?
    };

    // Subscriptions, add-ons and future actions go through the lifecycle, as a paid order
    // and the subscription page would make them: their history says so.
    // Contoso Chile (customer of Andes IT)
    let c_bs = demo.subscribe(demo.bought(contoso, &m365_bs, 25, 3)).await?;
    let c_def = demo.addon(&c_bs, &defender, 25).await?;
    let c_azure =
        demo.subscribe(NewSubscription { ramp_up_months: 2, ..demo.bought(contoso, &azure_plan, 1, 1) }).await?;
    let c_legacy = demo.subscribe(demo.bought(contoso, &azure_legacy, 1, 14)).await?;
    demo.subscribe(demo.bought(contoso, &acronis, 10, 2)).await?;

    // Fabrikam (customer of Pacific Partners): its reservation is paid upfront and renews.
    let f_e3 = demo.subscribe(demo.bought(fabrikam, &m365_e3, 10, 5)).await?;
    let f_azure = demo.subscribe(demo.bought(fabrikam, &azure_plan, 1, 6)).await?;
    demo.subscribe(NewSubscription {
        ri_reservation_type: ri.ri_reservation_type.clone(),
        ri_term_years: Some(1),
        ri_scope: Some("shared".into()),
        ri_region: Some("brazilsouth".into()),
        ri_payment_plan: Some(RiPaymentPlan::Upfront),
        ri_auto_renew: true,
        ..demo.bought(fabrikam, &ri, 2, 2)
    })
    .await?;

    // Tailspin Toys (direct customer of the provider)
    let t_bs = demo.subscribe(demo.bought(tailspin, &m365_bs, 5, 10)).await?;
    demo.subscribe(demo.bought(tailspin, &winsrv, 2, 1)).await?;
    demo.subscribe(demo.bought(tailspin, &acronis, 3, 4)).await?;

    // Contoso's legacy Azure is billed at a CSP cut-off on the 20th; the discounts were
    // given on the accounts' pages (Discounts).
    let mut cutoff: accounts::ActiveModel =
        accounts::Entity::find_by_id(contoso).one(txn).await?.ok_or(AppError::NotFound)?.into();
    cutoff.csp_cutoff_day = Set(20);
    cutoff.update(txn).await?;
    demo.discount(contoso, "", "5", "Loyalty discount 5%").await?;
    demo.discount(tailspin, &m365_bs.code, "10", "Volume discount 10% on Microsoft 365 Business Standard").await?;

    // Every month that has ended since the first subscription began, but last month, was
    // billed when it ended, by the billing run (each run first renews what was due that
    // day), with the Azure usage imported for it.
    let last_month = first_of_month(demo.today) - Months::new(1);
    let day = |month: NaiveDate, day: u32| month.with_day(day).unwrap_or(month);
    let first = subscriptions::Entity::find().order_by_asc(subscriptions::Column::StartDate).one(txn).await?;
    let mut month = first.map_or(last_month, |s| first_of_month(s.start_date));
    while month < last_month {
        // Contoso's legacy Azure on the 10th, inside the cut-off window (20th to 19th).
        if month >= c_legacy.start_date {
            let amount = 31_000 + 2_300 * i64::from(month.month() % 5);
            let (date, cost) = (day(month, 10), amount * 88 / 100);
            demo.usage_record(&c_legacy, "MS Azure", "Virtual Machines", date, 400, amount, cost).await?;
        }
        // Fabrikam's Azure plan grows month by month past its 100.000 minimum.
        if month >= f_azure.start_date {
            let grown = i64::from(months_between(f_azure.start_date, month));
            let (vms, apps) = (34_000 + 9_500 * grown, 24_000 + 4_000 * grown);
            demo.usage_record(&f_azure, "Azure Plan", "Virtual Machines", day(month, 5), 480, vms, vms * 87 / 100)
                .await?;
            demo.usage_record(&f_azure, "Azure Plan", "App Service", day(month, 18), 250, apps, apps * 87 / 100)
                .await?;
        }
        let period = Period::of(month);
        let report = run::run(txn, None, period, period.last() + Duration::days(1)).await?;
        if !report.problems.is_empty() {
            return Err(refused(report.problems.join(" ")));
        }
        month = month + Months::new(1);
    }

    // Time has passed: what renews by itself is in its current term.
    lifecycle::renew_due(txn, demo.today).await?;

    use FutureActionType::*;
    demo.future_action(&c_bs, None, ChangeQtyOnNext, None, Some(30)).await?;
    demo.future_action(&c_bs, Some(&c_def), CancellationOnEnd, None, None).await?;
    let specific = (demo.today + Months::new(2)).min(f_e3.term_end_date);
    demo.future_action(&f_e3, None, CancellationOnSpecific, Some(specific), None).await?;
    demo.future_action(&t_bs, None, CancellationOnEnd, None, None).await?;

    // An order Tailspin placed and has not paid yet: licences and a reserved instance (the
    // product page's preselection: 1 year, shared, brazilsouth, upfront, no auto-renew).
    let reservation = ReservationChoice {
        reservation_type: ri.ri_reservation_type.clone().unwrap_or_default(),
        term_years: "1".into(),
        payment_plan: RiPaymentPlan::Upfront.as_str().into(),
        scope: "shared".into(),
        region: "brazilsouth".into(),
        auto_renew: false,
    };
    demo.unpaid_order(tina, &[(&m365_bs.code, 2, None), (&ri.code, 1, Some(reservation))]).await?;

    // Last month is left unbilled: its usage and discounts are ready for a billing run
    // (Admin → Billing run).
    let before = last_month - Months::new(1);
    for (subscription, family, resource, date, quantity, amount, cost) in [
        (&c_azure, "Azure Plan", "Virtual Machines", day(last_month, 3), 720, 30_120, 26_100),
        (&c_azure, "Azure Plan", "Storage", day(last_month, 15), 2_048, 28_900, 25_000),
        (&c_azure, "Azure Plan", "Bandwidth", day(last_month, 28), 310, 25_300, 22_000),
        (&c_legacy, "MS Azure", "Virtual Machines", day(before, 22), 400, 21_000, 18_500),
        (&c_legacy, "MS Azure", "SQL Database", day(last_month, 10), 300, 24_100, 21_300),
        // After the cut-off: billed next month.
        (&c_legacy, "MS Azure", "Storage", day(last_month, 25), 100, 9_900, 8_700),
        (&f_azure, "Azure Plan", "Virtual Machines", day(last_month, 5), 500, 35_000, 30_400),
        (&f_azure, "Azure Plan", "App Service", day(last_month, 18), 260, 26_400, 23_000),
    ] {
        demo.usage_record(subscription, family, resource, date, quantity, amount, cost).await?;
    }
    Ok(())
}
