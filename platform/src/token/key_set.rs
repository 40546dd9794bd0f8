//! An identity provider's signing keys, fetched from its JWKS address and cached.
//!
//! Keys are fetched on first use and again once older than the refresh period. A
//! token naming an unknown `kid` fetches them again (the provider has rotated), at most
//! once per `min_refetch`, so forged `kid`s cannot make caselog hammer the provider.
//! While the provider is unreachable the keys already fetched stay in use; only when
//! none were ever fetched is the caller told the keys are unavailable (503).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};

use super::TokenError;

/// A JWKS document larger than this is not a key set.
const MAX_DOCUMENT_BYTES: usize = 512 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct KeySet {
    url: String,
    http: reqwest::Client,
    refresh_every: Duration,
    min_refetch: Duration,
    fetched: RwLock<Option<Arc<Fetched>>>,
    /// One fetch at a time; holds when the last one was tried.
    fetching: tokio::sync::Mutex<Option<Instant>>,
}

struct Fetched {
    keys: HashMap<String, (Algorithm, DecodingKey)>,
    at: Instant,
}

impl KeySet {
    pub(super) fn new(
        url: String,
        refresh_every: Duration,
        min_refetch: Duration,
    ) -> anyhow::Result<Self> {
        let http = crate::connect::http_client()
            .timeout(FETCH_TIMEOUT)
            .build()?;
        Ok(Self {
            url,
            http,
            refresh_every,
            min_refetch,
            fetched: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(None),
        })
    }

    /// The key `kid` names, if it is one of the provider's keys for `alg`.
    pub(super) async fn key(&self, kid: &str, alg: Algorithm) -> Result<DecodingKey, TokenError> {
        let known = self.fetched.read().expect("key set lock").clone();
        let wanted = match &known {
            Some(fetched) if fetched.at.elapsed() < self.refresh_every => {
                if let Some(key) = fetched.keys.get(kid) {
                    return matching(key, alg);
                }
                fetched.at.elapsed() >= self.min_refetch
            }
            _ => true,
        };
        let current = if wanted {
            self.refetch(known.as_ref().map(|fetched| fetched.at)).await
        } else {
            Err(TokenError::Invalid(format!("unknown kid {kid:?}")))
        };
        let keys = match (current, known) {
            (Ok(fresh), _) => fresh,
            // The provider is away: the keys it published last still verify.
            (Err(TokenError::KeysUnavailable(why)), Some(stale)) => {
                tracing::warn!(%why, "using the identity provider's keys fetched earlier");
                stale
            }
            (Err(error), _) => return Err(error),
        };
        match keys.keys.get(kid) {
            Some(key) => matching(key, alg),
            None => Err(TokenError::Invalid(format!("unknown kid {kid:?}"))),
        }
    }

    /// Fetches the keys again unless another caller did since `seen`.
    async fn refetch(&self, seen: Option<Instant>) -> Result<Arc<Fetched>, TokenError> {
        let mut last_try = self.fetching.lock().await;
        let current = self.fetched.read().expect("key set lock").clone();
        if let Some(current) = &current
            && Some(current.at) != seen
        {
            return Ok(current.clone());
        }
        if let Some(tried) = *last_try
            && tried.elapsed() < self.min_refetch
        {
            return match current {
                Some(current) => Ok(current),
                None => Err(TokenError::KeysUnavailable("the last fetch failed".into())),
            };
        }
        *last_try = Some(Instant::now());
        let keys = self.fetch().await.map_err(|error| {
            tracing::warn!(url = %self.url, error = %error, "fetching the identity provider's keys failed");
            TokenError::KeysUnavailable(error.to_string())
        })?;
        let fetched = Arc::new(Fetched {
            keys,
            at: Instant::now(),
        });
        *self.fetched.write().expect("key set lock") = Some(fetched.clone());
        Ok(fetched)
    }

    async fn fetch(&self) -> anyhow::Result<HashMap<String, (Algorithm, DecodingKey)>> {
        let mut response = self.http.get(&self.url).send().await?.error_for_status()?;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            body.extend_from_slice(&chunk);
            anyhow::ensure!(
                body.len() <= MAX_DOCUMENT_BYTES,
                "the key set is larger than {MAX_DOCUMENT_BYTES} bytes"
            );
        }
        let set: JwkSet = serde_json::from_slice(&body)?;
        let keys: HashMap<_, _> = set.keys.iter().filter_map(usable).collect();
        anyhow::ensure!(
            !keys.is_empty(),
            "the key set has no RS256 or ES256 signing key"
        );
        tracing::info!(keys = keys.len(), "fetched the identity provider's keys");
        Ok(keys)
    }
}

fn matching(key: &(Algorithm, DecodingKey), alg: Algorithm) -> Result<DecodingKey, TokenError> {
    if key.0 == alg {
        Ok(key.1.clone())
    } else {
        Err(TokenError::Invalid(format!(
            "the key is for {:?}, the token says {alg:?}",
            key.0
        )))
    }
}

/// A signing key with a `kid`, for RS256 or ES256 (P-256); anything else is skipped.
fn usable(jwk: &Jwk) -> Option<(String, (Algorithm, DecodingKey))> {
    let kid = jwk.common.key_id.clone()?;
    if matches!(jwk.common.public_key_use, Some(ref usage) if *usage != PublicKeyUse::Signature) {
        return None;
    }
    let alg = match (&jwk.algorithm, jwk.common.key_algorithm) {
        (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS256) | None) => Algorithm::RS256,
        (AlgorithmParameters::EllipticCurve(ec), Some(KeyAlgorithm::ES256) | None)
            if ec.curve == EllipticCurve::P256 =>
        {
            Algorithm::ES256
        }
        _ => return None,
    };
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some((kid, (alg, key)))
}
