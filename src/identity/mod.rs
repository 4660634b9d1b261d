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

use crate::i18n::Localize;

/// A refusal to sign somebody in, given as its English sentence (the `&'static str` of
/// [`crate::accounts::may_sign_in`] and of the callback's refusals, which the logs and the
/// API keep in English), said in the viewer's language. An unknown sentence stays as it is.
pub(crate) fn sign_in_refusal(loc: &impl Localize, reason: &str) -> String {
    match reason {
        "This user was deactivated. Ask your account's administrator." => loc.t("identity-user-deactivated"),
        "This invitation has not been accepted yet: follow the link in its e-mail." => {
            loc.t("identity-invitation-not-accepted")
        }
        "This account is suspended. Ask your provider." => loc.t("identity-account-suspended"),
        "This account waits for approval. You will get an e-mail once it is approved." => {
            loc.t("identity-account-pending-approval")
        }
        "This identity provider is switched off here." => loc.t("identity-provider-switched-off"),
        "Sign-up is closed." => loc.t("identity-sign-up-closed"),
        "This shop does not take new accounts right now." => loc.t("identity-no-new-accounts"),
        other => other.to_string(),
    }
}

/// A form field's refusal that a checker returns as an English sentence
/// ([`crate::accounts::check_name`], [`local::check_email`], the sign-up's country and tax
/// id, a [`password::NewPasswordError`] as text), said
/// in the viewer's language. An unknown sentence stays as it is.
pub(crate) fn field_message(loc: &impl Localize, english: &str) -> String {
    use crate::i18n::{msg, tr};
    if english == format!("A name has at most {} characters.", crate::accounts::MAX_NAME_CHARS) {
        return tr!(loc, "identity-name-too-long", count = crate::accounts::MAX_NAME_CHARS);
    }
    if english == format!("An e-mail address has at most {} characters.", local::MAX_EMAIL_CHARS) {
        return tr!(loc, "identity-email-too-long", count = local::MAX_EMAIL_CHARS);
    }
    use password::NewPasswordError as P;
    for rule in [P::TooShort, P::TooLong, P::OnlySpaces, P::Mismatch] {
        if english == rule.to_string() {
            return rule.localized(loc);
        }
    }
    // The sign-up's tax id (the checker's own words belong to the accounts module).
    use crate::accounts::tax_id::{TaxIdError as T, MAX_TAX_ID_CHARS};
    for (refusal, id) in [
        (T::Missing, msg!("signup-tax-id-missing")),
        (T::NotARut, msg!("signup-tax-id-not-a-rut")),
        (T::WrongVerifier, msg!("signup-tax-id-wrong-verifier")),
    ] {
        if english == refusal.to_string() {
            return loc.t(id);
        }
    }
    if english == T::TooLong.to_string() {
        return tr!(loc, "signup-tax-id-too-long", count = MAX_TAX_ID_CHARS);
    }
    match english {
        "Enter a name." => loc.t("identity-name-missing"),
        "A name cannot contain control characters." => loc.t("identity-name-control-characters"),
        "Enter your e-mail address." => loc.t("identity-email-missing"),
        "Enter an e-mail address like name@example.com." => loc.t("identity-email-invalid"),
        "Choose a country from the list." => loc.t("signup-choose-country"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod refusal_tests {
    use crate::i18n::Lang;

    #[test]
    fn every_refusal_to_sign_in_is_said_in_spanish() {
        for reason in [
            "This user was deactivated. Ask your account's administrator.",
            "This invitation has not been accepted yet: follow the link in its e-mail.",
            "This account is suspended. Ask your provider.",
            "This account waits for approval. You will get an e-mail once it is approved.",
            "This identity provider is switched off here.",
            "Sign-up is closed.",
            "This shop does not take new accounts right now.",
        ] {
            assert_eq!(super::sign_in_refusal(&Lang::En, reason), reason);
            assert_ne!(super::sign_in_refusal(&Lang::EsCl, reason), reason);
        }
    }

    #[test]
    fn the_field_checks_are_said_in_spanish() {
        let long = "a".repeat(crate::accounts::MAX_NAME_CHARS + 1);
        let refusals = [
            crate::accounts::check_name("").unwrap_err(),
            crate::accounts::check_name(&long).unwrap_err(),
            crate::accounts::check_name("a\u{7}b").unwrap_err(),
            super::local::check_email("").unwrap_err(),
            super::local::check_email("nobody").unwrap_err(),
            super::local::check_email(&format!("{}@x.cl", "a".repeat(260))).unwrap_err(),
            crate::accounts::tax_id::check_tax_id("CL", "").unwrap_err().to_string(),
            crate::accounts::tax_id::check_tax_id("CL", "76.086.42A-5").unwrap_err().to_string(),
            crate::accounts::tax_id::check_tax_id("CL", "76.086.428-4").unwrap_err().to_string(),
            crate::accounts::tax_id::check_tax_id("CL", &"1".repeat(100)).unwrap_err().to_string(),
        ];
        for refusal in refusals {
            assert_eq!(super::field_message(&Lang::En, &refusal), refusal);
            assert_ne!(super::field_message(&Lang::EsCl, &refusal), refusal, "{refusal}");
        }
    }
}
