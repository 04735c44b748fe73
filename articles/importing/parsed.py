"""What an importer understood of one article, before anything is written."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime


class ImportProblem(Exception):
    """Something that stops an article from being imported; the message names the problem
    (and the line, where there is one)."""


@dataclass
class ParsedRelatedStory:
    title: str
    summary: str = ""
    url: str = ""


@dataclass
class ParsedArticle:
    headline: str
    body: str  # Markdown
    dek: str = ""
    source_name: str = ""
    source_description: str = ""
    original_language: str = ""
    original_published_on: date | None = None
    original_url: str = ""
    authors: list[str] = field(default_factory=list)
    translators: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    dateline: str = ""
    original_body: str = ""  # the original's text (Markdown): only a paste gives one
    original_headline: str = ""  # the original's headline: only a paste's original gives one
    related: list[ParsedRelatedStory] = field(default_factory=list)
    # Lines the importer read but was not sure of (kept in the body), for the dry run.
    notes: list[str] = field(default_factory=list)
    # Why an editor should look before this is published ("" if nothing): a credit not
    # understood, or no source and no date (published now, it would pass for news).
    needs_review: str = ""
    # Set by importers that know the exact time (WordPress); text files use the original date.
    published_at: datetime | None = None
    # The body rendered, when the parser could write it directly (else None: render it).
    body_html: str | None = None

    @property
    def subheadings(self) -> list[str]:
        return [
            line[3:].replace("\\", "") for line in self.body.splitlines() if line.startswith("## ")
        ]

    def add_people(self, attribute: str, names: list[str]) -> None:
        """Add names to ``authors`` or ``translators``, once each (case-insensitively)."""
        people = getattr(self, attribute)
        known = {_key(name) for name in people}
        for name in names:
            if _key(name) not in known:
                people.append(name)
                known.add(_key(name))

    def summary_lines(self) -> list[str]:
        """What was understood, one fact a line (the dry run and the paste preview)."""
        day = self.original_published_on
        described = f" ({self.source_description})" if self.source_description else ""
        lines = [
            ("headline", self.headline),
            ("source", self.source_name + described),
            ("original date", f"{day:%B} {day.day}, {day.year}" if day else ""),
            ("original URL", self.original_url),
            ("original language", self.original_language),
            ("authors", ", ".join(self.authors)),
            ("translators", ", ".join(self.translators)),
            ("dateline", self.dateline),
            ("topics", ", ".join(self.topics)),
            ("subheadings", " | ".join(self.subheadings)),
            ("related stories", " | ".join(story.title for story in self.related)),
            ("original headline", self.original_headline),
        ]  # fmt: skip
        if self.needs_review:
            lines.append(("imported as", f"a draft, for an editor: {self.needs_review}"))
        return [f"{label}: {value or '—'}" for label, value in lines]


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()
