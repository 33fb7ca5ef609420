"""The test client."""

from altapi_core.testclient import TestClient

__all__ = ["TestClient"]
