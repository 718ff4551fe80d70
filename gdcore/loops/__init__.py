"""The training loop in small pieces, each holding its computation beside its code text.

A run's step is `forward -> loss -> backward -> update`, as in the tutorials. Every variant of a
piece is written once, here: the engine calls its computation, the exported script prints its
lines, so the two cannot drift apart.

    losses.py     mse, half_squared (d2l), bce_manual (tutorial 004), bce, bce_logits
    updates.py    the hand update (`w.data -= lr * w.grad`), d2l's `sgd`, torch.optim's optimizers
    loaders.py    full batch, DataLoader, d2l's data_iter, index batches (one sample at a time)
    tutorials.py  the five tutorials' own loops, verbatim: shown by the pages, the tests' oracle,
                  the benchmarks' baseline

Adding a loss or an optimizer is one entry in one of these modules.
"""
