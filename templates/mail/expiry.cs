Hello,

your <?cs var:Cert.Type ?> certificate for <?cs var:Cert.CommonName ?> expires in <?cs var:Cert.DaysLeft ?> days or less.

  Certificate ID: <?cs var:Cert.ID ?>
  Subject:        <?cs var:Cert.Subject ?>
  Serial number:  <?cs var:Cert.Serial ?>
  Valid until:    <?cs var:Cert.NotAfter ?>

Renew it before then with its certificate ID and your renewal passphrase.

-- 
<?cs var:Customer.Name ?> certificate service
