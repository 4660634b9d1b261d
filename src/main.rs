use clap::Parser;

/// mimalloc instead of glibc's malloc: measured in `bench/load` (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use stratus::audit::AuditActor;
use stratus::config::{AuthArgs, AuthCommand, Cli, Command, CreateAdminArgs, Settings};
use stratus::error::AppError;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    stratus::observability::logging::init(cli.log_format);
    let result = match cli.command {
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::CreateAdmin(args)) => create_admin(args).await,
        Some(Command::Auth(args)) => auth(args).await,
        Some(Command::WebpaySim(args)) => webpay_sim(args).await,
        Some(Command::DemoIdp(args)) => demo_idp(args).await,
        Some(Command::Usage(args)) => usage(args).await,
        Some(Command::Catalogue(args)) => catalogue(args).await,
        Some(Command::Billing(args)) => billing(args).await,
        Some(Command::ApiClient(args)) => api_client(args).await,
        Some(Command::Migrate(args)) => migrate(args).await,
        Some(Command::Backup(args)) => backup(args).await,
        Some(Command::Restore(args)) => restore(args).await,
        None => serve(cli.serve).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stratus: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: stratus::config::ServeArgs) -> Result<(), AppError> {
    use stratus::server::SchemaAtStart;
    let schema = if args.no_migrate { SchemaAtStart::MustBeCurrent } else { SchemaAtStart::Migrate };
    stratus::server::run(Settings::resolve(args)?, schema).await
}

async fn create_admin(args: CreateAdminArgs) -> Result<(), AppError> {
    let (password, generated) = match std::env::var("STRATUS_ADMIN_PASSWORD") {
        Ok(password) if !password.is_empty() => (password, false),
        _ => (stratus::secrets::generate_key(), true),
    };
    let (_lock, db) = open_database(&args.database_url).await?;
    stratus::accounts::bootstrap::create_provider_admin(&db, &args.provider_name, &args.email, &args.name, &password)
        .await
        .map_err(|error| AppError::BadRequest(error.to_string()))?;
    println!("Created provider admin {}.", args.email);
    if generated {
        println!("Password (shown once): {password}");
    }
    Ok(())
}

/// A command's database: held (`stratus restore` refuses while the command runs) and
/// brought up to date.
async fn open_database(
    database_url: &str,
) -> Result<(Option<stratus::operations::database_lock::DatabaseLock>, sea_orm::DatabaseConnection), AppError> {
    let lock = stratus::operations::database_lock::hold_shared(database_url)?;
    let db = stratus::server::connect_and_migrate(database_url).await?;
    Ok((lock, db))
}

/// An import's file, read no further than an import accepts (and one byte more, to tell
/// it is too large).
fn read_upload(file: &std::path::Path) -> Result<Vec<u8>, AppError> {
    use std::io::Read;
    let cannot_read = |e: std::io::Error| AppError::Config(format!("cannot read {}: {e}", file.display()));
    let limit = stratus::catalog::price_import::MAX_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(file).map_err(cannot_read)?.take(limit).read_to_end(&mut bytes).map_err(cannot_read)?;
    Ok(bytes)
}

/// Who the audit log names for what the command line changes.
fn command_line() -> AuditActor {
    AuditActor::system("command line", None)
}

async fn auth(args: AuthArgs) -> Result<(), AppError> {
    let (_lock, db) = open_database(&args.database_url).await?;
    match args.command {
        AuthCommand::AllowLocalLogin { value } => {
            let allow = value == "on";
            stratus::identity::settings::set_allow_local_login(&db, &command_line(), allow).await?;
            println!("Allow Local Login is now {value}.");
        }
    }
    Ok(())
}

/// `stratus webpay-sim`: the simulator on its own, for trying the checkout against it.
async fn webpay_sim(args: stratus::config::WebpaySimArgs) -> Result<(), AppError> {
    use stratus::payments::webpay::{simulator::Simulator, Credentials};
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", args.addr)))?;
    let addr = listener.local_addr().map_err(|e| AppError::Config(e.to_string()))?;
    let simulator = Simulator::new(Credentials::integration(), &format!("http://{addr}"));
    println!("WebPay simulator on http://{addr} (integration credentials)");
    axum::serve(listener, simulator.router()).await.map_err(|e| AppError::Internal(format!("simulator: {e}")))
}

/// `stratus demo-idp`: the demo OpenID provider on its own, for a Stratus configured by hand.
async fn demo_idp(args: stratus::config::DemoIdpArgs) -> Result<(), AppError> {
    use stratus::identity::demo_provider::{
        configured_issuer, DemoProvider, Registration, Site, CLIENTS, CONTOSO_TENANT, PATH,
    };
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", args.addr)))?;
    let addr = listener.local_addr().map_err(|e| AppError::Config(e.to_string()))?;
    let public_url = format!("http://{addr}");
    let registrations = CLIENTS
        .iter()
        .map(|client| Registration { client: *client, redirect_uris: args.redirect_uris.clone() })
        .collect();
    let provider = DemoProvider::start(&public_url, registrations).await.map_err(AppError::Internal)?;
    println!("Demo identity provider on {public_url}{PATH}; redirect URIs: {}", args.redirect_uris.join(", "));
    for client in CLIENTS {
        println!(
            "  {}: issuer {}, client id {}, client secret {}",
            client.provider_name,
            configured_issuer(&public_url, client.site),
            client.client_id,
            client.client_secret
        );
        if client.site == Site::Entra {
            println!("    allowed tenant (tenants = [...]): {CONTOSO_TENANT}");
        }
    }
    axum::serve(listener, provider.standalone_router())
        .await
        .map_err(|e| AppError::Internal(format!("demo identity provider: {e}")))
}

/// `stratus usage import FILE`: the usage import from the shell; refused rows are printed
/// and make the command exit non-zero.
async fn usage(args: stratus::config::UsageArgs) -> Result<(), AppError> {
    let stratus::config::UsageCommand::Import { file, database_url } = args.command;
    let bytes = read_upload(&file)?;
    let (_lock, db) = open_database(&database_url).await?;
    let bar = progress_bar("rows");
    let mut shown = |done: usize, total: usize| show_progress(&bar, done, total);
    let report = stratus::billing::usage_import::import(&db, &bytes, &mut shown).await.map_err(AppError::from)?;
    bar.finish_and_clear();
    println!("{} row(s) imported, {} refused.", report.imported, report.rejected.len());
    for (line, reason) in &report.rejected {
        println!("  line {line}: {reason}");
    }
    if report.rejected.is_empty() {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!("{} row(s) were refused", report.rejected.len())))
    }
}

/// `stratus catalogue import FILE`: the price import from the shell, audited as made by
/// the command line; refused rows are printed and make the command exit non-zero.
async fn catalogue(args: stratus::config::CatalogueArgs) -> Result<(), AppError> {
    use stratus::catalog::price_import::{self, ImportError};
    let stratus::config::CatalogueCommand::Import { file, database_url } = args.command;
    let bytes = read_upload(&file)?;
    let (_lock, db) = open_database(&database_url).await?;
    let today = chrono::Utc::now().date_naive();
    let bar = progress_bar("prices");
    let mut shown = |done: usize, total: usize| show_progress(&bar, done, total);
    let imported = price_import::import_with_progress(&db, &command_line(), &bytes, today, &mut shown).await;
    bar.finish_and_clear();
    match imported {
        Ok(imported) => {
            println!("{}", imported.summary());
            Ok(())
        }
        Err(ImportError::Refused(rows)) => {
            let (shown, more) = price_import::shown(&rows);
            for (line, reason) in shown {
                // The reasons quote the file: control characters are shown, not sent to the terminal.
                println!("  line {line}: {}", reason.escape_debug());
            }
            if more > 0 {
                println!("  … and {more} more refused rows.");
            }
            Err(AppError::BadRequest(ImportError::Refused(rows).to_string()))
        }
        Err(refused) => Err(refused.into()),
    }
}

/// A progress bar on stderr (drawn only on a terminal).
fn progress_bar(unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    let template = format!("[{{bar:40}}] {{pos}}/{{len}} {unit} ({{elapsed}})");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn show_progress(bar: &indicatif::ProgressBar, done: usize, total: usize) {
    bar.set_length(total as u64);
    bar.set_position(done as u64);
}

/// `stratus billing run --period YYYY-MM`: prints the invoices issued and what was skipped.
/// The run is recorded as a job held by this process (a run of the period already under
/// way refuses it), so a server takes it over and resumes it if this process dies.
async fn billing(args: stratus::config::BillingArgs) -> Result<(), AppError> {
    use stratus::billing::{money, run};
    use stratus::tasks::{self, Finished, NewJob, Starter, Worked};
    let stratus::config::BillingCommand::Run { period, database_url, base_url } = args.command;
    let today = chrono::Utc::now().date_naive();
    let period = run::Period::parse(&period).map_err(AppError::BadRequest)?;
    period.check_ended(today).map_err(AppError::BadRequest)?;
    let (_lock, db) = open_database(&database_url).await?;
    let site = stratus::mail::Site::new(&stratus::config::validate_base_url(&base_url)?);
    let instance = tasks::instance_id();
    let job = NewJob::billing_run(&period, Starter::command_line(&db).await?);
    let job = tasks::store::start_claimed(&db, job, &instance).await?;
    let bar = progress_bar("accounts");
    let mut shown = |progress: &tasks::Progress| {
        show_progress(&bar, progress.done.max(0) as usize, progress.total.max(0) as usize);
        std::ops::ControlFlow::Continue(())
    };
    let worked = tasks::work(&db, Some(&site), job, &instance, &mut shown).await;
    bar.finish_and_clear();
    let report = match worked? {
        Worked::Finished(Finished::BillingRun(report)) => report,
        Worked::Finished(Finished::Refused(reason)) => return Err(AppError::BadRequest(reason)),
        Worked::Finished(_) | Worked::Stopped | Worked::Lost => {
            return Err(AppError::Conflict("another instance took the run over; Admin → Jobs shows it".into()))
        }
    };
    println!("Billing run for {}: {} invoice(s) issued.", report.period, report.issued.len());
    for invoice in &report.issued {
        println!(
            "  {}  {}  {} line(s)  {}",
            invoice.number,
            invoice.account,
            invoice.lines,
            money::format(invoice.total, &invoice.currency)
        );
    }
    if !report.already_billed.is_empty() {
        println!("Already billed for {}: {}", report.period, report.already_billed.join(", "));
    }
    if !report.skipped_suspended.is_empty() {
        println!("Not billed, their reseller is suspended: {}", report.skipped_suspended.join(", "));
    }
    for problem in &report.problems {
        println!("  not charged: {problem}");
    }
    Ok(())
}

/// `stratus api-client create --account CODE --name NAME`.
async fn api_client(args: stratus::config::ApiClientArgs) -> Result<(), AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use stratus::entities::accounts;
    let stratus::config::ApiClientCommand::Create { account, name, database_url } = args.command;
    let (_lock, db) = open_database(&database_url).await?;
    let found = accounts::Entity::find().filter(accounts::Column::Code.eq(account.trim())).one(&db).await?;
    let Some(account) = found else {
        return Err(AppError::BadRequest(format!("There is no account with the code {account}.")));
    };
    let new = stratus::api::clients::create(&db, &command_line(), &account, &name).await.map_err(AppError::from)?;
    println!("Created API client “{}” for {}.", new.client.name, account.name);
    println!("Client id: {}", new.client.client_id);
    println!("Secret (shown once): {}", new.secret);
    Ok(())
}

/// `stratus migrate [--status]`: applies the pending migrations alone, or lists them all.
async fn migrate(args: stratus::config::MigrateArgs) -> Result<(), AppError> {
    use stratus::operations::migrations::{self, Verdict};
    let _lock = stratus::operations::database_lock::hold_shared(&args.database_url)?;
    let db = stratus::server::connect_for_migrations(&args.database_url).await?;
    if args.status {
        let status = migrations::status(&db).await?;
        for line in status.lines() {
            println!("{line}");
        }
        return match status.verdict() {
            Verdict::UpToDate => Ok(()),
            Verdict::Pending(pending) => Err(AppError::Conflict(format!(
                "{} migration(s) pending: run `stratus migrate` to apply them.",
                pending.len()
            ))),
            Verdict::Newer(unknown) => Err(migrations::SchemaRefusal::Newer(unknown).into()),
        };
    }
    let applied = migrations::migrate(&db).await?;
    if applied.is_empty() {
        println!("Nothing to apply: the schema is up to date.");
    }
    for name in &applied {
        println!("Applied {name}");
    }
    Ok(())
}

/// `stratus backup FILE`: a consistent copy of the SQLite database.
async fn backup(args: stratus::config::BackupArgs) -> Result<(), AppError> {
    let done = stratus::operations::backup::backup(&args.database_url, &args.file).await?;
    println!("Backed up {} to {} ({} bytes).", done.database.display(), args.file.display(), done.bytes);
    Ok(())
}

/// `stratus restore FILE`: the SQLite database replaced by a checked backup.
async fn restore(args: stratus::config::RestoreArgs) -> Result<(), AppError> {
    let done = stratus::operations::backup::restore(&args.database_url, &args.file).await?;
    println!("Restored {} from {}.", done.database.display(), args.file.display());
    let pending = done.schema.pending();
    if !pending.is_empty() {
        println!(
            "The backup is {} migration(s) behind this binary: `stratus migrate` or `serve` applies them.",
            pending.len()
        );
    }
    Ok(())
}
