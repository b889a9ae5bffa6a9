"""Shared basics below every stage: paths, problems, how figures and dates are written, periods, cell parsers, the build folder."""
