import os

import pytest

from altapi_core import AltAPI
from altapi_core.fileresponse import FileResponse
from altapi_core.testclient import TestClient

CONTENT = bytes(range(256)) * 4  # 1024 bytes


@pytest.fixture
def client(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(CONTENT)
    (tmp_path / "notes.txt").write_text("hello")
    app = AltAPI()

    @app.get("/file")
    async def file(request):
        return FileResponse(path)

    @app.get("/download")
    async def download(request):
        return FileResponse(tmp_path / "notes.txt", filename="résumé notes.txt")

    @app.get("/missing")
    async def missing(request):
        return FileResponse(tmp_path / "nope.txt")

    return TestClient(app)


def test_file_is_sent_with_validators_and_guessed_type(client):
    response = client.get("/file")
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["content-length"] == "1024"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"].endswith("GMT")
    assert response.headers["content-type"] == "application/octet-stream"


def test_filename_gives_content_disposition_and_type(client):
    response = client.get("/download")
    assert response.text == "hello"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"] == (
        "attachment; filename*=utf-8''r%C3%A9sum%C3%A9%20notes.txt"
    )


def test_head_sends_headers_only(client):
    response = client.head("/file")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "1024"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 10),
        ("bytes=1000-", 1000, 1024),
        ("bytes=-24", 1000, 1024),
        ("bytes=1000-5000", 1000, 1024),
    ],
)
def test_single_range_is_206(client, header, start, end):
    response = client.get("/file", headers={"Range": header})
    assert response.status_code == 206
    assert response.content == CONTENT[start:end]
    assert response.headers["content-range"] == f"bytes {start}-{end - 1}/1024"
    assert response.headers["content-length"] == str(end - start)


@pytest.mark.parametrize("header", ["bytes=2000-", "bytes=5-2", "bytes=abc", "bytes=-0", "bytes="])
def test_bad_range_is_416(client, header):
    response = client.get("/file", headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */1024"


def test_several_ranges_or_other_units_get_the_whole_file(client):
    assert client.get("/file", headers={"Range": "bytes=0-1,5-6"}).content == CONTENT
    assert client.get("/file", headers={"Range": "items=0-1"}).status_code == 200


def test_if_range_with_stale_etag_sends_the_whole_file(client):
    response = client.get("/file", headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert response.status_code == 200 and response.content == CONTENT


def test_conditional_get_is_304(client):
    first = client.get("/file")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get("/file", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get("/file", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/file", headers={"If-None-Match": '"other"'}).status_code == 200


def test_missing_file_is_404(client):
    assert client.get("/missing").status_code == 404


def test_file_changed_on_disk_gets_a_new_etag(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("one")
    app = AltAPI()

    @app.get("/f")
    async def f(request):
        return FileResponse(path)

    client = TestClient(app)
    first = client.get("/f").headers["etag"]
    path.write_text("second version")
    os.utime(path, ns=(1, 10**18))
    assert client.get("/f").headers["etag"] != first
