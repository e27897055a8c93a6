-- faxd schema, version 5: the fax list filtered by status stays a walk of one page with millions
-- of faxes. Without these, `status = 'receiving'` (the inbox filter) read every fax of the scope
-- through faxes_company to find none. Each serves `WHERE <scope> = ? AND status = ?
-- ORDER BY id DESC` (and the cursor's `id < ?`) from the index alone. See store/fax_list_query.hpp.
CREATE INDEX faxes_company_status ON faxes(company_id, status, id);
CREATE INDEX faxes_brand_status ON faxes(brand_id, status, id);
CREATE INDEX faxes_vfax_status ON faxes(virtual_fax_id, status, id);
