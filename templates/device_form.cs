<p>Fill in the fields below to enroll a certificate</p>
<form method="post" action="<?cs var:Form.Action ?>" enctype="multipart/form-data">
<?cs call:csrf_field() ?>
<div class="field">
<?cs if:Form.ProfileCount > 1 ?><label for="profile">Certificate Profile *</label>
<select id="profile" name="profile" required>
<?cs each:p = Profiles ?><option value="<?cs var:p.Name ?>"<?cs if:p.Name == Form.Profile ?> selected<?cs /if ?>><?cs var:p.Name ?></option>
<?cs /each ?></select>
<?cs else ?><span class="label">Certificate Profile *</span>
<input type="hidden" name="profile" value="<?cs var:Form.Profile ?>">
<p class="value" id="profile"><?cs var:Form.Profile ?></p>
<?cs /if ?></div>
<div class="field">
<?cs if:Form.TermCount > 1 ?><label for="term">Certificate Term *</label>
<select id="term" name="term" required>
<?cs each:t = Terms ?><option value="<?cs var:t.Days ?>"<?cs if:t.Days == Form.Term ?> selected<?cs /if ?>><?cs var:t.Label ?></option>
<?cs /each ?></select>
<?cs else ?><span class="label">Certificate Term *</span>
<?cs each:t = Terms ?><input type="hidden" name="term" value="<?cs var:t.Days ?>">
<p class="value" id="term"><?cs var:t.Label ?></p>
<?cs /each ?><?cs /if ?></div>
<div class="field">
<label for="email">Email *</label>
<input type="email" id="email" name="email" required maxlength="254" value="<?cs var:Form.Email ?>" autocomplete="email">
<span class="hint">An address in a domain delegated to your organization. The collection email goes there once an administrator has approved the request.</span>
</div>
<div class="field">
<label for="csr">CSR *</label>
<textarea id="csr" name="csr" rows="10" spellcheck="false"><?cs var:Form.CSR ?></textarea>
<span class="hint">Paste the CSR (PEM) or upload it below (PEM or DER). Max CSR size is 32K. The key must be RSA 2048 bits or more, or EC P-256 or P-384, and allowed by the profile.</span>
</div>
<div class="field">
<label for="csrFile">Upload CSR</label>
<input type="file" id="csrFile" name="csrFile" accept=".csr,.pem,.der,.req,.txt">
</div>
<button type="submit">Submit</button>
</form>
