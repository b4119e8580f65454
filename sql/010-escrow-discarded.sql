-- certdesk schema: the new tier key of an interrupted re-encryption is
-- kept when a later run discards its leftovers, marked discarded (state
-- retired, its pending blobs deleted), instead of being deleted: its
-- version number may already stand on a key file written before the
-- interruption, and must never name another key of the tier.
ALTER TABLE escrow_key ADD COLUMN discarded INTEGER NOT NULL DEFAULT 0;
