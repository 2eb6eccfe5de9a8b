"""The files and folders the bot needs, and the finding for one that is gone.

Nothing else would notice the loss: a deleted file reads as an empty one, so the finding says
what stops working.
"""
from __future__ import annotations

from pathlib import Path

from bot.model import Finding
from bot.yamlsrc import label

LOST_WITHOUT = {
    "campaigns.yaml": "no campaign is sent (国家宪法日, 宪法宣传周 …) and chat shows no 今日专题",
    "quizzes": "答题 has no questions",
    "synonyms.yaml": "the words citizens use (工钱, 离昏 …) no longer find the words the content uses",
    "bottom.yaml": "`pufa menu push` would leave citizens without the bottom bar",
}


def lost(path: Path, what: str, severity: str = "error") -> Finding:
    """The finding for a file or folder the bot needs that is gone, saying what stops working."""
    return Finding(label(path), 1, f"{what}: {LOST_WITHOUT[path.name]}",
                   "restore it from the last good copy in var/last-good/, or write it anew (see docs/content-format.md)",
                   severity)
