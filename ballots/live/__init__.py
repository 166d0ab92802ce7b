"""Live tallies: what watchers may see (access), the state read once per update (snapshot),
the change marks a committed vote leaves (marks), and the per-process fan-out (hub).

The design follows STACK.md's measurements: no Channels group_send per socket. One process
claims a changed ballot at most `LIVE_UPDATES_PER_SECOND` times a second, reads its state once,
serialises one frame per audience, and publishes that bundle once (Redis pub/sub); every ASGI
process writes the same frame to all of its local sockets.
"""
