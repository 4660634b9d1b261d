//! One module per page: the GET that renders it and the POSTs its forms send.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod admin_attention;
pub mod admin_billing;
pub mod admin_identity;
pub mod admin_outbox;
pub mod admin_payments;
pub mod admin_usage;
pub mod api_clients;
pub mod audit_log;
pub mod brands;
pub mod cart;
pub mod errors;
pub mod home;
pub mod invitations;
pub mod invoice;
pub mod login;
pub mod oidc;
pub mod order;
pub mod password_reset;
pub mod product;
pub mod reports;
pub mod reseller;
pub mod signup;
pub mod subscription;
