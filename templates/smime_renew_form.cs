<p>Choose the certificate to renew.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=renew<?cs if:Form.SID ?>&amp;swt=sid<?cs /if ?>"<?cs if:Form.UserCSR ?> enctype="multipart/form-data"<?cs /if ?>>
<?cs call:csrf_field() ?>
<input type="hidden" name="token" value="<?cs var:Form.Token ?>">
<input type="hidden" name="allowed" value="<?cs var:Form.Allowed ?>">
<input type="hidden" name="email" value="<?cs var:Form.Email ?>">
<input type="hidden" name="step" value="2">
<?cs if:Form.SID ?><input type="hidden" name="swt" value="sid">
<?cs /if ?><fieldset>
<legend>Certificate</legend>
<?cs each:c = Certs ?><div class="field check">
<input type="radio" id="cert<?cs var:c.Field ?>" name="certId" value="<?cs var:c.ID ?>"<?cs if:c.ID == Form.CertID ?> checked<?cs /if ?>>
<label class="inline" for="cert<?cs var:c.Field ?>"><?cs var:c.Name ?>, serial <code><?cs var:c.Serial ?></code>, valid until <?cs var:c.NotAfter ?></label>
</div>
<?cs /each ?></fieldset>
<?cs if:Form.UserCSR ?><div class="field">
<label for="csr">CSR *</label>
<textarea id="csr" name="csr" rows="10" spellcheck="false"></textarea>
<span class="hint">A CSR for the new key (PEM), or upload it below.</span>
</div>
<div class="field">
<label for="csrFile">Upload CSR</label>
<input type="file" id="csrFile" name="csrFile" accept=".csr,.pem,.der,.req,.txt">
</div>
<?cs elif:!Form.SID ?><p class="hint">We will send a validation email to <?cs var:Form.Email ?>: the renewal is issued, and its certificate file password chosen, from the link in that email.</p>
<?cs else ?><fieldset>
<legend>Certificate file password</legend>
<p class="hint">This password protects the PKCS#12 file with your new certificate and private key. At least 8 characters, not your email address and not your passphrase.</p>
<div class="field">
<label for="password">Password<?cs if:!Form.AllowEmpty ?> *<?cs /if ?></label>
<input type="password" id="password" name="password" autocomplete="new-password" maxlength="256">
</div>
<div class="field">
<label for="password2">Confirm Password<?cs if:!Form.AllowEmpty ?> *<?cs /if ?></label>
<input type="password" id="password2" name="password2" autocomplete="new-password" maxlength="256">
</div>
</fieldset>
<?cs /if ?><button type="submit">Renew</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to Client Certificate Management</a></p>
