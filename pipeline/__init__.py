"""Talent-strategy progress site: department files in, progress pages out."""
