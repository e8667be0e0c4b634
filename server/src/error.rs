//! Errors of request handlers. Page handlers return `PageError`, rendered
//! as a themed HTML page by the `render_page_errors` middleware; API
//! handlers return `ApiError`, rendered as `{"error": {"code", "message"}}`.
//! Details of 5xx errors are logged, never shown.

use crate::json::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// What went wrong, independent of how it is shown.
#[derive(Debug, Clone)]
pub enum Problem {
    NotFound,
    /// A bearer token was sent but is not valid.
    Unauthorized,
    BadRequest(String),
    /// Understood but refused (a form from another site; sign-in needed for this).
    Forbidden(String),
    /// Conflicts with what exists (already following this).
    Conflict(String),
    /// The index is still being built.
    Unavailable,
    Internal(String),
}

impl Problem {
    pub fn status(&self) -> StatusCode {
        match self {
            Problem::NotFound => StatusCode::NOT_FOUND,
            Problem::Unauthorized => StatusCode::UNAUTHORIZED,
            Problem::BadRequest(_) => StatusCode::BAD_REQUEST,
            Problem::Forbidden(_) => StatusCode::FORBIDDEN,
            Problem::Conflict(_) => StatusCode::CONFLICT,
            Problem::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Problem::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Problem::NotFound => "not_found",
            Problem::Unauthorized => "unauthorized",
            Problem::BadRequest(_) => "bad_request",
            Problem::Forbidden(_) => "forbidden",
            Problem::Conflict(_) => "conflict",
            Problem::Unavailable => "unavailable",
            Problem::Internal(_) => "internal",
        }
    }

    /// The Dutch message shown to readers.
    pub fn message(&self) -> String {
        match self {
            Problem::NotFound => "Deze pagina bestaat niet.".into(),
            Problem::Unauthorized => "Ongeldige of onbekende toegangssleutel.".into(),
            Problem::BadRequest(m) | Problem::Forbidden(m) | Problem::Conflict(m) => m.clone(),
            Problem::Unavailable => "De kennisbank wordt nog geladen. Probeer het over enkele seconden opnieuw.".into(),
            Problem::Internal(_) => "Er ging iets mis aan onze kant. Probeer het later opnieuw.".into(),
        }
    }

    fn log(&self) {
        if let Problem::Internal(detail) = self {
            tracing::error!(error = %detail, "request failed");
        }
    }
}

/// Internal failures become `Problem::Internal`, and from there page or API errors.
macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Problem {
            fn from(e: $t) -> Self {
                Problem::Internal(format!("{e:#}"))
            }
        }
        impl From<$t> for PageError {
            fn from(e: $t) -> Self {
                PageError(e.into())
            }
        }
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                ApiError(e.into())
            }
        }
    )*};
}

internal_from!(anyhow::Error, indexer::index::IndexError, minijinja::Error, tokio::task::JoinError);

/// An error of an HTML page.
#[derive(Debug)]
pub struct PageError(pub Problem);

impl From<Problem> for PageError {
    fn from(p: Problem) -> Self {
        PageError(p)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut res = (self.0.status(), self.0.message()).into_response();
        res.extensions_mut().insert(self.0);
        res
    }
}

/// The JSON body of every API error (and its OpenAPI schema).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `bad_request`, `unauthorized`, `not_found`, `unavailable`, `internal`.
    pub code: String,
    pub message: String,
}

/// An error of the JSON API.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

/// A problem on its own (an extractor's rejection, such as `View`'s 503 before
/// the first load): the API's JSON error, carrying the problem itself so that
/// `render::render_page_errors` shows it as a themed page on HTML routes.
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.log();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.message(),
            },
        };
        let mut res = (self.status(), Json(body)).into_response();
        res.extensions_mut().insert(self);
        res
    }
}
