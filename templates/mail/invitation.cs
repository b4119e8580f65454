Dear <?cs var:Person.Name ?>,

<?cs var:Org.Name ?> invites you to enroll for your email certificate
for <?cs var:Person.Email ?>. You now need to complete the following steps:

- Click the following link to validate your email (if the link does not
  work, copy the request code below and paste it into the Code field of
  the registration form):

  <?cs var:Invitation.URL ?>

  Your request code: <?cs var:Invitation.Code ?>

- Type in a password (PIN, at least 8 characters) to protect your email
  certificate, and a passphrase to renew or revoke it later.
- Click 'Download' to collect your certificate, and save the file to a
  safe place.
- Import your new certificate into your email client and/or web browser.
  Please contact your administrator at <?cs var:Org.Name ?> for help.

The request code can be used once and is valid until <?cs var:Invitation.Expires ?>.
If you did not expect this invitation, ignore this email.

-- 
<?cs var:Customer.Name ?> certificate service
