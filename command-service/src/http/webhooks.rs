//! `/v1/webhooks`: a tenant's admins register the endpoints its events are delivered
//! to, read each endpoint's delivery log and retry its dead letters. Endpoints are
//! configuration, not events: they carry a secret, and nothing of them belongs on
//! NATS. The dispatcher is `caselog_webhooks`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, JsonBody, Problem, ProblemType, QueryParams};
use caselog_webhooks::{Delivery, Endpoint, NewEndpoint, endpoint};

use super::AppState;
use super::error::ApiError;
use super::roles::ACCOUNT_ADMINS;

/// The most endpoints one tenant may register.
const MAX_ENDPOINTS: usize = 20;
const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register_endpoint, list_endpoints))
        .routes(routes!(get_endpoint, delete_endpoint))
        .routes(routes!(list_deliveries))
        .routes(routes!(retry_delivery))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    /// Where deliveries are POSTed: an `https://` URL of a public host (any URL in the
    /// local stack).
    #[schema(max_length = 2000)]
    url: String,
    /// The event types to deliver (`MessageReceived`, …), or `["*"]` for every type.
    #[schema(min_items = 1, max_items = 200)]
    event_types: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    description: String,
}

/// A new endpoint, with the secret its deliveries are signed with: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredEndpoint {
    #[serde(flatten)]
    endpoint: Endpoint,
    /// `whsec_<base64>`: verify `webhook-signature` with it (Standard Webhooks).
    secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    endpoints: Vec<Endpoint>,
}

fn storage(error: sqlx::Error) -> ApiError {
    ApiError::Internal(error.into())
}

/// Registers an endpoint for the caller's tenant. Owners and admins.
#[utoipa::path(post, path = "/v1/webhooks", request_body = EndpointBody, tag = "webhooks",
    responses((status = 201, body = RegisteredEndpoint)))]
async fn register_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<EndpointBody>,
) -> Result<(StatusCode, Json<RegisteredEndpoint>), ApiError> {
    caller.require_role(ACCOUNT_ADMINS)?;
    let url =
        endpoint::receiver_url(&body.url, state.webhooks.rules).map_err(Problem::validation)?;
    let event_types = endpoint::event_types(&body.event_types).map_err(Problem::validation)?;
    if body.description.chars().count() > 500 {
        return Err(Problem::validation("description: at most 500 characters").into());
    }
    let existing = state
        .webhooks
        .endpoints
        .list(caller.tenant_id)
        .await
        .map_err(storage)?;
    if existing.len() >= MAX_ENDPOINTS {
        return Err(Problem::new(
            ProblemType::Rule,
            format!("a tenant has at most {MAX_ENDPOINTS} webhook endpoints"),
        )
        .into());
    }
    let (endpoint, secret) = state
        .webhooks
        .endpoints
        .create(
            caller.tenant_id,
            NewEndpoint {
                url: url.to_string(),
                description: body.description,
                event_types,
                created_by: caller.user_id.0,
            },
        )
        .await
        .map_err(storage)?;
    tracing::info!(endpoint = %endpoint.id, tenant = %caller.tenant_id, url = %endpoint.url, "webhook endpoint registered");
    let secret = secret.shown();
    Ok((
        StatusCode::CREATED,
        Json(RegisteredEndpoint { endpoint, secret }),
    ))
}

/// The tenant's endpoints. Owners and admins.
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = EndpointList)))]
async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<EndpointList>, ApiError> {
    caller.require_role(ACCOUNT_ADMINS)?;
    let endpoints = state
        .webhooks
        .endpoints
        .list(caller.tenant_id)
        .await
        .map_err(storage)?;
    Ok(Json(EndpointList { endpoints }))
}

/// The tenant's endpoint `id` (another tenant's is not found).
async fn own_endpoint(state: &AppState, caller: &Caller, id: Uuid) -> Result<Endpoint, ApiError> {
    caller.require_role(ACCOUNT_ADMINS)?;
    state
        .webhooks
        .endpoints
        .get(caller.tenant_id, id)
        .await
        .map_err(storage)?
        .ok_or_else(|| Problem::not_found().into())
}

/// One endpoint. Owners and admins.
#[utoipa::path(get, path = "/v1/webhooks/{id}", tag = "webhooks",
    responses((status = 200, body = Endpoint)))]
async fn get_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<Endpoint>, ApiError> {
    Ok(Json(own_endpoint(&state, &caller, id).await?))
}

/// Deletes an endpoint with its deliveries: nothing more is sent to it. Owners and
/// admins.
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks",
    responses((status = 204)))]
async fn delete_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    caller.require_role(ACCOUNT_ADMINS)?;
    let deleted = state
        .webhooks
        .endpoints
        .delete(caller.tenant_id, id)
        .await
        .map_err(storage)?;
    if !deleted {
        return Err(Problem::not_found().into());
    }
    tracing::info!(endpoint = %id, tenant = %caller.tenant_id, "webhook endpoint deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryParams {
    /// Only deliveries in this state; `dead`: the endpoint's dead letters.
    #[param(inline)]
    status: Option<DeliveryStatus>,
    /// Deliveries older than this one (`next_before` of the previous page).
    before: Option<Uuid>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Dead,
}

impl DeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryLog {
    deliveries: Vec<Delivery>,
    /// Pass as `before` for the next (older) page; `null` on the last.
    next_before: Option<Uuid>,
}

/// The endpoint's delivery log, newest event first: each delivery's state, attempts
/// and the receiver's last answer. Owners and admins.
#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", params(DeliveryParams),
    tag = "webhooks", responses((status = 200, body = DeliveryLog)))]
async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    QueryParams(params): QueryParams<DeliveryParams>,
) -> Result<Json<DeliveryLog>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Problem::validation(format!("limit: 1 to {MAX_PAGE}")).into());
    }
    let endpoint = own_endpoint(&state, &caller, id).await?;
    let deliveries = state
        .webhooks
        .deliveries
        .page(
            endpoint.id,
            params.status.map(DeliveryStatus::as_str),
            params.before,
            limit,
        )
        .await
        .map_err(storage)?;
    let next_before = (i64::try_from(deliveries.len()).unwrap_or(0) == limit)
        .then(|| deliveries.last().map(|delivery| delivery.id))
        .flatten();
    Ok(Json(DeliveryLog {
        deliveries,
        next_before,
    }))
}

/// Sends a delivery again now, with a whole new schedule of attempts: a dead letter
/// once the receiver is fixed. Owners and admins.
#[utoipa::path(post, path = "/v1/webhooks/{id}/deliveries/{delivery_id}/retry",
    tag = "webhooks", responses((status = 202)))]
async fn retry_delivery(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let endpoint = own_endpoint(&state, &caller, id).await?;
    let queued = state
        .webhooks
        .deliveries
        .retry(endpoint.id, delivery_id)
        .await
        .map_err(storage)?;
    if queued {
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(Problem::not_found().into())
    }
}
