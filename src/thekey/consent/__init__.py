"""Consent records, usage receipts, data routes and the grantee's ``DataAccess`` gate."""

from thekey.consent.access import AccessResult, ConsentRequired, DataAccess, DataIntegrityError, Delivery
from thekey.consent.ids import (
    ACCOUNT_LINK_SCOPE,
    PURPOSES,
    ROUTE_PURPOSE,
    SCOPES,
    describe,
    purpose_id,
    scope_id,
)
from thekey.consent.registry import (
    DELEGATE_TYPE,
    Consent,
    ConsentKey,
    ConsentNotFound,
    ConsentReceipt,
    ConsentRegistry,
    GrantRequest,
    SignedGrant,
    SignedRevoke,
    UsageRecord,
)
from thekey.consent.routes import DataRoutes, Route, RouteRequest, SignedRoute, account_key, route_digest

__all__ = [
    "ACCOUNT_LINK_SCOPE",
    "DELEGATE_TYPE",
    "PURPOSES",
    "ROUTE_PURPOSE",
    "SCOPES",
    "AccessResult",
    "Consent",
    "ConsentKey",
    "ConsentNotFound",
    "ConsentReceipt",
    "ConsentRegistry",
    "ConsentRequired",
    "DataAccess",
    "DataIntegrityError",
    "DataRoutes",
    "Delivery",
    "GrantRequest",
    "Route",
    "RouteRequest",
    "SignedGrant",
    "SignedRevoke",
    "SignedRoute",
    "UsageRecord",
    "account_key",
    "describe",
    "purpose_id",
    "route_digest",
    "scope_id",
]
