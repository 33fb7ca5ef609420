"""Typed parameters: binding against the same route written by hand, and against FastAPI.

    python benchmarks/params/run.py        (or: nox -s bench)

Four scenarios, each measured in one run (median µs/request of interleaved
rounds; CPU time, see _harness.py):
- `q: str, page: int` from the query string, bound from the signature, vs the
  same handler reading `request.query_params` by hand (target: at most 1.15x);
- a JSON body into a `msgspec.Struct`, vs `await request.json()` by hand
  (target: no slower);
- a 422 answer (page=abc) vs the 200 of the same typed route (target: at most 3x);
- FastAPI on the same typed routes (target: at least 10x slower than AltAPI).
"""

import sys
from pathlib import Path

import msgspec

from altapi_core import AltAPI, Request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import compare, table

QUERY = b"q=shoes&page=3"
BODY = b'{"name": "Widget", "price": 9.5, "tags": ["a", "b"]}'


class Item(msgspec.Struct):
    name: str
    price: float
    tags: list[str] = []


def altapi_apps():
    hand = AltAPI()

    @hand.get("/search")
    async def search_by_hand(request: Request):
        params = request.query_params
        return {"q": params["q"], "page": int(params["page"])}

    @hand.post("/items")
    async def create_by_hand(request: Request):
        data = await request.json()
        return {"name": data["name"], "price": data["price"]}

    typed = AltAPI()

    @typed.get("/search")
    async def search(q: str, page: int):
        return {"q": q, "page": page}

    @typed.post("/items")
    async def create(item: Item):
        return {"name": item.name, "price": item.price}

    return hand, typed


def fastapi_app():
    import pydantic
    from fastapi import FastAPI

    class PydanticItem(pydantic.BaseModel):
        name: str
        price: float
        tags: list[str] = []

    app = FastAPI()

    @app.get("/search")
    async def search(q: str, page: int):
        return {"q": q, "page": page}

    @app.post("/items")
    async def create(item: PydanticItem):
        return {"name": item.name, "price": item.price}

    return app


def main() -> None:
    hand, typed = altapi_apps()
    fastapi = fastapi_app()
    rounds = 11

    query = compare(
        {"AltAPI, by hand": hand, "AltAPI, typed": typed, "FastAPI, typed": fastapi},
        path="/search",
        query=QUERY,
        rounds=rounds,
    )
    print(table("q: str, page: int from the query string", query, "AltAPI, by hand"))

    body = compare(
        {"AltAPI, by hand": hand, "AltAPI, typed": typed, "FastAPI, typed": fastapi},
        method="POST",
        path="/items",
        body=BODY,
        rounds=rounds,
    )
    print()
    print(table("A JSON body into a model", body, "AltAPI, by hand"))

    invalid = compare(
        {"AltAPI 200": typed, "AltAPI 422": typed},
        path="/search",
        query=b"q=shoes&page=abc",
        rounds=rounds,
    )
    valid = compare({"AltAPI 200": typed}, path="/search", query=QUERY, rounds=rounds)
    answers = {"AltAPI 200": valid["AltAPI 200"], "AltAPI 422": invalid["AltAPI 422"]}
    print()
    print(table("A 422 answer against a 200 (same route)", answers, "AltAPI 200"))

    print()
    print("Targets:")
    print(
        f"- query, typed / by hand: {query['AltAPI, typed'] / query['AltAPI, by hand']:.2f}x (<= 1.15)"
    )
    print(
        f"- body, typed / by hand: {body['AltAPI, typed'] / body['AltAPI, by hand']:.2f}x (<= 1.00)"
    )
    print(f"- 422 / 200: {answers['AltAPI 422'] / answers['AltAPI 200']:.2f}x (<= 3)")
    print(
        f"- FastAPI / AltAPI, query: {query['FastAPI, typed'] / query['AltAPI, typed']:.1f}x (>= 10)"
    )
    print(
        f"- FastAPI / AltAPI, body: {body['FastAPI, typed'] / body['AltAPI, typed']:.1f}x (>= 10)"
    )


if __name__ == "__main__":
    main()
