"""What one Step click sends, element by element: where a page's bytes per Step go.

    python benchmarks/step_bytes.py --page linear_regression [--url http://127.0.0.1:8501]

One learner opens the page and clicks Step (three times unless --step says); the last click's answer is listed frame by
frame (a frame is one element, block or control message), largest first, with the element's kind
and key where it has one, then the total. Bytes are deterministic for a given tree: this is the tool
for cutting them, and bench_workshop.py measures them under load.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workshop.client import Session  # noqa: E402
from workshop.lesson_page import PAGES, STEP, only_key  # noqa: E402
from workshop.server import Server, warm_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _columns(ipc: bytes) -> str:
    """A data set's rows and its columns' types and bytes (Arrow buffers), e.g. `300 rows, step int16 600`."""
    import pyarrow as pa
    t = pa.ipc.open_stream(ipc).read_all()
    return f"{t.num_rows} rows, " + ", ".join(f"{f.name} {f.type} {t.column(f.name).nbytes}" for f in t.schema)


class Recording(Session):
    """A session that notes each frame's size and what it carried."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[tuple[int, str]] | None = None
        self.dump: Path | None = None

    def _dump(self, raw: bytes) -> None:
        """Write a chart's spec and the sizes of its datasets, to see what the bytes carry."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = ForwardMsg.FromString(raw)
        if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        if element.WhichOneof("type") != "vega_lite_chart":
            return
        chart = element.vega_lite_chart
        name = "_".join(map(str, msg.metadata.delta_path))
        sizes = {d.name: len(d.data.data) for d in chart.datasets}
        tables = "".join(f"{d.name}: {_columns(d.data.data)}\n" for d in chart.datasets)
        (self.dump / f"chart_{name}.json").write_text(chart.spec + "\n" + repr(sizes) + "\n" + tables)
        for d in chart.datasets:  # the rows themselves, for pyarrow.ipc.open_stream
            (self.dump / f"chart_{name}_{d.name}.arrow").write_bytes(d.data.data)

    def _receive(self, raw: bytes) -> bool:
        finished = super()._receive(raw)
        if self.frames is not None:
            self.frames.append((len(raw), self._describe(raw)))
            if self.dump is not None:
                self._dump(raw)
        return finished

    @staticmethod
    def _describe(raw: bytes) -> str:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = ForwardMsg.FromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            return "cached element (reference)"
        if kind != "delta":
            return kind or "?"
        delta = msg.delta
        what = delta.WhichOneof("type")
        if what == "new_element":
            element = delta.new_element
            name = element.WhichOneof("type")
            proto = getattr(element, name)
            key = getattr(proto, "id", "") or ""
            key = key.rsplit("-", 1)[-1] if "-" in key else ""
            label = getattr(proto, "label", "") or getattr(proto, "body", "")[:30]
            return f"{name} {key or label!r}"
        return what or "?"


async def measure(url: str, page: str, dump: Path | None = None, step: int = 3) -> list[tuple[int, str]]:
    """The frames of the click that takes the run to `step`."""
    session = Recording(url, page)
    session.dump = dump
    if dump is not None:  # (a missing folder made the click look unanswered)
        dump.mkdir(parents=True, exist_ok=True)
    await session.open(60)
    key = only_key(session, STEP)
    for _ in range(step - 1):
        await session.click(key, 30)
    session.frames = []
    click = await session.click(key, 30)
    await session.close()
    if click.run is None:
        raise SystemExit("error: the Step click was not answered")
    return session.frames


async def main_async(opts) -> None:
    server = None
    url = opts.url
    if url is None:
        server = Server(ROOT / "streamlit_app.py", opts.server_arg)
        await asyncio.to_thread(server.start)
        url = server.url
    try:
        await warm_up(url, [opts.page], 90)
        frames = await measure(url, opts.page, opts.dump, opts.step)
    finally:
        if server is not None:
            server.stop()
    kinds = Counter()
    for size, what in frames:
        kinds[what.split(" ")[0]] += size
    print(f"{opts.page}, Step {opts.step}: one Step sends {sum(s for s, _ in frames):,} bytes in {len(frames)} frames")
    for size, what in sorted(frames, reverse=True)[:opts.top]:
        print(f"  {size:>7,}  {what}")
    print("  by kind: " + ", ".join(f"{k} {v:,}" for k, v in kinds.most_common()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", default="linear_regression", choices=PAGES)
    ap.add_argument("--url", help="a running server on loopback instead of starting one")
    ap.add_argument("--step", type=int, default=3, help="measure the click that makes this step (what a Step "
                    "sends grows with the run: the loss curve and the path)")
    ap.add_argument("--top", type=int, default=25, help="frames listed")
    ap.add_argument("--dump", type=Path, help="a folder: each chart's spec, its data sets' sizes and columns, and "
                    "their rows (chart_*_dataN.arrow, for pyarrow.ipc.open_stream) go there")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra `streamlit run` option, e.g. --server-arg=--global.minCachedMessageSize=500")
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
