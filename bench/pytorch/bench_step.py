"""PyTorch twin of `selfsup bench step`: the same SSL training step, timed the same way.

CIFAR-variant ResNet (3x3 stride-1 stem, no max-pool), projector feat -> d (no bias) -> BN -> ReLU -> d,
multi-view Barlow Twins loss (SPEC.md), Adam. Median over --steps timed steps after --warmup.
--bf16: the model's forward under torch.autocast("cpu", dtype=torch.bfloat16), the loss on z.float()
(what a PyTorch user writes for mixed precision; the anchor for `selfsup bench step --precision bf16`).
Prints `images_per_s=<float>` (every view counts as an image) alone on its last line.
Run with Debian's python3-torch; install libopenblas0-pthread first (see shared/BENCHMARKS.md).
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        out = self.bn2(self.conv2(out))
        out += x if self.downsample is None else self.downsample(x)
        return F.relu(out, inplace=True)


class ResNet18Cifar(nn.Module):
    def __init__(self, channels, width):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        layers, cin = [], width
        for i, stride in enumerate([1, 2, 2, 2]):
            cout = width * 2 ** i
            layers.append(nn.Sequential(Block(cin, cout, stride), Block(cout, cout, 1)))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.feature_dim = cin

    def forward(self, x):
        return self.layers(F.relu(self.bn1(self.conv1(x)))).mean((2, 3))


def bt_loss(z, lam):
    n, m, d = z.shape
    z = F.normalize(z, dim=2).reshape(n * m, d)
    z = ((z - z.mean(0)) / z.std(0)).reshape(n, m, d)
    if m == 2:
        c = z[:, 0].T @ z[:, 1] / n
        on = (1 - c.diagonal()).pow(2).sum()
    else:
        zbar = z.mean(1)
        on = sum((1 - (z[:, a] * zbar).sum(0) / n).pow(2).sum() for a in range(m)) / m
        c = zbar.T @ zbar / n
    off = (c - torch.diag(c.diagonal())).pow(2).sum()
    return on + lam * off


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--views", type=int, default=2)
    p.add_argument("--image", type=int, default=32)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--proj-dim", type=int, default=2048)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--bf16", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    backbone = ResNet18Cifar(a.channels, a.width)
    d = a.proj_dim
    model = nn.Sequential(backbone, nn.Linear(backbone.feature_dim, d, bias=False), nn.BatchNorm1d(d), nn.ReLU(inplace=True), nn.Linear(d, d))
    x = torch.randn(a.batch * a.views, a.channels, a.image, a.image)
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)
    times, phases = [], []
    for i in range(a.warmup + a.steps):
        t = time.perf_counter()
        if a.bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                z = model(x)
            z = z.float().reshape(a.batch, a.views, d)
        else:
            z = model(x).reshape(a.batch, a.views, d)
        loss = bt_loss(z, 4.0 / d)
        loss.item()
        t_fwd = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t_bwd = time.perf_counter()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t)
            phases.append((t_fwd - t, t_bwd - t_fwd, time.perf_counter() - t_bwd))
    med = statistics.median(times)
    print(f"torch {torch.__version__} threads {torch.get_num_threads()} channels_last {a.channels_last} bf16 {a.bf16}: median step {med:.4f} s")
    fwd, bwd, step = (statistics.median(p[k] for p in phases) for k in range(3))
    print(f"phases (median s): forward+loss {fwd:.4f}, backward {bwd:.4f}, optimizer {step:.4f}")
    print(f"images_per_s={a.batch * a.views / med:.2f}")


if __name__ == "__main__":
    main()
