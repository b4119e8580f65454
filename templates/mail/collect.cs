Hello,

your <?cs var:Cert.Type ?> certificate for <?cs var:Cert.CommonName ?> has been issued by <?cs var:Org.Name ?>.

  Certificate ID: <?cs var:Cert.ID ?>
  Subject:        <?cs var:Cert.Subject ?>
  Serial number:  <?cs var:Cert.Serial ?>
  Profile:        <?cs var:Cert.Profile ?>
  Valid from:     <?cs var:Cert.NotBefore ?>
  Valid until:    <?cs var:Cert.NotAfter ?>

Collect it in the format your server needs here:

  <?cs var:Cert.CollectURL ?>

Keep the certificate ID: you need it, with your renewal passphrase, to
renew or revoke this certificate.

-- 
<?cs var:Customer.Name ?> certificate service
