<p>Select the Client Certificate Management method.</p>
<?cs if:Endpoint.Help ?><p class="hint"><?cs var:Endpoint.Help ?></p>
<?cs /if ?><ul class="menu">
<li><a class="button" href="<?cs var:Form.Action ?>?action=enroll">Certificate enrollment by AccessCode</a></li>
<li><a class="button secondary" href="<?cs var:Form.Action ?>?action=renew">Certificate renewal by AccessCode</a></li>
<li><a class="button secondary" href="<?cs var:Form.Action ?>?action=enroll&amp;swt=sid">Certificate enrollment by SecretID</a></li>
<li><a class="button secondary" href="<?cs var:Form.Action ?>?action=renew&amp;swt=sid">Certificate renewal by SecretID</a></li>
<li><a class="button secondary" href="<?cs var:Form.Action ?>?action=revoke">Certificate revocation</a></li>
</ul>
