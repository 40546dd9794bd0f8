//! The signature every delivery carries, as the Standard Webhooks specification
//! (standardwebhooks.com) defines it, so receivers can verify it with any of its
//! libraries: `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`
//! keyed with the endpoint's secret, beside `webhook-id` and `webhook-timestamp`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;

/// The prefix of a secret as shown to the admin, as Standard Webhooks writes them.
const SECRET_PREFIX: &str = "whsec_";

/// An endpoint's signing secret: 32 random bytes.
#[derive(Clone)]
pub struct Secret([u8; 32]);

impl Secret {
    /// 32 random bytes, drawn as the log's data keys are (it is stored as one).
    pub fn generate() -> Self {
        Self::from_bytes(caselog_eventlog::erasure::DataKey::generate().as_bytes())
            .expect("a data key is 32 bytes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `whsec_<base64>`: what the admin copies into the receiver.
    pub fn shown(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(self.0))
    }

    /// The `webhook-signature` header of a delivery.
    pub fn sign(&self, delivery_id: &str, timestamp: i64, body: &[u8]) -> String {
        sign_with(&self.0, delivery_id, timestamp, body)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

fn sign_with(key: &[u8], delivery_id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut context = hmac::Context::with_key(&key);
    context.update(delivery_id.as_bytes());
    context.update(b".");
    context.update(timestamp.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    format!("v1,{}", STANDARD.encode(context.sign().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification.
    #[test]
    fn signs_as_the_standard_webhooks_example() {
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = sign_with(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_secret_is_shown_with_its_prefix_and_signs_body_id_and_time() {
        let secret = Secret::generate();
        let shown = secret.shown();
        let decoded = STANDARD
            .decode(shown.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(decoded, secret.as_bytes());
        let signed = secret.sign("d1", 10, b"{}");
        assert_ne!(signed, secret.sign("d2", 10, b"{}"));
        assert_ne!(signed, secret.sign("d1", 11, b"{}"));
        assert_ne!(signed, secret.sign("d1", 10, b"{ }"));
        assert_ne!(signed, Secret::generate().sign("d1", 10, b"{}"));
        assert_eq!(format!("{secret:?}"), "Secret(…)");
    }
}
