//! The key-encryption key (KEK): every stream's data key is stored wrapped by it
//! (AES-256-GCM, bound to its stream), so a dump of the database alone opens nothing.
//! The KEK comes from the environment or a file (`CASELOG_KEK`, `CASELOG_KEK_FILE`) and
//! never reaches Postgres.
//!
//! Rotation: the new KEK becomes current and the old one stays configured as previous
//! (`CASELOG_KEK_PREVIOUS`) while `command-service rewrap-keys` wraps every data key
//! under the current one; then the old KEK can go. Each wrapped key records the id of
//! the KEK that wrapped it (the first 16 hex digits of the KEK's SHA-256), so a key
//! wrapped by a KEK nobody configured is reported as such.
//!
//! A process installs its keyring once at start-up ([`Keyring::install`]); reading a key
//! before that is a programming error and panics.

use std::sync::OnceLock;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

use super::seal::DataKey;
use crate::model::StreamRef;

/// One KEK and its id.
struct Kek {
    id: String,
    key: LessSafeKey,
}

impl Kek {
    fn new(bytes: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            bytes.len() == 32,
            "a key-encryption key is 32 bytes (base64 of 32 random bytes, e.g. `openssl rand \
             -base64 32`), not {}",
            bytes.len()
        );
        Ok(Self {
            id: hex::encode(&Sha256::digest(bytes)[..8]),
            key: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("a 32-byte key")),
        })
    }
}

/// The current KEK, which wraps, and the previous ones, which still unwrap.
pub struct Keyring {
    current: Kek,
    previous: Vec<Kek>,
}

/// A data key as stored: the id of the KEK that wrapped it (`None`: stored before
/// keys were wrapped) and the stored bytes.
pub struct StoredKey<'a> {
    pub kek_id: Option<&'a str>,
    pub bytes: &'a [u8],
}

#[derive(Debug, thiserror::Error)]
pub enum UnwrapError {
    #[error("the data key was wrapped by KEK {0}, which is not configured (CASELOG_KEK_PREVIOUS?)")]
    UnknownKek(String),
    #[error("the data key does not unwrap (altered, or moved from another stream)")]
    Rejected,
}

static INSTALLED: OnceLock<Keyring> = OnceLock::new();

impl Keyring {
    /// `current` and `previous` are the raw 32-byte keys.
    pub fn new(current: &[u8], previous: &[Vec<u8>]) -> anyhow::Result<Self> {
        Ok(Self {
            current: Kek::new(current)?,
            previous: previous
                .iter()
                .map(|bytes| Kek::new(bytes))
                .collect::<anyhow::Result<_>>()?,
        })
    }

    /// The keyring the settings name (`CASELOG_KEK`, `CASELOG_KEK_FILE`,
    /// `CASELOG_KEK_PREVIOUS`), installed for the process.
    pub fn install_from(settings: &caselog_platform::CommonSettings) -> anyhow::Result<()> {
        let (current, previous) = settings.key_encryption_keys()?;
        Self::new(&current, &previous)?.install();
        Ok(())
    }

    /// Makes this the process's keyring; a second call keeps the first.
    pub fn install(self) {
        let _ = INSTALLED.set(self);
    }

    /// The process's keyring.
    pub fn installed() -> &'static Keyring {
        INSTALLED
            .get()
            .expect("the key-encryption key is installed at start-up (Keyring::install)")
    }

    /// The id of the KEK new keys are wrapped with.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// `data_key` wrapped by the current KEK for `stream`: nonce, ciphertext and tag.
    pub fn wrap(&self, data_key: &DataKey, stream: &StreamRef) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system random source works");
        let mut in_out = data_key.as_bytes().to_vec();
        self.current
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(bound_to(stream).as_bytes()),
                &mut in_out,
            )
            .expect("AES-GCM seals 32 bytes");
        let mut wrapped = nonce.to_vec();
        wrapped.extend_from_slice(&in_out);
        wrapped
    }

    /// The data key a stored one holds: unwrapped with the KEK it names, or taken as
    /// it is when it was stored before wrapping.
    pub fn unwrap(
        &self,
        stored: StoredKey<'_>,
        stream: &StreamRef,
    ) -> Result<DataKey, UnwrapError> {
        let Some(kek_id) = stored.kek_id else {
            return DataKey::from_bytes(stored.bytes).ok_or(UnwrapError::Rejected);
        };
        let kek = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|kek| kek.id == kek_id)
            .ok_or_else(|| UnwrapError::UnknownKek(kek_id.to_owned()))?;
        if stored.bytes.len() <= NONCE_LEN {
            return Err(UnwrapError::Rejected);
        }
        let (nonce, sealed) = stored.bytes.split_at(NONCE_LEN);
        let mut in_out = sealed.to_vec();
        let opened = kek
            .key
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).map_err(|_| UnwrapError::Rejected)?,
                Aad::from(bound_to(stream).as_bytes()),
                &mut in_out,
            )
            .map_err(|_| UnwrapError::Rejected)?;
        DataKey::from_bytes(opened).ok_or(UnwrapError::Rejected)
    }
}

fn bound_to(stream: &StreamRef) -> String {
    format!(
        "caselog-kek-v1|{}|{}|{}",
        stream.tenant_id, stream.stream_type, stream.stream_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> StreamRef {
        StreamRef::new_conversation()
    }

    #[test]
    fn a_wrapped_key_unwraps_only_with_its_kek_and_for_its_stream() {
        let (old, new) = ([1u8; 32], [2u8; 32]);
        let before = Keyring::new(&old, &[]).unwrap();
        let after = Keyring::new(&new, &[old.to_vec()]).unwrap();
        let alone = Keyring::new(&new, &[]).unwrap();
        let (stream, key) = (stream(), DataKey::generate());
        let wrapped = before.wrap(&key, &stream);
        assert_ne!(&wrapped[NONCE_LEN..NONCE_LEN + 32], key.as_bytes());
        let stored = |bytes| StoredKey {
            kek_id: Some(before.current_id()),
            bytes,
        };
        assert_eq!(after.unwrap(stored(&wrapped), &stream).unwrap(), key);
        assert!(matches!(
            alone.unwrap(stored(&wrapped), &stream),
            Err(UnwrapError::UnknownKek(_))
        ));
        assert!(matches!(
            after.unwrap(stored(&wrapped), &self::stream()),
            Err(UnwrapError::Rejected)
        ));
        let legacy = StoredKey {
            kek_id: None,
            bytes: key.as_bytes(),
        };
        assert_eq!(alone.unwrap(legacy, &stream).unwrap(), key);
        assert!(Keyring::new(&[0u8; 16], &[]).is_err());
    }
}
