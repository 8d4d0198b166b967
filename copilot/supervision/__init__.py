"""Clinical supervision: transcript import, share bundles, supervisor comments and sign-off,
and exports of a session for the record."""
