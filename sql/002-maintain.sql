-- certdesk schema, version 2: what `certdesk maintain` records so that no
-- run, and no two runs at once, acts twice.

-- One expiry notice per certificate and threshold (days before notAfter);
-- the row is inserted before the mail is sent, so INSERT OR IGNORE decides
-- which run sends it.
CREATE TABLE notice (
	request_id	INTEGER NOT NULL REFERENCES request(id),
	threshold	INTEGER NOT NULL,
	sent_at		INTEGER NOT NULL,
	PRIMARY KEY (request_id, threshold)
);

-- Set once when maintain starts a certificate's auto-renewal: the claim
-- that keeps a second run (or a later one) from renewing it again.
ALTER TABLE request ADD COLUMN auto_renewed_at INTEGER;
