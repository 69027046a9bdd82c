"""A local HTTP server that answers as SCB's PxWebApi does, with the recorded answers in
fixtures/scb/: the command and the button go through their real HTTP code to it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings

RECORDED = Path(settings.BASE_DIR) / "fixtures" / "scb"
TABLE_PATH = "/OV0104/v1/doris/sv/ssd/BE/BE0101/BE0101A/BefolkManad"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.queries.append((self.path, json.loads(body)))
        query = {q["code"]: q["selection"] for q in json.loads(body)["query"]}
        period = query["Tid"]["values"][0]
        kind = "kommun" if query["Region"]["filter"] == "vs:RegionKommun07" else "lan"
        recorded = RECORDED / f"befolkmanad-{kind}-{period}.json"
        if self.path != TABLE_PATH:
            self._answer(404, b"Not found")
        elif kind == "lan" and period in self.server.extra:
            self._answer(200, self.server.extra[period])
        elif not recorded.is_file():
            self._answer(400, b'{"error":"Parameter error"}')
        else:
            self._answer(200, recorded.read_bytes())

    def _answer(self, status, content):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args):
        pass


def stand_in(period: str) -> bytes:
    """The 2022 recording relabelled as another month: a stand-in where no real answer for
    that month is on this machine (the values are 2022's)."""
    data = json.loads((RECORDED / "befolkmanad-lan-2022M10.json").read_text("utf-8"))
    data["dimension"]["Tid"]["category"] = {"index": {period: 0}, "label": {period: period}}
    return json.dumps(data).encode()


class ScbServer:
    """`with ScbServer(extra={"2023M10": bytes}) as server:` answers at `server.url`."""

    def __init__(self, extra=None):
        self.extra = extra or {}

    def __enter__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.queries = []
        self.server.extra = self.extra
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address
        self.url = f"http://{host}:{port}/OV0104/v1/doris/sv/ssd"
        return self

    @property
    def queries(self):
        return self.server.queries

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
