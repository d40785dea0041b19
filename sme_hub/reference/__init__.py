"""Reference lists (KVED-2010 classes, KATOTTG oblasts and communities) and identifier checks."""
