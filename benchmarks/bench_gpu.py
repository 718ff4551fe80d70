"""One mini-batch epoch over a 1,000,000-point data set: CPU against CUDA, with full history.

    python benchmarks/bench_gpu.py [--n 1000000] [--batch-size 10000] [--repeats 3]

Runs the engine's real loop (TensorDataset + DataLoader, nn.Linear, torch.optim.SGD, per-step
loss/params/grads staged on the device and brought over in chunks: no .item() per step) for one
epoch on each device, and prints medians and the speed-up. Also checks that both devices land on
the same parameters (to float rounding). Prints a note and exits 0 where CUDA is missing, so it
is safe anywhere; it is never part of CI.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from gdcore import Config, Run  # noqa: E402
from gdcore.data import synthetic_data  # noqa: E402


def one_epoch(device: str, n: int, batch_size: int, data) -> tuple[float, dict, int]:
    config = Config(task="linreg", data="synthetic", n=n, true_w=(2.0, -3.4), true_b=4.2, noise=0.01,
                    impl="module", loss="mse", mode="minibatch", batch_size=batch_size, loader="dataloader",
                    init="normal", optimizer="sgd", lr=0.03, epochs=1, seed=0, device=device)
    run = Run(config, data)
    if device == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    run.run()  # history staged on the device; flushed in chunks
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t
    return seconds, run.params(), run.step_count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (the app uses 1)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if not torch.cuda.is_available():
        print("no CUDA device on this machine: nothing to compare (run this where a GPU exists)")
        return
    data = synthetic_data((2.0, -3.4), 4.2, args.n, 0.01, seed=0)
    one_epoch("cuda", args.n, args.batch_size, data)  # warm-up: CUDA context, kernels
    times = {"cpu": [], "cuda": []}
    params = {}
    for _ in range(args.repeats):
        for dev in ("cpu", "cuda"):
            s, p, steps = one_epoch(dev, args.n, args.batch_size, data)
            times[dev].append(s)
            params[dev] = p
    cpu, gpu = statistics.median(times["cpu"]), statistics.median(times["cuda"])
    same = all(abs(a - b) <= 1e-4 * max(1.0, abs(a))
               for k in ("w", "b") for a, b in zip(params["cpu"][k], params["cuda"][k]))
    print(f"| device | one epoch, n={args.n:,}, batch {args.batch_size:,} ({steps:,} steps) | per step |")
    print("| --- | ---: | ---: |")
    print(f"| cpu ({args.threads} thread) | {cpu:.3f} s | {cpu / steps * 1e6:.0f} µs |")
    print(f"| {torch.cuda.get_device_name(0)} | {gpu:.3f} s | {gpu / steps * 1e6:.0f} µs |")
    print(f"speed-up {cpu / gpu:.1f}x; same parameters to float rounding: {'yes' if same else 'no'}")


if __name__ == "__main__":
    main()
