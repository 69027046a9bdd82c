"""WeasyPrint may fetch only our own static files: nothing a document says can pull in another
local file or anything from the network."""

import http.server
import threading
from io import BytesIO

import pytest
from pypdf import PdfReader

from common.pdf import allowed_static_file, html_to_pdf


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def page_with(head: str, body: str = "<p>Dokument</p>") -> str:
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>T</title>'
        f"{head}</head><body>{body}</body></html>"
    )


@pytest.fixture
def static_dir(tmp_path, settings):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "ok.css").write_text('body::after { content: "TILLATET"; }', encoding="utf-8")
    settings.STATICFILES_DIRS = [folder]
    settings.STATIC_ROOT = None
    return folder


def test_our_static_files_are_served(static_dir):
    html = page_with(f'<link rel="stylesheet" href="{(static_dir / "ok.css").as_uri()}">')
    assert "TILLATET" in pdf_text(html_to_pdf(html))


def test_a_local_file_outside_static_is_refused(static_dir, tmp_path, caplog):
    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "HEMLIGT"; }', encoding="utf-8")
    escaping = static_dir.as_uri() + "/../secret.css"
    for href in (secret.as_uri(), escaping, "../" * 10 + str(secret).lstrip("/")):
        text = pdf_text(html_to_pdf(page_with(f'<link rel="stylesheet" href="{href}">')))
        assert "HEMLIGT" not in text
        assert "Dokument" in text
    assert "otillåten resurs" in caplog.text


def test_an_image_of_a_system_file_is_refused(static_dir):
    assert allowed_static_file("file:///etc/passwd") is None
    assert allowed_static_file((static_dir / "ok.css").as_uri()) == (static_dir / "ok.css")
    remote_host = (static_dir / "ok.css").as_uri().replace("file://", "file://evil")
    assert allowed_static_file(remote_host) is None
    html_to_pdf(page_with("", '<p>Dokument</p><img src="file:///etc/passwd" alt="x">'))


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        body = b'body::after { content: "FJARR"; }'
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_nothing_is_fetched_from_the_network(static_dir):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/x.css"
        html = page_with(
            f'<link rel="stylesheet" href="{url}">',
            f'<p>Dokument</p><img src="{url}" alt="bild"><p style="background: url({url})">a</p>',
        )
        text = pdf_text(html_to_pdf(html))
    finally:
        server.shutdown()
    assert _Recorder.hits == []
    assert "FJARR" not in text
