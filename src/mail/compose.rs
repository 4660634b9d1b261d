//! Turns a letter (what a message says) and the recipient's brand into its subject, plain
//! text and HTML. Pure: no database, no clock. Every value is escaped in the HTML; the
//! brand's colours are the validated `#rrggbb` ones or the fallback's.

use crate::branding::{valid_color, Brand};
use crate::i18n::{tr, Localize};

/// What a message says, before it is dressed in a brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Letter {
    pub subject: String,
    /// "Hello Ana,".
    pub greeting: String,
    pub paragraphs: Vec<String>,
    /// A button (HTML) and a line with the address (text): label and absolute URL.
    pub action: Option<(String, String)>,
    /// Said after the action, e.g. "If you did not ask for this, ignore this message."
    pub after: Vec<String>,
}

/// A message ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The brand's logo as an absolute address, or none (a relative upload path is joined to
/// the site's base; anything not http(s) is dropped).
fn absolute_logo(brand: &Brand, site_base: &str) -> Option<String> {
    let logo = brand.logo_url.as_deref()?;
    if logo.starts_with("https://") || logo.starts_with("http://") {
        Some(logo.to_string())
    } else if logo.starts_with('/') && !logo.starts_with("//") {
        Some(format!("{}{logo}", site_base.trim_end_matches('/')))
    } else {
        None
    }
}

pub(crate) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Stands for the support address's link while its sentence is escaped for HTML.
const ADDRESS_MARK: &str = "\u{E000}";

/// Renders `letter` in `brand`; `site_base` is where the brand's own links point; `loc`
/// says the layout's own words ("Questions? Write to …") in the letter's language.
pub(crate) fn render(brand: &Brand, site_base: &str, letter: &Letter, loc: &impl Localize) -> Rendered {
    let fallback = Brand::fallback();
    let primary = valid_color(&brand.primary_color).unwrap_or(fallback.primary_color);
    let accent = valid_color(&brand.accent_color).unwrap_or(fallback.accent_color);
    let company = brand.company_name.as_str();

    let mut text = format!("{}\n\n", letter.greeting);
    for paragraph in &letter.paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    if let Some((label, url)) = &letter.action {
        text.push_str(&format!("{label}:\n{url}\n\n"));
    }
    for line in &letter.after {
        text.push_str(line);
        text.push_str("\n\n");
    }
    text.push_str(&format!("-- \n{company}\n"));
    if let Some(support) = &brand.support_email {
        text.push_str(&tr!(loc, "mail-questions", address = support.as_str()));
        text.push('\n');
    }
    if let Some(footer) = &brand.footer_text {
        text.push_str(footer);
        text.push('\n');
    }

    let mut html = String::new();
    html.push_str(&format!("<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>", loc.lang().tag()));
    html.push_str(&escape(&letter.subject));
    html.push_str("</title></head><body style=\"margin:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1d1d1f\">");
    html.push_str(&format!(
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td style=\"background:{primary};padding:16px 24px;color:#ffffff;font-size:20px;font-weight:bold\">"
    ));
    if let Some(logo) = absolute_logo(brand, site_base) {
        html.push_str(&format!(
            "<img src=\"{}\" alt=\"{}\" height=\"32\" style=\"vertical-align:middle;margin-right:12px\">",
            escape(&logo),
            escape(company)
        ));
    }
    html.push_str(&escape(company));
    html.push_str("</td></tr><tr><td style=\"background:#ffffff;padding:24px\">");
    html.push_str(&format!("<p>{}</p>", escape(&letter.greeting)));
    for paragraph in &letter.paragraphs {
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
    }
    if let Some((label, url)) = &letter.action {
        html.push_str(&format!(
            "<p><a href=\"{url}\" style=\"display:inline-block;background:{accent};color:#ffffff;padding:10px 18px;border-radius:4px;text-decoration:none\">{label}</a></p><p style=\"font-size:12px;color:#555555\">{url}</p>",
            url = escape(url),
            label = escape(label),
        ));
    }
    for line in &letter.after {
        html.push_str(&format!("<p>{}</p>", escape(line)));
    }
    html.push_str("</td></tr><tr><td style=\"padding:16px 24px;font-size:12px;color:#555555\">");
    html.push_str(&escape(company));
    if let Some(support) = &brand.support_email {
        let link = format!("<a href=\"mailto:{0}\" style=\"color:{primary}\">{0}</a>", escape(support));
        let sentence = tr!(loc, "mail-questions", address = ADDRESS_MARK);
        html.push_str(" · ");
        html.push_str(&escape(&sentence).replace(ADDRESS_MARK, &link));
    }
    if let Some(footer) = &brand.footer_text {
        html.push_str(&format!("<br>{}", escape(footer)));
    }
    html.push_str("</td></tr></table></body></html>");

    Rendered { subject: format!("{} · {company}", letter.subject), text, html }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn brand() -> Brand {
        Brand {
            company_name: "Andes IT".into(),
            logo_url: Some("/brand-images/3/logo?v=1".into()),
            primary_color: "#0A5C36".into(),
            support_email: Some("soporte@andes.example".into()),
            footer_text: Some("Andes IT SpA · Santiago".into()),
            ..Brand::fallback()
        }
    }

    fn letter() -> Letter {
        Letter {
            subject: "Reset your password".into(),
            greeting: "Hello <Ana>,".into(),
            paragraphs: vec!["Someone asked to reset the password of ana@contoso.demo.".into()],
            action: Some(("Choose a new password".into(), "https://andes.example/password-reset/abc?x=1&y=2".into())),
            after: vec!["If you did not ask for this, ignore this message.".into()],
        }
    }

    #[test]
    fn the_brand_dresses_both_parts() {
        let mail = render(&brand(), "https://shop.example", &letter(), &Lang::En);
        assert_eq!(mail.subject, "Reset your password · Andes IT");
        assert!(mail.text.contains("Choose a new password:\nhttps://andes.example/password-reset/abc?x=1&y=2"));
        assert!(mail.text.contains("Questions? Write to soporte@andes.example"));
        assert!(mail.text.ends_with("Andes IT SpA · Santiago\n"));
        assert!(mail.html.contains("background:#0a5c36"), "validated colour, lower-cased");
        assert!(mail.html.contains("src=\"https://shop.example/brand-images/3/logo?v=1\""), "absolute logo");
        assert!(mail.html.contains("href=\"https://andes.example/password-reset/abc?x=1&amp;y=2\""));
        assert!(mail.html.contains(
            " · Questions? Write to <a href=\"mailto:soporte@andes.example\" style=\"color:#0a5c36\">soporte@andes.example</a>"
        ));
    }

    #[test]
    fn the_layout_speaks_the_letters_language() {
        let mail = render(&brand(), "https://shop.example", &letter(), &Lang::EsCl);
        assert!(mail.text.contains("¿Preguntas? Escriba a soporte@andes.example\n"), "{}", mail.text);
        assert!(mail.html.contains(
            " · ¿Preguntas? Escriba a <a href=\"mailto:soporte@andes.example\" style=\"color:#0a5c36\">soporte@andes.example</a>"
        ));
        assert!(!mail.text.contains("Questions?") && !mail.html.contains("Questions?"));
        assert!(mail.html.starts_with("<!DOCTYPE html><html lang=\"es-CL\">"));
    }

    #[test]
    fn everything_is_escaped_in_html() {
        let mut evil = brand();
        evil.company_name = "<script>alert(1)</script>".into();
        evil.primary_color = "red;background:url(x)".into();
        evil.logo_url = Some("javascript:alert(1)".into());
        let mail = render(&evil, "https://shop.example", &letter(), &Lang::En);
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("Hello &lt;Ana&gt;,"));
        assert!(mail.html.contains(&format!("background:{}", Brand::fallback().primary_color)));
        assert!(!mail.html.contains("javascript:"));
        assert!(mail.text.contains("Hello <Ana>,"), "plain text stays plain");
    }
}
