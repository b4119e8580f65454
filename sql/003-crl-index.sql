-- certdesk schema, version 3: the CRL's list read from an index alone.
-- Every revocation republishes the CRL, which reads every unexpired
-- revoked certificate of the CA; with the columns it needs in a partial
-- index it never touches the request rows (and their CSR and
-- certificate blobs).
CREATE INDEX request_crl ON request (ca_id, revoked_at, not_after, serial,
    revoke_reason) WHERE status = 'Revoked';
