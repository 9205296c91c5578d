"""CQL2-Text (OGC 21-065, Basic CQL2 + spatial) → parameterised SQL over a collection's queryables.

The text is parsed by pygeofilter (a maintained parser, geopython); this module walks its
syntax tree and writes SQL in which every literal is a bound parameter cast to the
property's type — a value is never pasted into the statement.  Supported: comparisons
(``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``), ``AND``/``OR``/``NOT``, ``IS [NOT] NULL``,
``[NOT] BETWEEN``, ``[NOT] IN``, ``[NOT] LIKE`` (``%`` and ``_``), and the spatial
predicates ``S_INTERSECTS`` … ``S_EQUALS`` on the property ``geometry`` (WGS-84 literals:
WKT or ``BBOX(minx, miny, maxx, maxy)``).  Anything else → a 400 naming ``filter``.
"""

from __future__ import annotations

import datetime as dt
import json

from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle

from geo.errors import InvalidInput
from geo.postgis.collections.model import SQL_TYPE, Collection, Property

MAX_FILTER_CHARS = 4000
_CMP = {ast.ComparisonOp.EQ: "=", ast.ComparisonOp.NE: "<>", ast.ComparisonOp.LT: "<",
        ast.ComparisonOp.LE: "<=", ast.ComparisonOp.GT: ">", ast.ComparisonOp.GE: ">="}
_SPATIAL = {ast.SpatialComparisonOp.INTERSECTS: "ST_Intersects", ast.SpatialComparisonOp.DISJOINT: "ST_Disjoint",
            ast.SpatialComparisonOp.CONTAINS: "ST_Contains", ast.SpatialComparisonOp.WITHIN: "ST_Within",
            ast.SpatialComparisonOp.TOUCHES: "ST_Touches", ast.SpatialComparisonOp.CROSSES: "ST_Crosses",
            ast.SpatialComparisonOp.OVERLAPS: "ST_Overlaps", ast.SpatialComparisonOp.EQUALS: "ST_Equals"}
GEOMETRY = "geometry"  # the spatial queryable's name (OGC API – Features Part 3)


class _Attr(str):
    """SQL of a property reference, remembering the property (to type the literals beside it)."""

    prop: Property | None = None


class _Lit:
    def __init__(self, value):
        self.value = value


def _bad(message: str) -> InvalidInput:
    return InvalidInput("filter", f"CQL2 过滤条件无效：{message}")


class _ToSQL(Evaluator):
    def __init__(self, collection: Collection, prefix: str):
        self.c = collection
        self.prefix = prefix
        self.params: dict = {}

    # literals and attributes --------------------------------------------------------------
    def bind(self, value, prop: Property | None) -> str:
        name = f"{self.prefix}{len(self.params)}"
        if prop is not None:
            kind = prop.items if prop.type == "array" else prop.type
            value = _coerce(value, kind, prop.name)
            self.params[name] = value
            return f"cast(:{name} as {SQL_TYPE[kind]})"
        self.params[name] = value
        return f":{name}"

    @handle(ast.Attribute)
    def attribute(self, node):
        if node.name == GEOMETRY:
            out = _Attr(self.c.spatial_column)
            return out
        p = self.c.prop(node.name)
        if p is None or not p.filterable:
            raise _bad(f"未知或不可查询的属性 {node.name}（可用：{', '.join(q.name for q in self.c.queryables)}）")
        out = _Attr(f"({p.sql})")
        out.prop = p
        return out

    @handle(*values.LITERALS)
    def literal(self, node):
        return _Lit(node)

    @handle(values.Geometry)
    def geometry(self, node):
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = json.dumps(node.geometry)
        return f"ST_SetSRID(ST_GeomFromGeoJSON(:{name}), 4326)"

    @handle(values.Envelope)
    def envelope(self, node):
        return self._envelope(node.x1, node.y1, node.x2, node.y2)

    @handle(ast.Function)
    def function(self, node, *args):
        if node.name.lower() == "bbox" and len(args) in (4, 6):
            nums = [a.value for a in args]
            x0, y0, x1, y1 = (nums[0], nums[1], nums[2], nums[3]) if len(nums) == 4 else (nums[0], nums[1], nums[3], nums[4])
            return self._envelope(x0, y0, x1, y1)
        raise _bad(f"不支持的函数 {node.name}")

    def _envelope(self, x0, y0, x1, y1) -> str:
        names = []
        for v in (x0, y0, x1, y1):
            if not isinstance(v, (int, float)):
                raise _bad("BBOX 应为 4 个数字")
            names.append(self.bind(float(v), None))
        return f"ST_MakeEnvelope({', '.join(names)}, 4326)"

    def _operand(self, value, other) -> str:
        if isinstance(value, _Lit):
            return self.bind(value.value, getattr(other, "prop", None))
        return value

    # predicates ---------------------------------------------------------------------------
    @handle(ast.Not)
    def not_(self, node, sub):
        return f"not ({sub})"

    @handle(ast.And, ast.Or)
    def combination(self, node, lhs, rhs):
        return f"(({lhs}) {'and' if isinstance(node, ast.And) else 'or'} ({rhs}))"

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        _need_attribute(lhs, rhs)
        left, right = self._operand(lhs, rhs), self._operand(rhs, lhs)
        for side in (lhs, rhs):
            if isinstance(side, _Attr) and side.prop is not None and side.prop.type == "array":
                other = right if side is lhs else left
                if node.op == ast.ComparisonOp.EQ:
                    return f"({other} = any({side}))"
                raise _bad(f"数组属性 {side.prop.name} 只支持 =")
        return f"({left} {_CMP[node.op]} {right})"

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        _need_attribute(lhs)
        return f"({lhs} {'not ' if node.not_ else ''}between {self._operand(low, lhs)} and {self._operand(high, lhs)})"

    @handle(ast.Like)
    def like(self, node, lhs):
        if getattr(lhs, "prop", None) is None or lhs.prop.type != "string":
            raise _bad("LIKE 只能用于文本属性")
        pattern = self.bind(node.pattern, lhs.prop)
        return f"({lhs} {'not ' if node.not_ else ''}{'ilike' if node.nocase else 'like'} {pattern})"

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        _need_attribute(lhs)
        binds = ", ".join(self._operand(o, lhs) for o in options)
        return f"({lhs} {'not ' if node.not_ else ''}in ({binds}))"

    @handle(ast.IsNull)
    def null(self, node, lhs):
        _need_attribute(lhs)
        return f"({lhs} is {'not ' if node.not_ else ''}null)"

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial(self, node, lhs, rhs):
        for side in (lhs, rhs):
            if not isinstance(side, str) or (isinstance(side, _Attr) and side.prop is not None):
                raise _bad(f"空间谓词的两边应为 {GEOMETRY} 或几何字面量")
        return f"{_SPATIAL[node.op]}({lhs}, {rhs})"

    @handle(ast.BBox)
    def bbox(self, node, lhs):
        return f"ST_Intersects({lhs}, {self._envelope(node.minx, node.miny, node.maxx, node.maxy)})"

    def adopt(self, node, *sub_args):
        raise _bad(f"不支持的表达式 {type(node).__name__}")


def _need_attribute(*sides) -> None:
    if not any(isinstance(s, _Attr) for s in sides):
        raise _bad("比较的一边应为属性名")


def _coerce(value, kind: str, name: str):
    ok = {"integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
          "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
          "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
          "date": lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
          "datetime": lambda v: isinstance(v, (dt.datetime, dt.date))}[kind]
    if not ok(value):
        label = {"integer": "整数", "number": "数字", "string": "文本（单引号）", "boolean": "true/false",
                 "date": "DATE('YYYY-MM-DD')", "datetime": "TIMESTAMP('…')"}[kind]
        raise _bad(f"属性 {name} 的值应为{label}，实际 {value!r}")
    if kind == "integer" and abs(value) >= 2**63:
        raise _bad(f"属性 {name} 的值超出范围")
    return value


def to_sql(text: str, collection: Collection, *, prefix: str = "_q") -> tuple[str, dict]:
    """``(condition, bound values)`` for a CQL2-Text ``filter`` on ``collection``."""
    from pygeofilter.parsers.cql2_text import parse

    if len(text) > MAX_FILTER_CHARS:
        raise _bad(f"过长（最多 {MAX_FILTER_CHARS} 个字符）")
    try:
        tree = parse(text)
    except Exception as exc:  # noqa: BLE001 - lark raises many kinds; all are bad input
        raise _bad(f"无法解析（{type(exc).__name__}）") from None
    ev = _ToSQL(collection, prefix)
    sql = ev.evaluate(tree)
    if not isinstance(sql, str) or isinstance(sql, _Attr):
        raise _bad("应为条件表达式")
    return sql, ev.params
