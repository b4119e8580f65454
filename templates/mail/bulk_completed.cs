Your bulk SSL enrollment request <?cs var:Bulk.ID ?> is complete: <?cs var:Bulk.Status ?>.

<?cs each:i = Bulk.Items ?>  SCR <?cs var:i.SCR ?>: <?cs var:i.CommonName ?> - <?cs var:i.Status ?><?cs if:i.Reason ?> (<?cs var:i.Reason ?>)<?cs /if ?>
<?cs /each ?>
<?cs if:Bulk.Issued ?>Download each certificate with its private key (PKCS#12); every link asks
for the p12 passphrase you chose when you submitted the request:

<?cs each:f = Bulk.Files ?>  <?cs var:f.CommonName ?>:
  <?cs var:f.URL ?>
<?cs /each ?>
All certificates in one zip file:
  <?cs var:Bulk.ZipURL ?>

The links work until <?cs var:Bulk.LinksUntil ?>. After that, ask your
administrator to send them again.
<?cs else ?>No certificate was issued.
<?cs /if ?>
-- 
<?cs var:Customer.Name ?> certificate service
