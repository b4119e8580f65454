<?cs if:Cert.ID ?><dl class="summary">
<dt>Certificate ID</dt><dd><code><?cs var:Cert.ID ?></code></dd>
<dt>Status</dt><dd id="status"><?cs var:Cert.Status ?></dd>
<dt>Common Name</dt><dd><?cs var:Cert.CommonName ?></dd>
<?cs if:Cert.SANs ?><dt>Names</dt><dd><?cs var:Cert.SANs ?></dd>
<?cs /if ?><?cs if:Cert.Profile ?><dt>Profile</dt><dd><?cs var:Cert.Profile ?></dd>
<?cs /if ?><dt>Term</dt><dd><?cs var:Cert.TermDays ?> days</dd>
<?cs if:Cert.Serial ?><dt>Subject</dt><dd><?cs var:Cert.Subject ?></dd>
<dt>Serial number</dt><dd><code><?cs var:Cert.Serial ?></code></dd>
<dt>Valid from</dt><dd><?cs var:Cert.NotBefore ?></dd>
<dt>Valid until</dt><dd><?cs var:Cert.NotAfter ?></dd>
<?cs /if ?><?cs if:Cert.RevokedAt ?><dt>Revoked</dt><dd><?cs var:Cert.RevokedAt ?></dd>
<?cs /if ?></dl>
<?cs if:Cert.Downloadable ?><h2>Download</h2>
<p>Choose the format your server needs. Most servers (Apache, nginx, HAProxy) want the certificate with the issuer after it.</p>
<ul class="menu downloads">
<?cs each:f = Formats ?><li><a class="button secondary" href="<?cs var:f.URL ?>" download="<?cs var:f.File ?>"><?cs var:f.Label ?></a> <span class="hint"><?cs var:f.File ?></span></li>
<?cs /each ?></ul>
<?cs elif:Cert.Status == "Revoked" ?><div class="box error" role="alert"><p>This certificate has been revoked and can no longer be downloaded.</p></div>
<?cs elif:Cert.Status == "Declined" ?><div class="box error" role="alert"><p>This certificate request was declined.</p></div>
<?cs else ?><div class="box notice" role="status"><p>This certificate has not been issued yet. You will receive a collection email when it is ready.</p></div>
<?cs /if ?><?cs else ?><p>Enter the certificate ID from your collection email.</p>
<form method="get" action="<?cs var:Form.Action ?>">
<div class="field">
<label for="id">Your Certificate ID *</label>
<input id="id" name="id" required maxlength="64" autocomplete="off" spellcheck="false" value="<?cs var:Form.CertID ?>">
</div>
<button type="submit">Show certificate</button>
</form>
<?cs /if ?>
