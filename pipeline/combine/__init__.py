"""All files put together: resubmissions and corrections, nested periods, company names, duplicate people, and the checks across files and periods."""
