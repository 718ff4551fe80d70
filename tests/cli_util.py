"""Calling `python -m gdcore` in-process and capturing what it prints."""
import io
from contextlib import redirect_stderr, redirect_stdout

from gdcore.cli import main


def run_cli(*args) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m gdcore ARGS`, without a subprocess."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()
