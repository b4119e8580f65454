<p>Fill in the field below to download SSL certificate.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=download">
<?cs call:csrf_field() ?>
<div class="field">
<label for="certId">Your Certificate ID *</label>
<input id="certId" name="certId" required maxlength="64" autocomplete="off" spellcheck="false" value="<?cs var:Form.CertID ?>">
<span class="hint">The certificate ID from your collection email.</span>
</div>
<button type="submit">Download</button>
</form>
<p><a href="<?cs var:Form.Action ?>">Back to SSL Certificate Management</a></p>
