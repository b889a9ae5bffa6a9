"""The Excel templates of `make templates`: a workbook per department form and the status form of the plan's measures."""
