"""A user-management web app: most of AltAPI in one program (data in webapp_store.py).

    python examples/webapp.py            # http://127.0.0.1:8000
    uvicorn --app-dir examples webapp:app --workers 4

- SQLite through a generator dependency (`get_db`: commit on success, rollback
  on error, always closed), and a repository that depends on it;
- registration and login with salted PBKDF2 password hashes, a signed session
  cookie (`SessionMiddleware`), a rate-limited login form (`@rate_limit`);
- Jinja2 pages to list, create, edit and delete users, with the server's
  validation messages next to the fields;
- a JSON API over the same data (`/api/users`);
- static CSS and JavaScript, and a WebSocket (`/ws`) that sends every open page
  the new table whenever the list changes.

Settings come from the environment: `WEBAPP_DATABASE` (a file, default
`webapp.sqlite3`), `WEBAPP_SECRET_KEY`, `WEBAPP_LOGIN_LIMIT` (login attempts per
minute and client). Forms posted from other sites carry no session cookie (it
is SameSite=Lax); add a CSRF token if browsers without SameSite matter. The
live updates reach the pages served by the same process; with several workers
each pushes its own changes (a broker such as Redis pub/sub would join them).
"""

from __future__ import annotations

import os
from pathlib import Path

from webapp_store import Hub, UserRepository, open_database, validate

from altapi import AltAPI, APIRouter
from altapi.depends import Depends
from altapi.http import HTTPException, JSONResponse, RedirectResponse, Request, Response
from altapi.middleware import Middleware, SessionMiddleware
from altapi.ratelimit import rate_limit
from altapi.templating import Jinja2Templates
from altapi.websocket import WebSocket

HERE = Path(__file__).parent


class LoginRequired(Exception):
    """Raised by the pages' dependency when no one is signed in."""


templates = Jinja2Templates(directory=str(HERE / "templates" / "webapp"))


def users_table(users: UserRepository) -> str:
    """The users table's HTML, from the template the users page includes."""
    return templates.get_template("_users_table.html").render(users=users.all())


def create_app(
    database: str | None = None, secret_key: str | None = None, login_limit: int | None = None
) -> AltAPI:
    """The app; arguments default to the WEBAPP_* environment variables."""
    database = database or os.environ.get("WEBAPP_DATABASE", "webapp.sqlite3")
    secret_key = secret_key or os.environ.get("WEBAPP_SECRET_KEY", "change me in production")
    login_limit = login_limit or int(os.environ.get("WEBAPP_LOGIN_LIMIT", "5"))
    open_database(database).close()  # creates the table once, before serving
    hub = Hub()
    app = AltAPI(
        middleware=[Middleware(SessionMiddleware, secret_key=secret_key, max_age=8 * 3600)],
        static_directory=str(HERE / "static"),
    )

    def get_db():
        db = open_database(database)
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()

    def get_users(db=Depends(get_db)) -> UserRepository:
        return UserRepository(db)

    def page(request: Request, name: str, status_code: int = 200, **context) -> Response:
        context["flash"] = request.session.pop("flash", None)
        context["current_user"] = request.session.get("username")
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def back_to(url: str, request: Request, flash: str | None = None) -> Response:
        if flash:
            request.session["flash"] = flash
        return RedirectResponse(url, status_code=303)

    async def changed(event: str, user_id: int, users: UserRepository) -> None:
        """Tell every open page, with the new table, so none has to ask for it."""
        await hub.broadcast({"event": event, "id": user_id, "table": users_table(users)})

    def signed_in(request: Request) -> int:
        """The signed-in user's id; a page without one sends the visitor to log in."""
        if "user_id" not in request.session:
            raise LoginRequired
        return request.session["user_id"]

    def api_signed_in(request: Request) -> int:
        if "user_id" not in request.session:
            raise HTTPException(401, "log in first")
        return request.session["user_id"]

    @app.exception_handler(LoginRequired)
    async def to_login_page(request: Request, exc: LoginRequired):
        return back_to("/login", request, "Please log in.")

    pages = APIRouter(dependencies=[Depends(signed_in)])
    api = APIRouter(prefix="/api", dependencies=[Depends(api_signed_in)])

    # --- sign-up, log-in, log-out --------------------------------------------------------

    @app.get("/")
    async def home(request: Request):
        return back_to("/users" if "user_id" in request.session else "/login", request)

    @app.get("/register")
    async def register_form(request: Request):
        return page(request, "register.html", form={}, errors={})

    @app.post("/register")
    async def register(request: Request, users: UserRepository = Depends(get_users)):
        form = dict(await request.form())
        errors = validate(form, users, password_required=True)
        if errors:
            return page(request, "register.html", 400, form=form, errors=errors)
        user = users.create(form["username"], form["email"], form["password"])
        request.session.update(user_id=user["id"], username=user["username"])
        await changed("created", user["id"], users)
        return back_to("/users", request, f"Welcome, {user['username']}!")

    @app.get("/login")
    async def login_form(request: Request):
        return page(request, "login.html", username="", error=None)

    @app.post("/login")
    @rate_limit(limit=login_limit, period=60)
    async def login(request: Request, users: UserRepository = Depends(get_users)):
        form = await request.form()
        username = str(form.get("username", ""))
        user = users.authenticate(username, str(form.get("password", "")))
        if user is None:
            error = "Unknown user or wrong password."
            return page(request, "login.html", 400, username=username, error=error)
        request.session.clear()
        request.session.update(user_id=user["id"], username=user["username"])
        return back_to("/users", request, f"Welcome back, {user['username']}!")

    @app.post("/logout")
    async def logout(request: Request):
        request.session.clear()
        return back_to("/login", request, "You are logged out.")

    # --- pages to manage users -----------------------------------------------------------

    @pages.get("/users")
    async def list_users(request: Request, users: UserRepository = Depends(get_users)):
        return page(request, "users.html", users=users.all())

    @pages.get("/users/new")
    async def new_user_form(request: Request):
        return page(request, "user_form.html", form={}, errors={}, user=None)

    @pages.post("/users/new")
    async def create_user(request: Request, users: UserRepository = Depends(get_users)):
        form = dict(await request.form())
        errors = validate(form, users, password_required=True)
        if errors:
            return page(request, "user_form.html", 400, form=form, errors=errors, user=None)
        user = users.create(form["username"], form["email"], form["password"])
        await changed("created", user["id"], users)
        return back_to("/users", request, f"User {user['username']} created.")

    @pages.get("/users/{user_id:int}/edit")
    async def edit_user_form(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        user = users.get(user_id)
        if user is None:
            return back_to("/users", request, "No such user.")
        return page(request, "user_form.html", form=user, errors={}, user=user)

    @pages.post("/users/{user_id:int}/edit")
    async def edit_user(request: Request, user_id: int, users: UserRepository = Depends(get_users)):
        user = users.get(user_id)
        if user is None:
            return back_to("/users", request, "No such user.")
        form = dict(await request.form())
        errors = validate(form, users, password_required=False, user_id=user_id)
        if errors:
            return page(request, "user_form.html", 400, form=form, errors=errors, user=user)
        users.update(user_id, form["username"], form["email"], form.get("password") or None)
        if request.session["user_id"] == user_id:
            request.session["username"] = form["username"]
        await changed("updated", user_id, users)
        return back_to("/users", request, f"User {form['username']} saved.")

    @pages.post("/users/{user_id:int}/delete")
    async def delete_user(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        if not users.delete(user_id):
            return back_to("/users", request, "No such user.")
        await changed("deleted", user_id, users)
        if request.session["user_id"] == user_id:
            request.session.clear()
            return back_to("/login", request, "Your account was deleted.")
        return back_to("/users", request, "User deleted.")

    # --- the JSON API --------------------------------------------------------------------

    @api.get("/users")
    async def api_list(request: Request, users: UserRepository = Depends(get_users)):
        return JSONResponse(users.all())

    @api.post("/users")
    async def api_create(request: Request, users: UserRepository = Depends(get_users)):
        data = await request.json()
        errors = validate(data, users, password_required=True)
        if errors:
            return JSONResponse({"errors": errors}, status_code=422)
        user = users.create(data["username"], data["email"], data["password"])
        await changed("created", user["id"], users)
        return JSONResponse(user, status_code=201)

    @api.get("/users/{user_id:int}")
    async def api_get(request: Request, user_id: int, users: UserRepository = Depends(get_users)):
        user = users.get(user_id)
        return JSONResponse(user) if user else JSONResponse({"error": "not found"}, 404)

    @api.put("/users/{user_id:int}")
    async def api_update(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        if users.get(user_id) is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        data = await request.json()
        errors = validate(data, users, password_required=False, user_id=user_id)
        if errors:
            return JSONResponse({"errors": errors}, status_code=422)
        users.update(user_id, data["username"], data["email"], data.get("password") or None)
        await changed("updated", user_id, users)
        return JSONResponse(users.get(user_id))

    @api.delete("/users/{user_id:int}")
    async def api_delete(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        if not users.delete(user_id):
            return JSONResponse({"error": "not found"}, status_code=404)
        await changed("deleted", user_id, users)
        return Response(status_code=204)

    app.include_router(pages)
    app.include_router(api)

    # --- live updates --------------------------------------------------------------------

    @app.websocket("/ws")
    async def live(websocket: WebSocket):
        if "user_id" not in websocket.scope.get("session", {}):
            await websocket.close(code=1008, reason="log in first")
            return
        hub.join(websocket)  # before accepting: an open socket hears every later change
        try:
            await websocket.accept()
            db = open_database(database)
            try:  # the table as it is now: the page may have missed a change while connecting
                await websocket.send_json(
                    {"event": "hello", "table": users_table(UserRepository(db))}
                )
            finally:
                db.close()
            async for _ in websocket:
                pass  # the page sends nothing; this waits for it to go away
        finally:
            hub.leave(websocket)

    return app


app = create_app()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8000)
