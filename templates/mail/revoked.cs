Hello,

the certificate <?cs var:Cert.ID ?> for <?cs var:Cert.CommonName ?> (serial <?cs var:Cert.Serial ?>) has been revoked.

  Reason: <?cs var:Cert.RevokeReason ?>

Clients that check the certificate revocation list no longer trust it.
Request a new certificate if you still need one.

-- 
<?cs var:Customer.Name ?> certificate service
