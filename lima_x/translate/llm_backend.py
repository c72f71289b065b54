"""Translation with any OpenAI-compatible chat model (``openai>=1`` client).

One chat request per text, temperature 0, a system prompt that asks to keep code and
markup. The answer is checked: every protected piece (code outside comments, inline code,
placeholders when asked for) must come back unchanged up to whitespace, and the original
pieces are put back byte for byte. A text that fails the check is asked once more with a
reminder; a second failure leaves it out: the call raises
:class:`~lima_x.translate.errors.ProtectedTextLoss` with every other text's translation.
HTTP retries (429 with ``Retry-After``, 5xx, timeouts) are the ``openai`` client's
(``max_retries``). A 200 that is not a chat completion (an HTML page, a body that is not JSON,
no choices) is asked again ``malformed_retries`` times, then raises
:class:`~lima_x.translate.errors.MalformedReplyError`; texts that failed otherwise end the
call with a :class:`~lima_x.translate.errors.PartialTranslationError` carrying the
translations that did come back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from lima_x.translate.base import TranslationOptions
from lima_x.translate.batching import chunks, progress
from lima_x.translate.code_spans import ProtectedText, Protection, protect, restore
from lima_x.translate.errors import (
    MalformedReplyError,
    MissingCredentialError,
    PartialTranslationError,
    ProtectedTextError,
    ProtectedTextLoss,
    QuotaExceededError,
    TranslationError,
    TranslatorSettingError,
)
from lima_x.translate.languages import language_name

logger = logging.getLogger(__name__)

KEY_VARIABLE = "OPENAI_API_KEY"
BASE_URL_VARIABLE = "OPENAI_BASE_URL"

SYSTEM_PROMPT = """\
You translate text from {source} to {target}. Reply with the translation only: no preface, \
no notes, no quotation marks around it.
Keep the Markdown structure, line breaks and any markup exactly.
Code must stay exactly as it is: fenced code blocks, indented code blocks and `inline code` \
(identifiers, keywords, strings, commands, file names). Inside code, translate only the text \
of comments and keep the comment markers.{placeholders}{register}"""

_PLACEHOLDER_RULE = (
    "\nKeep placeholders in braces such as {name} and markers in double brackets such as "
    "[[A]] or [[rating]] exactly as they are."
)
_REGISTER = {
    "more": "\nUse the formal register (polite form of address).",
    "prefer_more": "\nUse the formal register (polite form of address).",
    "less": "\nUse the informal register.",
    "prefer_less": "\nUse the informal register.",
}
_REMINDER = (
    "Your translation changed code or a placeholder ({problem}). Translate again and keep "
    "every code block, inline code span and placeholder exactly as in the original; only "
    "comments inside code are translated."
)


def system_prompt(source_lang: str, target_lang: str, options: TranslationOptions) -> str:
    """The system message for one language pair and set of options."""
    protection = Protection.from_options(options)
    prompt = SYSTEM_PROMPT.format(
        source=language_name(source_lang),
        target=language_name(target_lang),
        placeholders=_PLACEHOLDER_RULE if protection.patterns else "",
        register=_REGISTER.get(options.formality or "", ""),
    )
    if options.context:
        prompt += f"\nContext of the text (do not translate it):\n{options.context}"
    return prompt


class OpenAIChatTranslator:
    """:class:`~lima_x.translate.base.Translator` on an OpenAI-compatible chat endpoint.

    ``api_key`` / ``base_url`` default to ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``;
    ``max_workers`` texts are translated at once; ``batch_size`` texts form one unit of work
    for the cache (committed together).
    """

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        max_workers: int = 4,
        batch_size: int = 16,
        max_retries: int = 5,
        timeout_s: float = 300.0,
        malformed_retries: int = 2,
        show_progress: bool = True,
    ) -> None:
        from openai import OpenAI

        key = api_key or os.environ.get(KEY_VARIABLE, "")
        if not key:
            raise MissingCredentialError(KEY_VARIABLE, "translate with an OpenAI-compatible model")
        if not model:
            raise TranslatorSettingError(
                "the OpenAI-compatible translator needs a model name (--model)"
            )
        self._key = key
        self.model = model
        self.base_url = base_url or os.environ.get(BASE_URL_VARIABLE) or None
        self._client = OpenAI(
            api_key=key, base_url=self.base_url, max_retries=max_retries, timeout=timeout_s
        )
        self.max_workers = max(1, max_workers)
        self.batch_size = max(1, batch_size)
        self.malformed_retries = max(0, malformed_retries)
        self.show_progress = show_progress

    def __repr__(self) -> str:
        return f"OpenAIChatTranslator(model={self.model!r}, base_url={self.base_url!r})"

    def cache_identity(self) -> str:
        return f"openai:{self.model}"

    def plan_batches(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[list[int]]:
        return list(chunks(range(len(texts)), self.batch_size))

    def translate(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        if options.glossary_id:
            raise TranslatorSettingError(
                "glossaries are a DeepL feature; the LLM translator cannot use one"
            )
        system = system_prompt(source_lang, target_lang, options)
        protection = Protection.from_options(options)

        unique = list(dict.fromkeys(texts))  # identical texts are sent once
        position = {text: i for i, text in reversed(list(enumerate(texts)))}

        def one(text: str) -> str:
            return self._translate_one(position[text], text, system, protection)

        translated: dict[str, str] = {}
        lost: dict[str, str] = {}
        failed: list[TranslationError] = []
        with (
            progress(
                len(unique),
                description=f"{self.model} {source_lang}→{target_lang}",
                enabled=self.show_progress and len(unique) > self.batch_size,
            ) as bar,
            ThreadPoolExecutor(max_workers=self.max_workers) as pool,
        ):
            futures = {pool.submit(one, text): text for text in unique}
            for future in as_completed(futures):
                text = futures[future]
                try:
                    translated[text] = future.result()
                except ProtectedTextError as exc:
                    lost[text] = str(exc)
                except TranslationError as exc:
                    failed.append(exc)
                bar.update(1)
        if failed:
            first = failed[0]
            raise PartialTranslationError(
                f"{len(failed)} of {len(unique)} texts failed ({first}); the "
                f"{len(translated)} that came back are kept",
                done=translated,
                lost=lost,
            ) from first
        if lost:
            raise ProtectedTextLoss(
                f"{len(lost)} of {len(unique)} translations {source_lang}→{target_lang} "
                "changed code or placeholders twice: " + "; ".join(list(lost.values())[:3]),
                done=translated,
                lost=lost,
            )
        return [translated[text] for text in texts]

    def _translate_one(self, index: int, text: str, system: str, protection: Protection) -> str:
        prepared = protect(text, protection)
        if not prepared.has_prose:
            return text
        messages = [{"role": "system", "content": system}, {"role": "user", "content": text}]
        answer = self._chat(messages)
        try:
            return restore(answer, text, protection)
        except ProtectedTextError as first:
            logger.info("text #%d: %s; asking again", index, first)
            messages += [
                {"role": "assistant", "content": answer},
                {"role": "user", "content": _REMINDER.format(problem=first)},
            ]
            answer = self._chat(messages)
            try:
                return restore(answer, text, protection)
            except ProtectedTextError as second:
                raise ProtectedTextError(
                    f"text #{index} ({_preview(prepared)}) came back with changed code or "
                    f"placeholders twice: {second}"
                ) from None

    def _chat(self, messages: list[dict[str, str]]) -> str:
        """The reply's content; a malformed 200 is asked again ``malformed_retries`` times."""
        for attempt in range(self.malformed_retries + 1):
            try:
                return self._chat_once(messages)
            except MalformedReplyError as exc:
                if attempt == self.malformed_retries:
                    raise MalformedReplyError(
                        f"{exc} ({attempt + 1} attempt(s)); nothing of this text was cached, "
                        "rerun to try again"
                    ) from None
                logger.warning("%s; asking again", exc)
        raise AssertionError("unreachable")

    def _chat_once(self, messages: list[dict[str, str]]) -> str:
        import openai

        try:
            response = self._client.chat.completions.create(
                model=self.model,
                # Plain role/content dicts; the SDK types them as a union of TypedDicts.
                messages=messages,  # type: ignore[arg-type]
                temperature=0,
            )
        except openai.RateLimitError as exc:
            if _error_code(exc) == "insufficient_quota":
                raise QuotaExceededError(
                    "the OpenAI-compatible server reports the quota used up "
                    "(429 insufficient_quota)."
                ) from None
            raise TranslationError(f"rate limited after retries: {self._scrub(exc)}") from None
        except openai.AuthenticationError:
            raise TranslationError(
                f"the server refused the key in {KEY_VARIABLE} (HTTP 401)"
            ) from None
        except openai.OpenAIError as exc:
            raise TranslationError(f"chat request failed: {self._scrub(exc)}") from None
        except ValueError as exc:  # a JSON content type whose body is not JSON
            raise MalformedReplyError(
                f"the chat server answered 200 with a body that is not JSON ({exc})"
            ) from None
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list):
            preview = " ".join(str(response).split())[:60]
            raise MalformedReplyError(
                f"the chat server answered 200 with something that is not a chat completion "
                f"({preview!r})"
            )
        content = choices[0].message.content if choices else None
        if not isinstance(content, str) or not content:
            raise MalformedReplyError("the chat server returned an empty translation")
        return content

    def _scrub(self, exc: Exception) -> str:
        return str(exc).replace(self._key, "***")


def _error_code(exc: Exception) -> str | None:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            code = error.get("code") or error.get("type")
            return str(code) if code else None
    return getattr(exc, "code", None)


def _preview(prepared: ProtectedText) -> str:
    text = " ".join(prepared.text.split())
    return repr(text[:60] + ("..." if len(text) > 60 else ""))
