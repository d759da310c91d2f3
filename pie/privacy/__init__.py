"""Personal data under Law 09-08 (docs/PRIVACY.md): the access log of contact data
(access_log), masks for the screen (masking), erasure and retention purge (erasure), and a
person's own data (person)."""
