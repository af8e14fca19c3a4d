"""timm's ResNet skeleton (timm/models/resnet.py), which Res2Net, ResNeSt and
SKNet plug their blocks into, with timm's BasicBlock and Bottleneck (plus SE
and ECA attention) for the stdlib's existing timm models.

The skeleton: a 7x7/2 stem conv to 64, or the deep stem (three 3x3 convs,
the first strided, widths stem_width, stem_width, 2 * stem_width, as the
Sequential conv1.0/.1/.3/.4/.6); bn1, ReLU, a 3x3/2 max pool; four stages
layer1..layer4 at strides 1, 2, 2, 2 with planes 64, 128, 256, 512; global
average pool and fc. Block 0 of a stage gets a downsample where the stride
or the channel count changes: a 1x1/stride conv and BN, or with avg_down a
2x2 average pool (ceil_mode, count_include_pad=False; Identity at stride 1),
a 1x1 conv and BN.
"""

import math

import torch
import torch.nn as nn

from .common import bn, conv, make_divisible


def deep_stem(in_chans, stem_width):
    """conv1 as timm's deep stem Sequential: .0 conv, .1 bn, .2 relu, .3 conv,
    .4 bn, .5 relu, .6 conv."""
    return nn.Sequential(
        conv(in_chans, stem_width, 3, stride=2), bn(stem_width), nn.ReLU(),
        conv(stem_width, stem_width, 3), bn(stem_width), nn.ReLU(),
        conv(stem_width, 2 * stem_width, 3))


def downsample(inplanes, outplanes, stride, avg_down):
    """The projection shortcut of a stage's first block."""
    if avg_down:
        pool = nn.AvgPool2d(2, stride, ceil_mode=True, count_include_pad=False) if stride != 1 else nn.Identity()
        return nn.Sequential(pool, conv(inplanes, outplanes, 1), bn(outplanes))
    return nn.Sequential(conv(inplanes, outplanes, 1, stride=stride, padding=0), bn(outplanes))


class ResNet(nn.Module):
    """The skeleton. block(inplanes, planes, stride, downsample, cardinality,
    base_width, **block_args) builds one block; block.expansion is its
    output width over planes. features_only drops the head and returns the
    stem activation and each stage's output by timm's feature_info names."""

    def __init__(self, block, layers, num_classes=1000, in_chans=3, stem_type="", stem_width=64,
                 avg_down=False, cardinality=1, base_width=64, block_args=None, features_only=False):
        super().__init__()
        deep = stem_type == "deep"
        assert stem_type in ("", "deep")
        inplanes = 2 * stem_width if deep else 64
        self.conv1 = deep_stem(in_chans, stem_width) if deep else conv(in_chans, 64, 7, stride=2)
        self.bn1 = bn(inplanes)
        self.act1 = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        for i, (blocks, planes, stride) in enumerate(zip(layers, (64, 128, 256, 512), (1, 2, 2, 2))):
            stage = []
            for b in range(blocks):
                s = stride if b == 0 else 1
                outplanes = planes * block.expansion
                ds = None
                if b == 0 and (s != 1 or inplanes != outplanes):
                    ds = downsample(inplanes, outplanes, s, avg_down)
                stage.append(block(inplanes, planes, stride=s, downsample=ds, cardinality=cardinality,
                                   base_width=base_width, **(block_args or {})))
                inplanes = outplanes
            self.add_module("layer%d" % (i + 1), nn.Sequential(*stage))
        self.features_only = features_only
        self.num_features = inplanes
        if not features_only:
            self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        feats = {}
        x = self.act1(self.bn1(self.conv1(x)))
        feats["act1"] = x
        x = self.maxpool(x)
        for name in ("layer1", "layer2", "layer3", "layer4"):
            x = getattr(self, name)(x)
            feats[name] = x
        if self.features_only:
            return feats
        return self.fc(x.mean((2, 3)))


def timm_kaiming_init(model):
    """timm's ResNet init: kaiming_normal (fan_out, relu) for every conv."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


class SE(nn.Module):
    """timm's SEModule: mean, fc1 (1x1, bias), ReLU, fc2 (1x1, bias), sigmoid,
    scale; rd = make_divisible(C / 16, 8) without the 10% correction."""

    def __init__(self, channels):
        super().__init__()
        rd = make_divisible(channels / 16, 8, round_limit=0)
        self.fc1 = nn.Conv2d(channels, rd, 1, bias=True)
        self.fc2 = nn.Conv2d(rd, channels, 1, bias=True)

    def forward(self, x):
        g = self.fc2(torch.relu(self.fc1(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(g)


class ECA(nn.Module):
    """timm's EcaModule: a 1-D conv across the pooled channels (kernel
    k(C) = the odd number at or above int(|log2 C + 1| / 2), at least 3; no
    bias), sigmoid, scale."""

    def __init__(self, channels):
        super().__init__()
        t = int(abs(math.log2(channels) + 1) / 2)
        k = max(t if t % 2 else t + 1, 3)
        self.conv = nn.Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False)

    def forward(self, x):
        y = self.conv(x.mean((2, 3)).unsqueeze(1))
        return x * torch.sigmoid(y).transpose(1, 2).unsqueeze(-1)


ATTN = {None: None, "se": SE, "eca": ECA}


class BasicBlock(nn.Module):
    """timm BasicBlock: conv1 3x3/stride, bn1, ReLU, conv2 3x3, bn2, attention
    "se", add, ReLU."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64, attn=None):
        super().__init__()
        assert cardinality == 1 and base_width == 64
        self.conv1 = conv(inplanes, planes, 3, stride=stride)
        self.bn1 = bn(planes)
        self.conv2 = conv(planes, planes, 3)
        self.bn2 = bn(planes)
        self.se = ATTN[attn](planes) if attn else None
        self.downsample = downsample

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        if self.se is not None:
            out = self.se(out)
        sc = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + sc)


class Bottleneck(nn.Module):
    """timm Bottleneck: width = floor(planes * base_width / 64) * cardinality;
    1x1, 3x3/stride (grouped), 1x1 to 4 * planes, each with BN, attention "se"
    after bn3, add, ReLU."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64, attn=None):
        super().__init__()
        width = int(math.floor(planes * base_width / 64)) * cardinality
        self.conv1 = conv(inplanes, width, 1)
        self.bn1 = bn(width)
        self.conv2 = conv(width, width, 3, stride=stride, groups=cardinality)
        self.bn2 = bn(width)
        self.conv3 = conv(width, planes * 4, 1)
        self.bn3 = bn(planes * 4)
        self.se = ATTN[attn](planes * 4) if attn else None
        self.downsample = downsample

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.se is not None:
            out = self.se(out)
        sc = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + sc)
