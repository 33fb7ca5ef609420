"""Where a handler parameter is read from: `Query Header Cookie Path Body Form File`."""

from altapi_core.params import Body, Cookie, File, Form, Header, Path, Query

__all__ = ["Body", "Cookie", "File", "Form", "Header", "Path", "Query"]
