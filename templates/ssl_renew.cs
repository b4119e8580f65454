<p>Fill in the fields below to renew SSL certificate.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=renew">
<?cs call:csrf_field() ?>
<div class="field">
<label for="certId">Your Certificate ID *</label>
<input id="certId" name="certId" required maxlength="64" autocomplete="off" spellcheck="false" value="<?cs var:Form.CertID ?>">
<span class="hint">The certificate ID from your collection email.</span>
</div>
<div class="field">
<label for="passphrase">Passphrase *</label>
<input type="password" id="passphrase" name="passphrase" required maxlength="256" autocomplete="current-password">
<span class="hint">The Annual Renewal Passphrase you chose when you enrolled.</span>
</div>
<button type="submit">Renew</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to SSL Certificate Management</a></p>
