//! Where a request comes from, as the list of a user's sessions shows it: the client
//! address and a short name for the browser ("Firefox on Linux").

use std::net::IpAddr;

/// The longest user agent kept (longer ones are cut).
pub(crate) const MAX_USER_AGENT_CHARS: usize = 256;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Device {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl Device {
    pub(crate) fn of(ip: Option<IpAddr>, user_agent: Option<&str>) -> Device {
        let user_agent = user_agent
            .map(|ua| ua.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT_CHARS).collect::<String>())
            .filter(|ua| !ua.trim().is_empty());
        Device { ip, user_agent }
    }

    /// The client address (unspecified when the server could not tell).
    pub(crate) fn address(&self) -> IpAddr {
        self.ip.unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    /// The client address as security events and the session list store it.
    pub(crate) fn ip_text(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}

/// "Firefox on Linux", "Edge on Windows", "curl"; "Unknown browser" when it says nothing
/// useful; in the viewer's language (the names of browsers and systems stay).
pub(crate) fn describe_in(loc: &impl crate::i18n::Localize, user_agent: Option<&str>) -> String {
    use crate::i18n::tr;
    match user_agent.map(parts).unwrap_or((None, None)) {
        (Some(browser), Some(system)) => tr!(loc, "account-browser-on", browser = browser, system = system),
        (Some(browser), None) => browser.to_string(),
        (None, Some(system)) => tr!(loc, "account-a-browser-on", system = system),
        (None, None) => loc.t("account-unknown-browser"),
    }
}

/// The browser's and the system's names a user agent gives, when it gives them.
fn parts(ua: &str) -> (Option<&'static str>, Option<&'static str>) {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("Playwright", "Playwright"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| *name);
    (browser, system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_common_browsers_and_systems() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
        let chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe_in(&crate::i18n::Lang::En, Some(firefox)), "Firefox on Linux");
        assert_eq!(describe_in(&crate::i18n::Lang::En, Some(edge)), "Edge on Windows");
        assert_eq!(describe_in(&crate::i18n::Lang::En, Some(safari)), "Safari on iOS");
        assert_eq!(describe_in(&crate::i18n::Lang::En, Some(chrome_mac)), "Chrome on macOS");
        assert_eq!(describe_in(&crate::i18n::Lang::En, Some("curl/8.5.0")), "curl");
        assert_eq!(describe_in(&crate::i18n::Lang::En, Some("something")), "Unknown browser");
        assert_eq!(describe_in(&crate::i18n::Lang::En, None), "Unknown browser");
    }

    #[test]
    fn user_agents_are_cut_and_cleaned() {
        let long = "a".repeat(1000);
        let device = Device::of(None, Some(&long));
        assert_eq!(device.user_agent.map(|ua| ua.len()), Some(MAX_USER_AGENT_CHARS));
        assert_eq!(Device::of(None, Some("x\r\ny")).user_agent.as_deref(), Some("xy"));
        assert_eq!(Device::of(None, Some("  ")).user_agent, None);
        assert_eq!(Device::of("10.0.0.1".parse().ok(), None).ip_text().as_deref(), Some("10.0.0.1"));
    }
}
