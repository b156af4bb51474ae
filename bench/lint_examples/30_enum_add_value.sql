-- expect safe: ADD VALUE alone touches no table (a catalog insert); appending sorts the value last, which is the intent here
ALTER TYPE order_status ADD VALUE 'refunded';
