"""Check the references against the upstream code they were written from,
where that code runs on Debian's torch: timm's models (a source checkout of
huggingface/pytorch-image-models; timm imports on torch 1.13) and
PyramidNet.py from dyhan0920/PyramidNet-PyTorch. Not part of the test
suite (neither is installed here): a tool to re-validate torchref after a
change, by hand.

    python3 -m torchref.crosscheck --timm-src DIR [--pyramidnet-src FILE] [--size S] [MODEL...]

For each model the reference's state_dict (dump's random weights) is
loaded into the upstream model with strict=True, so every key name and
shape must agree, and both run in float64 on the same random batch; the
largest difference is printed and must be 0 up to float64 rounding
(1e-9 of the largest output). --features also compares timm's
features_only outputs. Pre-activation ResNet's reference is Lua and is
not checked here.
"""

import argparse
import sys

import torch

from . import dump, preact, pyramidnet, zoo

_PYRAMID = {
    "pyramidnet110_a48": (110, 48, False), "pyramidnet110_a84": (110, 84, False),
    "pyramidnet110_a270": (110, 270, False), "pyramidnet164_a270": (164, 270, True),
    "pyramidnet272_a200": (272, 200, True),
}


def _upstream_pyramidnet(path):
    """PyramidNet.py, with its zero padding (torch.cuda.FloatTensor) made on
    the CPU in float64."""
    import importlib.util
    torch.cuda.FloatTensor = lambda *shape: torch.zeros(*shape, dtype=torch.float64)
    spec = importlib.util.spec_from_file_location("upstream_pyramidnet", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _compare(name, mine, theirs, size, features):
    theirs.load_state_dict(mine.state_dict(), strict=True)
    theirs.eval()
    x = torch.randn(2, 3, size, size, dtype=torch.float64)
    with torch.no_grad():
        a, b = mine.double()(x), theirs.double()(x)
    pairs = list(zip(a.items(), b)) if features else [(("output", a), b)]
    worst = 0.0
    for (key, u), v in pairs:
        if u.shape != v.shape:
            print("%s %s: shape %s, upstream %s" % (name, key, list(u.shape), list(v.shape)))
            return False
        worst = max(worst, ((u - v).abs().max() / v.abs().max()).item())
    print("%-22s %s keys, largest difference %.3g of the largest output" % (name, len(mine.state_dict()), worst))
    return worst <= 1e-9


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m torchref.crosscheck", description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="*")
    ap.add_argument("--timm-src", help="a checkout of huggingface/pytorch-image-models")
    ap.add_argument("--pyramidnet-src", help="PyramidNet.py of dyhan0920/PyramidNet-PyTorch")
    ap.add_argument("--size", type=int, default=64, help="input size of the timm models (CIFAR models: 32)")
    ap.add_argument("--features", action="store_true", help="compare timm's features_only outputs")
    args = ap.parse_args(argv)
    timm = None
    if args.timm_src:
        sys.path.insert(0, args.timm_src)
        import timm
    upstream_pyr = _upstream_pyramidnet(args.pyramidnet_src) if args.pyramidnet_src else None
    names = args.models or [n for n in zoo.MODELS if n not in preact.MODELS and
                            ((n in pyramidnet.MODELS and upstream_pyr) or (n not in pyramidnet.MODELS and timm))]
    ok = True
    for name in names:
        torch.manual_seed(0)
        features = args.features and name not in zoo.CIFAR
        mine = zoo.build(name, features_only=features)
        dump.randomize(mine)
        mine.eval()
        if name in pyramidnet.MODELS:
            if upstream_pyr is None:
                ap.error("%s needs --pyramidnet-src" % name)
            depth, alpha, bottleneck = _PYRAMID[name]
            theirs = upstream_pyr.PyramidNet("cifar10", depth, alpha, 10, bottleneck=bottleneck)
            size = 32
        elif name in zoo.CIFAR:
            ap.error("%s has no runnable upstream (Lua)" % name)
        else:
            if timm is None:
                ap.error("%s needs --timm-src" % name)
            theirs = timm.create_model(name, pretrained=False, features_only=features)
            size = args.size
        ok &= _compare(name, mine, theirs, size, features)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
