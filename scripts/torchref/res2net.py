"""Res2Net and Res2NeXt (timm/models/res2net.py, Bottle2neck, adapted there
from gasvn/Res2Net), in timm's ResNet skeleton.

The block: conv1 1x1 to width * scale (width = floor(planes * base_width /
64) * cardinality), bn1, ReLU; split into `scale` chunks of `width`; the
max(1, scale - 1) 3x3 convs convs.i (stride, groups = cardinality), each
with bns.i and ReLU, where chunk i >= 1 first gets the previous branch's
output added, except in a "first" block (stride > 1 or a downsample, so
layer1.0 too) where every chunk is convolved on its own. The last chunk
passes through, or in a first block through AvgPool2d(3, stride, padding 1)
with count_include_pad=True (kept so for the published weights). Concat,
conv3 1x1 to 4 * planes, bn3, add, ReLU.
"""

import math

import torch
import torch.nn as nn

from .common import bn, conv
from .timm_resnet import ResNet


class Bottle2neck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=26, scale=4):
        super().__init__()
        self.width = int(math.floor(planes * base_width / 64)) * cardinality
        self.scale = scale
        self.is_first = stride > 1 or downsample is not None
        w = self.width
        self.conv1 = conv(inplanes, w * scale, 1)
        self.bn1 = bn(w * scale)
        n = max(1, scale - 1)
        self.convs = nn.ModuleList(conv(w, w, 3, stride=stride, groups=cardinality) for _ in range(n))
        self.bns = nn.ModuleList(bn(w) for _ in range(n))
        self.pool = nn.AvgPool2d(3, stride, padding=1, count_include_pad=True) if self.is_first else None
        self.conv3 = conv(w * scale, planes * 4, 1)
        self.bn3 = bn(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        chunks = torch.split(out, self.width, dim=1)
        outs = []
        prev = None
        for i, (c, b) in enumerate(zip(self.convs, self.bns)):
            inp = chunks[i] if (i == 0 or self.is_first) else prev + chunks[i]
            prev = torch.relu(b(c(inp)))
            outs.append(prev)
        if self.scale > 1:
            outs.append(self.pool(chunks[-1]) if self.is_first else chunks[-1])
        out = self.bn3(self.conv3(torch.cat(outs, dim=1)))
        sc = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + sc)


def _res2net(layers, base_width, scale, cardinality=1, d=False, **kw):
    extra = dict(stem_type="deep", stem_width=32, avg_down=True) if d else {}
    return ResNet(Bottle2neck, layers, base_width=base_width, cardinality=cardinality,
                  block_args=dict(scale=scale), **extra, **kw)


MODELS = {
    "res2net50_26w_4s": lambda **kw: _res2net([3, 4, 6, 3], 26, 4, **kw),
    "res2net50_26w_6s": lambda **kw: _res2net([3, 4, 6, 3], 26, 6, **kw),
    "res2net50_26w_8s": lambda **kw: _res2net([3, 4, 6, 3], 26, 8, **kw),
    "res2net50_48w_2s": lambda **kw: _res2net([3, 4, 6, 3], 48, 2, **kw),
    "res2net50_14w_8s": lambda **kw: _res2net([3, 4, 6, 3], 14, 8, **kw),
    "res2net101_26w_4s": lambda **kw: _res2net([3, 4, 23, 3], 26, 4, **kw),
    "res2next50": lambda **kw: _res2net([3, 4, 6, 3], 4, 4, cardinality=8, **kw),
    "res2net50d": lambda **kw: _res2net([3, 4, 6, 3], 26, 4, d=True, **kw),
    "res2net101d": lambda **kw: _res2net([3, 4, 23, 3], 26, 4, d=True, **kw),
}
