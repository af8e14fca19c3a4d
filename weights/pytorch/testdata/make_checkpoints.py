# Writes the checkpoints that weights/pytorch's tests read, with real
# torch.save, and what they must read as, with numpy:
#   python3 make_checkpoints.py OUT_DIR MODEL...
# For each torchvision MODEL: MODEL.pth (its state_dict, random weights with
# batch-norm statistics and biases away from their initial values) and
# MODEL.logits.npy (torchvision's own forward of input.npy, in eval mode).
# Then small checkpoints in every layout the reader takes, or refuses.
import collections
import os
import pickle
import sys

import numpy as np
import torch
import torchvision

torch.set_num_threads(1)
out = sys.argv[1]


def path(name):
    return os.path.join(out, name)


def randomise(model, seed):
    """Gives every batch norm and bias values that folding must carry."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(0.2 + 0.4 * torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
            elif isinstance(m, torch.nn.Linear):
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))


x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
np.save(path("input.npy"), x.numpy())
for i, name in enumerate(sys.argv[2:]):
    torch.manual_seed(i)
    model = getattr(torchvision.models, name)()
    randomise(model, 100 + i)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    torch.save(model.state_dict(), path(name + ".pth"))
    np.save(path(name + ".logits.npy"), logits.numpy())

# A small state_dict and its values, in every wrapping.
g = torch.Generator().manual_seed(2)
small = collections.OrderedDict()
small["conv.weight"] = torch.randn(4, 3, 3, 3, generator=g)
small["conv.bias"] = torch.randn(4, generator=g)
small["bn.running_var"] = 0.5 + torch.rand(4, generator=g)
small["bn.num_batches_tracked"] = torch.tensor(7)
for k, v in small.items():
    if v.is_floating_point():
        np.save(path("small." + k + ".npy"), v.numpy())
torch.save(small, path("small.pth"))
torch.save(small, path("small_legacy.pth"), _use_new_zipfile_serialization=False)
torch.save({k: v.half() if v.is_floating_point() else v for k, v in small.items()}, path("small_fp16.pth"))
torch.save({k: v.bfloat16() if v.is_floating_point() else v for k, v in small.items()}, path("small_bf16.pth"))
for k, v in small.items():
    if v.is_floating_point():
        np.save(path("small_fp16." + k + ".npy"), v.half().float().numpy())
        np.save(path("small_bf16." + k + ".npy"), v.bfloat16().float().numpy())
module = collections.OrderedDict(("module." + k, v) for k, v in small.items())
torch.save(module, path("small_module.pth"))
# A training checkpoint: the state_dict beside an optimizer's state, the
# epoch and other plain values.
net = torch.nn.Linear(3, 2)
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
net(torch.ones(1, 3)).sum().backward()
opt.step()
torch.save({"epoch": 3, "arch": "small", "best_acc1": 0.5, "state_dict": small,
            "optimizer": opt.state_dict()}, path("small_wrapped_state_dict.pth"))
torch.save({"model": module, "epoch": 1}, path("small_wrapped_model.pth"))

# Views: a shared storage, an offset, non-contiguous strides, an expanded
# dimension (stride 0).
base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
views = collections.OrderedDict([
    ("base", base),
    ("t", base.t()),
    ("slice", base[1:3, ::2]),
    ("col", base[:, 2]),
    ("offset", base.view(-1)[5:9]),
    ("expand", base[0].expand(3, 6)),
    ("half_t", base.half().t()),
])
torch.save(views, path("views.pth"))
for k, v in views.items():
    np.save(path("views." + k + ".npy"), v.float().contiguous().numpy())


# Refused: a pickle that would run a command, and a whole pickled model.
class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + path("pwned"),))


torch.save({"x": Evil()}, path("evil.pth"))
torch.save(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3)), path("whole_model.pth"))
with open(path("plain.pkl"), "wb") as f:
    pickle.dump(small, f, protocol=4)
