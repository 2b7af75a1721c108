"""Side-by-side training benchmarks: the book's pipeline against the d2l book's (``make bench``)."""
