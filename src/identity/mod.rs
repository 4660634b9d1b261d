//! Passwords, sessions, local sign-in with lockout, CSRF, rate limits and security events.
//! (OIDC providers and Login Options build on these.)

pub mod callback;
pub mod campaign;
pub mod client_address;
pub mod csrf;
pub mod demo_provider;
pub mod devices;
pub mod discovery;
pub mod events;
pub mod links;
pub mod local;
pub mod oidc;
pub mod passkeys;
pub mod password;
pub mod providers;
pub mod rate_limit;
pub mod reset;
pub mod second_factor;
pub mod session;
pub mod settings;
