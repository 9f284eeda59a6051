"""Study offline on every device: a local SQLite store per device, merged through a shared log.

Each device keeps its own store. The server (a plain PostgreSQL schema: `server.py`)
holds the union of every device's events: answers, undos, a card's suspend, flag or
bury, settings changes, each with a random id that the server's unique constraint
deduplicates by. `capture` turns what changed on this device into events, `sync`
pushes them and pulls the others', `merge` takes the others' into the local store, and
`replay` gives every card whose answers changed the state its answers give in time
order. What cannot conflict (answers: a set union) and what can (a setting changed on
two devices: the later change wins, the device id breaking ties) is in docs/devices.md.
"""
