"""counter package."""
