// Package export writes qlink's open dataset: every active course of the
// catalogue as N-Quads (one named graph per institution), Turtle, JSON-LD
// and two CSV tables (courses and offerings), for the whole catalogue, per
// institution and per country, each gzip-compressed; and the DCAT-AP 3
// description of the catalogue, the dataset and its distributions.
//
// Everything streams: courses are read one at a time from the store
// (store.Courses.EachCourse) and written as they come, so memory stays
// flat however large the catalogue. Generate writes the files into a
// directory aside (temporary names, fsync) and renames them over the old
// ones, so a reader holding an old file keeps reading it whole; each file
// has a manifest (<file>.json) with its size, record count, SHA-256 and
// generation time.
package export
