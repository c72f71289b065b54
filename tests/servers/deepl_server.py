"""A local DeepL-compatible HTTP server for tests, enough of API v2 for the ``deepl`` SDK.

Endpoints: ``POST /v2/translate`` (JSON or form body), ``GET /v2/usage``,
``GET /v2/languages``. Use it as a context manager::

    with DeepLCompatibleServer(character_quota=10_000) as server:
        translator = deepl.Translator("any-key", server_url=server.url)

Default transformation: every whitespace-separated token of text outside ignored tags gets
the lower-cased target code as a prefix (``def`` → ``de:def`` for German), identifiers and
punctuation included, so a caller that forgets to protect code sees it changed. With
``tag_handling="xml"`` the text is parsed as XML: tags are kept, the content of ``ignore_tags``
elements is kept byte for byte, text elsewhere is unescaped, transformed and escaped again.

Limits, as DeepL enforces them: 413 for more than 50 texts or a body over 128 KiB; 429 with
``Retry-After`` on every ``rate_limit_every``-th translate request; 456 when a request would
bill more than ``character_quota`` characters in total. Billed characters: the text content
(tags removed, entities counted as the character they stand for).

Run it on its own (``DEEPL_SERVER_URL`` for the toolkit; it prints ``READY <url>``)::

    python -m tests.servers.deepl_server --port 8765 --character-quota 100000

Fault modes (``fault=``, for the first ``fault_count`` translate requests, or all when it is
None): ``"html"`` (a 200 whose body is an HTML page), ``"not_json"`` (a 200 whose JSON body is
cut short), ``"short"`` (a 200 with one translation fewer than texts sent). ``drop_tags_when``:
texts containing that string come back with their ignored elements (protected code) removed.
``delay_s``: seconds to wait before answering each translate request (a slow server).

Every translate request is recorded in ``requests``: ``status``, ``texts``, ``source_lang``,
``target_lang``, ``options`` (every other field), ``tag_handling``, ``ignore_tags``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlparse

MAX_TEXTS = 50
MAX_BODY_BYTES = 128 * 1024

TranslateFn = Callable[[str, "str | None", str], str]

_XML_TOKEN = re.compile(r"<(/?)([A-Za-z_][\w.\-]*)([^<>]*?)(/?)>|[^<]+", re.S)
_LANGUAGES = ["BG", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FI", "FR", "HU", "ID", "IT",
              "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT", "RO", "RU", "SK", "SL", "SV",
              "TR", "UK", "ZH"]  # fmt: skip
_TARGET_VARIANTS = ["EN-GB", "EN-US", "PT-BR", "PT-PT"]


def mark_words(text: str, target_lang: str) -> str:
    """Prefix every whitespace-separated token with the lower-cased target code."""
    prefix = target_lang.lower() + ":"
    return re.sub(r"\S+", lambda m: prefix + m.group(0), text)


def transform_xml(
    text: str, ignore_tags: set[str], transform: Callable[[str], str]
) -> tuple[str, int]:
    """Apply ``transform`` to the text outside ignored elements; return (xml, characters)."""
    out: list[str] = []
    stack: list[str] = []
    characters = 0
    for match in _XML_TOKEN.finditer(text):
        if match.group(2) is None:  # text
            raw = match.group(0)
            plain = html.unescape(raw)
            characters += len(plain)
            if any(tag in ignore_tags for tag in stack):
                out.append(raw)
            else:
                out.append(_escape(transform(plain)))
            continue
        closing, name, _attrs, self_closing = match.groups()
        out.append(match.group(0))
        if closing:
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
        elif not self_closing:
            stack.append(name)
    return "".join(out), characters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _billed(text: str, tag_handling: str | None) -> int:
    if tag_handling in ("xml", "html"):
        return len(html.unescape(re.sub(r"<[^<>]*>", "", text)))
    return len(text)


class DeepLCompatibleServer:
    """DeepL API v2 on ``127.0.0.1:<free port>``; see the module docstring.

    ``auth_key``: when given, requests with another key get 403 (default: any key).
    ``port``: 0 picks a free one.
    """

    def __init__(
        self,
        translate_fn: TranslateFn | None = None,
        *,
        character_quota: int | None = None,
        rate_limit_every: int | None = None,
        retry_after_s: float = 0.1,
        auth_key: str | None = None,
        port: int = 0,
        fault: str | None = None,
        fault_count: int | None = None,
        drop_tags_when: str | None = None,
        delay_s: float = 0.0,
    ) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be one of {sorted(FAULTS)}, got {fault!r}")
        self.fault = fault
        self.fault_count = fault_count
        self.faults_sent = 0
        self.drop_tags_when = drop_tags_when
        self.delay_s = delay_s
        self.translate_fn = translate_fn
        self.port = port
        self.character_quota = character_quota
        self.rate_limit_every = rate_limit_every
        self.retry_after_s = retry_after_s
        self.auth_key = auth_key
        self.requests: list[dict] = []
        self.characters_billed = 0
        self._lock = threading.Lock()
        self._seen = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> DeepLCompatibleServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # ------------------------------------------------------------------ API

    def handle_translate(self, fields: dict[str, Any], body_bytes: int) -> tuple[int, dict]:
        texts = fields.get("text") or []
        if isinstance(texts, str):
            texts = [texts]
        tag_handling = fields.get("tag_handling")
        ignore = fields.get("ignore_tags") or []
        if isinstance(ignore, str):
            ignore = ignore.split(",")
        record = {
            "texts": list(texts),
            "source_lang": fields.get("source_lang"),
            "target_lang": fields.get("target_lang"),
            "tag_handling": tag_handling,
            "ignore_tags": list(ignore),
            "options": {
                k: v
                for k, v in fields.items()
                if k not in ("text", "source_lang", "target_lang", "tag_handling", "ignore_tags")
            },
            "body_bytes": body_bytes,
        }
        with self._lock:
            self._seen += 1
            status, payload = self._check(texts, body_bytes, fields, tag_handling)
            if status == 200:
                payload = self._translate(texts, fields, tag_handling, set(ignore))
                payload = self._inject_fault(payload)
            record["status"] = status
            self.requests.append(record)
        return status, payload

    def _inject_fault(self, payload: dict) -> dict | RawReply:
        """The reply of a fault mode in place of ``payload`` (or ``payload`` itself)."""
        if self.fault is None:
            return payload
        if self.fault_count is not None and self.faults_sent >= self.fault_count:
            return payload
        self.faults_sent += 1
        return FAULTS[self.fault](payload)

    def _check(
        self, texts: list[str], body_bytes: int, fields: dict, tag_handling: str | None
    ) -> tuple[int, dict]:
        if body_bytes > MAX_BODY_BYTES:
            return 413, {"message": f"Request body too large ({body_bytes} bytes)"}
        if len(texts) > MAX_TEXTS:
            return 413, {"message": f"Too many texts ({len(texts)}), at most {MAX_TEXTS}"}
        if not texts or not fields.get("target_lang"):
            return 400, {"message": "Parameter 'text' and 'target_lang' are required"}
        target = str(fields["target_lang"]).upper()
        if target in ("EN", "PT"):
            return 400, {"message": f"Value for 'target_lang' not supported: {target}"}
        if self.rate_limit_every and self._seen % self.rate_limit_every == 0:
            return 429, {"message": "Too many requests"}
        if self.character_quota is not None:
            cost = sum(_billed(t, tag_handling) for t in texts)
            if self.characters_billed + cost > self.character_quota:
                return 456, {"message": "Quota exceeded"}
        return 200, {}

    def _translate(
        self, texts: list[str], fields: dict, tag_handling: str | None, ignore: set[str]
    ) -> dict:
        source = fields.get("source_lang")
        target = str(fields["target_lang"])
        translations = []
        for text in texts:
            billed = _billed(text, tag_handling)
            if self.translate_fn is not None:
                out = self.translate_fn(text, source, target)
            elif tag_handling in ("xml", "html"):
                out, _ = transform_xml(text, ignore, lambda s: mark_words(s, target))
            else:
                out = mark_words(text, target)
            self.characters_billed += billed
            if self.drop_tags_when is not None and self.drop_tags_when in text:
                out = drop_ignored_elements(out, ignore)
            translations.append(
                {
                    "detected_source_language": (source or "EN").upper(),
                    "text": out,
                    "billed_characters": billed,
                }
            )
        return {"translations": translations}

    def usage(self) -> dict:
        return {
            "character_count": self.characters_billed,
            "character_limit": self.character_quota or 1_000_000_000_000,
        }

    def retry_after(self) -> str:
        return f"{self.retry_after_s:g}"


class RawReply:
    """A reply sent as it is (status 200), not as JSON: what a broken proxy or server sends."""

    def __init__(self, body: str, content_type: str) -> None:
        self.body, self.content_type = body, content_type


def html_page(payload: dict) -> RawReply:
    """A 200 whose body is an HTML error page (a captive portal, a proxy's maintenance page)."""
    return RawReply("<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>", "text/html")


def cut_json(payload: dict) -> RawReply:
    """A 200 that claims JSON but is cut short."""
    body = json.dumps(payload)
    return RawReply(body[: max(1, len(body) // 2)], "application/json")


def one_translation_short(payload: dict) -> dict:
    """A 200 with one translation fewer than the texts sent."""
    return {"translations": payload["translations"][:-1]}


FAULTS: dict[str, Callable[[dict], dict | RawReply]] = {
    "html": html_page,
    "not_json": cut_json,
    "short": one_translation_short,
}


def drop_ignored_elements(xml: str, ignore: set[str]) -> str:
    """``xml`` without its ignored elements: protected code lost in translation."""
    for tag in ignore:
        name = re.escape(tag)
        xml = re.sub(rf"<{name}\b[^<>]*?(/>|>.*?</{name}>)", "", xml, flags=re.S)
    return xml


def _languages(kind: str) -> list[dict]:
    codes = _LANGUAGES + (_TARGET_VARIANTS if kind == "target" else [])
    entries = []
    for code in sorted(codes):
        entry: dict[str, Any] = {"language": code, "name": code}
        if kind == "target":
            entry["supports_formality"] = code in ("DE", "FR", "IT", "ES", "NL", "PL", "PT-BR")
        entries.append(entry)
    return entries


def _parse_fields(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(raw.decode("utf-8"))
    parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
    fields: dict[str, Any] = {}
    for key, values in parsed.items():
        fields[key] = values if key in ("text", "ignore_tags") else values[-1]
    return fields


def _make_handler(server: DeepLCompatibleServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            raw = isinstance(payload, RawReply)
            body = (payload.body if raw else json.dumps(payload)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", payload.content_type if raw else "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            if not header.startswith("DeepL-Auth-Key ") or not header[15:].strip():
                self._send(403, {"message": "Missing or malformed authentication key"})
                return False
            if server.auth_key is not None and header[15:] != server.auth_key:
                self._send(403, {"message": "Wrong authentication key"})
                return False
            return True

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_POST(self) -> None:
            raw = self._body()
            if not self._authorised():
                return
            if urlparse(self.path).path != "/v2/translate":
                self._send(404, {"message": "Not found"})
                return
            try:
                fields = _parse_fields(self.headers.get("Content-Type", ""), raw)
            except (ValueError, UnicodeDecodeError):
                self._send(400, {"message": "Malformed body"})
                return
            status, payload = server.handle_translate(fields, len(raw))
            if server.delay_s > 0:
                time.sleep(server.delay_s)
            headers = {"Retry-After": server.retry_after()} if status == 429 else None
            self._send(status, payload, headers)

        def do_GET(self) -> None:
            raw = self._body()
            if not self._authorised():
                return
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            query.update(_parse_fields(self.headers.get("Content-Type", ""), raw))
            if url.path == "/v2/usage":
                self._send(200, server.usage())
            elif url.path == "/v2/languages":
                self._send(200, _languages(str(query.get("type", "source"))))
            else:
                self._send(404, {"message": "Not found"})

    return Handler


def main(argv: list[str] | None = None) -> None:
    """Run the server in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument(
        "--character-quota", type=int, default=None, help="456 once this many are billed"
    )
    parser.add_argument(
        "--rate-limit-every", type=int, default=None, help="429 on every N-th translate request"
    )
    parser.add_argument(
        "--retry-after", type=float, default=0.1, help="Retry-After seconds sent with a 429"
    )
    parser.add_argument("--auth-key", default=None, help="accept only this key (default: any)")
    args = parser.parse_args(argv)
    server = DeepLCompatibleServer(
        character_quota=args.character_quota,
        rate_limit_every=args.rate_limit_every,
        retry_after_s=args.retry_after,
        auth_key=args.auth_key,
        port=args.port,
    )
    with server:
        print(f"READY {server.url}", flush=True)  # the caller waits for this line
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
