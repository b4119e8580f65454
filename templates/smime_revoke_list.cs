<p>Select one or more certificates to revoke.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=revoke">
<?cs call:csrf_field() ?>
<input type="hidden" name="token" value="<?cs var:Form.Token ?>">
<input type="hidden" name="allowed" value="<?cs var:Form.Allowed ?>">
<input type="hidden" name="email" value="<?cs var:Form.Email ?>">
<input type="hidden" name="step" value="2">
<fieldset>
<legend>Certificates of <?cs var:Form.Email ?></legend>
<?cs each:c = Certs ?><div class="field check">
<input type="checkbox" id="<?cs var:c.Field ?>" name="<?cs var:c.Field ?>" value="<?cs var:c.ID ?>">
<label class="inline" for="<?cs var:c.Field ?>"><?cs var:c.Name ?>, serial <code><?cs var:c.Serial ?></code>, valid until <?cs var:c.NotAfter ?></label>
</div>
<?cs /each ?></fieldset>
<div class="field">
<label for="reason">Reason *</label>
<select id="reason" name="reason" required>
<?cs each:r = Reasons ?><option value="<?cs var:r.Name ?>"<?cs if:r.Name == Form.Reason ?> selected<?cs /if ?>><?cs var:r.Label ?></option>
<?cs /each ?></select>
</div>
<div class="field">
<label for="comments">Comments</label>
<textarea id="comments" name="comments" rows="3" maxlength="1024"><?cs var:Form.Comments ?></textarea>
</div>
<p class="hint">Revocation cannot be undone: clients that check the certificate revocation list stop trusting the certificate.</p>
<button type="submit">Revoke</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to Client Certificate Management</a></p>
