//! TURN credentials of the candidate's own (the TURN REST API scheme coturn implements with
//! `use-auth-secret`): the username is the expiry time and who it is for, the password the
//! HMAC-SHA1 of the username under the shared secret, so no static password is handed to
//! every candidate and a leaked one stops working after its time.
use base64::Engine;
use exam_protocol::IceServer;
use hmac::{Hmac, Mac};

/// The ICE servers to hand to candidate `candidate_id` at `now_ms`: without a secret, as
/// configured; with one, every TURN server with credentials of its own that expire after `ttl_secs`.
pub fn credentials_for(servers: &[IceServer], secret: &str, ttl_secs: i64, candidate_id: i64, now_ms: i64) -> Vec<IceServer> {
    if secret.is_empty() {
        return servers.to_vec();
    }
    let expires = now_ms / 1000 + ttl_secs.max(60);
    let username = format!("{expires}:candidate-{candidate_id}");
    let credential = password(secret, &username);
    servers
        .iter()
        .map(|s| {
            let turn = s.urls.iter().any(|u| u.starts_with("turn:") || u.starts_with("turns:"));
            if turn { IceServer { urls: s.urls.clone(), username: username.clone(), credential: credential.clone() } } else { s.clone() }
        })
        .collect()
}

/// base64(HMAC-SHA1(secret, username)), as coturn checks it.
pub fn password(secret: &str, username: &str) -> String {
    let mut m = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    m.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_candidate_gets_expiring_credentials_of_their_own() {
        let servers = vec![
            IceServer { urls: vec!["stun:stun.example:3478".into()], username: String::new(), credential: String::new() },
            IceServer { urls: vec!["turn:turn.example:3478".into()], username: "static".into(), credential: "static-pass".into() },
        ];
        let got = credentials_for(&servers, "s3cret", 3600, 7, 1_000_000_000);
        assert_eq!(got[0], servers[0], "STUN needs no credentials");
        assert_eq!(got[1].username, "1003600:candidate-7");
        assert_ne!(got[1].credential, "static-pass");
        // The RFC-draft example's shape: base64 of a 20-byte HMAC-SHA1.
        assert_eq!(got[1].credential.len(), 28);
        assert_eq!(got[1].credential, password("s3cret", "1003600:candidate-7"));
        assert_ne!(credentials_for(&servers, "s3cret", 3600, 8, 1_000_000_000)[1].credential, got[1].credential);
        assert_eq!(credentials_for(&servers, "", 3600, 7, 0), servers, "no secret: as configured");
    }
}
