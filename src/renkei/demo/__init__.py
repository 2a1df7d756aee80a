"""The demo catalog: real Japanese open data with ja/en metadata, loaded by ``renkei demo``."""
