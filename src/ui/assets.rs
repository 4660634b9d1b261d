//! Static files compiled into the binary, so the server runs from any folder.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const FILES: &[(&str, &str, &[u8])] = &[
    ("stratus.css", "text/css; charset=utf-8", include_bytes!("../../style/stratus.css")),
    ("brand-preview.js", "text/javascript; charset=utf-8", include_bytes!("../../public/brand-preview.js")),
    ("passkeys.js", "text/javascript; charset=utf-8", include_bytes!("../../public/passkeys.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../public/favicon.svg")),
    ("brands/stratus.svg", "image/svg+xml", include_bytes!("../../public/brands/stratus.svg")),
    ("brands/andes.svg", "image/svg+xml", include_bytes!("../../public/brands/andes.svg")),
    ("brands/andes-favicon.svg", "image/svg+xml", include_bytes!("../../public/brands/andes-favicon.svg")),
    ("idp/microsoft.svg", "image/svg+xml", include_bytes!("../../public/idp/microsoft.svg")),
    ("idp/google.svg", "image/svg+xml", include_bytes!("../../public/idp/google.svg")),
    ("idp/openid.svg", "image/svg+xml", include_bytes!("../../public/idp/openid.svg")),
    ("authenticator.svg", "image/svg+xml", include_bytes!("../../public/authenticator.svg")),
];

pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes)
                .into_response()
        }
        None => AppError::NotFound.into_response(),
    }
}
