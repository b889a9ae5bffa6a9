"""Chart images made at build time: page figures drawn by Vega on all cores, exported SVG and PNG, portraits for phone feeds, QR codes; cached by content."""
