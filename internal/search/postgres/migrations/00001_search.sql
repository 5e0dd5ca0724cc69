-- +goose Up
-- The search index of package search/postgres: derived data, rebuilt from
-- the store at will. Its tables share the store's database and carry the
-- prefix search_; its migrations are versioned in search_goose_db_version.

-- Both ship with PostgreSQL (Debian: postgresql-contrib, part of the
-- server package) and are trusted: the database owner may create them.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per document. ordinal numbers the document in the facet
-- bitmaps; it stays with the ID while the document is re-indexed.
CREATE SEQUENCE search_ordinals AS integer MINVALUE 0 START 0;

CREATE TABLE search_documents (
  ordinal    integer PRIMARY KEY,
  id         text COLLATE "C" NOT NULL UNIQUE,
  -- the folded, lower-cased title: the order without text
  sort_title text COLLATE "C" NOT NULL,
  inactive   boolean NOT NULL,
  flagged    boolean NOT NULL,
  -- the bitmaps (facet, value) the document is set in, as "facet=value"
  bitmaps    text[] NOT NULL,
  tsv        tsvector NOT NULL
);
CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv);
CREATE INDEX search_documents_order ON search_documents (sort_title, id);

-- One bitmap per facet value and per hidden dimension (status, quality,
-- ECTS value, every document): bit n is document ordinal n. Every bitmap
-- has the same length, search_capacity.bits. The four counts are the
-- value's documents per status and quality, kept so that a query without
-- text or filters reads no bitmap.
CREATE TABLE search_bitmaps (
  facet    text NOT NULL,
  value    text NOT NULL,
  ects     double precision,
  bits     bit varying NOT NULL,
  active_valid     integer NOT NULL,
  active_flagged   integer NOT NULL,
  inactive_valid   integer NOT NULL,
  inactive_flagged integer NOT NULL,
  PRIMARY KEY (facet, value)
);
-- Out of line and uncompressed: a query ANDs them, and compressing a
-- bitmap that changes with each batch costs more than it saves.
ALTER TABLE search_bitmaps ALTER COLUMN bits SET STORAGE EXTERNAL;

-- The bitmaps' length in bits; its one row is locked by every writer.
CREATE TABLE search_capacity (bits integer NOT NULL);
INSERT INTO search_capacity VALUES (0);

-- Every word of the indexed text, folded: the vocabulary a misspelt
-- query word is corrected against.
CREATE TABLE search_terms (term text PRIMARY KEY);
CREATE INDEX search_terms_trgm ON search_terms USING gin (term gin_trgm_ops);

-- OR and AND of text search queries, as aggregates.
CREATE AGGREGATE search_or(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);
CREATE AGGREGATE search_and(tsquery) (SFUNC = tsquery_and, STYPE = tsquery);

-- search_tsv builds a document's vector: each text analysed by its
-- language's configuration after unaccent, weighted by its part (A title,
-- B extra, C description, D outcomes), plus one marker lexeme "~config"
-- per language with text, which a stop word of that language matches.
-- +goose StatementBegin
CREATE FUNCTION search_tsv(cfgs regconfig[], texts text[], weights text[]) RETURNS tsvector
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  v tsvector := '';
BEGIN
  FOR i IN 1 .. coalesce(array_length(texts, 1), 0) LOOP
    v := v || setweight(to_tsvector(cfgs[i], unaccent(texts[i])), weights[i]::"char");
  END LOOP;
  RETURN v || array_to_tsvector(ARRAY(SELECT DISTINCT '~' || c::text FROM unnest(cfgs) AS c));
END
$$;
-- +goose StatementEnd

-- search_word is one query word in every configuration, ORed: its stem in
-- each, or, where it is a stop word (with or without its accents), the
-- marker of that configuration's language. A correction (typo) adds its
-- stems only.
-- +goose StatementBegin
CREATE FUNCTION search_word(word text, cfgs regconfig[], correction boolean) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT search_or(CASE
      WHEN numnode(plainto_tsquery(c, word)) > 0 AND numnode(plainto_tsquery(c, unaccent(word))) > 0
        THEN plainto_tsquery(c, unaccent(word))
      WHEN NOT correction THEN quote_literal('~' || c::text)::tsquery
    END)
  FROM unnest(cfgs) AS c
$$;
-- +goose StatementEnd

-- search_words returns the query of each word, ORed with its
-- corrections: spelling i belongs to word words[i].
-- +goose StatementBegin
CREATE FUNCTION search_words(words integer[], spellings text[], corrections boolean[], cfgs regconfig[]) RETURNS tsquery[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT array_agg(q ORDER BY n) FROM (
    SELECT n, search_or(search_word(s, cfgs, c)) AS q
    FROM unnest(words, spellings, corrections) AS w(n, s, c)
    GROUP BY n
  ) AS per_word
$$;
-- +goose StatementEnd

-- search_rank scores a document for the queries of its words: each word
-- by the best part it occurs in (title 4, extra 2, description 1.5,
-- outcomes 1, only as a stop word 0.01, as the bleve index boosts them),
-- a title match more the shorter the title. Repeating a word, in one part
-- or in several languages, adds nothing: it does not make a course more
-- relevant.
-- +goose StatementBegin
CREATE FUNCTION search_rank(tsv tsvector, words tsquery[]) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sum(CASE
      WHEN parts.title @@ w THEN 4 * (1 + 1 / (1 + length(parts.title)::float8))
      WHEN parts.extra @@ w THEN 2
      WHEN parts.descr @@ w THEN 1.5
      WHEN parts.outcomes @@ w THEN 1
      ELSE 0.01
    END)::real
  FROM (SELECT ts_filter(tsv, '{a}') AS title, ts_filter(tsv, '{b}') AS extra,
               ts_filter(tsv, '{c}') AS descr, ts_filter(tsv, '{d}') AS outcomes) AS parts,
       unnest(words) AS w
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION search_rank(tsvector, tsquery[]);
DROP FUNCTION search_words(integer[], text[], boolean[], regconfig[]);
DROP FUNCTION search_word(text, regconfig[], boolean);
DROP FUNCTION search_tsv(regconfig[], text[], text[]);
DROP AGGREGATE search_and(tsquery);
DROP AGGREGATE search_or(tsquery);
DROP TABLE search_terms;
DROP TABLE search_capacity;
DROP TABLE search_bitmaps;
DROP TABLE search_documents;
DROP SEQUENCE search_ordinals;
