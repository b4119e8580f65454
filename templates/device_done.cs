<div class="box success" role="status">
<p>Your certificate request has been submitted successfully. It is waiting for an administrator's approval.</p>
</div>
<dl class="summary">
<dt>Certificate ID</dt><dd><code id="certId"><?cs var:Result.CertID ?></code></dd>
<dt>Certificate Profile</dt><dd><?cs var:Result.Profile ?></dd>
<dt>Common Name</dt><dd><?cs var:Result.CommonName ?></dd>
<dt>Status</dt><dd>Requested</dd>
</dl>
<p>The certificate's subject is the CSR's Common Name followed by your organization's details (organization, unit, locality, state and country); other fields of the CSR are not copied into it.</p>
<h2>What happens next</h2>
<p>An administrator of your organization will review the request. Once it is approved and the certificate is issued, a collection email with this certificate ID and a download link will be sent to <?cs var:Result.Email ?>.</p>
<?cs if:Result.MailFailed ?><div class="box error" role="alert"><p>The notification email could not be sent. The request is recorded; please tell your administrator the certificate ID above.</p></div>
<?cs /if ?><p><a href="<?cs var:Form.Action ?>">Enroll another device certificate</a></p>
