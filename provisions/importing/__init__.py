"""Importing the Convention's official text: read the UN's PDF or text, parse it into provisions.

`parser` is pure Python (no database): it turns the file into a provision tree with eids. Writing
that tree to the database is the import command's job.
"""
