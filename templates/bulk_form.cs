<?cs if:CSVErrorCount ?><div class="box error" role="alert" id="csv-errors">
<p><strong>CSV file parsing error(s):</strong></p>
<ul>
<?cs each:e = CSVErrors ?><li><?cs var:e ?></li>
<?cs /each ?></ul>
<p>Nothing was recorded. Correct the file and submit it again.</p>
</div>
<?cs /if ?><p>Fill in the fields below to Bulk Enroll certificates.</p>
<form method="post" action="<?cs var:Form.Action ?>" enctype="multipart/form-data">
<?cs call:csrf_field() ?>
<input type="hidden" name="token" value="<?cs var:Form.Token ?>">
<input type="hidden" name="step" value="2">
<div class="field">
<label for="email">Email *</label>
<input type="email" id="email" name="email" value="<?cs var:Form.Email ?>" readonly>
</div>
<div class="field">
<label for="p12Passphrase">p12 passphrase *</label>
<input type="password" id="p12Passphrase" name="p12Passphrase" required maxlength="256" autocomplete="new-password">
<span class="hint">Protects the PKCS#12 files of the certificates; you need it to download them and to import them on your servers. At least 8 characters. It is not stored: if you lose it, the files cannot be opened.</span>
</div>
<div class="field">
<label for="p12Passphrase2">Confirm p12 passphrase *</label>
<input type="password" id="p12Passphrase2" name="p12Passphrase2" required maxlength="256" autocomplete="new-password">
</div>
<div class="field">
<label for="keySize">Key size *</label>
<select id="keySize" name="keySize" required>
<?cs each:k = KeySizes ?><option value="<?cs var:k.Token ?>"<?cs if:k.Token == Form.KeySize ?> selected<?cs /if ?>><?cs var:k.Label ?></option>
<?cs /each ?></select>
<span class="hint">The private keys are made on the server when the request is approved. EC keys only where every certificate type in the file allows them.</span>
</div>
<div class="field">
<label for="csvFile">CSV File *</label>
<input type="file" id="csvFile" name="csvFile" accept=".csv,text/csv" required>
<span class="hint">One certificate per line: Common Name, "SAN, SAN", Certificate Type, Certificate Term, Server Software (for example <code>www.example.com, , SSL Standard, 1 year, OTHER</code>). At most 1 MiB and <?cs var:Form.MaxLines ?> lines.</span>
</div>
<button type="submit">Submit</button>
<a class="button secondary" href="<?cs var:Form.Action ?>">Cancel</a>
</form>
