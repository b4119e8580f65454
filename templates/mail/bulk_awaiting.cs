A bulk SSL enrollment request is waiting for your approval.

  Request:      <?cs var:Bulk.ID ?>
  Requested by: <?cs var:Bulk.Requester ?>
  Key size:     <?cs var:Bulk.KeyType ?>
  Certificates: <?cs var:Bulk.Lines ?>

<?cs each:i = Bulk.Items ?>  SCR <?cs var:i.SCR ?>: <?cs var:i.Names ?> (<?cs var:i.Profile ?>, <?cs var:i.Term ?>)
<?cs /each ?>
Details:  certdesk bulk show <?cs var:Bulk.ID ?>
Approve:  certdesk bulk approve <?cs var:Bulk.ID ?> [--scr N ...]
Decline:  certdesk bulk decline <?cs var:Bulk.ID ?> [--scr N ...] --reason "..."

-- 
<?cs var:Customer.Name ?> certificate service
