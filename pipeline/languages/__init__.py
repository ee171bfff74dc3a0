"""The six official languages: which they are (official.py, light enough for the CLI to read first), how
each says figures and dates (forms.py, with Babel's CLDR data), and English's UN style (un_style.py)."""
