//! Who may call which route. Every route is registered with its rule here, so the router and
//! the role × route test read one table; a route cannot exist without a rule.
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use exam_application::Actor;
use exam_protocol::Role;

use super::AppState;
use super::error::ApiError;
use super::i18n::cookie;
use exam_application::auth::token;

use exam_records::sessions::{self, Lookup};

/// The name of the cookie that carries the session token for pages.
pub const SESSION_COOKIE: &str = "exam_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    Authenticated,
    /// Signed in with one of these roles. Scope (institution, bank) is checked in the handler.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Authenticated => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }
}

/// JSON API routes answer 401/403 with an error body; pages send the browser to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Api,
    Page,
}

#[derive(Debug, Clone)]
pub struct RouteRule {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
}

#[derive(Debug)]
pub struct Route {
    pub rule: RouteRule,
    pub handler: MethodRouter<AppState>,
}

impl Route {
    pub fn api(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Route {
        Route { rule: RouteRule { method, path, access, surface: Surface::Api }, handler }
    }

    pub fn page(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Route {
        Route { rule: RouteRule { method, path, access, surface: Surface::Page }, handler }
    }
}

/// The signed-in person behind a request (the application's [`Actor`]), with the hash of the
/// token they used: signing out ends that token's session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub actor: Actor,
    pub token_hash: String,
}

impl std::ops::Deref for CurrentUser {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// The token from `Authorization: Bearer …`, else from the session cookie.
pub fn presented_token(req: &Request) -> Option<String> {
    let bearer = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    bearer.or_else(|| cookie(req.headers(), SESSION_COOKIE)).filter(|t| !t.is_empty())
}

/// Resolves the caller, applies the route's rule, and hands the handler a `CurrentUser`.
pub async fn authorize(State((state, rule)): State<(AppState, RouteRule)>, mut req: Request, next: Next) -> Response {
    let lookup = match presented_token(&req) {
        Some(t) => {
            let hash = token::hash(&t);
            match sessions::lookup(&state.db, &hash, state.clock.now_ms()).await {
                Ok(Lookup::Valid(account)) => Ok(Some(CurrentUser { actor: Actor::new(account), token_hash: hash })),
                Ok(Lookup::Expired) => Err(ApiError::SessionExpired),
                Ok(Lookup::Unknown) => Err(ApiError::Unauthenticated),
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
        None => Ok(None),
    };
    let user = match (rule.access, lookup) {
        (Access::Public, Ok(user)) => user,
        (Access::Public, Err(_)) => None,
        (_, Ok(Some(user))) => Some(user),
        (_, Ok(None)) => return deny(rule.surface, ApiError::Unauthenticated),
        (_, Err(e)) => return deny(rule.surface, e),
    };
    if let Some(u) = &user {
        if !rule.access.allows(u.role()) {
            return match rule.surface {
                Surface::Api => ApiError::Forbidden.into_response(),
                // A page the role may not see is a page saying so, with the person's menu.
                Surface::Page => {
                    req.extensions_mut().insert(u.clone());
                    let (mut parts, _) = req.into_parts();
                    let ctx = <crate::pages::layout::PageCtx as axum::extract::FromRequestParts<()>>::from_request_parts(&mut parts, &()).await;
                    match ctx {
                        Ok(ctx) => ctx.error(ApiError::Forbidden),
                        Err(never) => match never {},
                    }
                }
            };
        }
        req.extensions_mut().insert(u.clone());
    }
    next.run(req).await
}

fn deny(surface: Surface, e: ApiError) -> Response {
    match (surface, e) {
        (Surface::Api, e) => e.into_response(),
        // The sign-in page then says why the person is asked again.
        (Surface::Page, ApiError::SessionExpired) => Redirect::to("/login?expired=1").into_response(),
        (Surface::Page, _) => Redirect::to("/login").into_response(),
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<CurrentUser>().cloned().ok_or(ApiError::Unauthenticated)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned())
    }
}
