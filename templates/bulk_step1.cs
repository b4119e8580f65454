<p>Fill in the fields below to Bulk Enroll certificates.</p>
<form method="post" action="<?cs var:Form.Action ?>">
<?cs call:csrf_field() ?>
<div class="field">
<label for="accessCode">Access Code *</label>
<input type="password" id="accessCode" name="accessCode" required autocomplete="off" maxlength="128">
</div>
<div class="field">
<label for="email">Email *</label>
<input type="email" id="email" name="email" required maxlength="254" value="<?cs var:Form.Email ?>" autocomplete="email">
<span class="hint">An address in a domain delegated to your organization.</span>
</div>
<button type="submit">Check Access Code</button>
</form>
