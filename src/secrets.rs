//! Secrets stored in the database (identity-provider client secrets, the WebPay API
//! key) are sealed with XChaCha20-Poly1305 under the server's secret key.
//! The key never appears in logs; `Debug` prints nothing of it.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use crate::config::SecretKeySource;
use crate::error::AppError;

const PREFIX: &str = "v1:";

#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    /// A key for message authentication, derived from the secret key (never the key itself).
    mac_key: sha2::digest::Output<sha2::Sha512>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    pub fn from_key(key: &[u8; 32]) -> Self {
        use sha2::{Digest, Sha512};
        // One SHA-512 block: HMAC-SHA256 takes it as its key as it is.
        let mac_key = Sha512::new().chain_update(b"stratus mac key v1").chain_update(key).finalize();
        SecretBox { cipher: XChaCha20Poly1305::new(key.into()), mac_key }
    }

    /// HMAC-SHA256 of `message` under a key derived from the secret key, separated by
    /// `purpose` so a value signed for one use is worthless for another.
    pub(crate) fn sign(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        use hmac::digest::KeyInit;
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new(&self.mac_key);
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Loads the key as configured; for the embedded default the key file is created on first run.
    pub(crate) fn load(source: &SecretKeySource) -> Result<Self, AppError> {
        let text = match source {
            SecretKeySource::Given(text) => text.clone(),
            SecretKeySource::File(path) => read_or_create_key_file(path)?,
        };
        let bytes = B64
            .decode(text.trim())
            .map_err(|_| AppError::Config("the secret key must be base64 (32 random bytes)".into()))?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| AppError::Config("the secret key must decode to exactly 32 bytes".into()))?;
        Ok(Self::from_key(&key))
    }

    pub(crate) fn seal(&self, plaintext: &str) -> Result<String, AppError> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| AppError::Internal("sealing a secret failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", B64.encode(out)))
    }

    pub fn open(&self, stored: &str) -> Result<String, AppError> {
        let failed = || AppError::Internal("a stored secret cannot be opened with this secret key".into());
        let raw = B64.decode(stored.strip_prefix(PREFIX).ok_or_else(failed)?).map_err(|_| failed())?;
        if raw.len() < 24 {
            return Err(failed());
        }
        let (nonce, body) = raw.split_at(24);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), body).map_err(|_| failed())?;
        String::from_utf8(plain).map_err(|_| failed())
    }
}

/// A new random key, base64 encoded.
pub fn generate_key() -> String {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    B64.encode(key)
}

fn read_or_create_key_file(path: &Path) -> Result<String, AppError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| AppError::Config(format!("cannot create {}: {e}", dir.display())))?;
            }
            let key = generate_key();
            // Created readable by its owner only from the first byte (never 0644 for a moment).
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file =
                options.open(path).map_err(|e| AppError::Config(format!("cannot create {}: {e}", path.display())))?;
            std::io::Write::write_all(&mut file, key.as_bytes())
                .map_err(|e| AppError::Config(format!("cannot write {}: {e}", path.display())))?;
            tracing::info!(path = %path.display(), "generated a new secret key");
            Ok(key)
        }
        Err(e) => Err(AppError::Config(format!("cannot read {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_round_trip_and_do_not_contain_the_plaintext() {
        let secret_box = SecretBox::from_key(&[7u8; 32]);
        let sealed = secret_box.seal("579B532A7440BB0C9079DED94D31EA1615BACEB56610332264630D42D0A36B1C").unwrap();
        assert!(!sealed.contains("579B532A"));
        assert_ne!(
            sealed,
            secret_box.seal("579B532A7440BB0C9079DED94D31EA1615BACEB56610332264630D42D0A36B1C").unwrap()
        );
        assert_eq!(
            secret_box.open(&sealed).unwrap(),
            "579B532A7440BB0C9079DED94D31EA1615BACEB56610332264630D42D0A36B1C"
        );
    }

    #[test]
    fn signatures_depend_on_key_purpose_and_message() {
        let one = SecretBox::from_key(&[1u8; 32]);
        let two = SecretBox::from_key(&[2u8; 32]);
        assert_eq!(one.sign("csrf", b"m"), one.sign("csrf", b"m"));
        assert_ne!(one.sign("csrf", b"m"), two.sign("csrf", b"m"));
        assert_ne!(one.sign("csrf", b"m"), one.sign("other", b"m"));
        assert_ne!(one.sign("csrf", b"m"), one.sign("csrf", b"n"));
    }

    #[test]
    fn a_different_key_or_a_tampered_value_is_refused() {
        let sealed = SecretBox::from_key(&[1u8; 32]).seal("s3cret").unwrap();
        assert!(SecretBox::from_key(&[2u8; 32]).open(&sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.push('A');
        assert!(SecretBox::from_key(&[1u8; 32]).open(&tampered).is_err());
        assert!(SecretBox::from_key(&[1u8; 32]).open("plain").is_err());
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let source = SecretKeySource::File(dir.path().join("data/secret.key"));
        let first = SecretBox::load(&source).unwrap();
        let sealed = first.seal("x").unwrap();
        let second = SecretBox::load(&source).unwrap();
        assert_eq!(second.open(&sealed).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("data/secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
        }
        assert!(SecretBox::load(&SecretKeySource::Given("c2hvcnQ=".into())).is_err());
    }
}
