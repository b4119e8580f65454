<div class="box error" role="alert">
<p><?cs var:Error.Message ?></p>
</div>
