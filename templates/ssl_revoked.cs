<div class="box success" role="status">
<p>The certificate has been revoked.</p>
</div>
<dl class="summary">
<dt>Certificate ID</dt><dd><code><?cs var:Result.CertID ?></code></dd>
<dt>Common Name</dt><dd><?cs var:Result.CommonName ?></dd>
<dt>Serial number</dt><dd><code><?cs var:Result.Serial ?></code></dd>
<dt>Reason</dt><dd><?cs var:Result.Reason ?></dd>
</dl>
<p>The certificate revocation list has been updated and a confirmation email has been sent.</p>
<?cs if:Result.MailFailed ?><div class="box error" role="alert"><p>The confirmation email could not be sent; the revocation itself is recorded.</p></div>
<?cs /if ?><p><a href="<?cs var:Form.Action ?>">Back to SSL Certificate Management</a></p>
