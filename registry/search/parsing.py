"""The public query language, made safe before Whoosh sees it.

Words (all must match), "phrases", OR, AND, NOT and -word, field:value for public fields only,
prefix* (at least three letters, a few per query). No leading or inner wildcards, ranges,
boosts or `*:*`. Length and number of terms are capped before parsing: Whoosh's parser is
quadratic in token length and its OR recursion fails beyond a few hundred words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import And, NullQuery, Or, Prefix, Query, Term

from .analysis import analysing
from .schema import PUBLIC_FIELDS, TEXT_FIELDS, make_schema

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MAX_TOKEN_CHARS = 60
MIN_PREFIX = 3
MAX_PREFIXES = 3
MAX_PREFIX_EXPANSION = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EXCLUDED = re.compile(r'-[\w"(]')


def clean(q: str) -> str:
    """The query with control characters removed and length and terms capped."""
    q = _CONTROL.sub(" ", q or "")[:MAX_QUERY_CHARS]
    tokens = [t[:MAX_TOKEN_CHARS] for t in q.split()][:MAX_TERMS]
    # "-word", '-"a phrase"' and "-(a OR b)" are NOT …: Whoosh's parser ignores the minus.
    # Not inside a phrase, where "-19" stays a word of it.
    out, quoted = [], False
    for token in tokens:
        out.append(f"NOT {token[1:]}" if not quoted and _EXCLUDED.match(token) else token)
        quoted ^= token.count('"') % 2 == 1
    return " ".join(out)


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
    query: Query  # what to search
    trees: dict[str, Query]  # the query as analysed for each language (for highlighting)


def _plain_words(q: str) -> Query:
    """The query's words without any syntax (lower case, so no operators either)."""
    try:
        return _parser().parse(" ".join(w.lower() for w in re.findall(r"\w+", q)))
    except Exception:
        return NullQuery


def parse(q: str, languages: tuple[str, ...]) -> Parsed | None:
    """A query matching `q` in records of every analysis language in `languages`, or None.

    The query is parsed once per language, and each language's tree applies only to records
    analysed in that language, so negation and phrases keep their meaning.
    """
    q = clean(q)
    if not q:
        return None
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
    if not trees:
        return None
    if len(languages) == 1:
        return Parsed(trees[languages[0]], trees)
    return Parsed(Or([And([Term("analysis", k), t]) for k, t in trees.items()]), trees)


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
