"""The mini-batch lesson's words, drawn by pages/views/mini_batches.py in a tab below the run: the
intro, the DataLoader made visible (section 1) and the update rule a step applies (section 2)."""
import streamlit as st

from gdcore.lessons import mini_batches
from pages import ui


def about(run, loader, is_d2l: bool) -> None:
    T = ui.tr()
    cfg = run.config
    st.markdown(T("mini_batches.intro"))
    # -- 1. the DataLoader ---------------------------------------------------------------------------
    st.header(T("mini_batches.s1.header"))
    left, right = st.columns([1.3, 1])
    with left:
        if is_d2l:
            st.code(f"for X, y in data_iter({cfg.batch_size}, features, labels):\n"
                    f"    ...  # X: ({cfg.batch_size}, 2) features, y: ({cfg.batch_size}, 1) labels",
                    language="python", wrap_lines=True)
        else:
            st.code(f"tensorX = torch.from_numpy(x).float()  # ({run.n}, 1)\n"
                    f"tensorY = torch.from_numpy(y).float()\n"
                    f"dataset = TensorDataset(tensorX, tensorY)\n"
                    f"dataloader = DataLoader(dataset, batch_size={cfg.batch_size}, shuffle={cfg.shuffle})\n"
                    f'print("dataloader len =%d" % (len(dataloader)))\n'
                    f"for index, (data, label) in enumerate(dataloader):\n"
                    f'    print("index=%d num = %d" % (index, len(data)))', language="python", wrap_lines=True)
        st.markdown(T("mini_batches.s1.len_rest" if loader.sizes[-1] != loader.batch_size
                      else "mini_batches.s1.len_full",
                      n=run.n, bs=run.batch_size, length=loader.length, last=loader.sizes[-1]))
    with right:
        st.code("\n".join(map(T, loader.lines())), language=None, wrap_lines=True)
        st.caption(T("mini_batches.s1.printout_000") if not is_d2l else T("mini_batches.s1.printout_d2l"))
    # -- 2. stepping ----------------------------------------------------------------------------------
    st.header(T("mini_batches.s2.header"))
    st.latex(r"w \leftarrow w - lr\cdot \frac{1}{|B|}\sum_{i\in B}\frac{\partial\,\ell_i}{\partial w},\qquad "
             r"b \leftarrow b - lr\cdot \frac{1}{|B|}\sum_{i\in B}\frac{\partial\,\ell_i}{\partial b}")
    st.caption(T("mini_batches.s2.caption"))
    st.caption(T("mini_batches.s2.counting", stop=mini_batches.run_epochs(run) + 1,
                 epochs=mini_batches.run_epochs(run), last=run.steps_per_epoch - 1))
