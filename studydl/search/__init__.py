"""Card search: one query language for the browser and `studydl cards QUERY`.

`parser` turns text into a tree, `sqlwriter` turns the tree into SQL conditions,
`cards` runs a search, `card_info` adds each card's scheduling state and history.
No textual here, and no screen writes SQL.
"""
