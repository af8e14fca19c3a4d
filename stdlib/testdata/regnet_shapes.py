# Prints the state_dict shapes of torchvision's RegNet for design
# parameters, for TestRegNetDesignSpace:
#   python3 regnet_shapes.py '{"NAME": {"depth": 16, "w_0": 48, ...}, ...}'
# Each entry is BlockParams.from_init_params's arguments (depth, w_0, w_a,
# w_m, group_width, se_ratio, bottleneck_multiplier) plus RegNet's
# stem_width and num_classes; the output is {"NAME": {"KEY": [shape]}}
# without num_batches_tracked. Parameters are allocated, not initialised
# (the shapes are all that is compared), so torchvision's 644M-parameter
# regnet_y_128gf costs nothing.
import json
import sys

import torch
from torchvision.models import regnet

for f in ("normal_", "ones_", "zeros_"):
    setattr(torch.nn.init, f, lambda t, *a, **k: t)
for c in (torch.nn.modules.conv._ConvNd, torch.nn.Linear, torch.nn.modules.batchnorm._NormBase):
    c.reset_parameters = lambda self: None

out = {}
for name, p in json.loads(sys.argv[1]).items():
    p = dict(p)
    kw = {"stem_width": p.pop("stem_width", 32), "num_classes": p.pop("num_classes", 1000)}
    if p.get("se_ratio") == 0:
        p["se_ratio"] = None
    model = regnet.RegNet(regnet.BlockParams.from_init_params(**p), **kw)
    out[name] = {k: list(v.shape) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    del model
print(json.dumps(out))
