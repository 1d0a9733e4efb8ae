"""Views, split by who uses them: public reading pages, health, and (later) members' work."""
