<div class="box success" role="status">
<p><?cs var:Result.Heading ?></p>
</div>
<dl class="summary">
<dt>Certificate ID</dt><dd><code id="certId"><?cs var:Result.CertID ?></code></dd>
<dt>Common Name</dt><dd><?cs var:Result.CommonName ?></dd>
<?cs if:Result.RenewalOf ?><dt>Renewal of</dt><dd><code><?cs var:Result.RenewalOf ?></code></dd>
<?cs /if ?><dt>Status</dt><dd><?cs if:Result.Issued ?>Issued<?cs else ?>Requested<?cs /if ?></dd>
</dl>
<p>The certificate's subject is the Common Name followed by your organization's details (organization, unit, locality, state and country); other fields of the CSR, such as an email address or a serial number, are not copied into it.</p>
<h2>What happens next</h2>
<?cs if:Result.Issued ?><p>The certificate has been issued. A collection email with this certificate ID and a download link has been sent to <?cs var:Result.Email ?><?cs if:Result.External ?> and <?cs var:Result.External ?><?cs /if ?>.</p>
<p><a class="button" href="<?cs var:Result.CollectURL ?>">Collect the certificate</a></p>
<?cs else ?><p>An administrator of your organization will review the request. Once it is approved and the certificate is issued, a collection email with this certificate ID and a download link will be sent to <?cs var:Result.Email ?><?cs if:Result.External ?> and <?cs var:Result.External ?><?cs /if ?>.</p>
<?cs /if ?><p>Keep the certificate ID and your Annual Renewal Passphrase: you need both to renew or revoke the certificate.</p>
<?cs if:Result.MailFailed ?><div class="box error" role="alert"><p>The notification email could not be sent. The request is recorded; please tell your administrator the certificate ID above.</p></div>
<?cs /if ?><p><a href="<?cs var:Form.Action ?>">Back to SSL Certificate Management</a></p>
