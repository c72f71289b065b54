"""Upload a repo folder to the Hugging Face Hub, after checking it is complete."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from hub_cards.configs import check_data_files, read_card_configs
from hub_cards.errors import HubRepoError
from hub_cards.folder import MARKER

logger = logging.getLogger(__name__)


def push_folder(
    folder: Path,
    repo_id: str,
    *,
    private: bool = False,
    commit_message: str | None = None,
    program: str = "polyglot-instruct",
) -> str:
    """Create the dataset repo if needed and upload ``folder``; returns the commit URL.

    Before any request: the card must list its configs and every config's ``data_files`` must
    exist, and a token must be at hand. The token comes from ``HF_TOKEN`` (or the
    ``huggingface_hub`` login); it is never logged. The build's marker file is not uploaded.
    """
    from huggingface_hub import HfApi, get_token

    folder = Path(folder)
    configs = read_card_configs(folder)
    check_data_files(folder, configs)
    token = os.environ.get("HF_TOKEN") or get_token()
    if not token:  # before any request, not as the Hub's 401
        raise HubRepoError(
            f"no Hugging Face token: set HF_TOKEN to a token with write access to {repo_id} "
            "(https://huggingface.co/settings/tokens), or log in with `hf auth login`"
        )
    api = HfApi(token=token)
    logger.info("uploading %s to datasets/%s (%d configs)", folder, repo_id, len(configs))
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        info = api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type="dataset",
            commit_message=commit_message or f"Upload {len(configs)} configs with {program}",
            ignore_patterns=[MARKER],
        )
    except Exception as exc:  # huggingface_hub raises its own HTTP and connection errors
        raise HubRepoError(
            f"upload of {folder} to {repo_id} failed: {type(exc).__name__}: {exc}"
        ) from None
    return str(getattr(info, "commit_url", info))
