"""TreatyWatch's one app: the treaty, the coalition's concerns, links and annotations."""
