"""paratui's tests: a package, so they import their helpers as tests.helpers."""
