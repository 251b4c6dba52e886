"""From PyTorch to locus: a ``torch.nn.Sequential`` of ``Linear`` layers and activations, its
training data, its loss and the SGD weight decay it was trained with, as an exact locus problem.

    import torch, locus.pytorch
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.GELU(), torch.nn.Linear(3, 1))
    p = locus.pytorch.from_sequential(model, x, y, torch.nn.BCEWithLogitsLoss(), weight_decay=1e-4)

Every float weight, input and target enters with its exact binary value (float32 and float64 are
both exact in a rational), so the imported loss is the same function as the original:
``locus.hessian(p)`` equals ``torch.autograd.functional.hessian`` of the model's loss in float64.

Supported layers: ``Linear`` (each with or without a bias), and between two of them at most one
activation: ``Sigmoid``, ``Tanh``, ``ReLU``, ``LeakyReLU`` (its slope enters exactly),
``Softplus`` (any beta), ``GELU`` (``approximate="none"`` or ``"tanh"``), ``SiLU``, ``ELU`` (any
alpha); no activation between two ``Linear`` layers is the identity. ``Flatten`` and ``Identity``
are no-ops. The last ``Linear`` is the
output; a final ``Sigmoid`` with ``BCELoss``, or ``LogSoftmax`` with ``NLLLoss``, is folded into
the loss as the conventional pair. Losses: ``MSELoss``, ``CrossEntropyLoss`` (class indices or
probability targets), ``BCEWithLogitsLoss`` (targets in [0, 1], one or several outputs), with
reduction ``"mean"`` or ``"sum"``. Anything else is refused with a ``ValueError`` naming the layer.

PyTorch conventions mapped exactly: ``MSELoss(reduction="mean")`` averages (f − y)² over N·n_L
entries, which is locus's ½‖f − y‖² with the mean reduction and ``loss_scale = 2/n_L``;
``reduction="sum"`` is ``loss_scale = 2``. ``BCEWithLogitsLoss(reduction="mean")`` averages over
N·n_L entries: ``loss_scale = 1/n_L``. Cross-entropy maps with scale 1. ``weight_decay`` is SGD's:
the gradient gains wd·θ for every parameter (biases too), the loss (wd/2)·Σθ², an exact L2 term
with c = wd/2 over all parameters. ``Softplus``'s linear branch above ``threshold`` (default 20)
differs from log(1 + e^{βx})/β by less than e^-20/β and is not imitated: locus uses the smooth
function everywhere.
"""

from fractions import Fraction

import numpy as np

import locus

_NOOPS = ("Flatten", "Identity")


def _describe(i, module):
    return f"layer {i}: {type(module).__name__}"


def _activation_name(i, m):
    """The locus activation of a torch activation module, or None if it is not one."""
    name = type(m).__name__
    if name == "Sigmoid":
        return "sigmoid"
    if name == "Tanh":
        return "tanh"
    if name == "ReLU":
        return "relu"
    if name == "SiLU":
        return "silu"
    if name == "GELU":
        approx = getattr(m, "approximate", "none")
        if approx == "none":
            return "gelu"
        if approx == "tanh":
            return "gelu_tanh"
        raise ValueError(f"{_describe(i, m)} has approximate={approx!r}; expected 'none' or "
                         f"'tanh'")
    if name == "LeakyReLU":
        return f"leaky_relu({_exact(m.negative_slope)})"
    if name == "Softplus":
        beta = Fraction(float(m.beta))
        if beta <= 0:
            raise ValueError(f"{_describe(i, m)} has beta = {m.beta}; expected beta > 0")
        return "softplus" if beta == 1 else f"softplus({_exact(beta)})"
    if name == "ELU":
        alpha = Fraction(float(m.alpha))
        if alpha <= 0:
            raise ValueError(f"{_describe(i, m)} has alpha = {m.alpha}; expected alpha > 0")
        return "elu" if alpha == 1 else f"elu({_exact(alpha)})"
    return None


def _exact(x):
    f = Fraction(x) if not isinstance(x, Fraction) else x
    return f"{f.numerator}/{f.denominator}" if f.denominator != 1 else str(f.numerator)


def _architecture(model):
    """(linears, activations per hidden layer, bias flags, widths, output activation or None)."""
    import torch.nn as nn

    if not isinstance(model, nn.Sequential):
        raise ValueError(f"expected a torch.nn.Sequential, got {type(model).__name__}")
    linears, activations, pending, output = [], [], None, None
    for i, m in enumerate(model):
        name = type(m).__name__
        if output is not None:
            raise ValueError(f"{_describe(i, m)} follows the output activation {output[1]}; "
                             f"locus folds only a final Sigmoid or LogSoftmax into the loss")
        if isinstance(m, nn.Linear):
            if linears:
                activations.append(pending[0] if pending else "identity")
            linears.append(m)
            pending = None
            continue
        if name in _NOOPS:
            if name == "Flatten" and (m.start_dim != 1 or m.end_dim != -1):
                raise ValueError(f"{_describe(i, m)} has start_dim={m.start_dim}, "
                                 f"end_dim={m.end_dim}; only Flatten(1, -1) is a no-op on "
                                 f"(N, n) inputs")
            continue
        if name in ("LogSoftmax", "Softmax") or (name == "Sigmoid" and linears and
                                                  i == len(model) - 1):
            if name == "Sigmoid" or name == "LogSoftmax":
                if name == "LogSoftmax" and getattr(m, "dim", None) not in (1, -1):
                    raise ValueError(f"{_describe(i, m)} has dim={m.dim}; expected dim=1")
                if not linears or pending is not None:
                    raise ValueError(f"{_describe(i, m)} does not follow a Linear layer")
                output = (i, name)
                continue
            raise ValueError(f"{_describe(i, m)}: a Softmax output has no loss locus folds it "
                             f"into; use CrossEntropyLoss on the logits (or LogSoftmax + NLLLoss)")
        act = _activation_name(i, m)
        if act is None:
            raise ValueError(f"unsupported {_describe(i, m)}; locus supports Linear, Sigmoid, "
                             f"Tanh, ReLU, LeakyReLU, Softplus, GELU, SiLU, ELU, and Flatten, "
                             f"Identity as no-ops")
        if not linears:
            raise ValueError(f"{_describe(i, m)} does not follow a Linear layer (an activation "
                             f"on the inputs is not a layer locus has)")
        if pending is not None:
            raise ValueError(f"{_describe(i, m)} follows {pending[1]} (layer {pending[2]}) "
                             f"without a Linear layer between them; locus applies one activation "
                             f"per hidden layer")
        pending = (act, name, i)
    if not linears:
        raise ValueError("the Sequential has no Linear layer")
    if pending is not None:
        raise ValueError(f"the last layer (layer {pending[2]}: {pending[1]}) is an activation; "
                         f"locus's output layer is affine (put the activation into the loss: "
                         f"BCEWithLogitsLoss, CrossEntropyLoss, or a final Sigmoid with BCELoss)")
    for a, b in zip(linears, linears[1:]):
        if a.out_features != b.in_features:
            raise ValueError(f"Linear layers do not chain: {a.out_features} outputs into "
                             f"{b.in_features} inputs")
    biases = [m.bias is not None for m in linears]
    widths = [linears[0].in_features] + [m.out_features for m in linears]
    return linears, activations, biases, widths, (output[1] if output else None)


def _loss(loss_fn, n_out, output):
    import torch.nn as nn

    if isinstance(loss_fn, str):
        loss_fn = {"mse": nn.MSELoss(), "cross_entropy": nn.CrossEntropyLoss(),
                   "bce_with_logits": nn.BCEWithLogitsLoss()}.get(loss_fn)
        if loss_fn is None:
            raise ValueError("loss: expected a torch.nn.MSELoss, CrossEntropyLoss or "
                             "BCEWithLogitsLoss (or 'mse', 'cross_entropy', 'bce_with_logits')")
    red = getattr(loss_fn, "reduction", None)
    if red not in ("mean", "sum"):
        raise ValueError(f"{type(loss_fn).__name__}(reduction={red!r}): expected 'mean' or 'sum'")
    name = type(loss_fn).__name__
    expected_output = {"BCELoss": "Sigmoid", "NLLLoss": "LogSoftmax"}.get(name)
    if output != expected_output:
        if output is None:
            raise ValueError(f"{name} needs the model to end in {expected_output}; use "
                             f"{'BCEWithLogitsLoss' if name == 'BCELoss' else 'CrossEntropyLoss'}"
                             f" on the logits")
        raise ValueError(f"the model ends in {output}, which locus folds into the loss only with "
                         f"{'BCELoss' if output == 'Sigmoid' else 'NLLLoss'}, not {name}")
    if isinstance(loss_fn, nn.MSELoss):
        scale = Fraction(2, n_out) if red == "mean" else Fraction(2)
        return "squared", red, scale
    if isinstance(loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss)):
        if loss_fn.weight is not None:
            raise ValueError(f"{name} with class weights is not supported")
        if float(getattr(loss_fn, "label_smoothing", 0.0)) != 0.0:
            raise ValueError(f"{name} with label_smoothing is not supported")
        if getattr(loss_fn, "ignore_index", -100) != -100:
            raise ValueError(f"{name} with ignore_index is not supported")
        return "cross_entropy", red, Fraction(1)
    if isinstance(loss_fn, (nn.BCEWithLogitsLoss, nn.BCELoss)):
        if loss_fn.weight is not None:
            raise ValueError(f"{name} with weight is not supported")
        if getattr(loss_fn, "pos_weight", None) is not None:
            raise ValueError(f"{name} with pos_weight is not supported")
        scale = Fraction(1, n_out) if red == "mean" else Fraction(1)
        return "binary_cross_entropy", red, scale
    raise ValueError(f"unsupported loss {name}; locus supports MSELoss, CrossEntropyLoss, "
                     f"BCEWithLogitsLoss (and BCELoss after a final Sigmoid, NLLLoss after "
                     f"LogSoftmax)")


def _array(t):
    import torch

    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t.is_floating_point():
            return t.double().numpy()  # float32 -> float64 is exact
        return t.numpy()
    return np.asarray(t)


def from_sequential(model, inputs, targets, loss_fn="mse", weight_decay=0, *, point=True):
    """The locus problem of ``loss_fn(model(inputs), targets) + (weight_decay/2)·Σθ²`` at the
    model's current weights.

    inputs: N x n_0; targets: N x n_L (MSE, BCE; a vector is refused: torch would broadcast it or
    fail), class indices (N integers) or probability rows (cross-entropy). weight_decay: SGD's
    (a float enters with its exact binary value; pass a string or Fraction for a decimal).
    point=False leaves the problem without a point.
    """
    _, activations, biases, widths, output = _architecture(model)
    loss, reduction, scale = _loss(loss_fn, widths[-1], output)
    wd = Fraction(weight_decay)
    if wd < 0:
        raise ValueError(f"weight_decay = {weight_decay}: expected a nonnegative number")
    x = _array(inputs)
    if x.ndim != 2 or x.shape[1] != widths[0]:
        raise ValueError(f"inputs have shape {tuple(x.shape)}; expected (N, {widths[0]})")
    y = _array(targets)
    if loss == "cross_entropy" and y.dtype.kind in "iu":
        if y.ndim != 1 or y.shape[0] != x.shape[0]:
            raise ValueError(f"class-index targets have shape {tuple(y.shape)}; expected "
                             f"({x.shape[0]},)")
        if y.min() < 0 or y.max() >= widths[-1]:
            raise ValueError(f"class index {int(y.min()) if y.min() < 0 else int(y.max())} is "
                             f"outside 0..{widths[-1] - 1}")
        onehot = [["0"] * widths[-1] for _ in range(len(y))]
        for i, c in enumerate(y.tolist()):
            onehot[i][c] = "1"
        y = onehot
    else:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1 and loss in ("squared", "binary_cross_entropy"):
            what = ("MSELoss would broadcast them to pairs, not compare row by row"
                    if loss == "squared" else "BCEWithLogitsLoss needs the same shape")
            raise ValueError(f"targets have shape ({y.shape[0]},) and the model outputs "
                             f"(N, {widths[-1]}): torch's {what}; pass targets of shape "
                             f"({y.shape[0]}, {widths[-1]})")
        if y.ndim != 2 or y.shape != (x.shape[0], widths[-1]):
            raise ValueError(f"targets have shape {tuple(y.shape)}; expected "
                             f"({x.shape[0]}, {widths[-1]})")
        if loss == "binary_cross_entropy" and (np.any(y < 0) or np.any(y > 1)):
            bad = y[(y < 0) | (y > 1)][0]
            raise ValueError(f"a BCE target is {bad}; binary cross-entropy targets must lie in "
                             f"[0, 1]")
    act = activations if len(set(activations)) > 1 else (activations[0] if activations
                                                         else "identity")
    p = locus.problem(widths, act, x, y, loss=loss, reduction=reduction,
                      bias=biases if len(set(biases)) > 1 else biases[0], loss_scale=scale,
                      l2=wd / 2, l2_scope="all")
    if not point:
        return p
    theta = np.zeros(p.num_parameters)
    theta[parameter_indices(p, model)] = np.concatenate(
        [q.detach().cpu().double().numpy().ravel() for q in model.parameters()])
    return p.with_point(theta)


def certify(model, inputs, targets, loss_fn="mse", weight_decay=0, **options):
    """``locus.certify`` of the imported problem: from the model's weights along the gradient
    flow to a critical point, proved and classified (or where the run stopped). Options as
    ``locus.certify``. Returns (refined problem or None, report)."""
    return locus.certify(from_sequential(model, inputs, targets, loss_fn, weight_decay), **options)


def parameters_of(problem, model):
    """The inverse map: a dict name -> float64 tensor of ``model``'s parameters at the problem's
    point (nearest doubles), for ``torch.nn.utils.stateless.functional_call``."""
    import torch

    flat = problem.point[parameter_indices(problem, model)]
    out, i = {}, 0
    for name, q in model.named_parameters():
        out[name] = torch.from_numpy(flat[i:i + q.numel()].reshape(tuple(q.shape)).copy())
        i += q.numel()
    return out


def parameter_indices(problem, model):
    """For each entry of ``model``'s parameters in torch's order (``named_parameters``, each
    flattened row-major), its index in the problem's θ."""
    linears, _, biases, _, _ = _architecture(model)
    idx = []
    for layer, (m, bias) in enumerate(zip(linears, biases), start=1):
        for j in range(m.out_features):
            idx.extend(problem.weight_index(layer, j, k) for k in range(m.in_features))
        if bias:
            idx.extend(problem.bias_index(layer, j) for j in range(m.out_features))
    return np.array(idx, dtype=np.int64)


def torch_hessian(model, inputs, targets, loss_fn, dtype=None, weight_decay=0):
    """``torch.autograd.functional.hessian`` of ``loss_fn(model(inputs), targets) +
    (weight_decay/2)·Σθ²`` with respect to the model's parameters (torch's order, see
    ``parameter_indices``), on a copy of the model in ``dtype`` (default float64; float32 is what
    float tools such as PyHessian see). Returns (Hessian as float64 numpy, the loss as a float)."""
    import copy

    import torch
    from torch.nn.utils.stateless import functional_call

    dtype = dtype or torch.float64
    m = copy.deepcopy(model).to(dtype)
    x = inputs.to(dtype)
    y = targets.to(dtype) if targets.is_floating_point() else targets
    names = [n for n, _ in m.named_parameters()]
    shapes = [p.shape for _, p in m.named_parameters()]
    flat = torch.cat([p.detach().reshape(-1) for _, p in m.named_parameters()])

    def loss_of(theta):
        params, i = {}, 0
        for n, s in zip(names, shapes):
            k = int(np.prod(s))
            params[n] = theta[i:i + k].reshape(s)
            i += k
        value = loss_fn(functional_call(m, params, (x,)), y)
        if weight_decay:
            value = value + (float(weight_decay) / 2) * (theta * theta).sum()
        return value

    h = torch.autograd.functional.hessian(loss_of, flat)
    return h.double().numpy(), float(loss_of(flat))
