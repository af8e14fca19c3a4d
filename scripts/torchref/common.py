"""Small pieces the families share."""

import torch.nn as nn


def make_divisible(v, divisor=8, min_value=None, round_limit=0.9):
    """timm's channel rounding: the nearest multiple of divisor (halves up),
    at least min_value (default: divisor), and one divisor more when that
    lands below round_limit * v (round_limit 0 turns the correction off)."""
    floor = divisor if min_value is None else min_value
    rounded = max(floor, (int(v + divisor / 2) // divisor) * divisor)
    return rounded + divisor if rounded < round_limit * v else rounded


def bn(channels):
    """torch's BatchNorm2d with its defaults (eps 1e-5), as every family uses."""
    return nn.BatchNorm2d(channels)


def conv(cin, cout, k, stride=1, padding=None, dilation=1, groups=1, bias=False):
    """A Conv2d with 'same'-style padding by default: dilation * (k - 1) // 2."""
    if padding is None:
        padding = dilation * (k - 1) // 2
    return nn.Conv2d(cin, cout, k, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)
