"""From PyTorch to locus: a ``torch.nn.Sequential`` of ``Linear`` layers and activations, its
training data and its loss, as an exact locus problem.

    import torch, locus.pytorch
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1))
    p = locus.pytorch.from_sequential(model, x, y, torch.nn.MSELoss())

Every float weight, input and target enters with its exact binary value (float32 and float64 are
both exact in a rational), so the imported loss is the same function as the original:
``locus.hessian(p)`` equals ``torch.autograd.functional.hessian`` of the model's loss in float64.

Supported: ``Linear`` layers (all with bias or all without), one activation type between them
(``Sigmoid``, ``Tanh``, ``ReLU``, ``Identity``, ``Softplus`` with beta = 1), a linear output
layer; ``MSELoss`` and ``CrossEntropyLoss`` (class indices or probability targets) with reduction
``"mean"`` or ``"sum"``. Anything else is refused with a ``ValueError`` naming the layer.

PyTorch conventions mapped exactly: ``MSELoss(reduction="mean")`` averages (f − y)² over N·n_L
entries, which is locus's ½‖f − y‖² with the mean reduction and ``loss_scale = 2/n_L``;
``reduction="sum"`` is ``loss_scale = 2``. Cross-entropy maps with scale 1. ``Softplus``'s linear
branch above ``threshold`` (default 20) differs from log(1 + e^x) by less than e^-20 and is ignored.
"""

from fractions import Fraction

import numpy as np

import locus

_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "Identity": "identity",
                "Softplus": "softplus"}


def _describe(i, module):
    return f"layer {i}: {type(module).__name__}"


def _architecture(model):
    import torch.nn as nn

    if not isinstance(model, nn.Sequential):
        raise ValueError(f"expected a torch.nn.Sequential, got {type(model).__name__}")
    linears, activation = [], None
    expect_linear = True
    for i, m in enumerate(model):
        name = type(m).__name__
        if isinstance(m, nn.Linear):
            if not expect_linear:
                raise ValueError(f"{_describe(i, m)} follows a Linear layer without an activation; "
                                 f"locus applies one activation between every two Linear layers")
            linears.append(m)
            expect_linear = False
            continue
        if name in _ACTIVATIONS:
            if expect_linear:
                raise ValueError(f"{_describe(i, m)} does not follow a Linear layer")
            if name == "Softplus" and float(m.beta) != 1.0:
                raise ValueError(f"{_describe(i, m)} has beta = {m.beta}; locus's softplus is "
                                 f"log(1 + e^x) (beta = 1)")
            kind = _ACTIVATIONS[name]
            if activation is not None and activation != kind:
                raise ValueError(f"{_describe(i, m)}: locus uses one activation for every hidden "
                                 f"layer, and this network also has {activation}")
            activation = kind
            expect_linear = True
            continue
        raise ValueError(f"unsupported {_describe(i, m)}; locus supports Linear, Sigmoid, Tanh, "
                         f"ReLU, Identity and Softplus")
    if not linears:
        raise ValueError("the Sequential has no Linear layer")
    if expect_linear:
        raise ValueError(f"the last layer ({type(model[-1]).__name__}) is an activation; locus's "
                         f"output layer is linear (put the activation into the loss)")
    for a, b in zip(linears, linears[1:]):
        if a.out_features != b.in_features:
            raise ValueError(f"Linear layers do not chain: {a.out_features} outputs into "
                             f"{b.in_features} inputs")
    biases = {m.bias is not None for m in linears}
    if len(biases) > 1:
        raise ValueError("some Linear layers have a bias and some do not; locus needs all or none")
    widths = [linears[0].in_features] + [m.out_features for m in linears]
    return linears, activation or "identity", biases.pop(), widths


def _loss(loss_fn, n_out):
    import torch.nn as nn

    if isinstance(loss_fn, str):
        loss_fn = {"mse": nn.MSELoss(), "cross_entropy": nn.CrossEntropyLoss()}.get(loss_fn)
        if loss_fn is None:
            raise ValueError("loss: expected a torch.nn.MSELoss or CrossEntropyLoss (or 'mse', "
                             "'cross_entropy')")
    red = getattr(loss_fn, "reduction", None)
    if red not in ("mean", "sum"):
        raise ValueError(f"{type(loss_fn).__name__}(reduction={red!r}): expected 'mean' or 'sum'")
    if isinstance(loss_fn, nn.MSELoss):
        scale = Fraction(2, n_out) if red == "mean" else Fraction(2)
        return "squared", red, scale
    if isinstance(loss_fn, nn.CrossEntropyLoss):
        if loss_fn.weight is not None:
            raise ValueError("CrossEntropyLoss with class weights is not supported")
        if float(getattr(loss_fn, "label_smoothing", 0.0)) != 0.0:
            raise ValueError("CrossEntropyLoss with label_smoothing is not supported")
        return "cross_entropy", red, Fraction(1)
    raise ValueError(f"unsupported loss {type(loss_fn).__name__}; locus supports MSELoss and "
                     f"CrossEntropyLoss")


def _array(t):
    import torch

    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t.is_floating_point():
            return t.double().numpy()  # float32 -> float64 is exact
        return t.numpy()
    return np.asarray(t)


def from_sequential(model, inputs, targets, loss_fn="mse", *, point=True):
    """The locus problem of ``loss_fn(model(inputs), targets)`` at the model's current weights.

    inputs: N x n_0; targets: N x n_L (MSE; a vector is refused: torch would broadcast it),
    class indices (N integers)
    or probability rows (cross-entropy). point=False leaves the problem without a point.
    """
    _, activation, bias, widths = _architecture(model)
    loss, reduction, scale = _loss(loss_fn, widths[-1])
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
        if y.ndim == 1 and loss == "squared":
            raise ValueError(f"targets have shape ({y.shape[0]},) and the model outputs "
                             f"(N, {widths[-1]}): torch's MSELoss would broadcast them to "
                             f"({y.shape[0]}, {y.shape[0]}) pairs, not compare row by row; pass "
                             f"targets of shape ({y.shape[0]}, {widths[-1]})")
        if y.ndim != 2 or y.shape != (x.shape[0], widths[-1]):
            raise ValueError(f"targets have shape {tuple(y.shape)}; expected "
                             f"({x.shape[0]}, {widths[-1]})")
    p = locus.problem(widths, activation, x, y, loss=loss, reduction=reduction, bias=bias,
                      loss_scale=scale)
    if not point:
        return p
    theta = np.zeros(p.num_parameters)
    theta[parameter_indices(p, model)] = np.concatenate(
        [q.detach().cpu().double().numpy().ravel() for q in model.parameters()])
    return p.with_point(theta)


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
    linears, _, bias, _ = _architecture(model)
    idx = []
    for layer, m in enumerate(linears, start=1):
        for j in range(m.out_features):
            idx.extend(problem.weight_index(layer, j, k) for k in range(m.in_features))
        if bias:
            idx.extend(problem.bias_index(layer, j) for j in range(m.out_features))
    return np.array(idx, dtype=np.int64)


def torch_hessian(model, inputs, targets, loss_fn, dtype=None):
    """``torch.autograd.functional.hessian`` of ``loss_fn(model(inputs), targets)`` with respect
    to the model's parameters (torch's order, see ``parameter_indices``), on a copy of the model
    in ``dtype`` (default float64; float32 is what float tools such as PyHessian see). Returns
    (Hessian as float64 numpy, the loss as a float)."""
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
        return loss_fn(functional_call(m, params, (x,)), y)

    h = torch.autograd.functional.hessian(loss_of, flat)
    return h.double().numpy(), float(loss_of(flat))
