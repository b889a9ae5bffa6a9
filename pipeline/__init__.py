"""Talent-strategy progress site: department files in, progress pages out."""

import pandas as _pd

# Text columns stored as Python strings, as pandas does without pyarrow: with pyarrow installed
# (for reading large CSV files) pandas would store them in Arrow arrays instead, which makes the
# many small operations of a build on the department files markedly slower.
_pd.set_option("mode.string_storage", "python")
