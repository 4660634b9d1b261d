//! Spanish and English: the crawl of every page a demo persona can reach by links, in
//! each language; the language rule (choice > browser > brand); the footer's switcher;
//! Language and time zone on My Account.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;

use crate::support::*;

/// Who crawls: every demo sign-in, and an anonymous visitor.
const PERSONAS: &[Option<&str>] = &[
    None,
    Some("admin@stratus.demo"),
    Some("admin@andes.demo"),
    Some("ana@contoso.demo"),
    Some("beatriz@contoso.demo"),
    Some("admin@pacific.demo"),
    Some("fabio@fabrikam.demo"),
    Some("tina@tailspin.demo"),
];

/// The site's own page links of a page (`href="/…"`), without their query.
fn page_links(html: &str) -> Vec<String> {
    html.match_indices("href=\"")
        .filter_map(|(at, _)| {
            let value = &html[at + 6..];
            let href = unescape(&value[..value.find('"')?]);
            let path = href.split(['?', '#']).next()?.to_string();
            let ours = path.starts_with('/') && !path.starts_with("//");
            let skipped =
                ["/static/", "/brand-assets/", "/brand-images/", "/auth/oidc/", "/api/", "/metrics", "/health"]
                    .iter()
                    .any(|prefix| path.starts_with(prefix))
                    || path.ends_with(".csv");
            (ours && !skipped).then_some(path)
        })
        .collect()
}

/// GETs `path`, following redirects that stay on this site: the final status, whether it
/// is an HTML page, and the body.
async fn open(browser: &Browser, path: &str) -> (StatusCode, bool, String) {
    let mut path = path.to_string();
    for _ in 0..6 {
        let response = browser.get(&path).await;
        let status = response.status();
        if status.is_redirection() {
            let next = location(&response);
            if !next.starts_with('/') || next.starts_with("//") {
                return (status, false, String::new());
            }
            path = next;
            continue;
        }
        let html = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        return (status, html, response.text().await.expect("body"));
    }
    panic!("{path}: too many redirects");
}

/// Crawls every page `persona` reaches by links from the catalogue and My Account, in the
/// language the browser asks for; answers each page's problems and how many pages it read.
async fn crawl(app: &TestApp, persona: Option<&'static str>, language: &'static str) -> (Vec<String>, usize) {
    let browser = app.browser_asking_for(Some(language));
    if let Some(email) = persona {
        browser.sign_in(email).await;
    }
    let (expected_lang, forbidden) = if language.starts_with("es") {
        ("<html lang=\"es", ENGLISH_WORDS)
    } else {
        ("<html lang=\"en\"", SPANISH_WORDS)
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/", "/account", "/login"].into_iter().map(str::to_string).collect();
    let mut problems = Vec::new();
    let mut read = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 400 {
            continue;
        }
        let (status, html, body) = open(&browser, &path).await;
        if !html {
            continue;
        }
        read += 1;
        let who = persona.unwrap_or("anonymous");
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            problems.push(format!("{who} {language} {path}: 500"));
        }
        if !body.contains(expected_lang) {
            problems.push(format!("{who} {language} {path}: not {expected_lang}"));
        }
        let text = visible_text(&body);
        for word in forbidden {
            if has_word(&text, word) {
                let at = text.find(word).unwrap_or(0);
                let context: String = text[at.saturating_sub(60)..].chars().take(140).collect();
                problems.push(format!("{who} {language} {path}: \"{word}\" in …{}…", context.trim()));
            }
        }
        queue.extend(page_links(&body));
    }
    (problems, read)
}

async fn crawl_everyone(language: &'static str) {
    let app = TestApp::start().await;
    let crawls = PERSONAS.iter().map(|persona| crawl(&app, *persona, language));
    let results = futures_util::future::join_all(crawls).await;
    let mut problems = Vec::new();
    for ((found, read), persona) in results.into_iter().zip(PERSONAS) {
        assert!(read >= 3, "{persona:?} read only {read} pages");
        problems.extend(found);
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn every_page_a_persona_reaches_is_in_spanish_for_a_chilean_browser() {
    crawl_everyone("es-CL,es;q=0.9").await;
}

#[tokio::test]
async fn every_page_a_persona_reaches_is_in_english_for_an_english_browser() {
    crawl_everyone("en-US,en;q=0.9").await;
}

#[test]
fn the_crawl_reads_text_and_labels_but_not_scripts() {
    let html = r#"<html lang="es-CL"><head><style>.Cart{}</style><script src="/static/x.js"></script></head>
        <body><p>Mi <b>cuenta</b></p><input type="submit" value="Save"><a title="Carro">x</a>
        <script>var Invoices = 1;</script><span>Cartago</span></body></html>"#;
    let text = visible_text(html);
    assert!(has_word(&text, "Save") && has_word(&text, "Carro"), "{text}");
    assert!(!has_word(&text, "Invoices") && !has_word(&text, "Cart"), "{text}");
    assert_eq!(page_links(r#"<a href="/a?page=2">x</a><a href="//evil">y</a><a href="/static/s.css">"#), vec!["/a"]);
}

#[tokio::test]
async fn the_users_choice_beats_the_browser_which_beats_the_brand() {
    let app = TestApp::start().await;
    // No language asked: Stratus Cloud's default, Spanish.
    let silent = app.browser_asking_for(None);
    let (_, body) = silent.page("/").await;
    assert!(body.contains("<html lang=\"es-CL\""), "the brand's default");
    assert!(body.contains(">Catálogo<") && body.contains(">Iniciar sesión<"));
    // An English browser: English.
    let english = app.browser_asking_for(Some("en-GB,en;q=0.8"));
    let (_, body) = english.page("/").await;
    assert!(body.contains("<html lang=\"en\"") && body.contains(">Catalogue<"));
    // A language we do not speak: the brand's.
    let german = app.browser_asking_for(Some("de-DE,de;q=0.9"));
    assert!(german.page("/").await.1.contains("<html lang=\"es-CL\""));

    // Ana's saved choice (English) wins over her Spanish browser, in any browser she signs in from.
    let ana = app.browser_asking_for(Some("es-CL"));
    ana.sign_in("ana@contoso.demo").await;
    assert!(ana.page("/account").await.1.contains("<html lang=\"es-CL\""));
    let saved =
        ana.submit("/account/preferences", "/account/preferences", &[("language", "en"), ("time_zone", "")]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, body) = ana.page("/account/preferences").await;
    assert!(body.contains("<html lang=\"en\"") && body.contains("Language and time zone saved."), "{body}");
    let elsewhere = app.browser_asking_for(Some("es-CL"));
    elsewhere.sign_in("ana@contoso.demo").await;
    assert!(elsewhere.page("/account").await.1.contains("<html lang=\"en\""), "the choice follows her");
    // Back to following the browser.
    let cleared =
        ana.submit("/account/preferences", "/account/preferences", &[("language", ""), ("time_zone", "")]).await;
    assert_eq!(cleared.status(), StatusCode::SEE_OTHER);
    assert!(ana.page("/account").await.1.contains("<html lang=\"es-CL\""));
}

#[tokio::test]
async fn the_footer_switcher_works_without_script_for_visitors_and_users() {
    let app = TestApp::start().await;
    let visitor = app.browser_asking_for(Some("en"));
    let (_, body) = visitor.page("/products/M365-BS").await;
    assert!(body.contains(r#"action="/language""#) && body.contains(r#"value="es-CL""#), "the switcher is there");
    let switched =
        visitor.submit("/products/M365-BS", "/language", &[("language", "es-CL"), ("next", "/products/M365-BS")]).await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&switched), "/products/M365-BS", "back to the page it was on");
    let (_, body) = visitor.page("/products/M365-BS").await;
    assert!(body.contains("<html lang=\"es-CL\""), "the cookie beats the English browser");

    // Only a local path to go back to; a language we do not speak is refused.
    let away = visitor.submit("/", "/language", &[("language", "en"), ("next", "https://evil.example/")]).await;
    assert_eq!(location(&away), "/account");
    let unknown = visitor.submit("/", "/language", &[("language", "fr"), ("next", "/")]).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A forged post (no CSRF token) changes nothing.
    let forged = visitor.post_form("/language", &[("language", "es-CL")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // A signed-in user's switch is saved on the account: it follows them to another browser.
    let tina = app.browser_asking_for(Some("es-CL"));
    tina.sign_in("tina@tailspin.demo").await;
    let switched = tina.submit("/account", "/language", &[("language", "en"), ("next", "/account")]).await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let other = app.browser_asking_for(Some("es-CL"));
    other.sign_in("tina@tailspin.demo").await;
    assert!(other.page("/cart").await.1.contains("<html lang=\"en\""));
}

#[tokio::test]
async fn dates_follow_the_users_time_zone_and_bad_choices_are_refused() {
    let app = TestApp::start().await;
    let tina = app.browser_asking_for(Some("es-CL"));
    tina.sign_in("tina@tailspin.demo").await;
    let (_, body) = tina.page("/account/preferences").await;
    assert!(body.contains("La de la tienda (America/Santiago)"), "the brand's zone is the default");
    let refused = tina
        .submit("/account/preferences", "/account/preferences", &[("language", ""), ("time_zone", "Mars/Olympus")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.expect("body");
    assert!(body.contains("Elija una de las zonas horarias ofrecidas."), "{body}");
    let refused = tina
        .submit("/account/preferences", "/account/preferences", &[("language", "klingon"), ("time_zone", "")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let saved = tina
        .submit("/account/preferences", "/account/preferences", &[("language", ""), ("time_zone", "Asia/Tokyo")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, body) = tina.page("/account/preferences").await;
    assert!(body.contains(r#"<option value="Asia/Tokyo" selected"#), "{body}");
    // "It is now …" in Tokyo (either side of a minute's turn).
    let tokyo = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&chrono_tz::Asia::Tokyo).format("%d-%m-%Y, %H:%M").to_string()
    };
    let now = chrono::Utc::now();
    let shown = [tokyo(now - chrono::Duration::minutes(1)), tokyo(now), tokyo(now + chrono::Duration::minutes(1))];
    assert!(shown.iter().any(|t| body.contains(&format!("en esta zona horaria: {t}."))), "{shown:?} in {body}");
}
