"""Importing from files: the Convention's official text, and annotations made elsewhere.

`parser` is pure Python (no database): it turns the file into a provision tree with eids. Writing
that tree to the database is the import command's job. `annotation_files` reads Hypothesis, W3C Web
Annotation and TreatyWatch files, `annotation_plan` decides where each note belongs (nothing is
written there; `provisions.services.annotation_import` writes); `annotation_notes` holds what
they pass along.
"""
