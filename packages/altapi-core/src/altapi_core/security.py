"""Security helpers: dependencies that read credentials, with FastAPI's semantics.

`Depends(HTTPBearer())` gives `HTTPAuthorizationCredentials`; missing or
malformed credentials answer 401 with `WWW-Authenticate` (or give None with
`auto_error=False`). Each helper also describes itself (`openapi_scheme`) for
the OpenAPI document.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from altapi_di import Depends

from .exceptions import HTTPException
from .requests import Request

__all__ = [
    "APIKeyCookie",
    "APIKeyHeader",
    "APIKeyQuery",
    "HTTPAuthorizationCredentials",
    "HTTPBasic",
    "HTTPBasicCredentials",
    "HTTPBearer",
    "OAuth2PasswordBearer",
    "Security",
    "SecurityBase",
]


class HTTPAuthorizationCredentials(msgspec.Struct):
    scheme: str
    credentials: str


class HTTPBasicCredentials(msgspec.Struct):
    username: str
    password: str


class Security(Depends):
    """`Depends` that also names the OAuth2 scopes the route needs (shown in OpenAPI)."""

    __slots__ = ("scopes",)

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        scopes: Sequence[str] | None = None,
        use_cache: bool = True,
    ) -> None:
        super().__init__(dependency, use_cache=use_cache)
        self.scopes = list(scopes or [])


class SecurityBase:
    """What every helper shares: its name in the document, and the 401 it answers."""

    scheme_name: str
    description: str | None
    auto_error: bool
    challenge = "Bearer"  # the WWW-Authenticate value of a 401

    def _named(self, scheme_name: str | None, description: str | None, auto_error: bool) -> None:
        self.scheme_name = scheme_name or type(self).__name__
        self.description = description
        self.auto_error = auto_error

    def openapi_scheme(self) -> dict[str, Any]:
        raise NotImplementedError

    def _scheme(self, **fields: Any) -> dict[str, Any]:
        if self.description:
            fields["description"] = self.description
        return fields

    def refuse(self) -> None:
        """401 when credentials are required; None is returned otherwise."""
        if self.auto_error:
            raise HTTPException(401, "Not authenticated", {"WWW-Authenticate": self.challenge})


def _authorization(request: Request) -> tuple[str, str]:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme, credentials.strip()


class HTTPBearer(SecurityBase):
    def __init__(
        self,
        *,
        bearerFormat: str | None = None,  # FastAPI's name
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self._named(scheme_name, description, auto_error)
        self.bearer_format = bearerFormat

    def openapi_scheme(self) -> dict[str, Any]:
        extra = {"bearerFormat": self.bearer_format} if self.bearer_format else {}
        return self._scheme(type="http", scheme="bearer", **extra)

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        scheme, credentials = _authorization(request)
        if scheme.lower() != "bearer" or not credentials:
            self.refuse()
            return None
        return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)


class HTTPBasic(SecurityBase):
    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        realm: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self._named(scheme_name, description, auto_error)
        self.realm = realm
        self.challenge = f'Basic realm="{realm}"' if realm else "Basic"

    def openapi_scheme(self) -> dict[str, Any]:
        return self._scheme(type="http", scheme="basic")

    async def __call__(self, request: Request) -> HTTPBasicCredentials | None:
        scheme, encoded = _authorization(request)
        if scheme.lower() != "basic" or not encoded:
            self.refuse()
            return None
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        username, colon, password = decoded.partition(":")
        if not colon:
            self.refuse()
            return None
        return HTTPBasicCredentials(username=username, password=password)


class _APIKey(SecurityBase):
    where = ""
    challenge = "APIKey"

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self._named(scheme_name, description, auto_error)
        self.name = name

    def openapi_scheme(self) -> dict[str, Any]:
        return self._scheme(type="apiKey", **{"in": self.where}, name=self.name)

    def _read(self, request: Request) -> str | None:
        raise NotImplementedError

    async def __call__(self, request: Request) -> str | None:
        key = self._read(request)
        if not key:
            self.refuse()
            return None
        return key


class APIKeyHeader(_APIKey):
    where = "header"

    def _read(self, request: Request) -> str | None:
        return request.headers.get(self.name)


class APIKeyQuery(_APIKey):
    where = "query"

    def _read(self, request: Request) -> str | None:
        return request.query_params.get(self.name)


class APIKeyCookie(_APIKey):
    where = "cookie"

    def _read(self, request: Request) -> str | None:
        return request.cookies.get(self.name)


class OAuth2PasswordBearer(SecurityBase):
    """The bearer token of the OAuth2 password flow; `tokenUrl` is where clients get one."""

    def __init__(
        self,
        tokenUrl: str,  # FastAPI's name
        scheme_name: str | None = None,
        scopes: dict[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
        refreshUrl: str | None = None,
    ) -> None:
        self._named(scheme_name, description, auto_error)
        self.token_url = tokenUrl
        self.refresh_url = refreshUrl
        self.scopes = dict(scopes or {})

    def openapi_scheme(self) -> dict[str, Any]:
        flow: dict[str, Any] = {"scopes": self.scopes, "tokenUrl": self.token_url}
        if self.refresh_url:
            flow["refreshUrl"] = self.refresh_url
        return self._scheme(type="oauth2", flows={"password": flow})

    async def __call__(self, request: Request) -> str | None:
        scheme, token = _authorization(request)
        if scheme.lower() != "bearer" or not token:
            self.refuse()
            return None
        return token
