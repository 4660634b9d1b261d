//! Closed sets of values stored as short strings. `as_str`/`parse` give the stored form,
//! so forms and query strings reject unknown values with a clear message.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($name:ident { $($variant:ident = $value:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        pub enum $name {
            $(#[sea_orm(string_value = $value)] #[serde(rename = $value)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and form) spelling of this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            /// Parses the stored spelling; `None` for anything else.
            pub fn parse(value: &str) -> Option<Self> {
                match value { $($value => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(AccountTier {
    Provider = "provider",
    Reseller = "reseller",
    Customer = "customer",
});

string_enum!(UserRole {
    CustomerUser = "customer_user",
    CustomerAdmin = "customer_admin",
    ResellerAdmin = "reseller_admin",
    ProviderAdmin = "provider_admin",
});

string_enum!(IdpKind {
    AzureAd = "azure_ad",
    Google = "google",
    Oidc = "oidc",
});

string_enum!(ProductKind {
    LicenseSubscription = "license_subscription",
    Consumption = "consumption",
    PerpetualLicense = "perpetual_license",
    SoftwareSubscription = "software_subscription",
    ReservedInstance = "reserved_instance",
    Addon = "addon",
});

// The product family the catalogue groups products by (`products.family`); the usage
// family on invoices (`products.usage_family`) is a separate, free-text classification.
string_enum!(ProductFamily {
    Microsoft365 = "microsoft_365",
    Azure = "azure",
    Acronis = "acronis",
    Dynamics365 = "dynamics_365",
    WindowsServer = "windows_server",
    Other = "other",
});

string_enum!(BillingCycle {
    Monthly = "monthly",
    Annual = "annual",
    OneTime = "one_time",
});

string_enum!(OrderStatus {
    PendingPayment = "pending_payment",
    PaymentVerifying = "payment_verifying",
    Paid = "paid",
    Canceled = "canceled",
});

string_enum!(SubscriptionStatus {
    Active = "active",
    PendingForCancel = "pending_for_cancel",
    Canceled = "canceled",
    Suspended = "suspended",
});

string_enum!(ActorKind {
    User = "user",
    Reseller = "reseller",
    Admin = "admin",
    System = "system",
});

string_enum!(FutureActionType {
    CancellationOnEnd = "CancellationOnEnd",
    ChangeQtyOnNext = "ChangeQtyOnNext",
    CancellationOnSpecific = "CancellationOnSpecific",
});

string_enum!(FutureActionStatus {
    Pending = "pending",
    Executed = "executed",
    Revoked = "revoked",
    Failed = "failed",
});

string_enum!(InvoiceType {
    Debit = "debit",
    Credit = "credit",
});

string_enum!(InvoiceStatus {
    Unpaid = "unpaid",
    Paid = "paid",
});

string_enum!(RiPaymentPlan {
    Upfront = "upfront",
    Monthly = "monthly",
});

string_enum!(ReservationDimension {
    ReservationType = "reservation_type",
    Scope = "scope",
    Region = "region",
});

// Where a WebPay transaction stands (`webpay_transactions.status`); what each means is
// written at `payments::webpay::checkout::state`.
string_enum!(TransactionState {
    Creating = "creating",
    CreateFailed = "create_failed",
    Created = "created",
    Superseded = "superseded",
    Committing = "committing",
    Settling = "settling",
    Authorized = "authorized",
    Rejected = "rejected",
    Cancelled = "cancelled",
    TimedOut = "timed_out",
    FormError = "form_error",
    Verifying = "verifying",
    Failed = "failed",
    Refunding = "refunding",
    Refunded = "refunded",
    RefundNeeded = "refund_needed",
    Unverified = "unverified",
});

// Where a refund of a paid order stands (`refunds.status`), in WebPay's spelling; what each
// means is written at `payments::webpay::checkout::refund_state`.
string_enum!(RefundStatus {
    Sending = "SENDING",
    Verifying = "VERIFYING",
    Reversed = "REVERSED",
    Nullified = "NULLIFIED",
    Failed = "FAILED",
});

// Which field of a subscription (or add-on) a history record is about, or what happened
// to it (`created`, `addon_added`).
string_enum!(HistoryField {
    Created = "created",
    Status = "status",
    Quantity = "quantity",
    RampUp = "ramp_up",
    RampUpEnd = "ramp_up_end",
    TermEndDate = "term_end_date",
    AddonAdded = "addon_added",
    FutureAction = "future_action",
});

impl HistoryField {
    /// How pages name it: "term end date", "addon added".
    pub fn label(self) -> String {
        self.as_str().replace('_', " ")
    }
}

// What a security event records (stored as its short name).
string_enum!(SecurityEventKind {
    SignIn = "sign_in",
    SignInFailed = "sign_in_failed",
    LockedOut = "locked_out",
    SignOut = "sign_out",
    Unlocked = "unlocked",
    PasswordChanged = "password_changed",
    SettingsChanged = "auth_settings_changed",
    IdpSignIn = "idp_sign_in",
    IdpSignInFailed = "idp_sign_in_failed",
    Linked = "identity_linked",
    Unlinked = "identity_unlinked",
    LinkRefused = "identity_link_refused",
    Registered = "registered_by_idp",
    Reauthenticated = "reauthenticated",
    OtherSessionsEnded = "other_sessions_ended",
    SessionEnded = "session_signed_out",
    PasswordSet = "password_set",
    PasswordRemoved = "password_removed",
    AuthenticatorConnected = "authenticator_app_connected",
    AuthenticatorDisconnected = "authenticator_app_removed",
    RecoveryCodesRenewed = "recovery_codes_renewed",
    RecoveryCodeUsed = "recovery_code_used",
    SecondFactorFailed = "second_factor_failed",
    SecondFactorsReset = "second_factors_reset",
    PasskeyAdded = "passkey_added",
    PasskeyRemoved = "passkey_removed",
    PasskeyCloneSuspected = "passkey_clone_suspected",
});

impl SecurityEventKind {
    /// How pages name it: "identity linked", "sign in failed".
    pub fn label(self) -> String {
        self.as_str().replace('_', " ")
    }
}

// Who must have a second factor: nobody (anybody may), provider and reseller
// administrators, or everyone.
string_enum!(SecondFactorRule {
    Off = "off",
    Administrators = "administrators",
    Everyone = "everyone",
});

string_enum!(AccountStatus {
    Active = "active",
    Suspended = "suspended",
    PendingApproval = "pending_approval",
});

string_enum!(MailKind {
    PasswordReset = "password_reset",
    EmailVerification = "email_verification",
    SecurityNotice = "security_notice",
    InvoiceIssued = "invoice_issued",
    PaymentReceipt = "payment_receipt",
    ConnectInvitation = "connect_invitation",
    UserInvitation = "user_invitation",
    AccountApproved = "account_approved",
});

string_enum!(OutboxStatus {
    Pending = "pending",
    Sent = "sent",
    Failed = "failed",
});

string_enum!(TokenPurpose {
    PasswordReset = "password_reset",
    EmailVerification = "email_verification",
    Invitation = "invitation",
});
