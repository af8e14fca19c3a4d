# Writes the fixtures of TestMobileNetOptions with Debian's torchvision:
#   python3 make_mobilenet_options.py OUT_DIR LABEL:MODEL:SIZE:KWARGS...
# KWARGS is a JSON object of torchvision constructor arguments
# (width_mult, round_nearest, reduced_tail, dilated, num_classes). For each
# case: LABEL.pth (the state_dict of torchvision's model with random
# weights and BN statistics, biases moved off their initial values),
# LABEL.input.npy (2 random 3xSIZExSIZE images) and LABEL.out.npy
# (torchvision's eval-mode forward of them).
import json
import os
import sys

import numpy as np
import torch
import torchvision

torch.set_num_threads(2)
out = sys.argv[1]
for i, case in enumerate(sys.argv[2:]):
    label, name, size, kwargs = case.split(":", 3)
    torch.manual_seed(i)
    model = getattr(torchvision.models, name)(**json.loads(kwargs))
    g = torch.Generator().manual_seed(200 + i)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(0.2 + 0.4 * torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
            elif isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)) and m.bias is not None:
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
    model.eval()
    x = torch.randn(2, 3, int(size), int(size), generator=torch.Generator().manual_seed(300 + i))
    with torch.no_grad():
        y = model(x)
    torch.save(model.state_dict(), os.path.join(out, label + ".pth"))
    np.save(os.path.join(out, label + ".input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, label + ".out.npy"), y.numpy().astype(np.float32))
