"""Altair charts (pure): a spec, a title, a summary and the numbers behind each chart."""
