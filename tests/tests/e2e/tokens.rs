//! Tokens from an identity provider: the test makes RSA and P-256 key pairs, serves
//! their JWKS document itself, and points the services at it with an issuer and an
//! audience. Every way of forging or misusing a token is refused with 401; an
//! unreachable provider is a 503 until its keys have been fetched once; a rotated key
//! is picked up by `kid`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

use caselog_platform::settings::LOCAL_JWT_SECRET;
use caselog_testkit::eventually;
use caselog_testkit::stack::Stack;

const ISSUER: &str = "https://id.caselog.test/realms/support";
const AUDIENCE: &str = "caselog-api";

/// A key pair the test made, with the `kid` it is published under.
struct SigningKey {
    kid: &'static str,
    alg: Algorithm,
    private: EncodingKey,
    public: Jwk,
    public_pem: Vec<u8>,
}

impl SigningKey {
    fn rsa(kid: &'static str) -> Self {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        let public_pem = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        Self::new(
            kid,
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            public_pem.into_bytes(),
        )
    }

    fn p256(kid: &'static str) -> Self {
        use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let key = p256::SecretKey::random(&mut rand_core::OsRng);
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        let public_pem = key.public_key().to_public_key_pem(LineEnding::LF).unwrap();
        Self::new(
            kid,
            Algorithm::ES256,
            EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            public_pem.into_bytes(),
        )
    }

    fn new(kid: &'static str, alg: Algorithm, private: EncodingKey, public_pem: Vec<u8>) -> Self {
        let mut public = Jwk::from_encoding_key(&private, alg).unwrap();
        public.common.key_id = Some(kid.to_owned());
        Self {
            kid,
            alg,
            private,
            public,
            public_pem,
        }
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_as(self.kid, claims)
    }

    fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.private).unwrap()
    }
}

/// The identity provider's JWKS endpoint, served by the test.
struct Provider {
    url: String,
    keys: Arc<Mutex<Option<JwkSet>>>,
    fetches: Arc<AtomicUsize>,
}

impl Provider {
    async fn start() -> Self {
        let keys: Arc<Mutex<Option<JwkSet>>> = Arc::new(Mutex::new(None));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (keys.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/certs",
            axum::routing::get(move || {
                let (served, counted) = (served.clone(), counted.clone());
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    match served.lock().unwrap().clone() {
                        Some(set) => Ok(axum::Json(set)),
                        None => Err(StatusCode::SERVICE_UNAVAILABLE),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/certs", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, keys, fetches }
    }

    /// Publishes exactly `keys` (`None`: the provider answers 503).
    fn publish(&self, keys: Option<&[&SigningKey]>) {
        *self.keys.lock().unwrap() = keys.map(|keys| JwkSet {
            keys: keys.iter().map(|key| key.public.clone()).collect(),
        });
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

fn claims(tenant: Uuid) -> Value {
    json!({
        "sub": Uuid::now_v7(),
        "tenant": tenant,
        "role": "admin",
        "iss": ISSUER,
        "aud": [AUDIENCE, "account"],
        "exp": chrono::Utc::now().timestamp() + 600,
    })
}

fn with(mut claims: Value, field: &str, value: Value) -> Value {
    claims[field] = value;
    claims
}

fn without(mut claims: Value, field: &str) -> Value {
    claims.as_object_mut().unwrap().remove(field);
    claims
}

fn encoded(part: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(part).unwrap())
}

struct Reader<'a> {
    stack: &'a Stack,
}

impl Reader<'_> {
    async fn status(&self, token: &str) -> (u16, Option<String>) {
        let response = self
            .stack
            .http
            .get(format!("{}/v1/users", self.stack.query.base_url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|value| value.to_str().unwrap().to_owned());
        (response.status().as_u16(), retry_after)
    }
}

/// Tokens that must all be refused (401): every way to forge or misuse one.
fn forgeries(
    rsa: &SigningKey,
    ec: &SigningKey,
    valid: &Value,
    tenant: Uuid,
) -> Vec<(&'static str, String)> {
    let valid = valid.clone();
    let signed = rsa.sign(&valid);
    let (header, _) = signed.split_once('.').unwrap();
    let signature = signed.rsplit_once('.').unwrap().1;
    let tampered = format!(
        "{header}.{}.{signature}",
        encoded(&with(valid.clone(), "tenant", json!(Uuid::now_v7())))
    );
    let unsigned = format!(
        "{}.{}.",
        encoded(&json!({"alg": "none", "typ": "JWT", "kid": rsa.kid})),
        encoded(&valid)
    );
    // The RSA public key (which anyone may fetch) used as an HMAC secret.
    let mut confused_header = Header::new(Algorithm::HS256);
    confused_header.kid = Some(rsa.kid.to_owned());
    let confused = jsonwebtoken::encode(
        &confused_header,
        &valid,
        &EncodingKey::from_secret(&rsa.public_pem),
    )
    .unwrap();
    let hour_ago = chrono::Utc::now().timestamp() - 3600;
    vec![
        ("alg none", unsigned),
        ("HS256 signed with the RSA public key", confused),
        ("an unknown kid", rsa.sign_as("rsa-unknown", &valid)),
        (
            "an ES256 token naming the RSA key",
            ec.sign_as(rsa.kid, &valid),
        ),
        (
            "another audience",
            rsa.sign(&with(valid.clone(), "aud", json!("another-app"))),
        ),
        ("no audience", rsa.sign(&without(valid.clone(), "aud"))),
        (
            "another issuer",
            rsa.sign(&with(valid.clone(), "iss", json!("https://evil.test"))),
        ),
        (
            "expired",
            rsa.sign(&with(valid.clone(), "exp", json!(hour_ago))),
        ),
        ("no expiry", rsa.sign(&without(valid.clone(), "exp"))),
        ("a tampered tenant", tampered),
        (
            "HS256 without iss and aud",
            caselog_platform::token::mint(
                LOCAL_JWT_SECRET,
                Uuid::now_v7(),
                tenant,
                caselog_schemas::Role::Agent,
                chrono::Duration::minutes(5),
            ),
        ),
        (
            "a key made by someone else",
            SigningKey::rsa("rsa-2026-11").sign(&valid),
        ),
    ]
}

#[tokio::test]
async fn tokens_from_an_identity_provider_are_verified_by_kid_and_every_forgery_is_refused() {
    let rsa = SigningKey::rsa("rsa-2026-11");
    let ec = SigningKey::p256("ec-2026-11");
    let rotated = SigningKey::rsa("rsa-2026-12");
    let provider = Provider::start().await;
    let stack = Stack::start_with(&[
        ("CASELOG_JWKS_URL", provider.url.clone()),
        ("CASELOG_JWT_ISSUER", ISSUER.to_owned()),
        ("CASELOG_JWT_AUDIENCE", AUDIENCE.to_owned()),
        ("CASELOG_JWKS_MIN_REFETCH_MS", "1000".to_owned()),
    ])
    .await;
    let reader = Reader { stack: &stack };
    let tenant = Uuid::now_v7();
    let valid = claims(tenant);

    // The provider is down and no key was ever fetched: a dependency outage, not a
    // bad token.
    let (status, retry_after) = reader.status(&rsa.sign(&valid)).await;
    assert_eq!(status, 503);
    assert!(retry_after.is_some(), "503 without Retry-After");

    provider.publish(Some(&[&rsa, &ec]));
    eventually(
        Duration::from_secs(10),
        "the keys once published",
        || async { (reader.status(&rsa.sign(&valid)).await.0 == 200).then_some(()) },
    )
    .await;
    assert_eq!(reader.status(&ec.sign(&valid)).await.0, 200, "ES256");
    // HS256 with the service's own key stays accepted, with the issuer and audience.
    let hs = caselog_platform::token::mint_for(
        LOCAL_JWT_SECRET,
        Some(ISSUER),
        Some(AUDIENCE),
        Uuid::now_v7(),
        tenant,
        caselog_schemas::Role::Agent,
        chrono::Duration::minutes(5),
    );
    assert_eq!(reader.status(&hs).await.0, 200, "HS256 with iss and aud");

    let forgeries = forgeries(&rsa, &ec, &valid, tenant);
    for (what, token) in &forgeries {
        assert_eq!(reader.status(token).await.0, 401, "{what}");
    }

    // Forged kids cannot make caselog hammer the provider: at most one fetch per
    // CASELOG_JWKS_MIN_REFETCH_MS however many arrive.
    let before = provider.fetches();
    let started = std::time::Instant::now();
    for attempt in 0..30 {
        let kid = format!("forged-{attempt}");
        assert_eq!(reader.status(&rsa.sign_as(&kid, &valid)).await.0, 401);
    }
    let fetched = provider.fetches() - before;
    // One fetch per interval (1 s above) at most, plus one for the interval under way,
    // whatever the machine's pace: 30 forged kids unthrottled would be 30 fetches.
    let allowed = 2 + usize::try_from(started.elapsed().as_secs()).unwrap();
    assert!(
        fetched <= allowed,
        "30 forged kids fetched the keys {fetched} times in {:?}",
        started.elapsed()
    );

    // The provider rotates: the new key is fetched by its kid; while the provider is
    // away again the keys already fetched keep verifying.
    provider.publish(Some(&[&rotated, &ec]));
    eventually(Duration::from_secs(10), "the rotated key", || async {
        (reader.status(&rotated.sign(&valid)).await.0 == 200).then_some(())
    })
    .await;
    provider.publish(None);
    assert_eq!(
        reader.status(&ec.sign(&valid)).await.0,
        200,
        "provider away"
    );
    stack.stop().await;
}
