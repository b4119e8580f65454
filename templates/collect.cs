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
<?cs if:Cert.Downloadable ?><?cs if:Pickup.Files.0.URL ?><h2>Your certificate with its private key</h2>
<p>Download the file and open it on the device where you read your mail; it asks for the password you chose when you validated your request. The files can be downloaded until <?cs var:Pickup.Until ?> and are then deleted.</p>
<ul class="menu downloads" id="pkcs12">
<?cs each:p = Pickup.Files ?><li><a class="button<?cs if:!p.Default ?> secondary<?cs /if ?>" href="<?cs var:p.URL ?>" download="<?cs var:p.File ?>">PKCS#12 <?cs var:p.Opens ?></a> <span class="hint"><?cs var:p.File ?><?cs if:p.Default ?> (recommended for this device)<?cs /if ?></span></li>
<?cs /each ?></ul>
<p class="hint" id="pkcs12-why"><?cs if:Pickup.Why == "platform" ?>This device runs macOS, iOS/iPadOS or Android, whose key stores open only the compatible file, so it comes first.<?cs elif:Pickup.Why == "account" ?>Your organisation chose the compatible file for its users, so it comes first.<?cs else ?>The modern file is the better protected one and comes first.<?cs /if ?> If importing a file fails with &ldquo;wrong password&rdquo; although the password is right, the device cannot read that encoding: use the other file.</p>
<?cs elif:Pickup.NoSecret ?><div class="box notice" role="status" id="pkcs12-elsewhere"><p>The files with your private key can only be downloaded from the browser that completed the enrollment, within one hour of it. This browser did not complete it (or its cookies were cleared), so they are not offered here. Open this page in the browser where you validated your request; if that is no longer possible, renew your certificate from the Client Certificate Management page to get a new key, or ask your administrator.</p></div>
<?cs elif:Pickup.Expired ?><div class="box notice" role="status" id="pkcs12-expired"><p>The file with your private key could be downloaded for one hour only and has expired; it has been deleted and cannot be sent again. If you did not install it, renew your certificate from the Client Certificate Management page to get a new key, or ask your administrator.</p></div>
<?cs /if ?><h2>Download</h2>
<?cs if:Pickup.ServerKey ?><p>The certificate alone, without its private key, for people and servers that need to know it.</p>
<?cs else ?><p>Choose the format your server needs. Most servers (Apache, nginx, HAProxy) want the certificate with the issuer after it.</p>
<?cs /if ?>
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
