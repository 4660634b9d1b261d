//! Checks for uploaded images (brand logos and favicons, identity provider logos):
//! the declared type must be one we accept and the file's first bytes must match it.

/// An image type Stratus accepts in uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageType {
    Png,
    Jpeg,
    Webp,
    Svg,
    Ico,
}

impl ImageType {
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
            ImageType::Webp => "image/webp",
            ImageType::Svg => "image/svg+xml",
            ImageType::Ico => "image/x-icon",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ImageType::Png => "PNG",
            ImageType::Jpeg => "JPEG",
            ImageType::Webp => "WebP",
            ImageType::Svg => "SVG",
            ImageType::Ico => "ICO",
        }
    }

    /// The type a browser declared for an uploaded file.
    pub(crate) fn from_declared(declared: &str) -> Option<ImageType> {
        match declared.trim().to_ascii_lowercase().as_str() {
            "image/png" => Some(ImageType::Png),
            "image/jpeg" | "image/jpg" => Some(ImageType::Jpeg),
            "image/webp" => Some(ImageType::Webp),
            "image/svg+xml" => Some(ImageType::Svg),
            "image/x-icon" | "image/vnd.microsoft.icon" => Some(ImageType::Ico),
            _ => None,
        }
    }

    fn content_matches(self, bytes: &[u8]) -> bool {
        match self {
            ImageType::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            ImageType::Jpeg => bytes.starts_with(&[0xff, 0xd8, 0xff]),
            ImageType::Webp => bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
            ImageType::Ico => bytes.starts_with(&[0, 0, 1, 0]),
            ImageType::Svg => {
                let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_ascii_lowercase();
                let text = head.trim_start_matches('\u{feff}').trim_start();
                text.starts_with("<svg") || text.starts_with("<?xml")
            }
        }
    }
}

/// "PNG, JPEG or SVG".
fn list_of(allowed: &[ImageType]) -> String {
    let labels: Vec<&str> = allowed.iter().map(|t| t.label()).collect();
    match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

/// Checks an upload; `what` names it in messages ("logo", "favicon"). The error is the form message.
pub(crate) fn check(
    what: &str,
    declared_type: &str,
    bytes: &[u8],
    allowed: &[ImageType],
    max_bytes: usize,
) -> Result<ImageType, String> {
    if bytes.is_empty() {
        return Err("Choose an image file.".into());
    }
    if bytes.len() > max_bytes {
        return Err(format!("The {what} may be at most {} KB.", max_bytes / 1024));
    }
    let image_type = ImageType::from_declared(declared_type)
        .filter(|t| allowed.contains(t))
        .ok_or_else(|| format!("The {what} must be a {} image.", list_of(allowed)))?;
    if !image_type.content_matches(bytes) {
        return Err("The file's content is not the image type it claims to be.".into());
    }
    Ok(image_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

    #[test]
    fn the_declared_type_must_be_allowed_and_match_the_content() {
        let allowed = [ImageType::Png, ImageType::Svg];
        assert_eq!(check("logo", "image/png", PNG, &allowed, 1024), Ok(ImageType::Png));
        assert_eq!(
            check("logo", "image/png", b"<svg onload=alert(1)>", &allowed, 1024),
            Err("The file's content is not the image type it claims to be.".into())
        );
        assert_eq!(
            check("logo", "text/html", b"<html>", &allowed, 1024),
            Err("The logo must be a PNG or SVG image.".into())
        );
        assert_eq!(
            check("favicon", "image/x-icon", &[0, 0, 1, 0, 1], &allowed, 1024),
            Err("The favicon must be a PNG or SVG image.".into()),
            "a type this field does not take"
        );
        assert_eq!(check("logo", "image/png", &[], &allowed, 1024), Err("Choose an image file.".into()));
        assert_eq!(
            check("logo", "image/png", &[0x89; 2048], &allowed, 1024),
            Err("The logo may be at most 1 KB.".into())
        );
        assert!(check("logo", "image/svg+xml", b"\xef\xbb\xbf  <svg xmlns='x'/>", &allowed, 1024).is_ok());
    }

    #[test]
    fn icons_jpeg_and_webp_are_recognised() {
        let all = [ImageType::Png, ImageType::Jpeg, ImageType::Webp, ImageType::Svg, ImageType::Ico];
        assert_eq!(check("favicon", "image/vnd.microsoft.icon", &[0, 0, 1, 0, 1], &all, 64), Ok(ImageType::Ico));
        assert_eq!(check("logo", "image/jpeg", &[0xff, 0xd8, 0xff, 0xe0], &all, 64), Ok(ImageType::Jpeg));
        assert_eq!(check("logo", "image/webp", b"RIFF\0\0\0\0WEBPVP8 ", &all, 64), Ok(ImageType::Webp));
    }
}
