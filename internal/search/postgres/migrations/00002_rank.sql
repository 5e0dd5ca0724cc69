-- +goose Up
-- Text search without a function call per hit, on narrower rows. Before,
-- search_rank cut every matching document's vector into its parts
-- (ts_filter) and tested each word against each part: 0.15 ms per hit,
-- seconds for a common word. Now a query tests the stored vector against
-- each word's stems restricted to a weight ('stem':A matches the stem in
-- the title only), built once per query by search_query, and reads the
-- title's length from a column. A text query reads the row of every
-- match (the GIN index gives no ordinals), so the rows are made narrow:
-- the vector keeps one position per lexeme, weighted by the best part it
-- occurs in (all ranking needs), and the keys writers need move out.
-- Rebuilding the index afterwards (or VACUUM FULL) gives back the space
-- the rewrite leaves.

-- search_compact keeps one position per lexeme, with the best weight
-- (A before B, C, D) of its positions; lexemes without positions (the
-- language markers) stay without.
-- +goose StatementBegin
CREATE FUNCTION search_compact(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
      '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''''
        || CASE WHEN positions IS NULL THEN '' ELSE ':1' || (SELECT min(w) FROM unnest(weights) AS w) END,
      ' '), '')::tsvector
  FROM unnest(v)
$$;
-- +goose StatementEnd

-- search_tsv builds a document's vector, as before, compacted.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_tsv(cfgs regconfig[], texts text[], weights text[]) RETURNS tsvector
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  v tsvector := '';
BEGIN
  FOR i IN 1 .. coalesce(array_length(texts, 1), 0) LOOP
    v := v || setweight(to_tsvector(cfgs[i], unaccent(texts[i])), weights[i]::"char");
  END LOOP;
  RETURN search_compact(v || array_to_tsvector(ARRAY(SELECT DISTINCT '~' || c::text FROM unnest(cfgs) AS c)));
END
$$;
-- +goose StatementEnd

-- The bitmaps a document is set in, which only writers read.
CREATE TABLE search_document_keys (
  ordinal integer PRIMARY KEY REFERENCES search_documents ON DELETE CASCADE,
  bitmaps text[] NOT NULL
);
INSERT INTO search_document_keys SELECT ordinal, bitmaps FROM search_documents;
ALTER TABLE search_documents DROP COLUMN bitmaps;

-- The number of distinct lexemes in the title (weight A): a title match
-- scores more the shorter the title.
ALTER TABLE search_documents ADD COLUMN title_terms integer NOT NULL DEFAULT 0;
UPDATE search_documents SET tsv = search_compact(tsv), title_terms = length(ts_filter(tsv, '{a}'));
ALTER TABLE search_documents ALTER COLUMN title_terms DROP DEFAULT;

DROP FUNCTION search_rank(tsvector, tsquery[]);
DROP FUNCTION search_words(integer[], text[], boolean[], regconfig[]);
DROP FUNCTION search_word(text, regconfig[], boolean);

-- search_stems is a word's stems in every configuration where it is not a
-- stop word (with or without its accents), ORed, each stem once; NULL for
-- a word every configuration stops.
-- +goose StatementBegin
CREATE FUNCTION search_stems(word text, cfgs regconfig[]) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT search_or(DISTINCT plainto_tsquery(c, unaccent(word)))
  FROM unnest(cfgs) AS c
  WHERE numnode(plainto_tsquery(c, word)) > 0 AND numnode(plainto_tsquery(c, unaccent(word))) > 0
$$;
-- +goose StatementEnd

-- search_markers is the marker of each configuration that stops the word:
-- a document with text in that language satisfies it.
-- +goose StatementBegin
CREATE FUNCTION search_markers(word text, cfgs regconfig[]) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT search_or(quote_literal('~' || c::text)::tsquery)
  FROM unnest(cfgs) AS c
  WHERE numnode(plainto_tsquery(c, word)) = 0 OR numnode(plainto_tsquery(c, unaccent(word))) = 0
$$;
-- +goose StatementEnd

-- search_weighted restricts every lexeme of q to one weight (part).
-- +goose StatementBegin
CREATE FUNCTION search_weighted(q tsquery, weight text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(q::text, '(''(?:[^'']|'''')*'')', '\1:' || weight, 'g')::tsquery
$$;
-- +goose StatementEnd

-- search_query returns, per query word (spelling i belongs to word
-- words[i], corrections[i] tells a typo's correction), in word order:
-- the query a matching document satisfies (its stems and its
-- corrections', or the markers of the languages that stop it), and its
-- stems restricted to each part for ranking: title (A), extra (B),
-- description (C), outcomes (D); NULL for a word that is only a stop
-- word. Markers carry no weight, and PostgreSQL lets a lexeme without
-- weight match a weighted query, so they are left out of the parts.
-- +goose StatementBegin
CREATE FUNCTION search_query(words integer[], spellings text[], corrections boolean[], cfgs regconfig[])
RETURNS TABLE (match text, title text, extra text, descr text, outcomes text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT m::text, search_weighted(s, 'A')::text, search_weighted(s, 'B')::text,
         search_weighted(s, 'C')::text, search_weighted(s, 'D')::text
  FROM (
    -- || gives NULL when either side is; the aggregates skip NULLs.
    SELECT n, search_or(s) AS s, search_or(coalesce(s || mk, s, mk)) AS m
    FROM unnest(words, spellings, corrections) AS u(n, w, c),
         LATERAL (SELECT search_stems(w, cfgs) AS s,
                         CASE WHEN NOT c THEN search_markers(w, cfgs) END AS mk) AS q
    GROUP BY n
  ) AS per_word
  ORDER BY n
$$;
-- +goose StatementEnd

-- +goose Down
-- The vectors stay compact: every word still matches, and search_rank
-- ranks them by their best part as before.
DROP FUNCTION search_query(integer[], text[], boolean[], regconfig[]);
DROP FUNCTION search_weighted(tsquery, text);
DROP FUNCTION search_markers(text, regconfig[]);
DROP FUNCTION search_stems(text, regconfig[]);
ALTER TABLE search_documents DROP COLUMN title_terms;
ALTER TABLE search_documents ADD COLUMN bitmaps text[];
UPDATE search_documents d SET bitmaps = k.bitmaps FROM search_document_keys k WHERE k.ordinal = d.ordinal;
ALTER TABLE search_documents ALTER COLUMN bitmaps SET NOT NULL;
DROP TABLE search_document_keys;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_tsv(cfgs regconfig[], texts text[], weights text[]) RETURNS tsvector
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
DROP FUNCTION search_compact(tsvector);
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
