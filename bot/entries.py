"""What items and quiz questions share: entries listed across many files, and the `cites` they carry.

Both are spread over one file per topic and cite the laws the same way, so they are read alike.
"""
from __future__ import annotations

from pathlib import Path

from bot.laws import LawLibrary, parse_citation
from bot.model import Cite, Finding
from bot.yamlsrc import Map, Schema, Seq, listed_mappings


def load_each(paths: list[Path], key: str, what: str, findings: list[Finding], build) -> list:
    """Each mapping listed under `key` in each file, built by `build(schema, data, path)`."""
    built = (build(schema, data, path) for path in paths
             for schema, data in listed_mappings(path, key, what, findings, deletable=True))
    return [entry for entry in built if entry is not None]


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
        ref = schema.text(cite, "ref", what)
        parsed = parse_citation(ref)
        law = laws.resolve(parsed.name) if parsed else None
        # An fp of 8 hex digits is read as a number only when they are all decimal without a
        # leading zero (12345678), whose text is exactly the digits typed: `text` keeps them.
        cites.append(Cite(ref, law.short if law else "", schema.text(cite, "quote", what),
                          schema.text(cite, "fp", what), f"{schema.label}:{cite.at('ref')}", parsed))
    return tuple(cites)
