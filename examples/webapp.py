"""A user-management web app: the whole of AltAPI in one program.

    python examples/webapp.py            # http://127.0.0.1:8000
    uvicorn --app-dir examples webapp:app --workers 4

- SQLite through a generator dependency (`get_db`: commit on success, rollback
  on error, always closed), and a repository that depends on it;
- registration and login with salted PBKDF2 password hashes, a signed session
  cookie (`SessionMiddleware`), a rate-limited login form (`@rate_limit`);
- Jinja2 pages to list, create, edit and delete users, with the server's
  validation messages next to the fields;
- a JSON API over the same data (`/api/users`);
- static CSS and JavaScript, and a WebSocket (`/ws`) that tells every open page
  that the list changed, so each page refreshes its table at once.

Settings come from the environment: `WEBAPP_DATABASE` (a file, default
`webapp.sqlite3`), `WEBAPP_SECRET_KEY`, `WEBAPP_LOGIN_LIMIT` (login attempts per
minute and client). The live updates reach the pages served by the same process;
with several workers each pushes its own changes (a broker such as Redis pub/sub
would join them).
"""

from __future__ import annotations

import os
from pathlib import Path

from webapp_store import Hub, UserRepository, open_database, validate

from altapi import AltAPI
from altapi.depends import Depends
from altapi.http import JSONResponse, RedirectResponse, Request, Response
from altapi.middleware import Middleware, SessionMiddleware
from altapi.ratelimit import rate_limit
from altapi.templating import Jinja2Templates
from altapi.websocket import WebSocket

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates" / "webapp"))


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

    def logged_in(request: Request) -> bool:
        return "user_id" in request.session

    # --- sign-up, log-in, log-out --------------------------------------------------------

    @app.get("/")
    async def home(request: Request):
        return back_to("/users" if logged_in(request) else "/login", request)

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
        await hub.broadcast("created", user["id"])
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

    @app.get("/users")
    async def list_users(request: Request, users: UserRepository = Depends(get_users)):
        if not logged_in(request):
            return back_to("/login", request, "Please log in.")
        return page(request, "users.html", users=users.all())

    @app.get("/users/table")
    async def users_table(request: Request, users: UserRepository = Depends(get_users)):
        """The table alone: what a page fetches when the WebSocket says the list changed."""
        if not logged_in(request):
            return Response("", status_code=401)
        return templates.TemplateResponse(request, "_users_table.html", {"users": users.all()})

    @app.get("/users/new")
    async def new_user_form(request: Request):
        if not logged_in(request):
            return back_to("/login", request, "Please log in.")
        return page(request, "user_form.html", form={}, errors={}, user=None)

    @app.post("/users/new")
    async def create_user(request: Request, users: UserRepository = Depends(get_users)):
        if not logged_in(request):
            return back_to("/login", request, "Please log in.")
        form = dict(await request.form())
        errors = validate(form, users, password_required=True)
        if errors:
            return page(request, "user_form.html", 400, form=form, errors=errors, user=None)
        user = users.create(form["username"], form["email"], form["password"])
        await hub.broadcast("created", user["id"])
        return back_to("/users", request, f"User {user['username']} created.")

    @app.get("/users/{user_id:int}/edit")
    async def edit_user_form(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        if not logged_in(request):
            return back_to("/login", request, "Please log in.")
        user = users.get(user_id)
        if user is None:
            return back_to("/users", request, "No such user.")
        return page(request, "user_form.html", form=user, errors={}, user=user)

    @app.post("/users/{user_id:int}/edit")
    async def edit_user(request: Request, user_id: int, users: UserRepository = Depends(get_users)):
        if not logged_in(request):
            return back_to("/login", request, "Please log in.")
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
        await hub.broadcast("updated", user_id)
        return back_to("/users", request, f"User {form['username']} saved.")

    @app.post("/users/{user_id:int}/delete")
    async def delete_user(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        if not logged_in(request):
            return back_to("/login", request, "Please log in.")
        if not users.delete(user_id):
            return back_to("/users", request, "No such user.")
        await hub.broadcast("deleted", user_id)
        if request.session["user_id"] == user_id:
            request.session.clear()
            return back_to("/login", request, "Your account was deleted.")
        return back_to("/users", request, "User deleted.")

    # --- the JSON API --------------------------------------------------------------------

    def not_logged_in() -> JSONResponse:
        return JSONResponse({"error": "log in first"}, status_code=401)

    @app.get("/api/users")
    async def api_list(request: Request, users: UserRepository = Depends(get_users)):
        return JSONResponse(users.all()) if logged_in(request) else not_logged_in()

    @app.post("/api/users")
    async def api_create(request: Request, users: UserRepository = Depends(get_users)):
        if not logged_in(request):
            return not_logged_in()
        data = await request.json()
        errors = validate(data, users, password_required=True)
        if errors:
            return JSONResponse({"errors": errors}, status_code=422)
        user = users.create(data["username"], data["email"], data["password"])
        await hub.broadcast("created", user["id"])
        return JSONResponse(user, status_code=201)

    @app.get("/api/users/{user_id:int}")
    async def api_get(request: Request, user_id: int, users: UserRepository = Depends(get_users)):
        if not logged_in(request):
            return not_logged_in()
        user = users.get(user_id)
        return JSONResponse(user) if user else JSONResponse({"error": "not found"}, 404)

    @app.put("/api/users/{user_id:int}")
    async def api_update(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        if not logged_in(request):
            return not_logged_in()
        if users.get(user_id) is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        data = await request.json()
        errors = validate(data, users, password_required=False, user_id=user_id)
        if errors:
            return JSONResponse({"errors": errors}, status_code=422)
        users.update(user_id, data["username"], data["email"], data.get("password") or None)
        await hub.broadcast("updated", user_id)
        return JSONResponse(users.get(user_id))

    @app.delete("/api/users/{user_id:int}")
    async def api_delete(
        request: Request, user_id: int, users: UserRepository = Depends(get_users)
    ):
        if not logged_in(request):
            return not_logged_in()
        if not users.delete(user_id):
            return JSONResponse({"error": "not found"}, status_code=404)
        await hub.broadcast("deleted", user_id)
        return Response(status_code=204)

    # --- live updates --------------------------------------------------------------------

    @app.websocket("/ws")
    async def live(websocket: WebSocket):
        if "user_id" not in websocket.scope.get("session", {}):
            await websocket.close(code=1008, reason="log in first")
            return
        hub.join(websocket)  # before accepting: an open socket hears every later change
        try:
            await websocket.accept()
            async for _ in websocket:
                pass  # the page sends nothing; this waits for it to go away
        finally:
            hub.leave(websocket)

    return app


app = create_app()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8000)
