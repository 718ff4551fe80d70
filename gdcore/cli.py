"""Command line: `python -m gdcore train|sweep|data|code|presets`.

Bad input exits with status 2 and one `error: ...` line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

from .errors import GdError
from .printouts import Printer

EXIT_BAD_INPUT = 2
TASKS = ("linreg", "logreg")
DATA_PRESETS = {"linreg": "linreg-manual", "logreg": "logreg-manual"}  # the loop a --data run uses by default


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: usage line, then one `error:` line
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1, got {value}")
    return value


def _add_overrides(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=_seed, help="seed of the run's own generators")
    p.add_argument("--lr", type=_positive_float, help="learning rate")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--epochs", type=_positive_int, help="passes over the data")
    g.add_argument("--steps", type=_positive_int, help="parameter updates (overrides epochs)")
    p.add_argument("--batch-size", type=_positive_int, help="samples per step (mini-batch mode)")
    p.add_argument("--optimizer", help="sgd, momentum, nesterov, adagrad, rmsprop or adam")
    p.add_argument("--device", help="cpu, cuda, mps or auto")


def _dtype(text: str) -> str:
    from .precision import DTYPES

    if text not in DTYPES:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(DTYPES)}, got {text!r}")
    return text


def _overrides(args) -> dict:
    keys = ("seed", "lr", "epochs", "steps", "batch_size", "optimizer", "device", "dtype")
    return {k: getattr(args, k, None) for k in keys if getattr(args, k, None) is not None}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m gdcore", description="Gradient descent, step by step, in real PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("train", help="run a preset, or a preset's loop on your CSV, and print its progress (or --json)")
    p.add_argument("preset", nargs="?",
                   help="the loop to run (default with --data: linreg-manual, or logreg-manual for --task logreg)")
    p.add_argument("--data", metavar="FILE", help="a CSV of numbers with a header row (checked as an upload is)")
    p.add_argument("--target", metavar="COLUMN", help="the label column of --data (default: the last column)")
    p.add_argument("--task", choices=TASKS, help="linreg or logreg (default: the preset's task, else linreg)")
    _add_overrides(p)
    p.add_argument("--dtype", type=_dtype, help="float32 (default, as the tutorials) or float64")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of progress")
    p = sub.add_parser("sweep", help="train many learning rates at once as one batched program")
    p.add_argument("preset")
    p.add_argument("--lr-min", type=_positive_float, required=True)
    p.add_argument("--lr-max", type=_positive_float, required=True)
    p.add_argument("--runs", type=_positive_int, default=16)
    _add_overrides(p)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("data", help="write a preset's data set as CSV")
    p.add_argument("preset")
    p.add_argument("--seed", type=_seed)
    p = sub.add_parser("code", help="write a standalone script that performs the same run")
    p.add_argument("preset")
    _add_overrides(p)
    p.add_argument("--dtype", type=_dtype, help="float32 (default, as the tutorials) or float64")
    sub.add_parser("presets", help="list the presets")
    return parser


# -- commands ----------------------------------------------------------------------------------

def _train_data(args, config):
    """The --data file as a data set for the config's task (None without --data); one sentence if unusable."""
    if args.data is None:
        if args.target is not None:
            raise GdError("--target names a column of --data: give the file with --data")
        return None
    from .data import check_for_task, load_csv
    from .uploads import summary

    ds = load_csv(args.data, args.target, binary_labels=config.task == "logreg")
    check_for_task(ds, config.task)
    if not args.json:
        print(summary(ds, args.data), file=sys.stderr)
    return ds


def _train_config(args):
    """The run's config: the preset (or the task's default loop for --data) with the overrides."""
    from .presets import preset_config

    if args.preset is None and args.data is None:
        raise GdError("name a preset (python -m gdcore presets lists them), or give a CSV with --data")
    if args.preset is None:
        config = preset_config(DATA_PRESETS[args.task or "linreg"], **_overrides(args))
    else:
        config = preset_config(args.preset, **_overrides(args))
    if args.task is not None and args.task != config.task:
        raise GdError(f"preset {args.preset} is a {config.task} loop, not {args.task}: "
                      f"leave out --task or pick a {args.task} preset")
    return config


def _cmd_train(args) -> int:
    from .api import Result
    from .engine import Run

    config = _train_config(args)
    run = Run(config, _train_data(args, config))
    if args.json:
        run.run()
        print(json.dumps(Result(run).to_dict()))
        return 0
    printer = Printer(run)
    try:
        run.run(callback=printer)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
    printer.finish(Result(run))
    return 0


def _cmd_sweep(args) -> int:
    from .presets import preset_config
    from .sweep import lr_grid, sweep

    if args.lr_min > args.lr_max:
        raise GdError(f"--lr-min ({args.lr_min:g}) must not exceed --lr-max ({args.lr_max:g})")
    config = preset_config(args.preset, **_overrides(args))
    result = sweep(config, lr_grid(args.lr_min, args.lr_max, args.runs))
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    for rec in result.records():
        status = rec["status"] if rec["diverged_at"] is None else f"diverged at step {rec['diverged_at']}"
        loss = "-" if rec["final_loss"] is None else f"{rec['final_loss']:.6g}"
        print(f"lr {rec['lr']:<12.6g} loss {loss:<14} {status}")
    print(f"{len(result.lrs)} runs x {result.steps:,} steps in {result.seconds:.2f} s on {result.device}")
    return 0


def _cmd_data(args) -> int:
    from .data import make_dataset
    from .presets import preset_config

    config = preset_config(args.preset, **({} if args.seed is None else {"seed": args.seed}))
    sys.stdout.write(make_dataset(config.replace(val_fraction=0.0)).to_csv())
    return 0


def _cmd_code(args) -> int:
    from .codegen import export_script
    from .presets import preset_config

    sys.stdout.write(export_script(preset_config(args.preset, **_overrides(args))))
    return 0


def _cmd_presets(args) -> int:
    from .presets import DESCRIPTIONS, PRESETS

    width = max(map(len, PRESETS))
    for name in PRESETS:
        print(f"{name:<{width}}  {DESCRIPTIONS[name]}")
    return 0


COMMANDS = {"train": _cmd_train, "sweep": _cmd_sweep, "data": _cmd_data, "code": _cmd_code,
            "presets": _cmd_presets}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import torch

    # The tutorials' tensors are tiny: one thread avoids thread hand-off costs on every op.
    torch.set_num_threads(1)
    try:
        return COMMANDS[args.command](args)
    except GdError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `python -m gdcore data ... | head`
        return 0
