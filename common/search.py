"""Full-text search in the languages of the region: one behaviour wherever a list is searched.

Every word is indexed three times: stemmed by PostgreSQL's `russian` and `english`
configurations and kept as it is (`simple`, for Turkmen, names and references, which no
dictionary knows). Accents are folded here, in Python, on both sides (`search_fold`): the
embedded PostgreSQL of `make run` has no `unaccent`, and the behaviour must not depend on the
server. Each pair of adjacent words is also indexed joined ("cyber security" →
`cybersecurity`), and the query tries adjacent words joined too, so both spellings of a
compound find the same records. Query words match as prefixes (`Turkmen` finds
`Turkmenistan`).

Query syntax (web-search style): words (all must match), `"a quoted phrase"` (those words in
that order, stemmed, no prefix), `-word` or `-"phrase"` (excluded), `or` between two terms; a
token of several parts (`TM-2024-04`, `cyber-security`) matches its parts in a row.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQueryField
from django.db import connection as default_connection
from django.db.models import BooleanField, Expression, F, FloatField, Func, QuerySet

# A record's text by weight: A ranks highest (reference, title), D lowest.
WEIGHTS = ("A", "B", "C", "D")
STEMMED = ("english", "russian")
# A longer query is cut here: every word costs a few tsquery calls and parameters.
MAX_QUERY_WORDS = 32
# Adjacent query words are also tried joined (compounds) up to this many terms.
MAX_COMPOUND_TERMS = 8

# The name of a searched row's rank (higher is better), for ordering by relevance.
SEARCH_RANK = "search_rank"

_WORD = re.compile(r"[^\W_]+")


def search_fold(text: str) -> str:
    """Lower case without accents: `Aşgabat` → `asgabat`, `ň ý ž ä ö ü ç` → `n y z a o u c`,
    `ё` loses its diaeresis. `й` stays: it is a letter of its own to the Russian stemmer."""
    decomposed = unicodedata.normalize("NFKD", text.lower()).replace("и\u0306", "й")
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_words(text: str) -> list[str]:
    """The folded words of `text`: letters and digits; anything else separates."""
    return _WORD.findall(search_fold(text))


# --- the document ---------------------------------------------------------------------------


def search_document(texts: Mapping[str, Iterable[str]]) -> list[str]:
    """The parameters of VECTOR_SQL for one record, from its texts by weight: for each weight,
    its words, then its adjacent words joined (within one text: never across two fields)."""
    row = []
    for weight in WEIGHTS:
        words, pairs = [], []
        for text in texts.get(weight, ()):
            folded = search_words(text or "")
            words.extend(folded)
            pairs.extend(a + b for a, b in itertools.pairwise(folded))
        row += [" ".join(words), " ".join(pairs)]
    return row


def _weighted_sql(weight: str) -> str:
    words, pairs = f"d.w{weight.lower()}", f"d.p{weight.lower()}"
    stemmed = "".join(f" || to_tsvector('{config}'::regconfig, {words})" for config in STEMMED)
    return (
        f"setweight(to_tsvector('simple'::regconfig, {words}){stemmed}"
        f" || to_tsvector('simple'::regconfig, {pairs}), '{weight}')"
    )


# The tsvector of a row `d` of search_document's columns.
VECTOR_SQL = " || ".join(_weighted_sql(weight) for weight in WEIGHTS)
_COLUMNS = ", ".join(f"w{w.lower()}, p{w.lower()}" for w in WEIGHTS)
_BATCH = 100


def search_vectors_write(
    table: str, documents: Mapping[int, list[str]], *, connection=default_connection
) -> None:
    """Set `search_vector` of the rows of `table` (ids → `search_document(...)`), a hundred
    rows an UPDATE."""
    items = list(documents.items())
    arrays = ", ".join(["%s::bigint[]"] + ["%s::text[]"] * (2 * len(WEIGHTS)))
    sql = (
        f"UPDATE {connection.ops.quote_name(table)} AS t SET search_vector = {VECTOR_SQL} "
        f"FROM unnest({arrays}) AS d(id, {_COLUMNS}) WHERE t.id = d.id"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(items), _BATCH):
            batch = items[start : start + _BATCH]
            columns = [list(column) for column in zip(*(row for _, row in batch), strict=True)]
            cursor.execute(sql, [[pk for pk, _ in batch], *columns])


# --- the query ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    words: tuple[str, ...]
    quoted: bool = False
    negated: bool = False

    @property
    def plain_word(self) -> bool:
        return len(self.words) == 1 and not self.quoted and not self.negated


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _parse(query: str) -> list[list[_Term]]:
    """Terms AND-ed; each a list of alternatives (`a or b`), as websearch_to_tsquery reads."""
    clauses: list[list[_Term]] = []
    join_next = False
    count = 0
    for match in _TOKEN.finditer(query):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if search_fold(bare) == "or":
                join_next = bool(clauses)
                continue
            minus, text = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        else:
            text = phrase
        words = tuple(search_words(text))[: MAX_QUERY_WORDS - count]
        if not words:
            continue
        count += len(words)
        term = _Term(words, quoted=bare is None, negated=bool(minus))
        if join_next:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
        if count >= MAX_QUERY_WORDS:
            break
    return clauses


def _prefix_sql(word: str, params: list, *, stop_words: bool = True) -> str:
    # A word on its own that a stemmer drops (a stop word: "for", "в") is dropped: the empty
    # tsquery is the neutral element of && and ||. Within a reference ("FOR-1") it counts.
    operand = f"'{word}':*"  # letters and digits only (search_words): nothing to escape
    english, russian, simple = (
        f"to_tsquery('{config}'::regconfig, %s)" for config in ("english", "russian", "simple")
    )
    if not stop_words:
        params += [operand] * 3
        return f"{english} || {russian} || {simple}"
    params += [operand] * 5
    return (
        f"CASE WHEN numnode({english}) = 0 OR numnode({russian}) = 0 THEN ''::tsquery "
        f"ELSE {english} || {russian} || {simple} END"
    )


def _term_sql(term: _Term, params: list) -> str:
    if term.quoted:
        params += [" ".join(term.words)] * 3
        sql = " || ".join(
            f"phraseto_tsquery('{config}'::regconfig, %s)" for config in (*STEMMED, "simple")
        )
    elif len(term.words) == 1:
        sql = _prefix_sql(term.words[0], params)
    else:  # a hyphenated or dotted token: its parts in a row, or written as one word
        parts = " <-> ".join(
            f"({_prefix_sql(word, params, stop_words=False)})" for word in term.words
        )
        sql = f"({parts}) || ({_prefix_sql(''.join(term.words), params, stop_words=False)})"
    return f"!!({sql})" if term.negated else f"({sql})"


def _clauses_sql(clauses: list[list[_Term]], params: list) -> str:
    return " && ".join(
        "(" + " || ".join(_term_sql(term, params) for term in clause) + ")" for clause in clauses
    )


def _tsquery_sql(clauses: list[list[_Term]]) -> tuple[str, list]:
    params: list = []
    alternatives = [_clauses_sql(clauses, params)]
    if len(clauses) <= MAX_COMPOUND_TERMS:
        for index in range(len(clauses) - 1):
            first, second = clauses[index], clauses[index + 1]
            if len(first) == len(second) == 1 and first[0].plain_word and second[0].plain_word:
                joined = _Term((first[0].words[0] + second[0].words[0],))
                rewritten = [*clauses[:index], [joined], *clauses[index + 2 :]]
                alternatives.append(_clauses_sql(rewritten, params))
    return " || ".join(f"({sql})" for sql in alternatives), params


class SearchTsQuery(Expression):
    """The tsquery of a user's query, built from its folded words (see the module's doc)."""

    output_field = SearchQueryField()

    def __init__(self, query: str):
        super().__init__()
        self.clauses = _parse(query)

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def as_sql(self, compiler, connection):
        sql, params = _tsquery_sql(self.clauses)
        return f"({sql})", params


class _Matches(Func):
    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def search_filter(
    queryset: QuerySet, *, query: str, field: str = "search_vector", rank_as: str | None = None
) -> QuerySet:
    """`queryset` narrowed to what `query` finds in `field` (GIN-indexed); with `rank_as`, each
    row's rank (ts_rank_cd: the weights, how close the words are) under that name. A query
    without a word finds nothing."""
    tsquery = SearchTsQuery(query)
    if tsquery.is_empty:
        return queryset.none()
    queryset = queryset.filter(_Matches(F(field), tsquery))
    if rank_as:
        rank = Func(F(field), tsquery, function="ts_rank_cd", output_field=FloatField())
        queryset = queryset.annotate(**{rank_as: rank})
    return queryset
