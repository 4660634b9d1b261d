//! Money, numbers and dates in a language, with ICU4X's locale data (CLDR): grouping and
//! decimal separators, and the language's date patterns. Nothing here writes a separator
//! by hand; only the currency symbols are ours (CLDR's English has no `US$`).

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use fixed_decimal::Decimal;
use icu_datetime::fieldsets::YMD;
use icu_datetime::input::{Date, DateTime, Time};
use icu_datetime::options::YearStyle;
use icu_datetime::DateTimeFormatter;
use icu_decimal::options::{DecimalFormatterOptions, GroupingStrategy};
use icu_decimal::DecimalFormatter;
use icu_locale_core::{locale, Locale as IcuLocale};

use super::Lang;
use crate::billing::money::minor_digits;

fn icu_locale(lang: Lang) -> IcuLocale {
    match lang {
        Lang::En => locale!("en"),
        Lang::EsCl => locale!("es-CL"),
    }
}

struct Formatters {
    decimal: DecimalFormatter,
    date: Option<DateTimeFormatter<YMD>>,
    date_time: Option<DateTimeFormatter<icu_datetime::fieldsets::YMDT>>,
}

fn formatters_for(lang: Lang) -> Formatters {
    let locale = icu_locale(lang);
    // Chile groups every thousand (`$9.990`), where CLDR's Spanish would leave four
    // digits alone; English groups them anyway.
    let mut options = DecimalFormatterOptions::default();
    options.grouping_strategy = Some(GroupingStrategy::Always);
    let decimal = DecimalFormatter::try_new((&locale).into(), options)
        .or_else(|_| DecimalFormatter::try_new(Default::default(), options))
        .unwrap_or_else(|_| unreachable_formatter());
    // Spanish (Chile): the short date with the whole year, `26-11-2026`; English: the
    // medium date, `Nov 26, 2026` (a short `11/26/2026` reads wrong outside the US).
    let date_fields = match lang {
        Lang::EsCl => YMD::short().with_year_style(YearStyle::Full),
        Lang::En => YMD::medium(),
    };
    let date = DateTimeFormatter::try_new((&locale).into(), date_fields).ok();
    let date_time = DateTimeFormatter::try_new((&locale).into(), date_fields.with_time_hm()).ok();
    Formatters { decimal, date, date_time }
}

/// Compiled data always has the root locale; this only satisfies the type checker.
fn unreachable_formatter() -> DecimalFormatter {
    #[allow(clippy::expect_used)]
    DecimalFormatter::try_new(Default::default(), DecimalFormatterOptions::default())
        .expect("ICU4X's compiled data has the root locale")
}

static EN: LazyLock<Formatters> = LazyLock::new(|| formatters_for(Lang::En));
static ES_CL: LazyLock<Formatters> = LazyLock::new(|| formatters_for(Lang::EsCl));

fn formatters(lang: Lang) -> &'static Formatters {
    match lang {
        Lang::En => &EN,
        Lang::EsCl => &ES_CL,
    }
}

/// `value` in minor units with `digits` decimals, grouped and separated as `lang` does.
fn decimal(lang: Lang, value: i64, digits: u32) -> String {
    let mut number = Decimal::from(value);
    let places = i16::try_from(digits).unwrap_or(0);
    number.multiply_pow10(-places);
    number.pad_end(-places);
    formatters(lang).decimal.format(&number).to_string()
}

/// A whole number: `1.234.567` in Spanish, `1,234,567` in English.
pub fn number(lang: Lang, value: i64) -> String {
    decimal(lang, value, 0)
}

/// A decimal number given in hundredths (a percentage such as 19.5 is 1950): `19,5` /
/// `19.5`, trailing zeros dropped.
pub fn hundredths(lang: Lang, value: i64) -> String {
    if value % 100 == 0 {
        number(lang, value / 100)
    } else if value % 10 == 0 {
        let mut n = Decimal::from(value / 10);
        n.multiply_pow10(-1);
        formatters(lang).decimal.format(&n).to_string()
    } else {
        decimal(lang, value, 2)
    }
}

/// The symbol written before an amount: Chile's peso is `$` in Spanish, and `US$` keeps
/// the dollar apart from it; English spells the peso out.
fn currency_symbol(lang: Lang, currency: &str) -> String {
    match (lang, currency) {
        (Lang::EsCl, "CLP") => "$".into(),
        (_, "USD") => "US$".into(),
        (_, "EUR") => "€".into(),
        (_, code) => format!("{code} "),
    }
}

/// An amount in the currency's minor unit: `$1.234.567`, `US$12,50` (Spanish);
/// `CLP 1,234,567`, `US$12.50` (English). A negative amount (a credit) leads with `-`.
pub fn money(lang: Lang, amount: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let magnitude = i64::try_from(amount.unsigned_abs()).unwrap_or(i64::MAX);
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{}{}", currency_symbol(lang, currency), decimal(lang, magnitude, digits))
}

fn icu_date(day: NaiveDate) -> Option<Date<icu_calendar::Iso>> {
    let year = day.year();
    let month = u8::try_from(day.month()).ok()?;
    let date = u8::try_from(day.day()).ok()?;
    Date::try_new_iso(year, month, date).ok()
}

/// A day: `26-11-2026` (Spanish), `Nov 26, 2026` (English).
pub fn date(lang: Lang, day: NaiveDate) -> String {
    match (&formatters(lang).date, icu_date(day)) {
        (Some(formatter), Some(date)) => formatter.format(&date).to_string(),
        _ => day.format("%Y-%m-%d").to_string(),
    }
}

/// A local date and time to the minute: `26-11-2026, 14:05` / `Nov 26, 2026, 2:05 PM`.
pub fn datetime(lang: Lang, at: NaiveDateTime) -> String {
    let time = Time::try_new(u8::try_from(at.hour()).unwrap_or(0), u8::try_from(at.minute()).unwrap_or(0), 0, 0);
    match (&formatters(lang).date_time, icu_date(at.date()), time) {
        (Some(formatter), Some(date), Ok(time)) => formatter.format(&DateTime { date, time }).to_string(),
        _ => at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesos_have_no_decimals_and_group_every_thousand() {
        assert_eq!(money(Lang::EsCl, 1_234_567, "CLP"), "$1.234.567");
        assert_eq!(money(Lang::EsCl, 9_990, "CLP"), "$9.990");
        assert_eq!(money(Lang::EsCl, 0, "CLP"), "$0");
        assert_eq!(money(Lang::En, 1_234_567, "CLP"), "CLP 1,234,567");
        assert_eq!(money(Lang::En, 990, "CLP"), "CLP 990");
    }

    #[test]
    fn dollars_show_cents_with_the_languages_separator() {
        assert_eq!(money(Lang::EsCl, 1250, "USD"), "US$12,50");
        assert_eq!(money(Lang::En, 1250, "USD"), "US$12.50");
        assert_eq!(money(Lang::En, 123_456_789, "USD"), "US$1,234,567.89");
        assert_eq!(money(Lang::EsCl, 123_456_789, "USD"), "US$1.234.567,89");
        assert_eq!(money(Lang::En, 5, "USD"), "US$0.05");
        assert_eq!(money(Lang::EsCl, 0, "USD"), "US$0,00");
    }

    #[test]
    fn credits_are_negative_amounts_led_by_a_minus() {
        assert_eq!(money(Lang::EsCl, -5_000, "CLP"), "-$5.000");
        assert_eq!(money(Lang::En, -5_000, "CLP"), "-CLP 5,000");
        assert_eq!(money(Lang::EsCl, -1250, "USD"), "-US$12,50");
        assert_eq!(money(Lang::En, -1250, "USD"), "-US$12.50");
        assert_eq!(money(Lang::En, i64::MIN, "CLP"), format!("-CLP {}", number(Lang::En, i64::MAX)));
    }

    #[test]
    fn other_zero_decimal_currencies_and_unknown_codes() {
        assert_eq!(money(Lang::EsCl, 1_500, "JPY"), "JPY 1.500");
        assert_eq!(money(Lang::En, 1_500, "JPY"), "JPY 1,500");
        assert_eq!(money(Lang::En, 1_999, "EUR"), "€19.99");
        assert_eq!(money(Lang::EsCl, 1_999, "EUR"), "€19,99");
    }

    #[test]
    fn numbers_group_by_language() {
        assert_eq!(number(Lang::EsCl, 1_234_567), "1.234.567");
        assert_eq!(number(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(number(Lang::EsCl, -1_234), "-1.234");
        assert_eq!(number(Lang::En, 0), "0");
        assert_eq!(hundredths(Lang::EsCl, 1950), "19,5");
        assert_eq!(hundredths(Lang::En, 1950), "19.5");
        assert_eq!(hundredths(Lang::En, 1900), "19");
        assert_eq!(hundredths(Lang::EsCl, 1234), "12,34");
    }

    #[test]
    fn dates_are_day_month_year_in_spanish_and_spelled_in_english() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        assert_eq!(date(Lang::EsCl, day), "26-11-2026");
        assert_eq!(date(Lang::En, day), "Nov 26, 2026");
        let first = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap_or_default();
        assert_eq!(date(Lang::EsCl, first), "05-01-2027");
    }

    #[test]
    fn date_times_are_to_the_minute() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 26).and_then(|d| d.and_hms_opt(14, 5, 59)).unwrap_or_default();
        assert_eq!(datetime(Lang::EsCl, at), "26-11-2026, 14:05");
        assert_eq!(datetime(Lang::En, at), "Nov 26, 2026, 2:05\u{202f}PM");
    }
}
