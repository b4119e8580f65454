<?cs def:csrf_field() ?><input type="hidden" name="csrf" value="<?cs var:CSRF.Token ?>"><?cs /def ?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs if:Page.Title ?><?cs var:Page.Title ?><?cs else ?>certdesk<?cs /if ?><?cs if:Customer.Name ?> – <?cs var:Customer.Name ?><?cs /if ?></title>
<link rel="stylesheet" href="<?cs var:Static.URL ?>/certdesk.css">
</head>
<body>
<header class="site">
<?cs if:Customer.Name ?><p class="customer"><?cs var:Customer.Name ?></p>
<?cs /if ?><h1><?cs if:Page.Title ?><?cs var:Page.Title ?><?cs else ?>certdesk<?cs /if ?></h1>
</header>
<main>
<?cs if:Page.Error ?><div class="box error" role="alert"><p><?cs var:Page.Error ?></p></div>
<?cs /if ?><?cs if:Page.Notice ?><div class="box notice" role="status"><p><?cs var:Page.Notice ?></p></div>
<?cs /if ?><?cs include:Page.Template ?>
</main>
<footer class="site">
<p>Certificate services<?cs if:Customer.Name ?> for <?cs var:Customer.Name ?><?cs /if ?><?cs if:Request.Id ?> · reference <?cs var:Request.Id ?><?cs /if ?></p>
</footer>
</body>
</html>
