"""Rules for the runtime helpers that move cotangents between lists and arrays (the transposes
of splits, joins and list items), so that a derivative through a split, a stack, a list or a
tuple differentiates again (issue 9, part 3).

Each helper is linear in its cotangent; its rule is its transpose, and each transpose is a
helper with a rule of its own, so the chain closes at every order. Structural arguments (the
references, keys, the split helper and its arguments) only say where each piece goes.
"""

import s2s.runtime as rt
from s2s.registry import d, linear

PUT_BACK = "placing a part in a list; transpose: take it out"
TAKE_OUT = "taking a part out of a list; transpose: put it back"

# -- list items (xs.append undone, tuple literals, container cotangents) -----------------------


@linear(rt.put_last, structural=("cotangent",), source=PUT_BACK)
def put_last(result, ct, cotangent):
    d[ct] = rt.item_of(d[result], -1)


@linear(rt.put_all_but_last, structural=("cotangent",), source=PUT_BACK)
def put_all_but_last(result, ct, cotangent):
    d[ct] = rt.item_from(d[result], slice(None, -1))


@linear(rt.put_item, structural=("j", "parts"), source=PUT_BACK)
def put_item(result, ct, j, parts):
    d[ct] = rt.item_of(d[result], j)


@linear(rt.item_from, structural=("key",), source=TAKE_OUT)
def item_from(result, ct, key):
    d[ct] = rt.put_at(d[result], key, ct)


@linear(rt.put_at, structural=("key", "parts"), source=PUT_BACK)
def put_at(result, ct, key, parts):
    d[ct] = rt.item_from(d[result], key)


# -- joins and splits of a cotangent ------------------------------------------------------------


@linear(rt.unsplit, structural=("g", "split", "args"), source="a join of the parts; transpose: "
        "the split itself")  # fmt: skip
def unsplit(result, parts, g, split, args):
    d[parts] = rt.resplit(d[result], split, args)


@linear(rt.resplit, structural=("split", "args"), source="a split; transpose: unsplit (a join)")
def resplit(result, ct, split, args):
    d[ct] = rt.unsplit(d[result], ct, split, args)


@linear(rt.rearray, structural=("g", "a", "result_"), source="a stack of the literal's items' "
        "parts; transpose: unarray (one piece per item)")  # fmt: skip
def rearray(result, parts, g, a, result_=None):
    d[parts] = rt.unarray(d[result], a, result_)


@linear(rt.unbroadcast_parts, structural=("args",), source="each part summed onto its input; "
        "transpose: broadcast back")  # fmt: skip
def unbroadcast_parts(result, parts, args):
    d[parts] = rt.rebroadcast_parts(d[result], parts)


@linear(rt.rebroadcast_parts, structural=("parts",), source="each cotangent broadcast onto its "
        "part; transpose: sum back (unbroadcast_parts)")  # fmt: skip
def rebroadcast_parts(result, cts, parts):
    d[cts] = rt.unbroadcast_parts(d[result], cts)


@linear(rt.unmeshgrid, structural=("xi", "indexing"), source="numpy.meshgrid's transpose: each "
        "grid summed over its other axes; transpose: spread again")  # fmt: skip
def unmeshgrid(result, parts, xi, indexing="xy"):
    d[parts] = rt.remeshgrid(d[result], parts, indexing)


@linear(rt.remeshgrid, structural=("parts", "indexing"), source="numpy.meshgrid (a spread); "
        "transpose: unmeshgrid")  # fmt: skip
def remeshgrid(result, cts, parts, indexing="xy"):
    d[cts] = rt.unmeshgrid(d[result], cts, indexing)


@linear(rt.unsum_back, structural=("g",), source="a sum of the parts; transpose: copies (unsum)")
def unsum_back(result, parts, g):
    d[parts] = rt.unsum(d[result], parts)


SPLIT = ("ary", "indices_or_sections", "axis")


@linear(rt.unsplit_parts, structural=SPLIT, source="numpy.concatenate of the pieces; "
        "transpose: numpy.array_split")  # fmt: skip
def unsplit_parts(result, parts, ary, indices_or_sections, axis=0):
    d[parts] = rt.split_parts(d[result], parts, ary, indices_or_sections, axis)


@linear(rt.split_parts, structural=("parts",) + SPLIT, source="numpy.array_split; transpose: "
        "numpy.concatenate of the pieces")  # fmt: skip
def split_parts(result, ct, parts, ary, indices_or_sections, axis=0):
    d[ct] = rt.unsplit_parts(d[result], ary, indices_or_sections, axis)


BLOCK = "numpy.block: every entry of the block is one entry of one leaf"


@linear(rt.unblock, structural=("arrays",), source=BLOCK + "; unblock's transpose: reblock")
def unblock(result, g, arrays):
    d[g] = rt.reblock(d[result], arrays)


@linear(rt.reblock, structural=("arrays",), source=BLOCK + "; reblock's transpose: unblock")
def reblock(result, pieces, arrays):
    d[pieces] = rt.unblock(d[result], arrays)


@linear(rt.unlist, structural=("x",), source="the rows' parts stacked; transpose: the rows")
def unlist(result, ct, x):
    d[ct] = rt.relist(d[result], ct)


@linear(rt.relist, structural=("parts",), source="the rows of g; transpose: stacked back")
def relist(result, g, parts):
    d[g] = rt.unlist(d[result], g)
