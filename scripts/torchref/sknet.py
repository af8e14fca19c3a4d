"""Selective Kernel ResNets (timm/models/sknet.py and timm/layers/
selective_kernel.py), in timm's ResNet skeleton (7x7 stem, plain downsample,
zero_init_last off).

SelectiveKernel(in, out, stride, groups, rd_ratio, rd_divisor, split_input):
two paths paths.0 and paths.1, kernels [3, 5] kept 3x3 with dilation 1 and
2; each a ConvNormAct (conv: no bias, padding ((stride - 1) + d * 2) // 2,
groups min(out, groups); bn; ReLU). With split_input path i sees input
channels [i * in / 2, (i + 1) * in / 2). Attention attn: sum of the paths,
spatial mean, fc_reduce (1x1, no bias) to make_divisible(out * rd_ratio,
rd_divisor), bn, ReLU, fc_select (1x1, no bias) to 2 * out, viewed as
(B, 2, out) and softmaxed over the paths; the paths weighted and summed.
"""

import math

import torch
import torch.nn as nn

from .common import bn, make_divisible
from .timm_resnet import ResNet


class ConvNormAct(nn.Module):
    """timm's ConvNormAct: conv, bn (BatchNormAct2d, keys as BatchNorm2d),
    optional ReLU; timm's padding ((stride - 1) + dilation * (k - 1)) // 2."""

    def __init__(self, cin, cout, k, stride=1, dilation=1, groups=1, act=True):
        super().__init__()
        pad = ((stride - 1) + dilation * (k - 1)) // 2
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=pad, dilation=dilation, groups=groups, bias=False)
        self.bn = bn(cout)
        self.act = act

    def forward(self, x):
        x = self.bn(self.conv(x))
        return torch.relu(x) if self.act else x


class SelectiveKernelAttn(nn.Module):
    def __init__(self, channels, paths, attn_channels):
        super().__init__()
        self.paths = paths
        self.fc_reduce = nn.Conv2d(channels, attn_channels, 1, bias=False)
        self.bn = bn(attn_channels)
        self.fc_select = nn.Conv2d(attn_channels, channels * paths, 1, bias=False)

    def forward(self, stacked):
        s = stacked.sum(1).mean((2, 3), keepdim=True)
        a = self.fc_select(torch.relu(self.bn(self.fc_reduce(s))))
        b, c2, h, w = a.shape
        return a.view(b, self.paths, c2 // self.paths, h, w).softmax(dim=1)


class SelectiveKernel(nn.Module):
    def __init__(self, cin, cout, stride=1, groups=1, rd_ratio=1 / 16, rd_divisor=8, split_input=True):
        super().__init__()
        dilations = [1, 2]  # kernels [3, 5] as 3x3 with dilation (k - 1) // 2
        self.split_input = split_input
        self.cin = cin
        path_in = cin // 2 if split_input else cin
        g = min(cout, groups)
        self.paths = nn.ModuleList(ConvNormAct(path_in, cout, 3, stride=stride, dilation=d, groups=g) for d in dilations)
        self.attn = SelectiveKernelAttn(cout, 2, make_divisible(cout * rd_ratio, rd_divisor))

    def forward(self, x):
        if self.split_input:
            parts = torch.split(x, self.cin // 2, dim=1)
            ys = [p(parts[i]) for i, p in enumerate(self.paths)]
        else:
            ys = [p(x) for p in self.paths]
        stacked = torch.stack(ys, dim=1)
        return (stacked * self.attn(stacked)).sum(1)


class SelectiveKernelBasic(nn.Module):
    """conv1 = SelectiveKernel(inplanes -> planes, stride), conv2 = 3x3
    ConvNormAct without act, add, ReLU."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64, sk=None):
        super().__init__()
        self.conv1 = SelectiveKernel(inplanes, planes, stride=stride, **(sk or {}))
        self.conv2 = ConvNormAct(planes, planes, 3, act=False)
        self.downsample = downsample

    def forward(self, x):
        out = self.conv2(self.conv1(x))
        sc = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + sc)


class SelectiveKernelBottleneck(nn.Module):
    """conv1 1x1 ConvNormAct, conv2 = SelectiveKernel(width, stride, groups =
    cardinality), conv3 1x1 ConvNormAct without act, add, ReLU."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64, sk=None):
        super().__init__()
        width = int(math.floor(planes * base_width / 64) * cardinality)
        self.conv1 = ConvNormAct(inplanes, width, 1)
        self.conv2 = SelectiveKernel(width, width, stride=stride, groups=cardinality, **(sk or {}))
        self.conv3 = ConvNormAct(width, planes * 4, 1, act=False)
        self.downsample = downsample

    def forward(self, x):
        out = self.conv3(self.conv2(self.conv1(x)))
        sc = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + sc)


_SK_BASIC = dict(rd_ratio=1 / 8, rd_divisor=16, split_input=True)
_SK_BOTTLENECK = dict(rd_ratio=1 / 16, rd_divisor=32, split_input=False)

MODELS = {
    "skresnet18": lambda **kw: ResNet(SelectiveKernelBasic, [2, 2, 2, 2], block_args=dict(sk=_SK_BASIC), **kw),
    "skresnet34": lambda **kw: ResNet(SelectiveKernelBasic, [3, 4, 6, 3], block_args=dict(sk=_SK_BASIC), **kw),
    "skresnext50_32x4d": lambda **kw: ResNet(SelectiveKernelBottleneck, [3, 4, 6, 3], cardinality=32, base_width=4,
                                             block_args=dict(sk=_SK_BOTTLENECK), **kw),
}
