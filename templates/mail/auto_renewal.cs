Hello,

the auto-renewal of your <?cs var:Cert.Type ?> certificate for <?cs var:Cert.CommonName ?> has started: <?cs var:Org.Name ?> has a renewal request with the same details and key.

  Renewal of:     <?cs var:Cert.RenewalOf ?>
  New request ID: <?cs var:Cert.ID ?>
  Status:         <?cs var:Cert.Status ?>
  Profile:        <?cs var:Cert.Profile ?>
  Term:           <?cs var:Cert.TermDays ?> days

<?cs if:Cert.Status == "Issued" ?>The new certificate is issued; a separate email tells you where to collect it.
<?cs else ?>It is waiting for approval by an administrator; you will hear when it is issued.
<?cs /if ?>
The old certificate stays valid until it expires.

-- 
<?cs var:Customer.Name ?> certificate service
