//! Languages: Spanish for Chile (`es-CL`) and English (`en`).
//!
//! Every word a person reads comes from the Fluent bundles in `locales/<language>/*.ftl`
//! (joined by `build.rs` and compiled into the binary), through [`Localize::t`] or
//! [`tr!`] (with variables: names, counts for plurals). Money, numbers and dates are
//! formatted by ICU4X's data for the language ([`format`]), in the viewer's time zone.
//!
//! Which language a request gets is [`negotiate`]: the user's saved choice, else a
//! supported language the browser asks for, else the brand's default, else English.
//! The API and its error messages stay in English: they are for programs.

pub mod format;

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "es-CL")]
    EsCl,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::EsCl, Lang::En];

    /// The BCP 47 tag: `<html lang>`, the stored value, the switcher's value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::EsCl => "es-CL",
        }
    }

    /// The language's own name for itself (what a switcher shows, in any language).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::EsCl => "Español",
        }
    }

    /// A stored or submitted tag; anything else is none.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.trim() {
            "en" => Some(Lang::En),
            "es-CL" => Some(Lang::EsCl),
            _ => None,
        }
    }

    /// A language the browser asks for, by its primary subtag: any Spanish is `es-CL`,
    /// any English is `en`.
    fn matching(range: &str) -> Option<Lang> {
        let primary = range.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "es" => Some(Lang::EsCl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The first supported language of an `Accept-Language` header, by quality (ties keep
/// the header's order); `*` and unsupported languages are skipped, and a range with
/// `q=0` is refused.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut ranges: Vec<(u32, usize, Lang)> = Vec::new();
    for (order, item) in header.split(',').take(32).enumerate() {
        let mut parts = item.split(';');
        let Some(range) = parts.next() else { continue };
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        let thousandths = (quality * 1000.0).round() as u32;
        if thousandths == 0 {
            continue;
        }
        if let Some(lang) = Lang::matching(range) {
            ranges.push((thousandths, order, lang));
        }
    }
    ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.first().map(|r| r.2)
}

/// The cookie the footer's switcher leaves (a visitor's choice; a user's is saved on the account).
pub const COOKIE: &str = "stratus_lang";

/// The language a `Cookie` header's [`COOKIE`] names, if it is one we speak.
pub fn chosen_in_cookies(header: &str) -> Option<Lang> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, v)| Lang::from_tag(v))
}

/// The language of a request: the user's choice > the browser's > the brand's > English.
pub fn negotiate(user_choice: Option<Lang>, accept_language: Option<&str>, brand_default: Option<Lang>) -> Lang {
    user_choice.or_else(|| accept_language.and_then(from_accept_language)).or(brand_default).unwrap_or_default()
}

/// A language and a time zone: everything needed to say and format things for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale {
    pub lang: Lang,
    pub time_zone: chrono_tz::Tz,
}

impl Default for Locale {
    fn default() -> Self {
        Locale { lang: Lang::En, time_zone: DEFAULT_TIME_ZONE }
    }
}

/// The time zone when neither the user nor the brand chose one.
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::America::Santiago;

/// A stored or submitted IANA time zone name (`America/Santiago`); anything else is none.
pub fn time_zone(name: &str) -> Option<chrono_tz::Tz> {
    name.trim().parse().ok()
}

/// Anything that knows its [`Locale`] (a page's context, a mail's recipient) can say and
/// format things in it.
pub trait Localize {
    fn locale(&self) -> Locale;

    fn lang(&self) -> Lang {
        self.locale().lang
    }

    /// The message `id` (no variables).
    fn t(&self, id: &str) -> String {
        message(self.locale().lang, id, None)
    }

    /// The message `id` with variables; [`tr!`] writes the call.
    fn t_with(&self, id: &str, args: &[(&'static str, Arg)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.to_fluent());
        }
        message(self.locale().lang, id, Some(&fluent_args))
    }

    /// `$1.234.567` / `CLP 1,234,567`, `US$12,50` / `US$12.50`, negatives with a leading `-`.
    fn money(&self, amount: i64, currency: &str) -> String {
        format::money(self.locale().lang, amount, currency)
    }

    /// A whole number with the language's grouping: `1.234.567` / `1,234,567`.
    fn number(&self, value: i64) -> String {
        format::number(self.locale().lang, value)
    }

    /// A day in the user's time zone: `26-11-2026` / `Nov 26, 2026`.
    fn date(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        let locale = self.locale();
        format::date(locale.lang, at.with_timezone(&locale.time_zone).date_naive())
    }

    /// A calendar day as it is (no time zone: due dates, billing periods).
    fn day(&self, day: chrono::NaiveDate) -> String {
        format::date(self.locale().lang, day)
    }

    /// A moment in the user's time zone, to the minute: `26-11-2026, 14:05`.
    fn datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        let locale = self.locale();
        format::datetime(locale.lang, at.with_timezone(&locale.time_zone).naive_local())
    }
}

impl<T: Localize + ?Sized> Localize for &T {
    fn locale(&self) -> Locale {
        (**self).locale()
    }
}

impl Localize for Locale {
    fn locale(&self) -> Locale {
        *self
    }
}

impl Localize for Lang {
    fn locale(&self) -> Locale {
        Locale { lang: *self, time_zone: DEFAULT_TIME_ZONE }
    }
}

/// A message variable: text, or a number (a number selects plural forms).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl Arg {
    fn to_fluent(&self) -> FluentValue<'static> {
        match self {
            Arg::Text(text) => FluentValue::String(Cow::Owned(text.clone())),
            Arg::Number(n) => FluentValue::from(*n),
        }
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_string())
    }
}
impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}
impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Text(value.clone())
    }
}
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Arg::Number(i64::try_from(value).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_args!(i32, i64, u32, u64, usize);

/// `tr!(ctx, "cart-items", count = n, name = user.name)`: the message with its variables.
/// `ctx` is anything [`Localize`]; a value is text or a whole number.
macro_rules! tr {
    ($loc:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Localize::t_with(&$loc, $id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),*])
    };
}
pub(crate) use tr;

/// A message id named outside a `t(…)`/`tr!` call (a table of ids): the id itself, marked
/// so the bundle test sees it is used.
macro_rules! msg {
    ($id:literal) => {
        $id
    };
}
pub(crate) use msg;

/// The bundles' source, per language (joined by `build.rs`).
pub(crate) const SOURCES: [(Lang, &str); 2] = [
    (Lang::En, include_str!(concat!(env!("OUT_DIR"), "/en.ftl"))),
    (Lang::EsCl, include_str!(concat!(env!("OUT_DIR"), "/es-CL.ftl"))),
];

struct Bundles {
    en: FluentBundle<FluentResource>,
    es_cl: FluentBundle<FluentResource>,
}

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| Bundles { en: bundle(Lang::En), es_cl: bundle(Lang::EsCl) });

/// A language's bundle. Problems (a syntax error, an id twice) are logged and the
/// `i18n` tests fail on them; what parsed is still served.
fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let source = SOURCES.iter().find(|(l, _)| *l == lang).map_or("", |(_, s)| *s);
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            tracing::error!(language = lang.tag(), ?errors, "messages do not parse");
            resource
        }
    };
    let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around variables: the pages are left-to-right only, and
    // the marks would show up in copied text and in e-mail subjects.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(language = lang.tag(), ?errors, "messages overlap");
    }
    bundle
}

/// The message `id` in `lang`; a missing message is its id (and a test catches it).
fn message(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let bundle = match lang {
        Lang::En => &BUNDLES.en,
        Lang::EsCl => &BUNDLES.es_cl,
    };
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        tracing::warn!(language = lang.tag(), id, "no such message");
        return id.to_string();
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(language = lang.tag(), id, ?errors, "message formatted with errors");
    }
    text.into_owned()
}

#[cfg(test)]
mod tests;
