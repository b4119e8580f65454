Hello,

<?cs var:Person.Email ?> could not get a client certificate from the
organisation <?cs var:Org.Name ?><?cs if:Dept.Name ?>, department <?cs var:Dept.Name ?><?cs /if ?>:
its key escrow options require a tier that has no key yet.

  Tiers without a key: <?cs var:Escrow.Missing ?>

No certificate can be issued with a server-made key until the key is
set up, for example:

  certdesk escrow init --tier master --out master.key

(--tier org --org ORG, or --tier dept --org ORG --dept DEPT for the
other tiers; see "Key escrow" in the certdesk README.)

-- 
<?cs var:Customer.Name ?> certificate service
