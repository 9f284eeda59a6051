"""The text format: parse deck files, pair their cards with stored ones, sync them into the store."""
