<p>Fill in the fields below to enroll an SSL certificate.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=enroll" enctype="multipart/form-data">
<?cs call:csrf_field() ?>
<input type="hidden" name="token" value="<?cs var:Form.Token ?>">
<input type="hidden" name="step" value="2">
<div class="field">
<label for="email">Email *</label>
<input type="email" id="email" name="email" value="<?cs var:Form.Email ?>" readonly>
</div>
<fieldset>
<legend>Certificate Info</legend>
<div class="field">
<label for="profile">Certificate Profile *</label>
<select id="profile" name="profile" required>
<?cs each:p = Profiles ?><option value="<?cs var:p.Name ?>"<?cs if:p.Name == Form.Profile ?> selected<?cs /if ?>><?cs var:p.Name ?></option>
<?cs /each ?></select>
</div>
<div class="field">
<label for="term">Certificate Term *</label>
<select id="term" name="term" required>
<?cs each:t = Terms ?><option value="<?cs var:t.Days ?>"<?cs if:t.Days == Form.Term ?> selected<?cs /if ?>><?cs var:t.Label ?></option>
<?cs /each ?></select>
<span class="hint">The available terms depend on the profile:</span>
<ul class="hint">
<?cs each:p = Profiles ?><li><?cs var:p.Name ?>: <?cs var:p.Terms ?><?cs if:p.MultiDomain ?>; Subject Alternative Names allowed<?cs /if ?><?cs if:p.Wildcard ?>; wildcards allowed<?cs /if ?></li>
<?cs /each ?></ul>
</div>
<div class="field">
<label for="csr">CSR *</label>
<textarea id="csr" name="csr" rows="10" spellcheck="false"><?cs var:Form.CSR ?></textarea>
<span class="hint">Paste the CSR (PEM) or upload it below (PEM or DER). Max CSR size is 32K.</span>
</div>
<div class="field">
<label for="csrFile">Upload CSR</label>
<input type="file" id="csrFile" name="csrFile" accept=".csr,.pem,.der,.req,.txt">
</div>
<div class="field">
<button type="submit" name="getcn" value="1" class="secondary" formnovalidate>Get CN from CSR</button>
</div>
<div class="field">
<label for="commonName">Common Name *</label>
<input id="commonName" name="commonName" maxlength="64" value="<?cs var:Form.CommonName ?>">
</div>
<div class="field">
<label for="sans">Subject Alternative Names (Comma separated)</label>
<input id="sans" name="sans" value="<?cs var:Form.SANs ?>">
<span class="hint">Only for multi-domain profiles.</span>
</div>
<div class="field check">
<input type="checkbox" id="autoRenew" name="autoRenew" value="1"<?cs if:Form.AutoRenew ?> checked<?cs /if ?>>
<label class="inline" for="autoRenew">Auto renew</label>
<label class="inline" for="autoRenewDays">days before expiration:</label>
<input type="number" id="autoRenewDays" name="autoRenewDays" min="1" max="90" value="<?cs if:Form.AutoRenewDays ?><?cs var:Form.AutoRenewDays ?><?cs else ?>30<?cs /if ?>">
</div>
</fieldset>
<fieldset>
<legend>Renewal and revocation</legend>
<p class="hint">The Annual Renewal Passphrase protects you against unauthorized action on your certificate. Do not share it and do not lose it: you need it to renew or revoke the certificate.</p>
<div class="field">
<label for="passphrase">Annual Renewal Passphrase *</label>
<input type="password" id="passphrase" name="passphrase" autocomplete="new-password" maxlength="256">
</div>
<div class="field">
<label for="passphrase2">Confirm Annual Renewal Passphrase *</label>
<input type="password" id="passphrase2" name="passphrase2" autocomplete="new-password" maxlength="256">
</div>
</fieldset>
<fieldset>
<legend>Additional</legend>
<div class="field">
<label for="externalRequester">External Requester</label>
<input id="externalRequester" name="externalRequester" value="<?cs var:Form.ExternalRequester ?>">
<span class="hint">email@domain.com, or several separated by commas.</span>
</div>
<div class="field">
<label for="comments">Comments</label>
<textarea id="comments" name="comments" rows="3"><?cs var:Form.Comments ?></textarea>
</div>
<div class="field check">
<input type="checkbox" id="eula" name="eula" value="1"<?cs if:Form.EULA ?> checked<?cs /if ?>>
<label class="inline" for="eula">I have read and agree to the terms of the EULA</label>
</div>
</fieldset>
<button type="submit" name="enroll" value="1">Enroll</button>
</form>
