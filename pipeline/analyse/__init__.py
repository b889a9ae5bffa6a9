"""The figures (pure): each target's series, progress and status, the commitments' and departments' facts, what changed between releases."""
