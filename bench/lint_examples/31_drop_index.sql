-- expect hazard L012: DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on orders: queued behind any long query, it blocks every read behind it
DROP INDEX orders_customer_id_idx;
