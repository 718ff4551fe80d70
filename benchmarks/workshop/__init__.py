"""The workshop load benchmark's parts; the commands are benchmarks/bench_workshop.py (and bench_board.py,
bench_step_cpu.py, which use the same client and server).

    client.py         Session: one browser tab over Streamlit's websocket protocol (socket, requests, timers)
    page_state.py     the page as a tab keeps it: element tree, widget values, runs, the step counter
    messages.py       the widget-value codec and the browser's ForwardMsg cache
    records.py        what the client measures: runs, clicks, exceptions
    server.py         the server under test (started or given), its warm-up, RSS and CPU sampling
    lesson_page.py    the lesson pages, their buttons by key, "Run to end" waited for
    learners.py       the learners scenario
    churn.py          sessions that vanish, and RSS until they are let go
    hostile.py        bad frames, wrong-typed values, a rerun flood
    browser_check.py  the client against Chromium, click for click
    report.py         the markdown tables
    stats.py          nearest-rank percentiles
"""
