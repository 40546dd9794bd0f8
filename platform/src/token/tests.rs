use super::*;

fn verify(secret: &str, token: &str) -> Result<Claims, TokenError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(TokenVerifier::from_secret(secret).verify(token))
}

#[test]
fn a_minted_token_verifies_with_the_same_key_only() {
    let (user, tenant) = (Uuid::now_v7(), Uuid::now_v7());
    let token = mint("key", user, tenant, Role::Agent, chrono::Duration::hours(1));
    let claims = verify("key", &token).unwrap();
    assert_eq!(
        (claims.sub, claims.tenant, claims.role),
        (user, tenant, Role::Agent)
    );
    assert!(verify("other key", &token).is_err());
}

#[test]
fn an_expired_token_is_refused() {
    let token = mint(
        "key",
        Uuid::now_v7(),
        Uuid::now_v7(),
        Role::Admin,
        chrono::Duration::seconds(-5),
    );
    assert!(verify("key", &token).is_err());
}

#[test]
fn a_token_without_expiry_is_refused() {
    #[derive(Serialize)]
    struct NoExpiry {
        sub: Uuid,
        tenant: Uuid,
        role: Role,
    }
    let claims = NoExpiry {
        sub: Uuid::now_v7(),
        tenant: Uuid::now_v7(),
        role: Role::Owner,
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"key"),
    )
    .unwrap();
    assert!(verify("key", &token).is_err());
}

#[test]
fn a_token_signed_with_another_algorithm_is_refused() {
    let claims = Claims {
        sub: Uuid::now_v7(),
        tenant: Uuid::now_v7(),
        role: Role::Owner,
        exp: i64::MAX / 2,
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(b"key"),
    )
    .unwrap();
    assert!(verify("key", &token).is_err());
}

#[test]
fn issuer_and_audience_are_checked_when_configured() {
    let settings = TokenSettings {
        jwt_issuer: Some("https://id.example.com".into()),
        jwt_audience: Some("caselog".into()),
        ..TokenSettings::default()
    };
    let verifier = TokenVerifier::new(&settings, Some("key")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mint = |issuer, audience| {
        let hour = chrono::Duration::hours(1);
        let (user, tenant) = (Uuid::now_v7(), Uuid::now_v7());
        mint_for("key", issuer, audience, user, tenant, Role::Agent, hour)
    };
    let accepted = mint(Some("https://id.example.com"), Some("caselog"));
    assert!(runtime.block_on(verifier.verify(&accepted)).is_ok());
    for refused in [
        mint(Some("https://evil.example.com"), Some("caselog")),
        mint(Some("https://id.example.com"), Some("another-app")),
        mint(None, Some("caselog")),
        mint(Some("https://id.example.com"), None),
    ] {
        assert!(runtime.block_on(verifier.verify(&refused)).is_err());
    }
}
