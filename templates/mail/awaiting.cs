A certificate request is waiting for your approval.

  Certificate ID: <?cs var:Cert.ID ?>
  Type:           <?cs var:Cert.Type ?>
  Common name:    <?cs var:Cert.CommonName ?>
  Other names:    <?cs var:Cert.SANs ?>
  Profile:        <?cs var:Cert.Profile ?>
  Term (days):    <?cs var:Cert.TermDays ?>
  Requested by:   <?cs var:Cert.Requester ?>
  Comments:       <?cs var:Cert.Comments ?>

Approve:  certdesk request approve <?cs var:Cert.ID ?>
Decline:  certdesk request decline <?cs var:Cert.ID ?> --reason "..."

-- 
<?cs var:Customer.Name ?> certificate service
