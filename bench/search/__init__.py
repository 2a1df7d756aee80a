"""Search benchmark: a seeded 1.5-million-dataset catalog, a fixed query mix, Renkei and peers."""
