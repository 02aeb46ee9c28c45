"""Office Open XML packages, format-generic: the zip container, the parts and their relationships, and
string-level XML edits that keep every byte the sync does not own."""
