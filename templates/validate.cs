<?cs if:Form.Registration ?><p>Fill in the fields below to register and collect your client certificate.</p>
<?cs else ?><p>Fill in the fields below to validate your email address and collect your client certificate.</p>
<?cs /if ?><form method="post" action="/customer/<?cs var:Customer.URI ?>/validate">
<?cs call:csrf_field() ?>
<?cs if:Form.Token ?><input type="hidden" name="token" value="<?cs var:Form.Token ?>">
<input type="hidden" name="ref" value="<?cs var:Form.Ref ?>">
<input type="hidden" name="email" value="<?cs var:Form.Email ?>">
<div class="field">
<span class="label">Code</span>
<span class="value">Checked – the code from your email is valid.</span>
</div>
<div class="field">
<label for="emailShown">Email</label>
<input type="email" id="emailShown" value="<?cs var:Form.Email ?>" readonly>
</div>
<?cs else ?><div class="field">
<label for="requestCode">Code *</label>
<input id="requestCode" name="requestCode" required maxlength="128" autocomplete="off" spellcheck="false">
<span class="hint">The request code from your email.</span>
</div>
<div class="field">
<label for="email">Email *</label>
<input type="email" id="email" name="email" required maxlength="254" value="<?cs var:Form.Email ?>" autocomplete="email">
</div>
<?cs /if ?><?cs if:!Form.UserCSR ?><fieldset>
<legend>Certificate file password</legend>
<p class="hint">If specified, this Password will be used to protect the PKCS#12 file with your certificate and private key. You will need to specify it during installation. At least 8 characters, not your email address and not your passphrase.</p>
<?cs if:Form.AllowEmpty ?><div class="box notice" role="status"><p>You may leave the password empty, but then anyone who obtains the file can use your certificate and private key.</p></div>
<?cs /if ?><div class="field">
<label for="password">Password<?cs if:!Form.AllowEmpty ?> *<?cs /if ?></label>
<input type="password" id="password" name="password" autocomplete="new-password" maxlength="256">
</div>
<div class="field">
<label for="password2">Re-type Password<?cs if:!Form.AllowEmpty ?> *<?cs /if ?></label>
<input type="password" id="password2" name="password2" autocomplete="new-password" maxlength="256">
</div>
</fieldset>
<?cs /if ?><?cs if:Form.Registration ?><fieldset>
<legend>Renewal and revocation</legend>
<p class="hint">A phrase to be used to renew or revoke the certificate when using the external renewal or revocation page.</p>
<div class="field">
<label for="passphrase">Passphrase *</label>
<input type="password" id="passphrase" name="passphrase" autocomplete="new-password" maxlength="256">
</div>
<div class="field">
<label for="passphrase2">Confirm Passphrase *</label>
<input type="password" id="passphrase2" name="passphrase2" autocomplete="new-password" maxlength="256">
</div>
<div class="field check">
<input type="checkbox" id="eula" name="eula" value="1"<?cs if:Form.EULA ?> checked<?cs /if ?>>
<label class="inline" for="eula">I have read and agree to the terms of the Client Certificate EULA</label>
</div>
</fieldset>
<button type="submit">Submit</button>
<?cs else ?><button type="submit">Validate</button>
<?cs /if ?></form>
