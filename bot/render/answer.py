"""The answer's cards (the answer, a page of further passages, a passage with its neighbours)
and the JSON line of the batch protocol: one rendering, shared by Discord and the console."""

from __future__ import annotations

import string
from dataclasses import replace

from bot.render.card import LIMITS, Card, Field, cut, escape, fit
from index import Answer, Citation, Passage

NOT_COVERED = "The article doesn't say."
NO_SECTION = "Introduction"


def section_name(section: str) -> str:
    """A section heading as shown: shouting headings in title case ("TROOPS TRAINING" ->
    "Troops Training"), others as written; escaped; "Introduction" before the first heading."""
    if not section.strip():
        return NO_SECTION
    return escape(string.capwords(section.lower()) if section.isupper() else section)


def place(c: Citation, with_article: bool = False) -> str:
    """Where a passage stands: its section and paragraph (and article, when several are cited)."""
    where = f"{section_name(c.section)} · ¶{c.paragraph}"
    return f"{escape(c.article_title)} · {where}" if with_article else where


def marked(text: str, span: tuple[int, int] | None, mark: str) -> str:
    """``text`` escaped, with ``span`` (if any) wrapped in ``mark`` (``**`` bold, ``__`` underline)."""
    if span is None:
        return escape(text)
    a, b = span

    def piece(part: str) -> str:  # escaped, keeping the space that parts it from the span
        inner = escape(part)
        if not inner:
            return ""
        return (" " if part[:1].isspace() else "") + inner + (" " if part[-1:].isspace() else "")

    return f"{piece(text[:a])}{mark}{escape(text[a:b])}{mark}{piece(text[b:])}".strip()


def highlighted(c: Citation) -> str:
    """The passage, escaped, with the answer sentence in bold and the span that answers in it
    underlined (Discord cannot nest bold); cut around the bold if needed."""
    if c.highlight is None:
        return cut(escape(c.text), LIMITS["field_value"])
    a, b = c.highlight
    inner = None if c.answer_span is None else (c.answer_span[0] - a, c.answer_span[1] - a)
    before, bold, after = escape(c.text[:a]), marked(c.text[a:b], inner, "__"), escape(c.text[b:])
    text = " ".join(x for x in (before, f"**{bold}**", after) if x)
    if len(text) > LIMITS["field_value"]:
        text = cut(f"**{bold}** {after}".strip(), LIMITS["field_value"])
        if not text.startswith(f"**{bold}**"):
            text = cut(f"**{cut(bold, LIMITS['field_value'] - 5)}**", LIMITS["field_value"])
    return text


def render_card(answer: Answer) -> Card:
    """The embed for an answer, a refusal, or a question that could not be asked."""
    title = cut(escape(answer.question) or "Question", LIMITS["title"])
    if answer.error:
        return Card(title, cut(answer.error, LIMITS["description"]), (), "citebot", False)
    fields: list[Field] = []
    if answer.answered:
        cited = next((c for c in answer.citations if c.highlight), answer.citations[0])
        description = f"> {marked(answer.sentence or '', answer.answer_span, '**')} [{cited.rank}]"
        several = len({c.article for c in answer.citations}) > 1
        for c in answer.citations:
            fields.append(Field(cut(f"[{c.rank}] {place(c, several)}", LIMITS["field_name"]), highlighted(c)))
    else:
        description = answer.refusal or NOT_COVERED
        if answer.citations:
            c = answer.citations[0]
            description += " The nearest passage is below, as a lead only."
            fields.append(
                Field(
                    cut(f"Nearest passage (low confidence) · {place(c)}", LIMITS["field_name"]),
                    highlighted(c),
                )
            )
    first = answer.citations[0] if answer.citations else None
    footer_parts = [
        first.article_title if first else "",
        first.source if first else "",
        answer.confidence_label,
        f"read as: {answer.read_as}" if answer.read_as else "",
    ]
    footer = " · ".join(p for p in footer_parts if p)
    return fit(
        Card(
            title,
            cut(description, LIMITS["description"]),
            tuple(fields[: LIMITS["fields"]]),
            cut(footer, LIMITS["footer"]),
            answer.answered,
        )
    )


def render_json(answer: Answer) -> dict:
    """The batch protocol of the scorers (one JSON object per question); keep it stable."""
    out = {
        "question": answer.question,
        "answered": answer.answered,
        "answer": answer.sentence if answer.answered else None,
        "answer_span": answer.span_text if answer.answered else None,
        "refusal": None if answer.answered else (answer.error or answer.refusal or NOT_COVERED),
        "passages": [
            {
                "id": c.id,
                "rank": c.rank,
                "text": c.text,
                "score": c.score,
                "doc": c.article_title,
                "section": c.section,
                "paragraph": c.paragraph,
            }
            for c in answer.citations
        ],
        "elapsed_ms": round(answer.elapsed_ms, 2),
    }
    if answer.error:
        out["error"] = answer.error
    return out


def render_page(answer: Answer, start: int) -> Card:
    """The answer's card showing the passages ranked after the first ``start`` ones."""
    card = render_card(answer)
    if not answer.answered or start <= 0:
        return card
    several = len({c.article for c in answer.citations}) > 1
    shown = answer.citations[start:]
    fields = tuple(
        Field(cut(f"[{c.rank}] {place(c, several)}", LIMITS["field_name"]), highlighted(c)) for c in shown
    )
    ranks = f"passages {shown[0].rank}–{shown[-1].rank}" if shown else "no further passages"
    footer = cut(f"{card.footer} · {ranks}", LIMITS["footer"])
    return fit(replace(card, fields=fields, footer=footer))


def passage_field_name(p: Passage, focus: bool) -> str:
    where = f"{section_name(p.section)} · ¶{p.paragraph}"
    return cut(f"{'▶ ' if focus else ''}{where} · {escape(p.id)}", LIMITS["field_name"])


def render_passages(passages: list[Passage], focus_id: str) -> Card:
    """One passage (in bold) with its neighbours, in article order."""
    focus = next((p for p in passages if p.id == focus_id), passages[0])
    fields = []
    for p in passages:
        value = cut(escape(p.text), LIMITS["field_value"] - 4)
        fields.append(Field(passage_field_name(p, p.id == focus.id), f"**{value}**" if p is focus else value))
    title = cut(escape(focus.title) or "Passage", LIMITS["title"])
    description = f"Passage {escape(focus.id)} with the paragraphs around it."
    return fit(Card(title, description, tuple(fields[: LIMITS["fields"]]), "citebot", True, "📄"))
