"""The time-series networks of sknn.modules.timeseries: shapes, masking, gradients, learning."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from sknn.modules.timeseries import (
    FCN,
    ConvRecurrentNet,
    InceptionNet,
    MaskedBatchNorm1d,
    ResNet,
    SameConv1d,
    combine_members,
    masked_global_average,
    series_mask,
)


def small_nets(n_channels, n_outputs):
    """One small network of each architecture."""
    return [
        FCN(n_channels, n_outputs, channels=(8, 16, 8)),
        ResNet(n_channels, n_outputs, channels=(8, 16, 16)),
        InceptionNet(n_channels, n_outputs, n_filters=4, depth=6, kernel_sizes=(9, 5, 2)),
        ConvRecurrentNet(n_channels, n_outputs, hidden_size=8, front_channels=(8, 8),
                         downsample=3),
        ConvRecurrentNet(n_channels, n_outputs, cell="gru", hidden_size=8, front_channels=(),
                         front_kernel_sizes=(), pool="last", bidirectional=True),
    ]


def ids(nets):
    return [f"{type(net).__name__}-{i}" for i, net in enumerate(nets)]


NAMES = ids(small_nets(2, 3))


@pytest.fixture(params=range(len(NAMES)), ids=NAMES)
def net(request):
    """A fresh small network of each kind (2 channels, 3 outputs)."""
    torch.manual_seed(0)
    return small_nets(2, 3)[request.param]


def test_shapes(net):
    torch.manual_seed(0)
    x = torch.randn(5, 2, 37)
    assert net(x).shape == (5, 3)
    assert net.features(x).shape == (5, net.n_features_out)
    # Any length, including one longer than any seen before, and a batch of one.
    net.eval()
    assert net(torch.randn(1, 2, 300)).shape == (1, 3)
    for name in net.feature_part_names + net.head_part_names:
        assert isinstance(getattr(net, name), nn.Module)


def test_default_widths():
    assert FCN(1, 2).n_features_out == 128
    assert ResNet(1, 2).n_features_out == 128
    assert InceptionNet(1, 2).n_features_out == 128


def test_univariate_2d_batch_is_one_channel():
    torch.manual_seed(0)
    net = FCN(1, 2, channels=(4, 4), kernel_sizes=(3, 3)).eval()
    x = torch.randn(3, 20)
    torch.testing.assert_close(net(x), net(x.unsqueeze(1)))


def test_nan_padding_reads_only_the_true_length(net):
    torch.manual_seed(0)
    x = torch.randn(6, 2, 40)
    padded = x.clone()
    padded[0, :, 25:] = float("nan")
    padded[3, :, 9:] = float("nan")
    # A few training steps with padding, so that batch norm's running statistics move.
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    for _ in range(3):
        optimizer.zero_grad()
        net(padded).sum().backward()
        optimizer.step()
    net.eval()
    with torch.no_grad():
        out = net(padded)
        torch.testing.assert_close(out[0], net(x[:1, :, :25])[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(out[3], net(x[3:4, :, :9])[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(out[1], net(x[1:2])[0], atol=1e-5, rtol=1e-5)
        # An explicit mask (boolean or lengths) reads the same as NaN padding.
        lengths = torch.tensor([25, 40, 40, 9, 40, 40])
        torch.testing.assert_close(net(x, lengths), out)
        mask = torch.arange(40) < lengths[:, None]
        torch.testing.assert_close(net(x, mask), out)


def test_masked_batch_norm_uses_observed_steps_only():
    torch.manual_seed(0)
    norm = MaskedBatchNorm1d(3, momentum=1.0)
    x = torch.randn(4, 3, 10)
    mask = torch.ones(4, 10, dtype=torch.bool)
    mask[1, 6:] = False
    padded = x.masked_fill(~mask.unsqueeze(1), 1e6)  # padding with absurd values
    out = norm.train()(padded, mask)
    observed = x.permute(1, 0, 2)[:, mask]  # (channels, observed steps)
    expected_mean = observed.mean(1)
    torch.testing.assert_close(norm.running_mean, expected_mean)
    torch.testing.assert_close(norm.running_var, observed.var(1))
    standardised = (x - expected_mean[None, :, None]) / torch.sqrt(
        observed.var(1, unbiased=False)[None, :, None] + norm.eps)
    torch.testing.assert_close(out[mask.unsqueeze(1).expand_as(out)],
                               standardised[mask.unsqueeze(1).expand_as(out)])
    # Without a mask it is torch's BatchNorm1d.
    reference = nn.BatchNorm1d(3)
    torch.testing.assert_close(MaskedBatchNorm1d(3).train()(x), reference.train()(x))


def test_series_mask():
    x = torch.tensor([[[1.0, float("nan"), 2.0, float("nan")]],
                      [[1.0, 2.0, 3.0, 4.0]]])
    filled, mask = series_mask(x)
    # An inner NaN is a value (read as 0); the series ends at its last observed step.
    assert mask.tolist() == [[True, True, True, False], [True, True, True, True]]
    assert filled[0, 0].tolist() == [1.0, 0.0, 2.0, 0.0]
    assert series_mask(torch.ones(2, 1, 4))[1] is None  # nothing padded: fast path
    assert series_mask(torch.ones(2, 1, 4), torch.tensor([4, 4]))[1] is None
    with pytest.raises(ValueError, match="mask must be"):
        series_mask(torch.ones(2, 1, 4), torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="batch, channels, length"):
        series_mask(torch.ones(2, 1, 4, 4))
    h = torch.tensor([[[1.0, 2.0, 3.0, 100.0]]])
    assert masked_global_average(h, torch.tensor([[True, True, True, False]])).item() == 2.0


def test_wrong_channels_and_bad_parameters():
    net = FCN(3, 2, channels=(4,), kernel_sizes=(3,))
    with pytest.raises(ValueError, match="expected 3 channel"):
        net(torch.ones(2, 2, 10))
    with pytest.raises(ValueError, match="same length"):
        FCN(1, 2, channels=(4, 4), kernel_sizes=(3,))
    with pytest.raises(ValueError, match="depth"):
        InceptionNet(1, 2, depth=0)
    with pytest.raises(ValueError, match="pool must be"):
        ConvRecurrentNet(1, 2, pool="max")
    with pytest.raises(ValueError, match="downsample"):
        ConvRecurrentNet(1, 2, downsample=0)
    with pytest.raises(ValueError, match="expected 3 channel"):
        ConvRecurrentNet(3, 2)(torch.ones(2, 2, 10))


def test_same_conv_matches_torch_same_padding():
    torch.manual_seed(0)
    x = torch.randn(2, 2, 30)
    for k in (3, 8):
        ours = SameConv1d(2, 4, k)
        theirs = nn.Conv1d(2, 4, k, padding="same")
        theirs.load_state_dict(ours.state_dict())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns about even kernels
            torch.testing.assert_close(ours(x), theirs(x))


def test_gradients_reach_every_parameter(net):
    torch.manual_seed(0)
    x = torch.randn(4, 2, 30)
    x[1, :, 20:] = float("nan")
    net.train().zero_grad()
    net(x).square().mean().backward()
    for name, param in net.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all(), name
        assert param.grad.abs().sum() > 0, name


def test_training_step_ignores_padding_beyond_the_batch(net):
    # An estimator pads every batch to the longest series of the whole data set; a
    # plain loop may cut a batch to its own longest series. Both must train alike:
    # same loss, gradients and batch-norm running statistics.
    torch.manual_seed(0)
    x = torch.randn(4, 2, 30)
    x[1, :, 12:] = float("nan")
    x[2, :, 25:] = float("nan")
    padded = torch.cat([x, torch.full((4, 2, 40), float("nan"))], 2)
    results = []
    for batch in (x, padded):
        copy = pickle.loads(pickle.dumps(net)).train()
        copy(batch).square().mean().backward()
        results.append((dict(copy.named_parameters()), dict(copy.named_buffers())))
    (params, buffers), (params_padded, buffers_padded) = results
    for name, param in params.items():
        torch.testing.assert_close(params_padded[name].grad, param.grad,
                                   atol=1e-6, rtol=1e-5, msg=name)
    for name, buffer in buffers.items():
        torch.testing.assert_close(buffers_padded[name], buffer, atol=1e-6, rtol=1e-5,
                                   msg=name)


def _shape_data(rng, n):
    """Two classes told apart by the shape of a bump at a random place, lengths 40-60."""
    y = rng.integers(0, 2, n)
    X = np.full((n, 1, 60), np.nan, dtype=np.float32)
    for i in range(n):
        length = rng.integers(40, 61)
        t = np.arange(length)
        centre = rng.integers(10, length - 10)
        bump = (np.exp(-0.5 * ((t - centre) / 2.0) ** 2) if y[i]
                else (np.abs(t - centre) < 4).astype(float))
        X[i, 0, :length] = bump + 0.1 * rng.standard_normal(length)
    return torch.from_numpy(X), torch.from_numpy(y)


@pytest.mark.parametrize("make", [
    lambda: FCN(1, 2, channels=(16, 32, 16)),
    lambda: ResNet(1, 2, channels=(8, 16, 16)),
    lambda: InceptionNet(1, 2, n_filters=8, depth=3, kernel_sizes=(9, 5, 3)),
    lambda: ConvRecurrentNet(1, 2, hidden_size=16, front_channels=(16, 16), downsample=2),
], ids=["FCN", "ResNet", "InceptionNet", "ConvRecurrentNet"])
def test_learns_unequal_length_shapes(make):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = _shape_data(rng, 120)
    X_test, y_test = _shape_data(rng, 100)
    net = make()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(15):
        for batch in torch.randperm(len(X)).split(16):
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(X[batch]), y[batch]).backward()
            optimizer.step()
    net.eval()
    with torch.no_grad():
        accuracy = (net(X_test).argmax(1) == y_test).float().mean().item()
    assert accuracy >= 0.9


# ------------------------------------------------------------------ ensembles, downsampling
ENSEMBLES = {
    "FCN": lambda c=2, **kw: FCN(c, 3, channels=(4, 8, 4), **kw),
    "ResNet": lambda c=2, **kw: ResNet(c, 3, channels=(4, 8, 8), **kw),
    "InceptionNet": lambda c=2, **kw: InceptionNet(c, 3, n_filters=2, depth=6,
                                                   kernel_sizes=(9, 5, 3), **kw),
}


def _member_state(ensemble, single, m):
    """Member ``m``'s parameters and buffers, in the layout of a single network: every
    tensor of the ensemble stacks its members' along the first axis."""
    big = ensemble.state_dict()
    state = {}
    for name, tensor in single.state_dict().items():
        if tensor.dim() == 0:  # num_batches_tracked
            state[name] = big[name]
        else:
            rows = tensor.shape[0]
            state[name] = big[name][m * rows:(m + 1) * rows].reshape(tensor.shape)
    return state


@pytest.mark.parametrize("name", list(ENSEMBLES))
def test_ensemble_members_are_the_single_networks_side_by_side(name):
    torch.manual_seed(0)
    ensemble = ENSEMBLES[name](n_members=3, combine="softmax").train()
    singles = []
    for m in range(3):
        single = ENSEMBLES[name]()
        single.load_state_dict(_member_state(ensemble, single, m))
        singles.append(single.train())
    x = torch.randn(6, 2, 31)
    x[1, :, 20:] = float("nan")
    stacked = ensemble(x)
    assert stacked.shape == (3, 6, 3)
    for m, single in enumerate(singles):
        torch.testing.assert_close(stacked[m], single(x), atol=1e-5, rtol=1e-4)
    # Gradients stay within a member: a loss on member 0 moves no other member.
    stacked[0].square().sum().backward()
    for param_name, param in ensemble.named_parameters():
        if param.grad is not None and param.dim() > 1:
            rows = param.shape[0] // 3
            assert param.grad[rows:].abs().max() == 0, param_name
    # Evaluation mode: the members' probabilities, averaged (running statistics
    # updated alike by the training passes above).
    ensemble.eval()
    expected = torch.stack([torch.softmax(s.eval()(x), 1) for s in singles]).mean(0)
    torch.testing.assert_close(torch.softmax(ensemble(x), 1), expected, atol=1e-5, rtol=1e-4)
    assert ensemble.features(x).shape == (6, ensemble.n_features_out)
    assert ensemble.n_features_out == 3 * singles[0].n_features_out


def test_combine_members_averages_probabilities_or_values():
    torch.manual_seed(0)
    outputs = torch.randn(4, 3, 5) * 3  # (batch, members, outputs)
    torch.testing.assert_close(torch.softmax(combine_members(outputs, "softmax"), 1),
                               torch.softmax(outputs, 2).mean(1))
    torch.testing.assert_close(torch.sigmoid(combine_members(outputs, "sigmoid")),
                               torch.sigmoid(outputs).mean(1))
    torch.testing.assert_close(combine_members(outputs, "mean"), outputs.mean(1))
    # Confident members do not overflow.
    assert torch.isfinite(combine_members(outputs * 1e4, "sigmoid")).all()
    with pytest.raises(ValueError, match="combine must be one of"):
        combine_members(outputs, "vote")
    with pytest.raises(ValueError, match="n_members must be an int >= 1"):
        FCN(1, 2, channels=(4,), kernel_sizes=(3,), n_members=0)
    with pytest.raises(ValueError, match="downsample must be an int >= 1"):
        FCN(1, 2, channels=(4,), kernel_sizes=(3,), downsample=1.5)


@pytest.mark.parametrize("name", list(ENSEMBLES))
def test_downsample_folds_windows_into_channels_and_reads_only_the_true_length(name):
    torch.manual_seed(0)
    folding = ENSEMBLES[name](downsample=3).eval()
    wide = ENSEMBLES[name](c=6).eval()  # the same network on (2 x 3)-channel input
    wide.load_state_dict(folding.state_dict())
    x = torch.randn(2, 2, 30)
    # Window j of channel c: channels 3c, 3c + 1, 3c + 2 hold its three steps.
    folded = x.view(2, 2, 10, 3).transpose(2, 3).reshape(2, 6, 10)
    torch.testing.assert_close(folding(x), wide(folded), atol=1e-5, rtol=1e-4)
    # A length that is not a multiple: the last window is zero-filled.
    short = x.clone()
    short[:, :, 29] = 0.0
    torch.testing.assert_close(folding(x[:, :, :29]), folding(short), atol=1e-5, rtol=1e-4)
    # A series of 21 steps, NaN-padded to 40: the same output as the series alone.
    padded = torch.cat([x[:, :, :21], torch.full((2, 2, 19), float("nan"))], 2)
    torch.testing.assert_close(folding(padded), folding(x[:, :, :21]), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_engine_trains_each_member_as_it_would_train_alone(solver):
    # The engine back-propagates the sum of the members' losses (penalties included),
    # so that each member's update, weight decay and all, is the one it would get
    # alone: three epochs of the ensemble give member 1 the single network's weights.
    from sknn import _engine
    from sknn._optim import OptimizerSpec
    from sknn._stopping import ConvergenceState, StopRules
    from sknn.modules.losses import CrossEntropy

    torch.manual_seed(0)
    ensemble = FCN(1, 3, channels=(4, 8, 4), n_members=2, combine="softmax")
    single = FCN(1, 3, channels=(4, 8, 4))
    single.load_state_dict(_member_state(ensemble, single, 1))
    X = torch.randn(12, 1, 20)
    y = torch.arange(12) % 3
    weights = torch.linspace(0.5, 2.0, 12)
    trained = []
    for module in (ensemble, single):
        data = _engine.InMemoryData(X, y, weights, device=torch.device("cpu"))
        spec = OptimizerSpec(solver=solver, alpha=0.1, batch_size=4, learning_rate_init=0.01)
        result = _engine.train(module, data, None, criterion=CrossEntropy(), spec=spec,
                               rules=StopRules(check_convergence=False),
                               state=ConvergenceState(), epochs=3,
                               device=torch.device("cpu"), seed=0)
        trained.append(result.module)
    member = _member_state(trained[0], single, 1)
    for name, value in trained[1].state_dict().items():
        torch.testing.assert_close(member[name], value, atol=1e-5, rtol=1e-4, msg=name)
