"""PyramidNet for CIFAR (dyhan0920/PyramidNet-PyTorch, PyramidNet.py).

conv1 3x3 3 -> 16 and bn1 (no ReLU); three stages of n blocks (n = (depth -
2) / 6 basic, (depth - 2) / 9 bottleneck) whose width grows by alpha / (3n)
per block: a running float, each block's planes int(round(running)) with
Python 3's round. Basic: bn1, conv1 3x3/stride, bn2, ReLU, conv2 3x3, bn3.
Bottleneck: bn1, conv1 1x1, bn2, ReLU, conv2 3x3/stride, bn3, ReLU, conv3 1x1
to 4 * planes, bn4. No ReLU after the add. The shortcut is the input, or in
the first block of stages 2 and 3 AvgPool2d(2, 2, ceil_mode=True) (key
`downsample`, no weights); the channels it lacks are zeros appended after
it. Head: bn_final, ReLU, AvgPool2d(8), fc.
"""

import torch
import torch.nn as nn

from .common import bn, conv


class _Block(nn.Module):
    """A PyramidNet block: the residual branch plus the shortcut, zero
    channels appended to it where the branch is wider."""

    def forward(self, x):
        out = self.residual(x)
        sc = x if self.downsample is None else self.downsample(x)
        missing = out.shape[1] - sc.shape[1]
        if missing:
            zeros = torch.zeros(sc.shape[0], missing, sc.shape[2], sc.shape[3], dtype=sc.dtype, device=sc.device)
            sc = torch.cat((sc, zeros), dim=1)
        return out + sc


class Basic(_Block):
    ratio = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.bn1 = bn(inplanes)
        self.conv1 = conv(inplanes, planes, 3, stride=stride)
        self.bn2 = bn(planes)
        self.conv2 = conv(planes, planes, 3)
        self.bn3 = bn(planes)
        self.downsample = downsample

    def residual(self, x):
        out = torch.relu(self.bn2(self.conv1(self.bn1(x))))
        return self.bn3(self.conv2(out))


class Bottleneck(_Block):
    ratio = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.bn1 = bn(inplanes)
        self.conv1 = conv(inplanes, planes, 1)
        self.bn2 = bn(planes)
        self.conv2 = conv(planes, planes, 3, stride=stride)
        self.bn3 = bn(planes)
        self.conv3 = conv(planes, planes * 4, 1)
        self.bn4 = bn(planes * 4)
        self.downsample = downsample

    def residual(self, x):
        out = torch.relu(self.bn2(self.conv1(self.bn1(x))))
        out = torch.relu(self.bn3(self.conv2(out)))
        return self.bn4(self.conv3(out))


class PyramidNet(nn.Module):
    def __init__(self, depth, alpha, num_classes=10, bottleneck=False):
        super().__init__()
        block = Bottleneck if bottleneck else Basic
        n = (depth - 2) // 9 if bottleneck else (depth - 2) // 6
        assert n * (9 if bottleneck else 6) + 2 == depth
        add = alpha / (3 * n)
        self.conv1 = conv(3, 16, 3)
        self.bn1 = bn(16)
        running = 16.0
        inplanes = 16
        for s in range(3):
            stride = 1 if s == 0 else 2
            blocks = []
            for i in range(n):
                running += add
                planes = int(round(running))
                ds = nn.AvgPool2d(2, 2, ceil_mode=True) if i == 0 and stride != 1 else None
                blocks.append(block(inplanes, planes, stride if i == 0 else 1, ds))
                inplanes = planes * block.ratio
            self.add_module("layer%d" % (s + 1), nn.Sequential(*blocks))
        self.bn_final = bn(inplanes)
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.bn1(self.conv1(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = self.avgpool(torch.relu(self.bn_final(x)))
        return self.fc(x.flatten(1))


MODELS = {
    "pyramidnet110_a48": lambda **kw: PyramidNet(110, 48, **kw),
    "pyramidnet110_a84": lambda **kw: PyramidNet(110, 84, **kw),
    "pyramidnet110_a270": lambda **kw: PyramidNet(110, 270, **kw),
    "pyramidnet164_a270": lambda **kw: PyramidNet(164, 270, bottleneck=True, **kw),
    "pyramidnet272_a200": lambda **kw: PyramidNet(272, 200, bottleneck=True, **kw),
}
