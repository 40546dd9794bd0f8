-- The tenant's contacts after a cursor; $4 a pattern for the name, first and last
-- name and email, $5 one for the phone number's digits.
SELECT contact_id AS id, name, firstname, lastname, email, phone, country, group_id,
       auto_assign, visible_to
FROM rm_directory.contacts
WHERE tenant_id = $1
  AND ($2::uuid IS NULL OR contact_id > $2)
  AND (($4::text IS NULL AND $5::text IS NULL)
       OR name ILIKE $4 OR firstname ILIKE $4 OR lastname ILIKE $4 OR email ILIKE $4
       OR regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') LIKE $5)
ORDER BY contact_id
LIMIT $3
