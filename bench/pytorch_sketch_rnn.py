"""Sketch-RNN in plain PyTorch for `make bench`: the model of lib/VaeLab/Models/Sketch with magenta's sizes.

A bidirectional LSTM encoder over the packed sequences, mu and sigma_hat heads, z = mu + exp(sigma_hat / 2) eps,
[h0, c0] = tanh(Linear(z)), a decoder over [x_{t-1}, z] (the fused nn.LSTM, or a layer-normalised LSTM cell stepped
once per time step, as VaeLab's LayerNormLSTMCell computes it), a Linear to the 6M + 3 mixture parameters, and
magenta's loss (masked L_s, pen cross entropy over every step, KL with tolerance). One step: that loss, backward,
gradient norm clipped at 1, Adam.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence

ENC, DEC, NZ, M = 256, 512, 128, 20
KL_WEIGHT, KL_TOLERANCE, LEARNING_RATE, GRAD_CLIP = 0.5, 0.2, 1e-3, 1.0


class LayerNormLSTMCell(nn.Module):
    """VaeLab's cell: gates W_ih x + W_hh h, each gate block layer-normalised on its own, forget bias 1, recurrent
    dropout on the candidate, the cell state layer-normalised before its tanh."""

    def __init__(self, input_size, hidden_size, forget_bias=1.0, dropout=0.1, eps=1e-3):
        super().__init__()
        self.hidden_size, self.forget_bias, self.dropout, self.eps = hidden_size, forget_bias, dropout, eps
        self.weight_ih = nn.Parameter(nn.init.xavier_uniform_(torch.empty(4 * hidden_size, input_size)))
        self.weight_hh = nn.Parameter(torch.cat([nn.init.orthogonal_(torch.empty(hidden_size, hidden_size)) for _ in range(4)]))
        self.gate_norm_weight = nn.Parameter(torch.ones(4 * hidden_size))
        self.gate_norm_bias = nn.Parameter(torch.zeros(4 * hidden_size))
        self.cell_norm_weight = nn.Parameter(torch.ones(hidden_size))
        self.cell_norm_bias = nn.Parameter(torch.zeros(hidden_size))

    def forward(self, x, state):
        h, c = state
        batch, H = x.size(0), self.hidden_size
        gates = F.linear(x, self.weight_ih) + F.linear(h, self.weight_hh)
        normed = F.layer_norm(gates.view(batch, 4, H), (H,), eps=self.eps).view(batch, 4 * H) * self.gate_norm_weight + self.gate_norm_bias
        i, f, g, o = normed.chunk(4, 1)
        candidate = F.dropout(g.tanh(), self.dropout, self.training)
        c = torch.sigmoid(f + self.forget_bias) * c + torch.sigmoid(i) * candidate
        h = torch.sigmoid(o) * torch.tanh(F.layer_norm(c, (H,), self.cell_norm_weight, self.cell_norm_bias, self.eps))
        return h, c


def small_gaussian(linear):
    nn.init.normal_(linear.weight, std=0.001)
    nn.init.zeros_(linear.bias)
    return linear


class SketchRnn(nn.Module):
    def __init__(self, layer_norm):
        super().__init__()
        self.encoder = nn.LSTM(5, ENC, batch_first=True, bidirectional=True)
        self.fc_mu = small_gaussian(nn.Linear(2 * ENC, NZ))
        self.fc_sigma = small_gaussian(nn.Linear(2 * ENC, NZ))
        self.fc_hc = small_gaussian(nn.Linear(NZ, 2 * DEC))
        if layer_norm:
            self.cell = LayerNormLSTMCell(5 + NZ, DEC)
        else:
            self.lstm = nn.LSTM(5 + NZ, DEC, batch_first=True)
        self.layer_norm = layer_norm
        self.fc_params = nn.Linear(DEC, 6 * M + 3)

    def forward(self, strokes, lengths):
        target, inputs = strokes[:, 1:], strokes[:, :-1]
        packed = pack_padded_sequence(target, lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.encoder(packed)
        last = torch.cat([h[-2], h[-1]], 1)
        mu, logvar = self.fc_mu(last), self.fc_sigma(last)
        z = mu + torch.exp(logvar / 2) * torch.randn_like(mu)
        h0, c0 = torch.tanh(self.fc_hc(z)).chunk(2, 1)
        x = torch.cat([inputs, z.unsqueeze(1).expand(inputs.size(0), inputs.size(1), NZ)], 2)
        if self.layer_norm:
            h, c = h0, c0
            outputs = []
            for t in range(x.size(1)):
                h, c = self.cell(x[:, t], (h, c))
                outputs.append(h)
            output = torch.stack(outputs, 1)
        else:
            output, _ = self.lstm(x, (h0.unsqueeze(0).contiguous(), c0.unsqueeze(0).contiguous()))
        return self.fc_params(output), mu, logvar

    def loss(self, strokes, lengths, mask):
        raw, mu, logvar = self(strokes, lengths)
        target = strokes[:, 1:]
        pi, mu_x, mu_y, sigma_x, sigma_y, rho, pen_logits = raw.split([M] * 6 + [3], -1)
        sigma_x, sigma_y, rho = sigma_x.exp(), sigma_y.exp(), rho.tanh()
        dx, dy = target[..., 0:1], target[..., 1:2]
        nx, ny = (dx - mu_x) / sigma_x, (dy - mu_y) / sigma_y
        one_minus_rho2 = 1 - rho.square()
        zz = nx.square() + ny.square() - 2 * rho * nx * ny
        density = torch.exp(-zz / (2 * one_minus_rho2)) / (2 * math.pi * sigma_x * sigma_y * one_minus_rho2.sqrt())
        stroke = -torch.log((F.softmax(pi, -1) * density).sum(-1) + 1e-6) * mask
        labels = target[..., -3:].argmax(-1)
        pen = F.cross_entropy(pen_logits.reshape(-1, 3), labels.reshape(-1), reduction="none").view(labels.shape)
        recon = (stroke + pen).mean()
        kl = (0.5 * (mu.square() + logvar.exp() - 1 - logvar)).mean()
        return recon + KL_WEIGHT * kl.clamp(min=KL_TOLERANCE)


def random_batch(batch, nmax, generator):
    """Stand-in sketches as VaeLab.Bench makes them: lengths uniform in [Nmax / 4, Nmax], offsets uniform in [-1, 1],
    the pen lifted after one row in five; stroke-5 rows after the start token [0, 0, 1, 0, 0], padded with end rows."""
    lengths = torch.randint(nmax // 4, nmax + 1, (batch,), generator=generator)
    strokes = torch.zeros(batch, nmax + 1, 5)
    strokes[:, 0, 2] = 1
    strokes[:, 1:, 0:2] = torch.rand(batch, nmax, 2, generator=generator) * 2 - 1
    lifted = torch.rand(batch, nmax, generator=generator) < 0.2
    rows = torch.arange(nmax).unsqueeze(0)
    lifted |= rows == (lengths - 1).unsqueeze(1)
    data = rows < lengths.unsqueeze(1)
    strokes[:, 1:, 2] = (~lifted & data).float()
    strokes[:, 1:, 3] = (lifted & data).float()
    strokes[:, 1:, 4] = (~data).float()
    strokes[:, 1:, 0:2] *= data.unsqueeze(2)
    return strokes, lengths, data.float()


def step(workload, layer_norm):
    sizes = workload["Sketch"]
    torch.manual_seed(0)
    model = SketchRnn(layer_norm)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    strokes, lengths, mask = random_batch(sizes["Batch"], sizes["Nmax"], torch.Generator().manual_seed(0))

    def run(n):
        for _ in range(n):
            optimizer.zero_grad(set_to_none=True)
            model.loss(strokes, lengths, mask).backward()
            nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
            optimizer.step()

    return run


BENCHMARKS = {
    "sketch_rnn_lstm": lambda workload: step(workload, layer_norm=False),
    "sketch_rnn_layer_norm": lambda workload: step(workload, layer_norm=True),
}
