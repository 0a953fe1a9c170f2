"""PyTorch side of `make bench`: the benchmarks of bench/VaeLab.Bench, written in plain PyTorch.

VaeLab.Bench starts this script once (with /usr/bin/python3: Debian's python3-torch, PyTorch 1.13) and
drives it over stdin/stdout, so that the runs of the two sides alternate and share whatever load the
machine has:
  first line out:  {"torch": version, "threads": n, "flush_denormal": whether denormals are flushed to zero}
  each line in:    <benchmark> <iterations>    (e.g. "add 20000")
  each line out:   the seconds those iterations took, timed here
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import pytorch_sketch_rnn


def small_tensors():
    torch.manual_seed(0)
    return torch.rand(4, 4), torch.rand(4, 4), torch.rand(4, 4)


def add(workload):
    a, b, _ = small_tensors()

    def run(n):
        for _ in range(n):
            c = a + b

    return run


def add_(workload):
    a, b, _ = small_tensors()

    def run(n):
        for _ in range(n):
            a.add_(b)

    return run


def chain(workload):
    a, b, c = small_tensors()

    def run(n):
        for _ in range(n):
            y = ((((a + b) * c - a) / 2).relu().exp().sigmoid().tanh() * 3).sum()

    return run


class ConvVae(nn.Module):
    """Seed 004's model: three stride-2 conv blocks down to filters x 8 x 8, three transposed ones back up."""

    def __init__(self, channels=1, latent=64, filters=128):
        super().__init__()
        f1, f2, f3 = filters // 4, filters // 2, filters
        self.conv1 = nn.Conv2d(channels, f1, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(f1, f2, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(f2, f3, 3, stride=2, padding=1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm2d(f1), nn.BatchNorm2d(f2), nn.BatchNorm2d(f3)
        self.proj_mu = nn.Linear(f3 * 8 * 8, latent)
        self.proj_log_var = nn.Linear(f3 * 8 * 8, latent)
        self.lin1 = nn.Linear(latent, f3 * 8 * 8)
        self.deconv1 = nn.ConvTranspose2d(f3, f2, 3, stride=2, padding=1, output_padding=1)
        self.deconv2 = nn.ConvTranspose2d(f2, f1, 3, stride=2, padding=1, output_padding=1)
        self.deconv3 = nn.ConvTranspose2d(f1, channels, 3, stride=2, padding=1, output_padding=1)
        self.dbn1, self.dbn2 = nn.BatchNorm2d(f2), nn.BatchNorm2d(f1)
        self.filters = filters

    def forward(self, x):
        x = F.leaky_relu(self.bn1(self.conv1(x)))
        x = F.leaky_relu(self.bn2(self.conv2(x)))
        x = F.leaky_relu(self.bn3(self.conv3(x)))
        x = torch.flatten(x, 1)
        mu, log_var = self.proj_mu(x), self.proj_log_var(x)
        sigma = torch.exp(log_var * 0.5)
        z = torch.randn_like(sigma).mul(sigma).add_(mu)
        kl = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp())
        x = self.lin1(z).view(-1, self.filters, 8, 8)
        x = F.leaky_relu(self.dbn1(self.deconv1(x)))
        x = F.leaky_relu(self.dbn2(self.deconv2(x)))
        return torch.sigmoid(self.deconv3(x)), kl


def vae_step(workload):
    torch.manual_seed(0)
    model = ConvVae(latent=workload["VaeLatent"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    x = torch.rand(workload["VaeBatch"], 1, 64, 64)

    def run(n):
        for _ in range(n):
            optimizer.zero_grad(set_to_none=True)
            reconstruction, kl = model(x)
            loss = F.mse_loss(reconstruction, x, reduction="sum") + kl
            loss.backward()
            optimizer.step()

    return run


BENCHMARKS = {"add": add, "add_": add_, "chain": chain, "vae_step": vae_step, **pytorch_sketch_rnn.BENCHMARKS}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--workload", type=json.loads, required=True,
                        help="sizes, as VaeLab.Bench's Workload record in JSON")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    # As VaeLab.Bench does on its side, before the first op starts OpenMP's threads, which inherit the mode.
    flushes = torch.set_flush_denormal(True)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "flush_denormal": flushes}), flush=True)
    runs = {}
    for line in sys.stdin:
        key, iterations = line.split()
        if key not in runs:
            runs[key] = BENCHMARKS[key](args.workload)
        start = time.perf_counter()
        runs[key](int(iterations))
        print(time.perf_counter() - start, flush=True)


if __name__ == "__main__":
    main()
