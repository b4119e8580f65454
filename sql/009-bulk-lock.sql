-- certdesk schema: the p12 passphrase of a bulk request is a per-request
-- secret, so it locks after ten wrong attempts from any addresses
-- (SPEC 5) until `certdesk bulk unlock`; a right one resets the count.
ALTER TABLE bulk_request ADD COLUMN pass_failures INTEGER NOT NULL DEFAULT 0;
