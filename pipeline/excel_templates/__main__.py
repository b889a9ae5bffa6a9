"""python -m pipeline.excel_templates: write every Excel template into build/templates (make templates)."""

import sys

from pipeline.excel_templates.departments import main

sys.exit(main())
