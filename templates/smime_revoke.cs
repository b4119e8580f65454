<p>Fill in the fields below to revoke client certificate. If there are more than one client certificate, select from list one or more certificate to revoke.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=revoke">
<?cs call:csrf_field() ?>
<div class="field">
<label for="email">Email *</label>
<input type="email" id="email" name="email" required maxlength="254" value="<?cs var:Form.Email ?>" autocomplete="email">
</div>
<div class="field">
<label for="passphrase">Passphrase *</label>
<input type="password" id="passphrase" name="passphrase" required maxlength="256" autocomplete="current-password">
<span class="hint">This is the passphrase which you've specified during enrollment or renewal of this certificate.</span>
</div>
<button type="submit">Next</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to Client Certificate Management</a></p>
