//! The JWTs of NATS's auth callout (nats-server ADR-26): the server's authorization
//! request, and the response carrying a user JWT, both signed with an account nkey.
//! NATS JWTs are ordinary JWS compact tokens with the algorithm `ed25519-nkey`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nkeys::KeyPair;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Digest;

const HEADER: &str = r#"{"typ":"JWT","alg":"ed25519-nkey"}"#;

/// What the server sends on `$SYS.REQ.USER.AUTH` for a connecting client.
#[derive(Debug, Deserialize)]
pub struct AuthorizationRequest {
    pub nats: RequestBody,
}

#[derive(Debug, Deserialize)]
pub struct RequestBody {
    pub server_id: ServerId,
    /// The key the server made for this connection: the user JWT must name it.
    pub user_nkey: String,
    #[serde(default)]
    pub connect_opts: ConnectOptions,
}

#[derive(Debug, Deserialize)]
pub struct ServerId {
    pub id: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConnectOptions {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub pass: String,
}

/// Publish and subscribe allowances of a user JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permissions {
    pub publish: Vec<String>,
    pub subscribe: Vec<String>,
}

/// The claims of a token, read without checking its signature: the callout only reads
/// requests the server published in the callout's own account, where nobody else may
/// publish.
pub fn claims<T: DeserializeOwned>(token: &str) -> Result<T, String> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| "not a JWT".to_owned())?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| "the JWT's claims are not base64url".to_owned())?;
    serde_json::from_slice(&bytes).map_err(|error| format!("the JWT's claims: {error}"))
}

/// A user JWT for `request`'s connection: placed in `account`, named `name`, allowed
/// `permissions`, valid until `expires_at` (unix seconds).
pub fn user(
    request: &RequestBody,
    account: &str,
    name: &str,
    permissions: &Permissions,
    expires_at: i64,
    issuer: &KeyPair,
) -> Result<String, String> {
    let nats = json!({
        "pub": { "allow": permissions.publish },
        "sub": { "allow": permissions.subscribe },
        "subs": -1,
        "data": -1,
        "payload": -1,
        "type": "user",
        "version": 2,
    });
    sign(
        json!({
            "sub": request.user_nkey,
            "aud": account,
            "name": name,
            "exp": expires_at,
        }),
        nats,
        issuer,
    )
}

/// The callout's answer to `request`: the user JWT, or the reason for refusing.
pub fn response(
    request: &RequestBody,
    outcome: Result<String, String>,
    issuer: &KeyPair,
) -> Result<String, String> {
    let nats = match outcome {
        Ok(user_jwt) => json!({ "jwt": user_jwt, "type": "authorization_response", "version": 2 }),
        Err(error) => {
            json!({ "error": error, "type": "authorization_response", "version": 2 })
        }
    };
    sign(
        json!({ "sub": request.user_nkey, "aud": request.server_id.id }),
        nats,
        issuer,
    )
}

/// Signs `standard` claims (plus `iat`, `iss` and `jti`) and the `nats` section.
fn sign(mut standard: Value, nats: Value, issuer: &KeyPair) -> Result<String, String> {
    standard["iat"] = json!(chrono::Utc::now().timestamp());
    standard["iss"] = json!(issuer.public_key());
    // As nats-io/jwt does: the id is the SHA-512/256 of the claims without it, base32.
    standard["jti"] = json!("");
    let digest = sha2::Sha512_256::digest(standard.to_string().as_bytes());
    standard["jti"] = json!(data_encoding::BASE32_NOPAD.encode(&digest));
    standard["nats"] = nats;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(standard.to_string())
    );
    let signature = issuer
        .sign(signing_input.as_bytes())
        .map_err(|error| format!("signing: {error}"))?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RequestBody {
        RequestBody {
            server_id: ServerId {
                id: "NSERVER".to_owned(),
            },
            user_nkey: KeyPair::new_user().public_key(),
            connect_opts: ConnectOptions::default(),
        }
    }

    fn verified(token: &str, issuer: &KeyPair) -> Value {
        let (signing_input, signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        KeyPair::from_public_key(&issuer.public_key())
            .unwrap()
            .verify(signing_input.as_bytes(), &signature)
            .expect("signed by the issuer");
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(signing_input.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header, json!({"typ": "JWT", "alg": "ed25519-nkey"}));
        claims(token).unwrap()
    }

    #[test]
    fn a_user_jwt_names_the_connection_key_the_account_and_the_permissions() {
        let issuer = KeyPair::new_account();
        let request = request();
        let permissions = Permissions {
            publish: vec!["$JS.API.CONSUMER.MSG.NEXT.S.sub-a".to_owned()],
            subscribe: vec!["_INBOX_sub-a.>".to_owned()],
        };
        let token = user(&request, "CASELOG", "sub-a", &permissions, 99, &issuer).unwrap();
        let claims = verified(&token, &issuer);
        assert_eq!(claims["sub"], json!(request.user_nkey));
        assert_eq!(claims["aud"], "CASELOG");
        assert_eq!(claims["iss"], json!(issuer.public_key()));
        assert_eq!(claims["exp"], 99);
        assert_eq!(claims["nats"]["type"], "user");
        assert_eq!(claims["nats"]["pub"]["allow"], json!(permissions.publish));
        assert_eq!(claims["nats"]["sub"]["allow"], json!(permissions.subscribe));
        assert_eq!(claims["jti"].as_str().unwrap().len(), 52);
    }

    #[test]
    fn a_response_is_for_the_server_and_the_connection_and_carries_a_refusal() {
        let issuer = KeyPair::new_account();
        let request = request();
        let token = response(&request, Err("unknown".to_owned()), &issuer).unwrap();
        let claims = verified(&token, &issuer);
        assert_eq!(claims["aud"], "NSERVER");
        assert_eq!(claims["sub"], json!(request.user_nkey));
        assert_eq!(claims["nats"]["error"], "unknown");
        assert_eq!(claims["nats"]["type"], "authorization_response");
        assert!(claims["nats"].get("jwt").is_none());
    }

    #[test]
    fn a_request_is_read_from_its_claims() {
        let server = KeyPair::new_server();
        let token = sign(
            json!({"sub": "A", "aud": "nats-authorization-request"}),
            json!({
                "server_id": {"id": "NS", "name": "n"},
                "user_nkey": "UKEY",
                "connect_opts": {"user": "sub-a", "pass": "secret", "lang": "rust"},
                "client_info": {"host": "127.0.0.1"},
                "type": "authorization_request",
                "version": 2
            }),
            &server,
        )
        .unwrap();
        let request: AuthorizationRequest = claims(&token).unwrap();
        assert_eq!(request.nats.server_id.id, "NS");
        assert_eq!(request.nats.user_nkey, "UKEY");
        assert_eq!(request.nats.connect_opts.user, "sub-a");
        assert_eq!(request.nats.connect_opts.pass, "secret");
        assert!(claims::<AuthorizationRequest>("garbage").is_err());
    }
}
