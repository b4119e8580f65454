<h2>Confirmation</h2>
<div class="box success" role="status">
<p>You have requested <?cs if:Result.RenewalOf ?>the renewal of the Client Certificate <?cs var:Result.RenewalOf ?><?cs else ?>a Client Certificate<?cs /if ?> with the following details:</p>
</div>
<dl class="summary">
<dt>Email</dt><dd id="resultEmail"><?cs var:Result.Email ?></dd>
<dt>Name</dt><dd><?cs var:Result.Name ?></dd>
</dl>
<?cs if:Result.MailFailed ?><div class="box error" role="alert"><p>The validation email could not be sent. Your request is recorded; please ask your administrator to send it again.</p></div>
<?cs else ?><p>We have sent you an email containing an enrollment link in order to complete the rest of the enrollment process. The link and its request code can be used once, within 7 days.</p>
<?cs /if ?><p><a href="<?cs var:Form.Action ?>">Back</a></p>
