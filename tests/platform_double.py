"""A stand-in for a platform's or carrier's servers: a real HTTP server on 127.0.0.1 that answers with
recorded responses (files under tests/fixtures/) and records every request the adapter sent.

Point an account's ``config["api_base_url"]`` at ``double.url`` and the adapter talks to it over real HTTP.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


class PlatformDouble:
    def __init__(self):
        self.routes: dict[tuple[str, str], deque[Reply]] = defaultdict(deque)
        self.requests: list[Recorded] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                double.requests.append(
                    Recorded(
                        self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body
                    )
                )
                queue = double.routes.get((self.command, parts.path))
                if not queue:
                    reply = Reply(404, b'{"error": "no recorded response for this path"}')
                else:
                    reply = queue[0] if len(queue) == 1 else queue.popleft()
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(
        self,
        method: str,
        path: str,
        body: bytes | str | dict | list = b"{}",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Queue a reply for METHOD path; the last queued reply repeats once the others are used."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False)
        if isinstance(body, str):
            body = body.encode()
        self.routes[(method, path)].append(
            Reply(status, body, headers or {"Content-Type": "application/json"})
        )

    def add_fixture(self, method: str, path: str, fixture: str, status: int = 200, headers=None) -> None:
        self.add(method, path, (FIXTURES / fixture).read_bytes(), status, headers)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
