<p>Select the SSL Certificate Management method.</p>
<?cs if:Endpoint.Help ?><p class="hint"><?cs var:Endpoint.Help ?></p>
<?cs /if ?><ul class="menu">
<li><a class="button" href="<?cs var:Form.Action ?>?action=enroll">Certificate enrollment</a></li>
<li><a class="button secondary" href="<?cs var:Form.Action ?>?action=renew">Certificate renewal</a></li>
<li><a class="button secondary" href="<?cs var:Form.Action ?>?action=download">Certificate download</a></li>
<li><a class="button secondary" href="<?cs var:Form.Action ?>?action=revoke">Certificate revocation</a></li>
</ul>
