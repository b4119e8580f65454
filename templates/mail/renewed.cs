Hello,

your <?cs var:Cert.Type ?> certificate <?cs var:Cert.RenewalOf ?> for <?cs var:Cert.CommonName ?> has been renewed.

  New certificate ID: <?cs var:Cert.ID ?>
  Serial number:      <?cs var:Cert.Serial ?>
  Valid until:        <?cs var:Cert.NotAfter ?>

The certificate it renews is revoked as superseded.  If you did not
renew it, revoke the new certificate with your passphrase and tell your
administrator.

-- 
<?cs var:Customer.Name ?> certificate service
