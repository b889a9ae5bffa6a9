"""python -m pipeline: build the site from data/raw (see pipeline/build.py)."""

import sys

from pipeline.build import main

sys.exit(main())
