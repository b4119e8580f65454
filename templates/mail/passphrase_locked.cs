Hello,

the passphrase of your certificate <?cs var:Cert.ID ?> for <?cs var:Cert.CommonName ?> is locked after too many wrong attempts.

Until it is unlocked, the certificate cannot be renewed or revoked with
its passphrase. The certificate itself is not affected.

To have the passphrase unlocked, ask your administrator at <?cs var:Org.Name ?>,
who runs:

  certdesk cert unlock <?cs var:Cert.ID ?>

If you did not try to renew or revoke this certificate, someone else may
have tried to guess its passphrase: please tell your administrator.

-- 
<?cs var:Customer.Name ?> certificate service
