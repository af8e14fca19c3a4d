"""The models by name: the new families of the residual zoo, and the
stdlib's existing timm models the comparison harness is proven on."""

import torch.nn as nn

from . import preact, pyramidnet, res2net, resnest, sknet
from .timm_resnet import BasicBlock, Bottleneck, ResNet

# Existing stdlib models (stdlib/timm.res, stdlib/senet.res), built from the
# same skeleton; their figures are rows of compiler/testdata/reference.tsv.
EXISTING = {
    "resnet18d": lambda **kw: ResNet(BasicBlock, [2, 2, 2, 2], stem_type="deep", stem_width=32, avg_down=True, **kw),
    "resnet50d": lambda **kw: ResNet(Bottleneck, [3, 4, 6, 3], stem_type="deep", stem_width=32, avg_down=True, **kw),
    "seresnext50_32x4d": lambda **kw: ResNet(Bottleneck, [3, 4, 6, 3], cardinality=32, base_width=4,
                                             block_args=dict(attn="se"), **kw),
    "ecaresnet50d": lambda **kw: ResNet(Bottleneck, [3, 4, 6, 3], stem_type="deep", stem_width=32, avg_down=True,
                                        block_args=dict(attn="eca"), **kw),
}

# CIFAR models end in AvgPool2d(8) and take 32x32 inputs only; their
# classifiers have 10 classes.
CIFAR = {**pyramidnet.MODELS, **preact.MODELS}

MODELS = {**res2net.MODELS, **resnest.MODELS, **sknet.MODELS, **CIFAR, **EXISTING}


def build(name, features_only=False):
    """The model `name` in eval mode with torch's default initialisation."""
    if name not in MODELS:
        raise SystemExit("torchref: unknown model %r; known: %s" % (name, ", ".join(sorted(MODELS))))
    if features_only:
        if name in CIFAR:
            raise SystemExit("torchref: %s has no features_only form" % name)
        return MODELS[name](features_only=True).eval()
    return MODELS[name](num_classes=10 if name in CIFAR else 1000).eval()


def init_reference(model):
    """The references' conv init, as every family writes it: N(0, 2 / (k * k
    * Cout)) (timm's kaiming_normal fan_out, PyramidNet's and the Lua code's
    explicit normal). Other tensors keep torch's defaults."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
