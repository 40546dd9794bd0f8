//! The checkpoint key: Ed25519, given as base64 of its 32-byte seed. The signer lives in
//! the command service only; verifiers hold the public keys they trust, so a checkpoint
//! signed with any other key — a forger's own — is refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use sha2::{Digest, Sha256};

use caselog_schemas::TenantId;
use caselog_schemas::events::SignedCheckpoint;

use super::statement;

/// A public checkpoint key and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// First 16 hex digits of the SHA-256 of the key's 32 bytes.
    pub id: String,
    pub bytes: [u8; 32],
}

impl PublicKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self {
            id: hex::encode(&Sha256::digest(bytes)[..8]),
            bytes,
        }
    }

    /// Parses base64 of the 32-byte key.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("a checkpoint public key is base64"))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            anyhow::anyhow!("a checkpoint public key is 32 bytes, not {}", bytes.len())
        })?;
        Ok(Self::new(bytes))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }
}

/// Signs checkpoints.
pub struct CheckpointSigner {
    key_pair: Ed25519KeyPair,
    public: PublicKey,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointSigner")
            .field("key_id", &self.public.id)
            .finish_non_exhaustive()
    }
}

impl CheckpointSigner {
    /// From base64 of the 32-byte seed (`openssl rand -base64 32`).
    pub fn from_base64_seed(text: &str) -> anyhow::Result<Self> {
        let seed = STANDARD
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("the checkpoint signing key is base64"))?;
        anyhow::ensure!(
            seed.len() == 32,
            "the checkpoint signing key is 32 bytes (`openssl rand -base64 32`), not {}",
            seed.len()
        );
        let key_pair = Ed25519KeyPair::from_seed_unchecked(&seed)
            .map_err(|_| anyhow::anyhow!("the checkpoint signing key is refused"))?;
        let public: [u8; 32] = key_pair
            .public_key()
            .as_ref()
            .try_into()
            .expect("an Ed25519 public key is 32 bytes");
        Ok(Self {
            key_pair,
            public: PublicKey::new(public),
        })
    }

    /// A new random key's seed, base64 (`command-service checkpoint-key`).
    pub fn generate_seed() -> String {
        use ring::rand::{SecureRandom, SystemRandom};
        let mut seed = [0u8; 32];
        SystemRandom::new()
            .fill(&mut seed)
            .expect("the system's random source");
        STANDARD.encode(seed)
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Fills in `key_id` and `signature` of `checkpoint` for `tenant_id`.
    pub fn sign(&self, tenant_id: TenantId, mut checkpoint: SignedCheckpoint) -> SignedCheckpoint {
        checkpoint.key_id = self.public.id.clone();
        checkpoint.signature = String::new();
        let signature = self.key_pair.sign(&statement(tenant_id, &checkpoint));
        checkpoint.signature = STANDARD.encode(signature.as_ref());
        checkpoint
    }
}

/// Why a checkpoint's signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signed with key {0}, which is not a trusted checkpoint key")]
    UnknownKey(String),
    #[error("the signature does not match the checkpoint")]
    Invalid,
}

/// The public keys a verifier trusts.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys(Vec<PublicKey>);

impl TrustedKeys {
    pub fn new(keys: Vec<PublicKey>) -> Self {
        Self(keys)
    }

    /// Parses a comma-separated list of base64 public keys.
    pub fn parse(list: &str) -> anyhow::Result<Self> {
        list.split(',')
            .filter(|text| !text.trim().is_empty())
            .map(PublicKey::parse)
            .collect::<anyhow::Result<_>>()
            .map(Self)
    }

    pub fn keys(&self) -> &[PublicKey] {
        &self.0
    }

    /// Checks `checkpoint`'s signature for `tenant_id`.
    pub fn check(
        &self,
        tenant_id: TenantId,
        checkpoint: &SignedCheckpoint,
    ) -> Result<(), SignatureError> {
        let key = self
            .0
            .iter()
            .find(|key| key.id == checkpoint.key_id)
            .ok_or_else(|| SignatureError::UnknownKey(checkpoint.key_id.clone()))?;
        let signature = STANDARD
            .decode(&checkpoint.signature)
            .map_err(|_| SignatureError::Invalid)?;
        let unsigned = SignedCheckpoint {
            signature: String::new(),
            ..checkpoint.clone()
        };
        UnparsedPublicKey::new(&ED25519, key.bytes)
            .verify(&statement(tenant_id, &unsigned), &signature)
            .map_err(|_| SignatureError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caselog_schemas::Position;
    use chrono::Utc;

    fn unsigned() -> SignedCheckpoint {
        SignedCheckpoint {
            position: Position(42),
            log_hash: "ab".repeat(32),
            tenant_position: Position(40),
            tenant_hash: "cd".repeat(32),
            signed_at: Utc::now(),
            key_id: String::new(),
            signature: String::new(),
        }
    }

    #[test]
    fn a_signed_checkpoint_verifies_and_any_change_breaks_it() {
        let signer =
            CheckpointSigner::from_base64_seed(&CheckpointSigner::generate_seed()).unwrap();
        let trusted = TrustedKeys::new(vec![signer.public_key().clone()]);
        let tenant = TenantId::new_v7();
        let signed = signer.sign(tenant, unsigned());
        assert_eq!(trusted.check(tenant, &signed), Ok(()));

        let moved = SignedCheckpoint {
            position: Position(43),
            ..signed.clone()
        };
        assert_eq!(trusted.check(tenant, &moved), Err(SignatureError::Invalid));
        assert_eq!(
            trusted.check(TenantId::new_v7(), &signed),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn a_checkpoint_signed_with_an_untrusted_key_is_refused() {
        let signer =
            CheckpointSigner::from_base64_seed(&CheckpointSigner::generate_seed()).unwrap();
        let forger =
            CheckpointSigner::from_base64_seed(&CheckpointSigner::generate_seed()).unwrap();
        let trusted = TrustedKeys::new(vec![signer.public_key().clone()]);
        let tenant = TenantId::new_v7();
        let forged = forger.sign(tenant, unsigned());
        assert!(matches!(
            trusted.check(tenant, &forged),
            Err(SignatureError::UnknownKey(_))
        ));
    }

    #[test]
    fn the_local_stacks_public_key_is_its_signing_keys() {
        use caselog_platform::settings::{LOCAL_CHECKPOINT_KEY, LOCAL_CHECKPOINT_PUBLIC_KEY};
        let signer = CheckpointSigner::from_base64_seed(LOCAL_CHECKPOINT_KEY).unwrap();
        assert_eq!(signer.public_key().to_base64(), LOCAL_CHECKPOINT_PUBLIC_KEY);
    }

    #[test]
    fn public_keys_round_trip_through_base64() {
        let signer =
            CheckpointSigner::from_base64_seed(&CheckpointSigner::generate_seed()).unwrap();
        let text = signer.public_key().to_base64();
        assert_eq!(&PublicKey::parse(&text).unwrap(), signer.public_key());
        assert!(PublicKey::parse("AAAA").is_err());
        assert!(CheckpointSigner::from_base64_seed("AAAA").is_err());
    }
}
