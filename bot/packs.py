"""content/packs/<audience>/<topic>.yaml → `Item`s, with their cases and uncited figures.

The folder names the audience and the file the topic, so the layout itself is checked: a file
at the wrong depth would otherwise be skipped without a word.
"""
from __future__ import annotations

import re
from pathlib import Path

from bot.entries import load_cites, load_each
from bot.laws import LawLibrary
from bot.model import Case, Finding, Item, UncitedFigure
from bot.yamlsrc import YAML_LOOKALIKE, Map, Schema, label, yaml_files

# An item's id, and a campaign's (scheduler.campaign_file): lower-case words of letters and digits
# joined by - or _. Test with fullmatch: `$` would let a trailing line break (`id: |`) through.
ID = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
ITEM_KEYS = ("id", "title", "questions", "answer")
ITEM_OPTIONAL = ("cites", "case", "related", "figures", "audiences", "topics", "reviewed_by", "reviewed_on")


def load_case(schema: Schema, data: Map, what: str) -> Case | None:
    if "case" not in data:
        return None
    case = schema.mapping(data["case"], data.at("case"), "the case")
    if case is None or not schema.keys(case, ("title", "facts", "outcome", "lesson"), (), "the case"):
        return None
    return Case(*(schema.text(case, key, what) for key in ("title", "facts", "outcome", "lesson")))


def load_figures(schema: Schema, data: Map, what: str) -> tuple[UncitedFigure, ...]:
    """`figures: {三万元: where it comes from}`; a mistake here only warns, like the rule it serves."""
    entries = data.get("figures") or Map()
    if not isinstance(entries, Map) or not all(isinstance(v, str) and v.strip() for v in entries.values()):
        schema.error(data.at("figures"), f"`figures` of {what} must map each figure to where it comes from",
                     "write one `三万元: 两高贪污贿赂司法解释第一条（本助手未收录原文）` line per figure", "warning")
        return ()
    return tuple(UncitedFigure(str(figure), origin.strip(), f"{schema.label}:{entries.at(figure)}")
                 for figure, origin in entries.items())


def load_item(schema: Schema, data: Map, audience: str, topic: str, laws: LawLibrary) -> Item | None:
    if not schema.keys(data, ITEM_KEYS, ITEM_OPTIONAL, "the item"):
        return None
    item_id = str(data["id"])
    if not ID.fullmatch(item_id):
        schema.error(data.at("id"), f"item id `{item_id}` has characters ids cannot have",
                     "use lowercase letters, digits and '-', e.g. workers-unpaid-wages")
    what = f"item {item_id}"
    return Item(
        id=item_id, title=schema.text(data, "title", what), topic=topic,
        topics=tuple(dict.fromkeys((topic, *schema.texts(data, "topics", what)))),
        audiences=tuple(dict.fromkeys((audience, *schema.texts(data, "audiences", what)))),
        questions=schema.texts(data, "questions", what), answer=schema.text(data, "answer", what),
        cites=load_cites(schema, data, laws, what), case=load_case(schema, data, what),
        related=schema.texts(data, "related", what), figures=load_figures(schema, data, what),
        reviewed_by=schema.text(data, "reviewed_by", what), reviewed_on=schema.date(data, "reviewed_on", what),
        source=f"{schema.label}:{data.line}")


def load_items(packs: Path, laws: LawLibrary, findings: list[Finding]) -> list[Item]:
    """Every item under packs/<audience>/<topic>.yaml, duplicates included (check reports them).
    Without packs/ there are none; the menus opening them say so."""
    if not packs.is_dir():
        return []
    audiences = sorted(path for path in packs.iterdir() if path.is_dir())
    findings += _misplaced(packs, audiences)
    paths = [path for audience in audiences for path in yaml_files(audience, findings)]
    return load_each(paths, "items", "an item", findings,
                     lambda schema, data, path: load_item(schema, data, path.parent.name, path.stem, laws))


def _misplaced(packs: Path, audiences: list[Path]) -> list[Finding]:
    """Files a level too high (packs/x.yaml) or folders a level too deep (packs/youth/sub/) would
    be skipped without a word: packs hold one folder per audience, and each holds topic files."""
    found = [Finding(label(path), 1, f"{path.name} is not read: packs/ holds one folder per audience",
                     f"move it into the folder of its audience, e.g. packs/public/{path.name}")
             for path in sorted(packs.iterdir()) if path.is_file() and YAML_LOOKALIKE.search(path.name)]
    found += [Finding(label(path), 1, f"the folder {audience.name}/{path.name}/ is not read: an audience's folder "
                      "holds topic files, not folders", f"move its files up into packs/{audience.name}/")
              for audience in audiences for path in sorted(audience.iterdir()) if path.is_dir()]
    return found
