"""Finding datasets: text normalisation, the query language, and the search backend."""
