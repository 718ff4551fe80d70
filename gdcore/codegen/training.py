"""The script's loss and update, batches, training loop and result, from the loop's pieces (gdcore/loops)."""
from __future__ import annotations

from ..loops import loaders
from ..loops.losses import LOSSES
from ..loops.updates import update_rule
from .moves import move_call_lines
from .plan import Plan, indent


def loss_and_update_lines(p: Plan) -> list[str]:
    lines = ["# ---- loss and update ----------------------------------------------------------------"]
    lines += LOSSES[p.c.loss].define(p)
    define = update_rule(p.c).define(p)
    if define[0] and (lines[-1].startswith("    ") or define[0].startswith("def ")):
        lines += ["", ""]  # two blank lines around a function definition
    return lines + define


def batch_lines(p: Plan) -> list[str]:
    if p.c.mode == "batch":
        return []
    lines = ["# ---- batches ----------------------------------------------------------------------"]
    return lines + loaders.loader_for(p.c).setup(p)


def training_lines(p: Plan) -> list[str]:
    c = p.c
    lines = ["# ---- training -----------------------------------------------------------------------",
             "diverged_at = None  # the step where a value became inf or nan, if one did"]
    head, xb, yb = loaders.loader_for(c).head(p)
    if c.mode == "batch":
        return lines + head + indent(step_body(p, xb, yb, per_step_print=True), 1)
    lines += ["step = 0", "for epoch in range(num_epochs):"]
    body = ["step += 1"]
    if c.full_tensor_pitfall:
        body.append("# the pitfall: the batch above is drawn, but the lines below use the full X, y")
        xb, yb = "X", "y"
    body += step_body(p, xb, yb, per_step_print=p.style == "000")
    if p.stop_mid_epoch:
        body += ["if step == total_steps:", "    break"]
    inner = head + indent(body, 1)
    lines += indent(inner, 1)
    lines += indent(["if diverged_at is not None:", "    break"], 1)
    lines += indent(epoch_print(p), 1)
    return lines


def step_body(p: Plan, xb: str, yb: str, per_step_print: bool) -> list[str]:
    c = p.c
    rule = update_rule(c)
    fl, report = LOSSES[c.loss].forward(p, xb, yb)
    lines = ["# forward"] + fl + ["# backward"] + rule.zero(p)
    lines.append("loss.backward()")
    if p.module:
        lines.append("last = {name: t.detach().clone() for name, t in model.named_parameters()}  # to undo a bad step")
    else:
        lines.append("w_last, b_last = w.detach().clone(), b.detach().clone()  # to undo a bad step")
    lines += ["# update"] + rule.apply(p)
    # An inf/nan gradient always makes the updated parameters inf/nan too, so checking the loss and
    # the new parameters (and the optimizer's running averages) finds the same step as the engine.
    check = f"all_finite(loss, {p.params_text})"
    if not p.manual_update and c.optimizer != "sgd":
        check = f"({check} and optimizer_state_finite(optimizer))"
    lines.append(f"if not {check}:  # inf or nan: the run diverged")
    if p.module:
        lines.append("    model.load_state_dict(last)  # back to the parameters of the last finite step")
    else:
        lines += ["    with torch.no_grad():  # back to the parameters of the last finite step",
                  "        w.copy_(w_last)",
                  "        b.copy_(b_last)"]
    lines += ["    diverged_at = step", "    break"]
    if per_step_print:
        lines += step_print(p, report)
    return lines + rule.clear(p) + move_call_lines(p)


def step_print(p: Plan, report: str) -> list[str]:
    if p.style == "000":
        return ["if step % print_every == 0:  # dw, db: the gradients",
                '    print("epoch(%d) batch(%d) loss,dw,db,w,b = %.3f,%.3f,%.3f,%.3f,%.3f"',
                "          % (epoch + 1, batch_index, loss.item(), w.grad.item(), b.grad.item(), w.item(), b.item()))"]
    if p.module:
        return ["if step % print_every == 0:",
                "    print('Epoch[{}/{}], loss: {:.6f}'.format(step, total_steps, "
                f"{report}.item()))"]
    return ["if step % print_every == 0:",
            f'    print("iteration %d, loss %.6f" % (step, {report}.item()))']


def epoch_print(p: Plan) -> list[str]:
    if p.style == "d2l":
        return ["if (epoch + 1) % print_every == 0:",
                "    with torch.no_grad():",
                f"        train_l = {full_loss(p, 'X', 'y')}",
                '    print(f"epoch {epoch + 1}, loss {float(train_l):f}")']
    report = "l.mean()" if p.c.loss == "half_squared" else "loss"
    if p.style == "004":
        last = "step" if p.c.full_tensor_pitfall else "sample"
        return [f"if (epoch + 1) % print_every == 0:  # the loss of the last {last}",
                f'    print("Epoch: %03d, Loss: %.3f" % (epoch, {report}.item()))']
    if p.style == "epoch":
        return ["if (epoch + 1) % print_every == 0:  # the loss of the last batch",
                f'    print("epoch %d, loss %.6f" % (epoch + 1, {report}.item()))']
    return []


def full_loss(p: Plan, X: str, y: str) -> str:
    """An expression: the mean training loss over a whole data set (no autograd needed)."""
    return LOSSES[p.c.loss].full(p, X, y)


def result_lines(p: Plan) -> list[str]:
    c = p.c
    lines = ["# ---- result -------------------------------------------------------------------------",
             "if diverged_at is not None:",
             '    print("diverged at step %d: a value became inf or nan (is lr too large?); "',
             '          "w and b are those of the last finite step" % diverged_at)',
             "with torch.no_grad():",
             f"    final_loss = {full_loss(p, 'X', 'y')}"]
    has_val = not p.literal_data and c.val_fraction > 0
    if has_val:
        lines.append(f"    val_loss = {full_loss(p, 'X_val', 'y_val')}")
    if p.logreg:
        z = "model.linear(X)" if p.module else "logit(X, w, b)"
        lines.append(f"    accuracy = (({z} > 0).float() == y).float().mean()")
    lines.append('print("loss on the %d training samples: %.6f" % (n, final_loss.item()))')
    if has_val:
        lines.append('print("loss on the %d held-out samples: %.6f" % (len(X_val), val_loss.item()))')
    if p.logreg:
        lines.append('print("accuracy: %.3f" % accuracy.item())')
    if not p.literal_data and c.data == "synthetic" and not p.module:
        lines += ['print(f"error in w: {(true_w - w.detach().reshape(true_w.shape)).tolist()}")',
                  'print(f"error in b: {true_b - b.item()}")']
    if p.module:
        lines += ["w_final = model.linear.weight.detach()",
                  "b_final = model.linear.bias.detach()"]
    else:
        lines += ["w_final, b_final = w.detach(), b.detach()"]
    if c.scaling == "standard":
        lines += ["# the same line on the raw features: w_raw = w / sd, b_raw = b - sum(w_raw * mean)",
                  "w_raw = w_final.double().reshape(-1) / sd",
                  "b_raw = b_final.double().reshape(-1) - (w_raw * mean).sum()",
                  'print("in the units of the raw features: w =", w_raw.tolist())',
                  'print("in the units of the raw features: b =", b_raw.tolist())',
                  "# w and b as trained, on the standardised features"]
    lines += ['print("w =", w_final.reshape(-1).tolist())',
              'print("b =", b_final.reshape(-1).tolist())']
    return lines
