"""The Logs Insights query language subset: tokens, filter predicates and the query plan.

Supported pipeline commands: `fields`, `filter`, `stats … [by …]`, `sort`, `limit`.
Filters: comparisons (`=`, `!=`, `<`, `<=`, `>`, `>=`) against a string or number, `like`
/ `not like` with a /regex/ or a "substring", `ispresent(field)`, combined with `and`, `or`,
`not` and parentheses. Aggregates: count(*), count(x), sum, avg, min, max, pct(x, N) and its
synonym percentile(x, N), where x is a field or a function (see insights_values). `fields` may
compute a new field (`fields coalesce(a, b) as c`); `stats … by` takes fields and `bin(1m)`.

Anything else (parse, display, dedup, other functions, arithmetic…) raises Unsupported, and
the caller hands the query to moto unchanged, as a real endpoint with fewer features would.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lambdatop.demo.mends.insights_values import (
    Expression,
    FieldSource,
    Unsupported,
    Value,
    as_number,
    as_text,
)
from lambdatop.demo.mends.insights_values import function as call

# -- tokens ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # name, string, regex, number, op, pipe, lparen, rparen, comma, star
    text: str
    start: int
    end: int


_NAME = re.compile(r"[@A-Za-z_][\w.@-]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_OPS = ("<=", ">=", "!=", "=~", "=", "<", ">")


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        char = query[i]
        if char.isspace():
            i += 1
            continue
        if char in "\"'":
            end = i + 1
            while end < len(query) and query[end] != char:
                end += 2 if query[end] == "\\" else 1
            if end >= len(query):
                raise Unsupported("unterminated string")
            text = query[i + 1 : end].replace("\\" + char, char)
            tokens.append(_Token("string", text, i, end + 1))
            i = end + 1
            continue
        if char == "/" and tokens and (tokens[-1].text.lower() == "like" or tokens[-1].text == "=~"):
            end = i + 1
            while end < len(query) and query[end] != "/":
                end += 2 if query[end] == "\\" else 1
            if end >= len(query):
                raise Unsupported("unterminated regex")
            tokens.append(_Token("regex", query[i + 1 : end], i, end + 1))
            i = end + 1
            continue
        if char == "`":
            end = query.find("`", i + 1)
            if end < 0:
                raise Unsupported("unterminated quoted field")
            tokens.append(_Token("name", query[i + 1 : end], i, end + 1))
            i = end + 1
            continue
        single = {"|": "pipe", "(": "lparen", ")": "rparen", ",": "comma", "*": "star"}
        if char in single:
            tokens.append(_Token(single[char], char, i, i + 1))
            i += 1
            continue
        op = next((o for o in _OPS if query.startswith(o, i)), None)
        if op:
            tokens.append(_Token("op", op, i, i + len(op)))
            i += len(op)
            continue
        if match := _NUMBER.match(query, i):
            tokens.append(_Token("number", match.group(), i, match.end()))
            i = match.end()
            continue
        if match := _NAME.match(query, i):
            tokens.append(_Token("name", match.group(), i, match.end()))
            i = match.end()
            continue
        raise Unsupported(f"unexpected character {char!r}")
    return tokens


# -- expressions -------------------------------------------------------------------------


Predicate = Callable[[FieldSource], bool]


class _Parser:
    def __init__(self, tokens: Sequence[_Token], text: str = "") -> None:
        self.tokens = tokens
        self.text = text  # the whole query: calls are named as written (`bin(1m)`)
        self.at = 0

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None:
            raise Unsupported("unexpected end of query")
        if kind is not None and token.kind != kind:
            raise Unsupported(f"expected {kind}, found {token.text!r}")
        if text is not None and token.text.lower() != text:
            raise Unsupported(f"expected {text!r}, found {token.text!r}")
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text.lower() == word:
            self.at += 1
            return True
        return False

    def done(self) -> bool:
        return self.at >= len(self.tokens)

    # filter expressions
    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.keyword("or"):
            right = self.conjunction()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.negation()
        while self.keyword("and"):
            right = self.negation()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def negation(self) -> Predicate:
        if self.keyword("not"):
            inner = self.negation()
            return lambda r: not inner(r)
        return self.primary()

    def primary(self) -> Predicate:
        token = self.peek()
        if token is not None and token.kind == "lparen":
            self.take()
            inner = self.expression()
            self.take("rparen")
            return inner
        if token is not None and token.kind == "name" and token.text.lower() == "ispresent":
            self.take()
            self.take("lparen")
            name = self.take("name").text
            self.take("rparen")
            return lambda r: r.get(name) is not None
        name = self.take("name").text
        if self.keyword("not"):
            self.take("name", "like")
            matcher = self.pattern()
            return lambda r: not matcher(r.get(name))
        if self.keyword("like"):
            matcher = self.pattern()
            return lambda r: matcher(r.get(name))
        op = self.take("op").text
        if op == "=~":
            matcher = self.pattern()
            return lambda r: matcher(r.get(name))
        literal = self.take()
        return _comparison(name, op, literal)

    def value_expression(self) -> tuple[str, Expression]:
        """A field or a function call; returns (its text, as Insights names the column; how to
        compute it)."""
        first = self.take()
        if first.kind == "string":
            text = first.text
            return repr(text), lambda r: text
        if first.kind == "number":
            number = float(first.text)
            return first.text, lambda r: number
        if first.kind != "name":
            raise Unsupported(f"expected a field, found {first.text!r}")
        upcoming = self.peek()
        if upcoming is None or upcoming.kind != "lparen":
            name = first.text
            return name, lambda r: r.get(name)
        function = first.text.lower()
        self.take("lparen")
        arguments: list[tuple[str, Expression]] = []
        raw: list[str] = []
        while True:
            token = self.peek()
            if token is None:
                raise Unsupported("unterminated function call")
            if token.kind == "rparen":
                break
            if function == "bin":
                raw.append(self.take().text)
            else:
                arguments.append(self.value_expression())
            token = self.peek()
            if token is not None and token.kind == "comma":
                self.take()
        close = self.take("rparen")
        text = self.text[first.start : close.end]
        return text, call(function, arguments, "".join(raw))

    def pattern(self) -> Callable[[Value], bool]:
        token = self.take()
        if token.kind == "regex":
            flags = 0
            source = token.text
            if source.startswith("(?i)"):
                flags, source = re.IGNORECASE, source[4:]
            try:
                compiled = re.compile(source, flags)
            except re.error as error:
                raise Unsupported(f"regex: {error}") from error
            return lambda v: v is not None and compiled.search(as_text(v)) is not None
        if token.kind == "string":
            needle = token.text
            return lambda v: v is not None and needle in as_text(v)
        raise Unsupported(f"expected a pattern, found {token.text!r}")


def _comparison(name: str, op: str, literal: _Token) -> Predicate:
    if literal.kind == "number":
        target = float(literal.text)
        compare = _NUMERIC_OPS[op]

        def numeric(record: FieldSource) -> bool:
            value = as_number(record.get(name))
            return value is not None and compare(value, target)

        return numeric
    if literal.kind == "string":
        expected = literal.text
        if op not in ("=", "!="):
            raise Unsupported("ordering comparison with a string")
        if op == "=":
            return lambda r: (v := r.get(name)) is not None and as_text(v) == expected
        return lambda r: (v := r.get(name)) is not None and as_text(v) != expected
    raise Unsupported(f"cannot compare with {literal.text!r}")


_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


# -- query plan --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Aggregate:
    function: str  # count, sum, avg, min, max, pct
    field: str | None  # None for count(*); else the argument as written (a field or a call)
    name: str
    p: float | None = None
    expression: Expression | None = None  # how to compute the argument


@dataclass(slots=True)
class Query:
    filters: list[Predicate] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    # Fields computed by `fields f(…) as name`, in order, before filters that follow and stats.
    computed: list[tuple[str, Expression]] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    group_expressions: list[Expression] = field(default_factory=list)
    sort: tuple[str, bool] | None = None  # (field, descending)
    limit: int | None = None

    @property
    def is_stats(self) -> bool:
        return bool(self.aggregates)


_AGGREGATES = {"count", "sum", "avg", "min", "max", "pct", "percentile"}


def parse_query(text: str) -> Query:
    """Parse a query string; raises Unsupported for anything outside the subset."""
    tokens = _tokens(text)
    commands: list[list[_Token]] = [[]]
    for token in tokens:
        if token.kind == "pipe":
            commands.append([])
        else:
            commands[-1].append(token)
    query = Query()
    for command in commands:
        if not command:
            raise Unsupported("empty command")
        _apply_command(query, command, text)
    return query


def _apply_command(query: Query, command: list[_Token], text: str) -> None:
    head = command[0].text.lower() if command[0].kind == "name" else ""
    parser = _Parser(command[1:], text)
    if head == "filter":
        if query.is_stats:
            raise Unsupported("filter after stats")
        query.filters.append(parser.expression())
    elif head == "fields":
        _parse_fields(query, parser)
    elif head == "stats":
        if query.is_stats:
            raise Unsupported("a second stats command")
        _parse_stats(query, parser, text)
    elif head == "sort":
        name = parser.take("name").text
        descending = False
        if parser.keyword("desc"):
            descending = True
        else:
            parser.keyword("asc")
        query.sort = (name, descending)
    elif head == "limit":
        query.limit = int(parser.take("number").text)
    else:
        raise Unsupported(f"command {command[0].text!r}")
    if not parser.done():
        leftover = parser.peek()
        raise Unsupported(f"unexpected {leftover.text if leftover else ''!r}")


def _parse_fields(query: Query, parser: _Parser) -> None:
    while True:
        text, expression = parser.value_expression()
        if parser.keyword("as"):
            text = parser.take("name").text
            query.computed.append((text, expression))
        elif not _NAME.fullmatch(text):
            query.computed.append((text, expression))
        query.fields.append(text)
        if parser.done():
            return
        parser.take("comma")


def _parse_stats(query: Query, parser: _Parser, text: str) -> None:
    while True:
        function_token = parser.take("name")
        function = function_token.text.lower()
        if function not in _AGGREGATES:
            raise Unsupported(f"aggregate {function_token.text!r}")
        parser.take("lparen")
        argument: str | None
        expression: Expression | None = None
        p = None
        upcoming = parser.peek()
        if function == "count" and upcoming is not None and upcoming.kind in ("star", "rparen"):
            if upcoming.kind == "star":
                parser.take()
            argument = None
        else:
            argument, expression = parser.value_expression()
            if function in ("pct", "percentile"):
                parser.take("comma")
                p = float(parser.take("number").text)
                if not 0 <= p <= 100:
                    raise Unsupported("percentile outside 0..100")
                function = "pct"
        close = parser.take("rparen")
        name = text[function_token.start : close.end]
        if parser.keyword("as"):
            name = parser.take("name").text
        query.aggregates.append(Aggregate(function, argument, name, p, expression))
        if parser.done():
            return
        if parser.keyword("by"):
            while True:
                by_text, by_expression = parser.value_expression()
                if parser.keyword("as"):
                    by_text = parser.take("name").text
                query.group_by.append(by_text)
                query.group_expressions.append(by_expression)
                if parser.done():
                    return
                parser.take("comma")
        parser.take("comma")
