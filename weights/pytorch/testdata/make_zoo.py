# Writes the fixtures of TestTorchvisionZoo with Debian's torchvision:
#   python3 make_zoo.py OUT_DIR MODEL:SIZE:BATCH...
# For each case, under KEY = MODEL_SIZE (a model may be checked at several
# sizes): KEY.pth (the state_dict of torchvision's own model, with
# random weights and every normalisation, bias and layer scale moved away
# from its initial value), KEY.input.npy (BATCH random 3xSIZExSIZE
# images) and torchvision's eval-mode forward of it: KEY.out.npy for a
# model returning one tensor, or KEY.out.NAME.npy for each entry of a
# model returning a dict (the FPN backbone), with the names in order in
# KEY.outputs.txt.
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.ops.misc import FrozenBatchNorm2d

torch.set_num_threads(2)
out = sys.argv[1]


def fpn_backbone():
    from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
    return resnet_fpn_backbone(backbone_name="resnet50", weights=None, trainable_layers=5)


# Models that are not a torchvision.models constructor of the same name.
CONSTRUCTORS = {"resnet50_fpn_backbone": fpn_backbone}


def randomise(model, seed):
    """Moves every normalisation's statistics and affine values, every bias
    and every layer scale away from their initial values, so that folding
    and fusion must carry them."""
    g = torch.Generator().manual_seed(seed)

    def rand(t, lo, hi):
        t.copy_(lo + (hi - lo) * torch.rand(t.shape, generator=g))

    def randn(t, s):
        t.copy_(s * torch.randn(t.shape, generator=g))

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm2d, FrozenBatchNorm2d)):
                rand(m.weight, 0.2, 0.6)
                randn(m.bias, 0.1)
                randn(m.running_mean, 0.1)
                rand(m.running_var, 0.5, 1.5)
            elif isinstance(m, (torch.nn.LayerNorm, torch.nn.GroupNorm)):
                rand(m.weight, 0.5, 1.5)
                randn(m.bias, 0.1)
            elif isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)) and m.bias is not None:
                randn(m.bias, 0.1)
        for name, p in model.named_parameters():
            if name.endswith("layer_scale"):
                rand(p, 0.1, 0.5)


def save(name, value):
    np.save(os.path.join(out, name), value.detach().numpy().astype(np.float32))


for i, case in enumerate(sys.argv[2:]):
    name, size, batch = case.split(":")
    key = name + "_" + size
    torch.manual_seed(i)
    model = CONSTRUCTORS.get(name, lambda: getattr(torchvision.models, name)())()
    randomise(model, 100 + i)
    model.eval()
    x = torch.randn(int(batch), 3, int(size), int(size), generator=torch.Generator().manual_seed(1000 + i))
    with torch.no_grad():
        y = model(x)
    torch.save(model.state_dict(), os.path.join(out, key + ".pth"))
    save(key + ".input.npy", x)
    if isinstance(y, dict):
        for k, v in y.items():
            save(key + ".out." + k + ".npy", v)
        with open(os.path.join(out, key + ".outputs.txt"), "w") as f:
            f.write("\n".join(y.keys()) + "\n")
    else:
        save(key + ".out.npy", y)
    del model, y
