"""A FastAPI-style app on AltAPI: routers with prefixes and dependencies, background
tasks, CORS, GZip and sessions.

    python examples/fastapi_style.py      # http://127.0.0.1:8001
"""

from __future__ import annotations

from altapi import AltAPI, APIRouter
from altapi.background import BackgroundTasks
from altapi.depends import Depends
from altapi.http import HTTPException, JSONResponse, Request
from altapi.middleware import CORSMiddleware, GZipMiddleware, Middleware, SessionMiddleware

AUDIT_LOG: list[str] = []
ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}


def require_user(request: Request) -> str:
    user = request.session.get("user")
    if user is None:
        raise HTTPException(401, "sign in first")
    return user


def audit(message: str) -> None:
    AUDIT_LOG.append(message)


auth = APIRouter(prefix="/auth")


@auth.post("/login/{name}")
async def login(request: Request, name: str):
    request.session["user"] = name
    return JSONResponse({"user": name})


@auth.post("/logout")
async def logout(request: Request):
    request.session.clear()
    return JSONResponse({"user": None})


items = APIRouter(prefix="/items", dependencies=[Depends(require_user)])


@items.get("/", name="list_items")
async def list_items():
    return JSONResponse(list(ITEMS.values()))


@items.get("/{item_id:int}", name="get_item")
async def get_item(item_id: int, user: str = Depends(require_user)):
    if item_id not in ITEMS:
        raise HTTPException(404, f"no item {item_id}")
    return JSONResponse({**ITEMS[item_id], "viewer": user})


@items.post("/{item_id:int}/order")
async def order(item_id: int, tasks: BackgroundTasks, user: str = Depends(require_user)):
    tasks.add_task(audit, f"{user} ordered {item_id}")
    return JSONResponse({"ordered": item_id}, status_code=202)


api = APIRouter(prefix="/api/v1")
api.include_router(auth)
api.include_router(items)


@api.get("/report")
async def report(request: Request):
    return JSONResponse({"lines": ["all good"] * 200, "next": request.url_for("list_items")})


app = AltAPI(
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["https://shop.example"],
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=True,
        ),
        Middleware(GZipMiddleware, minimum_size=500),
        Middleware(SessionMiddleware, secret_key="change-me-in-production"),
    ]
)
app.include_router(api)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8001)
