"""Several news sites on 127.0.0.1, each on its own port (so its own host for politeness and shards).

Each site serves `/news/<n>` as a distinct article page (tests/article_pages.py) and counts the
requests per path; robots.txt is a 404 (everything allowed). Sites differ in size on purpose, so
sharding has hosts of different weights to place.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from article_pages import BODY, article_page


class Site:
    """One site: `pages` articles at /news/1 .. /news/<pages>."""

    def __init__(self, name: str, pages: int) -> None:
        self.name = name
        self.pages = pages
        self.requests: Counter[str] = Counter()
        self.edited: set[int] = set()  # pages that now carry a correction paragraph
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 -- http.server's name
                with site._lock:
                    site.requests[self.path] += 1
                body = site.page(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>"""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def urls(self) -> list[str]:
        """Every article URL of the site."""
        return [f"{self.base_url}/news/{n}" for n in range(1, self.pages + 1)]

    def page(self, path: str) -> str | None:
        """The article at `path`, or None (404)."""
        prefix = "/news/"
        if not path.startswith(prefix) or not path[len(prefix) :].isdigit():
            return None
        number = int(path[len(prefix) :])
        if not 1 <= number <= self.pages:
            return None
        story = f"{self.name} story {number}"
        paragraphs = (f"{story}: " + BODY[0], *BODY[1:], f"This is {story}, filed for the {self.name} desk.")
        if number in self.edited:
            paragraphs += (f"Correction: an earlier version of {story} misstated the council's vote.",)
        return article_page(paragraphs, title=f"{story.title()} and the riverside park")

    def start(self) -> Site:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def sites(sizes: dict[str, int]) -> Iterator[list[Site]]:
    """Start one site per name with that many pages; stop them all at the end."""
    with ExitStack() as stack:
        started = []
        for name, pages in sizes.items():
            site = Site(name, pages).start()
            stack.callback(site.stop)
            started.append(site)
        yield started
