Dear <?cs if:Person.Name ?><?cs var:Person.Name ?><?cs else ?><?cs var:Person.Email ?><?cs /if ?>,

<?cs if:Cert.RenewalOf ?>You have requested the renewal of your email certificate
<?cs var:Cert.RenewalOf ?>. Nothing is renewed until you complete the following
steps:
<?cs else ?>You have requested email certificate validation. You now need to complete
the following steps:
<?cs /if ?>
 * Click the following link to validate your email:

   <?cs var:Validation.URL ?>

   (if the link doesn't work please copy the request code and paste it
   into the proper field in the validation form).

 * Your request code: <?cs var:Validation.Code ?>

 * Type in a password (PIN) to protect your email certificate.

 * Click 'Download' to collect your certificate. You should save this
   file to a safe place on your hard drive.

 * Import your new certificate into your email client and/or internet
   browser.

The request code can be used once and expires in 7 days. If you did not
request <?cs if:Cert.RenewalOf ?>this renewal<?cs else ?>a certificate<?cs /if ?>, ignore this email: nothing is issued without it.

-- 
<?cs var:Customer.Name ?> certificate service
