use clap::Parser;
use stratus::config::{AuthArgs, AuthCommand, Cli, Command, CreateAdminArgs, Settings};
use stratus::error::AppError;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::CreateAdmin(args)) => create_admin(args).await,
        Some(Command::Auth(args)) => auth(args).await,
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
    stratus::server::run(Settings::resolve(args)?).await
}

async fn create_admin(args: CreateAdminArgs) -> Result<(), AppError> {
    let (password, generated) = match std::env::var("STRATUS_ADMIN_PASSWORD") {
        Ok(password) if !password.is_empty() => (password, false),
        _ => (stratus::secrets::generate_key(), true),
    };
    let db = stratus::server::connect_and_migrate(&args.database_url).await?;
    stratus::accounts::bootstrap::create_provider_admin(&db, &args.provider_name, &args.email, &args.name, &password)
        .await?
        .map_err(AppError::BadRequest)?;
    println!("Created provider admin {}.", args.email);
    if generated {
        println!("Password (shown once): {password}");
    }
    Ok(())
}

async fn auth(args: AuthArgs) -> Result<(), AppError> {
    let db = stratus::server::connect_and_migrate(&args.database_url).await?;
    match args.command {
        AuthCommand::AllowLocalLogin { value } => {
            let allow = value == "on";
            stratus::identity::settings::set_allow_local_login(&db, allow).await?;
            stratus::identity::events::record(
                &db,
                stratus::identity::events::SETTINGS_CHANGED,
                None,
                None,
                Some(format!("allow_local_login={allow} (from the command line)")),
                None,
            )
            .await?;
            println!("Allow Local Login is now {value}.");
        }
    }
    Ok(())
}
