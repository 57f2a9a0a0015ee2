-- Names that need quoting, a partitioned table, and a plain table whose
-- name is a keyword (user) in a schema with a capital letter.
CREATE SCHEMA "Sales";
SET check_function_bodies = off;   -- live_user_count reads a column migrate adds
CREATE TABLE "Sales"."Big Deals" (
    id bigint,
    region text,
    "Code" text,
    "Deleted At" timestamptz,
    UNIQUE (region, "Code")
) PARTITION BY LIST (region);
CREATE TABLE "Sales"."Big Deals EU" PARTITION OF "Sales"."Big Deals" FOR VALUES IN ('eu');
CREATE TABLE "Sales"."user" (id bigint PRIMARY KEY, "select" text CONSTRAINT "user select key" UNIQUE);
CREATE VIEW "Sales"."Deal Codes" AS SELECT d."Code" FROM "Sales"."Big Deals" d;
CREATE VIEW "Sales"."Live Deal Codes" AS SELECT d."Code" FROM "Sales"."Big Deals" d WHERE d."Deleted At" IS NULL;
CREATE FUNCTION "Sales".user_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM "Sales"."user" u $$;
CREATE FUNCTION "Sales".live_user_count() RETURNS bigint LANGUAGE sql
    AS $$ SELECT count(*) FROM "Sales"."user" AS u WHERE u."Gone" IS NULL $$;
