-- expect hazard T010: "TABEL" is not a keyword: the server rejects the whole migration with a syntax error
CREATE TABLE ok (id bigint);
CREATE TABEL broken (id bigint);
