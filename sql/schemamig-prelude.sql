/*
 * schemamig-prelude.sql: the first part of schemamig--0.2.sql, the direct
 * install script of 0.2, which the Makefile builds as this file followed by
 * schemamig--0.1.sql and schemamig--0.1--0.2.sql.
 *
 * The schema "schemamig" in a trusted install (README "Installing as a
 * database owner").  schemamig.control names the schema, so CREATE
 * EXTENSION creates it when it is missing, before this script runs, and
 * owned by the role running CREATE EXTENSION.  For a database owner who is
 * not a superuser that schema would be theirs, while everything in it is
 * created by the bootstrap superuser: as the schema's owner they could
 * rename it and put a schema of their own, with tables and functions of
 * their choosing, where every caller (superusers too) expects schemamig's.
 * So such a schema is handed over to the superuser running this script, and
 * only when it is certainly the one CREATE EXTENSION has just made: created
 * by this very transaction (not in a savepoint), holding no object, no
 * privilege and no default privilege.  Any other schema "schemamig" owned by
 * a role that is not a superuser is refused, here or by the check at the top
 * of schemamig--0.1.sql, which then finds it owned by a superuser.
 *
 * This runs as a superuser with search_path = schemamig, pg_temp, so every
 * name is qualified and every operator is OPERATOR(pg_catalog.op).  The
 * placeholders CREATE EXTENSION substitutes (the extension owner's and the
 * schema's names) appear nowhere in this file, comments included: a role
 * name can hold quotes, dollar signs, comment ends and newlines.
 */

DO $$
DECLARE
	nsp			pg_catalog.oid;
	acl			pg_catalog.aclitem[];
	owner_super	boolean;
	owner_name	pg_catalog.name;
	by_installer boolean;
	fresh		boolean;
	ext			pg_catalog.oid;
BEGIN
	SELECT e.oid INTO ext
	FROM pg_catalog.pg_extension e
	WHERE e.extname OPERATOR(pg_catalog.=) 'schemamig';

	SELECT n.oid, n.nspacl, r.rolsuper, r.rolname,
		   n.nspowner OPERATOR(pg_catalog.=) e.extowner,
		   pg_catalog.age(n.xmin) OPERATOR(pg_catalog.=) 0
	INTO nsp, acl, owner_super, owner_name, by_installer, fresh
	FROM pg_catalog.pg_namespace n
	JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
	JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) ext
	WHERE n.nspname OPERATOR(pg_catalog.=) 'schemamig';

	-- a superuser's schema: nothing to do (installed as before 0.2)
	IF nsp IS NULL OR owner_super THEN
		RETURN;
	END IF;

	IF NOT by_installer OR NOT fresh THEN
		RAISE EXCEPTION 'schema "schemamig" already exists and is owned by role "%", which is not a superuser',
				owner_name
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'CREATE EXTENSION schemamig creates the schema itself; a schema that existed before it could hold objects that callers would take for schemamig''s.',
				  HINT = 'Drop that schema, then run CREATE EXTENSION schemamig again (not inside a savepoint).';
	END IF;

	IF acl IS NOT NULL
	   OR EXISTS (SELECT FROM pg_catalog.pg_depend d
				  WHERE d.refclassid OPERATOR(pg_catalog.=)
						'pg_catalog.pg_namespace'::pg_catalog.regclass
					AND d.refobjid OPERATOR(pg_catalog.=) nsp
					AND NOT (d.classid OPERATOR(pg_catalog.=)
							 'pg_catalog.pg_extension'::pg_catalog.regclass
							 AND d.objid OPERATOR(pg_catalog.=) ext))
	   OR EXISTS (SELECT FROM pg_catalog.pg_class c
				  WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp)
	   OR EXISTS (SELECT FROM pg_catalog.pg_proc p
				  WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp)
	   OR EXISTS (SELECT FROM pg_catalog.pg_type t
				  WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp)
	   OR EXISTS (SELECT FROM pg_catalog.pg_operator o
				  WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp)
	   OR EXISTS (SELECT FROM pg_catalog.pg_default_acl a
				  WHERE a.defaclnamespace OPERATOR(pg_catalog.=) nsp) THEN
		RAISE EXCEPTION 'schema "schemamig" already holds objects or privileges'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('It was created in this transaction by role %I before CREATE EXTENSION schemamig.', owner_name),
				  HINT = 'Drop that schema, then run CREATE EXTENSION schemamig again.';
	END IF;

	-- the installer keeps the rights the 0.1--0.2 script grants, not the schema
	ALTER SCHEMA schemamig OWNER TO CURRENT_USER;
END
$$;
