"""The voting app and the answer browser (FastAPI, served by uvicorn; Jinja2 templates).

Routes (``<token>``: an annotator's secret token from ``human-eval add-annotator``):

* ``GET /vote/<token>``: the annotator's open item (or a new one); model names never appear.
* ``POST /vote/<token>``: a vote (form fields ``nonce``, ``question``, ``turn``, ``choice``),
  checked against the item on screen, stored in one transaction, then a redirect to the next.
* ``GET /browse/<token>``: the read-only answer browser (reviewers only: it shows model names).

A request without a valid token gets 403 and a page that shows nothing else; a refused vote
gets 400 and stores nothing. Tokens sit in the URL path, so the server runs without an access
log (see :func:`serve`).
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations at run
# time, and `Request` is imported inside create_app (the web stack is an optional extra).
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.human_eval.answer_browser import browser_choices, question_view
from mt_bench_x.human_eval.store import CHOICES, Annotator, VoteRefused, VoteStore
from mt_bench_x.human_eval.strings import interface_strings
from mt_bench_x.human_eval.study_data import StudyData

if TYPE_CHECKING:
    from fastapi import FastAPI

logger = logging.getLogger(__name__)

INSTALL_HINT = 'pip install "polyglot-instruct[human-eval]"'


@dataclass(frozen=True)
class AppConfig:
    store: VoteStore
    data: StudyData
    data_dir: Path
    k: int = 3
    seed: str = "mt-bench-x"


def _missing(name: str | None) -> MTBenchXError:
    return MTBenchXError(f"the human-eval app needs {name}: {INSTALL_HINT}")


def create_app(config: AppConfig) -> "FastAPI":
    """The FastAPI application of one study (language and model pair)."""
    try:
        import jinja2
        from fastapi import FastAPI, Request
        from fastapi.responses import HTMLResponse, RedirectResponse, Response
        from starlette.concurrency import run_in_threadpool
    except ImportError as error:
        raise _missing(error.name) from None

    loader = jinja2.PackageLoader("mt_bench_x.human_eval", "templates")
    environment = jinja2.Environment(loader=loader, autoescape=True)
    texts = interface_strings(config.data.study.lang)
    study = config.data.study
    app = FastAPI(title="MT-Bench-X human evaluation", docs_url=None, redoc_url=None)
    app.openapi_url = None  # no schema page: nothing is shown without a token

    def page(name: str, status: int = 200, **context: Any) -> Any:
        html = environment.get_template(name).render(t=texts, **context)
        return HTMLResponse(html, status_code=status)

    def refused_link() -> Any:
        return page("invalid.html", status=403)

    @app.get("/static/style.css")
    def style() -> Any:
        css = loader.get_source(environment, "style.css")[0]
        return Response(css, media_type="text/css")

    def annotator_for(token: str, role: str) -> Annotator | None:
        annotator = config.store.annotator_for_token(token)
        return annotator if annotator is not None and annotator.role == role else None

    def vote_page(annotator: Annotator, token: str) -> Any:
        item = config.store.open_item(
            annotator, study, config.data.categories, k=config.k, seed=config.seed
        )
        own = sum(1 for v in config.store.votes(study) if v.annotator_id == annotator.id)
        if item is None:
            return page("done.html", count=own)
        question = config.data.questions[item.question]
        sides = [config.data.answers[item.model_left], config.data.answers[item.model_right]]
        return page(
            "vote.html",
            token=token,
            item=item,
            turns=question.turns,
            answers=[side[item.question] for side in sides],
            reference=config.data.reference(item.question, item.turn),
            earlier_reference=config.data.reference(item.question, 1) if item.turn == 2 else None,
            choices=CHOICES,
            count=own,
        )

    @app.get("/vote/{token}")
    def show_vote(token: str) -> Any:
        annotator = annotator_for(token, "annotator")
        return refused_link() if annotator is None else vote_page(annotator, token)

    @app.post("/vote/{token}")
    async def cast_vote(token: str, request: Request) -> Any:
        annotator = await run_in_threadpool(annotator_for, token, "annotator")
        if annotator is None:
            return refused_link()
        body = (await request.body()).decode("utf-8", errors="replace")
        form = {key: values[-1] for key, values in parse_qs(body).items()}
        try:
            question, turn = int(form.get("question", "")), int(form.get("turn", ""))
            await run_in_threadpool(
                lambda: config.store.record_vote(
                    annotator,
                    study,
                    nonce=form.get("nonce", ""),
                    question=question,
                    turn=turn,
                    choice=form.get("choice", ""),
                )
            )
        except (VoteRefused, ValueError) as error:
            reason = str(error) if isinstance(error, VoteRefused) else "malformed form fields"
            logger.warning("vote refused for annotator %d: %s", annotator.id, reason)
            return page("refused.html", status=400, token=token, reason=reason)
        return RedirectResponse(f"/vote/{token}", status_code=303)

    @app.get("/browse/{token}")
    def browse(
        token: str,
        lang: str | None = None,
        question: int | None = None,
        model_a: str | None = None,
        model_b: str | None = None,
        judge: str | None = None,
    ) -> Any:
        if annotator_for(token, "reviewer") is None:
            return refused_link()
        lang = (lang or study.lang).upper()
        try:
            choices = browser_choices(config.data_dir, lang)
        except MTBenchXError as error:
            return page("refused.html", status=400, token=token, reason=str(error))
        if lang not in choices.langs:
            return page("refused.html", status=400, token=token, reason=f"no language {lang}")
        numbers = [q.number for q in choices.questions]
        question = question if question in numbers else (numbers[0] if numbers else None)
        models = [m for m in (model_a, model_b) if m in choices.models]
        if not models:
            models = [m for m in (study.model_1, study.model_2) if m in choices.models]
        if judge not in choices.judges:
            judge = choices.judges[0] if choices.judges else None
        try:
            views = (
                question_view(config.data_dir, lang, question, models, judge) if question else []
            )
        except MTBenchXError as error:
            return page("refused.html", status=400, token=token, reason=str(error))
        return page(
            "browse.html",
            token=token,
            lang=lang,
            choices=choices,
            question=question,
            models=models,
            judge=judge,
            views=views,
        )

    return app


def serve(config: AppConfig, host: str, port: int) -> None:
    """Run the app with uvicorn until interrupted (no access log: URLs carry tokens)."""
    try:
        import uvicorn
    except ImportError:
        raise _missing("uvicorn") from None
    uvicorn.run(create_app(config), host=host, port=port, access_log=False, log_level="info")
