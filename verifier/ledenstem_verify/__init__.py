"""Ledenstem's independent verifier: recount a published ballot box and check a signed
proces-verbaal without the association's server (docs/ballot-box.md, verifier/README.md).

The pure rules live here and the server imports them from here (ledenstem_verify.rules,
.methods, .decide, .chain, .receipts): what a member recounts at home is the same code that
counted on the server, never a copy. Standard library only, except pyHanko for the signature.
"""

__version__ = "1.0.0"
