<div class="box success" role="status">
<p>Your bulk enrollment request has been submitted.</p>
</div>
<dl class="summary">
<dt>Request</dt><dd id="berId"><?cs var:Result.ID ?></dd>
<dt>Certificates</dt><dd><?cs var:Result.Lines ?></dd>
<dt>Status</dt><dd>Awaiting Approval</dd>
</dl>
<h2>What happens next</h2>
<p>An administrator of your organization will approve or decline the request, in whole or line by line. When every line is final, an email with download links is sent to <?cs var:Result.Email ?>. The links ask for your p12 passphrase.</p>
<p>Follow the request here (keep this link; it is the only way to see the request's status):</p>
<p><a class="button" id="status-link" href="<?cs var:Result.StatusURL ?>">Request status</a></p>
<?cs if:Result.MailFailed ?><div class="box error" role="alert"><p>The administrators could not be notified by email. The request is recorded; please tell your administrator its number.</p></div>
<?cs /if ?>
