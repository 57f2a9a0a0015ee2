-- Every case check warns about, on three managed tables: public.contacts,
-- public.orgs and crm.notes (see warned.yaml).
CREATE SCHEMA crm;

CREATE TABLE public.orgs (
    id bigint PRIMARY KEY,
    handle text CONSTRAINT orgs_handle_key UNIQUE,     -- referenced by a foreign key: not convertible
    deleted_at timestamptz,
    deleted_by text,
    deleted_reason varchar(200)
);
CREATE INDEX orgs_deleted_at_idx ON public.orgs (deleted_at);   -- a plain index also serves the purger

CREATE TABLE public.contacts (
    id bigint PRIMARY KEY,
    org_handle text REFERENCES public.orgs (handle),    -- managed child of a managed parent
    email text NOT NULL CONSTRAINT contacts_email_key UNIQUE,
    code text,
    nick text,
    deleted_at timestamptz DEFAULT NULL
);
CREATE UNIQUE INDEX contacts_code_idx ON public.contacts (lower(code));
CREATE UNIQUE INDEX contacts_nick_idx ON public.contacts (nick) WHERE nick <> '';
CREATE UNIQUE INDEX contacts_email_live_idx ON public.contacts (email) WHERE deleted_at IS NULL;   -- fine
CREATE UNIQUE INDEX contacts_email_deleted_idx ON public.contacts (email, deleted_at);

-- tables that reference contacts, one per ON DELETE action
CREATE TABLE public.calls (id bigint, contact_id bigint REFERENCES public.contacts);    -- NO ACTION, followed on trash
CREATE TABLE public.emails (id bigint, contact_id bigint REFERENCES public.contacts ON DELETE SET NULL);
CREATE TABLE public.invoices (id bigint, contact_id bigint REFERENCES public.contacts ON DELETE RESTRICT);

-- a managed child of a table outside the policy, and of contacts
CREATE TABLE public.companies (id bigint PRIMARY KEY, name text);
CREATE TABLE crm.notes (
    id bigint PRIMARY KEY,
    contact_id bigint REFERENCES public.contacts,
    company_id bigint REFERENCES public.companies ON DELETE RESTRICT,
    body text,
    removed_at timestamptz DEFAULT now(),
    legal_hold boolean NOT NULL DEFAULT false
);
CREATE INDEX notes_removed_at_idx ON crm.notes (removed_at) WHERE removed_at IS NOT NULL;

-- triggers
CREATE FUNCTION public.log_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER contacts_deleted AFTER DELETE ON public.contacts FOR EACH ROW EXECUTE FUNCTION public.log_change();
CREATE TRIGGER contacts_touched AFTER UPDATE ON public.contacts FOR EACH STATEMENT EXECUTE FUNCTION public.log_change();
CREATE TRIGGER contacts_email_changed AFTER UPDATE OF email ON public.contacts
    FOR EACH ROW EXECUTE FUNCTION public.log_change();                          -- fine: not on deleted_at
CREATE TRIGGER notes_deleted BEFORE DELETE ON crm.notes FOR EACH STATEMENT EXECUTE FUNCTION public.log_change();
CREATE TRIGGER notes_removed AFTER UPDATE OF removed_at ON crm.notes
    FOR EACH ROW EXECUTE FUNCTION public.log_change();

-- views
CREATE VIEW public.contact_emails AS SELECT id, email FROM public.contacts;
CREATE VIEW public.live_contacts AS SELECT c.id, c.email FROM public.contacts c WHERE c.deleted_at IS NULL;   -- fine
CREATE MATERIALIZED VIEW public.contact_counts AS SELECT count(*) AS n FROM public.contacts;
CREATE VIEW crm.note_bodies AS SELECT n.body, o.handle FROM crm.notes n JOIN public.contacts c ON c.id = n.contact_id
    JOIN public.orgs o ON o.handle = c.org_handle WHERE c.deleted_at IS NULL;

-- functions
CREATE FUNCTION public.contact_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.contacts';
CREATE FUNCTION public.live_contact_count() RETURNS bigint LANGUAGE sql
    AS 'SELECT count(*) FROM contacts WHERE deleted_at IS NULL';             -- fine
CREATE FUNCTION public.drop_contact(p bigint) RETURNS void LANGUAGE plpgsql
    AS $$ BEGIN DELETE FROM contacts WHERE id = p; END $$;
CREATE FUNCTION crm.note_ids() RETURNS SETOF bigint LANGUAGE sql
    BEGIN ATOMIC SELECT id FROM crm.notes; END;
CREATE FUNCTION public.notes_word() RETURNS text LANGUAGE sql AS $$ SELECT 'notes from crm' $$;   -- fine: not a query of it
