<div class="box notice" role="status">
<p>This service is not yet available. Please try again later or contact your administrator.</p>
</div>
