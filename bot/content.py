"""content/**.yaml, menus/*.yaml and the law texts → one immutable `Content`, with every schema problem as a finding.

Loading never raises on an editor's mistake: each part's loader collects `Finding`s (file:line,
what, fix) and builds what it can, so `pufa check` reports every problem in one run. This module
calls them in order and feeds the ids one part defines to the parts that refer to them. Cross-file
rules (dangling references, citations against the law texts, sizes) live in `bot.check`.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from bot.content_files import load_agency, load_audiences, load_repealed, load_synonyms, load_topics
from bot.laws import load_laws
from bot.menus import load_menus
from bot.model import Content, Finding, Item, QuizQuestion, split_source
from bot.needed_files import lost
from bot.packs import load_items
from bot.quiz_questions import load_quizzes
from bot.yamlsrc import label, yaml_files


def content_version(*directories: Path) -> str:
    """A short hash over every file's path and bytes: changes whenever anything editors own does."""
    digest = hashlib.sha256()
    for directory in directories:
        paths = [Path(root, name) for root, _, names in os.walk(directory, followlinks=True) for name in names]
        for path in sorted(paths):
            digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def load_campaigns(path: Path, ids: dict[str, set[str]], findings: list[Finding]) -> tuple[Any, ...]:
    """Campaigns belong to scheduler.campaign_file; without that module there are none to serve."""
    if importlib.util.find_spec("scheduler.campaign_file") is None:
        return ()
    if not path.exists():
        findings.append(lost(path, "the file is missing"))
        return ()
    from scheduler import campaign_file

    campaigns, found = campaign_file.load_campaigns(path, ids)
    findings.extend(found)
    return tuple(campaigns)


def load_content(content_dir: str | Path, menus_dir: str | Path) -> tuple[Content | None, list[Finding]]:
    """Everything editors own → `Content` (None only when the folders are missing) and findings."""
    content_dir, menus_dir = Path(content_dir), Path(menus_dir)
    if not content_dir.is_dir() or not menus_dir.is_dir():
        missing = content_dir if not content_dir.is_dir() else menus_dir
        return None, [Finding(label(missing), 1, "the folder does not exist",
                              "set CONTENT_DIR / MENUS_DIR to the folders holding the YAML")]
    findings: list[Finding] = []
    yaml_files(content_dir, findings)  # the names here are fixed; this reports a misnamed one (topics.yml)
    laws = load_laws(content_dir / "laws")
    items = load_items(content_dir / "packs", laws, findings)
    questions = load_quizzes(content_dir / "quizzes", laws, findings)
    nodes, bottom = load_menus(menus_dir, findings)
    audiences = load_audiences(content_dir / "audiences.yaml", findings)
    topics = load_topics(content_dir / "topics.yaml", findings)
    ids = {"items": {i.id for i in items}, "topics": set(topics), "audiences": set(audiences),
           "nodes": {n.id for n in nodes}, "quiz": {q.id for q in questions}}
    content = Content(
        version=content_version(content_dir, menus_dir), laws=laws, audiences=audiences, topics=topics,
        items={i.id: i for i in items}, quiz={q.id: q for q in questions},
        menus={n.id: n for n in nodes}, bottom=bottom,
        synonyms=load_synonyms(content_dir / "synonyms.yaml", findings),
        repealed=load_repealed(content_dir / "repealed.yaml", findings),
        agency=load_agency(content_dir / "agency.yaml", findings),
        campaigns=load_campaigns(content_dir / "campaigns.yaml", ids, findings))
    return content, findings + duplicate_findings(items, questions, nodes)


def duplicate_findings(items: list[Item], questions: list[QuizQuestion], nodes: list) -> list[Finding]:
    """The dicts in `Content` keep one entry per id, so duplicates are found here, before that."""
    findings: list[Finding] = []
    for kind, entries in (("item", items), ("quiz question", questions), ("menu node", nodes)):
        first: dict[str, str] = {}
        for entry in entries:
            if entry.id in first:
                findings.append(Finding(*split_source(entry.source), f"{kind} id `{entry.id}` is used twice",
                                        f"rename one: the other is at {first[entry.id]}"))
            first.setdefault(entry.id, entry.source)
    return findings
