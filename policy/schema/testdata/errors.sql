-- Every error check reports (see errors.yaml); public.missing is not created.
CREATE TABLE public.naive (id int, deleted_at timestamp);
CREATE TABLE public.bare (id int);
CREATE TABLE public.typed (id int, deleted_at text, who int, why text, hold text);
CREATE TABLE public.strict (id int, deleted_at timestamptz NOT NULL DEFAULT now());
CREATE VIEW public.looks_like_a_table AS SELECT 1 AS id, now() AS deleted_at;
CREATE SCHEMA softdelete;
CREATE TABLE softdelete.audit (id bigint, at timestamptz, actor text);
