<p>Enter the p12 passphrase you chose when you submitted the request. The files are built for you now and are protected by the same passphrase.</p>
<form method="post" action="<?cs var:Form.Action ?>?action=download">
<?cs call:csrf_field() ?>
<input type="hidden" name="t" value="<?cs var:Form.T ?>">
<input type="hidden" name="scr" value="<?cs var:Form.SCR ?>">
<div class="field">
<label for="passphrase">p12 passphrase *</label>
<input type="password" id="passphrase" name="passphrase" required autocomplete="current-password" maxlength="256">
</div>
<button type="submit"><?cs if:Form.SCR == "all" ?>Download all (zip)<?cs else ?>Download<?cs /if ?></button>
</form>
<?cs if:Files.0.Name ?><h2>Certificates in this request</h2>
<ul id="files">
<?cs each:f = Files ?><li><?cs var:f.Name ?></li>
<?cs /each ?></ul>
<?cs /if ?>
