use super::*;

/// Built directly, not parsed: the test's own environment must not leak in.
fn settings(
    environment: Environment,
    jwt_secret: Option<&str>,
    nats: Option<(&str, &str)>,
) -> CommonSettings {
    CommonSettings {
        environment,
        database_url: String::new(),
        database_pool_size: 1,
        database_acquire_timeout: Duration::from_secs(1),
        nats_url: String::new(),
        nats_user: nats.map(|(user, _)| user.to_owned()),
        nats_password: nats.map(|(_, password)| password.to_owned()),
        nats_inbox_prefix: None,
        nats_replicas: 1,
        nats_tls_ca: None,
        nats_tls_cert: None,
        nats_tls_key: None,
        subject_root: String::new(),
        stream_name: String::new(),
        tokens: TokenSettings {
            jwt_secret: jwt_secret.map(str::to_owned),
            ..TokenSettings::default()
        },
        shutdown: ShutdownSettings {
            drain: Duration::ZERO,
            timeout: Duration::from_secs(1),
        },
        kek: (environment == Environment::Production)
            .then(|| "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned()),
        kek_file: None,
        kek_previous: None,
        log_format: LogFormat::Text,
        otlp_endpoint: None,
    }
}

fn refusal(settings: CommonSettings) -> String {
    settings.check().unwrap_err().to_string()
}

#[test]
fn production_refuses_a_missing_or_published_key_and_the_local_nats_users() {
    use Environment::Production;
    let nats = Some(("relay", "s3cret"));
    assert!(refusal(settings(Production, None, nats)).contains("CASELOG_JWT_SECRET is required"));
    assert!(refusal(settings(Production, Some(LOCAL_JWT_SECRET), nats)).contains("published key"));
    let own = Some("an HS256 key of at least thirty-two bytes");
    assert!(refusal(settings(Production, Some("short"), nats)).contains("at least 32"));
    assert!(refusal(settings(Production, own, None)).contains("CASELOG_NATS_USER"));
    let local = Some(("relay", "caselog-local-relay"));
    assert!(refusal(settings(Production, own, local)).contains("CASELOG_NATS_PASSWORD"));
    assert!(settings(Production, own, nats).check().is_ok());
}

#[test]
fn production_needs_a_key_encryption_key_of_its_own() {
    let nats = Some(("relay", "s3cret"));
    let own = Some("an HS256 key of at least thirty-two bytes");
    let mut settings = settings(Environment::Production, own, nats);
    assert!(settings.check().is_ok());
    settings.kek = None;
    assert!(refusal(settings.clone()).contains("CASELOG_KEK"));
    settings.kek = Some(LOCAL_KEK.to_owned());
    assert!(refusal(settings.clone()).contains("published"));
    settings.kek = Some("c2hvcnQ=".to_owned());
    assert!(refusal(settings).contains("32"));
}

#[test]
fn an_identity_provider_needs_an_issuer_and_an_audience() {
    let mut provider = settings(Environment::Production, None, Some(("query", "s3cret")));
    provider.tokens.jwks_url = Some("https://id.example.com/jwks".to_owned());
    assert!(refusal(provider.clone()).contains("CASELOG_JWT_AUDIENCE"));
    provider.tokens.jwt_issuer = Some("https://id.example.com".to_owned());
    provider.tokens.jwt_audience = Some("caselog".to_owned());
    assert!(provider.check().is_ok());
    assert_eq!(provider.token_secret(), None);
}

#[test]
fn the_local_stack_uses_its_published_secrets() {
    let dev = settings(Environment::Dev, None, None);
    assert!(dev.check().is_ok());
    assert_eq!(dev.token_secret(), Some(LOCAL_JWT_SECRET));
    assert_eq!(dev.nats_credentials(LocalNatsUser::QUERY).0, "query");
}

#[test]
fn a_bad_number_of_milliseconds_says_what_it_expected() {
    assert!(millis("12x").unwrap_err().contains("milliseconds"));
    assert_eq!(millis("250"), Ok(Duration::from_millis(250)));
}
