"""Chinese search that finds any run of characters a reader types (强区 inside 人才强区).

The theme's search (lunr, in the reader's browser) matches words, and a query finds only the
words it begins. Readers type any part of a name. So the index keeps each run of text between
punctuation and spaces whole (the search plugin is kept from splitting Chinese text into
dictionary words: generator.without_word_splitting; any word marks are taken out here all the
same), and the page's search.js asks lunr for every run that *contains* what the reader typed (a
wildcard before and after it). The separator between runs is the search plugin's `separator` in
mkdocs.yml.
"""

from __future__ import annotations

import json
from pathlib import Path

INDEX = Path("search") / "search_index.json"  # where the search plugin writes it, in the site
WORD_MARK = "\u200b"  # what the search plugin puts between the words it finds, when it splits


def whole_runs(index: dict) -> dict:
    """The index with the word marks taken out of every title and text (pure)."""
    docs = [{**doc, **{key: doc[key].replace(WORD_MARK, "") for key in ("title", "text") if key in doc}}
            for doc in index.get("docs", [])]
    return {**index, "docs": docs}


def rewrite_search_index(site_dir: Path) -> None:
    """Rewrite the built site's search index in place, compact and in UTF-8 (the plugin writes
    each Chinese character as a six-byte escape)."""
    path = site_dir / INDEX
    index = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(whole_runs(index), separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
