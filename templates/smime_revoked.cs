<div class="box success" role="status">
<p>The selected certificates have been revoked.</p>
</div>
<dl class="summary">
<?cs each:r = Revoked ?><dt>Certificate ID</dt><dd><code><?cs var:r.ID ?></code></dd>
<dt>Name</dt><dd><?cs var:r.Name ?></dd>
<dt>Serial number</dt><dd><code class="serial"><?cs var:r.Serial ?></code></dd>
<?cs /each ?><dt>Reason</dt><dd><?cs var:Result.Reason ?></dd>
</dl>
<p>The certificate revocation list has been updated and a confirmation email has been sent.</p>
<?cs if:Result.MailFailed ?><div class="box error" role="alert"><p>A confirmation email could not be sent; the revocation itself is recorded.</p></div>
<?cs /if ?><p><a href="<?cs var:Form.Action ?>">Back to Client Certificate Management</a></p>
