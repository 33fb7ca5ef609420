"""`app.run(server="granian")`: serve with Granian (the optional `altapi-core[granian]`).

Granian's own supervisor does what `server.py` does for uvicorn: it binds the
socket once, forks the workers (so the app object is handed over as it is, no
import string needed), restarts a worker that dies, and on SIGINT/SIGTERM stops
every worker gracefully, killing one still running after `graceful_timeout`.
Each worker runs the ASGI lifespan, so start-up hooks and GC tuning run there.
Granian has no counterpart to uvicorn's `proxy_headers` or `ws_max_size`: under it
`request.client` is the peer, and an oversized WebSocket message is read whole
before AltAPI closes the socket with 1009 (docs/deployment.md, "Choosing a server").
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["serve"]


def serve(
    app: Any,
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    graceful_timeout: float,
    **granian_options: Any,
) -> None:
    try:
        from granian import Granian
        from granian.constants import Interfaces
    except ImportError:
        raise RuntimeError(
            "server='granian' needs Granian: pip install 'altapi-core[granian]'"
        ) from None

    root_path = granian_options.pop("root_path", "")  # the option's name under uvicorn
    if root_path:
        granian_options.setdefault("url_path_prefix", root_path)
    server = Granian(
        "altapi:app",  # a label only: the loader below hands over the app object itself
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_access=access_log,
        respawn_failed_workers=True,
        workers_kill_timeout=max(1, math.ceil(graceful_timeout)),
        **granian_options,
    )
    server.serve(target_loader=lambda *args, **kwargs: app, wrap_loader=False)
