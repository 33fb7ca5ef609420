"""An app written the way FastAPI's tutorial writes one; only the imports differ.

FastAPI's imports, for comparison:
    from fastapi import Cookie, Depends, FastAPI, File, Form, Header, HTTPException, Query, UploadFile
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
"""

from typing import Annotated

from pydantic import BaseModel

from altapi import AltAPI as FastAPI
from altapi.depends import Depends
from altapi.http import HTTPException, UploadFile
from altapi.params import Cookie, File, Form, Header, Query
from altapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI(title="Tutorial", version="0.1.0")
security = HTTPBearer()


class Item(BaseModel):
    name: str
    description: str | None = None
    price: float
    tax: float | None = None


class ItemOut(BaseModel):
    name: str
    price: float


fake_items_db = [{"item_name": "Foo"}, {"item_name": "Bar"}, {"item_name": "Baz"}]


@app.get("/items/", tags=["items"])
async def read_items(skip: int = 0, limit: int = 10):
    return fake_items_db[skip : skip + limit]


@app.get("/items/{item_id}", tags=["items"])
async def read_item(item_id: int, q: str | None = None, short: bool = False):
    item = {"item_id": item_id}
    if q:
        item.update({"q": q})
    if not short:
        item.update({"description": "This is an amazing item that has a long description"})
    return item


@app.get("/search/")
async def search(q: Annotated[str | None, Query(min_length=3, max_length=50)] = None):
    results = {"items": [{"item_id": "Foo"}, {"item_id": "Bar"}]}
    if q:
        results.update({"q": q})
    return results


@app.post("/items/", status_code=201, response_model=ItemOut, tags=["items"])
async def create_item(item: Item):
    if item.name == "taken":
        raise HTTPException(status_code=409, detail="Item exists")
    return item


@app.put("/items/{item_id}")
async def update_item(item_id: int, item: Item, q: str | None = None):
    result = {"item_id": item_id, **item.model_dump()}
    if q:
        result.update({"q": q})
    return result


@app.get("/headers/")
async def read_headers(
    user_agent: Annotated[str | None, Header()] = None,
    ads_id: Annotated[str | None, Cookie()] = None,
):
    return {"User-Agent": user_agent, "ads_id": ads_id}


@app.post("/login/")
async def login(username: Annotated[str, Form()], password: Annotated[str, Form()]):
    return {"username": username}


@app.post("/files/")
async def create_file(file: Annotated[bytes, File()]):
    return {"file_size": len(file)}


@app.post("/uploadfile/")
async def create_upload_file(file: UploadFile):
    content = await file.read()
    return {"filename": file.filename, "size": len(content)}


@app.get("/users/me")
def read_current_user(credentials: Annotated[HTTPAuthorizationCredentials, Depends(security)]):
    return {"scheme": credentials.scheme, "credentials": credentials.credentials}
