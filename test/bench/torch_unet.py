"""PyTorch peer of `npm run bench -- ml` on a GPU: the same U-Net as main/ml/models/unet.ts (plain variant,
transposed-conv upsampling): per level two conv3x3 (no bias) -> BatchNorm -> LeakyReLU(0.2), max-pool 2, bottleneck,
dropout in the bottleneck and decoder, concatenated skips, 1x1 output conv. AdamW, MSE, float32.

Usage: torch_unet.py FEATURES BOTTLENECK BATCH PATCH [tf32|fp32]  -> prints JSON {params, stepMs, infer64Ms, ...}
tf32 (the default) is PyTorch's own default: cuDNN convolutions on the tensor cores in TF32 (10-bit mantissa). fp32
turns that off, so that PyTorch does the same float32 arithmetic as tfjs (WebGPU has no path to the tensor cores).
Inference copies the result to the host, as the tfjs side reads it back.
"""
import json
import statistics
import sys
import time

import torch
from torch import nn


def conv_bn_act(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.LeakyReLU(0.2)]


def double_conv(cin, cout):
    return nn.Sequential(*conv_bn_act(cin, cout), *conv_bn_act(cout, cout))


class UNet(nn.Module):
    def __init__(self, features, bottleneck, dropout=0.1, cin=1, cout=1):
        super().__init__()
        self.enc = nn.ModuleList()
        ch = cin
        for f in features:
            self.enc.append(double_conv(ch, f))
            ch = f
        self.bottleneck = double_conv(ch, bottleneck)
        self.drop = nn.Dropout(dropout)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        ch = bottleneck
        for f in reversed(features):
            self.up.append(nn.ConvTranspose2d(ch, f, 2, stride=2))
            self.dec.append(double_conv(2 * f, f))
            ch = f
        self.out = nn.Conv2d(ch, cout, 1)

    def forward(self, x):
        skips = []
        for block in self.enc:
            x = block(x)
            skips.append(x)
            x = nn.functional.max_pool2d(x, 2)
        x = self.drop(self.bottleneck(x))
        for up, dec, skip in zip(self.up, self.dec, reversed(skips)):
            x = self.drop(dec(torch.cat([up(x), skip], 1)))
        return self.out(x)


# GPUs raise their clocks only under sustained load: every timing starts after at least this much of the same work,
# on both sides (mlGpu.ts warms up the same way).
WARMUP_S = 2.0


def timed(fn, repeats, warmup=5):
    started = time.perf_counter()
    calls = 0
    while calls < warmup or time.perf_counter() - started < WARMUP_S:
        fn()
        torch.cuda.synchronize()
        calls += 1
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    features = [int(v) for v in sys.argv[1].split(',')]
    bottleneck, batch, patch = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    precision = sys.argv[5] if len(sys.argv) > 5 else 'tf32'
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = precision == 'tf32'
    torch.backends.cuda.matmul.allow_tf32 = precision == 'tf32'
    device = torch.device('cuda')
    model = UNet(features, bottleneck).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    x = torch.randn(batch, 1, patch, patch, device=device)
    y = torch.randn(batch, 1, patch, patch, device=device)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()

    model.train()
    step_ms = timed(step, 20)
    model.eval()
    x64 = torch.randn(64, 1, patch, patch, device=device)
    with torch.no_grad():
        infer_ms = timed(lambda: model(x64).cpu(), 20)
    print(json.dumps({
        'params': sum(p.numel() for p in model.parameters()),
        'stepMs': step_ms,
        'infer64Ms': infer_ms,
        'precision': precision,
        'device': torch.cuda.get_device_name(0),
        'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
