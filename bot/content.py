"""content/**.yaml and the law texts → one immutable `Content`, with every schema problem as a finding.

Loading never raises on an editor's mistake: it collects `Finding`s (file:line, what, fix) and
builds what it can, so `pufa check` reports every problem in one run. Cross-file rules (dangling
references, citations against the law texts, sizes) live in `bot.check`.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

from bot import menus as menu_loader
from bot.laws import LawLibrary, load_laws, normalise_name, parse_citation
from bot.model import (Agency, Audience, BottomButton, Case, Cite, Content, Finding, Item, MenuNode,
                       QuizQuestion, Repealed, Topic, UncitedFigure, split_source)
from bot.yamlsrc import Map, Schema, Seq, label, read_entries, read_top, yaml_files

ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
ITEM_KEYS = ("id", "title", "questions", "answer")
ITEM_OPTIONAL = ("cites", "case", "related", "figures", "audiences", "topics", "reviewed_by", "reviewed_on")
QUIZ_KEYS = ("id", "question", "options", "answer", "explanation")
QUIZ_OPTIONAL = ("cites", "audiences", "item", "reviewed_by", "reviewed_on")
LETTERS = "ABCD"
AGENCY_KEYS = ("account_name", "agency_name", "legal_aid_centre", "legal_aid_phone")
AGENCY_OPTIONAL = ("legal_aid_address", "working_hours")
# What stops working when one of these is deleted or renamed: nothing else would notice the loss.
LOST_WITHOUT = {
    "campaigns.yaml": "no campaign is sent (国家宪法日, 宪法宣传周 …) and chat shows no 今日专题",
    "quizzes": "答题 has no questions",
    "synonyms.yaml": "the words citizens use (工钱, 离昏 …) no longer find the words the content uses",
    "bottom.yaml": "`pufa menu push` would leave citizens without the bottom bar",
}


def content_version(*directories: Path) -> str:
    """A short hash over every file's path and bytes: changes whenever anything editors own does."""
    digest = hashlib.sha256()
    for directory in directories:
        paths = [Path(root, name) for root, _, names in os.walk(directory, followlinks=True) for name in names]
        for path in sorted(paths):
            digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def lost(path: Path, what: str, severity: str = "error") -> Finding:
    """The finding for a file or folder the bot needs that is gone, saying what stops working."""
    return Finding(label(path), 1, f"{what}: {LOST_WITHOUT[path.name]}",
                   "restore it from the last good copy in var/last-good/, or write it anew (see docs/content-format.md)",
                   severity)


def load_audiences(path: Path, findings: list[Finding]) -> dict[str, Audience]:
    entries, schema = read_entries(path, "audiences", Seq, findings)
    result: dict[str, Audience] = {}
    for index, entry in enumerate(entries):
        data = schema.mapping(entry, entries.at(index), "an audience")
        if data is None or not schema.keys(data, ("id", "name"), ("blurb", "default"), "the audience"):
            continue
        result[str(data["id"])] = Audience(str(data["id"]), schema.text(data, "name", "the audience"),
                                           schema.text(data, "blurb", "the audience"),
                                           data.get("default") is True)
    return result


def load_topics(path: Path, findings: list[Finding]) -> dict[str, Topic]:
    entries, schema = read_entries(path, "topics", Seq, findings)
    result: dict[str, Topic] = {}
    for index, entry in enumerate(entries):
        data = schema.mapping(entry, entries.at(index), "a topic")
        if data is None or not schema.keys(data, ("id", "name"), ("words",), "the topic"):
            continue
        result[str(data["id"])] = Topic(str(data["id"]), schema.text(data, "name", "the topic"),
                                        schema.texts(data, "words", "the topic"))
    return result


def load_synonyms(path: Path, findings: list[Finding]) -> dict[str, str]:
    if not path.exists():
        findings.append(lost(path, "the file is missing"))
        return {}
    entries, schema = read_entries(path, "synonyms", Map, findings)
    result: dict[str, str] = {}
    for word, target in entries.items():
        if not isinstance(target, (str, int)) or isinstance(target, bool):
            schema.error(entries.at(word), f"synonym `{word}` maps to {target!r}, not to a word",
                         "write `word: the word the content uses` on one line")
            continue
        result[str(word)] = str(target)
    return result


def load_repealed(path: Path, findings: list[Finding]) -> dict[str, Repealed]:
    entries, schema = read_entries(path, "repealed", Seq, findings)
    result: dict[str, Repealed] = {}
    for index, entry in enumerate(entries):
        data = schema.mapping(entry, entries.at(index), "a repealed law")
        if data is None or not schema.keys(data, ("name", "successor", "date"),
                                           ("governing", "note"), "the repealed law"):
            continue
        governing = data.get("governing") or {}
        if not isinstance(governing, dict):
            schema.error(data.at("governing"), "`governing` must map a subject to a citation",
                         "write `governing: {离婚: 《民法典》第一千零七十九条}`")
            governing = {}
        name = str(data["name"])
        # Keyed as look-ups and checks ask for it, whether the editor wrote 《合同法》 or 中华人民共和国合同法.
        result[normalise_name(name)] = Repealed(name, schema.text(data, "successor", name),
                                schema.date(data, "date", name) or data["date"],
                                {str(k): str(v) for k, v in governing.items()},
                                schema.text(data, "note", name))
    return result


def load_agency(path: Path, findings: list[Finding]) -> Agency:
    schema = Schema(label(path), findings)
    written = ", ".join(f"{key}:" for key in AGENCY_KEYS)
    data = read_top(path, schema, f"write {written} and, if you like, {', '.join(AGENCY_OPTIONAL)} "
                                  "(see docs/content-format.md)")
    if data is not None:
        schema.keys(data, AGENCY_KEYS, AGENCY_OPTIONAL, "agency.yaml")
    return Agency(*(schema.text(data or Map(), key, "agency.yaml") for key in (*AGENCY_KEYS, *AGENCY_OPTIONAL)))


def load_cites(schema: Schema, data: Map, laws: LawLibrary, what: str) -> tuple[Cite, ...]:
    """Each `cites` entry parsed and resolved to a law short name (empty when unknown)."""
    entries = data.get("cites") or Seq()
    if not isinstance(entries, list):
        schema.error(data.at("cites"), f"`cites` of {what} must be a list", "write one `- ref: …` per citation")
        return ()
    cites = []
    for index, entry in enumerate(entries):
        cite = schema.mapping(entry, entries.at(index), "a citation")
        if cite is None or not schema.keys(cite, ("ref",), ("quote", "fp"), "the citation"):
            continue
        fp = cite.get("fp", "")
        if not isinstance(fp, str):
            schema.error(cite.at("fp"), f"fp {fp!r} was read as a number", 'put the fp in quotes: fp: "01234567"')
            fp = str(fp)
        ref = schema.text(cite, "ref", what)
        parsed = parse_citation(ref)
        law = laws.resolve(parsed.name) if parsed else None
        cites.append(Cite(ref, law.short if law else "", schema.text(cite, "quote", what), fp,
                          f"{schema.label}:{cite.at('ref')}", parsed))
    return tuple(cites)


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
    if not ID.match(item_id):
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
    return _load_each(paths, "items", "an item", findings,
                      lambda schema, data, path: load_item(schema, data, path.parent.name, path.stem, laws))


def _misplaced(packs: Path, audiences: list[Path]) -> list[Finding]:
    """Files a level too high (packs/x.yaml) or folders a level too deep (packs/youth/sub/) would
    be skipped without a word: packs hold one folder per audience, and each holds topic files."""
    found = [Finding(label(path), 1, f"{path.name} is not read: packs/ holds one folder per audience",
                     f"move it into the folder of its audience, e.g. packs/public/{path.name}")
             for path in sorted(packs.iterdir()) if path.is_file() and path.suffix == ".yaml"]
    found += [Finding(label(path), 1, f"the folder {audience.name}/{path.name}/ is not read: an audience's folder "
                      "holds topic files, not folders", f"move its files up into packs/{audience.name}/")
              for audience in audiences for path in sorted(audience.iterdir()) if path.is_dir()]
    return found


def _load_each(paths: list[Path], key: str, what: str, findings: list[Finding], build) -> list:
    """Each mapping listed under `key` in each file, built by `build(schema, data, path)`."""
    loaded = []
    for path in paths:
        entries, schema = read_entries(path, key, Seq, findings, deletable=True)
        for index, entry in enumerate(entries):
            data = schema.mapping(entry, entries.at(index), what)
            built = data and build(schema, data, path)
            if built:
                loaded.append(built)
    return loaded


def load_question(schema: Schema, data: Map, topic: str, laws: LawLibrary) -> QuizQuestion | None:
    if not schema.keys(data, QUIZ_KEYS, QUIZ_OPTIONAL, "the quiz question"):
        return None
    what = f"quiz question {data['id']}"
    options = schema.texts(data, "options", what)
    answer = str(data["answer"]).strip().upper()
    if not 2 <= len(options) <= 4:
        schema.error(data.at("options"), f"{what} has {len(options)} options", "give 2 to 4 options")
    repeated_options(schema, data, options, what)
    if len(answer) != 1 or answer not in LETTERS[:len(options)]:
        schema.error(data.at("answer"), f"answer {data['answer']!r} is not one of the options' letters",
                     f"write one of {', '.join(LETTERS[:max(len(options), 1)])}")
        return None
    return QuizQuestion(
        id=str(data["id"]), topic=topic, question=schema.text(data, "question", what), options=options,
        answer=LETTERS.index(answer), explanation=schema.text(data, "explanation", what),
        cites=load_cites(schema, data, laws, what),
        audiences=schema.texts(data, "audiences", what) or ("public",),
        item=schema.text(data, "item", what), reviewed_by=schema.text(data, "reviewed_by", what),
        reviewed_on=schema.date(data, "reviewed_on", what), source=f"{schema.label}:{data.line}")


def repeated_options(schema: Schema, data: Map, options: tuple[str, ...], what: str) -> None:
    """Two identical options: a citizen who picks the one that is not the answer is told they are wrong."""
    first: dict[str, str] = {}
    for letter, option in zip(LETTERS, options):
        if option in first:
            schema.error(data.at("options"), f"{what} has the same option twice: {first[option]} and {letter} "
                                             f"are both “{option}”", "make every option different")
        first.setdefault(option, letter)


def load_quizzes(directory: Path, laws: LawLibrary, findings: list[Finding]) -> list[QuizQuestion]:
    paths = yaml_files(directory, findings)
    if not paths:
        findings.append(lost(directory, "the folder has no quiz file" if directory.is_dir() else "the folder is missing"))
    return _load_each(paths, "questions", "a quiz question", findings,
                      lambda schema, data, path: load_question(schema, data, path.stem, laws))


def load_campaigns(path: Path, ids: dict[str, set[str]], findings: list[Finding]) -> tuple[Any, ...]:
    """Campaigns belong to scheduler.calendar; without that module there are none to serve."""
    if importlib.util.find_spec("scheduler.calendar") is None:
        return ()
    if not path.exists():
        findings.append(lost(path, "the file is missing"))
        return ()
    from scheduler import calendar

    campaigns, found = calendar.load_campaigns(path, ids)
    findings.extend(found)
    return tuple(campaigns)


def load_menus(menus_dir: Path, findings: list[Finding]) -> tuple[list[MenuNode], tuple[BottomButton, ...]]:
    """All nodes of menus/*.yaml (duplicates kept for the checker) and the bottom bar."""
    nodes: list[MenuNode] = []
    bottom: tuple[BottomButton, ...] = ()
    for path in yaml_files(menus_dir, findings):
        if path.name == "bottom.yaml":
            bottom = menu_loader.bottom_bar(*read_entries(path, "buttons", Seq, findings))
        else:
            nodes += menu_loader.menu_nodes(*read_entries(path, "nodes", Map, findings))
    if not (menus_dir / "bottom.yaml").exists():  # a warning: chat answers as before, `pufa menu push` refuses
        findings.append(lost(menus_dir / "bottom.yaml", "the file is missing", "warning"))
    return nodes, bottom


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
