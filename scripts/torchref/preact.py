"""Pre-activation ResNet-164/1001 for CIFAR-10 (KaimingHe/resnet-1k-layers,
resnet-pre-act.lua; "Identity Mappings in Deep Residual Networks").

depth = 9n + 2; conv1 3x3 3 -> 16 (no BN after it); three stages of n
bottleneck units to 64, 128, 256 channels at 32, 16, 8 px. A same-shape unit:
BN, ReLU, 1x1 to out/4, BN, ReLU, 3x3, BN, ReLU, 1x1 to out; identity
shortcut. A changing-shape unit (the first of each stage) runs one BN and
ReLU shared by both branches; the residual branch is 1x1/stride (the stride
sits here, not on the 3x3), BN, ReLU, 3x3, BN, ReLU, 1x1, and the shortcut a
1x1/stride conv of the pre-activated input. Head: BN, ReLU, 8x8 average
pool, Linear(256, 10). No conv has a bias (cuDNN >= 4 drops them).

Lua's nn.Sequential has no names; the keys here follow the common PyTorch
port bearpaw/pytorch-classification (models/cifar/preresnet.py): conv1,
layer{1,2,3}.{i}.bn1/conv1/bn2/conv2/bn3/conv3, layer{s}.0.downsample.0
(the shortcut conv), then bn and fc.
"""

import torch
import torch.nn as nn

from .common import bn, conv


class PreActBottleneck(nn.Module):
    def __init__(self, inplanes, outplanes, stride=1):
        super().__init__()
        mid = outplanes // 4
        self.bn1 = bn(inplanes)
        self.conv1 = conv(inplanes, mid, 1, stride=stride)
        self.bn2 = bn(mid)
        self.conv2 = conv(mid, mid, 3)
        self.bn3 = bn(mid)
        self.conv3 = conv(mid, outplanes, 1)
        self.downsample = None
        if inplanes != outplanes:
            self.downsample = nn.Sequential(conv(inplanes, outplanes, 1, stride=stride))

    def forward(self, x):
        pre = torch.relu(self.bn1(x))
        out = self.conv1(pre)
        out = self.conv2(torch.relu(self.bn2(out)))
        out = self.conv3(torch.relu(self.bn3(out)))
        # The shared pre-activation feeds the projection; an identity
        # shortcut takes the unit's input as it came.
        sc = x if self.downsample is None else self.downsample(pre)
        return out + sc


class PreActResNet(nn.Module):
    def __init__(self, depth, num_classes=10):
        super().__init__()
        assert (depth - 2) % 9 == 0
        n = (depth - 2) // 9
        self.conv1 = conv(3, 16, 3)
        inplanes = 16
        for s, (out, stride) in enumerate(((64, 1), (128, 2), (256, 2))):
            units = [PreActBottleneck(inplanes if i == 0 else out, out, stride if i == 0 else 1) for i in range(n)]
            self.add_module("layer%d" % (s + 1), nn.Sequential(*units))
            inplanes = out
        self.bn = bn(inplanes)
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        x = self.avgpool(torch.relu(self.bn(x)))
        return self.fc(x.flatten(1))


MODELS = {
    "preact_resnet164": lambda **kw: PreActResNet(164, **kw),
    "preact_resnet1001": lambda **kw: PreActResNet(1001, **kw),
}
