"""Write comparison data for one model: its weights as a torch.save'd
state_dict, a random input and torch's output for it.

    python3 -m torchref.dump MODEL --size S [--seed N] [--batch B] [--features] --out DIR

DIR receives weights.pth (the state_dict under the reference's key names,
float32), input.npy [B, 3, S, S] (float32, N(0, 1)) and output.npy (torch's
eval-mode output, computed in float64 and stored as float32); with
--features the model is built features_only and each output is written as
output_NAME.npy under timm's feature_info names (act1, layer1 ... layer4).
The weights are the references' conv init with batch norms made
non-trivial: gamma U(0.25, 0.75), beta and the running mean N(0, 0.1^2),
the running variance U(0.5, 2), so that folding them changes values. The
same seed gives the same files.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

from . import zoo


def randomize(model):
    """The references' conv init, then non-trivial batch-norm parameters
    and statistics."""
    zoo.init_reference(model)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.25, 0.75)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 2.0)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m torchref.dump", description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--size", type=int, required=True, help="input height and width")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--features", action="store_true", help="features_only: one output per stage")
    ap.add_argument("--out", required=True, help="directory to write into (created)")
    args = ap.parse_args(argv)
    if args.size < 1 or args.batch < 1:
        ap.error("--size and --batch must be positive")
    if args.model in zoo.CIFAR and args.size != 32:
        ap.error("%s takes 32x32 inputs (its head is AvgPool2d(8))" % args.model)
    torch.manual_seed(args.seed)
    model = zoo.build(args.model, features_only=args.features)
    randomize(model)
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(args.out, "weights.pth"))
    x = torch.randn(args.batch, 3, args.size, args.size)
    np.save(os.path.join(args.out, "input.npy"), x.numpy().astype("<f4"))
    with torch.no_grad():
        y = model.double()(x.double())
    outputs = y if isinstance(y, dict) else {"": y}
    for name, v in outputs.items():
        path = os.path.join(args.out, "output_%s.npy" % name if name else "output.npy")
        v = v.numpy().astype("<f4")
        if not np.isfinite(v).all():
            print("torchref.dump: %s output %r is not finite" % (args.model, name), file=sys.stderr)
            return 1
        np.save(path, v)
        print("%s %s: shape %s, max |y| %.4g" % (args.model, name or "output", list(v.shape), float(np.abs(v).max())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
