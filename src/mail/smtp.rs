//! Sending one outbox message over SMTP with `lettre`: plain text plus HTML, from the
//! configured address under the brand's name, replies to the brand's support address.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::entities::outbox_messages;

/// `[smtp]`: where mail goes and who it is from.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465`.
    pub url: String,
    /// `Stratus Cloud <no-reply@example.com>`: its address sends every message.
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    /// The URL may hold a password: only its host is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings").field("server", &self.server()).field("from", &self.from).finish()
    }
}

impl SmtpSettings {
    /// `host:port` of the URL, without credentials (for pages and logs).
    pub(crate) fn server(&self) -> String {
        let rest = self.url.split_once("://").map_or(self.url.as_str(), |(_, r)| r);
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        authority.rsplit_once('@').map_or(authority, |(_, host)| host).to_string()
    }

    /// Checks the settings at start-up: a URL lettre understands and a sender address.
    pub(crate) fn check(&self) -> Result<(), String> {
        if !(self.url.starts_with("smtp://") || self.url.starts_with("smtps://")) {
            return Err(format!("[smtp] url must start with smtp:// or smtps://, not `{}`", self.server()));
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&self.url)
            .map_err(|e| format!("[smtp] url is not usable: {e}"))?;
        self.from.parse::<Mailbox>().map_err(|_| {
            format!("[smtp] from `{}` is not an address like `Stratus <no-reply@example.com>`", self.from)
        })?;
        Ok(())
    }
}

/// Why a message was not sent; permanent failures are not retried.
#[derive(Debug)]
pub(crate) struct SendFailure {
    pub permanent: bool,
    pub reason: String,
}

/// An SMTP connection factory with the sender's address.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
    hello: String,
}

impl SmtpSender {
    pub(crate) fn new(settings: &SmtpSettings, timeout: Duration) -> Result<SmtpSender, String> {
        settings.check()?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|e| e.to_string())?
            .timeout(Some(timeout))
            .build();
        let from = settings.from.parse::<Mailbox>().map_err(|e| e.to_string())?.email;
        Ok(SmtpSender { transport, hello: from.domain().to_string(), from })
    }

    fn build(&self, message: &outbox_messages::Model) -> Result<Message, SendFailure> {
        let permanent = |reason: String| SendFailure { permanent: true, reason };
        let to_address: Address = message
            .to_address
            .parse()
            .map_err(|_| permanent(format!("`{}` is not an e-mail address", message.to_address)))?;
        let mut builder = Message::builder()
            .from(Mailbox::new(Some(message.from_name.clone()), self.from.clone()))
            .to(Mailbox::new(message.to_name.clone(), to_address))
            .subject(message.subject.clone())
            .message_id(Some(format!("<outbox-{}-{}@{}>", message.id, message.created_at.timestamp(), self.hello)));
        if let Some(reply_to) = message.reply_to.as_deref().and_then(|r| r.parse::<Address>().ok()) {
            builder = builder.reply_to(Mailbox::new(Some(message.from_name.clone()), reply_to));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(message.text_body.clone(), message.html_body.clone()))
            .map_err(|e| permanent(format!("the message cannot be built: {e}")))
    }

    /// Sends one message. A refusal with a permanent SMTP code (5xx) is permanent; a
    /// connection failure or a temporary code is retried later.
    pub(crate) async fn send(&self, message: &outbox_messages::Model) -> Result<(), SendFailure> {
        let email = self.build(message)?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) => Err(SendFailure { permanent: e.is_permanent(), reason: e.to_string() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_in_the_url_is_never_shown() {
        let settings = SmtpSettings {
            url: "smtps://mailer:s3cret@smtp.example.com:465".into(),
            from: "Stratus Cloud <no-reply@example.com>".into(),
        };
        assert_eq!(settings.server(), "smtp.example.com:465");
        assert!(!format!("{settings:?}").contains("s3cret"));
        assert!(settings.check().is_ok());
        let bad = SmtpSettings { url: "http://x".into(), ..settings.clone() };
        assert!(bad.check().is_err());
        let no_from = SmtpSettings { from: "nobody".into(), ..settings };
        assert!(no_from.check().is_err());
    }
}
