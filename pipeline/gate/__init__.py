"""The one way in: every file under data/raw read from disk into a grid of cells, within the size and workbook limits, and screened for personal numbers before anything of it is kept."""
