"""A Gaussian copula synthesizer in a few lines of numpy / scipy: the baseline a GAN
has to beat.

Every column is turned into normal scores through its ranks (ties, and so
categories, broken at random), the correlation of the scores is estimated, and new
rows are drawn from that multivariate normal and mapped back through each column's
empirical quantiles. Marginals are resampled exactly; dependence is whatever a
Gaussian correlation of the rank scores can express.
"""

import numpy as np
import pandas as pd
from scipy.stats import norm


def gaussian_copula_sample(frame, n_samples, random_state=0):
    """Fit a Gaussian copula to ``frame`` and draw ``n_samples`` rows from it."""
    rng = np.random.default_rng(random_state)
    n = len(frame)
    sorted_columns, scores = [], np.empty((n, frame.shape[1]))
    for j, name in enumerate(frame.columns):
        codes = pd.factorize(frame[name], sort=True)[0]  # categories and numbers alike
        order = np.lexsort((rng.random(n), codes))  # random tie-breaking
        ranks = np.empty(n)
        ranks[order] = np.arange(n)
        scores[:, j] = norm.ppf((ranks + 0.5) / n)
        sorted_columns.append(frame[name].to_numpy()[order])
    corr = np.corrcoef(scores, rowvar=False)
    latent = rng.multivariate_normal(np.zeros(frame.shape[1]), corr, size=n_samples)
    index = np.minimum((norm.cdf(latent) * n).astype(int), n - 1)
    out = {name: col[index[:, j]] for j, (name, col) in enumerate(zip(frame.columns,
                                                                       sorted_columns))}
    return pd.DataFrame(out).astype(frame.dtypes.to_dict())
