"""The public query language, made safe before Whoosh sees it.

Plain words are ranked, not required (concepts.py, ranking.py): a record matching some of them
is found, after those matching all. Explicit syntax keeps its meaning and is required:
"phrases", field:value for public fields only, (groups), -word and -"phrase" to exclude; a
query written with AND, OR or NOT is taken entirely as written (every word required unless
OR says otherwise). prefix* (at least three letters, a few per query) is ranked like a word.
No leading or inner wildcards, ranges, boosts or `*:*`. Length and number of terms are capped
before parsing: Whoosh's parser is quadratic in token length and its OR recursion fails beyond
a few hundred words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import NullQuery, Or, Prefix, Query, Term
from whoosh.support.charset import accent_map

from . import concepts
from .analysis import analysing
from .concepts import Concept
from .schema import PUBLIC_FIELDS, TEXT_FIELDS, make_schema

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MAX_TOKEN_CHARS = 60
MIN_PREFIX = 3
MAX_PREFIXES = 3
MAX_PREFIX_EXPANSION = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EXCLUDED = re.compile(r'-[\w"(]')
OPERATORS = ("AND", "OR", "NOT")
_SYNTAX = re.compile(r'["():*]')
# A plain word: letters and digits, hyphens inside ("co-design"); apostrophes separate words.
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_PREFIX = re.compile(r"^([^\W_]+)\*$")


def _capped(q: str) -> list[str]:
    """The query's tokens without control characters, their length and number capped."""
    q = _CONTROL.sub(" ", q or "")[:MAX_QUERY_CHARS]
    return [t[:MAX_TOKEN_CHARS] for t in q.split()][:MAX_TERMS]


def clean(q: str) -> str:
    """The query with control characters removed, length and terms capped, and -x as NOT x."""
    # "-word", '-"a phrase"' and "-(a OR b)" are NOT …: Whoosh's parser ignores the minus.
    # Not inside a phrase, where "-19" stays a word of it.
    out, quoted = [], False
    for token in _capped(q):
        out.append(f"NOT {token[1:]}" if not quoted and _EXCLUDED.match(token) else token)
        quoted ^= token.count('"') % 2 == 1
    return " ".join(out)


def items(tokens: list[str]) -> list[str]:
    """The query's top-level parts: tokens, with a "quoted phrase" or a (group) kept whole
    (an unclosed one runs to the end)."""
    out: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for token in tokens:
        current.append(token)
        for char in token:
            if char == '"':
                quoted = not quoted
            elif not quoted and char == "(":
                depth += 1
            elif not quoted and char == ")" and depth:
                depth -= 1
        if not quoted and not depth:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


@cache
def _parser() -> qparser.QueryParser:
    full = make_schema()
    # The parser knows only public fields: `status:draft` or `id:*` become plain words.
    public = Schema(**{name: full[name] for name in PUBLIC_FIELDS})
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), public, group=qparser.AndGroup)
    for plugin in (
        qparser.WildcardPlugin,
        qparser.RangePlugin,
        qparser.BoostPlugin,
        qparser.EveryPlugin,
        qparser.SingleQuotePlugin,
    ):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(qparser.PrefixPlugin())
    return parser


def _restrict(query: Query, allowed: set[str]) -> Query:
    """Drop short prefixes; beyond MAX_PREFIXES distinct ones, search the rest as words.

    Counted by text: the parser repeats a typed prefix in every text field."""
    if isinstance(query, Prefix):
        if len(query.text) < MIN_PREFIX:
            return NullQuery
        if query.text in allowed or len(allowed) < MAX_PREFIXES:
            allowed.add(query.text)
            return query
        return Term(query.fieldname, query.text)
    return query.apply(lambda q: _restrict(q, allowed)) if query.children() else query


@dataclass
class Parsed:
    """What a query asks for: ranked concepts (plain words), and per analysis language the
    explicit syntax every result must satisfy (`trees`; absent for a language, that
    language's records cannot satisfy it)."""

    concepts: list[Concept] = field(default_factory=list)
    trees: dict[str, Query] = field(default_factory=dict)
    strict: bool = False  # explicit syntax present: records must satisfy `trees`


def _plain_words(q: str) -> Query:
    """The query's words without any syntax (lower case, so no operators either)."""
    try:
        return _parser().parse(" ".join(w.lower() for w in re.findall(r"\w+", q)))
    except Exception:
        return NullQuery


def _trees(q: str, languages: tuple[str, ...]) -> dict[str, Query]:
    """`q` parsed once per analysis language, every part required: each language's tree
    applies only to records analysed in that language, so negation and phrases keep their
    meaning."""
    trees: dict[str, Query] = {}
    for language in languages:
        with analysing(language):
            try:
                tree = _parser().parse(q)
            except Exception:  # a parser edge case must not become a 500: search the words
                tree = _plain_words(q)
        tree = _restrict(tree, set()).normalize()
        if tree is not NullQuery:
            trees[language] = tree
    return trees


def parse(q: str, languages: tuple[str, ...]) -> Parsed | None:
    """What `q` asks of records in the analysis `languages`, or None if nothing."""
    tokens = _capped(q)
    if not any(_WORD.search(t) for t in tokens if t not in OPERATORS):
        return None  # no word to look for ("((((", "*", "OR"): the same as no query
    parts = items(tokens)
    if any(part in OPERATORS for part in parts):  # written with operators: taken as written
        trees = _trees(clean(q), languages)
        return Parsed(trees=trees, strict=True) if trees else None
    words: list[str] = []
    prefixes: list[str] = []
    syntax: list[str] = []
    for part in parts:
        prefix = _PREFIX.match(part)
        if part[0] == "-" and _EXCLUDED.match(part):
            syntax.append(f"NOT {part[1:]}")
        elif prefix:
            text = prefix.group(1).lower().translate(accent_map)
            if len(text) < MIN_PREFIX:
                continue
            if len(prefixes) < MAX_PREFIXES:
                prefixes.append(text)
            else:
                words.append(prefix.group(1))
        elif _SYNTAX.search(part):
            syntax.append(part)
        else:
            words.extend(_WORD.findall(part))
    found = concepts.build(words, prefixes, languages)
    trees = _trees(" ".join(syntax), languages) if syntax else {}
    if not found and not trees:
        return None
    return Parsed(found, trees, strict=bool(trees))


def limit_prefixes(query: Query, reader) -> Query:
    """Replace each prefix by at most MAX_PREFIX_EXPANSION of its most frequent words."""
    if isinstance(query, Prefix):
        words = list(reader.expand_prefix(query.fieldname, query.text))
        if len(words) <= MAX_PREFIX_EXPANSION:
            return query
        words.sort(key=lambda w: -reader.doc_frequency(query.fieldname, w))
        return Or([Term(query.fieldname, w) for w in words[:MAX_PREFIX_EXPANSION]])
    if query.children():
        return query.apply(lambda q: limit_prefixes(q, reader))
    return query
