"""The answer's cards (the answer, a page of further passages, a passage with its neighbours)
and the JSON line of the batch protocol: one rendering, shared by Discord and the console."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from urllib.parse import quote, urlsplit

from bot.render.card import LIMITS, Card, Field, cut, escape, fit
from index import Answer, Citation, Passage

NOT_COVERED = "The article doesn't say."
NO_SECTION = "Introduction"
# A link's text fragment names the quoted sentence by its first and last words (Text Fragments:
# ``#:~:text=textStart,textEnd``); a sentence of up to twice as many words is named whole.
FRAGMENT_WORDS = 4
# The longest link a citation carries: a longer one goes without its fragment, or not at all,
# so that the quote keeps most of the field.
MAX_LINK_CHARS = 512
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # newlines, tabs, escapes: never in a link
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
# what may stand unencoded in a link's path and query: RFC 3986's characters (and % for escapes
# already made), less the parentheses and brackets that would end Discord's markdown link
_PATH_SAFE = "/%:@!$&'*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_MARKDOWN_EDGES = "*_`~"  # emphasis around a word in the source is not on the web page


def section_name(section: str) -> str:
    """A section heading as shown: shouting headings in title case ("TROOPS TRAINING" ->
    "Troops Training"), others as written; escaped; "Introduction" before the first heading."""
    if not section.strip():
        return NO_SECTION
    return escape(string.capwords(section.lower()) if section.isupper() else section)


def paragraph_name(paragraph: int, page: int | None) -> str:
    """How a paragraph is named: ¶2, or p. 4 ¶2 for the second on page 4 of a paged article."""
    return f"¶{paragraph}" if page is None else f"p. {page} ¶{paragraph}"


def place(c: Citation, with_article: bool = False) -> str:
    """Where a passage stands: its section, page if it has one, and paragraph (and article,
    when several are cited)."""
    where = f"{section_name(c.section)} · {paragraph_name(c.paragraph, c.page)}"
    return f"{escape(c.article_title)} · {where}" if with_article else where


def web_address(url: str) -> str | None:
    """``url`` as a link may carry it: http or https only, with a plain host (no user or
    password before it), percent-encoded so that nothing in it ends a markdown link, and
    without its fragment; None for anything else."""
    url = url.strip()
    if _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number raises here
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or "@" in parts.netloc:
        return None
    host = f"[{host}]" if ":" in host else host
    if not _HOST.fullmatch(host):
        return None
    netloc = host if port is None else f"{host}:{port}"
    path = quote(parts.path, safe=_PATH_SAFE)
    query = f"?{quote(parts.query, safe=_QUERY_SAFE)}" if parts.query else ""
    return f"{parts.scheme.lower()}://{netloc}{path}{query}"


def _fragment_text(words: list[str]) -> str:
    # the spec's separators (",", "-", "&") are encoded in the words too; quote leaves "-"
    return quote(" ".join(words), safe="").replace("-", "%2D")


def fragment_link(url: str, sentence: str) -> str | None:
    """A link to ``sentence`` where it stands on the page at ``url``: the address with a text
    fragment naming the sentence's first and last words (the whole of a short one), which a
    browser that knows text fragments scrolls to and highlights.

    None unless ``url`` is an http or https address (see ``web_address``); any fragment it
    has is dropped. A sentence without words links to the page itself.
    """
    address = web_address(url)
    if address is None:
        return None
    words = [w for w in (w.strip(_MARKDOWN_EDGES) for w in sentence.split()) if w]
    if not words:
        return address
    if len(words) <= 2 * FRAGMENT_WORDS:
        return f"{address}#:~:text={_fragment_text(words)}"
    start, end = _fragment_text(words[:FRAGMENT_WORDS]), _fragment_text(words[-FRAGMENT_WORDS:])
    return f"{address}#:~:text={start},{end}"


def citation_link(c: Citation) -> str | None:
    """The markdown link from a citation to its article on the web, pointing at the quoted
    sentence (the answer's, else the passage's first), or None when the article has no web
    address or the link would be too long to carry."""
    if not c.url:
        return None
    a, b = c.quoted or c.highlight or (0, len(c.text))
    link = fragment_link(c.url, c.text[a:b])
    if link is not None and len(link) > MAX_LINK_CHARS:
        link = web_address(c.url)  # the page without the sentence rather than no link
    if link is None or len(link) > MAX_LINK_CHARS:
        return None
    host = urlsplit(link).hostname or ""
    return f"[Read at {escape(host.removeprefix('www.'))}]({link})"


def citation_value(c: Citation) -> str:
    """A citation field's value: the highlighted passage, then the link to it on the web if the
    article has one. The link is never cut: the passage is cut to leave it room."""
    link = citation_link(c)
    if link is None:
        return highlighted(c)
    return f"{highlighted(c, LIMITS['field_value'] - len(link) - 1)}\n{link}"


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


def highlighted(c: Citation, limit: int = LIMITS["field_value"]) -> str:
    """The passage, escaped, with the answer sentence in bold and the span that answers in it
    underlined (Discord cannot nest bold); cut around the bold to ``limit`` if needed."""
    if c.highlight is None:
        return cut(escape(c.text), limit)
    a, b = c.highlight
    inner = None if c.answer_span is None else (c.answer_span[0] - a, c.answer_span[1] - a)
    before, bold, after = escape(c.text[:a]), marked(c.text[a:b], inner, "__"), escape(c.text[b:])
    text = " ".join(x for x in (before, f"**{bold}**", after) if x)
    if len(text) > limit:
        text = cut(f"**{bold}** {after}".strip(), limit)
        if not text.startswith(f"**{bold}**"):
            text = cut(f"**{cut(bold, limit - 5)}**", limit)
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
            fields.append(
                Field(cut(f"[{c.rank}] {place(c, several)}", LIMITS["field_name"]), citation_value(c))
            )
    else:
        description = answer.refusal or NOT_COVERED
        if answer.citations:
            c = answer.citations[0]
            description += " The nearest passage is below, as a lead only."
            fields.append(
                Field(
                    cut(f"Nearest passage (low confidence) · {place(c)}", LIMITS["field_name"]),
                    citation_value(c),
                )
            )
    first = answer.citations[0] if answer.citations else None
    footer_parts = [
        first.article_title if first else "",
        first.source if first else "",
        answer.confidence_label,
        f"read as: {answer.read_as}" if answer.read_as else "",
        f"following: {escape(answer.following)}" if answer.following else "",
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
                "page": c.page,
                "url": c.url or None,
                "library": c.library,
            }
            for c in answer.citations
        ],
        "elapsed_ms": round(answer.elapsed_ms, 2),
    }
    if answer.error:
        out["error"] = answer.error
    if answer.following:
        out["following"] = answer.following
    return out


def render_page(answer: Answer, start: int) -> Card:
    """The answer's card showing the passages ranked after the first ``start`` ones."""
    card = render_card(answer)
    if not answer.answered or start <= 0:
        return card
    several = len({c.article for c in answer.citations}) > 1
    shown = answer.citations[start:]
    fields = tuple(
        Field(cut(f"[{c.rank}] {place(c, several)}", LIMITS["field_name"]), citation_value(c)) for c in shown
    )
    ranks = f"passages {shown[0].rank}–{shown[-1].rank}" if shown else "no further passages"
    footer = cut(f"{card.footer} · {ranks}", LIMITS["footer"])
    return fit(replace(card, fields=fields, footer=footer))


def passage_field_name(p: Passage, focus: bool) -> str:
    where = f"{section_name(p.section)} · {paragraph_name(p.paragraph, p.page)}"
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
