-- A contact, created or replaced whole.
INSERT INTO contacts (tenant_id, contact_id, name, firstname, lastname, email,
  phone, country, group_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (tenant_id, contact_id) DO UPDATE SET name = EXCLUDED.name,
  firstname = EXCLUDED.firstname, lastname = EXCLUDED.lastname,
  email = EXCLUDED.email, phone = EXCLUDED.phone, country = EXCLUDED.country,
  group_id = EXCLUDED.group_id
