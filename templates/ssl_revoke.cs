<p>Fill in the fields below to revoke SSL certificate.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=revoke">
<?cs call:csrf_field() ?>
<div class="field">
<label for="certId">Your Certificate ID *</label>
<input id="certId" name="certId" required maxlength="64" autocomplete="off" spellcheck="false" value="<?cs var:Form.CertID ?>">
</div>
<div class="field">
<label for="passphrase">Passphrase *</label>
<input type="password" id="passphrase" name="passphrase" required maxlength="256" autocomplete="current-password">
</div>
<div class="field">
<label for="reason">Reason *</label>
<select id="reason" name="reason" required>
<?cs each:r = Reasons ?><option value="<?cs var:r.Name ?>"<?cs if:r.Name == Form.Reason ?> selected<?cs /if ?>><?cs var:r.Label ?></option>
<?cs /each ?></select>
</div>
<div class="field">
<label for="comments">Comments *</label>
<textarea id="comments" name="comments" rows="3" required maxlength="1024"><?cs var:Form.Comments ?></textarea>
</div>
<p class="hint">Revocation cannot be undone: clients that check the certificate revocation list stop trusting the certificate.</p>
<button type="submit">Revoke</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to SSL Certificate Management</a></p>
