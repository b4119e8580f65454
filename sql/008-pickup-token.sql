-- certdesk schema: the PKCS#12 pick-up is guarded by a secret of its own,
-- handed only to the browser that completed the issuance (as a cookie);
-- the certificate ID alone shows in logs, audit rows and lists.  Only an
-- HMAC under the server key is kept.  Files stored before have none and
-- can no longer be picked up; they expire within the hour anyway.
ALTER TABLE p12_pickup ADD COLUMN token_hmac TEXT NOT NULL DEFAULT '';
