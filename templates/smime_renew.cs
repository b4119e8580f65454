<p>Fill in the fields below to renew your client certificate. A new key and certificate with the same details are made; the old certificate is revoked.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=renew<?cs if:Form.SID ?>&amp;swt=sid<?cs /if ?>">
<?cs call:csrf_field() ?>
<?cs if:Form.SID ?><input type="hidden" name="swt" value="sid">
<?cs /if ?><div class="field">
<label for="email">Email Address *</label>
<input type="email" id="email" name="email" required maxlength="254" value="<?cs var:Form.Email ?>" autocomplete="email">
</div>
<?cs if:Form.SID ?><div class="field">
<label for="secretId">Secret identifier *</label>
<input type="password" id="secretId" name="secretId" required autocomplete="off" maxlength="128">
</div>
<?cs else ?><div class="field">
<label for="accessCode">Access Code *</label>
<input type="password" id="accessCode" name="accessCode" required autocomplete="off" maxlength="128">
</div>
<?cs /if ?><div class="field">
<label for="passphrase">Passphrase *</label>
<input type="password" id="passphrase" name="passphrase" required maxlength="256" autocomplete="current-password">
<span class="hint">The passphrase you chose when you enrolled the certificate.</span>
</div>
<button type="submit">Next</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to Client Certificate Management</a></p>
