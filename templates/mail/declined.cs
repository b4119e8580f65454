Hello,

your certificate request <?cs var:Cert.ID ?> for <?cs var:Cert.CommonName ?> was declined by <?cs var:Org.Name ?>.
<?cs if:Cert.DeclineReason ?>
Reason: <?cs var:Cert.DeclineReason ?>
<?cs /if ?>
Please contact your administrator if you think this is a mistake.

-- 
<?cs var:Customer.Name ?> certificate service
