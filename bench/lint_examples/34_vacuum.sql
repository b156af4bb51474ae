-- expect hazard T001: VACUUM cannot run inside a transaction block, and a migration runs in one (ERROR: VACUUM cannot run inside a transaction block)
VACUUM ANALYZE orders;
