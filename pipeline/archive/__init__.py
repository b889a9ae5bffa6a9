"""The closed releases, kept in data/releases: what a release is (record.py), and its files and manifest read, checked and placed in the site byte for byte (store.py)."""
