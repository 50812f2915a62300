"""Authentication, authorization, hashing and signing."""

from __future__ import annotations

from acme_catalogue.interfaces import Authenticator
from mreg_di import PluginType, plugin


@plugin(
    "jwt-authenticator",
    version="2.0.0",
    type=PluginType.SECURITY,
    capabilities=["authentication", "tokens"],
    provides=[Authenticator],
    priority=10,
    metadata={"algorithms": ["RS256", "ES256"]},
)
class JwtAuthenticator:
    """Authenticate users from signed JSON Web Tokens."""


@plugin(
    "oauth2-authenticator",
    version="1.3.0",
    type=PluginType.SECURITY,
    capabilities=["authentication", "single-sign-on"],
    provides=[Authenticator],
    priority=5,
    permissions=["network:outbound"],
    metadata={"flows": ["authorization-code", "client-credentials"]},
)
class OAuth2Authenticator:
    """Authenticate users through an OAuth 2.0 / OpenID Connect provider."""


@plugin(
    "rbac-authorizer",
    version="1.0.0",
    type=PluginType.SECURITY,
    capabilities=["authorization", "access-control"],
    metadata={"model": "role-based"},
)
class RbacAuthorizer:
    """Decide who may do what from roles and permissions."""


@plugin(
    "sha256-hasher",
    version="1.0.0",
    type=PluginType.SECURITY,
    capabilities=["hashing", "integrity"],
    metadata={"digest": "sha256"},
)
class Sha256Hasher:
    """Fingerprint data with SHA-256 to detect tampering."""


@plugin(
    "hmac-signer",
    version="1.1.0",
    type=PluginType.SECURITY,
    capabilities=["signing", "integrity", "authentication"],
    metadata={"digest": "sha256"},
)
class HmacSigner:
    """Sign and verify messages with a shared secret (HMAC)."""
