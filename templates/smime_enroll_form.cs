<p>Fill in the fields below to enroll a Client certificate.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=enroll<?cs if:Form.SID ?>&amp;swt=sid<?cs /if ?>"<?cs if:Form.UserCSR ?> enctype="multipart/form-data"<?cs /if ?>>
<?cs call:csrf_field() ?>
<input type="hidden" name="token" value="<?cs var:Form.Token ?>">
<input type="hidden" name="step" value="2">
<?cs if:Form.SID ?><input type="hidden" name="swt" value="sid">
<?cs /if ?><?cs if:!Form.SID ?><div class="field">
<label for="firstName">First Name *</label>
<input id="firstName" name="firstName" required maxlength="64" autocomplete="given-name" value="<?cs var:Form.FirstName ?>">
</div>
<div class="field">
<label for="middleName">Middle Name</label>
<input id="middleName" name="middleName" maxlength="64" autocomplete="additional-name" value="<?cs var:Form.MiddleName ?>">
</div>
<div class="field">
<label for="lastName">Last Name *</label>
<input id="lastName" name="lastName" required maxlength="64" autocomplete="family-name" value="<?cs var:Form.LastName ?>">
<span class="hint">First Name and Last Name together may have at most 64 characters.</span>
</div>
<?cs /if ?><div class="field">
<label for="email">Email Address *</label>
<input type="email" id="email" name="email" value="<?cs var:Form.Email ?>" readonly>
</div>
<fieldset>
<legend>Certificate</legend>
<?cs if:Form.ProfileCount > 1 ?><div class="field">
<label for="profile">Certificate Profile *</label>
<select id="profile" name="profile" required>
<?cs each:p = Profiles ?><option value="<?cs var:p.Name ?>"<?cs if:p.Name == Form.Profile ?> selected<?cs /if ?>><?cs var:p.Name ?></option>
<?cs /each ?></select>
<ul class="hint">
<?cs each:p = Profiles ?><li><?cs var:p.Name ?><?cs if:p.Description ?> – <?cs var:p.Description ?><?cs /if ?> (terms: <?cs var:p.Terms ?><?cs if:!Form.UserCSR ?>; key types: <?cs var:p.KeyTypes ?><?cs /if ?>)</li>
<?cs /each ?></ul>
</div>
<?cs else ?><?cs each:p = Profiles ?><p class="hint">Certificate Profile: <?cs var:p.Name ?><?cs if:p.Description ?> – <?cs var:p.Description ?><?cs /if ?></p>
<?cs /each ?><?cs /if ?><div class="field">
<label for="term">Certificate Term *</label>
<select id="term" name="term" required>
<?cs each:t = Terms ?><option value="<?cs var:t.Days ?>"<?cs if:t.Days == Form.Term ?> selected<?cs /if ?>><?cs var:t.Label ?></option>
<?cs /each ?></select>
</div>
<?cs if:Form.UserCSR ?><div class="field">
<label for="csr">CSR *</label>
<textarea id="csr" name="csr" rows="10" spellcheck="false"><?cs var:Form.CSR ?></textarea>
<span class="hint">Paste the CSR (PEM) or upload it below (PEM or DER). Max CSR size is 32K. Its email address must be the one above.</span>
</div>
<div class="field">
<label for="csrFile">Upload CSR</label>
<input type="file" id="csrFile" name="csrFile" accept=".csr,.pem,.der,.req,.txt">
</div>
<?cs else ?><div class="field">
<label for="keyType">Key Type *</label>
<select id="keyType" name="keyType" required>
<?cs each:k = KeyTypes ?><option value="<?cs var:k.Token ?>"<?cs if:k.Token == Form.KeyType ?> selected<?cs /if ?>><?cs var:k.Label ?></option>
<?cs /each ?></select>
<span class="hint">The key pair is made on the server and delivered with the certificate in a password-protected PKCS#12 file.</span>
</div>
<?cs /if ?></fieldset>
<?cs if:Form.SID && !Form.UserCSR ?><fieldset>
<legend>Certificate file password</legend>
<p class="hint">This password protects the PKCS#12 file with your certificate and private key. You will need it during installation. At least 8 characters, not your email address and not your passphrase.<?cs if:Form.AllowEmpty ?> It may be left empty, but then anyone who gets the file can use your key.<?cs /if ?></p>
<div class="field">
<label for="password">Password<?cs if:!Form.AllowEmpty ?> *<?cs /if ?></label>
<input type="password" id="password" name="password" autocomplete="new-password" maxlength="256">
</div>
<div class="field">
<label for="password2">Confirm Password<?cs if:!Form.AllowEmpty ?> *<?cs /if ?></label>
<input type="password" id="password2" name="password2" autocomplete="new-password" maxlength="256">
</div>
</fieldset>
<?cs /if ?><fieldset>
<legend>Renewal and revocation</legend>
<?cs if:Form.SID ?><p class="hint">The Annual Renewal Passphrase is a unique phrase that protects you against unauthorized action on your Digital ID. Do not share it with anyone. Do not lose it. You will need it when you want to revoke or renew your Digital ID.</p>
<?cs else ?><p class="hint">This passphrase will be necessary to revoke or renew this certificate.</p>
<?cs /if ?><div class="field">
<label for="passphrase"><?cs if:Form.SID ?>Annual Renewal Passphrase<?cs else ?>Passphrase<?cs /if ?> *</label>
<input type="password" id="passphrase" name="passphrase" required autocomplete="new-password" maxlength="256">
</div>
<div class="field">
<label for="passphrase2">Confirm <?cs if:Form.SID ?>Annual Renewal Passphrase<?cs else ?>Passphrase<?cs /if ?> *</label>
<input type="password" id="passphrase2" name="passphrase2" required autocomplete="new-password" maxlength="256">
</div>
<div class="field check">
<input type="checkbox" id="eula" name="eula" value="1"<?cs if:Form.EULA ?> checked<?cs /if ?>>
<label class="inline" for="eula">I have read and agree to the terms of the Client Certificate EULA</label>
</div>
</fieldset>
<button type="submit">Enroll</button>
<a class="button secondary" href="<?cs var:Form.Action ?>">Cancel</a>
</form>
