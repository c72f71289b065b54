"""DeepL backend on the official ``deepl`` SDK.

Code and other protected pieces travel inside an ignore tag (``tag_handling="xml"``); prose
is XML-escaped on the way out and unescaped on the way back. Requests stay within DeepL's
limits (50 texts, 128 KiB body). Retries: the SDK itself retries 429, 5xx and connection
errors up to 5 times with exponential backoff (1 s, x1.6, ignoring ``Retry-After``); when it
gives up, this backend waits and retries the whole request ``max_retries`` more times
(``retry_wait_s``, doubling), but never starts an attempt that would end after
``max_retry_time_s`` (default 100 s, counted from the first attempt, assuming the next attempt
takes as long as the last one); then it raises :class:`TranslationError`. A 200 whose body is
not the promised translations (HTML, not JSON, a wrong count) raises
:class:`MalformedReplyError` after the same retries. A 456 (quota used up) raises
:class:`QuotaExceededError` at once. A text whose protected code does not come back is not
returned: the call raises :class:`ProtectedTextLoss` with the other texts' translations.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import Any

from lima_x.translate.base import TranslationOptions
from lima_x.translate.batching import (
    DEEPL_MAX_BODY_BYTES,
    DEEPL_MAX_TEXTS,
    json_size,
    plan_batches,
    progress,
)
from lima_x.translate.code_spans import (
    IGNORE_TAGS,
    INLINE_TAG,
    ProtectedText,
    Protection,
    from_xml,
    protect,
    to_xml,
)
from lima_x.translate.errors import (
    MalformedReplyError,
    MissingCredentialError,
    ProtectedTextLoss,
    QuotaExceededError,
    TranslationError,
)
from lima_x.translate.languages import deepl_source, deepl_target

logger = logging.getLogger(__name__)

KEY_VARIABLE = "DEEPL_AUTH_KEY"
SERVER_VARIABLE = "DEEPL_SERVER_URL"
# Room for what `requests` adds around the JSON fields we size ourselves.
_BODY_MARGIN = 256


def deepl_identity(
    english: str = "EN-US", portuguese: str = "PT-PT", model_type: str | None = None
) -> str:
    """The cache identity of a DeepL translator with these settings."""
    settings = [f"en={english.upper()}", f"pt={portuguese.upper()}"]
    if model_type:
        settings.append(f"model={model_type}")
    return "deepl:" + ",".join(settings)


def request_params(
    source_lang: str,
    target_lang: str,
    options: TranslationOptions,
    *,
    english: str = "EN-US",
    portuguese: str = "PT-PT",
    model_type: str | None = None,
) -> dict[str, Any]:
    """The ``translate_text`` arguments besides the texts."""
    params: dict[str, Any] = {
        "source_lang": deepl_source(source_lang),
        "target_lang": deepl_target(target_lang, english=english, portuguese=portuguese),
        "tag_handling": "xml",
        "ignore_tags": list(IGNORE_TAGS),
        "non_splitting_tags": [INLINE_TAG],
        "split_sentences": "1",
    }
    if options.formality:
        params["formality"] = options.formality
    if options.context:
        params["context"] = options.context
    if options.glossary_id:
        params["glossary"] = options.glossary_id
    if model_type:
        params["model_type"] = model_type
    return params


def xml_payloads(
    texts: Sequence[str], options: TranslationOptions
) -> list[tuple[ProtectedText, str] | None]:
    """The XML to send per text, or None for a text with nothing to translate."""
    protection = Protection.from_options(options)
    payloads: list[tuple[ProtectedText, str] | None] = []
    for text in texts:
        prepared = protect(text, protection)
        payloads.append((prepared, to_xml(prepared)) if prepared.has_prose else None)
    return payloads


def request_overhead(params: dict[str, Any]) -> int:
    """Bytes of a request body without its texts, with a margin."""
    return json_size({**params, "text": [], "show_billed_characters": True}) + _BODY_MARGIN


def plan_requests(
    payloads: Sequence[tuple[ProtectedText, str] | None],
    params: dict[str, Any],
    *,
    max_texts: int = DEEPL_MAX_TEXTS,
    max_body_bytes: int = DEEPL_MAX_BODY_BYTES,
) -> list[list[int]]:
    """Indices of the texts to send, grouped per request within DeepL's limits."""
    todo = [i for i, p in enumerate(payloads) if p is not None]
    sizes = [json_size(p[1]) + 2 for p in payloads if p is not None]
    batches = plan_batches(
        sizes, max_items=max_texts, max_bytes=max_body_bytes, overhead=request_overhead(params)
    )
    return [[todo[j] for j in batch] for batch in batches]


def oversized_texts(
    texts: Sequence[str],
    params: dict[str, Any],
    options: TranslationOptions,
    *,
    max_body_bytes: int = DEEPL_MAX_BODY_BYTES,
) -> list[int]:
    """Indices of the texts that do not fit in one DeepL request even on their own."""
    overhead = request_overhead(params)
    return [
        i
        for i, payload in enumerate(xml_payloads(texts, options))
        if payload is not None and overhead + json_size(payload[1]) > max_body_bytes
    ]


class DeepLTranslator:
    """:class:`~lima_x.translate.base.Translator` on DeepL's ``/v2/translate``.

    ``auth_key`` and ``server_url`` default to ``DEEPL_AUTH_KEY`` and ``DEEPL_SERVER_URL``.
    ``english`` / ``portuguese``: the variant a bare ``EN`` / ``PT`` target becomes.
    ``model_type``: DeepL's ``model_type`` (e.g. ``quality_optimized``), part of the cache key.
    """

    def __init__(
        self,
        auth_key: str | None = None,
        *,
        server_url: str | None = None,
        english: str = "EN-US",
        portuguese: str = "PT-PT",
        model_type: str | None = None,
        max_retries: int = 3,
        retry_wait_s: float = 5.0,
        max_retry_time_s: float = 100.0,
        max_texts: int = DEEPL_MAX_TEXTS,
        max_body_bytes: int = DEEPL_MAX_BODY_BYTES,
        show_progress: bool = True,
    ) -> None:
        import deepl

        key = auth_key or os.environ.get(KEY_VARIABLE, "")
        if not key:
            raise MissingCredentialError(KEY_VARIABLE, "translate with DeepL")
        self._key = key
        self.server_url = server_url or os.environ.get(SERVER_VARIABLE) or None
        self._client = deepl.Translator(key, server_url=self.server_url)
        self.english = english.upper()
        self.portuguese = portuguese.upper()
        self.model_type = model_type
        self.max_retries = max_retries
        self.retry_wait_s = retry_wait_s
        self.max_retry_time_s = max_retry_time_s
        self.max_texts = max_texts
        self.max_body_bytes = max_body_bytes
        self.show_progress = show_progress

    def __repr__(self) -> str:
        return f"DeepLTranslator(server_url={self.server_url!r}, model_type={self.model_type!r})"

    def cache_identity(self) -> str:
        return deepl_identity(self.english, self.portuguese, self.model_type)

    def _params(
        self, source_lang: str, target_lang: str, options: TranslationOptions
    ) -> dict[str, Any]:
        return request_params(
            source_lang,
            target_lang,
            options,
            english=self.english,
            portuguese=self.portuguese,
            model_type=self.model_type,
        )

    def _plan(
        self, payloads: Sequence[tuple[ProtectedText, str] | None], params: dict[str, Any]
    ) -> list[list[int]]:
        return plan_requests(
            payloads, params, max_texts=self.max_texts, max_body_bytes=self.max_body_bytes
        )

    def plan_batches(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[list[int]]:
        """Indices of ``texts`` per request, in order (texts with no prose ride along free)."""
        payloads = xml_payloads(texts, options)
        planned = self._plan(payloads, self._params(source_lang, target_lang, options))
        free = [i for i, p in enumerate(payloads) if p is None]
        if free:
            planned = [sorted(planned[0] + free), *planned[1:]] if planned else [free]
        return planned

    def translate(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        unique = list(dict.fromkeys(texts))  # identical texts are sent once
        translated = dict(
            zip(
                unique,
                self._translate_unique(unique, source_lang, target_lang, options),
                strict=True,
            )
        )
        lost = {text: out for text, out in translated.items() if isinstance(out, _Lost)}
        if lost:
            done = {t: out for t, out in translated.items() if not isinstance(out, _Lost)}
            raise ProtectedTextLoss(
                f"DeepL's translation {source_lang}→{target_lang} lost protected code in "
                f"{len(lost)} of {len(unique)} texts: "
                + "; ".join(f"{_preview(t)}: {why}" for t, why in list(lost.items())[:3]),
                done=done,
                lost={t: str(why) for t, why in lost.items()},
            )
        return [translated[text] for text in texts]

    def _translate_unique(
        self,
        texts: Sequence[str],
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        params = self._params(source_lang, target_lang, options)
        payloads = xml_payloads(texts, options)
        overhead = request_overhead(params)
        for i, payload in enumerate(payloads):
            if payload is not None and overhead + json_size(payload[1]) > self.max_body_bytes:
                raise TranslationError(
                    f"text #{i} ({len(texts[i])} characters) does not fit in one DeepL request "
                    f"of at most {self.max_body_bytes} bytes; split it into smaller texts"
                )
        batches = self._plan(payloads, params)
        results: list[str] = list(texts)
        total = sum(len(b) for b in batches)
        done = 0
        with progress(
            total,
            description=f"DeepL {source_lang}→{target_lang}",
            enabled=self.show_progress and len(batches) > 1,
        ) as bar:
            for indices in batches:
                # plan_requests puts only texts with prose (a payload, not None) in a batch.
                xml = [payloads[i][1] for i in indices]  # type: ignore[index]
                try:
                    translated = self._request(xml, params)
                except QuotaExceededError as exc:
                    raise QuotaExceededError(
                        f"{exc} Finished before it: {done} of {total} texts "
                        f"{source_lang}→{target_lang} in this call."
                    ) from None
                for i, out in zip(indices, translated, strict=True):
                    # The same batch: every payload is set.
                    results[i] = self._restore(out, payloads[i][0], i)  # type: ignore[index]
                done += len(indices)
                bar.update(len(indices))
        return results

    def _restore(self, translated: str, prepared: ProtectedText, index: int) -> str:
        """The translation with its protected pieces put back, or a :class:`_Lost` (a str
        holding the reason) when DeepL did not return them."""
        try:
            return from_xml(translated, prepared)
        except TranslationError as exc:
            return _Lost(str(exc))

    def _request(self, xml: list[str], params: dict[str, Any]) -> list[str]:
        started = time.monotonic()
        wait = self.retry_wait_s
        for attempt in range(self.max_retries + 1):
            attempt_started = time.monotonic()
            try:
                return self._request_once(xml, params)
            except (_Retryable, MalformedReplyError) as exc:
                message = str(exc)
                now = time.monotonic()
                elapsed = now - started
                next_end = elapsed + wait + (now - attempt_started)
                if attempt == self.max_retries or next_end > self.max_retry_time_s:
                    error = MalformedReplyError if isinstance(exc, MalformedReplyError) else None
                    raise (error or TranslationError)(
                        f"DeepL request for {len(xml)} texts failed after {attempt + 1} "
                        f"attempt(s) in {elapsed:.0f} s (retry time limit "
                        f"{self.max_retry_time_s:g} s): {message}. Nothing of this request "
                        "was cached; rerun to try again."
                    ) from None
                logger.warning("DeepL request failed (%s); retrying in %.1f s", message, wait)
                time.sleep(wait)
                wait *= 2
        raise AssertionError("unreachable")

    def _request_once(self, xml: list[str], params: dict[str, Any]) -> list[str]:
        """One SDK call; a reply that is not one translation per text is malformed."""
        import deepl

        try:
            results = self._client.translate_text(xml, **params)
        except deepl.QuotaExceededException:
            raise QuotaExceededError(
                "DeepL refused the request: the character quota of this billing period is "
                "used up (HTTP 456)."
            ) from None
        except deepl.AuthorizationException:
            raise TranslationError(
                f"DeepL refused the key in {KEY_VARIABLE} (HTTP 403): check that it is "
                "valid and matches the server (free keys end in ':fx')."
            ) from None
        except deepl.DeepLException as exc:
            status = getattr(exc, "http_status_code", None)
            message = self._scrub(str(exc))
            if getattr(exc, "should_retry", False) or (status or 0) >= 500:
                raise _Retryable(message) from None
            raise TranslationError(
                f"DeepL refused the request for {len(xml)} texts: {message}"
            ) from None
        except ValueError as exc:  # a body the SDK could not decode
            raise MalformedReplyError(
                f"DeepL answered with a body that is not JSON ({exc})"
            ) from None
        results = results if isinstance(results, list) else [results]
        texts = [getattr(r, "text", None) for r in results]
        if len(texts) != len(xml) or not all(isinstance(t, str) for t in texts):
            raise MalformedReplyError(
                f"DeepL answered 200 with {len(texts)} translations for {len(xml)} texts "
                "(an HTML page or a body that is not DeepL's JSON gives 0)"
            )
        return texts  # type: ignore[return-value]

    def _scrub(self, message: str) -> str:
        return message.replace(self._key, "***")


class _Retryable(Exception):
    """A failed request worth sending again (429, 5xx, connection), within the time limit."""


class _Lost(str):
    """Stands in for a translation that lost protected code; the string is the reason."""


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat[:60] + ("..." if len(flat) > 60 else ""))
