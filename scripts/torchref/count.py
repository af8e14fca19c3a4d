"""Count each model's parameters and conv + linear MACs by inspecting and
running the torch modules, and compare them with the reference table.

    python3 -m torchref.count [--table FILE]... [--device meta|cpu] [--json] [MODEL...]

trainable = the sum of parameters; total = trainable + every buffer but
num_batches_tracked (the BN running statistics); MACs = forward hooks on
every Conv2d (Cout * Hout * Wout * Cin / groups * kh * kw), Conv1d (ECA's
channel conv: Cout * Lout * Cin / groups * k; none in the residual zoo's
families) and Linear (in * out per row), batch 1, at the table's input
size. On the meta device
(the default) the forward propagates shapes only, so a whole table takes
seconds; --device cpu runs the real arithmetic. Exits 1 when a figure
disagrees with the table (MACs: at the table's rounding, 1e6); --json
prints one JSON object per model instead of the comparison. --table may
be given several times (default: reference.tsv here, the residual zoo's
rows for these families).
"""

import argparse
import contextlib
import json
import os
import sys

import torch
import torch.nn as nn

from . import zoo

HERE = os.path.dirname(os.path.abspath(__file__))


def read_table(path):
    """name -> (trainable, total, gmacs, (c, h, w)) from a reference TSV."""
    rows = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            rows[c[0]] = (int(c[2]), int(c[3]), float(c[4]), tuple(int(v) for v in c[5].split("x")))
    return rows


@contextlib.contextmanager
def uninitialised():
    """Build modules without running their initialisers: counting needs
    the shapes only, and filling ~700M parameters with random numbers
    would take most of the time."""
    classes = (nn.modules.conv._ConvNd, nn.Linear, nn.modules.batchnorm._NormBase)
    saved = [(c, c.__dict__["reset_parameters"]) for c in classes]
    try:
        for c, _ in saved:
            c.reset_parameters = lambda self: None
        yield
    finally:
        for c, f in saved:
            c.reset_parameters = f


def count(model, input_shape, device="meta"):
    """(trainable, total, macs) of model for one input of input_shape."""
    trainable = sum(p.numel() for p in model.parameters())
    total = trainable + sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    macs = []

    def on_conv(m, inputs, out):
        # Output positions times the multiply-accumulates of one: the same
        # formula for Conv2d [1, C, H, W] and Conv1d [1, C, L].
        k = 1
        for v in m.kernel_size:
            k *= v
        macs.append(out.numel() // out.shape[0] * (m.in_channels // m.groups) * k)

    def on_linear(m, inputs, out):
        macs.append(out.numel() // out.shape[0] * m.in_features)

    hooks = []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Conv1d)):
            hooks.append(m.register_forward_hook(on_conv))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(on_linear))
    model = model.to(device)
    with torch.no_grad():
        model(torch.zeros((1,) + tuple(input_shape), device=device))
    for h in hooks:
        h.remove()
    return trainable, total, sum(macs)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m torchref.count", description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="*", help="models to count (default: every row of the table)")
    ap.add_argument("--table", action="append", help="reference TSV (repeatable; default reference.tsv here)")
    ap.add_argument("--device", default="meta", choices=["meta", "cpu"])
    ap.add_argument("--json", action="store_true", help="print the counts as JSON lines, compare nothing")
    args = ap.parse_args(argv)
    tables = args.table or [os.path.join(HERE, "reference.tsv")]
    table = {}
    for path in tables:
        table.update(read_table(path))
    names = args.models or list(table)
    bad = 0
    for name in names:
        if name not in table:
            print("%s: not in %s" % (name, ", ".join(tables)), file=sys.stderr)
            return 2
        want_tr, want_to, want_g, shape = table[name]
        if args.device == "meta":
            with uninitialised():
                model = zoo.build(name)
        else:
            model = zoo.build(name)
        tr, to, macs = count(model, shape, args.device)
        if args.json:
            print(json.dumps(dict(name=name, trainable=tr, total=to, macs=macs, input=list(shape))), flush=True)
            continue
        diffs = []
        if tr != want_tr:
            diffs.append("trainable %d, table %d" % (tr, want_tr))
        if to != want_to:
            diffs.append("total %d, table %d" % (to, want_to))
        if abs(macs / 1e9 - want_g) > 0.0005:
            diffs.append("GMACs %.4f, table %.3f" % (macs / 1e9, want_g))
        bad += bool(diffs)
        print("%-22s %s  trainable %d  total %d  MACs %d" % (name, "; ".join(diffs) or "ok", tr, to, macs), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
