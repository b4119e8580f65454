<p>Fill in the fields below to enroll a Client certificate.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=enroll&amp;swt=sid">
<?cs call:csrf_field() ?>
<input type="hidden" name="swt" value="sid">
<div class="field">
<label for="email">Email Address *</label>
<input type="email" id="email" name="email" required maxlength="254" value="<?cs var:Form.Email ?>" autocomplete="email">
<span class="hint">The address your administrator entered for you.</span>
</div>
<div class="field">
<label for="secretId">Secret identifier *</label>
<input type="password" id="secretId" name="secretId" required autocomplete="off" maxlength="128">
<span class="hint">The secret identifier your administrator gave you.</span>
</div>
<button type="submit">Next</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to Client Certificate Management</a></p>
