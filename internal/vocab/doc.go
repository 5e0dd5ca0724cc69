// Package vocab holds the EU controlled vocabularies qlink's model uses:
// ISCED-F 2013 fields, EQF levels, learning-opportunity types, modes of
// learning and assessment, learning schedules, credit systems, languages and
// countries. It is a foundation: adapters use it to map source codes to
// concept IRIs, the search index and the web pages use it for labels.
//
// Each scheme is a small embedded table keyed by the concept's code (the
// last segment of its IRI) with a short, stable slug for use in URLs and the
// public API. Languages and countries come from golang.org/x/text, which
// knows every ISO 639 and ISO 3166 code and their names in many languages.
package vocab
