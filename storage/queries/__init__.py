"""Query functions: each takes an AsyncSession and raises storage errors, never HTTP ones."""
