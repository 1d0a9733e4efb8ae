"""Every write to TreatyWatch's data goes through a function in this package."""

from .seeding import seed_convention, seed_demo, seed_statement

__all__ = ["seed_convention", "seed_demo", "seed_statement"]
