<dl class="summary">
<dt>Request</dt><dd><?cs var:Bulk.ID ?></dd>
<dt>Status</dt><dd id="ber-status"><?cs var:Bulk.Status ?></dd>
<dt>Requester</dt><dd><?cs var:Bulk.Requester ?></dd>
<dt>Key size</dt><dd><?cs var:Bulk.KeyType ?></dd>
<dt>Certificates</dt><dd><?cs var:Bulk.Lines ?></dd>
</dl>
<div class="table-wrap">
<table id="scrs">
<thead><tr><th>SCR</th><th>Line</th><th>Common Name</th><th>Certificate Type</th><th>Term</th><th>Status</th><th>Certificate request</th></tr></thead>
<tbody>
<?cs each:i = Bulk.Items ?><tr><td><?cs var:i.SCR ?></td><td><?cs var:i.Line ?></td><td><?cs var:i.CommonName ?><?cs if:i.Names != i.CommonName ?><br><span class="hint"><?cs var:i.Names ?></span><?cs /if ?></td><td><?cs var:i.Profile ?></td><td><?cs var:i.Term ?></td><td class="scr-status"><?cs var:i.Status ?><?cs if:i.Reason ?><br><span class="hint"><?cs var:i.Reason ?></span><?cs /if ?></td><td><?cs var:i.ICR ?></td></tr>
<?cs /each ?></tbody>
</table>
</div>
<p class="hint">When every line is final, the download links are emailed to the requester.</p>
