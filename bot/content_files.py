"""The one-file lists at the top of content/: audiences, topics, synonyms, repealed laws, the agency.

Each is a single fixed YAML file read into a dict or a dataclass; mistakes become findings.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from bot.laws import normalise_name
from bot.model import Agency, Audience, Finding, Repealed, Topic
from bot.needed_files import lost
from bot.yamlsrc import Map, Schema, label, listed_mappings, read_entries, read_top

AGENCY_KEYS = ("account_name", "agency_name", "legal_aid_centre", "legal_aid_phone")
AGENCY_OPTIONAL = ("legal_aid_address", "working_hours")


def load_audiences(path: Path, findings: list[Finding]) -> dict[str, Audience]:
    return {str(data["id"]): Audience(str(data["id"]), schema.text(data, "name", "the audience"),
                                      schema.text(data, "blurb", "the audience"), data.get("default") is True)
            for schema, data in _listed(path, "audiences", "an audience", ("id", "name"), ("blurb", "default"),
                                        findings)}


def load_topics(path: Path, findings: list[Finding]) -> dict[str, Topic]:
    return {str(data["id"]): Topic(str(data["id"]), schema.text(data, "name", "the topic"),
                                   schema.texts(data, "words", "the topic"))
            for schema, data in _listed(path, "topics", "a topic", ("id", "name"), ("words",), findings)}


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
    result: dict[str, Repealed] = {}
    for schema, data in _listed(path, "repealed", "a repealed law", ("name", "successor", "date"),
                                ("governing", "note"), findings):
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


def _listed(path: Path, key: str, one: str, required: tuple[str, ...], optional: tuple[str, ...],
            findings: list[Finding]) -> Iterator[tuple[Schema, Map]]:
    """Each entry of the list under `key` that is a mapping with its required keys; the rest
    become findings that name the entry as `one` ("an audience") would be named."""
    for schema, data in listed_mappings(path, key, one, findings):
        if schema.keys(data, required, optional, "the " + one.split(" ", 1)[1]):
            yield schema, data
