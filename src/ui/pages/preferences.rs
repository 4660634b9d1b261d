//! Language and time zone: the footer's switcher (anyone, no script) and My Account →
//! Language and time zone (saved on the user).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde::Deserialize;
use tower_sessions::Session;

use crate::entities::users;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, msg, Lang, Localize};
use crate::identity::session::{safe_return_path, set_flash};
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::{page_with_status, PageCtx};

/// The switcher's cookie: a year, the whole site, never sent cross-site.
fn language_cookie(lang: Lang, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}", i18n::COOKIE, lang.tag())
}

/// Takes the switcher's cookie away.
fn forget_language_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly{secure}", i18n::COOKIE)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SwitchForm {
    pub language: String,
    pub next: Option<String>,
}

/// `POST /language`: the footer's switcher. A signed-in user's choice is saved on the
/// account (it follows them to other browsers and into their e-mails); anyone's is kept
/// in a cookie.
pub(crate) async fn switch(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Form(form): Form<SwitchForm>,
) -> AppResult<Response> {
    let lang =
        Lang::from_tag(&form.language).ok_or_else(|| AppError::Unprocessable(ctx.t("preferences-unknown-language")))?;
    if let Some(viewer) = &ctx.viewer {
        save(&state, viewer.user.id, Some(Some(lang.tag().to_string())), None).await?;
    }
    let mut response = Redirect::to(&safe_return_path(form.next.as_deref())).into_response();
    if let Ok(value) = HeaderValue::from_str(&language_cookie(lang, state.settings.secure_cookies())) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn save(
    state: &AppState,
    user_id: i32,
    language: Option<Option<String>>,
    time_zone: Option<Option<String>>,
) -> AppResult<()> {
    let Some(user) = users::Entity::find_by_id(user_id).one(&state.db).await? else {
        return Err(AppError::NotFound);
    };
    let mut active: users::ActiveModel = user.into();
    if let Some(language) = language {
        active.language = Set(language);
    }
    if let Some(time_zone) = time_zone {
        active.time_zone = Set(time_zone);
    }
    active.update(&state.db).await?;
    Ok(())
}

/// `GET /account/preferences`.
pub(crate) async fn show(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let language = viewer.user.language.clone().unwrap_or_default();
    let time_zone = viewer.user.time_zone.clone().unwrap_or_default();
    Ok(form_page(&ctx, StatusCode::OK, &language, &time_zone, None))
}

#[derive(Debug, Deserialize)]
pub(crate) struct PreferencesForm {
    pub language: String,
    pub time_zone: String,
}

/// `POST /account/preferences`: an empty value follows the browser (language) or the
/// brand (time zone).
pub(crate) async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<PreferencesForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let refused = |id: &'static str| {
        let error = Some(ctx.t(id));
        Ok(form_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &form.language, &form.time_zone, error))
    };
    let Some(language) = chosen(&form.language, Lang::from_tag) else {
        return refused(msg!("preferences-unknown-language"));
    };
    let Some(time_zone) = chosen(&form.time_zone, i18n::time_zone) else {
        return refused(msg!("preferences-unknown-time-zone"));
    };
    save(
        &state,
        viewer.user.id,
        Some(language.map(|l| l.tag().to_string())),
        Some(time_zone.map(|z| z.name().to_string())),
    )
    .await?;
    // Said in the language just chosen.
    let said_in = language.unwrap_or(ctx.lang());
    set_flash(&session, said_in.t("preferences-saved")).await?;
    let mut response = Redirect::to("/account/preferences").into_response();
    // The switcher's cookie follows the choice: the same language after signing out, and
    // none when the browser's is to be followed (else the cookie would still win).
    let cookie = match language {
        Some(lang) => language_cookie(lang, state.settings.secure_cookies()),
        None => forget_language_cookie(state.settings.secure_cookies()),
    };
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// A submitted choice: `Some(None)` for the empty "follow the default" option,
/// `Some(Some(value))` for a value `parse` knows, `None` for anything else.
fn chosen<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
    match text.trim() {
        "" => Some(None),
        value => parse(value).map(Some),
    }
}

fn form_page(ctx: &PageCtx, status: StatusCode, language: &str, time_zone: &str, error: Option<String>) -> Response {
    let title = ctx.t("preferences-title");
    let follow_browser = ctx.t("preferences-language-browser");
    let languages: Vec<_> = Lang::ALL
        .into_iter()
        .map(|lang| {
            let selected = language == lang.tag();
            view! { <option value=lang.tag() selected=selected>{lang.native_name()}</option> }
        })
        .collect();
    let brand_zone = tr_brand_zone(ctx);
    let zones: Vec<_> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|zone| {
            let selected = time_zone == zone.name();
            view! { <option value=zone.name() selected=selected>{zone.name()}</option> }
        })
        .collect();
    let intro = ctx.t("preferences-intro");
    let language_label = ctx.t("preferences-language");
    let time_zone_label = ctx.t("preferences-time-zone");
    let save = ctx.t("preferences-save");
    let back = ctx.t("preferences-back");
    let now = ctx.datetime(&chrono::Utc::now());
    let now_line = crate::i18n::tr!(ctx, "preferences-now", now = now);
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, &title, move || {
        view! {
            <section class="panel">
                <p>{intro}</p>
                {form_error(error)}
                <form method="post" action="/account/preferences">
                    {csrf_field(&ctx2)}
                    <label>{language_label}
                        <select name="language">
                            <option value="" selected=language.is_empty()>{follow_browser}</option>
                            {languages}
                        </select>
                    </label>
                    <label>{time_zone_label}
                        <select name="time_zone">
                            <option value="" selected=time_zone.is_empty()>{brand_zone}</option>
                            {zones}
                        </select>
                    </label>
                    <p class="muted">{now_line}</p>
                    <button type="submit">{save}</button>
                </form>
                <p><a href="/account">{back}</a></p>
            </section>
        }
    })
}

fn tr_brand_zone(ctx: &PageCtx) -> String {
    crate::i18n::tr!(ctx, "preferences-time-zone-brand", zone = ctx.brand.time_zone.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_lasts_a_year_and_stays_on_this_site() {
        assert_eq!(
            language_cookie(Lang::EsCl, false),
            "stratus_lang=es-CL; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
        );
        assert!(language_cookie(Lang::En, true).ends_with("; Secure"));
        assert_eq!(i18n::chosen_in_cookies("a=1; stratus_lang=es-CL; b=2"), Some(Lang::EsCl));
        assert_eq!(i18n::chosen_in_cookies("stratus_lang=fr"), None);
    }
}
