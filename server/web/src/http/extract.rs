//! Extractors that turn bad requests into our stable error codes.
use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::ApiError;

/// `Json<T>` whose rejections are `malformed_json`, `invalid_field`, `unsupported_media_type`
/// or `payload_too_large`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(ApiError::MalformedJson),
            // serde's message can quote the submitted value (an ID number, say): not logged.
            Err(JsonRejection::JsonDataError(_)) => Err(ApiError::InvalidField),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::PayloadTooLarge),
            Err(_) => Err(ApiError::MalformedJson),
        }
    }
}

/// The client's address, for the sign-in limits and the record: the connection's own, or, when
/// the connection comes from a configured trusted proxy, the right-most address in its client
/// header that is not a trusted proxy's.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Ok(ClientIp(client_ip(peer, &parts.headers, &state.trusted_proxies, &state.settings.http.client_ip_header)))
    }
}

/// The client behind `peer`, believing `header` only from `trusted` proxies.
pub fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[ipnet::IpNet], header: &str) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = headers.get_all(header).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => continue,
            Ok(ip) => return ip,
            // Something we cannot read: the last trusted hop is all we know.
            Err(_) => break,
        }
    }
    peer
}

/// The trusted proxies from the settings: addresses or CIDR blocks.
pub fn parse_proxies(list: &[String]) -> anyhow::Result<Vec<ipnet::IpNet>> {
    list.iter()
        .map(|p| {
            let p = p.trim();
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| anyhow::anyhow!("http.trusted_proxies: {p} is not an address or CIDR block"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_last_hop_not_a_trusted_proxy() {
        let trusted = parse_proxies(&["10.0.0.0/8".into(), "192.0.2.1".into()]).expect("valid");
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.1.2.3".parse().expect("header"));
        let proxy: IpAddr = [10, 0, 0, 1].into();
        assert_eq!(client_ip(proxy, &h, &trusted, "x-forwarded-for"), IpAddr::from([198, 51, 100, 7]), "a spoofed left-most hop is not believed");
        let stranger: IpAddr = [198, 51, 100, 50].into();
        assert_eq!(client_ip(stranger, &h, &trusted, "x-forwarded-for"), stranger, "the header from anyone else is ignored");
        assert_eq!(client_ip(proxy, &axum::http::HeaderMap::new(), &trusted, "x-forwarded-for"), proxy);
        assert!(parse_proxies(&["not-an-address".into()]).is_err());
    }
}
