"""From scikit-learn to locus: a fitted ``MLPRegressor`` or ``MLPClassifier`` and the data it was
fitted on, as an exact locus problem whose loss is the estimator's training objective.

    from sklearn.neural_network import MLPRegressor
    import locus.sklearn
    est = MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", solver="lbfgs").fit(X, y)
    p = locus.sklearn.from_estimator(est, X, y)
    locus.loss(p)            # est.loss_, to the last bits

scikit-learn's objective (sklearn/neural_network/_multilayer_perceptron.py, ``_backprop``):
- ``MLPRegressor``: ``((y - f)**2).mean() / 2`` over the N·n_out entries — locus's ½‖f − y‖² with
  the mean reduction and ``loss_scale = 1/n_out``;
- ``MLPClassifier`` with several classes: softmax output and ``-Σ y log p / N`` — locus's
  ``cross_entropy`` with the mean reduction; with two classes or several labels: logistic outputs
  and the binary log loss summed over outputs, averaged over samples — ``binary_cross_entropy``
  with the mean reduction;
- ``alpha``: ``(alpha/2)·Σ‖W_l‖² / N`` over the weights only (not the intercepts) — an exact L2
  term c = alpha/(2N) with scope ``"weights"``.
Hidden activations ``identity``, ``logistic`` (sigmoid), ``tanh`` and ``relu`` map one to one;
every hidden layer has a bias. The weights, inputs and alpha enter with their exact binary values.

For an ``MLPRegressor`` with several outputs, scikit-learn's L-BFGS gradient is not the gradient of
its ``loss_`` (the residuals are divided by N, not N·n_out): ``objective="lbfgs"`` gives the
function it really descends, ``objective="loss"`` (default) the one it reports.
scikit-learn clips predicted probabilities to [eps, 1 − eps] (eps = 2^-52) inside its log loss;
locus evaluates the log loss itself, so the two differ only when a probability is that close to 0
or 1.
"""

from fractions import Fraction

import numpy as np

import locus

_HIDDEN = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def from_estimator(est, X, y, *, objective="loss", point=True):
    """The locus problem of a fitted ``MLPRegressor``/``MLPClassifier`` on (X, y), the data it
    was fitted on (``loss_`` is the objective on those). point=False leaves out the point.

    objective="loss" (default) is the function whose value scikit-learn reports as ``loss_``.
    objective="lbfgs" is the function whose gradient its L-BFGS solver is given, and whose
    critical points are therefore the points it converges to. The two differ only for an
    ``MLPRegressor`` with n_out > 1 outputs: scikit-learn's loss averages the squared error over
    N·n_out entries, but its gradient divides the residuals by N only, so the data part of the
    gradient is n_out times that of ``loss_`` (the alpha part agrees). "lbfgs" then drops the 1/n_out.
    """
    if objective not in ("loss", "lbfgs"):
        raise ValueError(f"objective={objective!r}: expected 'loss' or 'lbfgs'")
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    if not isinstance(est, (MLPRegressor, MLPClassifier)):
        raise ValueError(f"expected a fitted MLPRegressor or MLPClassifier, got "
                         f"{type(est).__name__}")
    if not hasattr(est, "coefs_"):
        raise ValueError(f"the {type(est).__name__} is not fitted (no coefs_); call fit first")
    if est.activation not in _HIDDEN:
        raise ValueError(f"activation={est.activation!r}: expected one of {sorted(_HIDDEN)}")
    coefs, intercepts = est.coefs_, est.intercepts_
    widths = [int(coefs[0].shape[0])] + [int(c.shape[1]) for c in coefs]
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != widths[0]:
        raise ValueError(f"X has shape {tuple(x.shape)}; expected (N, {widths[0]})")
    n = x.shape[0]
    out = est.out_activation_
    if isinstance(est, MLPRegressor):
        t = np.asarray(y, dtype=np.float64)
        if t.ndim == 1:
            t = t.reshape(-1, 1)
        loss = "squared"
        scale = Fraction(1, widths[-1]) if objective == "loss" else Fraction(1)
    else:
        t = np.asarray(est._label_binarizer.transform(y), dtype=np.float64)
        if out == "softmax":
            loss = "cross_entropy"
        elif out == "logistic":
            loss = "binary_cross_entropy"
        else:
            raise ValueError(f"out_activation_={out!r}: expected 'softmax' or 'logistic'")
        scale = Fraction(1)
    if t.shape != (n, widths[-1]):
        raise ValueError(f"y gives targets of shape {tuple(t.shape)}; expected ({n}, "
                         f"{widths[-1]})")
    hidden = _HIDDEN[est.activation]
    l2 = Fraction(float(est.alpha)) / (2 * n)
    p = locus.problem(widths, hidden, x, t, loss=loss, reduction="mean", bias=True,
                      loss_scale=scale, l2=l2, l2_scope="weights")
    if not point:
        return p
    theta = np.zeros(p.num_parameters)
    theta[parameter_indices(p, est)] = packed_parameters(est)
    return p.with_point(theta)


def packed_parameters(est):
    """scikit-learn's own flat parameter vector (the order its L-BFGS solver uses): every
    ``coefs_[l]`` raveled row-major, then every ``intercepts_[l]``."""
    return np.concatenate([c.ravel() for c in est.coefs_] + [b.ravel() for b in est.intercepts_])


def parameter_indices(problem, est):
    """For each entry of ``packed_parameters(est)``, its index in the problem's θ
    (``coefs_[l][k, j]`` is W_{l+1}[j, k])."""
    idx = []
    for layer, c in enumerate(est.coefs_, start=1):
        n_in, n_out = c.shape
        idx.extend(problem.weight_index(layer, j, k) for k in range(n_in) for j in range(n_out))
    for layer, b in enumerate(est.intercepts_, start=1):
        idx.extend(problem.bias_index(layer, j) for j in range(b.shape[0]))
    return np.array(idx, dtype=np.int64)


def lbfgs_gradient(est, X, y):
    """(loss, gradient) as scikit-learn's L-BFGS solver computes them at the estimator's
    parameters, the gradient in ``packed_parameters`` order. Uses the estimator's private
    ``_loss_grad_lbfgs`` (scikit-learn 1.x) on a copy; for checking an import, not for speed."""
    import copy

    e = copy.deepcopy(est)
    x = np.asarray(X, dtype=np.float64)
    if hasattr(e, "_label_binarizer"):
        t = np.asarray(e._label_binarizer.transform(y), dtype=np.float64)
    else:
        t = np.asarray(y, dtype=np.float64)
        if t.ndim == 1:
            t = t.reshape(-1, 1)
    layer_units = [x.shape[1]] + [c.shape[1] for c in e.coefs_]
    e.n_layers_ = len(layer_units)
    activations = [x] + [np.empty((x.shape[0], u)) for u in layer_units[1:]]
    deltas = [np.empty_like(a) for a in activations[1:]]
    coef_grads = [np.empty_like(c) for c in e.coefs_]
    intercept_grads = [np.empty_like(b) for b in e.intercepts_]
    e._coef_indptr, e._intercept_indptr, start = [], [], 0
    for i in range(e.n_layers_ - 1):
        end = start + layer_units[i] * layer_units[i + 1]
        e._coef_indptr.append((start, end, (layer_units[i], layer_units[i + 1])))
        start = end
    for i in range(e.n_layers_ - 1):
        end = start + layer_units[i + 1]
        e._intercept_indptr.append((start, end))
        start = end
    loss, grad = e._loss_grad_lbfgs(packed_parameters(est), x, t, activations, deltas,
                                    coef_grads, intercept_grads)
    return float(loss), np.asarray(grad)
