-- expect hazard L003: bigserial is a nextval() default, which is volatile: PG15 rewrites orders under ACCESS EXCLUSIVE to number every row
ALTER TABLE orders ADD COLUMN seq bigserial;
