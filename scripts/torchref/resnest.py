"""ResNeSt (timm/models/resnest.py ResNestBottleneck and timm/layers/
split_attn.py SplitAttn, adapted there from zhanghang1989/ResNeSt), in timm's
ResNet skeleton with the deep stem and avg_down.

The block: conv1 1x1 to gw = int(planes * base_width / 64) * cardinality,
bn1, ReLU; conv2 a split-attention conv; conv3 1x1 to 4 * planes, bn3, add,
ReLU. With avd, a block of stride > 1 runs its 3x3 at stride 1 and
average-pools instead (AvgPool2d(3, stride, padding 1), count_include_pad
True): before conv2 with avd_first, after it otherwise. timm never passes
is_first, so layer1 gets no pool.

Split attention (radix r, cardinality c): conv 3x3 gw -> gw * r (groups
c * r), bn0, ReLU; the r splits summed and averaged over space; fc1 1x1
(groups c, bias) to attn_chs, bn1, ReLU; fc2 1x1 (groups c, bias) to gw * r;
r-softmax: viewed as (B, c, r, -1), softmax over r (sigmoid when r == 1);
the splits weighted and summed. attn_chs = make_divisible(gw * r / 4, 8,
min 32).
"""

import torch
import torch.nn as nn

from .common import bn, conv, make_divisible
from .timm_resnet import ResNet


class SplitAttn(nn.Module):
    def __init__(self, channels, stride=1, groups=1, radix=2):
        super().__init__()
        self.radix, self.groups = radix, groups
        mid = channels * radix
        attn = make_divisible(channels * radix * 0.25, 8, min_value=32)
        self.conv = conv(channels, mid, 3, stride=stride, groups=groups * radix)
        self.bn0 = bn(mid)
        self.fc1 = nn.Conv2d(channels, attn, 1, groups=groups, bias=True)
        self.bn1 = bn(attn)
        self.fc2 = nn.Conv2d(attn, mid, 1, groups=groups, bias=True)

    def forward(self, x):
        x = torch.relu(self.bn0(self.conv(x)))
        b, rc, h, w = x.shape
        r = self.radix
        splits = x.view(b, r, rc // r, h, w)
        pooled = splits.sum(1).mean((2, 3), keepdim=True) if r > 1 else x.mean((2, 3), keepdim=True)
        a = self.fc2(torch.relu(self.bn1(self.fc1(pooled))))
        if r > 1:
            # fc2's channels are ordered (group, radix, channel within group):
            # the softmax runs over radix, then the weights are laid out
            # (radix, group, channel) to match the splits.
            a = a.view(b, self.groups, r, -1).transpose(1, 2).softmax(dim=1)
            a = a.reshape(b, r, rc // r, 1, 1)
            return (splits * a).sum(1)
        return x * torch.sigmoid(a)


class ResNestBottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64,
                 radix=2, avd=True, avd_first=False):
        super().__init__()
        gw = int(planes * base_width / 64) * cardinality
        avd_stride = stride if avd and stride > 1 else 0
        conv_stride = 1 if avd_stride else stride
        self.conv1 = conv(inplanes, gw, 1)
        self.bn1 = bn(gw)
        self.avd_first = nn.AvgPool2d(3, avd_stride, padding=1) if avd_stride and avd_first else None
        self.conv2 = SplitAttn(gw, stride=conv_stride, groups=cardinality, radix=radix)
        self.avd_last = nn.AvgPool2d(3, avd_stride, padding=1) if avd_stride and not avd_first else None
        self.conv3 = conv(gw, planes * 4, 1)
        self.bn3 = bn(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        if self.avd_first is not None:
            out = self.avd_first(out)
        out = self.conv2(out)
        if self.avd_last is not None:
            out = self.avd_last(out)
        out = self.bn3(self.conv3(out))
        sc = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + sc)


def _resnest(layers, stem_width=32, radix=2, cardinality=1, base_width=64, avd_first=False, **kw):
    return ResNet(ResNestBottleneck, layers, stem_type="deep", stem_width=stem_width, avg_down=True,
                  cardinality=cardinality, base_width=base_width,
                  block_args=dict(radix=radix, avd=True, avd_first=avd_first), **kw)


MODELS = {
    "resnest14d": lambda **kw: _resnest([1, 1, 1, 1], **kw),
    "resnest26d": lambda **kw: _resnest([2, 2, 2, 2], **kw),
    "resnest50d": lambda **kw: _resnest([3, 4, 6, 3], **kw),
    "resnest101e": lambda **kw: _resnest([3, 4, 23, 3], stem_width=64, **kw),
    "resnest50d_4s2x40d": lambda **kw: _resnest([3, 4, 6, 3], radix=4, cardinality=2, base_width=40,
                                                avd_first=True, **kw),
    "resnest50d_1s4x24d": lambda **kw: _resnest([3, 4, 6, 3], radix=1, cardinality=4, base_width=24,
                                                avd_first=True, **kw),
}
