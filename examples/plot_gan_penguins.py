"""
Synthetic penguins: learn a table with a GAN, sample it, check what you got
===========================================================================

:class:`sknn.GANSampler` learns the Palmer penguins table (species, island and sex
are categories, the four measurements numbers) and samples new rows with the same
columns and dtypes. :func:`sknn.metrics.quality_report` then says how close the
synthetic table is to the real one: per-column distances, numeric correlations, a
detection score (can gradient boosting tell the rows apart? 0.5 means no) and
whether a species classifier trained on synthetic rows works on real ones. Plots
compare the marginals and the joint shape of two correlated measurements; a
conditional GAN draws rows of a chosen species.

The table comes from the ``palmerpenguins`` package.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from palmerpenguins import load_penguins

from sknn import GANSampler
from sknn.metrics import quality_report

QUICK = os.environ.get("SKNN_EXAMPLE_QUICK") == "1"
EPOCHS = 10 if QUICK else "auto"

# %%
# The table: 333 complete rows of mixed types (the study year is left out).
penguins = load_penguins().drop(columns="year").dropna().reset_index(drop=True)
print(penguins.dtypes, "\n")

# %%
# Fit and sample. By default (``max_iter="auto"``) training runs 1,000 generator
# steps on a table of this size; ``random_state`` makes both steps reproducible.
sampler = GANSampler(max_iter=EPOCHS, random_state=0).fit(penguins)
fake = sampler.sample(len(penguins), random_state=1)
print(fake.head(), "\n")
assert fake.dtypes.equals(penguins.dtypes)  # same columns, same dtypes

# %%
# How good is it? Distances near 0, detection near 0.5 and a train-on-synthetic
# accuracy near the real-data one mean a useful synthetic table.
report = quality_report(penguins, fake, target="species")
print(report, "\n")

# %%
# Marginals: real against synthetic, column by column.
numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
categorical = ["species", "island", "sex"]
fig, axes = plt.subplots(2, 4, figsize=(14, 6))
for ax, column in zip(axes[0], numeric):
    bins = np.histogram_bin_edges(penguins[column], bins=20)
    ax.hist(penguins[column], bins=bins, alpha=0.5, label="real")
    ax.hist(fake[column], bins=bins, alpha=0.5, label="synthetic")
    ax.set_title(column)
axes[0, 0].legend()
for ax, column in zip(axes[1], categorical):
    real_share = penguins[column].value_counts(normalize=True).sort_index()
    fake_share = fake[column].value_counts(normalize=True).reindex(real_share.index, fill_value=0)
    x = np.arange(len(real_share))
    ax.bar(x - 0.2, real_share, width=0.4, label="real")
    ax.bar(x + 0.2, fake_share, width=0.4, label="synthetic")
    ax.set_xticks(x, real_share.index, rotation=20)
    ax.set_title(column)
axes[1, 3].plot(sampler.loss_curve_, label="critic")
axes[1, 3].plot(sampler.generator_loss_curve_, label="generator")
axes[1, 3].set_title("losses per epoch")
axes[1, 3].legend()
fig.tight_layout()

# %%
# A pair plot of two correlated measurements: flipper length against body mass,
# by species. The GAN keeps the clusters and the slope within each of them.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True, sharey=True)
for ax, (title, table) in zip(axes, [("real", penguins), ("synthetic", fake)]):
    for species, rows in table.groupby("species", observed=True):
        ax.scatter(rows["flipper_length_mm"], rows["body_mass_g"], s=12, label=species)
    ax.set_title(f"{title}: r = {table['flipper_length_mm'].corr(table['body_mass_g']):.2f}")
    ax.set_xlabel("flipper_length_mm")
axes[0].set_ylabel("body_mass_g")
axes[0].legend()
fig.tight_layout()

# %%
# Conditional on a label: fitted with ``y``, the sampler draws rows of one class.
X, y = penguins.drop(columns="species"), penguins["species"]
conditional = GANSampler(max_iter=EPOCHS, random_state=0).fit(X, y)
gentoo = conditional.sample(200, y="Gentoo", random_state=2)
print("synthetic Gentoo penguins:")
print(gentoo[["island", "body_mass_g"]].describe(include="all").loc[["top", "freq", "mean"]])
print("real Gentoo penguins:")
print(X[y == "Gentoo"][["island", "body_mass_g"]].describe(include="all")
      .loc[["top", "freq", "mean"]])
plt.show()
